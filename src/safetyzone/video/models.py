"""Tables of the video domain."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from safetyzone.core.db import Base, UTCDateTime, str_enum


class CameraState(enum.StrEnum):
    """What the last snapshot attempts said about a camera."""

    ONLINE = "online"  # answered with a fresh image
    OFFLINE = "offline"  # error, refusal or timeout
    FROZEN = "frozen"  # answers, but with the same image again and again


class CameraHealth(Base):
    """A camera's health as last seen; written when the state changes, not on every image.

    Snapshots refresh every few seconds per screen: writing each one would make the single
    SQLite writer busy for nothing. The in-process tracker keeps the per-image detail.
    """

    __tablename__ = "camera_health"

    camera_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    station_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    state: Mapped[CameraState] = mapped_column(str_enum(CameraState, "camera_state"))
    since: Mapped[datetime] = mapped_column(UTCDateTime)
    detail: Mapped[str | None] = mapped_column(String(200))
