"""The KPIs of what is in the street: patrol plan compliance, visible patrol presence and
camera uptime. Each is a fixed number of grouped queries for any number of stations; a zone
first picks its own targets, cells or cameras by their position, then asks the same.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
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
from safetyzone.org.models import OwnerClass
from safetyzone.patrol import compliance
from safetyzone.patrol.track_models import Presence
from safetyzone.video.models import CameraHealth, CameraState

CAMERA_NOTE = ("Only each camera's current state and when it began are stored (camera_health); "
               "the time before its last change is not known and is left out, not guessed.")


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


class _Tally:
    def __init__(self) -> None:
        self.online_s: dict[OwnerClass, float] = defaultdict(float)
        self.observed_s: dict[OwnerClass, float] = defaultdict(float)
        self.observed: dict[OwnerClass, int] = defaultdict(int)
        self.now: dict[str, int] = {s.value: 0 for s in CameraState} | {"unknown": 0}

    def add(self, owner: OwnerClass, state: CameraState, seconds: float, cameras: int) -> None:
        self.observed_s[owner] += seconds * cameras
        self.observed[owner] += cameras
        if state is CameraState.ONLINE:
            self.online_s[owner] += seconds * cameras

    def result(self) -> Result:
        observed = sum(self.observed.values())
        state_now = [count_cell(k, n) for k, n in self.now.items()]
        if not observed:
            return Result(value=None, n=0, breakdowns={"state_now": state_now},
                          note=CAMERA_NOTE)
        owners = [cell(o.value, self.observed[o], share(self.online_s[o], self.observed_s[o]))
                  for o in OwnerClass if self.observed[o]]
        return Result(value=share(sum(self.online_s.values()), sum(self.observed_s.values())),
                      n=observed, breakdowns={"owner": owners, "state_now": state_now},
                      note=CAMERA_NOTE)


def cameras_by_station(session: Session, *, station_ids: Sequence[uuid.UUID], window: Window,
                       area: Area | None) -> dict[uuid.UUID, Result]:
    """Uptime over the observed camera time, by owner class, and the cameras' states now."""
    tallies = {s: _Tally() for s in station_ids}
    where = [Camera.station_id.in_(list(station_ids)), Camera.status != AssetStatus.RETIRED]
    if area is not None:
        where.append(Camera.id.in_([camera_id for camera_id, lat, lon in session.execute(
            select(Camera.id, Camera.lat, Camera.lon).where(*where)) if area.contains(lat, lon)]))
    start, end = window.since, window.observed_until
    whole = (end - start).total_seconds()
    owner_state = (Camera.station_id, Camera.owner_class, CameraHealth.state)
    for station_id, state, count in session.execute(
            select(Camera.station_id, CameraHealth.state, func.count()).outerjoin(
                CameraHealth, CameraHealth.camera_id == Camera.id).where(*where)
            .group_by(Camera.station_id, CameraHealth.state)):
        tallies[station_id].now[state.value if state else "unknown"] += int(count)
    if whole > 0:
        for station_id, owner, state, count in session.execute(
                select(*owner_state, func.count()).join(
                    CameraHealth, CameraHealth.camera_id == Camera.id).where(
                    *where, CameraHealth.since <= start).group_by(*owner_state)):
            tallies[station_id].add(owner, state, whole, int(count))
        for station_id, owner, state, began in session.execute(
                select(*owner_state, CameraHealth.since).join(
                    CameraHealth, CameraHealth.camera_id == Camera.id).where(
                    *where, CameraHealth.since > start, CameraHealth.since < end)):
            tallies[station_id].add(owner, state, (end - began).total_seconds(), 1)
    return {station_id: tally.result() for station_id, tally in tallies.items()}
