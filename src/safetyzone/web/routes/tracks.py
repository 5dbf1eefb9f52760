"""Units' tracks, zone crossings and visible presence over HTTP (read only, OPS_READ).

Scope and the window rules are checked in ``patrol.tracks`` / ``geofence`` / ``presence``.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query

from safetyzone.core.clock import BANGKOK
from safetyzone.patrol import geofence, presence, tracks
from safetyzone.patrol.track_schemas import (
    GeofenceEventRead,
    PresenceDay,
    TrackRead,
    TrackSummary,
)
from safetyzone.web.deps import ContextDep, ScopeDep

router = APIRouter(prefix="/api/v1", tags=["patrol tracks"])
DEFAULT_WINDOW = timedelta(hours=8)  # a shift
Since = Annotated[datetime | None, Query(description="Default: 8 hours before 'until'.")]
Until = Annotated[datetime | None, Query(description="Default: now. At most 24 h after "
                                                     "'since'.")]


def _window(ctx: ContextDep, since: datetime | None,
            until: datetime | None) -> tuple[datetime, datetime]:
    end = until if until is not None else ctx.clock.now()
    return (since if since is not None else end - DEFAULT_WINDOW), end


@router.get("/units/{unit_id}/track", response_model=TrackRead)
def read_unit_track(ctx: ContextDep, scope: ScopeDep, unit_id: uuid.UUID,
                    since: Since = None, until: Until = None) -> TrackRead:
    """The unit's fixes in the window (at most 24 h), oldest first."""
    start, end = _window(ctx, since, until)
    with ctx.db.read() as session:
        return tracks.read_track(session, scope=scope, unit_id=unit_id, since=start, until=end)


@router.get("/units/{unit_id}/track/summary", response_model=TrackSummary)
def read_unit_track_summary(
    ctx: ContextDep, scope: ScopeDep, unit_id: uuid.UUID, since: Since = None,
    until: Until = None,
    zone_code: Annotated[str | None, Query(max_length=64, description=(
        "Time inside this zone; default: inside any zone of the unit's station."))] = None,
) -> TrackSummary:
    """Distance, time moving and time inside the zone, over the window (at most 24 h)."""
    start, end = _window(ctx, since, until)
    with ctx.db.read() as session:
        return tracks.read_summary(session, scope=scope, unit_id=unit_id, since=start,
                                   until=end, zone_code=zone_code)


@router.get("/patrol/geofence-events", response_model=list[GeofenceEventRead])
def list_geofence_events(
    ctx: ContextDep, scope: ScopeDep,
    station_code: Annotated[str | None, Query(max_length=64)] = None,
    unit_id: uuid.UUID | None = None, since: Since = None, until: Until = None,
) -> list[GeofenceEventRead]:
    """Units entering and leaving their station's zones in the window, oldest first."""
    start, end = _window(ctx, since, until)
    tracks.check_window(start, end)
    with ctx.db.read() as session:
        return geofence.list_crossings(session, scope=scope, station_code=station_code,
                                       since=start, until=end, unit_id=unit_id)


@router.get("/patrol/presence", response_model=PresenceDay)
def read_patrol_presence(
    ctx: ContextDep, scope: ScopeDep, station_code: Annotated[str, Query(max_length=64)],
    day: Annotated[date | None, Query(description="Asia/Bangkok day; default today.")] = None,
) -> PresenceDay:
    """Minutes units spent in each H3 cell of the station on one day, most first."""
    with ctx.db.read() as session:
        return presence.station_day(
            session, scope=scope, station_code=station_code,
            day=day or ctx.clock.now().astimezone(BANGKOK).date(),
            res=ctx.settings.patrol_presence_h3_res)
