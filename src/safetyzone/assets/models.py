"""Asset tables.

Located field assets share one table (``asset``) with a ``kind``; cameras get their own
table because they carry view geometry, sharing terms and stream secrets, and because a
camera point (a pole, a shop front) holds several of them.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from safetyzone.core.db import Base, UTCDateTime, new_id, str_enum
from safetyzone.org.models import OwnerClass


class AssetKind(enum.StrEnum):
    CAMERA_POINT = "camera_point"
    SOS_POINT = "sos_point"
    LOUDSPEAKER = "loudspeaker"
    RED_BOX = "red_box"
    STREET_LIGHT = "street_light"
    SMART_POLE = "smart_pole"
    LED_SIGN = "led_sign"
    SERVICE_POST = "service_post"
    CHECKPOINT = "checkpoint"


class SharingLevel(enum.StrEnum):
    """What a camera's owner agreed to share with the police."""

    REGISTRY_ONLY = "registry_only"
    FOOTAGE_ON_REQUEST = "footage_on_request"
    LIVE_ON_ALARM = "live_on_alarm"
    LIVE_ALWAYS = "live_always"


class AssetStatus(enum.StrEnum):
    ACTIVE = "active"
    MAINTENANCE = "maintenance"
    RETIRED = "retired"


class Asset(Base):
    __tablename__ = "asset"
    __table_args__ = (UniqueConstraint("station_id", "code"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    station_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("org_unit.id", ondelete="RESTRICT"), index=True
    )
    zone_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("zone.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[AssetKind] = mapped_column(str_enum(AssetKind, "asset_kind"), index=True)
    code: Mapped[str] = mapped_column(String(64))
    name_th: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    owner_class: Mapped[OwnerClass] = mapped_column(str_enum(OwnerClass, "owner_class"))
    owner_partner_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("partner.id", ondelete="RESTRICT"), index=True
    )
    has_speaker: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[AssetStatus] = mapped_column(str_enum(AssetStatus, "asset_status"))
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Camera(Base):
    __tablename__ = "camera"
    __table_args__ = (UniqueConstraint("station_id", "code"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    station_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("org_unit.id", ondelete="RESTRICT"), index=True
    )
    point_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("asset.id", ondelete="RESTRICT"), index=True
    )
    code: Mapped[str] = mapped_column(String(64))
    name_th: Mapped[str] = mapped_column(String(200))
    owner_class: Mapped[OwnerClass] = mapped_column(str_enum(OwnerClass, "owner_class"))
    owner_partner_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("partner.id", ondelete="RESTRICT"), index=True
    )
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    heading_deg: Mapped[float | None] = mapped_column(Float)
    fov_deg: Mapped[float | None] = mapped_column(Float)
    # Coverage (video/coverage.py): what the police use the camera for (investigation,
    # traffic, patrol: seed 001), how far it sees (None: a default per owner class, shown as
    # assumed) and where its view figures come from (e.g. a demo assumption).
    purposes: Mapped[list[str]] = mapped_column(JSON, default=list)
    range_m: Mapped[float | None] = mapped_column(Float)
    view_note: Mapped[str | None] = mapped_column(String(200))
    plate_reading: Mapped[bool] = mapped_column(Boolean, default=False)
    sharing_level: Mapped[SharingLevel] = mapped_column(str_enum(SharingLevel, "sharing_level"))
    sharing_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[AssetStatus] = mapped_column(str_enum(AssetStatus, "asset_status"))
    # Sealed with SecretBox; never returned by the ordinary read API.
    stream_url_sealed: Mapped[str | None] = mapped_column(Text)
    stream_username_sealed: Mapped[str | None] = mapped_column(Text)
    stream_password_sealed: Mapped[str | None] = mapped_column(Text)
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CameraPurpose(enum.StrEnum):
    """What the police use a camera for (seed 001: investigation, traffic and patrol)."""

    INVESTIGATION = "investigation"
    TRAFFIC = "traffic"
    PATROL = "patrol"


class CameraBinding(Base):
    """Cameras whose images go with an SOS press at this point, in display order."""

    __tablename__ = "camera_binding"

    asset_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("asset.id", ondelete="CASCADE"), primary_key=True
    )
    camera_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("camera.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)


class ProposalState(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    SUPERSEDED = "superseded"  # a newer proposal for the same camera replaced it


class CameraUrlProposal(Base):
    """A partner's proposed camera address or credentials, until police decide.

    The address decides where the server connects, so a partner cannot set it: it proposes,
    and an admin or commander of the station approves (the sealed values are copied onto the
    camera) or rejects. Values are sealed like the camera's own; ``fields`` names the ones
    proposed (a proposed None clears the field).
    """

    __tablename__ = "camera_url_proposal"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    camera_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("camera.id", ondelete="CASCADE"), index=True
    )
    station_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("org_unit.id", ondelete="RESTRICT"), index=True
    )
    partner_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("partner.id", ondelete="RESTRICT"), index=True
    )
    fields: Mapped[list[str]] = mapped_column(JSON)
    stream_url_sealed: Mapped[str | None] = mapped_column(Text)
    stream_username_sealed: Mapped[str | None] = mapped_column(Text)
    stream_password_sealed: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(String(500))
    state: Mapped[ProposalState] = mapped_column(
        str_enum(ProposalState, "camera_url_proposal_state"), index=True
    )
    proposed_by: Mapped[str] = mapped_column(String(64))
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_reason: Mapped[str | None] = mapped_column(String(500))
