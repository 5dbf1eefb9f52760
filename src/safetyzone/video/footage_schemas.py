"""Shapes of footage requests: what an officer sends, what the police read (the incident,
the case, the files with their hashes, who did what), and the narrower read an owning
partner gets (its own cameras, the window, the police's words for it; no incident, no case
number, no police names)."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from safetyzone.core.paging import MAX_INT32
from safetyzone.core.text import Inbound
from safetyzone.video.footage_models import FootageStatus


class AreaIn(Inbound):
    """A circle on the map: every partner camera of the station inside it is asked about."""

    model_config = ConfigDict(extra="forbid")
    lat: float = Field(ge=5.0, le=21.0)
    lon: float = Field(ge=97.0, le=106.0)
    radius_m: int = Field(ge=10, le=2000)


class FootageRequestIn(Inbound):
    """A request for footage: from an incident or a case number, for chosen cameras or the
    partner cameras in an area, over a window of at most 24 hours in the last 90 days."""

    model_config = ConfigDict(extra="forbid")
    station_code: str | None = Field(None, min_length=1, max_length=64,
                                     description="Default: the incident's station.")
    incident_id: uuid.UUID | None = None
    case_number: str | None = Field(None, min_length=1, max_length=64,
                                    description="The case (คดี) number; or an incident.")
    camera_codes: list[str] | None = Field(None, min_length=1, max_length=50)
    area: AreaIn | None = None
    window_start: datetime
    window_end: datetime
    reason: str = Field(min_length=3, max_length=1000,
                        description="Why, written for the owner (it reads this).")
    due_at: datetime | None = Field(None, description="The owner's deadline to answer "
                                    "(default 72 hours; 1 hour to 14 days).")


class CloseIn(Inbound):
    model_config = ConfigDict(extra="forbid")
    note: str | None = Field(None, min_length=1, max_length=1000)
    version: int | None = Field(None, ge=1, le=MAX_INT32)


class GrantIn(Inbound):
    model_config = ConfigDict(extra="forbid")
    camera_codes: list[str] | None = Field(
        None, min_length=1, max_length=50, description="Default: every camera asked about.")
    note: str | None = Field(None, min_length=1, max_length=1000)
    version: int | None = Field(None, ge=1, le=MAX_INT32)


class DeclineIn(Inbound):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=3, max_length=1000)
    version: int | None = Field(None, ge=1, le=MAX_INT32)


class FootageEventRead(BaseModel):
    at: datetime
    action: str
    status: str
    side: str
    username: str | None = Field(description="Police names are not shown to partners.")
    note: str | None


class FootageCameraRead(BaseModel):
    camera_id: uuid.UUID
    code: str
    granted_at: datetime | None


class FootageFileRead(BaseModel):
    id: uuid.UUID
    name: str
    kind: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: str
    uploaded_at: datetime


class FootageRequestRead(BaseModel):
    """A request as the police read it."""

    id: uuid.UUID
    code: str
    batch_id: uuid.UUID
    station_id: uuid.UUID
    station_code: str
    partner_code: str
    partner_name_th: str
    partner_name_en: str
    incident_id: uuid.UUID | None
    case_number: str | None
    reason: str
    window_start: datetime
    window_end: datetime
    area: AreaIn | None
    due_at: datetime
    status: FootageStatus
    decline_reason: str | None
    created_by: str
    created_at: datetime
    updated_at: datetime
    seen_at: datetime | None
    closed_at: datetime | None
    version: int
    cameras: list[FootageCameraRead]
    files: list[FootageFileRead]
    history: list[FootageEventRead]


class PartnerFootageRead(BaseModel):
    """A request as its owning partner reads it: its own cameras and its own files."""

    id: uuid.UUID
    code: str
    station_code: str
    station_name_th: str
    station_name_en: str
    reason: str
    window_start: datetime
    window_end: datetime
    due_at: datetime
    status: FootageStatus
    decline_reason: str | None
    created_at: datetime
    version: int
    cameras: list[FootageCameraRead]
    files: list[FootageFileRead]
    history: list[FootageEventRead]


class UploadStartIn(Inbound):
    """A resumable upload: the file's size first, then its pieces (``Upload-Offset``)."""

    model_config = ConfigDict(extra="forbid")
    size: int = Field(ge=1, le=2**40, description="The whole file's size in bytes.")
    filename: str | None = Field(None, min_length=1, max_length=200)


class UploadState(BaseModel):
    """How far a resumable upload is; ``file`` once its last byte arrived and it was taken
    (``duplicate``: the same bytes were on the request already)."""

    upload_id: str
    offset: int
    size: int
    file: FootageFileRead | None = None
    duplicate: bool = False
