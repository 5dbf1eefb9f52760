"""API shapes of the measurement domain."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from safetyzone.measure.models import FactStatus, RecordSource


class Figure(BaseModel):
    """A figure with its status: ``value`` is empty exactly when the status is unknown."""

    key: str
    value: float | str | None
    status: FactStatus
    unit: str | None = None
    source: str | None = None
    note: str | None = None
    updated_at: datetime | None = None
    updated_by: str | None = None


class Rate(BaseModel):
    """A count per 1,000 people or per km²; unknown when its denominator is unknown,
    approximate when the denominator is."""

    value: float | None
    status: FactStatus


class ZoneFacts(BaseModel):
    zone_code: str
    name_th: str
    name_en: str
    area_km2: Figure  # the zone's stated area, else the area of its boundary
    boundary_area_km2: Figure  # always computed from the polygon (projected, in km²)
    population: Figure
    facts: list[Figure]


class StationFacts(BaseModel):
    station_code: str
    name_th: str
    name_en: str
    area_km2: Figure
    population: Figure
    facts: list[Figure]
    zones: list[ZoneFacts]


class FactIn(BaseModel):
    """A new value for one figure. ``value`` must be empty for unknown and given otherwise;
    a known figure needs its source (a seed, a census, a survey)."""

    model_config = ConfigDict(extra="forbid")

    value: float | str | None = None
    status: FactStatus
    zone_code: str | None = Field(default=None, max_length=64)
    source: str | None = Field(default=None, max_length=500)
    note: str | None = Field(default=None, max_length=2000)


class RecordImportReport(BaseModel):
    """What an import did, or (``dry_run``) would do: rows per crime group and call type."""

    dry_run: bool
    import_id: uuid.UUID | None
    station_code: str
    source: RecordSource
    file_name: str
    file_format: str
    rows: int
    group_counts: dict[str, int]
    kind_counts: dict[str, int]


class RecordImportOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    station_code: str
    source: RecordSource
    file_name: str
    file_format: str
    sha256: str
    rows: int
    created_at: datetime
    created_by: str


class RecordImportList(BaseModel):
    items: list[RecordImportOut]
    total: int


class RecordOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    import_id: uuid.UUID
    source: RecordSource
    line: int
    external_no: str | None
    occurred_at: datetime
    type_label: str
    kind: str | None
    crime_group: str
    place: str
    lat: float | None
    lon: float | None
    detail: str | None


class RecordList(BaseModel):
    items: list[RecordOut]
    total: int
