"""The KPIs of what is in the street: patrol plan compliance, visible patrol presence and
camera uptime. Each is a fixed number of grouped queries for any number of stations; a zone
first picks its own targets, cells or cameras by their position, then asks the same.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import timedelta

import h3  # type: ignore[import-untyped]
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from safetyzone.assets.models import AssetStatus, Camera
from safetyzone.measure.kpi_common import (
    Area,
    Result,
    Window,
    bangkok,
    cell,
    count_cell,
    rounded,
    share,
)
from safetyzone.patrol import compliance
from safetyzone.patrol.track_models import Presence
from safetyzone.video import uptime
from safetyzone.video.models import CameraHealth, CameraState
from safetyzone.video.uptime import StationUptime

CAMERA_NOTE = ("Counted from the history of states (camera_health_change), written by the "
               "prober on every change; time when a camera's state was not known is left "
               "out, not guessed.")


# --- patrol plan compliance --------------------------------------------------------------


def compliance_by_station(session: Session, *, station_ids: Sequence[uuid.UUID], window: Window,
                          area: Area | None) -> dict[uuid.UUID, Result]:
    """Share of the ended plans' targets that got what was asked, by target kind too."""
    since, until = window.since, window.observed_until
    if area is None:
        counts = compliance.ended_counts(session, station_ids=station_ids, since=since,
                                         until=until)
    else:  # one station: its targets one by one, by where they are
        counts = {s: {} for s in station_ids}
        for target in compliance.ended_targets(session, station_ids=station_ids, since=since,
                                               until=until):
            if area.contains(target.lat, target.lon):
                visited, total = counts[target.station_id].get(target.kind, (0, 0))
                counts[target.station_id][target.kind] = (visited + target.visited, total + 1)
    return {station_id: _compliance(kinds) for station_id, kinds in counts.items()}


def _compliance(kinds: dict[str, tuple[int, int]]) -> Result:
    visited, total = sum(v for v, _ in kinds.values()), sum(t for _, t in kinds.values())
    if not total:
        return Result(value=None, n=0)
    return Result(value=share(visited, total), n=total, breakdowns={
        "kind": [cell(k, t, share(v, t)) for k, (v, t) in sorted(kinds.items())]})


# --- visible patrol presence -------------------------------------------------------------


def presence_by_station(session: Session, *, station_ids: Sequence[uuid.UUID], window: Window,
                        area: Area | None) -> dict[uuid.UUID, Result]:
    """Unit-hours of presence per observed day; null where no unit was seen at all."""
    out = {s: Result(value=None, n=0) for s in station_ids}
    end = window.observed_until
    if end <= window.since:
        return out
    first, last = bangkok(window.since).date(), bangkok(end - timedelta(microseconds=1)).date()
    where = [Presence.station_id.in_(list(station_ids)), Presence.day >= first,
             Presence.day <= last]
    if area is not None:
        cells = session.scalars(select(Presence.cell).where(*where).distinct()).all()
        inside = [c for c in cells if area.contains(*h3.cell_to_latlng(c))]
        where.append(Presence.cell.in_(inside))
    days = (end - window.since).total_seconds() / 86400
    for station_id, seconds, n_days in session.execute(
            select(Presence.station_id, func.sum(Presence.seconds),
                   func.count(Presence.day.distinct())).where(*where)
            .group_by(Presence.station_id)):
        if n_days:
            out[station_id] = Result(value=rounded(float(seconds) / 3600 / days), n=int(n_days))
    return out


# --- camera uptime -----------------------------------------------------------------------


def _camera_result(figures: StationUptime, now: dict[str, int]) -> Result:
    state_now = [count_cell(k, n) for k, n in now.items()]
    observed = {o: part for o, part in figures.owners.items() if part.observed_cameras}
    if not observed:
        return Result(value=None, n=0, breakdowns={"state_now": state_now}, note=CAMERA_NOTE)
    total = figures.total()
    owners = [cell(o.value, part.observed_cameras,
                   share(part.seconds[CameraState.ONLINE], part.observed_s))
              for o, part in observed.items()]
    return Result(value=share(total.seconds[CameraState.ONLINE], total.observed_s),
                  n=total.observed_cameras, breakdowns={"owner": owners, "state_now": state_now},
                  note=CAMERA_NOTE)


def cameras_by_station(session: Session, *, station_ids: Sequence[uuid.UUID], window: Window,
                       area: Area | None) -> dict[uuid.UUID, Result]:
    """Uptime over the observed camera time, by owner class, from the history of states;
    and the cameras' states now."""
    where = [Camera.station_id.in_(list(station_ids)), Camera.status != AssetStatus.RETIRED]
    camera_ids = None
    if area is not None:
        camera_ids = [camera_id for camera_id, lat, lon in session.execute(
            select(Camera.id, Camera.lat, Camera.lon).where(*where)) if area.contains(lat, lon)]
        where.append(Camera.id.in_(camera_ids))
    now: dict[uuid.UUID, dict[str, int]] = {
        s: {state.value: 0 for state in CameraState} | {"unknown": 0} for s in station_ids}
    for station_id, state, count in session.execute(
            select(Camera.station_id, CameraHealth.state, func.count()).outerjoin(
                CameraHealth, CameraHealth.camera_id == Camera.id).where(*where)
            .group_by(Camera.station_id, CameraHealth.state)):
        now[station_id][state.value if state else "unknown"] += int(count)
    figures = uptime.by_owner(session, station_ids=station_ids, since=window.since,
                              until=window.observed_until, camera_ids=camera_ids)
    return {s: _camera_result(figures[s], now[s]) for s in station_ids}
