"""Device credentials and the inbox."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from safetyzone.core.db import Base, UTCDateTime, new_id, str_enum


class SubjectKind(enum.StrEnum):
    """What a credential speaks for: a registered asset, a patrol unit, or a gateway."""

    ASSET = "asset"
    UNIT = "unit"
    GATEWAY = "gateway"


class Protocol(enum.StrEnum):
    """How a device talks to us when it cannot send our own token-authenticated JSON."""

    SIA_DC09 = "sia_dc09"
    OSMAND = "osmand"
    NMEA = "nmea"
    LPR_HIKVISION = "lpr_hikvision"
    LPR_OPENALPR = "lpr_openalpr"
    LPR_GENERIC = "lpr_generic"
    MQTT = "mqtt"


class DeviceCredential(Base):
    __tablename__ = "device_credential"
    __table_args__ = (UniqueConstraint("protocol", "external_id"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    key_id: Mapped[str] = mapped_column(String(32), unique=True)
    station_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("org_unit.id", ondelete="RESTRICT"), index=True
    )
    subject_kind: Mapped[SubjectKind] = mapped_column(str_enum(SubjectKind, "subject_kind"))
    subject_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    label: Mapped[str] = mapped_column(String(200))
    secret_hash: Mapped[str] = mapped_column(String(64))
    # During a rotation the old secret keeps working until this time, so a device can be
    # reconfigured without losing events.
    previous_secret_hash: Mapped[str | None] = mapped_column(String(64))
    previous_valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    rotated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The device's own identity in its protocol: a SIA account, a tracker id, a camera serial.
    protocol: Mapped[Protocol | None] = mapped_column(str_enum(Protocol, "device_protocol"))
    external_id: Mapped[str | None] = mapped_column(String(64))
    # A protocol key the device encrypts with (SIA DC-09 AES), sealed like stream secrets.
    protocol_key_sealed: Mapped[str | None] = mapped_column(Text)


class InboxEvent(Base):
    __tablename__ = "inbox_event"
    __table_args__ = (
        UniqueConstraint("device_id", "device_event_id"),
        # Only unprocessed rows are ever looked up by this: keep the index that small.
        Index("ix_inbox_event_unprocessed", "seq",
              sqlite_where=text("processed_at IS NULL"),
              postgresql_where=text("processed_at IS NULL")),
    )

    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    id: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True)
    device_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("device_credential.id", ondelete="RESTRICT")
    )
    device_event_id: Mapped[str] = mapped_column(String(128))
    station_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    source_asset_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    kind: Mapped[str] = mapped_column(String(32))
    event_time: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    accuracy_m: Mapped[float | None] = mapped_column(Float)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    # Set by the CCOC engine in the same transaction as the effects of processing it:
    # the row is then done exactly once. Unset rows are replayed after a restart.
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
