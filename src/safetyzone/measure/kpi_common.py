"""What every KPI computation shares: the period, the zone a figure may be narrowed to, a
figure before its target is set beside it, and the percentile rule."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import shapely
from shapely.geometry import shape
from sqlalchemy import String, cast
from sqlalchemy.sql.elements import ColumnElement

from safetyzone.core.clock import BANGKOK
from safetyzone.measure.kpi_schemas import Cell
from safetyzone.ops.stats import percentile
from safetyzone.poll.schemas import Interval

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class Window:
    """The period [since, until) and the moment it is read at: nothing after ``now`` has
    been observed yet, whatever ``until`` says."""

    since: datetime
    until: datetime
    now: datetime

    @property
    def observed_until(self) -> datetime:
        return max(self.since, min(self.until, self.now))


@dataclass(frozen=True)
class Area:
    """One zone: its id, and its boundary prepared for point-in-polygon tests."""

    zone_id: uuid.UUID
    geom: Any

    @classmethod
    def of(cls, zone_id: uuid.UUID, boundary: dict[str, Any]) -> Area:
        geom = shape(boundary)
        shapely.prepare(geom)
        return cls(zone_id, geom)

    def contains(self, lat: float | None, lon: float | None) -> bool:
        return lat is not None and lon is not None and bool(
            shapely.contains_xy(self.geom, lon, lat))


@dataclass
class Result:
    """A KPI's figure before its target is set beside it."""

    value: float | None
    n: int
    breakdowns: dict[str, list[Cell]] = field(default_factory=dict)
    ci: Interval | None = None
    warnings: list[str] = field(default_factory=list)
    note: str | None = None


def rounded(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def share(part: float, whole: float) -> float | None:
    """Percent, or None over nothing."""
    return None if whole <= 0 else rounded(100 * part / whole)


def spread(values: list[float]) -> tuple[float | None, float | None]:
    """Nearest-rank median and 90th percentile (``ops.stats.percentile``: a value that
    really occurred), rounded to hundredths."""
    ordered = sorted(values)
    return rounded(percentile(ordered, 0.5)), rounded(percentile(ordered, 0.9))


def cell(key: str, n: int, value: float | None, p90: float | None = None) -> Cell:
    """A breakdown's group."""
    return Cell(key=key, n=n, value=value, p90=p90)


def count_cell(key: str, n: int) -> Cell:
    """A group whose value is its count."""
    return cell(key, n, float(n))


def spread_cell(key: str, values: list[float]) -> Cell:
    p50, p90 = spread(values)
    return cell(key, len(values), p50, p90)


def bangkok(at: datetime) -> datetime:
    return at.astimezone(BANGKOK)


class Ids:
    """Ids of a row-per-item query read as text and looked up here: parsing a UUID per row
    was the largest cost of an HQ scorecard (hundreds of thousands of rows). SQLite keeps a
    UUID as 32 hex digits, PostgreSQL writes it with hyphens: both are known."""

    def __init__(self, ids: Iterable[uuid.UUID]) -> None:
        self._by_text = {form: i for i in ids for form in (i.hex, str(i))}

    @staticmethod
    def text(column: Any) -> ColumnElement[str]:
        return cast(column, String)

    def __getitem__(self, text: str) -> uuid.UUID:
        return self._by_text[text]
