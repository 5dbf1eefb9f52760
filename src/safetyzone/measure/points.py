"""Where and when things happened, as the statistics read them: one ``Point`` per record.

The interface is deliberately small (``points(session, scope=..., station_id=..., since=...,
until=...)``) so that imported 191 and crime records (issue 12.2) can join the CCOC's
incidents here without the analysis changing.

Which incidents count: only those a person reported, whose ``kind`` is a call type of
``ops.calltypes`` (each carries its Thai crime group). Incidents raised by devices (``sos``
from a pole, ``alarm`` from a panel, ``maintenance``, plate hits...) are left out: they sit
where the device is, so a busy SOS pole would show as a "hotspot" of crime that is really a
hotspot of equipment. Incidents without a position are left out too.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from safetyzone.core.errors import InvalidInput, Problem
from safetyzone.core.security import Permission, Scope
from safetyzone.ops import incidents
from safetyzone.ops.calltypes import BY_KEY
from safetyzone.ops.models import Incident

# More points than this in one request is refused (narrow the window): it bounds the memory
# and the CPU one HTTP caller can take. The benchmark runs the pipeline on 1,000,000.
MAX_POINTS = 200_000


@dataclass(frozen=True, slots=True)
class Point:
    """One record: WGS84 position, when it happened (UTC) and its crime group."""

    lat: float
    lon: float
    time: datetime
    group: str


def points(session: Session, *, scope: Scope, station_id: uuid.UUID, since: datetime,
           until: datetime, limit: int = MAX_POINTS) -> list[Point]:
    """Reported incidents of one station opened in [since, until), oldest first.

    The caller must read incidents (``ops.read``) and see the station; covert hotlist hits
    follow the queue's rule (``incidents.visible_to``). More than ``limit`` points is an
    ``InvalidInput`` naming the count, never a silent truncation that would bias a map.
    """
    scope.require(Permission.OPS_READ)
    where = (incidents.visible_to(scope), Incident.station_id == station_id,
             Incident.opened_at >= since, Incident.opened_at < until,
             Incident.lat.is_not(None), Incident.lon.is_not(None),
             Incident.kind.in_(tuple(BY_KEY)))
    total = session.scalar(select(func.count()).select_from(Incident).where(*where)) or 0
    if total > limit:
        raise InvalidInput(f"{total} records in the window, at most {limit} are analysed",
                           [Problem("narrow the time window", "since")])
    rows = session.execute(select(Incident.lat, Incident.lon, Incident.opened_at, Incident.kind)
                           .where(*where).order_by(Incident.opened_at))
    return [Point(lat, lon, at, BY_KEY[kind].group.value) for lat, lon, at, kind in rows
            if lat is not None and lon is not None]
