"""Pydantic shapes of risk spots, patrol plans with their compliance, and checkpoints.

Request models forbid unknown fields and bound every string, number and list; times must
carry their offset (ISO 8601), and are answered in UTC.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, ClassVar, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

from safetyzone.core.text import Inbound, Patch

Lat = Annotated[float, Field(ge=-90, le=90)]
Lon = Annotated[float, Field(ge=-180, le=180)]
Radius = Annotated[float, Field(ge=10, le=1000, description="Metres around the place.")]
Hour = Annotated[int, Field(ge=0, le=23)]
Hours = Annotated[list[Hour], Field(max_length=24, description=(
    "Bangkok hours (0-23) when the place is most at risk; 20-02 is [20, 21, 22, 23, 0, 1]."))]
Score = Annotated[float, Field(ge=0, le=1)]
Name = Annotated[str, Field(min_length=1, max_length=200)]
CODE = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
TargetKind = Literal["red_box", "risk_spot", "point", "home_watch"]
TargetState = Literal["visited", "pending", "missed"]
PlanState = Literal["scheduled", "active", "ended", "cancelled"]
CheckpointStatus = Literal["planned", "active", "done", "cancelled"]
Count = Annotated[int, Field(ge=0, le=100_000)]


def _unique_hours(value: list[int] | None) -> list[int] | None:
    if value is not None and len(set(value)) != len(value):
        raise ValueError("an hour is listed twice")
    return value


class _In(Inbound):
    model_config = ConfigDict(extra="forbid")


# --- risk spots -------------------------------------------------------------------------


class RiskSpotCreate(_In):
    station_code: str = Field(min_length=1, max_length=64)
    zone_code: str | None = Field(None, min_length=1, max_length=64)
    code: str = Field(min_length=1, max_length=64, pattern=CODE)
    name_th: Name
    name_en: str = Field("", max_length=200)
    lat: Lat
    lon: Lon
    radius_m: Radius = 50.0
    risk_score: Score
    high_risk_hours: Hours = Field(default_factory=list)
    source: Literal["manual", "hotspot"] = "manual"
    active: bool = True
    note: str | None = Field(None, max_length=1000)

    _hours = field_validator("high_risk_hours")(_unique_hours)


class RiskSpotUpdate(Patch):
    model_config = ConfigDict(extra="forbid")
    nullable: ClassVar[frozenset[str]] = frozenset({"note", "zone_code"})
    zone_code: str | None = Field(None, min_length=1, max_length=64)
    name_th: Name | None = None
    name_en: str | None = Field(None, max_length=200)
    lat: Lat | None = None
    lon: Lon | None = None
    radius_m: Radius | None = None
    risk_score: Score | None = None
    high_risk_hours: Hours | None = None
    active: bool | None = None
    note: str | None = Field(None, max_length=1000)

    _hours = field_validator("high_risk_hours")(_unique_hours)


class RiskSpotRead(BaseModel):
    id: uuid.UUID
    station_code: str
    zone_code: str | None
    code: str
    name_th: str
    name_en: str
    lat: float
    lon: float
    radius_m: float
    risk_score: float
    high_risk_hours: list[int]
    source: str
    active: bool
    synthetic: bool
    note: str | None
    updated_at: datetime


# --- plans ------------------------------------------------------------------------------


class TargetIn(_In):
    """One place of a plan: a red box or risk spot by id, or a point given here."""

    kind: TargetKind
    ref_id: uuid.UUID | None = Field(None, description="The red box asset or risk spot.")
    name_th: Name | None = None
    name_en: str | None = Field(None, max_length=200)
    lat: Lat | None = None
    lon: Lon | None = None
    radius_m: Radius | None = None
    target_visits: int = Field(ge=0, le=50)
    target_minutes: int = Field(ge=0, le=1440)
    high_risk_hours: Hours | None = None
    alert_after_min: int | None = Field(None, ge=5, le=1440, description=(
        "Minutes without a visit inside the high-risk hours before the missed-visit alert; "
        "default: the station's setting."))

    _hours = field_validator("high_risk_hours")(_unique_hours)


class PlanCreate(_In):
    station_code: str = Field(min_length=1, max_length=64)
    name: Name
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    unit_ids: list[uuid.UUID] = Field(default_factory=list, max_length=50)
    targets: list[TargetIn] = Field(default_factory=list, max_length=200)
    auto: bool = Field(False, description=(
        "Add the station's active red boxes and risk spots, weighted by risk score and by "
        "how much of the plan falls in their high-risk hours (docs/patrol.md)."))

    @model_validator(mode="after")
    def _something(self) -> PlanCreate:
        if not self.auto and not self.targets:
            raise ValueError("a plan needs targets, or auto: true")
        return self


class PlanUnitsIn(_In):
    unit_ids: list[uuid.UUID] = Field(max_length=50)


class TargetStatus(BaseModel):
    id: uuid.UUID
    kind: str
    ref_id: uuid.UUID | None
    name_th: str
    name_en: str
    lat: float
    lon: float
    radius_m: float
    risk_score: float | None
    high_risk_hours: list[int]
    target_visits: int
    visits: int
    target_minutes: int
    minutes: float
    last_visit_at: datetime | None
    status: TargetState
    alert_after_min: int | None
    alerted_at: datetime | None
    in_high_risk_now: bool


class Summary(BaseModel):
    visited: int
    pending: int
    missed: int
    total: int
    percent: int = Field(description="Visited targets as a share of all targets, 0-100.")


class PlanRead(BaseModel):
    id: uuid.UUID
    station_code: str
    name: str
    starts_at: datetime
    ends_at: datetime
    state: PlanState
    auto: bool
    unit_ids: list[uuid.UUID]
    created_at: datetime
    created_by: str
    cancelled_at: datetime | None
    version: int
    summary: Summary


class PlanDetail(PlanRead):
    targets: list[TargetStatus]


class OfficerPlan(BaseModel):
    """The caller's unit's plan now; all empty when off shift or without a plan."""

    unit_id: uuid.UUID | None
    plan: PlanRead | None
    targets: list[TargetStatus]


# --- checkpoints ------------------------------------------------------------------------


class CheckpointCreate(_In):
    station_code: str = Field(min_length=1, max_length=64)
    name_th: Name
    name_en: str = Field("", max_length=200)
    lat: Lat
    lon: Lon
    asset_id: uuid.UUID | None = Field(None, description="A checkpoint asset of the station.")
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    staff: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(
        default_factory=list, max_length=50, description="Usernames of the officers on duty.")
    unit_ids: list[uuid.UUID] = Field(default_factory=list, max_length=20)


class CheckpointUpdate(Patch):
    """Corrections from the console: totals are set as given (the log stays as it was)."""

    model_config = ConfigDict(extra="forbid")
    nullable: ClassVar[frozenset[str]] = frozenset({"seized_note"})
    vehicles_checked: Count | None = None
    persons_checked: Count | None = None
    arrests: Count | None = None
    seized_note: str | None = Field(None, max_length=1000)
    status: CheckpointStatus | None = None
    staff: list[Annotated[str, Field(min_length=1, max_length=64)]] | None = Field(
        None, max_length=50)
    unit_ids: list[uuid.UUID] | None = Field(None, max_length=20)


class CheckpointLogIn(_In):
    """What an officer counted since their last entry."""

    vehicles: int = Field(ge=0, le=10_000)
    persons: int = Field(ge=0, le=10_000)
    arrests: int = Field(ge=0, le=1_000)
    note: str | None = Field(None, max_length=1000)


class CheckpointEntryRead(BaseModel):
    id: uuid.UUID
    checkpoint_id: uuid.UUID
    at: datetime
    username: str
    unit_id: uuid.UUID | None
    vehicles: int
    persons: int
    arrests: int
    note: str | None


class CheckpointRead(BaseModel):
    id: uuid.UUID
    station_code: str
    name_th: str
    name_en: str
    lat: float
    lon: float
    asset_id: uuid.UUID | None
    starts_at: datetime
    ends_at: datetime
    status: str
    staff: list[str]
    unit_ids: list[uuid.UUID]
    vehicles_checked: int
    persons_checked: int
    arrests: int
    seized_note: str | None
    entries: int
    updated_at: datetime
    version: int
    mine: bool = Field(False, description="Officer view: the caller is on its staff or unit.")


class CheckpointDetail(CheckpointRead):
    log: list[CheckpointEntryRead]


class CheckpointTotals(BaseModel):
    station_code: str
    day: str = Field(description="Bangkok calendar day, YYYY-MM-DD.")
    sessions: int
    vehicles_checked: int
    persons_checked: int
    arrests: int
