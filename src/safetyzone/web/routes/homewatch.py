"""Home watch (ฝากบ้าน 4.0): the citizen's request and page (``/api/v1/public/home-watch``,
no login, throttled, the phone's own key as ``X-Caller-Key``), the station's review
(``/api/v1/home-watch``, HOMEWATCH_MANAGE) and the officer's visits from the phone
(``/api/v1/officer/home-watch``, PATROL_DUTY, ``Idempotency-Key``). Rules live in
``services.homewatch*``; these routes only translate.

A refused visit is an answer, not an error: 422 problem+json with ``reason``,
``message_th`` and ``message_en`` (as a refused red-box check-in), kept with the key so a
retry gets the same answer.
"""

from __future__ import annotations

import uuid
from http import HTTPStatus
from typing import Annotated, Any

from fastapi import APIRouter, File, Header, Path, Query, UploadFile, status
from fastapi.responses import FileResponse, JSONResponse
from sqlalchemy.orm import Session

from safetyzone.citizen import line_follow
from safetyzone.citizen.media import MediaKind, MediaStore
from safetyzone.citizen.schemas import CLIENT_KEY_PATTERN
from safetyzone.core.errors import PayloadTooLarge, Problem
from safetyzone.services import homewatch, homewatch_visits
from safetyzone.services.homewatch_models import HomeWatchRequest, WatchState
from safetyzone.services.homewatch_schemas import (
    HOMEWATCH_CODE_PATTERN,
    DeclineIn,
    HomeWatchCreated,
    HomeWatchIn,
    HomeWatchRead,
    HomeWatchTerms,
    OfficerHouse,
    PhotoAttached,
    PublicHomeWatch,
    VisitIn,
    VisitRead,
)
from safetyzone.web.context import AppContext
from safetyzone.web.deps import ContextDep, ScopeDep
from safetyzone.web.idempotency import IdempotencyKey, once
from safetyzone.web.problems import problem_responses
from safetyzone.web.routes.citizen_public import READ, WRITE

router = APIRouter(tags=["home watch"])
PUBLIC = "/api/v1/public/home-watch"
STATION = "/api/v1/home-watch"
OFFICER = "/api/v1/officer/home-watch"
VISIT_ROUTE = "homewatch.visit"
Code = Annotated[str, Path(min_length=10, max_length=10, pattern=HOMEWATCH_CODE_PATTERN,
                           description="Request code, e.g. H-7K3M9QXP.")]
CallerKey = Annotated[str, Header(alias="X-Caller-Key", min_length=22, max_length=64,
                                  pattern=CLIENT_KEY_PATTERN)]
PHOTO: dict[int | str, dict[str, Any]] = {200: {
    "content": {"image/jpeg": {}, "image/png": {}, "image/webp": {}},
    "description": "The photo (EXIF removed)."}}
PRIVATE = {"Cache-Control": "private, no-store"}


def media(ctx: AppContext) -> MediaStore:
    """Where the owners' and the officers' home-watch photos are kept (EXIF removed)."""
    return MediaStore(ctx.settings.data_dir / "homewatch-media",
                      max_photo_bytes=ctx.settings.citizen_media_max_bytes)


def rules(ctx: AppContext) -> homewatch.Rules:
    s = ctx.settings
    return homewatch.Rules(max_days=s.services_homewatch_max_days,
                           radius_m=s.services_homewatch_radius_m,
                           max_accuracy_m=s.services_homewatch_max_accuracy_m,
                           visits_per_plan=s.services_homewatch_visits_per_plan,
                           retain_days=s.services_retain_homewatch_days,
                           server_key=s.secret_key.get_secret_value())


def _upload(ctx: AppContext, file: UploadFile) -> bytes:
    limit = ctx.settings.citizen_media_max_bytes
    data = file.file.read(limit + 1)
    if len(data) > limit:
        raise PayloadTooLarge(f"the file is larger than {limit} bytes",
                              [Problem(f"larger than {limit} bytes", "file")])
    return data


def _forget_unused(ctx: AppContext, store: MediaStore, path: str) -> None:
    with ctx.db.read() as session:
        for unused in homewatch.unreferenced(session, [path]):
            store.delete(unused)


# --- the citizen ------------------------------------------------------------------------------


@router.get(f"{PUBLIC}/terms", response_model=HomeWatchTerms, dependencies=READ)
def read_home_watch_terms(ctx: ContextDep) -> HomeWatchTerms:
    """The consent text (Thai, English, its version) and the limits the form shows."""
    return homewatch.terms(rules(ctx), ctx.settings.citizen_media_max_bytes)


@router.post(PUBLIC, response_model=HomeWatchCreated, status_code=status.HTTP_201_CREATED,
             dependencies=WRITE, responses={200: {"model": HomeWatchCreated,
                                                  "description": "Sent again with the same "
                                                  "key: the request already made."}})
def create_home_watch(ctx: ContextDep, body: HomeWatchIn) -> JSONResponse:
    """Ask the station whose area holds the pin to watch the house while you are away."""
    given = rules(ctx)
    with ctx.db.write() as session:
        request, created = homewatch.create_request(session, clock=ctx.clock, box=ctx.secrets,
                                                    rules=given, data=body)
        answer = HomeWatchCreated(
            code=request.code, status=request.state,
            station=homewatch.station_name(session, request.station_id),
            follow_pin=line_follow.follow_pin(given.server_key, request.code))
    return JSONResponse(answer.model_dump(mode="json"), status_code=201 if created else 200)


@router.get(f"{PUBLIC}/{{code}}", response_model=PublicHomeWatch, dependencies=READ)
def read_home_watch(ctx: ContextDep, code: Code, caller_key: CallerKey) -> PublicHomeWatch:
    """Your request: its state and every visit as it happened."""
    with ctx.db.read() as session:
        return homewatch.public_view(session, rules=rules(ctx), code=code,
                                     caller_key=caller_key)


@router.post(f"{PUBLIC}/{{code}}/photos", response_model=PhotoAttached,
             status_code=status.HTTP_201_CREATED, dependencies=WRITE,
             responses=problem_responses(404, 409, 413, 415, 422))
def create_home_watch_photo(ctx: ContextDep, code: Code, caller_key: CallerKey,
                            file: Annotated[UploadFile, File(description="JPEG, PNG or "
                                                             "WebP")]) -> PhotoAttached:
    """A photo of the house (at most 3), so the patrol knows it."""
    data = _upload(ctx, file)
    with ctx.db.read() as session:  # whose and how full, before a byte is decoded
        homewatch.check_photo_room(session, code=code, caller_key=caller_key)
    store = media(ctx)
    stored = store.accept(data, declared_type=file.content_type, allow={MediaKind.PHOTO})
    try:
        with ctx.db.write() as session:
            photo = homewatch.add_photo(session, clock=ctx.clock, code=code,
                                        caller_key=caller_key, stored=stored)
            return PhotoAttached(photo_url=homewatch.photo_url(photo.id))
    except BaseException:
        _forget_unused(ctx, store, stored.path)
        raise


@router.get(f"{PUBLIC}/{{code}}/visits/{{visit_id}}/photo", response_class=FileResponse,
            dependencies=READ, responses=PHOTO)
def read_home_watch_visit_photo(ctx: ContextDep, code: Code, caller_key: CallerKey,
                                visit_id: uuid.UUID) -> FileResponse:
    """The photo an officer took at your house."""
    with ctx.db.read() as session:
        path, content_type = homewatch.own_visit_photo(
            session, store=media(ctx), code=code, caller_key=caller_key, visit_id=visit_id)
    return FileResponse(path, media_type=content_type, headers=PRIVATE)


@router.post(f"{PUBLIC}/{{code}}/cancel", response_model=PublicHomeWatch, dependencies=WRITE,
             responses=problem_responses(404, 409))
def cancel_home_watch(ctx: ContextDep, code: Code, caller_key: CallerKey) -> PublicHomeWatch:
    """Back early: the patrols stop coming (your data goes after the retention period)."""
    with ctx.db.write() as session:
        homewatch.cancel(session, clock=ctx.clock, code=code, caller_key=caller_key)
        return homewatch.public_view(session, rules=rules(ctx), code=code,
                                     caller_key=caller_key)


# --- the station ------------------------------------------------------------------------------


@router.get(STATION, response_model=list[HomeWatchRead])
def list_home_watch(ctx: ContextDep, scope: ScopeDep, station_code: str | None = None,
                    state: WatchState | None = None,
                    limit: Annotated[int, Query(ge=1, le=500)] = 100) -> list[HomeWatchRead]:
    """Requests of your stations, newest first (address and contacts: personal data)."""
    with ctx.db.read() as session:
        rows = homewatch.list_requests(session, scope=scope, station_code=station_code,
                                       state=state, limit=limit)
        return [homewatch.request_read(session, ctx.secrets, r) for r in rows]


@router.get(f"{STATION}/{{request_id}}", response_model=HomeWatchRead)
def read_home_watch_request(ctx: ContextDep, scope: ScopeDep,
                            request_id: uuid.UUID) -> HomeWatchRead:
    """One request with its visits."""
    with ctx.db.read() as session:
        request = homewatch.get_request(session, scope=scope, request_id=request_id)
        return homewatch.request_read(session, ctx.secrets, request, with_visits=True)


@router.post(f"{STATION}/{{request_id}}/approve", response_model=HomeWatchRead,
             responses=problem_responses(404, 409))
def approve_home_watch(ctx: ContextDep, scope: ScopeDep, request_id: uuid.UUID
                       ) -> HomeWatchRead:
    """Approve: the house joins the station's patrol plans for its dates."""
    with ctx.db.write() as session:
        request = homewatch.approve(session, scope=scope, clock=ctx.clock, rules=rules(ctx),
                                    request_id=request_id)
        return homewatch.request_read(session, ctx.secrets, request, with_visits=True)


@router.post(f"{STATION}/{{request_id}}/decline", response_model=HomeWatchRead,
             responses=problem_responses(404, 409))
def decline_home_watch(ctx: ContextDep, scope: ScopeDep, request_id: uuid.UUID,
                       body: DeclineIn) -> HomeWatchRead:
    """Decline, with the reason the owner reads."""
    with ctx.db.write() as session:
        request = homewatch.decline(session, scope=scope, clock=ctx.clock,
                                    request_id=request_id, reason=body.reason)
        return homewatch.request_read(session, ctx.secrets, request, with_visits=True)


@router.get(f"{STATION}/photos/{{photo_id}}", response_class=FileResponse, responses=PHOTO)
def read_home_watch_photo(ctx: ContextDep, scope: ScopeDep, photo_id: uuid.UUID
                          ) -> FileResponse:
    """An owner's photo of the house (managers and officers on duty of its station)."""
    with ctx.db.read() as session:
        path, content_type = homewatch.photo_file(session, scope=scope, store=media(ctx),
                                                  photo_id=photo_id)
    return FileResponse(path, media_type=content_type, headers=PRIVATE)


@router.get(f"{STATION}/visits/{{visit_id}}/photo", response_class=FileResponse,
            responses=PHOTO)
def read_home_watch_visit_photo_station(ctx: ContextDep, scope: ScopeDep, visit_id: uuid.UUID
                                        ) -> FileResponse:
    """The photo an officer took on a visit."""
    with ctx.db.read() as session:
        path, content_type = homewatch_visits.photo_file(session, scope=scope,
                                                         store=media(ctx), visit_id=visit_id)
    return FileResponse(path, media_type=content_type, headers=PRIVATE)


# --- the officer's phone -----------------------------------------------------------------------


@router.get(OFFICER, response_model=list[OfficerHouse])
def list_officer_houses(ctx: ContextDep, scope: ScopeDep) -> list[OfficerHouse]:
    """The houses your unit's station watches now (none when you are not on shift)."""
    with ctx.db.read() as session:
        return homewatch_visits.houses(session, scope=scope, clock=ctx.clock, box=ctx.secrets,
                                       rules=rules(ctx))


def _visit_answer(session: Session, verdict: homewatch_visits.Verdict, instance: str
                  ) -> tuple[int, dict[str, Any]]:
    if verdict.visit is not None:
        request = session.get(HomeWatchRequest, verdict.visit.request_id)
        assert request is not None
        return 201, homewatch.visit_read(verdict.visit, request.code).model_dump(mode="json")
    assert verdict.refusal is not None
    return 422, {"type": "https://safetyzone.dev/problems/visit-refused",
                 "title": HTTPStatus(422).phrase, "status": 422,
                 "detail": verdict.refusal.message_en, "code": "visit-refused",
                 "instance": instance, **verdict.refusal.model_dump(mode="json")}


@router.post(f"{OFFICER}/{{request_id}}/visits", response_model=VisitRead,
             status_code=status.HTTP_201_CREATED, responses=problem_responses(404, 409, 422))
def create_home_watch_visit(ctx: ContextDep, scope: ScopeDep, request_id: uuid.UUID,
                            body: VisitIn, key: IdempotencyKey = None) -> JSONResponse:
    """Log a visit at the house with the phone's GPS fix; the owner hears of it at once.

    Refused: 422 problem+json with ``reason`` (off_shift, other_station, not_watched,
    poor_accuracy, too_far), ``message_th``, ``message_en`` and ``distance_m``."""
    given = rules(ctx)

    def work(session: Session) -> tuple[int, dict[str, Any]]:
        verdict = homewatch_visits.log_visit(session, scope=scope, clock=ctx.clock,
                                             rules=given, request_id=request_id, data=body,
                                             idempotency_key=key)
        return _visit_answer(session, verdict, f"{OFFICER}/{request_id}/visits")

    return once(ctx, scope, key, VISIT_ROUTE, work)


@router.post(f"{OFFICER}/visits/{{visit_id}}/photo", response_model=PhotoAttached,
             status_code=status.HTTP_201_CREATED,
             responses=problem_responses(404, 409, 413, 415, 422))
def create_home_watch_visit_photo(ctx: ContextDep, scope: ScopeDep, visit_id: uuid.UUID,
                                  file: Annotated[UploadFile, File(description="JPEG, PNG "
                                                                   "or WebP")]
                                  ) -> PhotoAttached:
    """A photo of your own visit (one; the same photo again is answered the same)."""
    data = _upload(ctx, file)
    with ctx.db.read() as session:  # whose visit, before a byte is decoded or kept
        homewatch_visits.own_visit(session, scope=scope, visit_id=visit_id)
    store = media(ctx)
    stored = store.accept(data, declared_type=file.content_type, allow={MediaKind.PHOTO})
    try:
        with ctx.db.write() as session:
            visit = homewatch_visits.attach_photo(session, scope=scope, clock=ctx.clock,
                                                  store=store, visit_id=visit_id,
                                                  stored=stored)
            return PhotoAttached(photo_url=homewatch.visit_photo_url(visit.id))
    except BaseException:
        _forget_unused(ctx, store, stored.path)
        raise
