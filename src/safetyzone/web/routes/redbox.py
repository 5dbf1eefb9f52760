"""Red box 4.0: the officer's check-in (and its photo), and the console's boxes, keys, QR
sheets and check-in list. Rules live in ``patrol.redbox*``; these routes only translate.

A refused check-in is an answer, not an error: it is stored and committed like an accepted
one, and answered 422 problem+json with ``reason``, ``message_th``, ``message_en`` and
``checkin_id``, so the phone shows the officer why in Thai.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from http import HTTPStatus
from typing import Annotated, Any

from fastapi import APIRouter, File, Query, Response, UploadFile, status
from fastapi.responses import FileResponse, JSONResponse
from sqlalchemy.orm import Session

from safetyzone.citizen.media import MediaKind, MediaStore
from safetyzone.core.errors import PayloadTooLarge
from safetyzone.core.paging import MAX_OFFSET
from safetyzone.org import service as org
from safetyzone.patrol import qrsheet, redbox, redbox_checkins, redbox_keys
from safetyzone.patrol.redbox_schemas import (
    CheckInIn,
    CheckInRead,
    CheckInRefusal,
    CheckInRow,
    KeyIn,
    KeyIssued,
    PhotoAttached,
    RedBoxRead,
)
from safetyzone.web.console.assets import find_node_modules
from safetyzone.web.context import AppContext
from safetyzone.web.deps import ContextDep, ScopeDep
from safetyzone.web.idempotency import IdempotencyKey, once
from safetyzone.web.problems import problem_responses

router = APIRouter(tags=["red boxes"])
CHECKIN_ROUTE = "redbox.checkin"
NO_STORE = {"Cache-Control": "no-store"}


def _media(ctx: AppContext) -> MediaStore:
    """Where check-in photos are kept (EXIF removed), apart from citizens' media."""
    return MediaStore(ctx.settings.data_dir / "redbox-media",
                      max_photo_bytes=ctx.settings.citizen_media_max_bytes)


def _rules(ctx: AppContext) -> redbox.Rules:
    settings = ctx.settings
    return redbox.Rules(radius_m=settings.patrol_checkin_radius_m,
                        max_accuracy_m=settings.patrol_checkin_max_accuracy_m,
                        max_delay_s=settings.patrol_checkin_max_delay_s,
                        repeat_min=settings.patrol_checkin_repeat_min,
                        totp_step_s=settings.patrol_totp_step_s)


def _answer(verdict: redbox.Verdict, instance: str) -> tuple[int, dict[str, Any]]:
    row = verdict.checkin
    if verdict.accepted and verdict.box is not None:
        read = CheckInRead(id=row.id, accepted=True, box=redbox_checkins.box_ref(verdict.box),
                           distance_m=row.distance_m, at=row.scanned_at,
                           message_th=verdict.message_th, message_en=verdict.message_en)
        return 201, read.model_dump(mode="json")
    assert verdict.reason is not None
    refusal = CheckInRefusal(reason=verdict.reason, message_th=verdict.message_th,
                             message_en=verdict.message_en, checkin_id=row.id)
    return 422, {"type": "https://safetyzone.dev/problems/checkin-refused",
                 "title": HTTPStatus(422).phrase, "status": 422,
                 "detail": verdict.message_en, "code": "checkin-refused",
                 "instance": instance, **refusal.model_dump(mode="json")}



@router.post("/api/v1/officer/checkins", response_model=CheckInRead,
             status_code=status.HTTP_201_CREATED)
def create_checkin(ctx: ContextDep, scope: ScopeDep, body: CheckInIn,
                   idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """Check in at a red box with its scanned QR and the phone's GPS fix.

    Refused (and recorded all the same): 422 problem+json with the extra members
    ``reason`` (forged, expired, stale, off_shift, poor_accuracy, too_far, replayed,
    repeat), ``message_th``, ``message_en`` and ``checkin_id``."""
    rules = _rules(ctx)
    attempt = redbox.Attempt(code=body.code, scanned_at=body.scanned_at, lat=body.lat,
                             lon=body.lon, accuracy_m=body.accuracy_m,
                             idempotency_key=idempotency_key)

    def work(session: Session) -> tuple[int, dict[str, Any]]:
        verdict = redbox.verify_checkin(session, scope=scope, clock=ctx.clock,
                                        secrets=ctx.secrets, rules=rules, attempt=attempt)
        return _answer(verdict, "/api/v1/officer/checkins")

    return once(ctx, scope, idempotency_key, CHECKIN_ROUTE, work)


@router.post("/api/v1/officer/checkins/{checkin_id}/photo", response_model=PhotoAttached,
             status_code=status.HTTP_201_CREATED, responses=problem_responses(415))
def create_checkin_photo(ctx: ContextDep, scope: ScopeDep, checkin_id: uuid.UUID,
                         file: Annotated[UploadFile, File(description="A JPEG, PNG or WebP "
                                                          "photo")]) -> PhotoAttached:
    """Add a photo to your own check-in (one; the same photo again is answered the same)."""
    limit = ctx.settings.citizen_media_max_bytes
    data = file.file.read(limit + 1)
    if len(data) > limit:
        raise PayloadTooLarge(f"the file is larger than {limit} bytes")
    store = _media(ctx)
    with ctx.db.read() as session:  # whose check-in, before a byte is decoded or kept
        redbox_checkins.own_checkin(session, scope=scope, checkin_id=checkin_id)
    stored = store.accept(data, declared_type=file.content_type, allow={MediaKind.PHOTO})
    with ctx.db.write() as session:
        row = redbox_checkins.attach_photo(session, scope=scope, clock=ctx.clock, store=store,
                                           checkin_id=checkin_id, stored=stored)
        return PhotoAttached(photo_url=redbox_checkins.photo_url(row.id))


@router.get("/api/v1/checkins/{checkin_id}/photo", response_class=FileResponse,
            responses={200: {"content": {"image/jpeg": {}, "image/png": {}, "image/webp": {}},
                             "description": "The stored photo (EXIF removed)."}})
def read_checkin_photo(ctx: ContextDep, scope: ScopeDep, checkin_id: uuid.UUID
                       ) -> FileResponse:
    with ctx.db.read() as session:
        path, content_type = redbox_checkins.photo_file(session, scope=scope,
                                                        store=_media(ctx),
                                                        checkin_id=checkin_id)
    return FileResponse(path, media_type=content_type,
                        headers={"Cache-Control": "private, no-store"})


@router.get("/api/v1/checkins", response_model=list[CheckInRow])
def list_checkins(
    ctx: ContextDep, scope: ScopeDep,
    station_code: Annotated[str | None, Query(max_length=64)] = None,
    since: datetime | None = None, until: datetime | None = None,
    unit_id: uuid.UUID | None = None, accepted: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> list[CheckInRow]:
    """Check-in attempts (refused ones too) in your stations, newest scan first."""
    with ctx.db.read() as session:
        station_id = (org.get_station(session, scope=scope, code=station_code).id
                      if station_code else None)
        return redbox_checkins.list_checkins(
            session, scope=scope, rules=_rules(ctx),
            station_id=station_id, since=since, until=until, unit_id=unit_id,
            accepted=accepted, limit=limit, offset=offset)


@router.get("/api/v1/red-boxes", response_model=list[RedBoxRead])
def list_red_boxes(ctx: ContextDep, scope: ScopeDep,
                   station_code: Annotated[str | None, Query(max_length=64)] = None
                   ) -> list[RedBoxRead]:
    """Red boxes with their key mode, key version and last accepted check-in."""
    with ctx.db.read() as session:
        station_id = (org.get_station(session, scope=scope, code=station_code).id
                      if station_code else None)
        return redbox_keys.list_boxes(session, scope=scope, station_id=station_id)


@router.get("/api/v1/red-boxes/sheet.pdf", response_class=Response,
            responses={200: {"content": {"application/pdf": {}},
                             "description": "One QR card per printed-mode box."}})
def read_red_box_sheet(ctx: ContextDep, scope: ScopeDep,
                       station_code: Annotated[str, Query(min_length=1, max_length=64)]
                       ) -> Response:
    """The station's printable QR sheet (A4, four boxes a page); each print is audited."""
    with ctx.db.write() as session:
        boxes = redbox_keys.sheet_boxes(session, scope=scope, clock=ctx.clock,
                                        box=ctx.secrets, station_code=station_code)
        unit = org.get_station(session, scope=scope, code=station_code)
        station = qrsheet.Station(code=unit.code, name_th=unit.name_th, name_en=unit.name_en)
    pdf = qrsheet.render_pdf(station, boxes, ctx.clock.now(),
                             find_node_modules() / "@fontsource" / "sarabun" / "files")
    return Response(pdf, media_type="application/pdf", headers={
        **NO_STORE, "Content-Disposition": f'inline; filename="red-boxes-{unit.code}.pdf"'})


@router.post("/api/v1/red-boxes/{asset_id}/key", response_model=KeyIssued)
def rotate_red_box_key(ctx: ContextDep, scope: ScopeDep, asset_id: uuid.UUID,
                       body: KeyIn, response: Response) -> KeyIssued:
    """Give a box a new key: its old QR (or screen) stops working at once. For a rotating
    box the otpauth URI that provisions its screen is in this answer only."""
    response.headers.update(NO_STORE)
    with ctx.db.write() as session:
        return redbox_keys.rotate_key(session, scope=scope, clock=ctx.clock, box=ctx.secrets,
                                      asset_id=asset_id, mode=body.mode,
                                      step_s=ctx.settings.patrol_totp_step_s)
