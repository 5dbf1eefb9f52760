"""Footage requests to camera owners, the police side: ask, follow, close, download.

The community-request model of the real-time crime centres: most cameras that saw a crime
belong to shops, condominiums and villages, whose owners agreed to share recordings on
request. An officer (duty operator, investigator, commander: ``footage.request``) asks from
an incident or a case number, for chosen cameras or every partner camera in a circle on the
map, over a window of at most 24 hours. One request per owning partner is made (a shared
batch id), because partners are outsiders: each sees only what is addressed to it
(``footage_partner``). The owner hears it in its partner page and on the LINE it linked.

Every step is an append-only history row (created, sent, seen, uploaded, granted, declined,
expired, closed) and an audit entry; every query is filtered by the caller's stations.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import Select, case, select
from sqlalchemy.orm import Session

from safetyzone.assets.models import AssetStatus, Camera
from safetyzone.audit import service as audit
from safetyzone.core.clock import BANGKOK, Clock, as_utc
from safetyzone.core.db import Database
from safetyzone.core.errors import Conflict, InvalidInput, NotFound, Problem
from safetyzone.core.geo import haversine_m
from safetyzone.core.security import Permission, Scope
from safetyzone.ops import incidents
from safetyzone.org import service as org
from safetyzone.org.models import OrgUnit, OwnerClass
from safetyzone.video import footage_read
from safetyzone.video.footage_models import (
    FootageCamera,
    FootageEvent,
    FootageFile,
    FootageRequest,
    FootageStatus,
)
from safetyzone.video.footage_resume import Resumable
from safetyzone.video.footage_schemas import CloseIn, FootageRequestIn
from safetyzone.video.footage_store import FootageStore

if TYPE_CHECKING:  # the incident's type only; its rows are reached through ops.incidents
    from safetyzone.ops.models import Incident

S = FootageStatus
# Waiting for the owner's answer: these run against the deadline.
WAITING = frozenset({S.SENT, S.SEEN})
# The owner may still upload or grant (after a first answer too, until the police close).
ANSWERABLE = frozenset({S.SENT, S.SEEN, S.UPLOADED, S.GRANTED})
MAX_WINDOW = timedelta(hours=24)
OLDEST = timedelta(days=90)  # recorders keep a few weeks; older footage is gone anyway
DEFAULT_DUE = timedelta(hours=72)
DUE_RANGE = (timedelta(hours=1), timedelta(days=14))
MISSING = "no such footage request in your scope"
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

# What tells an owning partner on LINE: (session, partner id, text) -> messages queued.
PartnerPush = Callable[[Session, uuid.UUID, str], int]


def log_event(session: Session, request: FootageRequest, *, at: datetime, action: str,
              side: str, username: str, note: str | None = None) -> None:
    """Append one history row (never updated: the history is the record)."""
    session.add(FootageEvent(request_id=request.id, at=at, action=action,
                             status=request.status.value, side=side, username=username,
                             note=note))


def audit_step(session: Session, scope: Scope | None, request: FootageRequest, action: str,
               now: datetime, reason: str | None = None, **detail: object) -> None:
    audit.record(session, actor=scope, username=None if scope else "system", at=now,
                 action=f"footage.{action}", entity="footage_request", entity_id=request.id,
                 station_id=request.station_id, reason=reason,
                 detail={"code": request.code, "status": request.status.value, **detail})


def touch(request: FootageRequest, now: datetime) -> None:
    request.updated_at = now
    request.version += 1


def check_version(request: FootageRequest, version: int | None) -> None:
    if version is not None and version != request.version:
        raise Conflict(f"footage request {request.code} changed meanwhile (now version "
                       f"{request.version}, {request.status.value}): read it again",
                       code="stale-version")


def _new_code(session: Session) -> str:
    while True:
        code = "FR-" + "".join(secrets.choice(CROCKFORD) for _ in range(8))
        if session.scalar(select(FootageRequest.id).where(FootageRequest.code == code)) is None:
            return code


def _aware(value: datetime, field: str) -> datetime:
    if value.tzinfo is None:
        raise InvalidInput(f"{field} needs a time zone (e.g. +07:00)",
                           [Problem("no time zone", field)])
    return as_utc(value)


def _window(data: FootageRequestIn, now: datetime) -> tuple[datetime, datetime]:
    start, end = _aware(data.window_start, "window_start"), _aware(data.window_end, "window_end")
    if end <= start:
        raise InvalidInput("the window must end after it starts",
                           [Problem("end before start", "window_end")])
    if end - start > MAX_WINDOW:
        raise InvalidInput("a window is at most 24 hours: ask again for another day",
                           [Problem("longer than 24 hours", "window_end")])
    if end > now + timedelta(minutes=5):
        raise InvalidInput("footage is asked for a time that has passed",
                           [Problem("in the future", "window_end")])
    if start < now - OLDEST:
        raise InvalidInput("footage older than 90 days is gone from recorders",
                           [Problem("older than 90 days", "window_start")])
    return start, end


def _due(value: datetime | None, now: datetime) -> datetime:
    if value is None:
        return now + DEFAULT_DUE
    due = _aware(value, "due_at")
    if not now + DUE_RANGE[0] <= due <= now + DUE_RANGE[1]:
        raise InvalidInput("the deadline must be 1 hour to 14 days from now",
                           [Problem("out of range", "due_at")])
    return due


@dataclass(frozen=True)
class _Origin:
    station: OrgUnit
    incident: Incident | None


def _origin(session: Session, scope: Scope, data: FootageRequestIn) -> _Origin:
    if data.incident_id is None and data.case_number is None:
        raise InvalidInput("name the incident or the case number the footage is for",
                           [Problem("required", "incident_id")])
    incident = (incidents.get_incident(session, scope=scope, incident_id=data.incident_id)
                if data.incident_id is not None else None)
    if data.station_code is not None:
        station = org.get_station(session, scope=scope, code=data.station_code)
        if incident is not None and incident.station_id != station.id:
            raise InvalidInput("the incident belongs to another station",
                               [Problem("another station", "station_code")])
    elif incident is not None:
        station = org.get_unit(session, unit_id=incident.station_id)
    else:
        raise InvalidInput("say which station", [Problem("required", "station_code")])
    return _Origin(station, incident)


def _cameras(session: Session, station_id: uuid.UUID, data: FootageRequestIn) -> list[Camera]:
    """The partner cameras asked about: the chosen ones, or those in the circle."""
    if (data.camera_codes is None) == (data.area is None):
        raise InvalidInput("choose cameras or an area on the map (one of the two)",
                           [Problem("one of the two", "camera_codes")])
    live = select(Camera).where(Camera.station_id == station_id,
                                Camera.status != AssetStatus.RETIRED)
    if data.area is not None:
        area = data.area
        found = [c for c in session.scalars(live.where(Camera.owner_partner_id.is_not(None),
                                                      Camera.owner_class != OwnerClass.POLICE))
                 if haversine_m(area.lat, area.lon, c.lat, c.lon) <= area.radius_m]
        if not found:
            raise InvalidInput("no partner camera in this area: widen the circle or choose "
                               "cameras", [Problem("no camera", "area")])
        return sorted(found, key=lambda c: c.code)
    codes = list(dict.fromkeys(data.camera_codes or []))
    by_code = {c.code: c for c in session.scalars(live.where(Camera.code.in_(codes)))}
    problems = [Problem(f"no camera '{code}' at this station", "camera_codes")
                for code in codes if code not in by_code]
    problems += [Problem(f"'{code}' is a police camera: no owner to ask", "camera_codes")
                 for code in codes if code in by_code and _police(by_code[code])]
    if problems:
        raise InvalidInput("some cameras cannot be asked about", problems)
    return [by_code[code] for code in codes]


def _police(camera: Camera) -> bool:
    """The police's own camera (even when a police partner record owns it, as in the
    demo): its footage is the station's, never asked for."""
    return camera.owner_partner_id is None or camera.owner_class is OwnerClass.POLICE


def create(session: Session, *, scope: Scope, clock: Clock, data: FootageRequestIn,
           push: PartnerPush | None = None) -> list[FootageRequest]:
    """One request per owning partner of the cameras; each sent to its partner's page and,
    where the partner linked LINE, to its LINE."""
    scope.require(Permission.FOOTAGE_REQUEST)
    now = clock.now()
    origin = _origin(session, scope, data)
    start, end = _window(data, now)
    due = _due(data.due_at, now)
    by_owner: dict[uuid.UUID, list[Camera]] = {}
    for camera in _cameras(session, origin.station.id, data):
        assert camera.owner_partner_id is not None
        by_owner.setdefault(camera.owner_partner_id, []).append(camera)
    batch = uuid.uuid4()
    made = []
    for partner_id, cameras in sorted(by_owner.items(), key=lambda kv: kv[1][0].code):
        request = FootageRequest(
            code=_new_code(session), batch_id=batch, station_id=origin.station.id,
            partner_id=partner_id,
            incident_id=origin.incident.id if origin.incident else None,
            case_number=data.case_number, reason=data.reason, window_start=start,
            window_end=end, area_lat=data.area.lat if data.area else None,
            area_lon=data.area.lon if data.area else None,
            area_radius_m=data.area.radius_m if data.area else None, due_at=due,
            status=S.SENT, created_by=scope.username, created_at=now, updated_at=now,
            version=1)
        session.add(request)
        session.flush()
        session.add_all(FootageCamera(request_id=request.id, camera_id=c.id, camera_code=c.code)
                        for c in cameras)
        log_event(session, request, at=now, action="created", side="police",
                  username=scope.username, note=data.reason)
        audit_step(session, scope, request, "create", now,
                   partner=org.partner_by_id(session, partner_id).code,
                   cameras=[c.code for c in cameras], incident=str(request.incident_id or ""),
                   case_number=data.case_number or "")
        pushed = push(session, partner_id, line_text(request, origin.station, cameras)) \
            if push else 0
        log_event(session, request, at=now, action="sent", side="system", username="system",
                  note=f"partner page + LINE ({pushed})" if pushed else "partner page")
        made.append(request)
    if origin.incident is not None:
        incidents.add_log(session, origin.incident, at=now, entry="footage",
                          username=scope.username,
                          text="ขอภาพจากกล้องของ " + ", ".join(r.code for r in made),
                          detail={"footage_requests": [r.code for r in made]})
        incidents.publish(session, origin.incident, now, "incident.updated")
    return made


def line_text(request: FootageRequest, station: OrgUnit, cameras: list[Camera]) -> str:
    """The owner's LINE message: Thai first, English second; no incident, no case number."""
    start = request.window_start.astimezone(BANGKOK)
    end = request.window_end.astimezone(BANGKOK)
    due = request.due_at.astimezone(BANGKOK)
    be = start.year + 543
    codes = ", ".join(c.code for c in cameras[:10]) + (" ..." if len(cameras) > 10 else "")
    return (f"📹 {station.name_th} ขอภาพจากกล้องของท่าน ({request.code})\n"
            f"กล้อง: {codes}\n"
            f"ช่วงเวลา: {start:%d/%m}/{be} {start:%H:%M} - {end:%H:%M} น."
            f"{'' if start.date() == end.date() else f' ({end:%d/%m})'}\n"
            f"เหตุผล: {request.reason[:300]}\n"
            f"ตอบภายใน {due:%d/%m}/{due.year + 543} {due:%H:%M} น. ในหน้าพันธมิตร\n"
            f"📹 {station.name_en or station.code} asks for footage of your cameras "
            f"({request.code}), {start:%Y-%m-%d %H:%M}-{end:%H:%M}: answer in the partner page "
            f"by {due:%Y-%m-%d %H:%M}.")


def _ordered(query: Select[FootageRequest]) -> Select[FootageRequest]:
    waiting = case((FootageRequest.status.in_(ANSWERABLE), 0), else_=1)
    return query.order_by(waiting, FootageRequest.created_at.desc(), FootageRequest.code)


def list_requests(session: Session, *, scope: Scope, station_id: uuid.UUID | None = None,
                  status: FootageStatus | None = None, incident_id: uuid.UUID | None = None,
                  limit: int = 100, offset: int = 0) -> list[FootageRequest]:
    """Requests in scope: the open ones first, newest first."""
    scope.require(Permission.FOOTAGE_REQUEST)
    query = select(FootageRequest).where(scope.station_filter(FootageRequest.station_id))
    for column, value in ((FootageRequest.station_id, station_id),
                          (FootageRequest.status, status),
                          (FootageRequest.incident_id, incident_id)):
        if value is not None:
            query = query.where(column == value)
    return list(session.scalars(_ordered(query).limit(limit).offset(offset)))


def get_request(session: Session, *, scope: Scope, request_id: uuid.UUID) -> FootageRequest:
    scope.require(Permission.FOOTAGE_REQUEST)
    request = session.get(FootageRequest, request_id)
    if request is None or not scope.sees_station(request.station_id):
        raise NotFound(MISSING)
    return request


def close(session: Session, *, scope: Scope, clock: Clock, request_id: uuid.UUID,
          data: CloseIn) -> FootageRequest:
    """The officer has what it needs (or no longer needs it): nothing more is taken."""
    request = get_request(session, scope=scope, request_id=request_id)
    check_version(request, data.version)
    if request.status is S.CLOSED:
        raise Conflict(f"footage request {request.code} is closed already",
                       code="footage-state")
    now = clock.now()
    request.status, request.closed_at = S.CLOSED, now
    touch(request, now)
    log_event(session, request, at=now, action="closed", side="police",
              username=scope.username, note=data.note)
    audit_step(session, scope, request, "close", now, reason=data.note)
    return request


def file_for_download(session: Session, *, scope: Scope, request_id: uuid.UUID,
                      file_id: uuid.UUID, now: datetime) -> tuple[FootageRequest, FootageFile]:
    """A file of a request in scope, its download audited (who took a copy of evidence)."""
    request = get_request(session, scope=scope, request_id=request_id)
    row = session.get(FootageFile, file_id)
    if row is None or row.request_id != request.id:
        raise NotFound("no such file on this footage request")
    audit_step(session, scope, request, "download", now, file=str(row.id), sha256=row.sha256)
    return request, row


def expire_due(db: Database, clock: Clock) -> int:
    """The sweeper's pass: requests unanswered past their deadline become ``expired``."""
    now = clock.now()
    with db.write() as session:
        due = list(session.scalars(select(FootageRequest).where(
            FootageRequest.status.in_(WAITING), FootageRequest.due_at <= now)))
        for request in due:
            request.status = S.EXPIRED
            touch(request, now)
            log_event(session, request, at=now, action="expired", side="system",
                      username="system")
            audit_step(session, None, request, "expire", now)
        return len(due)


def run_sweep(db: Database, clock: Clock, *, store: FootageStore) -> int:
    """The minute sweep: expire unanswered requests, remove uploads a crash cut off and
    resumable uploads abandoned for a day."""
    store.clear_partial()
    Resumable(store).clear_stale()
    return expire_due(db, clock)


def granted(session: Session, *, camera_id: uuid.UUID, start: datetime, end: datetime) -> bool:
    """Whether the camera's owner made its footage of [start, end] available to the police
    (a grant on a request that is not closed): for the recording and clip parts, which show
    such footage under the camera's sharing terms."""
    return session.scalar(select(FootageCamera.request_id).join(
        FootageRequest, FootageRequest.id == FootageCamera.request_id).where(
        FootageCamera.camera_id == camera_id, FootageCamera.granted_at.is_not(None),
        FootageRequest.status != S.CLOSED, FootageRequest.window_start <= as_utc(start),
        FootageRequest.window_end >= as_utc(end)).limit(1)) is not None


read_model = footage_read.police_model
