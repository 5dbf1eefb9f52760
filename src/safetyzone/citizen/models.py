"""Tables of the citizen domain: items (emergency, report, tip), their trail of fixes, media,
messages, and each station's public contact card and service posts."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from safetyzone.citizen.media import MediaKind
from safetyzone.citizen.taxonomy import Channel, ItemKind, ItemState, LocationSource
from safetyzone.core.db import Base, UTCDateTime, new_id, str_enum

BigId = BigInteger().with_variant(Integer, "sqlite")


class Direction(enum.StrEnum):
    TO_CITIZEN = "to_citizen"
    FROM_CITIZEN = "from_citizen"


class Delivery(enum.StrEnum):
    """A message pushed to a LINE user: waiting, sent, or refused by LINE."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class PostKind(enum.StrEnum):
    POLICE_BOX = "police_box"
    VOLUNTEER_POST = "volunteer_post"
    STATION = "station"


class CitizenItem(Base):
    """One thing a citizen sent: an emergency, a report or a tip.

    ``client_key_hash`` is the sha256 of the key the phone generated for this ticket: the
    caller proves ownership with it, and a retry with the same key finds the same ticket
    (see ``citizen.service``). Personal data lives only in the sealed columns.
    """

    __tablename__ = "citizen_item"
    __table_args__ = (
        Index("ix_citizen_item_station_state", "station_id", "state"),
        Index("ix_citizen_item_key", "kind", "channel", "client_key_hash"),
        Index("ix_citizen_item_similar", "kind", "category", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    kind: Mapped[ItemKind] = mapped_column(str_enum(ItemKind, "citizen_item_kind"))
    channel: Mapped[Channel] = mapped_column(str_enum(Channel, "citizen_channel"))
    station_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("org_unit.id", ondelete="RESTRICT"))
    zone_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("zone.id", ondelete="SET NULL"))
    category: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text, default="")
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    accuracy_m: Mapped[float | None] = mapped_column(Float)
    location_source: Mapped[LocationSource] = mapped_column(
        str_enum(LocationSource, "citizen_location_source"))
    state: Mapped[ItemState] = mapped_column(str_enum(ItemState, "citizen_item_state"))
    incident_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("incident.id", ondelete="SET NULL"), index=True)
    merged_into_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("citizen_item.id", ondelete="SET NULL"), index=True)
    disposition: Mapped[str | None] = mapped_column(String(32))
    client_key_hash: Mapped[str] = mapped_column(String(64))
    contact_sealed: Mapped[str | None] = mapped_column(Text)
    line_user_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    line_user_sealed: Mapped[str | None] = mapped_column(Text)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    assigned_to: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="SET NULL"))
    followup_hash: Mapped[str | None] = mapped_column(String(64))
    consent: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    press_count: Mapped[int] = mapped_column(Integer, default=1)
    # The states it went through, [{"status", "at"}]: the steps on the public ticket page.
    history: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    retain_until: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # The Open311 client that sent it (channel open311): it follows its own requests.
    open311_client_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)


class CitizenFix(Base):
    """A later position from the caller's phone: a trail, never the item's own location."""

    __tablename__ = "citizen_fix"
    __table_args__ = (UniqueConstraint("item_id", "at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    item_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("citizen_item.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    accuracy_m: Mapped[float | None] = mapped_column(Float)


class CitizenMedia(Base):
    """A photo or voice note; the file lives in the ``MediaStore`` (stripped of EXIF)."""

    __tablename__ = "citizen_media"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    item_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("citizen_item.id", ondelete="CASCADE"), index=True)
    kind: Mapped[MediaKind] = mapped_column(str_enum(MediaKind, "citizen_media_kind"))
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    path: Mapped[str] = mapped_column(String(300))
    thumb_path: Mapped[str | None] = mapped_column(String(300))
    exif_lat: Mapped[float | None] = mapped_column(Float)
    exif_lon: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CitizenMessage(Base):
    __tablename__ = "citizen_message"

    # A sequence, not a random id: two messages in the same second keep their order.
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    item_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("citizen_item.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    direction: Mapped[Direction] = mapped_column(str_enum(Direction, "citizen_direction"))
    author: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    ask_info: Mapped[bool] = mapped_column(Boolean, default=False)
    delivery: Mapped[Delivery | None] = mapped_column(str_enum(Delivery, "citizen_delivery"))


class StationContact(Base):
    """How the public reaches a station: phone, LINE Official Account."""

    __tablename__ = "station_contact"

    station_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("org_unit.id", ondelete="CASCADE"), primary_key=True)
    phone: Mapped[str | None] = mapped_column(String(32))
    line_url: Mapped[str | None] = mapped_column(String(200))
    line_oa_id: Mapped[str | None] = mapped_column(String(64))
    # Invented for the demo (the seeds give no such value): shown as demo data.
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)


class ServicePost(Base):
    """A police box, volunteer post or the station itself, with its opening hours."""

    __tablename__ = "service_post"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    station_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("org_unit.id", ondelete="CASCADE"), index=True)
    kind: Mapped[PostKind] = mapped_column(str_enum(PostKind, "service_post_kind"))
    name_th: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    hours_th: Mapped[str] = mapped_column(String(200), default="")
    hours_en: Mapped[str] = mapped_column(String(200), default="")
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)


class Open311Client(Base):
    """A partner's reporting platform (a municipality's, a city's) speaking Open311
    GeoReport v2 with the station: it sends non-emergency reports and follows them, and sees
    the public-space reports of its stations that it is there to fix.

    The key is shown once when issued; only its sha256 is kept (``key_hash``), with a short
    prefix so an admin can tell keys apart in the list.
    """

    __tablename__ = "open311_client"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    partner_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("partner.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(200))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    key_prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(64))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
