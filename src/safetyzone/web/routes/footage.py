"""Footage requests to camera owners: the police side (``/footage-requests``) and the owning
partner's (``/partner/footage-requests``), with the upload of files as a streamed raw body
and their download as an attachment.

Permissions, scope, states and audit are in ``video.footage`` and ``video.footage_partner``;
the bytes in ``video.footage_store``.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import FileResponse, JSONResponse
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from safetyzone.citizen import staff_line
from safetyzone.core.errors import (
    InvalidInput,
    Problem,
    SafetyZoneError,
    UnsupportedMediaType,
)
from safetyzone.core.paging import MAX_OFFSET
from safetyzone.core.security import Scope
from safetyzone.org import service as org
from safetyzone.video import footage, footage_partner
from safetyzone.video.footage_models import FootageStatus
from safetyzone.video.footage_read import partner_model, police_model
from safetyzone.video.footage_resume import Resumable
from safetyzone.video.footage_resume import Session as UploadSession
from safetyzone.video.footage_schemas import (
    CloseIn,
    DeclineIn,
    FootageFileRead,
    FootageRequestIn,
    FootageRequestRead,
    GrantIn,
    PartnerFootageRead,
    UploadStartIn,
    UploadState,
)
from safetyzone.video.footage_store import SNIFF_BYTES, FootageStore, Stored, clean_name
from safetyzone.web.context import AppContext
from safetyzone.web.deps import ContextDep, ScopeDep
from safetyzone.web.idempotency import IdempotencyKey, once
from safetyzone.web.problems import problem_responses

router = APIRouter(prefix="/api/v1", tags=["footage requests"])
FLUSH_BYTES = 1024 * 1024  # write to disk in pieces of about this size
Sha256 = Annotated[str | None, Header(alias="X-Content-SHA256", pattern=r"^[0-9a-fA-F]{64}$",
                                      description="The file's SHA-256, if the sender knows "
                                      "it: a damaged arrival is then refused.")]


def store_of(ctx: AppContext) -> FootageStore:
    """Where the owners' footage is kept (``data_dir/footage``)."""
    return FootageStore(ctx.settings.data_dir / "footage", ctx.settings.footage_max_bytes)


@router.get("/footage-requests", response_model=list[FootageRequestRead])
def list_footage_requests(
    ctx: ContextDep, scope: ScopeDep,
    station_code: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
    status: FootageStatus | None = None, incident_id: uuid.UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> list[FootageRequestRead]:
    """Footage requests in your scope: the open ones first, newest first."""
    with ctx.db.read() as session:
        station_id = (org.get_station(session, scope=scope, code=station_code).id
                      if station_code else None)
        return [police_model(session, r) for r in footage.list_requests(
            session, scope=scope, station_id=station_id, status=status,
            incident_id=incident_id, limit=limit, offset=offset)]


@router.post("/footage-requests", response_model=list[FootageRequestRead], status_code=201,
             responses=problem_responses(404, 409, 422))
def create_footage_request(request: Request, ctx: ContextDep, scope: ScopeDep,
                           body: FootageRequestIn, key: IdempotencyKey = None) -> JSONResponse:
    """Ask the owners of cameras (chosen, or every partner camera in a circle) for their
    footage of a window (at most 24 hours), for an incident or a case number: one request
    per owning partner, each in its partner page and on the LINE it linked."""
    outbox = request.app.state.line.outbox

    def push(session: Session, partner_id: uuid.UUID, text: str) -> int:
        return staff_line.push_to_partner(session, outbox=outbox, box=ctx.secrets,
                                          partner_id=partner_id, text=text)

    def work(session: Session) -> tuple[int, list[dict[str, object]]]:
        made = footage.create(session, scope=scope, clock=ctx.clock, data=body, push=push)
        session.flush()
        return 201, [police_model(session, r).model_dump(mode="json") for r in made]
    return once(ctx, scope, key, "footage.create", work)  # type: ignore[arg-type]


@router.get("/footage-requests/{request_id}", response_model=FootageRequestRead,
            responses=problem_responses(404))
def read_footage_request(ctx: ContextDep, scope: ScopeDep,
                         request_id: uuid.UUID) -> FootageRequestRead:
    """One request: its cameras, the files with their SHA-256, its history."""
    with ctx.db.read() as session:
        return police_model(session, footage.get_request(session, scope=scope,
                                                         request_id=request_id))


@router.post("/footage-requests/{request_id}/close", response_model=FootageRequestRead,
             responses=problem_responses(404, 409, 422))
def close_footage_request(ctx: ContextDep, scope: ScopeDep, request_id: uuid.UUID,
                          body: CloseIn) -> FootageRequestRead:
    """Close a request: the owner can answer it no more (its files stay)."""
    with ctx.db.write() as session:
        return police_model(session, footage.close(session, scope=scope, clock=ctx.clock,
                                                   request_id=request_id, data=body))


@router.get("/footage-requests/{request_id}/files/{file_id}", response_class=FileResponse,
            responses={200: {"content": {"application/octet-stream": {}},
                             "description": "The file as the owner sent it, as an "
                                            "attachment."}, **problem_responses(404)})
def download_footage_file(ctx: ContextDep, scope: ScopeDep, request_id: uuid.UUID,
                          file_id: uuid.UUID) -> FileResponse:
    """A file as its owner sent it, always as an attachment (never shown inline), with
    its SHA-256 in ``X-Content-SHA256``; each download is audited."""
    with ctx.db.write() as session:
        req, row = footage.file_for_download(session, scope=scope, request_id=request_id,
                                             file_id=file_id, now=ctx.clock.now())
        path = store_of(ctx).open_path(row.path)
        name = f"{req.code}-{row.sha256[:12]}.{path.suffix.lstrip('.')}"
        sha, content_type = row.sha256, row.content_type
    return FileResponse(path, media_type=content_type, filename=name,
                        content_disposition_type="attachment",
                        headers={"X-Content-SHA256": sha, "Cache-Control": "no-store",
                                 "Content-Security-Policy": "sandbox"})


@router.get("/partner/footage-requests", response_model=list[PartnerFootageRead])
def list_partner_footage_requests(ctx: ContextDep, scope: ScopeDep
                                  ) -> list[PartnerFootageRead]:
    """The footage requests addressed to your partner (partner accounts only), the open
    ones first; those not seen yet are marked seen."""
    with ctx.db.read() as session:
        rows = footage_partner.partner_requests(session, scope=scope)
        new = [r.id for r in rows if r.status is FootageStatus.SENT]
        if not new:  # the page polls: a read unless a request is new to the partner
            return [partner_model(session, r) for r in rows]
    with ctx.db.write() as session:
        footage_partner.mark_seen(session, scope=scope, clock=ctx.clock, request_ids=new)
        return [partner_model(session, r) for r in footage_partner.partner_requests(
            session, scope=scope)]


@router.get("/partner/footage-requests/{request_id}", response_model=PartnerFootageRead,
            responses=problem_responses(404))
def read_partner_footage_request(ctx: ContextDep, scope: ScopeDep,
                                 request_id: uuid.UUID) -> PartnerFootageRead:
    """One request addressed to your partner; any other looks missing."""
    with ctx.db.write() as session:
        return partner_model(session, footage_partner.read_own(
            session, scope=scope, clock=ctx.clock, request_id=request_id))


def _check_open(ctx: AppContext, scope: Scope, request_id: uuid.UUID) -> None:
    with ctx.db.read() as session:
        footage_partner.open_for_upload(session, scope=scope, clock=ctx.clock,
                                        request_id=request_id)


def _record(ctx: AppContext, scope: Scope, request_id: uuid.UUID, stored: Stored,
            name: str) -> tuple[FootageFileRead, bool]:
    """Name the stored file on the request; if that is refused (the request was closed
    meanwhile), the file goes again unless another request names the same bytes."""
    try:
        with ctx.db.write() as session:
            row, new = footage_partner.add_file(session, scope=scope, clock=ctx.clock,
                                                request_id=request_id, stored=stored,
                                                name=name)
            session.flush()
            return FootageFileRead.model_validate(row, from_attributes=True), new
    except SafetyZoneError:
        with ctx.db.read() as session:
            if not footage_partner.stored_elsewhere(session, path=stored.path):
                store_of(ctx).forget(stored.path)
        raise


@router.post("/partner/footage-requests/{request_id}/files", response_model=FootageFileRead,
             status_code=201, responses=problem_responses(404, 409, 413, 415, 422),
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/octet-stream": {"schema": {"type": "string",
                                                         "format": "binary"}}}}})
async def upload_footage_file(
    request: Request, ctx: ContextDep, scope: ScopeDep, request_id: uuid.UUID,
    filename: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
    sha256: Sha256 = None,
) -> JSONResponse:
    """Upload one file (the raw body: MP4, MKV, AVI or a JPEG still, decided by its bytes,
    up to ``SSZ_FOOTAGE_MAX_BYTES``). 201 with its SHA-256; the same bytes again are
    answered 200 with the first upload and stored once. A cut connection, an oversize body
    (413) or a refused file (415, 422) leaves nothing stored."""
    await run_in_threadpool(_check_open, ctx, scope, request_id)
    upload = await run_in_threadpool(store_of(ctx).begin)
    try:
        buffer = bytearray()
        async for chunk in request.stream():
            buffer += chunk
            if upload.kind is None or len(buffer) >= FLUSH_BYTES:
                await run_in_threadpool(upload.write, bytes(buffer))
                buffer.clear()
        if buffer:
            await run_in_threadpool(upload.write, bytes(buffer))
        stored = await run_in_threadpool(upload.finish, sha256)
    except ClientDisconnect as err:
        upload.discard()  # the connection was cut: nothing kept, said to nobody
        raise InvalidInput("the upload was cut off before the end: send the file again",
                           [Problem("cut off", "body")]) from err
    except BaseException:
        upload.discard()  # an oversize body, a refusal: nothing kept
        raise
    assert upload.kind is not None
    read, new = await run_in_threadpool(_record, ctx, scope, request_id, stored,
                                        clean_name(filename, upload.kind))
    return JSONResponse(read.model_dump(mode="json"), status_code=201 if new else 200)


def resumable(ctx: AppContext) -> Resumable:
    return Resumable(store_of(ctx))


def _session(ctx: AppContext, scope: Scope, request_id: uuid.UUID, upload_id: str,
             *, answerable: bool = True) -> UploadSession:
    """The caller's own upload session on its own request (still answerable to send)."""
    with ctx.db.read() as session:
        if answerable:
            footage_partner.open_for_upload(session, scope=scope, clock=ctx.clock,
                                            request_id=request_id)
        else:
            footage_partner.partner_request(session, scope=scope, request_id=request_id)
    assert scope.partner_id is not None  # the request check above holds it
    return resumable(ctx).get(upload_id, request_id=request_id, partner_id=scope.partner_id)


@router.post("/partner/footage-requests/{request_id}/uploads", response_model=UploadState,
             status_code=201, responses=problem_responses(404, 409, 413, 422))
def start_footage_upload(ctx: ContextDep, scope: ScopeDep, request_id: uuid.UUID,
                         body: UploadStartIn) -> UploadState:
    """Open a resumable upload of a large file: its size now, its pieces after (``PATCH``
    with ``Upload-Offset``); a cut piece is resumed from the offset the server has."""
    _check_open(ctx, scope, request_id)
    assert scope.partner_id is not None
    started = resumable(ctx).start(request_id=request_id, partner_id=scope.partner_id,
                                   username=scope.username, name=body.filename or "",
                                   size=body.size)
    return UploadState(upload_id=started.id, offset=0, size=started.size)


@router.get("/partner/footage-requests/{request_id}/uploads/{upload_id}",
            response_model=UploadState, responses=problem_responses(404))
def read_footage_upload(ctx: ContextDep, scope: ScopeDep, request_id: uuid.UUID,
                        upload_id: str) -> UploadState:
    """How many bytes of an upload the server has: send the rest from there."""
    found = _session(ctx, scope, request_id, upload_id, answerable=False)
    return UploadState(upload_id=found.id, offset=found.offset, size=found.size)


@router.patch("/partner/footage-requests/{request_id}/uploads/{upload_id}",
              response_model=UploadState, responses=problem_responses(404, 409, 413, 415, 422),
              openapi_extra={"requestBody": {"required": True, "content": {
                  "application/octet-stream": {"schema": {"type": "string",
                                                          "format": "binary"}}}}})
async def send_footage_piece(
    request: Request, ctx: ContextDep, scope: ScopeDep, request_id: uuid.UUID,
    upload_id: str, offset: Annotated[int, Header(alias="Upload-Offset", ge=0, le=2**40)],
) -> UploadState:
    """Append the piece starting at ``Upload-Offset`` (409 with the server's offset if it
    does not start where the file ends). With the last byte the file is checked and taken
    (``file`` in the answer), as a single upload is."""
    sessions = resumable(ctx)
    found = await run_in_threadpool(_session, ctx, scope, request_id, upload_id)
    handle = await run_in_threadpool(sessions.writer, found, offset)
    buffer = bytearray()

    async def flush() -> None:
        if buffer:
            await run_in_threadpool(sessions.write, handle, found, bytes(buffer))
            buffer.clear()
    try:
        try:
            async for chunk in request.stream():
                buffer += chunk
                if handle.tell() < SNIFF_BYTES or len(buffer) >= FLUSH_BYTES:
                    await flush()
            await flush()
        except ClientDisconnect as err:
            await flush()  # what arrived whole is kept: the next piece starts after it
            raise InvalidInput("the piece was cut off: ask for the offset and send the rest",
                               [Problem("cut off", "body")]) from err
        have = handle.tell()
    except UnsupportedMediaType:
        sessions.drop(found.id)  # not footage: the whole session goes
        raise
    finally:
        handle.close()
    if have < found.size:
        return UploadState(upload_id=found.id, offset=have, size=found.size)
    stored = await run_in_threadpool(sessions.finish, found)
    read, new = await run_in_threadpool(_record, ctx, scope, request_id, stored,
                                        clean_name(found.name, stored.kind))
    return UploadState(upload_id=found.id, offset=have, size=found.size, file=read,
                       duplicate=not new)


@router.post("/partner/footage-requests/{request_id}/grant", response_model=PartnerFootageRead,
             responses=problem_responses(404, 409, 422))
def grant_footage_access(ctx: ContextDep, scope: ScopeDep, request_id: uuid.UUID,
                         body: GrantIn) -> PartnerFootageRead:
    """Make the window's footage of the cameras (all, or those named) available to the
    police, under each camera's sharing terms."""
    with ctx.db.write() as session:
        return partner_model(session, footage_partner.grant(
            session, scope=scope, clock=ctx.clock, request_id=request_id, data=body))


@router.post("/partner/footage-requests/{request_id}/decline",
             response_model=PartnerFootageRead, responses=problem_responses(404, 409, 422))
def decline_footage_request(ctx: ContextDep, scope: ScopeDep, request_id: uuid.UUID,
                            body: DeclineIn) -> PartnerFootageRead:
    """Decline, with the reason (the recorder overwrote it, the camera was off ...)."""
    with ctx.db.write() as session:
        return partner_model(session, footage_partner.decline(
            session, scope=scope, clock=ctx.clock, request_id=request_id, data=body))

