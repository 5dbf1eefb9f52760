"""Where and when things happened, as the statistics read them: one ``Point`` per record.

Two streams make one: the station's imported 191-call and crime-case records that carry a
position (``measure.records``), and the CCOC's own incidents. An incident taken from a 191
transfer whose 191 number was also imported is the same call: the imported record stands
for it and the incident is left out, so one call is never two points of a hotspot.

Which incidents count: only those a person reported, whose ``kind`` is a call type of
``ops.calltypes`` (each carries its Thai crime group). Incidents raised by devices (``sos``
from a pole, ``alarm`` from a panel, ``maintenance``, plate hits...) are left out: they sit
where the device is, so a busy SOS pole would show as a "hotspot" of crime that is really a
hotspot of equipment. Records and incidents without a position are left out too.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from safetyzone.core.errors import InvalidInput, Problem
from safetyzone.core.security import Permission, Scope
from safetyzone.measure.models import Record, RecordSource
from safetyzone.ops import incidents
from safetyzone.ops.calltypes import BY_KEY
from safetyzone.ops.models import Incident, IncidentCall

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
    """Imported records and reported incidents of one station in [since, until), oldest
    first.

    The caller must read incidents (``ops.read``) and see the station; covert hotlist hits
    follow the queue's rule (``incidents.visible_to``). More than ``limit`` points is an
    ``InvalidInput`` naming the count, never a silent truncation that would bias a map.
    """
    scope.require(Permission.OPS_READ)
    imported_same_call = exists().where(
        IncidentCall.incident_id == Incident.id,
        Record.station_id == IncidentCall.station_id, Record.source == RecordSource.CALL_191,
        Record.external_no == IncidentCall.external_ref)
    incident_where = (
        incidents.visible_to(scope), Incident.station_id == station_id,
        Incident.opened_at >= since, Incident.opened_at < until,
        Incident.lat.is_not(None), Incident.lon.is_not(None),
        Incident.kind.in_(tuple(BY_KEY)), ~imported_same_call)
    record_where = (Record.station_id == station_id, Record.occurred_at >= since,
                    Record.occurred_at < until, Record.lat.is_not(None), Record.lon.is_not(None))
    total = ((session.scalar(select(func.count()).select_from(Incident).where(*incident_where))
              or 0)
             + (session.scalar(select(func.count()).select_from(Record).where(*record_where))
                or 0))
    if total > limit:
        raise InvalidInput(f"{total} records in the window, at most {limit} are analysed",
                           [Problem("narrow the time window", "since")])
    found = [Point(lat, lon, at, BY_KEY[kind].group.value) for lat, lon, at, kind in
             session.execute(select(Incident.lat, Incident.lon, Incident.opened_at,
                                    Incident.kind).where(*incident_where))
             if lat is not None and lon is not None]
    found += [Point(lat, lon, at, group) for lat, lon, at, group in
              session.execute(select(Record.lat, Record.lon, Record.occurred_at,
                                     Record.crime_group).where(*record_where))
              if lat is not None and lon is not None]
    found.sort(key=lambda p: p.time)
    return found
