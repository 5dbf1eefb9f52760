"""The public side of the citizen domain: no login, throttled per client address.

A caller proves a ticket is theirs with ``X-Caller-Key`` (the key its phone generated for
the ticket); unknown codes and wrong keys answer the same 404. Nothing here reads anything
but the caller's own tickets and the public pages of codes they hold.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Header, Path, Query, Request, UploadFile, status
from fastapi.responses import JSONResponse

from safetyzone.citizen import records, service, taxonomy
from safetyzone.citizen.guard import RouteClass
from safetyzone.citizen.schemas import (
    CLIENT_KEY_PATTERN,
    CODE_PATTERN,
    Catalog,
    CitizenMessageIn,
    EmergencyCreated,
    EmergencyIn,
    FixesAccepted,
    FixesIn,
    FollowupIn,
    Limits,
    MediaCreated,
    MessageAccepted,
    MyData,
    MyDataDeleted,
    PublicTicket,
    PublicTip,
    PurposeRead,
    ReportCreated,
    ReportIn,
    SimilarReport,
    StationCard,
    TermRead,
    TipCreated,
    TipFollowup,
    TipIn,
)
from safetyzone.citizen.taxonomy import ReportCategory
from safetyzone.core.errors import NotFound, PayloadTooLarge
from safetyzone.web.deps import ContextDep, RuntimeDep

router = APIRouter(prefix="/api/v1/public", tags=["citizens (public)"])
Code = Annotated[str, Path(min_length=10, max_length=10, pattern=CODE_PATTERN,
                           description="Ticket code, e.g. R-7K3M9QXP.")]
CallerKey = Annotated[str, Header(alias="X-Caller-Key", min_length=22, max_length=64,
                                  pattern=CLIENT_KEY_PATTERN)]
OptionalCallerKey = Annotated[str | None, Header(alias="X-Caller-Key", min_length=22,
                                                 max_length=64, pattern=CLIENT_KEY_PATTERN)]


def address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _throttle(route_class: RouteClass) -> Any:
    def check(request: Request, ctx: ContextDep) -> None:
        ctx.public_guard.check(route_class, address(request))
    return Depends(check)


READ = [_throttle("read")]
WRITE = [_throttle("write")]
EMERGENCY = [_throttle("emergency")]


def _terms(terms: tuple[taxonomy.Term, ...]) -> list[TermRead]:
    return [TermRead(key=t.key, th=t.th, en=t.en) for t in terms]


@router.get("/catalog", response_model=Catalog, dependencies=READ)
def read_catalog(ctx: ContextDep) -> Catalog:
    """Everything the app shows in Thai and English: categories, consent texts, limits."""
    return Catalog(
        categories=_terms(taxonomy.REPORT_CATEGORIES),
        tip_categories=_terms(taxonomy.TIP_CATEGORIES),
        purposes=[PurposeRead(key=t.key, th=t.th, en=t.en, version=taxonomy.CONSENT_VERSION)
                  for t in taxonomy.PURPOSES],
        dispositions=_terms(taxonomy.DISPOSITIONS), statuses=_terms(taxonomy.STATUSES),
        limits=Limits(max_photos=service.MAX_PHOTOS,
                      max_photo_bytes=ctx.settings.citizen_media_max_bytes,
                      max_voice_bytes=ctx.settings.citizen_voice_max_bytes))


@router.get("/stations/locate", response_model=StationCard, dependencies=READ)
def locate_station(ctx: ContextDep, lat: Annotated[float, Query(ge=-90, le=90)],
                   lon: Annotated[float, Query(ge=-180, le=180)]) -> StationCard:
    """The station (and zone) for a place: its phone, LINE and service posts with hours."""
    with ctx.db.read() as session:
        return service.locate(session, lat=lat, lon=lon)


@router.post("/emergencies", response_model=EmergencyCreated,
             status_code=status.HTTP_201_CREATED, dependencies=EMERGENCY,
             responses={200: {"model": EmergencyCreated,
                              "description": "Pressed again: merged into the open one."}})
def create_emergency(ctx: ContextDep, runtime: RuntimeDep, body: EmergencyIn) -> JSONResponse:
    """Ask for help: a P1 incident opens at the station at once (201); pressing again while
    it is open merges into it (200)."""
    with ctx.db.write() as session:
        item, created = service.create_emergency(session, clock=ctx.clock, box=ctx.secrets,
                                                 data=body, cameras=runtime.cameras)
        answer = EmergencyCreated(code=item.code, kind=item.kind, merged=not created,
                                  status=records.current_state(session, item))
    return JSONResponse(answer.model_dump(mode="json"), status_code=201 if created else 200)


@router.post("/emergencies/{code}/fixes", response_model=FixesAccepted, dependencies=WRITE)
def create_emergency_fixes(ctx: ContextDep, code: Code, caller_key: CallerKey,
                           body: FixesIn) -> FixesAccepted:
    """Later positions of the caller: a trail; the incident's location does not move."""
    with ctx.db.write() as session:
        return FixesAccepted(accepted=service.add_fixes(
            session, clock=ctx.clock, code=code, caller_key=caller_key, fixes=body.fixes))


@router.get("/reports/similar", response_model=list[SimilarReport], dependencies=READ)
def list_similar_reports(ctx: ContextDep, category: ReportCategory,
                         lat: Annotated[float, Query(ge=-90, le=90)],
                         lon: Annotated[float, Query(ge=-180, le=180)]) -> list[SimilarReport]:
    """Open reports of the same kind within about 50 m in the last 6 hours: join one."""
    with ctx.db.read() as session:
        return service.similar_reports(session, clock=ctx.clock, category=category.value,
                                       lat=lat, lon=lon)


@router.post("/reports", response_model=ReportCreated, status_code=status.HTTP_201_CREATED,
             dependencies=WRITE)
def create_report(ctx: ContextDep, body: ReportIn) -> ReportCreated:
    """Report something to the station (a retry with the same key is the same ticket)."""
    with ctx.db.write() as session:
        item, _ = service.create_report(session, clock=ctx.clock, box=ctx.secrets, data=body)
        return ReportCreated(code=item.code, kind=item.kind, status=item.state,
                             joined_to=service.joined_to(session, item))


@router.post("/tickets/{code}/media", response_model=MediaCreated,
             status_code=status.HTTP_201_CREATED, dependencies=WRITE)
def create_ticket_media(ctx: ContextDep, code: Code, caller_key: CallerKey,
                        file: Annotated[UploadFile, File(description="A photo (JPEG, PNG, "
                                                         "WebP) or a voice note")]
                        ) -> MediaCreated:
    """Attach a photo (at most 5) or, to an emergency, a voice note."""
    limit = max(ctx.settings.citizen_media_max_bytes, ctx.settings.citizen_voice_max_bytes)
    data = file.file.read(limit + 1)
    if len(data) > limit:
        raise PayloadTooLarge(f"the file is larger than {limit} bytes")
    info: dict[str, object] = {}
    try:
        with ctx.db.write() as session:
            info = session.info
            row = service.add_media(session, store=ctx.media, clock=ctx.clock, code=code,
                                    caller_key=caller_key, data=data,
                                    declared_type=file.content_type)
            return MediaCreated(id=row.id, kind=row.kind, content_type=row.content_type,
                                size=row.size,
                                exif_position=row.exif_lat is not None)
    except BaseException:
        stored: list[str] = list(info.get(service.FILES_KEY, []) or [])  # type: ignore[call-overload]
        if stored:
            with ctx.db.read() as session:
                for path in service.unreferenced(session, stored):
                    ctx.media.delete(path)
        raise


@router.get("/tickets/{code}", response_model=PublicTicket | PublicTip, dependencies=READ)
def read_ticket(ctx: ContextDep, code: Code,
                caller_key: OptionalCallerKey = None) -> PublicTicket | PublicTip:
    """A ticket's status page: no personal data; answers only with the ticket's own key."""
    with ctx.db.read() as session:
        return service.public_ticket(session, clock=ctx.clock, code=code, caller_key=caller_key)


@router.post("/tickets/{code}/messages", response_model=MessageAccepted,
             status_code=status.HTTP_201_CREATED, dependencies=WRITE)
def create_ticket_message(ctx: ContextDep, code: Code, caller_key: CallerKey,
                          body: CitizenMessageIn) -> MessageAccepted:
    """Write to the station about your ticket (answering a request for information)."""
    with ctx.db.write() as session:
        msg = service.add_citizen_message(session, clock=ctx.clock, code=code,
                                          caller_key=caller_key, text=body.text)
        item = records.by_code(session, code)
        return MessageAccepted(at=msg.at, status=records.current_state(session, item))


@router.post("/tips", response_model=TipCreated, status_code=status.HTTP_201_CREATED,
             dependencies=WRITE)
def create_tip(ctx: ContextDep, body: TipIn) -> TipCreated:
    """A tip (ตาสับปะรด), named or anonymous; anonymous tips get a one-time follow-up code."""
    with ctx.db.write() as session:
        item, _, followup = service.create_tip(session, clock=ctx.clock, box=ctx.secrets,
                                               data=body)
        return TipCreated(code=item.code, kind=item.kind, status=item.state,
                          followup_code=followup)


@router.post("/tips/{code}/followup", response_model=TipFollowup, dependencies=WRITE)
def create_tip_followup(request: Request, ctx: ContextDep, code: Code,
                        body: FollowupIn) -> TipFollowup:
    """Follow an anonymous tip up: the code is spent, the answer names the next one."""
    guard, where = ctx.public_guard, address(request)
    guard.check_followup(where, code)
    try:
        with ctx.db.write() as session:
            answer = service.tip_followup(session, clock=ctx.clock, code=code,
                                          followup_code=body.followup_code, text=body.text)
    except NotFound:
        guard.followup_failed(where, code)
        raise
    guard.followup_succeeded(where)
    return answer


@router.get("/my-data/{code}", response_model=MyData, dependencies=READ)
def read_my_data(ctx: ContextDep, code: Code, caller_key: CallerKey) -> MyData:
    """Everything stored about your ticket (PDPA)."""
    with ctx.db.read() as session:
        return service.my_data(session, box=ctx.secrets, code=code, caller_key=caller_key)


@router.delete("/my-data/{code}", response_model=MyDataDeleted, dependencies=WRITE)
def delete_my_data(ctx: ContextDep, code: Code, caller_key: CallerKey) -> MyDataDeleted:
    """Delete your personal data from the ticket; the police record stays."""
    with ctx.db.write() as session:
        answer, files = service.delete_my_data(session, clock=ctx.clock, code=code,
                                               caller_key=caller_key)
    for path in files:
        ctx.media.delete(path)
    return answer
