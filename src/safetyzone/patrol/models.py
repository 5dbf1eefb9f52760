"""Tables of the officer's duty: shifts, the answers to the phone's queued actions, photos.

A shift ties a user to a unit for a stretch of time: several officers may crew one unit,
but an officer is on at most one shift at a time (a partial unique index holds that even
against two phones racing). Positions and SOS of a shift are stored in the inbox under the
unit's officer-app credential (``device_id``), like any tracker's, so the engine treats
them the same way.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, UniqueConstraint, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from safetyzone.core.db import Base, UTCDateTime, new_id


class PatrolShift(Base):
    __tablename__ = "patrol_shift"
    __table_args__ = (
        # One active shift per officer: the database refuses a second one.
        Index("uq_patrol_shift_active_user", "user_id", unique=True,
              sqlite_where=text("ended_at IS NULL"),
              postgresql_where=text("ended_at IS NULL")),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    station_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("org_unit.id", ondelete="RESTRICT"))
    unit_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("patrol_unit.id", ondelete="RESTRICT"), index=True)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("app_user.id", ondelete="RESTRICT"), index=True)
    username: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_by: Mapped[str | None] = mapped_column(String(64))
    # The unit's officer-app credential: the shift's fixes and SOS are stored under it.
    device_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("device_credential.id", ondelete="RESTRICT"))


class OfficerAction(Base):
    """The first answer to an action the phone sent with an ``Idempotency-Key``: a retry
    after a dead spot gets it again instead of doing the action twice."""

    __tablename__ = "patrol_officer_action"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    key: Mapped[str] = mapped_column(String(64))
    route: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    status_code: Mapped[int] = mapped_column(Integer)
    body: Mapped[dict[str, Any]] = mapped_column(JSON)


class OfficerPhoto(Base):
    """A photo an officer took at its unit's incident (EXIF removed), for the console too."""

    __tablename__ = "patrol_officer_photo"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    station_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("org_unit.id", ondelete="RESTRICT"), index=True)
    incident_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("incident.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    username: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Relative to the officer media store's root (see ``citizen.media.MediaStore``).
    path: Mapped[str] = mapped_column(String(200))
    thumb_path: Mapped[str | None] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(32))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
