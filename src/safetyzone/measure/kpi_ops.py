"""The command center's KPIs: P1 response time and incidents by type, hour and weekday.

One query for all the stations asked (a row per incident of the period, a few columns),
both KPIs computed from the same rows. Hours and weekdays are Bangkok's.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from safetyzone.core.security import Scope
from safetyzone.measure.kpi_common import (
    WEEKDAYS,
    Area,
    Result,
    Window,
    bangkok,
    spread,
    spread_cell,
)
from safetyzone.measure.kpi_schemas import Cell
from safetyzone.ops.incidents import visible_to
from safetyzone.ops.models import Incident


@dataclass(frozen=True, slots=True)
class IncidentRow:
    kind: str
    priority: int
    opened_at: datetime
    arrived_at: datetime | None


def incident_rows(session: Session, *, scope: Scope, station_ids: Sequence[uuid.UUID],
                  window: Window, area: Area | None) -> dict[uuid.UUID, list[IncidentRow]]:
    """The incidents each station opened in the period (in the zone, for ``area``)."""
    out: dict[uuid.UUID, list[IncidentRow]] = {s: [] for s in station_ids}
    query = select(Incident.station_id, Incident.kind, Incident.priority, Incident.opened_at,
                   Incident.arrived_at, Incident.lat, Incident.lon).where(
        visible_to(scope), Incident.station_id.in_(list(station_ids)),
        Incident.opened_at >= window.since, Incident.opened_at < window.until)
    if area is not None:
        query = query.where(Incident.lat.is_not(None), Incident.lon.is_not(None))
    for station_id, kind, priority, opened_at, arrived_at, lat, lon in session.execute(query):
        if area is None or area.contains(lat, lon):
            out[station_id].append(IncidentRow(kind, priority, opened_at, arrived_at))
    return out


def _minutes(row: IncidentRow) -> float:
    assert row.arrived_at is not None
    return (row.arrived_at - row.opened_at).total_seconds() / 60


def response_p1(rows: Sequence[IncidentRow]) -> Result:
    """The P1 median (minutes to the first unit on scene), with every priority's and every
    Bangkok hour's median and 90th percentile beside it."""
    reached = [r for r in rows if r.arrived_at is not None]
    by_priority: dict[int, list[float]] = {}
    by_hour: dict[int, list[float]] = {h: [] for h in range(24)}
    for row in reached:
        minutes = _minutes(row)
        by_priority.setdefault(row.priority, []).append(minutes)
        by_hour[bangkok(row.opened_at).hour].append(minutes)
    p1 = by_priority.get(1, [])
    if not reached:
        return Result(value=None, n=0)
    return Result(value=spread(p1)[0], n=len(p1), breakdowns={
        "priority": [spread_cell(str(p), v) for p, v in sorted(by_priority.items())],
        "hour": [spread_cell(str(h), v) for h, v in by_hour.items()]})


def incident_counts(rows: Sequence[IncidentRow]) -> Result:
    """How many, by type (most first), by Bangkok hour (0-23) and weekday (Monday first)."""
    if not rows:
        return Result(value=None, n=0)
    kinds = Counter(r.kind for r in rows)
    hours = Counter(bangkok(r.opened_at).hour for r in rows)
    days = Counter(bangkok(r.opened_at).weekday() for r in rows)
    return Result(value=float(len(rows)), n=len(rows), breakdowns={
        "kind": [Cell(key=k, n=n, value=float(n))
                 for k, n in sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0]))],
        "hour": [Cell(key=str(h), n=hours[h], value=float(hours[h])) for h in range(24)],
        "weekday": [Cell(key=WEEKDAYS[d], n=days[d], value=float(days[d])) for d in range(7)]})
