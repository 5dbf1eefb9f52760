"""Officers' visits to watched houses, logged from the phone at the house.

A visit is decided in this order, and a refusal is an answer (422 with ``reason``,
``message_th``, ``message_en``), never a stored visit: ``off_shift`` (no shift with a unit),
``other_station`` (the unit is not of the house's station), ``not_watched`` (the request is
not approved or its time away is not now), ``poor_accuracy`` (the fix is worse than
``services_homewatch_max_accuracy_m``), ``too_far`` (farther than
``services_homewatch_radius_m`` from the pin). A house of a station outside the caller's
scope looks missing (404). The phone sends each visit with an ``Idempotency-Key``
(``web.idempotency``): a retry is the same answer and nothing twice.

An accepted visit is told to the owner at once (``citizen.notify.service``: their LINE if they
follow the request there, and the request's page); a visit that found something wrong opens
an incident at the house for the console.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, time
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from safetyzone.audit import service as audit
from safetyzone.citizen.media import MediaStore, StoredMedia
from safetyzone.core.clock import BANGKOK, Clock, as_utc
from safetyzone.core.errors import Conflict, NotFound, Problem
from safetyzone.core.geo import haversine_m
from safetyzone.core.secretbox import SecretBox
from safetyzone.core.security import Permission, Scope
from safetyzone.ops import incidents, units
from safetyzone.patrol import plans
from safetyzone.services import homewatch
from safetyzone.services import homewatch_texts as texts
from safetyzone.services.homewatch_models import (
    Finding,
    HomeWatchRequest,
    HomeWatchVisit,
    WatchState,
)
from safetyzone.services.homewatch_schemas import OfficerHouse, VisitIn, VisitRefusal

INCIDENT_KIND = "home_watch_problem"
INCIDENT_PRIORITY = 2
ACK_TIMEOUT_S = 300


@dataclass(frozen=True)
class Verdict:
    visit: HomeWatchVisit | None
    refusal: VisitRefusal | None


def _refused(reason: str, distance_m: float | None = None, **values: float) -> Verdict:
    th, en = texts.refusal(reason, **values)
    return Verdict(None, VisitRefusal(reason=reason,
                                      message_th=th, message_en=en, distance_m=distance_m))


def _watched(request: HomeWatchRequest, now: datetime) -> bool:
    return (request.state is WatchState.APPROVED and request.away_from <= now
            < request.away_until and request.lat is not None and request.lon is not None)


def _day_start(now: datetime) -> datetime:
    local = as_utc(now).astimezone(BANGKOK)
    return datetime.combine(local.date(), time(), BANGKOK)


def houses(session: Session, *, scope: Scope, clock: Clock, box: SecretBox,
           rules: homewatch.Rules) -> list[OfficerHouse]:
    """The houses the caller's unit's station watches now (none off shift)."""
    scope.require(Permission.PATROL_DUTY)
    unit_id = plans.caller_unit(session, scope)
    station_id = None if unit_id is None else units.station_of(session, unit_id=unit_id)
    if station_id is None or not scope.sees_station(station_id):
        return []
    now = clock.now()
    rows = session.scalars(select(HomeWatchRequest).where(
        HomeWatchRequest.station_id == station_id,
        HomeWatchRequest.state == WatchState.APPROVED, HomeWatchRequest.away_from <= now,
        HomeWatchRequest.away_until > now).order_by(HomeWatchRequest.away_until,
                                                    HomeWatchRequest.code))
    since = _day_start(now)
    out = []
    for request in rows:
        if request.lat is None or request.lon is None:
            continue
        today, last = session.execute(select(
            func.count(HomeWatchVisit.id).filter(HomeWatchVisit.at >= since),
            func.max(HomeWatchVisit.at)).where(
            HomeWatchVisit.request_id == request.id)).one()
        out.append(OfficerHouse(
            id=request.id, code=request.code,
            address=homewatch.opened(box, request.address_sealed), lat=request.lat,
            lon=request.lon, radius_m=rules.radius_m,
            notes=homewatch.opened(box, request.notes_sealed),
            contacts=homewatch.contacts(box, request), away_from=request.away_from,
            away_until=request.away_until,
            photo_urls=[homewatch.photo_url(p.id)
                        for p in homewatch.photos_of(session, request)],
            visits_today=int(today or 0), last_visit_at=last))
    return out


def log_visit(session: Session, *, scope: Scope, clock: Clock, rules: homewatch.Rules,
              request_id: uuid.UUID, data: VisitIn, idempotency_key: str | None) -> Verdict:
    """Decide and, when accepted, store a visit; tell the owner; a problem opens an
    incident."""
    scope.require(Permission.PATROL_DUTY)
    request = session.get(HomeWatchRequest, request_id)
    if request is None or not scope.sees_station(request.station_id):
        raise NotFound("no such home-watch request in your scope")
    now = clock.now()
    unit_id = plans.caller_unit(session, scope)
    if unit_id is None:
        return _refused("off_shift")
    if units.station_of(session, unit_id=unit_id) != request.station_id:
        return _refused("other_station")
    if not _watched(request, now):
        return _refused("not_watched")
    if data.accuracy_m > rules.max_accuracy_m:
        return _refused("poor_accuracy", accuracy=data.accuracy_m, limit=rules.max_accuracy_m)
    assert request.lat is not None and request.lon is not None
    distance = round(haversine_m(data.lat, data.lon, request.lat, request.lon), 1)
    if distance > rules.radius_m:
        return _refused("too_far", distance_m=distance, distance=distance,
                        limit=rules.radius_m)
    visit = HomeWatchVisit(
        request_id=request.id, station_id=request.station_id, at=now, user_id=scope.user_id,
        username=scope.username, unit_id=unit_id, lat=data.lat, lon=data.lon,
        accuracy_m=data.accuracy_m, distance_m=distance, finding=data.finding,
        note=data.note or None, idempotency_key=idempotency_key)
    session.add(visit)
    session.flush()
    if data.finding is Finding.PROBLEM:
        visit.incident_id = _open_incident(session, request, visit, now)
    audit.record(session, actor=scope, at=now, action="homewatch.visit",
                 entity="homewatch_request", entity_id=request.id,
                 station_id=request.station_id,
                 detail={"visit_id": str(visit.id), "finding": data.finding.value,
                         "distance_m": distance, "unit_id": str(unit_id),
                         "incident_id": str(visit.incident_id) if visit.incident_id else None})
    homewatch.tell(session, request, "visited",
                   texts.visited(request.code, now, data.finding, visit.note))
    homewatch.publish(session, request, now, "visited")
    return Verdict(visit, None)


def _open_incident(session: Session, request: HomeWatchRequest, visit: HomeWatchVisit,
                   now: datetime) -> uuid.UUID:
    assert request.lat is not None and request.lon is not None
    return incidents.open_alert(
        session, station_id=request.station_id, kind=INCIDENT_KIND,
        priority=INCIDENT_PRIORITY,
        title_th=f"ฝากบ้าน {request.code}: สายตรวจพบสิ่งผิดปกติ",
        title_en=f"Home watch {request.code}: the patrol found something wrong",
        lat=request.lat, lon=request.lon, now=now, ack_timeout_s=ACK_TIMEOUT_S,
        source_th=f"บ้านฝากดูแล {request.code}", source_en=f"Home watch {request.code}",
        detail={"homewatch_request_id": str(request.id), "code": request.code,
                "visit_id": str(visit.id), "username": visit.username,
                "note": visit.note or ""}).id


def own_visit(session: Session, *, scope: Scope, visit_id: uuid.UUID) -> HomeWatchVisit:
    """One of the caller's own visits (anyone else's looks missing)."""
    scope.require(Permission.PATROL_DUTY)
    visit = session.get(HomeWatchVisit, visit_id)
    if visit is None or visit.user_id != scope.user_id:
        raise NotFound("no such visit of yours")
    return visit


def attach_photo(session: Session, *, scope: Scope, clock: Clock, store: MediaStore,
                 visit_id: uuid.UUID, stored: StoredMedia) -> HomeWatchVisit:
    """One photo per visit, already checked and stored; the same picture again is answered
    as the first time, another one is refused (the visit does not change)."""
    visit = own_visit(session, scope=scope, visit_id=visit_id)
    if visit.photo_path is not None:
        if visit.photo_path == stored.path:
            return visit
        if homewatch.unreferenced(session, [stored.path]):
            store.delete(stored.path)
        raise Conflict("this visit already has a photo",
                       [Problem("one photo per visit", "file")], code="photo-exists")
    visit.photo_path = stored.path
    audit.record(session, actor=scope, at=clock.now(), action="homewatch.visit.photo",
                 entity="homewatch_visit", entity_id=visit.id, station_id=visit.station_id,
                 detail={"sha256": stored.sha256, "size": stored.size})
    return visit


def photo_file(session: Session, *, scope: Scope, store: MediaStore,
               visit_id: uuid.UUID) -> tuple[Path, str]:
    visit = session.get(HomeWatchVisit, visit_id)
    if visit is None or visit.photo_path is None or not homewatch.can_read(
            scope, visit.station_id):
        raise NotFound("no such visit photo in your scope")
    return store.open(visit.photo_path), homewatch.CONTENT_TYPES[
        visit.photo_path.rsplit(".", 1)[-1]]
