"""The officer's phone: shift, status, the assigned incident's notes and photos, positions
and SOS. Always the caller's own shift and unit (``patrol.officer`` checks).

Every POST but positions and SOS takes an ``Idempotency-Key`` (``web.idempotency``): the
phone queues actions in a dead spot and a retry must not act twice. Positions and SOS carry
their own ids, which the inbox already keeps once per unit.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Annotated

from fastapi import APIRouter, File, UploadFile, status
from fastapi.responses import FileResponse, JSONResponse
from sqlalchemy.orm import Session

from safetyzone.core.errors import PayloadTooLarge, Problem
from safetyzone.patrol import officer, shifts
from safetyzone.patrol.schemas import (
    FixesIn,
    FixesStored,
    NoteIn,
    NoteRead,
    OfficerMe,
    PhotoCreated,
    ShiftEnd,
    ShiftRead,
    ShiftStart,
    SosIn,
    SosStored,
    StatusIn,
    UnitChoice,
    dump,
)
from safetyzone.web.deps import ContextDep, RuntimeDep, ScopeDep
from safetyzone.web.idempotency import IdempotencyKey, once
from safetyzone.web.problems import problem_responses

router = APIRouter(prefix="/api/v1/officer", tags=["officer (phone)"])
REFUSALS = problem_responses(404, 409, 422)


@router.get("/units", response_model=list[UnitChoice])
def list_officer_units(ctx: ContextDep, scope: ScopeDep) -> list[UnitChoice]:
    """The units of your stations you may join, with who crews each now."""
    with ctx.db.read() as session:
        return shifts.joinable_units(session, scope=scope)


@router.post("/shift", response_model=ShiftRead, status_code=status.HTTP_201_CREATED,
             responses=REFUSALS)
def start_officer_shift(ctx: ContextDep, scope: ScopeDep, body: ShiftStart,
                        key: IdempotencyKey = None) -> JSONResponse:
    """Start your shift with a unit (the unit comes on duty with its first officer)."""
    def work(session: Session) -> tuple[int, dict[str, object]]:
        shift = shifts.start_shift(session, scope=scope, clock=ctx.clock, unit_id=body.unit_id)
        return 201, dump(shifts.shift_read(session, shift))
    return once(ctx, scope, key, "officer.shift.start", work)


@router.post("/shift/end", response_model=ShiftRead, responses=REFUSALS)
def end_officer_shift(ctx: ContextDep, scope: ScopeDep, body: ShiftEnd | None = None,
                      key: IdempotencyKey = None) -> JSONResponse:
    """End your shift (refused while your unit, left to nobody, is on an open assignment)."""
    def work(session: Session) -> tuple[int, dict[str, object]]:
        shift = shifts.end_shift(session, scope=scope, clock=ctx.clock)
        return 200, dump(shifts.shift_read(session, shift))
    return once(ctx, scope, key, "officer.shift.end", work)


@router.get("/me", response_model=OfficerMe)
def read_officer_me(ctx: ContextDep, scope: ScopeDep) -> OfficerMe:
    """You, your shift and your unit's assigned incident."""
    with ctx.db.read() as session:
        return officer.me(session, scope=scope)


@router.post("/status", response_model=OfficerMe, responses=REFUSALS)
def change_officer_status(ctx: ContextDep, scope: ScopeDep, body: StatusIn,
                          key: IdempotencyKey = None) -> JSONResponse:
    """Your unit's status; en route, on scene and cleared move its incident along."""
    def work(session: Session) -> tuple[int, dict[str, object]]:
        officer.set_status(session, scope=scope, clock=ctx.clock, status=body.status)
        session.flush()
        return 200, dump(officer.me(session, scope=scope))
    return once(ctx, scope, key, "officer.status", work)


@router.post("/incident/notes", response_model=NoteRead, status_code=status.HTTP_201_CREATED,
             responses=REFUSALS)
def create_officer_note(ctx: ContextDep, scope: ScopeDep, body: NoteIn,
                        key: IdempotencyKey = None) -> JSONResponse:
    """A note on your unit's incident (on its timeline for the console)."""
    def work(session: Session) -> tuple[int, dict[str, object]]:
        return 201, dump(officer.add_note(session, scope=scope, clock=ctx.clock,
                                          text=body.text))
    return once(ctx, scope, key, "officer.note", work)


@router.post("/incident/photos", response_model=PhotoCreated,
             status_code=status.HTTP_201_CREATED, responses=problem_responses(
                 404, 409, 413, 415, 422))
def create_officer_photo(ctx: ContextDep, scope: ScopeDep,
                         file: Annotated[UploadFile, File(description="JPEG, PNG or WebP")],
                         key: IdempotencyKey = None) -> JSONResponse:
    """A photo at your unit's incident; its EXIF (place, phone) is removed before keeping."""
    limit = ctx.officer_media.max_photo_bytes
    data = file.file.read(limit + 1)
    if len(data) > limit:
        raise PayloadTooLarge(f"the file is larger than {limit} bytes",
                              [Problem(f"larger than {limit} bytes", "file")])
    info: dict[str, object] = {}

    def work(session: Session) -> tuple[int, dict[str, object]]:
        info.update(files=session.info.setdefault(officer.FILES_KEY, []))
        return 201, dump(officer.add_photo(session, scope=scope, clock=ctx.clock,
                                           store=ctx.officer_media, data=data,
                                           declared_type=file.content_type))
    try:
        return once(ctx, scope, key, "officer.photo", work)
    except BaseException:
        written = list(info.get("files", []) or [])  # type: ignore[call-overload]
        if written:
            with ctx.db.read() as session:
                for path in officer.unreferenced(session, written):
                    ctx.officer_media.delete(path)
        raise


@router.get("/incident/photos/{photo_id}", response_class=FileResponse,
            responses={200: {"content": {"image/jpeg": {}, "image/png": {}, "image/webp": {}},
                             "description": "The photo (EXIF removed)."}})
def read_officer_photo(ctx: ContextDep, scope: ScopeDep, photo_id: uuid.UUID,
                       thumb: bool = False) -> FileResponse:
    """An officer's photo (``thumb=1``: its thumbnail), for whoever reads the incident."""
    with ctx.db.read() as session:
        path, content_type = officer.photo_file(session, scope=scope, store=ctx.officer_media,
                                                photo_id=photo_id, thumb=thumb)
    return FileResponse(path, media_type=content_type,
                        headers={"Cache-Control": "private, no-store"})


@router.post("/positions", response_model=FixesStored, status_code=status.HTTP_202_ACCEPTED,
             responses=REFUSALS)
async def create_officer_positions(ctx: ContextDep, runtime: RuntimeDep, scope: ScopeDep,
                                   body: FixesIn) -> FixesStored:
    """Your phone's fixes (1-100), stored through the inbox under your shift's unit;
    answered after the commit. A fix id sent before counts as a duplicate."""
    identity = await asyncio.to_thread(officer.shift_identity, ctx.db, scope=scope)
    events, repeated = officer.fix_events(scope=scope, clock=ctx.clock, fixes=body.fixes)
    acks = await runtime.writer.submit(identity, events)
    duplicates = sum(1 for ack in acks if ack.duplicate)
    return FixesStored(stored=len(acks) - duplicates, duplicates=duplicates + repeated)


@router.post("/sos", response_model=SosStored, status_code=status.HTTP_202_ACCEPTED,
             responses=REFUSALS)
async def create_officer_sos(ctx: ContextDep, runtime: RuntimeDep, scope: ScopeDep,
                             body: SosIn) -> SosStored:
    """Officer in danger: a P1 incident for your unit, at your position. Answered after the
    commit; a retry with the same id is the same alarm."""
    identity = await asyncio.to_thread(officer.shift_identity, ctx.db, scope=scope,
                                       what=officer.SOS_OFF_SHIFT)
    event = officer.sos_event(scope=scope, clock=ctx.clock, sos=body)
    (ack,) = await runtime.writer.submit(identity, [event])
    return SosStored(event_id=ack.id, duplicate=ack.duplicate)


@router.post("/sos/safe", response_model=NoteRead, status_code=status.HTTP_201_CREATED,
             responses=REFUSALS)
def create_officer_safe(ctx: ContextDep, scope: ScopeDep,
                        key: IdempotencyKey = None) -> JSONResponse:
    """You are safe after your SOS: said on your unit's open "officer in danger" incident
    for the console, which confirms by radio and closes it (this never closes it)."""
    def work(session: Session) -> tuple[int, dict[str, object]]:
        return 201, dump(officer.report_safe(session, scope=scope, clock=ctx.clock))
    return once(ctx, scope, key, "officer.safe", work)
