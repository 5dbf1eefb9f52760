"""Recording policies and quotas (set by a station's admins and commanders, audited), the
segment index, and what the recorder needs to know each pass (which cameras, which alarms).

Owners' sharing terms bound what may be recorded: a "registry only" or "footage on request"
camera is never recorded by the police (the owner keeps the footage); a "live on alarm"
camera only on alarm (its rolling pre-roll buffer is deleted unless an alarm keeps it).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from safetyzone.assets import service as assets
from safetyzone.assets import url_rules
from safetyzone.assets.models import AssetStatus, Camera, SharingLevel
from safetyzone.audit import service as audit
from safetyzone.core.clock import Clock
from safetyzone.core.errors import Conflict
from safetyzone.core.secretbox import SecretBox
from safetyzone.core.security import Permission, Scope, system_scope
from safetyzone.ops import incidents
from safetyzone.org import service as org
from safetyzone.video.recording.models import (
    HoldReason,
    RecordingHold,
    RecordingMode,
    RecordingPolicy,
    RecordingQuota,
    RecordingSegment,
)
from safetyzone.video.recording.schemas import (
    CameraRecording,
    PolicyIn,
    PolicyRead,
    SegmentRead,
    StationRecording,
)
from safetyzone.video.sources import StreamAddress

WARN_FOR = timedelta(days=7)  # how long a forced deletion stays a warning in the status


class NotRecordable(Conflict):
    def __init__(self, detail: str) -> None:
        super().__init__(detail=detail, code="recording-not-allowed")


def refusal(camera: Camera, mode: RecordingMode, now: datetime) -> str | None:
    """Why the owner's terms forbid recording ``camera`` in ``mode`` now; None if allowed."""
    if mode is RecordingMode.NONE:
        return None
    if camera.status is AssetStatus.RETIRED:
        return "the camera is retired"
    level = assets.effective_sharing(camera, now)
    if level in {SharingLevel.REGISTRY_ONLY, SharingLevel.FOOTAGE_ON_REQUEST}:
        return (f"the owner's terms ({level.value}) allow no recording by the police: "
                "footage is asked for from the owner")
    if level is SharingLevel.LIVE_ON_ALARM and mode is RecordingMode.CONTINUOUS:
        return "the owner shares this camera on alarm only: record it on alarm, not always"
    return None


def _read(camera: Camera, policy: RecordingPolicy | None) -> PolicyRead:
    if policy is None:
        return PolicyRead(camera_id=camera.id, code=camera.code, mode=RecordingMode.NONE,
                          updated_at=None, updated_by=None)
    return PolicyRead(camera_id=camera.id, code=camera.code, mode=policy.mode,
                      pre_roll_s=policy.pre_roll_s, post_roll_s=policy.post_roll_s,
                      ring_hours=policy.ring_hours, retain_days=policy.retain_days,
                      updated_at=policy.updated_at, updated_by=policy.updated_by)


def get_policy(session: Session, *, scope: Scope, camera_id: uuid.UUID) -> PolicyRead:
    scope.require(Permission.OPS_READ)
    camera = assets.get_camera(session, scope=scope, camera_id=camera_id)
    return _read(camera, session.get(RecordingPolicy, camera.id))


def set_policy(session: Session, *, scope: Scope, clock: Clock, camera_id: uuid.UUID,
               data: PolicyIn) -> PolicyRead:
    """Set what a camera records; refused where the owner's terms forbid it (409)."""
    scope.require(Permission.RECORDING_MANAGE)
    camera = assets.get_camera(session, scope=scope, camera_id=camera_id)
    now = clock.now()
    why = refusal(camera, data.mode, now)
    if why is not None:
        raise NotRecordable(f"camera {camera.code}: {why}")
    policy = session.get(RecordingPolicy, camera.id)
    before = _read(camera, policy).model_dump(include=set(PolicyIn.model_fields), mode="json")
    if policy is None:
        policy = RecordingPolicy(camera_id=camera.id, station_id=camera.station_id)
        session.add(policy)
    policy.mode, policy.pre_roll_s, policy.post_roll_s = data.mode, data.pre_roll_s, \
        data.post_roll_s
    policy.ring_hours, policy.retain_days = data.ring_hours, data.retain_days
    policy.updated_at, policy.updated_by = now, scope.username
    audit.record(session, actor=scope, at=now, action="recording.policy", entity="camera",
                 entity_id=camera.id, station_id=camera.station_id,
                 detail={"code": camera.code, "before": before,
                         "after": data.model_dump(mode="json")})
    session.flush()
    return _read(camera, policy)


def set_quota(session: Session, *, scope: Scope, clock: Clock, station_code: str,
              max_bytes: int, running: dict[uuid.UUID, Running] | None = None
              ) -> StationRecording:
    scope.require(Permission.RECORDING_MANAGE)
    station = org.get_station(session, scope=scope, code=station_code)
    quota = session.get(RecordingQuota, station.id)
    before = quota.max_bytes if quota else None
    if quota is None:
        quota = RecordingQuota(station_id=station.id, forced_bytes=0)
        session.add(quota)
    quota.max_bytes, quota.updated_at, quota.updated_by = max_bytes, clock.now(), scope.username
    audit.record(session, actor=scope, at=clock.now(), action="recording.quota",
                 entity="station", entity_id=station.id, station_id=station.id,
                 detail={"before": before, "after": max_bytes})
    session.flush()
    return station_status(session, scope=scope, station_code=station_code,
                          running=running or {}, now=clock.now())


@dataclass(frozen=True)
class Running:
    """What the recorder knows of a camera's ffmpeg (in this process only)."""

    recording: bool
    problem: str | None
    restarts: int


def station_status(session: Session, *, scope: Scope, station_code: str,
                   running: dict[uuid.UUID, Running], now: datetime) -> StationRecording:
    """The station's recordings: quota, use, a warning when the quota cut footage short,
    and each camera with a policy or footage."""
    scope.require(Permission.OPS_READ)
    station = org.get_station(session, scope=scope, code=station_code)
    quota = session.get(RecordingQuota, station.id)
    sizes = {row[0]: row[1:] for row in session.execute(
        select(RecordingSegment.camera_id, func.count(), func.sum(RecordingSegment.bytes),
               func.min(RecordingSegment.starts_at), func.max(RecordingSegment.ends_at))
        .where(RecordingSegment.station_id == station.id)
        .group_by(RecordingSegment.camera_id))}
    policies = {p.camera_id: p for p in session.scalars(
        select(RecordingPolicy).where(RecordingPolicy.station_id == station.id))}
    ids = set(sizes) | set(policies)
    cameras = {c.id: c for c in session.scalars(select(Camera).where(Camera.id.in_(ids)))
               } if ids else {}
    sees_problem = url_rules.may_set_camera_urls(scope)
    out = []
    for camera_id in sorted(ids, key=lambda i: cameras[i].code if i in cameras else ""):
        count, used, oldest, newest = sizes.get(camera_id, (0, 0, None, None))
        state = running.get(camera_id, Running(False, None, 0))
        policy = policies.get(camera_id)
        out.append(CameraRecording(
            camera_id=camera_id, code=cameras[camera_id].code if camera_id in cameras else "?",
            mode=policy.mode if policy else RecordingMode.NONE, recording=state.recording,
            problem=state.problem if sees_problem else None, restarts=state.restarts,
            segments=int(count), bytes=int(used or 0), oldest=oldest, newest=newest))
    used_total = sum(c.bytes for c in out)
    warning = None
    forced_at = quota.forced_at if quota else None
    if quota and quota.forced_at and now - quota.forced_at <= WARN_FOR:
        warning = (f"the quota deleted {quota.forced_bytes} bytes of footage that the "
                   "recording policies would still keep: raise the quota or shorten the "
                   "policies")
    return StationRecording(station_code=station.code,
                            quota_bytes=quota.max_bytes if quota else None,
                            used_bytes=used_total, warning=warning, forced_at=forced_at,
                            cameras=out)


def list_segments(session: Session, *, scope: Scope, camera_id: uuid.UUID,
                  since: datetime | None, until: datetime | None, limit: int = 500
                  ) -> list[SegmentRead]:
    scope.require(Permission.OPS_READ)
    camera = assets.get_camera(session, scope=scope, camera_id=camera_id)
    query = select(RecordingSegment).where(RecordingSegment.camera_id == camera.id)
    if since is not None:
        query = query.where(RecordingSegment.ends_at > since)
    if until is not None:
        query = query.where(RecordingSegment.starts_at < until)
    rows = session.scalars(query.order_by(RecordingSegment.starts_at).limit(limit))
    return [SegmentRead.model_validate(r) for r in rows]


def segments_between(session: Session, *, camera_id: uuid.UUID, since: datetime,
                     until: datetime) -> list[RecordingSegment]:
    """The camera's segments overlapping [since, until], in order (the caller checked
    scope on the camera)."""
    return list(session.scalars(
        select(RecordingSegment).where(RecordingSegment.camera_id == camera_id,
                                       RecordingSegment.ends_at > since,
                                       RecordingSegment.starts_at < until)
        .order_by(RecordingSegment.starts_at)))


def add_hold(session: Session, *, station_id: uuid.UUID, camera_id: uuid.UUID,
             since: datetime, until: datetime, reason: HoldReason, at: datetime,
             username: str, incident_id: uuid.UUID | None = None,
             clip_id: uuid.UUID | None = None) -> RecordingHold:
    """Keep the camera's footage between two times from every deletion."""
    hold = RecordingHold(station_id=station_id, camera_id=camera_id, starts_at=since,
                         ends_at=until, reason=reason, incident_id=incident_id,
                         clip_id=clip_id, created_at=at, created_by=username)
    session.add(hold)
    return hold


# -- for the recorder (the server itself, no caller) ------------------------------------------

@dataclass(frozen=True)
class Recordable:
    camera_id: uuid.UUID
    station_id: uuid.UUID
    station_code: str
    code: str
    mode: RecordingMode
    pre_roll_s: int
    post_roll_s: int
    address: StreamAddress | None
    refused: str | None  # the owner's terms forbid it now (the policy stays, inactive)


def recordables(session: Session, *, secrets: SecretBox, now: datetime) -> list[Recordable]:
    """Every camera whose policy records, with its opened address (server side only)."""
    rows = list(session.execute(
        select(RecordingPolicy, Camera).join(Camera, Camera.id == RecordingPolicy.camera_id)
        .where(RecordingPolicy.mode != RecordingMode.NONE)))
    if not rows:
        return []
    codes = {u.id: u.code for u in org.list_units(session, scope=system_scope())}
    out = []
    for policy, camera in rows:
        address = None
        if camera.stream_url_sealed:
            address = StreamAddress(
                url=secrets.open(camera.stream_url_sealed),
                username=(secrets.open(camera.stream_username_sealed)
                          if camera.stream_username_sealed else None),
                password=(secrets.open(camera.stream_password_sealed)
                          if camera.stream_password_sealed else None))
        out.append(Recordable(camera.id, camera.station_id, codes.get(camera.station_id, "?"),
                              camera.code, policy.mode, policy.pre_roll_s, policy.post_roll_s,
                              address, refusal(camera, policy.mode, now)))
    return out


def alarmed(session: Session, *, camera_ids: set[uuid.UUID]) -> set[uuid.UUID]:
    """The cameras an open incident docks now: their footage is alarm footage."""
    if not camera_ids:
        return set()
    wanted = {str(i) for i in camera_ids}
    found: set[uuid.UUID] = set()
    for incident in incidents.list_incidents(session, scope=system_scope(),
                                             states=sorted(incidents.OPEN_STATES),
                                             limit=100_000):
        for entry in incident.cameras or []:
            key = entry.get("camera_id")
            if key in wanted:
                found.add(uuid.UUID(key))
    return found


def index_segment(session: Session, *, camera_id: uuid.UUID, station_id: uuid.UUID,
                  starts_at: datetime, ends_at: datetime, path: str, size: int, sha256: str,
                  alarm: bool) -> None:
    if session.scalar(select(RecordingSegment.id).where(RecordingSegment.path == path)):
        return  # indexed already (a list read twice after a restart)
    session.add(RecordingSegment(camera_id=camera_id, station_id=station_id,
                                 starts_at=starts_at, ends_at=ends_at, path=path, bytes=size,
                                 sha256=sha256, alarm=alarm))


def mark_alarm(session: Session, *, camera_id: uuid.UUID, since: datetime,
               until: datetime) -> int:
    """Footage of the camera overlapping [since, until] becomes alarm footage."""
    result = session.execute(
        update(RecordingSegment).where(RecordingSegment.camera_id == camera_id,
                                       RecordingSegment.ends_at >= since,
                                       RecordingSegment.starts_at <= until,
                                       RecordingSegment.alarm.is_(False))
        .values(alarm=True).execution_options(synchronize_session=False))
    return int(getattr(result, "rowcount", 0) or 0)
