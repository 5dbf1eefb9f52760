"""Pydantic shapes of hotlists, plate-read search and retention."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from safetyzone.core.text import Inbound


class HotlistCreate(Inbound):
    model_config = ConfigDict(extra="forbid")
    station_code: str = Field(description="The owning station (must be in your scope).")
    plate: str = Field(min_length=2, max_length=32, description="e.g. 'กข 1234' or '1กข1234'.")
    province: str | None = Field(None, max_length=64, description="Thai/English name or TH-NN.")
    reason: str = Field(min_length=3, max_length=300)
    priority: int = Field(2, ge=1, le=5)
    expires_at: AwareDatetime | None = None
    covert: bool = Field(False, description="Hits are shown to the list owner only.")


class HotlistRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    station_id: uuid.UUID
    owner_user_id: uuid.UUID
    plate: str
    plate_text: str
    province_code: str | None
    reason: str
    priority: int
    expires_at: datetime | None
    covert: bool
    created_by: str
    created_at: datetime
    removed_at: datetime | None
    removed_by: str | None


class PlateReadOut(BaseModel):
    id: uuid.UUID
    station_id: uuid.UUID
    source_asset_id: uuid.UUID | None
    plate: str
    plate_normalized: str
    province: str | None
    confidence: float | None
    direction: str | None
    image_ref: str | None
    event_time: datetime
    received_at: datetime
    hit: bool


class RetentionIn(Inbound):
    model_config = ConfigDict(extra="forbid")
    station_code: str
    days: int = Field(ge=1, le=3650)


class RetentionRead(BaseModel):
    station_id: uuid.UUID
    days: int
    is_default: bool
