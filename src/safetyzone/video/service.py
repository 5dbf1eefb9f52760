"""Who may see which camera's picture, and what is remembered about cameras and viewers.

Sharing terms decide, per camera, whether the command center may show a live picture:

* ``live_always``: yes;
* ``live_on_alarm``: only while an open incident docks this camera;
* ``footage_on_request``: no live view, footage is asked for from the owner;
* ``registry_only``: the camera is on the map and nothing more.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from safetyzone.assets import service as assets
from safetyzone.assets import url_rules
from safetyzone.assets.models import AssetStatus, Camera, SharingLevel
from safetyzone.audit import service as audit
from safetyzone.core.errors import PermissionDenied
from safetyzone.core.secretbox import SecretBox
from safetyzone.core.security import Permission, Scope
from safetyzone.ops import incidents
from safetyzone.org.models import OwnerClass
from safetyzone.video import health_store
from safetyzone.video.health import Observation
from safetyzone.video.models import CameraHealth, CameraState
from safetyzone.video.schemas import CameraHealthRead, StateCounts
from safetyzone.video.sources import StreamAddress


@dataclass(frozen=True)
class Target:
    """A camera the caller may see now, with its opened address (server side only)."""

    camera_id: uuid.UUID
    station_id: uuid.UUID
    code: str
    address: StreamAddress | None


def docked_on_open_incident(session: Session, *, scope: Scope, camera: Camera) -> bool:
    open_now = incidents.list_incidents(session, scope=scope, station_id=camera.station_id,
                                        states=sorted(incidents.OPEN_STATES), limit=500)
    key = str(camera.id)
    return any(entry.get("camera_id") == key for i in open_now for entry in i.cameras)


def check_sharing(session: Session, *, scope: Scope, camera: Camera, now: datetime) -> None:
    """Raise :class:`PermissionDenied` unless the owner's terms allow a live picture now."""
    if camera.status is AssetStatus.RETIRED:
        raise PermissionDenied("this camera is retired")
    level = assets.effective_sharing(camera, now)
    if level is SharingLevel.REGISTRY_ONLY:
        raise PermissionDenied("registry only: the owner shares no pictures from this camera")
    if level is SharingLevel.FOOTAGE_ON_REQUEST:
        raise PermissionDenied("footage on request: this owner shares recordings on request, "
                               "not a live view")
    if level is SharingLevel.LIVE_ON_ALARM and not docked_on_open_incident(
            session, scope=scope, camera=camera):
        raise PermissionDenied("live on alarm: this camera may be viewed only while an open "
                               "incident docks it")


def snapshot_target(session: Session, *, scope: Scope, secrets: SecretBox,
                    camera_id: uuid.UUID, now: datetime) -> Target:
    """The camera to fetch a picture from, if the caller may see it now."""
    scope.require(Permission.ASSET_READ)
    camera = assets.get_camera(session, scope=scope, camera_id=camera_id)
    check_sharing(session, scope=scope, camera=camera, now=now)
    address = None
    if camera.stream_url_sealed:
        address = StreamAddress(
            url=secrets.open(camera.stream_url_sealed),
            username=(secrets.open(camera.stream_username_sealed)
                      if camera.stream_username_sealed else None),
            password=(secrets.open(camera.stream_password_sealed)
                      if camera.stream_password_sealed else None))
    return Target(camera.id, camera.station_id, camera.code, address)


def record_view(session: Session, *, scope: Scope, target: Target, at: datetime) -> None:
    """One audit row when a person starts looking at a camera."""
    audit.record(session, actor=scope, at=at, action="camera.view", entity="camera",
                 entity_id=target.camera_id, station_id=target.station_id,
                 detail={"code": target.code})


def record_live(session: Session, *, actor: Scope | None, username: str, action: str,
                target: Target, at: datetime, detail: dict[str, object]) -> None:
    """A live viewing session's start or end (``camera.live.start`` / ``camera.live.end``).

    The end is written by the server (the viewer left, went idle, or the server stopped):
    ``actor`` is then None and ``username`` names whose session it was.
    """
    audit.record(session, actor=actor, username=username, at=at, action=action,
                 entity="camera", entity_id=target.camera_id, station_id=target.station_id,
                 detail=detail)


def save_health(session: Session, *, camera_id: uuid.UUID, station_id: uuid.UUID,
                observation: Observation, only_first: bool = False) -> None:
    """The snapshot desk's view of a camera, history included. ``only_first``: when the
    prober keeps the record, only a camera it has not checked yet (a camera added a moment
    ago that someone already opened) gets the desk's first word; the prober's follows."""
    if only_first and session.get(CameraHealth, camera_id) is not None:
        return
    health_store.record(session, readings=[health_store.Reading(
        camera_id=camera_id, station_id=station_id, state=observation.state,
        since=observation.since, detail=observation.detail)])


def list_health(session: Session, *, scope: Scope, station_id: uuid.UUID | None = None
                ) -> list[CameraHealthRead]:
    """Every camera in scope with its last known state (None: not checked yet).

    Why a fetch failed (a refused internal address, a closed port) is for the people who
    set camera addresses: for anyone else ``detail`` is None, so the health list cannot be
    used to map the station's network.
    """
    sees_detail = url_rules.may_set_camera_urls(scope)
    rows, _ = assets.list_cameras(session, scope=scope, station_id=station_id, limit=100_000)
    ids = [c.id for c in rows]
    health = {h.camera_id: h for h in session.scalars(
        select(CameraHealth).where(CameraHealth.camera_id.in_(ids)))} if ids else {}
    out = []
    for camera in rows:
        h = health.get(camera.id)
        out.append(CameraHealthRead(
            camera_id=camera.id, code=camera.code, owner_class=camera.owner_class,
            state=h.state if h else None, since=h.since if h else None,
            detail=h.detail if h and sees_detail else None,
            checked_at=h.checked_at if h else None, latency_ms=h.latency_ms if h else None,
            width=h.width if h else None, height=h.height if h else None,
            monitored=camera.stream_url_sealed is not None
            and camera.status is AssetStatus.ACTIVE))
    return out


def counts_by_owner(session: Session, *, scope: Scope, station_id: uuid.UUID
                    ) -> dict[OwnerClass, StateCounts]:
    """Cameras per owner class: how many, and how many online, offline, frozen, unknown."""
    out = {owner: StateCounts() for owner in OwnerClass}
    for row in list_health(session, scope=scope, station_id=station_id):
        counts = out[row.owner_class]
        counts.total += 1
        if row.state is CameraState.ONLINE:
            counts.online += 1
        elif row.state is CameraState.OFFLINE:
            counts.offline += 1
        elif row.state is CameraState.FROZEN:
            counts.frozen += 1
        else:
            counts.unknown += 1
    return out


def counts_by_station(session: Session, *, scope: Scope, station_ids: list[uuid.UUID]
                      ) -> dict[uuid.UUID, StateCounts]:
    """Cameras per station, all owners together (the roll-up of many stations): one grouped
    query, counted as ``counts_by_owner`` counts one station's."""
    scope.require(Permission.ASSET_READ)
    out = {station_id: StateCounts() for station_id in station_ids}
    for station_id, state, count in session.execute(
            select(Camera.station_id, CameraHealth.state, func.count())
            .outerjoin(CameraHealth, CameraHealth.camera_id == Camera.id)
            .where(scope.station_filter(Camera.station_id), Camera.station_id.in_(station_ids))
            .group_by(Camera.station_id, CameraHealth.state)):
        counts = out[station_id]
        counts.total += int(count)
        if state is CameraState.ONLINE:
            counts.online += int(count)
        elif state is CameraState.OFFLINE:
            counts.offline += int(count)
        elif state is CameraState.FROZEN:
            counts.frozen += int(count)
        else:
            counts.unknown += int(count)
    return out
