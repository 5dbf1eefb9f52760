"""The response-time clock: how long from the press to acknowledge, dispatch, arrive, clear.

Measured twice: from the device's own event time (what the citizen lived through, including
any network delay) and from the server's receive time (what the command center controls).
"""

from __future__ import annotations

import math
import uuid
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from safetyzone.core.geo import haversine_m
from safetyzone.core.security import Permission, Scope
from safetyzone.intake.models import InboxEvent
from safetyzone.ops.models import Incident
from safetyzone.ops.schemas import CorrelatedEvent, Percentiles, ResponseTimes

MILESTONES = {"acknowledge": "acknowledged_at", "dispatch": "dispatched_at",
              "arrive": "arrived_at", "clear": "cleared_at"}


def percentile(sorted_values: list[float], q: float) -> float | None:
    """Nearest-rank percentile: a value that really occurred, as operators expect."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(q * len(sorted_values)))
    return sorted_values[rank - 1]


def _summary(values: list[float]) -> Percentiles:
    values.sort()
    p50, p90 = percentile(values, 0.5), percentile(values, 0.9)
    return Percentiles(count=len(values), p50_s=None if p50 is None else round(p50, 1),
                       p90_s=None if p90 is None else round(p90, 1))


def response_times(session: Session, *, scope: Scope, station_id: uuid.UUID,
                   since: datetime, until: datetime | None = None) -> ResponseTimes:
    """Percentiles of the incidents opened from ``since`` (up to ``until``, if given)."""
    scope.require(Permission.OPS_READ)
    query = select(Incident).where(Incident.station_id == station_id,
                                   Incident.opened_at >= since, Incident.event_count > 0)
    if until is not None:
        query = query.where(Incident.opened_at < until)
    rows = list(session.scalars(query))
    by_device: dict[str, list[float]] = {k: [] for k in MILESTONES}
    by_receive: dict[str, list[float]] = {k: [] for k in MILESTONES}
    for incident in rows:
        for name, column in MILESTONES.items():
            at = getattr(incident, column)
            if at is None:
                continue
            by_device[name].append((at - incident.device_time).total_seconds())
            by_receive[name].append((at - incident.opened_at).total_seconds())
    return ResponseTimes(
        station_id=station_id, since=since, incidents=len(rows),
        by_device_time={k: _summary(v) for k, v in by_device.items()},
        by_receive_time={k: _summary(v) for k, v in by_receive.items()},
    )


def correlated_events(session: Session, incident: Incident, *, radius_m: float = 300,
                      window: timedelta = timedelta(minutes=15),
                      limit: int = 50) -> list[CorrelatedEvent]:
    """Other events near the incident in space and time: a second SOS, a plate read, an alarm."""
    if incident.lat is None or incident.lon is None:
        return []
    dlat = radius_m / 111_320
    dlon = radius_m / (111_320 * max(math.cos(math.radians(incident.lat)), 0.01))
    rows = session.scalars(select(InboxEvent).where(
        InboxEvent.station_id == incident.station_id,
        InboxEvent.received_at >= incident.opened_at - window,
        InboxEvent.received_at <= incident.last_event_at + window,
        InboxEvent.lat.between(incident.lat - dlat, incident.lat + dlat),
        InboxEvent.lon.between(incident.lon - dlon, incident.lon + dlon),
        InboxEvent.id != incident.first_event_id,
        InboxEvent.kind != "gps.position",  # patrol cars passing by are not a second report
    ).order_by(InboxEvent.received_at).limit(limit * 4))
    out: list[CorrelatedEvent] = []
    for row in rows:
        assert row.lat is not None
        assert row.lon is not None
        distance = haversine_m(incident.lat, incident.lon, row.lat, row.lon)
        if distance <= radius_m:
            out.append(CorrelatedEvent(id=row.id, kind=row.kind, received_at=row.received_at,
                                       event_time=row.event_time, lat=row.lat, lon=row.lon,
                                       distance_m=round(distance, 1), device_id=row.device_id))
    return out[:limit]
