"""Camera health over time: uptime by owner class and one camera's history of states.

Both come from ``camera_health_change``, written by the prober (``video.prober``) on every
state change: figures counted from what happened, not estimated from the state now.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from fastapi import APIRouter, Query

from safetyzone.assets import service as assets
from safetyzone.assets import url_rules
from safetyzone.core.clock import as_utc
from safetyzone.core.errors import InvalidInput, Problem
from safetyzone.org import service as org
from safetyzone.org.models import OwnerClass
from safetyzone.video import health_store, uptime
from safetyzone.video.models import CameraState
from safetyzone.video.schemas import HealthChangeRead, OwnerUptimeRead, StationUptimeRead
from safetyzone.web.deps import ContextDep, ScopeDep
from safetyzone.web.problems import problem_responses

router = APIRouter(prefix="/api/v1", tags=["video"])
DEFAULT_PERIOD = timedelta(days=1)
MAX_PERIOD = timedelta(days=400)


def _period(since: datetime | None, until: datetime | None, now: datetime
            ) -> tuple[datetime, datetime]:
    """[since, until) cut at now: the last 24 hours unless asked otherwise."""
    end = min(as_utc(until), now) if until is not None else now
    start = as_utc(since) if since is not None else end - DEFAULT_PERIOD
    if start >= end:
        raise InvalidInput("since must be before until (and before now)",
                           [Problem("not before until", "since")])
    if end - start > MAX_PERIOD:
        raise InvalidInput("the period is longer than 400 days",
                           [Problem("too long", "since")])
    return start, end


def _owner(owner: OwnerClass | None, part: uptime.OwnerUptime) -> OwnerUptimeRead:
    share = part.online_share
    return OwnerUptimeRead(
        owner_class=owner, cameras=part.cameras, observed_cameras=part.observed_cameras,
        online_s=round(part.seconds[CameraState.ONLINE], 1),
        offline_s=round(part.seconds[CameraState.OFFLINE], 1),
        frozen_s=round(part.seconds[CameraState.FROZEN], 1),
        uptime_pct=None if share is None else round(100 * share, 2))


@router.get("/camera-health/uptime", response_model=list[StationUptimeRead],
            responses=problem_responses(404, 422))
def read_camera_uptime(
    ctx: ContextDep, scope: ScopeDep,
    station_code: str | None = Query(None, description="One station; all yours if unset."),
    since: datetime | None = Query(None, description="Start (default: 24 hours before until)."),
    until: datetime | None = Query(None, description="End (default and at most: now)."),
) -> list[StationUptimeRead]:
    """Camera uptime by owner class, per station, over a period, from the history of
    states: online camera-seconds over observed camera-seconds (time a camera's state was
    not known counts for neither). A partner sees only its own cameras."""
    start, end = _period(since, until, ctx.clock.now())
    with ctx.db.read() as session:
        station_id = (org.get_station(session, scope=scope, code=station_code).id
                      if station_code else None)
        figures = uptime.scoped(session, scope=scope, station_id=station_id, since=start,
                                until=end)
        out = []
        for sid, station in figures.items():
            owners = [_owner(o, part) for o, part in station.owners.items() if part.cameras]
            out.append(StationUptimeRead(
                station_id=sid, station_code=org.get_unit(session, unit_id=sid).code,
                since=start, until=end, owners=owners, total=_owner(None, station.total())))
        return sorted(out, key=lambda r: r.station_code)


@router.get("/cameras/{camera_id}/health-history", response_model=list[HealthChangeRead],
            responses=problem_responses(404, 422))
def read_camera_health_history(
    ctx: ContextDep, scope: ScopeDep, camera_id: uuid.UUID,
    since: datetime | None = Query(None, description="Start (default: 24 hours before until)."),
    until: datetime | None = Query(None, description="End (default and at most: now)."),
) -> list[HealthChangeRead]:
    """The camera's states over the period, oldest first (at most 1,000 stretches).
    ``detail`` (why it was down) for admins and commanders only."""
    start, end = _period(since, until, ctx.clock.now())
    with ctx.db.read() as session:
        camera = assets.get_camera(session, scope=scope, camera_id=camera_id)
        sees_detail = url_rules.may_set_camera_urls(scope)
        return [HealthChangeRead(state=c.state, since=c.since, until=c.until,
                                 detail=c.detail if sees_detail else None)
                for c in health_store.history(session, camera_id=camera.id, since=start,
                                              until=end)]
