"""Camera uptime by owner class over a period, counted from the history of states.

Each stretch in ``camera_health_change`` (a camera in one state from ``since`` until
``until``) is cut to the period and added to its camera's owner class: online, offline,
frozen seconds. Uptime is online seconds over observed seconds; time when a camera's state
was not known (before its first check, or while the prober was off and nothing else looked)
is not observed and counts for neither side. Retired cameras are left out.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from safetyzone.assets.models import AssetStatus, Camera
from safetyzone.core.security import Permission, Scope
from safetyzone.org.models import OwnerClass
from safetyzone.video.models import CameraHealthChange, CameraState


@dataclass
class OwnerUptime:
    """One owner class's camera-seconds in each state over the period."""

    cameras: int = 0  # registered and not retired
    observed_cameras: int = 0  # with any known state in the period
    seconds: dict[CameraState, float] = field(
        default_factory=lambda: {state: 0.0 for state in CameraState})

    @property
    def observed_s(self) -> float:
        return sum(self.seconds.values())

    @property
    def online_share(self) -> float | None:
        """Online over observed (0..1); None when nothing was observed."""
        observed = self.observed_s
        return self.seconds[CameraState.ONLINE] / observed if observed > 0 else None


@dataclass
class StationUptime:
    owners: dict[OwnerClass, OwnerUptime] = field(
        default_factory=lambda: {owner: OwnerUptime() for owner in OwnerClass})

    def total(self) -> OwnerUptime:
        out = OwnerUptime()
        for part in self.owners.values():
            out.cameras += part.cameras
            out.observed_cameras += part.observed_cameras
            for state, seconds in part.seconds.items():
                out.seconds[state] += seconds
        return out


def by_owner(session: Session, *, station_ids: Sequence[uuid.UUID], since: datetime,
             until: datetime, camera_ids: Sequence[uuid.UUID] | None = None,
             where: Sequence[ColumnElement[bool]] = ()) -> dict[uuid.UUID, StationUptime]:
    """Uptime per station and owner class over [since, until) (the caller checked scope,
    or passes it in ``where``; ``until`` no later than now: an open stretch counts as
    lasting until ``until``)."""
    out = {station_id: StationUptime() for station_id in station_ids}
    if not station_ids or until <= since:
        return out
    where = [Camera.station_id.in_(list(station_ids)), Camera.status != AssetStatus.RETIRED,
             *where]
    if camera_ids is not None:
        where.append(Camera.id.in_(list(camera_ids)))
    for station_id, owner, count in session.execute(
            select(Camera.station_id, Camera.owner_class, func.count()).where(*where)
            .group_by(Camera.station_id, Camera.owner_class)):
        out[station_id].owners[owner].cameras = int(count)
    seen: dict[tuple[uuid.UUID, OwnerClass], set[uuid.UUID]] = {}
    for camera_id, station_id, owner, state, began, ended in session.execute(
            select(Camera.id, Camera.station_id, Camera.owner_class, CameraHealthChange.state,
                   CameraHealthChange.since, CameraHealthChange.until)
            .join(CameraHealthChange, CameraHealthChange.camera_id == Camera.id)
            .where(*where, CameraHealthChange.since < until,
                   CameraHealthChange.until.is_(None) | (CameraHealthChange.until > since))):
        seconds = (min(ended or until, until) - max(began, since)).total_seconds()
        if seconds <= 0:
            continue
        out[station_id].owners[owner].seconds[state] += seconds
        seen.setdefault((station_id, owner), set()).add(camera_id)
    for (station_id, owner), cameras in seen.items():
        out[station_id].owners[owner].observed_cameras = len(cameras)
    return out


def scoped(session: Session, *, scope: Scope, station_id: uuid.UUID | None, since: datetime,
           until: datetime) -> dict[uuid.UUID, StationUptime]:
    """Uptime by owner class for the caller's stations (or one), over the period; a partner
    counts only the cameras it owns."""
    scope.require(Permission.ASSET_READ)
    where = [scope.station_filter(Camera.station_id)]
    owner = scope.owner_filter(Camera.owner_partner_id)
    if owner is not None:
        where.append(owner)
    query = select(Camera.station_id).where(*where).distinct()
    if station_id is not None:
        query = query.where(Camera.station_id == station_id)
    station_ids = sorted(session.scalars(query), key=str)
    return by_owner(session, station_ids=station_ids, since=since, until=until, where=where)
