"""API shapes of the WISPI-style scorecard."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field

from safetyzone.measure.kpi_catalog import Direction


class IndicatorOut(BaseModel):
    """One indicator as the scorecard reads it: what it means, how it is computed, where
    its data comes from."""

    key: str
    domain: str
    domain_th: str
    domain_en: str
    name_th: str
    name_en: str
    unit: str
    direction: Direction
    definition: str
    formula: str
    source: str
    kpi: str | None = Field(description="The station KPI it reads, if it is one.")


class IndicatorValue(BaseModel):
    key: str
    value: float | None = Field(description="In the indicator's unit; null: no data.")
    n: int = Field(description="What the value is computed over (its sample).")
    score: float | None = Field(description="0-100 against the stations compared; null: "
                                            "no value, or nothing to compare with.")


class DomainScore(BaseModel):
    domain: str
    score: float | None = Field(description="Mean of the scored indicators, 0-100.")
    indicators: int = Field(description="Indicators scored.")
    of: int = Field(description="Indicators of the domain.")


class StationScore(BaseModel):
    station_id: uuid.UUID
    station_code: str
    name_th: str
    name_en: str
    region_code: str | None
    values: list[IndicatorValue]
    domains: list[DomainScore]
    overall: float | None = Field(description="Mean of the scored domains, 0-100.")


class RegionDomain(BaseModel):
    domain: str
    score: float | None = Field(description="Mean of its stations' domain scores.")
    stations_scored: int


class RegionScore(BaseModel):
    region_code: str
    stations: int
    scored: int = Field(description="Stations with an overall score.")
    domains: list[RegionDomain]
    overall: float | None


class Scorecard(BaseModel):
    since: datetime
    until: datetime
    generated_at: datetime
    compared: int = Field(description="Stations the scores are relative to (your scope).")
    indicators: list[IndicatorOut]
    stations: list[StationScore]
    regions: list[RegionScore]
