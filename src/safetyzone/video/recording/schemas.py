"""Pydantic shapes of the recording API."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from safetyzone.video.recording.models import RecordingMode


class PolicyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mode: RecordingMode
    pre_roll_s: int = Field(30, ge=0, le=600, description="On alarm: seconds kept before it.")
    post_roll_s: int = Field(60, ge=0, le=3600,
                             description="On alarm: seconds recorded after it ends.")
    ring_hours: int = Field(24, ge=1, le=24 * 31,
                            description="Continuous: hours of footage kept in the ring.")
    retain_days: int = Field(30, ge=1, le=366,
                             description="PDPA: days after which any footage of the camera "
                             "is deleted unless an evidence clip or a case holds it.")


class PolicyRead(PolicyIn):
    camera_id: uuid.UUID
    code: str
    updated_at: datetime | None
    updated_by: str | None


class QuotaIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    max_bytes: int = Field(ge=1_000_000, le=10**15,
                           description="Bytes the station's recordings may take.")


class SegmentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    camera_id: uuid.UUID
    starts_at: datetime
    ends_at: datetime
    bytes: int
    sha256: str
    alarm: bool


class CameraRecording(BaseModel):
    camera_id: uuid.UUID
    code: str
    mode: RecordingMode
    recording: bool = Field(description="Its ffmpeg is running on this server now.")
    problem: str | None = Field(
        description="Why recording stopped (ffmpeg's last words, credentials removed); "
        "admins and commanders only.")
    restarts: int
    segments: int
    bytes: int
    oldest: datetime | None
    newest: datetime | None


class StationRecording(BaseModel):
    station_code: str
    quota_bytes: int | None
    used_bytes: int
    warning: str | None = Field(
        description="Set when the quota deleted footage earlier than the policies keep it.")
    forced_at: datetime | None
    cameras: list[CameraRecording]


class HoldIn(BaseModel):
    """Keep footage for a case: the incident's docked cameras (and any named) between two
    times, whatever the ring, the quota or the retention period say."""

    model_config = ConfigDict(extra="forbid")

    since: datetime
    until: datetime
    docked: bool = True
    camera_ids: list[uuid.UUID] = Field(default_factory=list, max_length=32)
    note: str | None = Field(None, max_length=500, description="Why (a case number, an "
                             "order): in the audit log.")


class HoldRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    camera_id: uuid.UUID
    starts_at: datetime
    ends_at: datetime
    reason: str
    incident_id: uuid.UUID | None
    clip_id: uuid.UUID | None
    created_at: datetime
    created_by: str
