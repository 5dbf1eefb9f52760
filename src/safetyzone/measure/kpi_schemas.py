"""API shapes of the KPIs: one figure with its target, the figures of a station or a zone
over a period, and a station's own target."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from safetyzone.measure.kpi_catalog import Direction, Unit
from safetyzone.poll.schemas import Interval


class Cell(BaseModel):
    """One group of a breakdown (a priority, an hour, an owner class ...)."""

    key: str
    n: int
    value: float | None
    p90: float | None = None


class Kpi(BaseModel):
    """One KPI: ``value`` is null exactly when there is nothing to compute it from (``n`` 0),
    never 0 standing in for "no data"; ``met`` is null when there is no value or no target."""

    key: str
    name_th: str
    name_en: str
    definition: str
    formula: str
    source: str
    unit: Unit
    value: float | None
    n: int = Field(description="How many things the value is computed over (its sample).")
    ci: Interval | None = Field(None, description="95 % interval (poll shares only).")
    warnings: list[str] = Field(default_factory=list, description=(
        "small_sample: fewer than 30 answers; wide_interval: wider than ±10 points."))
    target: float | None
    target_source: str = Field(description="default (the program's), station or none.")
    direction: Direction
    met: bool | None
    breakdowns: dict[str, list[Cell]] = Field(default_factory=dict)
    note: str | None = None


class Period(BaseModel):
    since: datetime
    until: datetime
    timezone: str = "Asia/Bangkok"


class StationKpis(BaseModel):
    station_code: str
    name_th: str
    name_en: str
    period: Period
    kpis: list[Kpi]


class ZoneKpis(StationKpis):
    zone_code: str
    zone_name_th: str
    zone_name_en: str


class TargetIn(BaseModel):
    """A station's own target for one KPI, in the KPI's unit; null goes back to the
    program's default."""

    model_config = ConfigDict(extra="forbid")

    value: float | None = Field(description="The target, in the KPI's unit; null: the default.")
    note: str | None = Field(None, max_length=500, description="Why this target.")


class TargetOut(BaseModel):
    station_code: str
    key: str
    unit: Unit
    direction: Direction
    value: float | None
    source: str = Field(description="station (set here), default (the program's) or none.")
    default: float | None
    note: str | None = None
    updated_at: datetime | None = None
    updated_by: str | None = None
