"""Tables of recording: policies, quotas, the segment index and the holds on footage."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from safetyzone.core.db import Base, UTCDateTime, new_id, str_enum


class RecordingMode(enum.StrEnum):
    NONE = "none"
    ON_ALARM = "on_alarm"  # a rolling pre-roll, kept around alarms with a post-roll
    CONTINUOUS = "continuous"  # a ring of N hours; alarm footage kept longer


class RecordingPolicy(Base):
    """What a camera records, set by a station admin or commander (audited)."""

    __tablename__ = "recording_policy"

    camera_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("camera.id", ondelete="CASCADE"), primary_key=True)
    station_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    mode: Mapped[RecordingMode] = mapped_column(str_enum(RecordingMode, "recording_mode"))
    pre_roll_s: Mapped[int] = mapped_column(Integer)
    post_roll_s: Mapped[int] = mapped_column(Integer)
    ring_hours: Mapped[int] = mapped_column(Integer)
    retain_days: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[str] = mapped_column(String(64))


class RecordingQuota(Base):
    """The bytes a station's recordings may take on this server's disk."""

    __tablename__ = "recording_quota"

    station_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("org_unit.id", ondelete="RESTRICT"), primary_key=True)
    max_bytes: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[str] = mapped_column(String(64))
    # The last time the quota deleted footage the policy would still have kept: shown as a
    # warning in the station's status until the quota is raised or the policy shortened.
    forced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    forced_bytes: Mapped[int] = mapped_column(BigInteger, default=0)


class RecordingSegment(Base):
    """One closed MP4 segment on disk: its time, size and the SHA-256 of its bytes."""

    __tablename__ = "recording_segment"
    __table_args__ = (Index("ix_recording_segment_camera_start", "camera_id", "starts_at"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    camera_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    station_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    path: Mapped[str] = mapped_column(String(300), unique=True)  # under data_dir/recordings
    bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    # Recorded around an alarm (an incident docking the camera, with pre- and post-roll):
    # outlives the pre-roll buffer and the continuous ring, until the retention period.
    alarm: Mapped[bool] = mapped_column(Boolean, default=False)


class HoldReason(enum.StrEnum):
    CLIP = "clip"  # an evidence clip was cut from it
    CASE = "case"  # a case asked for the footage to be kept


class RecordingHold(Base):
    """Footage of a camera between two times that no ring, quota or retention deletes."""

    __tablename__ = "recording_hold"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    station_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    camera_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[HoldReason] = mapped_column(str_enum(HoldReason, "recording_hold_reason"))
    incident_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    clip_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(64))
