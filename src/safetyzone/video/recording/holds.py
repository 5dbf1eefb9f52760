"""Holds for a case: an incident's footage kept from every deletion until released.

A clip's own hold (made with the clip) lasts as long as the clip and is not released here.
A case hold is for footage nobody has cut yet (a detective will look at it next week): the
station's evidence roles set it on an incident's cameras, and release it when the case no
longer needs it; both acts are audited (``recording.hold``, ``recording.hold.release``).
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from safetyzone.assets import service as assets
from safetyzone.audit import service as audit
from safetyzone.core.clock import Clock
from safetyzone.core.errors import Conflict, NotFound
from safetyzone.core.security import Permission, Scope
from safetyzone.ops import incidents
from safetyzone.video.recording.models import HoldReason, RecordingHold
from safetyzone.video.recording.schemas import HoldIn, HoldRead

MAX_SPAN_DAYS = 31


class BadWindow(Conflict):
    def __init__(self, detail: str) -> None:
        super().__init__(detail=detail, code="hold-window")


def list_holds(session: Session, *, scope: Scope, incident_id: uuid.UUID) -> list[HoldRead]:
    scope.require(Permission.EVIDENCE_HANDLE)
    incident = incidents.get_incident(session, scope=scope, incident_id=incident_id)
    rows = session.scalars(select(RecordingHold).where(RecordingHold.incident_id == incident.id)
                           .order_by(RecordingHold.created_at))
    return [HoldRead.model_validate(r) for r in rows]


def hold_for_case(session: Session, *, scope: Scope, clock: Clock, incident_id: uuid.UUID,
                  data: HoldIn) -> list[HoldRead]:
    """One case hold per camera (docked, and any named of the incident's station)."""
    scope.require(Permission.EVIDENCE_HANDLE)
    incident = incidents.get_incident(session, scope=scope, incident_id=incident_id)
    if data.until <= data.since or (data.until - data.since).days > MAX_SPAN_DAYS:
        raise BadWindow(f"a hold runs forwards and spans at most {MAX_SPAN_DAYS} days")
    wanted: list[uuid.UUID] = []
    if data.docked:
        for entry in incident.cameras or []:
            try:
                wanted.append(uuid.UUID(str(entry.get("camera_id"))))
            except ValueError:
                continue
    wanted += [c for c in data.camera_ids if c not in wanted]
    if not wanted:
        raise BadWindow("no camera to hold: the incident docks none and none was named")
    now = clock.now()
    rows = []
    for camera_id in wanted:
        camera = assets.get_camera(session, scope=scope, camera_id=camera_id)
        if camera.station_id != incident.station_id:
            raise NotFound("no such camera at the incident's station")
        hold = RecordingHold(station_id=camera.station_id, camera_id=camera.id,
                             starts_at=data.since, ends_at=data.until, reason=HoldReason.CASE,
                             incident_id=incident.id, clip_id=None, created_at=now,
                             created_by=scope.username)
        session.add(hold)
        rows.append(hold)
        audit.record(session, actor=scope, at=now, action="recording.hold", entity="camera",
                     entity_id=camera.id, station_id=camera.station_id, reason=data.note,
                     detail={"code": camera.code, "incident": str(incident.id),
                             "since": data.since.isoformat(), "until": data.until.isoformat()})
    session.flush()
    return [HoldRead.model_validate(r) for r in rows]


def release_hold(session: Session, *, scope: Scope, clock: Clock, hold_id: uuid.UUID) -> None:
    scope.require(Permission.EVIDENCE_HANDLE)
    hold = session.get(RecordingHold, hold_id)
    if hold is None or not scope.sees_station(hold.station_id):
        raise NotFound("no such hold in your scope")
    if hold.incident_id is not None:
        incidents.get_incident(session, scope=scope, incident_id=hold.incident_id)
    if hold.reason is not HoldReason.CASE:
        raise Conflict(detail="a clip's hold lasts as long as the clip", code="hold-of-clip")
    audit.record(session, actor=scope, at=clock.now(), action="recording.hold.release",
                 entity="camera", entity_id=hold.camera_id, station_id=hold.station_id,
                 detail={"incident": str(hold.incident_id),
                         "since": hold.starts_at.isoformat(), "until": hold.ends_at.isoformat()})
    session.delete(hold)
