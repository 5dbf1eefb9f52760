"""Evidence clips in the database: who may make and handle them, what the chain of custody
records, and the plan of a clip (which cameras, which window, which footage).

Every act on a clip (made, viewed, downloaded, exported) is one custody row with who, when,
from which address, and the SHA-256 of the file as it was at that moment (``intact`` says
whether it still equals the hash taken when the clip was made), and one audit row.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from safetyzone.assets import service as assets
from safetyzone.audit import service as audit
from safetyzone.core.clock import as_utc
from safetyzone.core.errors import NotFound
from safetyzone.core.security import Permission, Scope
from safetyzone.ops import incidents
from safetyzone.ops.models import Incident
from safetyzone.org import service as org
from safetyzone.video.evidence.models import CustodyAction, CustodyEntry, EvidenceClip
from safetyzone.video.evidence.schemas import ClipDetail, ClipRead, ClipRequest, CustodyRead
from safetyzone.video.recording import service as recording
from safetyzone.video.recording.models import HoldReason


def incident_number(incident: Incident) -> str:
    """The number people write down for an incident (the console and officer app's)."""
    return "INC-" + incident.id.hex[:8].upper()


@dataclass(frozen=True)
class CameraPlan:
    camera_id: uuid.UUID
    code: str
    segments: list[tuple[str, datetime, datetime]]  # (path under recordings, start, end)


@dataclass(frozen=True)
class ClipPlan:
    incident_id: uuid.UUID
    station_id: uuid.UUID
    station_code: str
    number: str
    since: datetime
    until: datetime
    cameras: list[CameraPlan]


def _incident(session: Session, scope: Scope, incident_id: uuid.UUID) -> Incident:
    scope.require(Permission.EVIDENCE_HANDLE)
    return incidents.get_incident(session, scope=scope, incident_id=incident_id)


def plan_clips(session: Session, *, scope: Scope, incident_id: uuid.UUID,
               data: ClipRequest) -> ClipPlan:
    """The cameras and footage a clip request covers; every camera within the caller's scope
    and the incident's station (another station's camera looks missing)."""
    incident = _incident(session, scope, incident_id)
    at = as_utc(data.at) if data.at else as_utc(incident.opened_at)
    since, until = at - timedelta(seconds=data.before_s), at + timedelta(seconds=data.after_s)
    docked: list[uuid.UUID] = []
    if data.docked:
        for entry in incident.cameras or []:
            try:
                docked.append(uuid.UUID(str(entry.get("camera_id"))))
            except ValueError:
                continue
    wanted = docked + [c for c in data.camera_ids if c not in docked]
    cameras = []
    for camera_id in wanted:
        try:
            camera = assets.get_camera(session, scope=scope, camera_id=camera_id)
        except NotFound:
            if camera_id in docked and camera_id not in data.camera_ids:
                continue  # docked once, removed from the registry since: no footage to cut
            raise
        if camera.station_id != incident.station_id:
            raise NotFound("no such camera at the incident's station")
        pieces = [(s.path, as_utc(s.starts_at), as_utc(s.ends_at)) for s in
                  recording.segments_between(session, camera_id=camera.id, since=since,
                                             until=until)]
        cameras.append(CameraPlan(camera.id, camera.code, pieces))
    station = org.get_unit(session, unit_id=incident.station_id)
    return ClipPlan(incident.id, incident.station_id, station.code, incident_number(incident),
                    since, until, cameras)


@dataclass(frozen=True)
class MadeFile:
    clip_id: uuid.UUID
    camera_id: uuid.UUID
    code: str
    starts_at: datetime
    ends_at: datetime
    path: str  # under data_dir/evidence
    size: int
    sha256: str
    gaps: list[tuple[datetime, datetime]]


def store_clips(session: Session, *, scope: Scope, plan: ClipPlan, made: list[MadeFile],
                at: datetime, address: str | None) -> list[EvidenceClip]:
    """The clips' rows, their holds on the footage, and the first custody entry of each."""
    rows = []
    for item in made:
        clip = EvidenceClip(id=item.clip_id, station_id=plan.station_id,
                            incident_id=plan.incident_id, incident_number=plan.number,
                            camera_id=item.camera_id, camera_code=item.code,
                            starts_at=item.starts_at, ends_at=item.ends_at, path=item.path,
                            bytes=item.size, sha256=item.sha256, made_at=at,
                            made_by=scope.username)
        session.add(clip)
        recording.add_hold(session, station_id=plan.station_id, camera_id=item.camera_id,
                           since=item.starts_at, until=item.ends_at, reason=HoldReason.CLIP,
                           at=at, username=scope.username, incident_id=plan.incident_id,
                           clip_id=item.clip_id)
        record(session, scope=scope, clip=clip, action=CustodyAction.MADE, at=at,
               address=address, sha256=item.sha256, detail={
                   "window": [plan.since.isoformat(), plan.until.isoformat()],
                   "gaps": [[a.isoformat(), b.isoformat()] for a, b in item.gaps]})
        rows.append(clip)
    session.flush()
    return rows


def record(session: Session, *, scope: Scope, clip: EvidenceClip, action: CustodyAction,
           at: datetime, address: str | None, sha256: str,
           detail: dict[str, Any] | None = None) -> CustodyEntry:
    """One custody row and its audit row (``evidence.<action>``)."""
    intact = sha256 == clip.sha256
    entry = CustodyEntry(clip_id=clip.id, station_id=clip.station_id, at=at, action=action,
                         user_id=scope.user_id, username=scope.username, address=address,
                         sha256=sha256, intact=intact, detail=detail or {})
    session.add(entry)
    audit.record(session, actor=scope, at=at, action=f"evidence.{action.value}",
                 entity="evidence_clip", entity_id=clip.id, station_id=clip.station_id,
                 detail={"incident": clip.incident_number, "camera": clip.camera_code,
                         "sha256": sha256, "intact": intact, "address": address})
    return entry


def get_clip(session: Session, *, scope: Scope, clip_id: uuid.UUID) -> EvidenceClip:
    """A clip of an incident the caller may see; others look missing."""
    scope.require(Permission.EVIDENCE_HANDLE)
    clip = session.get(EvidenceClip, clip_id)
    if clip is None or not scope.sees_station(clip.station_id):
        raise NotFound("no such clip in your scope")
    incidents.get_incident(session, scope=scope, incident_id=clip.incident_id)
    return clip


def list_clips(session: Session, *, scope: Scope, incident_id: uuid.UUID) -> list[ClipRead]:
    incident = _incident(session, scope, incident_id)
    rows = session.scalars(select(EvidenceClip).where(EvidenceClip.incident_id == incident.id)
                           .order_by(EvidenceClip.made_at, EvidenceClip.camera_code))
    return [ClipRead.model_validate(r) for r in rows]


def clips_of(session: Session, *, scope: Scope, incident_id: uuid.UUID,
             clip_ids: list[uuid.UUID] | None) -> tuple[Incident, list[EvidenceClip]]:
    incident = _incident(session, scope, incident_id)
    query = select(EvidenceClip).where(EvidenceClip.incident_id == incident.id)
    if clip_ids is not None:
        query = query.where(EvidenceClip.id.in_(clip_ids))
    rows = list(session.scalars(query.order_by(EvidenceClip.made_at, EvidenceClip.camera_code)))
    if clip_ids is not None and len(rows) != len(set(clip_ids)):
        raise NotFound("a clip named is not one of this incident's")
    if not rows:
        raise NotFound("this incident has no clips to export")
    return incident, rows


def detail(session: Session, *, scope: Scope, clip_id: uuid.UUID) -> ClipDetail:
    clip = get_clip(session, scope=scope, clip_id=clip_id)
    custody = session.scalars(select(CustodyEntry).where(CustodyEntry.clip_id == clip.id)
                              .order_by(CustodyEntry.id))
    return ClipDetail(**ClipRead.model_validate(clip).model_dump(),
                      custody=[CustodyRead.model_validate(c) for c in custody])
