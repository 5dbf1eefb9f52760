"""Reading tracks: a unit's fixes in a window, decoded and in time order, and what a shift
amounts to (distance, time moving, time inside a zone).

``fixes`` and ``shift_summary`` are the building blocks other patrol parts call (no scope:
their callers hold it); ``read_track`` and ``read_summary`` are what the HTTP routes call, with
the caller's scope, station filter and the 24-hour window limit.

The summary counts only usable fixes (not suspect, accuracy no worse than
``live.POOR_ACCURACY_M``). Distance adds the straight lines between consecutive usable fixes,
skipping any leg that implies an impossible speed. Time is counted per interval between
consecutive usable fixes, for the earlier fix, and only for intervals of at most two minutes
(``presence.PRESENCE_GAP``; a longer gap says nothing about where the unit was): ``tracked_s``
sums them, ``moving_s`` those where the unit moved (reported speed, else the leg's speed, at
least ``MOVING_MPS``), ``inside_zone_s`` those that began inside the zone.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Any, NamedTuple

import shapely
from shapely.geometry import mapping
from sqlalchemy import select
from sqlalchemy.orm import Session

from safetyzone.core.errors import InvalidInput, NotFound, Problem
from safetyzone.core.geo import haversine_m
from safetyzone.core.security import Scope
from safetyzone.ops import units
from safetyzone.ops.units import MAX_PLAUSIBLE_MPS
from safetyzone.org import zones
from safetyzone.patrol import trackcodec as codec
from safetyzone.patrol.geofence import prepared
from safetyzone.patrol.live import POOR_ACCURACY_M
from safetyzone.patrol.presence import PRESENCE_GAP
from safetyzone.patrol.track_models import TrackChunk
from safetyzone.patrol.track_schemas import TrackFixRead, TrackRead, TrackSummary
from safetyzone.patrol.trackstore import CHUNK_SPAN, decode_chunk

MAX_WINDOW = timedelta(hours=24)
MOVING_MPS = 1.0  # a brisk walk; GPS jitter of a parked car stays under it


class TrackFix(NamedTuple):
    """One stored fix (a tuple: replaying a shift builds thousands of them)."""

    at: datetime
    lat: float
    lon: float
    speed_mps: float | None
    accuracy_m: float | None
    suspect: bool

    @property
    def usable(self) -> bool:
        return not self.suspect and (self.accuracy_m is None
                                     or self.accuracy_m <= POOR_ACCURACY_M)


def fixes(session: Session, *, unit_id: uuid.UUID, since: datetime,
          until: datetime) -> list[TrackFix]:
    """The unit's stored fixes with ``since <= at <= until``, decoded, in time order."""
    # A chunk spans less than CHUNK_SPAN, so its start bounds the index range scanned.
    chunks = session.scalars(select(TrackChunk).where(
        TrackChunk.unit_id == unit_id, TrackChunk.start_at > since - CHUNK_SPAN,
        TrackChunk.start_at <= until, TrackChunk.end_at >= since)
        .order_by(TrackChunk.start_at))
    low, high = codec.to_ms(since), codec.to_ms(until)
    found = sorted((f for chunk in chunks for f in decode_chunk(chunk) if low <= f.t <= high),
                   key=lambda f: f.t)
    out: list[TrackFix] = []
    last = None
    for f in found:
        if f.t == last:
            continue
        last = f.t
        out.append(TrackFix(codec.from_ms(f.t), codec.degrees(f.lat), codec.degrees(f.lon),
                            codec.tenths(f.speed), codec.tenths(f.acc), f.suspect))
    return out


def shift_summary(session: Session, *, unit_id: uuid.UUID, since: datetime, until: datetime,
                  zone_boundary: dict[str, Any] | None) -> dict[str, Any]:
    """Distance, time moving and inside ``zone_boundary`` (GeoJSON; None: not asked)."""
    track = fixes(session, unit_id=unit_id, since=since, until=until)
    good = [f for f in track if f.usable]
    zone = prepared(zone_boundary) if zone_boundary is not None else None
    distance = tracked = moving = inside = 0.0
    for a, b in pairwise(good):
        seconds = (b.at - a.at).total_seconds()
        metres = haversine_m(a.lat, a.lon, b.lat, b.lon)
        if seconds <= 0 or metres / seconds > MAX_PLAUSIBLE_MPS:
            continue
        distance += metres
        if seconds > PRESENCE_GAP.total_seconds():
            continue
        tracked += seconds
        speed = a.speed_mps if a.speed_mps is not None else metres / seconds
        if speed >= MOVING_MPS:
            moving += seconds
        if zone is not None and shapely.contains_xy(zone, a.lon, a.lat):
            inside += seconds
    return {"distance_m": round(distance, 1), "moving_s": round(moving, 1),
            "inside_zone_s": round(inside, 1) if zone is not None else None,
            "tracked_s": round(tracked, 1),
            "duration_s": round((track[-1].at - track[0].at).total_seconds(), 1) if track
            else 0.0,
            "fixes": len(track), "suspect_fixes": sum(f.suspect for f in track)}


# ------------------------------------------------------------------ what the routes call


def check_window(since: datetime, until: datetime) -> None:
    """A window the routes accept: time zones given, ``since`` before ``until``, <= 24 h."""
    problems = [Problem("give a time zone (e.g. 2026-11-30T08:00:00+07:00 or ...Z)", name)
                for name, value in (("since", since), ("until", until)) if value.tzinfo is None]
    if not problems and until <= since:
        problems.append(Problem("must be after 'since'", "until"))
    if not problems and until - since > MAX_WINDOW:
        problems.append(Problem(f"the window may span at most {MAX_WINDOW.days * 24} hours; "
                                "ask for several windows", "until"))
    if problems:
        raise InvalidInput("the time window is not usable", problems)


def read_track(session: Session, *, scope: Scope, unit_id: uuid.UUID, since: datetime,
               until: datetime) -> TrackRead:
    check_window(since, until)
    unit = units.get_unit(session, scope=scope, unit_id=unit_id)  # OPS_READ, station scope
    return TrackRead(unit_id=unit.id, since=since, until=until, fixes=[
        TrackFixRead.model_validate(f)
        for f in fixes(session, unit_id=unit.id, since=since, until=until)])


def read_summary(session: Session, *, scope: Scope, unit_id: uuid.UUID, since: datetime,
                 until: datetime, zone_code: str | None = None) -> TrackSummary:
    """The unit's summary; "inside" means inside the named zone, else any of its station's."""
    check_window(since, until)
    unit = units.get_unit(session, scope=scope, unit_id=unit_id)
    if zone_code is not None:
        zone = zones.get_zone_by_code(session, scope=scope, code=zone_code)
        if zone.station_id != unit.station_id:
            raise NotFound(f"no zone '{zone_code}' at this unit's station")
        boundary: dict[str, Any] | None = zone.boundary
    else:
        shapes = [prepared(z.boundary) for z in zones.public_zones(session)
                  if z.station_id == unit.station_id]
        boundary = dict(mapping(shapely.union_all(shapes))) if shapes else None
    summary = shift_summary(session, unit_id=unit.id, since=since, until=until,
                            zone_boundary=boundary)
    return TrackSummary(unit_id=unit.id, since=since, until=until, **summary)
