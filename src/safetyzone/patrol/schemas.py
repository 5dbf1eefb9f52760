"""What the officer's phone sends and reads (docs/patrol.md, the officer API)."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from safetyzone.core.text import Inbound
from safetyzone.ops.models import UnitKind, UnitStatus
from safetyzone.ops.schemas import UnitRead

MAX_FIXES = 100
FIX_ID = r"^[A-Za-z0-9_.:-]+$"


class _In(Inbound):
    model_config = ConfigDict(extra="forbid")


class ShiftStart(_In):
    unit_id: uuid.UUID


class ShiftEnd(_In):
    """Nothing to send: the caller's own shift ends."""


class OfficerStatus(enum.StrEnum):
    EN_ROUTE = "en_route"
    ON_SCENE = "on_scene"
    CLEARED = "cleared"
    AVAILABLE = "available"
    UNAVAILABLE = "unavailable"


class StatusIn(_In):
    status: OfficerStatus


class NoteIn(_In):
    text: str = Field(min_length=1, max_length=1000)


class FixIn(_In):
    id: str = Field(min_length=1, max_length=64, pattern=FIX_ID,
                    description="The phone's own id for this fix; a retry reuses it.")
    at: AwareDatetime
    lat: float = Field(ge=-90, le=90, allow_inf_nan=False)
    lon: float = Field(ge=-180, le=180, allow_inf_nan=False)
    accuracy_m: float = Field(ge=0, le=10_000, allow_inf_nan=False)
    speed_mps: float | None = Field(None, ge=0, le=150, allow_inf_nan=False)
    heading_deg: float | None = Field(None, ge=0, le=360, allow_inf_nan=False)


class FixesIn(_In):
    fixes: list[FixIn] = Field(min_length=1, max_length=MAX_FIXES)


class SosIn(_In):
    id: str = Field(min_length=1, max_length=64, pattern=FIX_ID,
                    description="The phone's own id for this alarm; a retry reuses it.")
    at: AwareDatetime
    lat: float = Field(ge=-90, le=90, allow_inf_nan=False)
    lon: float = Field(ge=-180, le=180, allow_inf_nan=False)
    accuracy_m: float = Field(ge=0, le=10_000, allow_inf_nan=False)


class UnitChoice(BaseModel):
    id: uuid.UUID
    code: str
    callsign: str
    kind: UnitKind
    status: UnitStatus
    station_code: str
    crew: list[str]


class ShiftRead(BaseModel):
    id: uuid.UUID
    unit: UnitRead
    station_code: str
    started_at: datetime
    ended_at: datetime | None
    crew: list[str]


class NoteRead(BaseModel):
    id: int
    at: datetime
    username: str
    text: str


class PhotoRead(BaseModel):
    id: uuid.UUID
    at: datetime
    username: str
    url: str


class PhotoCreated(BaseModel):
    id: uuid.UUID
    at: datetime
    url: str


class CameraRef(BaseModel):
    id: uuid.UUID
    code: str
    name_th: str
    live: bool = False


class OfficerIncident(BaseModel):
    id: uuid.UUID
    title_th: str
    title_en: str
    priority: int
    state: str
    kind: str
    lat: float | None
    lon: float | None
    opened_at: datetime
    dispatched_at: datetime | None
    geo_uri: str | None = Field(description="geo:lat,lon?q=lat,lon for the phone's maps.")
    cameras: list[CameraRef]
    notes: list[NoteRead]
    photos: list[PhotoRead]
    version: int


class OfficerUser(BaseModel):
    username: str
    display_name: str
    role: str


class OfficerMe(BaseModel):
    user: OfficerUser
    shift: ShiftRead | None
    assignment: OfficerIncident | None


class FixesStored(BaseModel):
    stored: int
    duplicates: int


class SosStored(BaseModel):
    event_id: uuid.UUID
    duplicate: bool


def dump(model: BaseModel) -> dict[str, Any]:
    """A response body as JSON values (what the idempotency store keeps)."""
    return model.model_dump(mode="json")
