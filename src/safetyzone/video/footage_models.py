"""Tables of footage requests: the police ask a camera's owner (a shop, a condominium, a
village) for the recordings of its cameras over a time window, for an incident or a case.

One officer's request over cameras of several owners becomes one row per owner (a shared
``batch_id``), because each owner sees only what is addressed to it. Its history is
append-only (``footage_event``); files are stored by content (SHA-256) and named here.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import (
    BigInteger,
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

from safetyzone.core.db import Base, UTCDateTime, new_id, str_enum

BigId = BigInteger().with_variant(Integer, "sqlite")


class FootageStatus(enum.StrEnum):
    """sent (created, in the partner's view and on its LINE) -> seen -> uploaded | granted
    | declined; expired when the deadline passes unanswered; closed by the police."""

    SENT = "sent"
    SEEN = "seen"
    UPLOADED = "uploaded"
    GRANTED = "granted"
    DECLINED = "declined"
    EXPIRED = "expired"
    CLOSED = "closed"


class FootageRequest(Base):
    """One request to one owning partner. ``reason`` is written by the police for the owner:
    the incident, the case number and police names never reach the partner."""

    __tablename__ = "footage_request"
    __table_args__ = (
        Index("ix_footage_request_station_status", "station_id", "status"),
        Index("ix_footage_request_partner_status", "partner_id", "status"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    batch_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    station_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org_unit.id", ondelete="RESTRICT"))
    partner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("partner.id", ondelete="RESTRICT"))
    incident_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("incident.id", ondelete="SET NULL"), index=True)
    case_number: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime)
    window_end: Mapped[datetime] = mapped_column(UTCDateTime)
    # The area the cameras were chosen by, when they were (a circle on the map).
    area_lat: Mapped[float | None] = mapped_column(Float)
    area_lon: Mapped[float | None] = mapped_column(Float)
    area_radius_m: Mapped[int | None] = mapped_column(Integer)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[FootageStatus] = mapped_column(str_enum(FootageStatus, "footage_status"))
    decline_reason: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)


class FootageCamera(Base):
    """A camera a request asks about; ``granted_at`` once its owner made the window's
    footage available to the police (under the camera's sharing terms)."""

    __tablename__ = "footage_camera"

    request_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("footage_request.id", ondelete="CASCADE"), primary_key=True)
    camera_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("camera.id", ondelete="RESTRICT"), primary_key=True, index=True)
    camera_code: Mapped[str] = mapped_column(String(64))
    granted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    granted_by: Mapped[str | None] = mapped_column(String(64))


class FootageEvent(Base):
    """One step of a request's history: never updated, never deleted (append-only)."""

    __tablename__ = "footage_event"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    request_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("footage_request.id", ondelete="RESTRICT"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    action: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    side: Mapped[str] = mapped_column(String(8))  # police | partner | system
    username: Mapped[str] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)


class FootageFile(Base):
    """A file a partner uploaded for a request: kind decided by its bytes, hash on arrival.
    The same bytes for the same request are one row (a repeated upload is answered with it).
    """

    __tablename__ = "footage_file"
    __table_args__ = (UniqueConstraint("request_id", "sha256"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    request_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("footage_request.id", ondelete="RESTRICT"), index=True)
    station_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org_unit.id", ondelete="RESTRICT"))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(8))  # mp4 | mkv | avi | jpg
    content_type: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))  # as the partner named it, cleaned
    path: Mapped[str] = mapped_column(String(200))  # relative to the footage store's root
    uploaded_by: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime)
