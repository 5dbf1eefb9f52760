"""Hotlist entries, the hits they made, and each station's retention of plate reads."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from safetyzone.core.db import Base, UTCDateTime, new_id


class HotlistEntry(Base):
    """A plate someone wants to hear about; removed entries are kept (soft delete) for audit."""

    __tablename__ = "hotlist_entry"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    station_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("org_unit.id", ondelete="RESTRICT"), index=True
    )
    owner_user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("app_user.id", ondelete="RESTRICT")
    )
    plate: Mapped[str] = mapped_column(String(32), index=True)  # canonical, e.g. 1กข1234
    plate_text: Mapped[str] = mapped_column(String(64))  # as typed
    province_code: Mapped[str | None] = mapped_column(String(8))
    reason: Mapped[str] = mapped_column(String(300))
    priority: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    covert: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    removed_by: Mapped[str | None] = mapped_column(String(64))


class PlateHit(Base):
    """A plate read that matched an entry: such reads outlive the retention period."""

    __tablename__ = "plate_hit"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    event_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)  # inbox_event.id
    entry_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("hotlist_entry.id", ondelete="RESTRICT"), index=True
    )
    station_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    read_plate: Mapped[str] = mapped_column(String(32))
    match: Mapped[str] = mapped_column(String(16))  # exact | fuzzy
    match_reason: Mapped[str | None] = mapped_column(String(200))
    incident_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class LprRetention(Base):
    """How long a station keeps plate reads that hit nothing (default: DEFAULT_RETENTION_DAYS)."""

    __tablename__ = "lpr_retention"

    station_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("org_unit.id", ondelete="CASCADE"), primary_key=True
    )
    days: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[str] = mapped_column(String(64))
