"""Tables of the video domain."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from safetyzone.core.db import Base, UTCDateTime, new_id, str_enum


class CameraState(enum.StrEnum):
    """What the last snapshot attempts said about a camera."""

    ONLINE = "online"  # answered with a fresh image
    OFFLINE = "offline"  # error, refusal or timeout
    FROZEN = "frozen"  # answers, but with the same image again and again


class CameraHealth(Base):
    """A camera's health as last seen; written when the state changes, not on every probe.

    The prober (``video.prober``) checks every camera each minute: writing each result would
    keep the single SQLite writer busy for nothing. A change is written when it happens;
    ``checked_at``, latency and picture size once per sweep, for all cameras in one write.
    """

    __tablename__ = "camera_health"

    camera_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    station_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    state: Mapped[CameraState] = mapped_column(str_enum(CameraState, "camera_state"))
    since: Mapped[datetime] = mapped_column(UTCDateTime)
    detail: Mapped[str | None] = mapped_column(String(200))
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    latency_ms: Mapped[int | None] = mapped_column(Integer)  # to the first picture
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    # The maintenance alert raised for this outage (a camera down at a risk spot or SOS
    # point): one per outage, remembered across restarts, cleared when the camera is back.
    alert_incident_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)


class CameraHealthChange(Base):
    """One stretch of a camera in one state: ``since`` until ``until`` (None: still so).

    Written on every state change, so uptime over any period is counted from what happened,
    not estimated from the current state alone.
    """

    __tablename__ = "camera_health_change"
    __table_args__ = (Index("ix_camera_health_change_station_since", "station_id", "since"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    camera_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    station_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    state: Mapped[CameraState] = mapped_column(str_enum(CameraState, "camera_state"))
    since: Mapped[datetime] = mapped_column(UTCDateTime)
    until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    detail: Mapped[str | None] = mapped_column(String(200))
