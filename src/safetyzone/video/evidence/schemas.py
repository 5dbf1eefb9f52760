"""Pydantic shapes of the evidence API."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from safetyzone.video.evidence.models import CustodyAction

MAX_SIDE_S = 1800


class ClipRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    at: datetime | None = Field(None, description="T: the moment the clip is about; "
                                "default the incident's opening time.")
    before_s: int = Field(30, ge=0, le=MAX_SIDE_S, description="x: seconds before T.")
    after_s: int = Field(60, ge=1, le=MAX_SIDE_S, description="y: seconds after T.")
    docked: bool = Field(True, description="Include every camera the incident docks.")
    camera_ids: list[uuid.UUID] = Field(default_factory=list, max_length=32,
                                        description="More cameras of the station.")


class ClipRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    incident_id: uuid.UUID
    incident_number: str
    camera_id: uuid.UUID
    camera_code: str
    starts_at: datetime
    ends_at: datetime
    bytes: int
    sha256: str
    made_at: datetime
    made_by: str


class Skipped(BaseModel):
    camera_id: uuid.UUID
    code: str
    reason: str


class ClipsMade(BaseModel):
    clips: list[ClipRead]
    skipped: list[Skipped] = Field(description="Cameras without footage in the window.")
    gaps: dict[str, list[tuple[datetime, datetime]]] = Field(
        default_factory=dict, description="Per clip id: spans of the window with no footage.")


class CustodyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    action: CustodyAction
    username: str
    address: str | None
    sha256: str
    intact: bool
    detail: dict[str, Any]


class ClipDetail(ClipRead):
    custody: list[CustodyRead]


class ExportRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    clip_ids: list[uuid.UUID] | None = Field(
        None, max_length=200, description="Clips of the incident to export; default all.")
