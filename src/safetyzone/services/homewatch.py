"""Home watch (ฝากบ้าน 4.0): a citizen asks the station to watch their house while they are
away; an officer approves or declines; approved, the house joins the station's patrol plans
for those dates (``patrol.standing``), officers log visits (``homewatch_visits``), and the
owner hears of each one; after the time away the request closes and, after the retention
period, its personal data is erased (``homewatch_sweep``).

The public side proves ownership as citizen tickets do: the phone's own key (its sha256 is
kept), the same 404 for an unknown code and a wrong key; a retry with the same key is the
same request. Every function runs in the caller's transaction and raises ``core.errors``.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from safetyzone.audit import service as audit
from safetyzone.citizen import line_follow, notify, records, routing
from safetyzone.citizen.media import MediaStore, StoredMedia
from safetyzone.core.clock import Clock
from safetyzone.core.errors import Conflict, InvalidInput, NotFound, Problem
from safetyzone.core.geo import check_position
from safetyzone.core.secretbox import SecretBox
from safetyzone.core.security import Permission, Scope
from safetyzone.ops import feed
from safetyzone.org import service as org
from safetyzone.patrol import standing
from safetyzone.services import homewatch_texts as texts
from safetyzone.services.homewatch_models import (
    OPEN_STATES,
    HomeWatchPhoto,
    HomeWatchRequest,
    HomeWatchVisit,
    WatchState,
)
from safetyzone.services.homewatch_schemas import (
    ContactRead,
    HomeWatchIn,
    HomeWatchRead,
    HomeWatchTerms,
    PublicHomeWatch,
    PublicVisit,
    StationName,
    VisitRead,
)

KIND = "home_watch"  # the patrol target kind
MAX_PHOTOS = 3
START_SLACK = timedelta(hours=1)  # "from now" typed a while before sending is not the past
NOT_YOURS = "no such home-watch request, or it is not yours"
FILES_KEY = "ssz.homewatch.files"
CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


@dataclass(frozen=True)
class Rules:
    """The settings home watch works to (``services_homewatch_*``)."""

    max_days: int = 30
    radius_m: float = 50.0
    max_accuracy_m: float = 50.0
    visits_per_plan: int = 1
    retain_days: int = 90
    server_key: str = ""


def terms(rules: Rules, max_photo_bytes: int) -> HomeWatchTerms:
    return HomeWatchTerms(
        consent_version=texts.CONSENT_VERSION,
        consent_th=texts.CONSENT_TH.format(days=rules.retain_days),
        consent_en=texts.CONSENT_EN.format(days=rules.retain_days),
        max_days=rules.max_days, max_photos=MAX_PHOTOS, max_photo_bytes=max_photo_bytes,
        retain_days=rules.retain_days)


def photo_url(photo_id: uuid.UUID) -> str:
    return f"/api/v1/home-watch/photos/{photo_id}"


def visit_photo_url(visit_id: uuid.UUID) -> str:
    return f"/api/v1/home-watch/visits/{visit_id}/photo"


def _new_code(session: Session) -> str:
    while True:
        code = f"H-{records.random_code(8)}"
        if session.scalar(select(HomeWatchRequest.id).where(
                HomeWatchRequest.code == code)) is None:
            return code


def _key_hash(client_key: str) -> str:
    return records.digest(client_key, "homewatch")


def station_name(session: Session, station_id: uuid.UUID) -> StationName:
    unit = org.get_unit(session, unit_id=station_id)
    return StationName(code=unit.code, name_th=unit.name_th, name_en=unit.name_en or "")


def tell(session: Session, request: HomeWatchRequest, what: str, words: tuple[str, str]
         ) -> None:
    """Tell the owner (Thai, English) once this commits: their LINE chat if they follow the
    request there; the request's page shows its state either way."""
    th, en = words
    notify.service(session, notify.ServiceNotice(code=request.code, what=what, th=th, en=en))


def publish(session: Session, request: HomeWatchRequest, now: datetime, event: str) -> None:
    """The console's feed hears that a request changed: its code and state, nothing else."""
    session.flush()
    feed.append(session, station_id=request.station_id, at=now, type="homewatch",
                entity_id=request.id, payload={"code": request.code, "event": event,
                                               "state": request.state.value})


# --- the citizen's side ---------------------------------------------------------------------


def _check_times(data: HomeWatchIn, now: datetime, rules: Rules) -> None:
    problems = []
    if data.away_until <= data.away_from:
        problems.append(Problem("must be after away_from", "away_until"))
    if data.away_from < now - START_SLACK:
        problems.append(Problem("is in the past", "away_from"))
    if data.away_until <= now:
        problems.append(Problem("is in the past", "away_until"))
    if data.away_until - data.away_from > timedelta(days=rules.max_days):
        problems.append(Problem(f"at most {rules.max_days} days after away_from",
                                "away_until"))
    if problems:
        raise InvalidInput("the dates away are not usable", problems)


def create_request(session: Session, *, clock: Clock, box: SecretBox, rules: Rules,
                   data: HomeWatchIn) -> tuple[HomeWatchRequest, bool]:
    """A new request (pending), at the station whose area holds the pin; the same key again
    is the same request (False: nothing new was stored)."""
    now = clock.now()
    key_hash = _key_hash(data.client_key)
    records.lock_key(session, key_hash)
    existing = session.scalar(select(HomeWatchRequest).where(
        HomeWatchRequest.client_key_hash == key_hash))
    if existing is not None:
        return existing, False
    if data.consent.version != texts.CONSENT_VERSION:
        raise InvalidInput("consent is needed before sending", [Problem(
            f"the consent text is now version {texts.CONSENT_VERSION}: show it and ask again",
            "consent.version")])
    _check_times(data, now, rules)
    check_position(data.location.lat, data.location.lon, "location")
    placement = routing.place(session, lat=data.location.lat, lon=data.location.lon)
    request = HomeWatchRequest(
        code=_new_code(session), station_id=placement.station_id, zone_id=placement.zone_id,
        client_key_hash=key_hash, state=WatchState.PENDING, away_from=data.away_from,
        away_until=data.away_until, lat=data.location.lat, lon=data.location.lon,
        address_sealed=box.seal(data.address),
        contacts_sealed=box.seal(json.dumps([c.model_dump() for c in data.contacts],
                                            ensure_ascii=False)),
        notes_sealed=box.seal(data.notes) if data.notes else None,
        consent={"version": data.consent.version, "at": now.isoformat(),
                 "purposes": ["home_watch"]},
        created_at=now, updated_at=now, version=1)
    session.add(request)
    session.flush()
    audit.record(session, actor=None, username="citizen", at=now, action="homewatch.create",
                 entity="homewatch_request", entity_id=request.id,
                 station_id=request.station_id, detail={"code": request.code})
    publish(session, request, now, "created")
    return request, True


def owned(session: Session, *, code: str, caller_key: str) -> HomeWatchRequest:
    request = session.scalar(select(HomeWatchRequest).where(
        HomeWatchRequest.code == records.normalize_code(code)))
    if request is None or not records.same_digest(request.client_key_hash, caller_key,
                                                  "homewatch"):
        raise NotFound(NOT_YOURS)
    return request


def visits_of(session: Session, request: HomeWatchRequest) -> list[HomeWatchVisit]:
    return list(session.scalars(select(HomeWatchVisit).where(
        HomeWatchVisit.request_id == request.id).order_by(HomeWatchVisit.at,
                                                          HomeWatchVisit.id)))


def photos_of(session: Session, request: HomeWatchRequest) -> list[HomeWatchPhoto]:
    return list(session.scalars(select(HomeWatchPhoto).where(
        HomeWatchPhoto.request_id == request.id).order_by(HomeWatchPhoto.created_at,
                                                          HomeWatchPhoto.id)))


def public_view(session: Session, *, rules: Rules, code: str,
                caller_key: str) -> PublicHomeWatch:
    """The owner's page: state, dates, station, each visit as it happened."""
    request = owned(session, code=code, caller_key=caller_key)
    th, en = texts.STATES[request.state]
    return PublicHomeWatch(
        code=request.code, status=request.state, status_th=th, status_en=en,
        station=station_name(session, request.station_id), away_from=request.away_from,
        away_until=request.away_until, decline_reason=request.decline_reason,
        photos=len(photos_of(session, request)),
        follow_pin=line_follow.follow_pin(rules.server_key, request.code),
        visits=[PublicVisit(id=v.id, at=v.at, finding=v.finding, note=v.note,
                            photo=v.photo_path is not None)
                for v in visits_of(session, request)])


def own_visit_photo(session: Session, *, store: MediaStore, code: str, caller_key: str,
                    visit_id: uuid.UUID) -> tuple[Path, str]:
    """The photo an officer took at the owner's house (the owner's own request only)."""
    request = owned(session, code=code, caller_key=caller_key)
    visit = session.get(HomeWatchVisit, visit_id)
    if visit is None or visit.request_id != request.id or visit.photo_path is None:
        raise NotFound("no such visit photo")
    return store.open(visit.photo_path), CONTENT_TYPES[visit.photo_path.rsplit(".", 1)[-1]]


def check_photo_room(session: Session, *, code: str, caller_key: str) -> HomeWatchRequest:
    """Refuse before a byte is decoded: not the caller's, closed, or full."""
    request = owned(session, code=code, caller_key=caller_key)
    if request.state not in OPEN_STATES:
        raise Conflict("this request is over: it takes no more photos")
    if len(photos_of(session, request)) >= MAX_PHOTOS:
        raise Conflict(f"this request already has {MAX_PHOTOS} photos",
                       [Problem(f"at most {MAX_PHOTOS}", "file")])
    return request


def add_photo(session: Session, *, clock: Clock, code: str, caller_key: str,
              stored: StoredMedia) -> HomeWatchPhoto:
    """A photo of the house, already checked and stored (``MediaStore.accept``); the same
    picture again is the one already kept."""
    request = owned(session, code=code, caller_key=caller_key)
    for photo in photos_of(session, request):
        if photo.sha256 == stored.sha256:
            return photo
    check_photo_room(session, code=code, caller_key=caller_key)
    now = clock.now()
    photo = HomeWatchPhoto(request_id=request.id, content_type=stored.content_type,
                           size=stored.size, sha256=stored.sha256, path=stored.path,
                           created_at=now)
    session.add(photo)
    request.updated_at = now
    session.flush()
    return photo


def unreferenced(session: Session, paths: list[str]) -> list[str]:
    """Stored files no row points at (safe to delete: identical uploads share one file)."""
    used = set(session.scalars(select(HomeWatchPhoto.path).where(
        HomeWatchPhoto.path.in_(paths))))
    used |= set(session.scalars(select(HomeWatchVisit.photo_path).where(
        HomeWatchVisit.photo_path.in_(paths))))
    return [p for p in dict.fromkeys(paths) if p not in used]


def cancel(session: Session, *, clock: Clock, code: str, caller_key: str) -> HomeWatchRequest:
    """The owner is back early or changed plans: the house leaves the plans now."""
    request = owned(session, code=code, caller_key=caller_key)
    if request.state not in OPEN_STATES:
        raise Conflict(f"this request is {request.state.value} already")
    now = clock.now()
    finish(session, request, WatchState.CANCELLED, now)
    audit.record(session, actor=None, username="citizen", at=now, action="homewatch.cancel",
                 entity="homewatch_request", entity_id=request.id,
                 station_id=request.station_id)
    return request


def finish(session: Session, request: HomeWatchRequest, state: WatchState,
           now: datetime) -> None:
    """Close a request (cancelled, closed) and take the house out of coming plans."""
    request.state, request.closed_at, request.updated_at = state, now, now
    request.version += 1
    standing.withdraw(session, kind=KIND, ref_id=request.id, now=now)
    publish(session, request, now, state.value)


# --- the station's side ---------------------------------------------------------------------


def get_request(session: Session, *, scope: Scope, request_id: uuid.UUID,
                permission: Permission = Permission.HOMEWATCH_MANAGE) -> HomeWatchRequest:
    scope.require(permission)
    request = session.get(HomeWatchRequest, request_id)
    if request is None or not scope.sees_station(request.station_id):
        raise NotFound("no such home-watch request in your scope")
    return request


def list_requests(session: Session, *, scope: Scope, station_code: str | None,
                  state: WatchState | None, limit: int = 100) -> list[HomeWatchRequest]:
    scope.require(Permission.HOMEWATCH_MANAGE)
    query = select(HomeWatchRequest).where(scope.station_filter(HomeWatchRequest.station_id))
    if station_code is not None:
        query = query.where(HomeWatchRequest.station_id == org.get_station(
            session, scope=scope, code=station_code).id)
    if state is not None:
        query = query.where(HomeWatchRequest.state == state)
    return list(session.scalars(query.order_by(HomeWatchRequest.created_at.desc(),
                                               HomeWatchRequest.id).limit(limit)))


def contacts(box: SecretBox, request: HomeWatchRequest) -> list[ContactRead]:
    if not request.contacts_sealed:
        return []
    return [ContactRead.model_validate(c) for c in json.loads(box.open(request.contacts_sealed))]


def opened(box: SecretBox, sealed: str | None) -> str | None:
    return box.open(sealed) if sealed else None


def visit_read(visit: HomeWatchVisit, code: str) -> VisitRead:
    return VisitRead(id=visit.id, request_id=visit.request_id, code=code, at=visit.at,
                     username=visit.username, unit_id=visit.unit_id,
                     distance_m=visit.distance_m, accuracy_m=visit.accuracy_m,
                     finding=visit.finding, note=visit.note, incident_id=visit.incident_id,
                     photo_url=visit_photo_url(visit.id) if visit.photo_path else None)


def request_read(session: Session, box: SecretBox, request: HomeWatchRequest,
                 with_visits: bool = False) -> HomeWatchRead:
    return HomeWatchRead(
        id=request.id, code=request.code,
        station_code=org.get_unit(session, unit_id=request.station_id).code,
        state=request.state, away_from=request.away_from, away_until=request.away_until,
        lat=request.lat, lon=request.lon, address=opened(box, request.address_sealed),
        contacts=contacts(box, request), notes=opened(box, request.notes_sealed),
        photo_urls=[photo_url(p.id) for p in photos_of(session, request)],
        consent=dict(request.consent or {}), created_at=request.created_at,
        decided_at=request.decided_at, decided_by=request.decided_by,
        decline_reason=request.decline_reason, closed_at=request.closed_at,
        version=request.version,
        visits=[visit_read(v, request.code) for v in visits_of(session, request)]
        if with_visits else [])


def _pending(request: HomeWatchRequest, now: datetime) -> None:
    if request.state is not WatchState.PENDING:
        raise Conflict(f"this request is {request.state.value}: only a pending one is decided")
    if request.away_until <= now:
        raise Conflict("the time away of this request is over already")


def approve(session: Session, *, scope: Scope, clock: Clock, rules: Rules,
            request_id: uuid.UUID) -> HomeWatchRequest:
    """Approve: the house joins every plan of the station over its dates, now and later."""
    request = get_request(session, scope=scope, request_id=request_id)
    now = clock.now()
    _pending(request, now)
    assert request.lat is not None and request.lon is not None
    request.state, request.decided_at, request.decided_by = (
        WatchState.APPROVED, now, scope.username)
    request.updated_at = now
    request.version += 1
    joined = standing.promise(
        session, station_id=request.station_id, kind=KIND, ref_id=request.id,
        name_th=f"บ้านฝากดูแล {request.code}", name_en=f"Home watch {request.code}",
        lat=request.lat, lon=request.lon, radius_m=rules.radius_m,
        target_visits=rules.visits_per_plan, starts_at=request.away_from,
        ends_at=request.away_until, now=now, username=scope.username)
    audit.record(session, actor=scope, at=now, action="homewatch.approve",
                 entity="homewatch_request", entity_id=request.id,
                 station_id=request.station_id,
                 detail={"plans": [str(p) for p in joined]})
    tell(session, request, "approved",
         texts.approved(request.code, request.away_from, request.away_until))
    publish(session, request, now, "approved")
    return request


def decline(session: Session, *, scope: Scope, clock: Clock, request_id: uuid.UUID,
            reason: str) -> HomeWatchRequest:
    request = get_request(session, scope=scope, request_id=request_id)
    now = clock.now()
    _pending(request, now)
    request.state, request.decided_at, request.decided_by = (
        WatchState.DECLINED, now, scope.username)
    request.decline_reason, request.closed_at, request.updated_at = reason, now, now
    request.version += 1
    audit.record(session, actor=scope, at=now, action="homewatch.decline",
                 entity="homewatch_request", entity_id=request.id,
                 station_id=request.station_id, reason=reason)
    tell(session, request, "declined", texts.declined(request.code, reason))
    publish(session, request, now, "declined")
    return request


def photo_file(session: Session, *, scope: Scope, store: MediaStore,
               photo_id: uuid.UUID) -> tuple[Path, str]:
    """An owner's photo of the house, for the station and its officers on duty."""
    photo = session.get(HomeWatchPhoto, photo_id)
    request = None if photo is None else session.get(HomeWatchRequest, photo.request_id)
    if photo is None or request is None or not can_read(scope, request.station_id):
        raise NotFound("no such home-watch photo in your scope")
    return store.open(photo.path), photo.content_type


def can_read(scope: Scope, station_id: uuid.UUID) -> bool:
    """Managers of the station and its officers on duty read a request's photos."""
    allowed = scope.can(Permission.HOMEWATCH_MANAGE) or scope.can(Permission.PATROL_DUTY)
    return allowed and scope.sees_station(station_id)


def count_photos(session: Session, request_id: uuid.UUID) -> int:
    return int(session.scalar(select(func.count()).select_from(HomeWatchPhoto).where(
        HomeWatchPhoto.request_id == request_id)) or 0)
