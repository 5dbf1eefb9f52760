"""The command center's KPIs: P1 response time and incidents by type, hour and weekday.

One query for all the stations asked (a row per incident of the period, a few columns),
summed per station as it is read; both KPIs come from the same sums. Hours and weekdays are
Bangkok's.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from safetyzone.core.clock import BANGKOK
from safetyzone.core.security import Scope
from safetyzone.measure.kpi_common import (
    WEEKDAYS,
    Area,
    Ids,
    Result,
    Window,
    count_cell,
    spread,
    spread_cell,
)
from safetyzone.ops.incidents import visible_to
from safetyzone.ops.models import Incident


class Tally:
    """One station's incidents of the period, summed as they are read (no row kept): counts
    by type, Bangkok hour and weekday; minutes to the first unit on scene by priority and
    by hour."""

    def __init__(self) -> None:
        self.n = 0
        self.kinds: Counter[str] = Counter()
        self.hours = [0] * 24
        self.days = [0] * 7
        self.by_priority: dict[int, list[float]] = {}
        self.by_hour: list[list[float]] = [[] for _ in range(24)]

    def add(self, kind: str, priority: int, opened_at: datetime, arrived_at: datetime | None
            ) -> None:
        local = opened_at.astimezone(BANGKOK)
        self.n += 1
        self.kinds[kind] += 1
        self.hours[local.hour] += 1
        self.days[local.weekday()] += 1
        if arrived_at is not None:
            minutes = (arrived_at - opened_at).total_seconds() / 60
            self.by_priority.setdefault(priority, []).append(minutes)
            self.by_hour[local.hour].append(minutes)


def incident_tallies(session: Session, *, scope: Scope, station_ids: Sequence[uuid.UUID],
                     window: Window, area: Area | None) -> dict[uuid.UUID, Tally]:
    """The incidents each station opened in the period (in the zone, for ``area``)."""
    out = {s: Tally() for s in station_ids}
    ids = Ids(station_ids)
    query = select(Ids.text(Incident.station_id), Incident.kind, Incident.priority,
                   Incident.opened_at, Incident.arrived_at, Incident.lat, Incident.lon).where(
        visible_to(scope), Incident.station_id.in_(list(station_ids)),
        Incident.opened_at >= window.since, Incident.opened_at < window.until)
    if area is not None:
        query = query.where(Incident.lat.is_not(None), Incident.lon.is_not(None))
    for station, kind, priority, opened_at, arrived_at, lat, lon in session.execute(query):
        if area is None or area.contains(lat, lon):
            out[ids[station]].add(kind, priority, opened_at, arrived_at)
    return out


def response_p1(tally: Tally) -> Result:
    """The P1 median (minutes to the first unit on scene), with every priority's and every
    Bangkok hour's median and 90th percentile beside it."""
    if not tally.by_priority:
        return Result(value=None, n=0)
    p1 = tally.by_priority.get(1, [])
    return Result(value=spread(p1)[0], n=len(p1), breakdowns={
        "priority": [spread_cell(str(p), v) for p, v in sorted(tally.by_priority.items())],
        "hour": [spread_cell(str(h), v) for h, v in enumerate(tally.by_hour)]})


def incident_counts(tally: Tally) -> Result:
    """How many, by type (most first), by Bangkok hour (0-23) and weekday (Monday first)."""
    if not tally.n:
        return Result(value=None, n=0)
    return Result(value=float(tally.n), n=tally.n, breakdowns={
        "kind": [count_cell(k, n)
                 for k, n in sorted(tally.kinds.items(), key=lambda kv: (-kv[1], kv[0]))],
        "hour": [count_cell(str(h), n) for h, n in enumerate(tally.hours)],
        "weekday": [count_cell(WEEKDAYS[d], n) for d, n in enumerate(tally.days)]})
