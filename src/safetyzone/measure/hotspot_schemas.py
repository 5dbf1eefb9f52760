"""Shapes of the hotspot routes: what a request may ask (bounded, so that one caller cannot
take the server's CPU) and the GeoJSON layers and tables they answer."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, Field

from safetyzone.core.text import Inbound

# The longest window one request analyses; longer periods are several requests.
MAX_WINDOW_DAYS = 1096
DEFAULT_WINDOW_DAYS = 90

Method = Literal["grid", "kde", "gi_star", "moran"]
StationCode = Field(min_length=1, max_length=64)


class Window(Inbound):
    """One station and a time window [since, until); by default the last 90 days."""

    station_code: str = StationCode
    since: AwareDatetime | None = Field(None, description="From this instant (with offset).")
    until: AwareDatetime | None = Field(None, description="Before this instant; default now.")


class CellQuery(Window):
    method: Method = Field("gi_star", description=(
        "grid: counts; kde: kernel density; gi_star: Getis-Ord Gi* hot and cold spots; "
        "moran: local Moran's I clusters (HH, LL) and outliers (HL, LH)."))
    cell_m: int = Field(250, ge=50, le=5000, description="Square cell side in metres.")
    alpha: float = Field(0.05, gt=0, le=0.2, description="False discovery rate.")
    permutations: int = Field(99, ge=0, le=999, description="Random draws (moran only).")
    bandwidth_m: float | None = Field(None, ge=10, le=20000, description=(
        "KDE bandwidth; default Scott's rule."))


class H3Query(Window):
    resolution: int = Field(9, ge=5, le=12, description="H3 resolution (9: about 0.1 km²).")


class KnoxQuery(Window):
    distance_m: float = Field(200, gt=0, le=5000, description="Near in space: within metres.")
    days: float = Field(14, gt=0, le=365, description="Near in time: within days.")
    permutations: int = Field(99, ge=1, le=999)


class ForecastQuery(Window):
    split: AwareDatetime = Field(description="Train on [since, split), test on [split, until).")
    cell_m: int = Field(250, ge=50, le=5000)
    area_pct: float = Field(5.0, gt=0, le=50, description="Share of cells flagged, percent.")
    alpha: float = Field(0.05, gt=0, le=0.2)


class Feature(BaseModel):
    type: Literal["Feature"] = "Feature"
    geometry: dict[str, Any]
    properties: dict[str, Any]


class Summary(BaseModel):
    station_code: str
    since: datetime
    until: datetime
    method: str
    points: int
    cells: int
    cell_m: float | None = None
    resolution: int | None = None
    alpha: float | None = None
    fdr_threshold: float | None = Field(None, description=(
        "esda.fdr: the Benjamini-Hochberg cut-off; a raw p at or below it is significant."))
    bandwidth_m: float | None = None
    classes: dict[str, int] = Field(default_factory=dict)


class Layer(BaseModel):
    """A GeoJSON FeatureCollection of cells, with the analysis it came from."""

    type: Literal["FeatureCollection"] = "FeatureCollection"
    features: list[Feature]
    summary: Summary


class KnoxOut(BaseModel):
    station_code: str
    since: datetime
    until: datetime
    points: int
    distance_m: float
    days: float
    pairs: int = Field(description="Pairs near in both space and time.")
    expected: float = Field(description="Expected such pairs if time and place were unrelated.")
    ratio: float | None
    p_sim: float = Field(description="Permutation p-value (pointpats).")
    p_poisson: float
    permutations: int


class EvaluationRow(BaseModel):
    method: str
    cells: int
    total_cells: int
    area_share: float
    hits: int
    test_total: int
    best_hits: int
    pai: float | None
    pei: float | None


class ForecastOut(BaseModel):
    station_code: str
    since: datetime
    split: datetime
    until: datetime
    train_points: int
    test_points: int
    cell_m: float
    rows: list[EvaluationRow]
