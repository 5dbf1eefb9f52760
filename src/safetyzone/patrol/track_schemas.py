"""What the track, geofence and presence routes answer (see docs/patrol.md)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class TrackFixRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    at: datetime
    lat: float
    lon: float
    speed_mps: float | None
    accuracy_m: float | None
    suspect: bool = Field(description="Implies an impossible speed from the last trusted fix: "
                          "shown, but not counted in distance or presence.")


class TrackRead(BaseModel):
    unit_id: uuid.UUID
    since: datetime
    until: datetime
    fixes: list[TrackFixRead]


class TrackSummary(BaseModel):
    unit_id: uuid.UUID
    since: datetime
    until: datetime
    distance_m: float
    moving_s: float
    inside_zone_s: float | None = Field(description="None when the station has no zone.")
    tracked_s: float = Field(description="Time covered by fixes at most 2 minutes apart.")
    duration_s: float = Field(description="From the first fix to the last in the window.")
    fixes: int
    suspect_fixes: int


class GeofenceEventRead(BaseModel):
    unit_id: uuid.UUID
    callsign: str
    zone_code: str
    kind: Literal["enter", "exit"]
    at: datetime
    lat: float
    lon: float


class PresenceCell(BaseModel):
    cell: str = Field(description="H3 cell index (hex).")
    minutes: float
    boundary: list[list[float]] = Field(description="Corners as [lat, lon].")


class PresenceDay(BaseModel):
    station_code: str
    day: date = Field(description="Asia/Bangkok calendar day.")
    res: int = Field(description="H3 resolution of the cells.")
    total_minutes: float
    cells: list[PresenceCell]
