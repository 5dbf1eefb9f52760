"""API shapes of the program view: stations side by side, regions, and the rollout."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from safetyzone.measure.models import FactStatus
from safetyzone.measure.schemas import Rate

MAX_SOURCE = 500


class RolloutState(BaseModel):
    """Where a station stands in the four steps of joining the program. The start is
    recorded; the other three are read from what the steps leave behind."""

    started_on: date | None = Field(description="The day the station started the program.")
    source: str | None = None
    started: bool
    zones: int = Field(description="Zones defined for the station.")
    cameras: int = Field(description="Cameras joined to the station's CCOC.")
    cameras_online: int
    operators: int = Field(description="Active operator accounts of the station.")
    last_on_duty_at: datetime | None = Field(
        description="The latest moment somebody was on duty at the station's console.")
    staffed: bool = Field(description="Somebody was on duty at the console in the last 24 h.")
    complete: bool = Field(description="Started, a zone, cameras and a staffed CCOC.")


class ProgramStation(BaseModel):
    station_id: uuid.UUID
    station_code: str
    name_th: str
    name_en: str
    station_type: str | None
    phase: int | None = Field(description="1: the 15 pilots, 2: the next 100, 3: one zone "
                                          "per province, 4: every station.")
    region_code: str | None
    province_code: str | None
    lat: float | None
    lon: float | None
    rollout: RolloutState
    incidents: int = Field(description="Incidents opened in the period.")
    open_now: int
    population: float | None
    population_status: FactStatus
    incidents_per_1000: Rate


class ProgramRegion(BaseModel):
    region_code: str
    name_th: str
    name_en: str
    stations: int
    started: int
    complete: int
    incidents: int
    open_now: int
    cameras: int
    cameras_online: int
    population_known: float = Field(
        description="People in the stations whose population is known (exact or about).")
    stations_with_population: int
    incidents_per_1000: float | None = Field(
        description="Incidents of the stations with a known population, per 1,000 of them.")


class PhaseProgress(BaseModel):
    phase: int | None
    name_th: str
    name_en: str
    target: int | None = Field(description="Stations the phase aims at, where the program "
                                           "names a number.")
    stations: int
    started: int
    zone_defined: int
    cameras_joined: int
    staffed: int
    complete: int


class ProgramOverview(BaseModel):
    since: datetime
    until: datetime
    generated_at: datetime
    stations: list[ProgramStation]
    regions: list[ProgramRegion]
    phases: list[PhaseProgress]


class RolloutIn(BaseModel):
    """The start of the program at a station, and its phase. A start needs its source."""

    model_config = ConfigDict(extra="forbid")

    started_on: date | None = None
    phase: int | None = Field(None, ge=1, le=4)
    source: str | None = Field(None, max_length=MAX_SOURCE)
    note: str | None = Field(None, max_length=MAX_SOURCE)
