"""The People Poll over HTTP. The public side (``/api/v1/public/polls*``, no login, throttled
like every public route) shows a poll's questions and takes one response per person per
wave, the person's token as ``X-Caller-Key``; the staff's side (``/api/v1/.../polls``)
creates, opens and closes waves (POLL_MANAGE, audited) and reads the figures with their
intervals (OPS_READ, station scope). Rules live in ``safetyzone.poll``.
"""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any

import segno
from fastapi import APIRouter, Header, Path, Query, Response, status

from safetyzone.citizen.schemas import CLIENT_KEY_PATTERN
from safetyzone.core.spreadsheet import csv_cell
from safetyzone.org import service as org
from safetyzone.poll import answers, poster, results, service
from safetyzone.poll.schemas import (
    POLL_CODE_PATTERN,
    BeforeAfter,
    PollCreate,
    PollRead,
    PollResults,
    PublicPoll,
    PublicPollCard,
    ResponseAccepted,
    ResponseIn,
)
from safetyzone.web.console.assets import find_node_modules
from safetyzone.web.deps import ContextDep, ScopeDep
from safetyzone.web.routes.citizen_public import READ, WRITE

router = APIRouter(tags=["people poll"])
PUBLIC = "/api/v1/public/polls"
Code = Annotated[str, Path(min_length=10, max_length=10, pattern=POLL_CODE_PATTERN,
                           description="Poll code, e.g. P-7K3M9QXP.")]
Token = Annotated[str, Header(alias="X-Caller-Key", min_length=22, max_length=64,
                              pattern=CLIENT_KEY_PATTERN, description=(
                                  "The person's token for this poll: random, kept by the "
                                  "phone (or given in the LINE link). Only its HMAC is kept."))]
StationCode = Annotated[str, Query(alias="station", min_length=1, max_length=64)]
CSV_TYPE = "text/csv; charset=utf-8"
FILES: dict[int | str, dict[str, Any]] = {200: {"content": {CSV_TYPE: {}, "image/png": {}}}}


def _url(ctx: ContextDep) -> str:
    return ctx.settings.services_public_url


# --- the citizen ------------------------------------------------------------------------------


@router.get(PUBLIC, response_model=list[PublicPollCard], dependencies=READ)
def list_open_polls(ctx: ContextDep, station: StationCode) -> list[PublicPollCard]:
    """The polls a station takes answers to now (the LINE link lists them)."""
    with ctx.db.read() as session:
        return answers.open_polls(session, station_code=station, now=ctx.clock.now())


@router.get(f"{PUBLIC}/{{code}}", response_model=PublicPoll, dependencies=READ)
def read_public_poll(ctx: ContextDep, code: Code) -> PublicPoll:
    """A poll's questions, Thai and English, and whether it takes answers now."""
    with ctx.db.read() as session:
        return answers.public_poll(session, code=code, now=ctx.clock.now())


@router.post(f"{PUBLIC}/{{code}}/responses", response_model=ResponseAccepted,
             status_code=status.HTTP_201_CREATED, dependencies=WRITE)
def create_poll_response(ctx: ContextDep, code: Code, token: Token,
                         body: ResponseIn) -> ResponseAccepted:
    """Answer a poll, once per person per wave: a second answer is 409 and changes nothing."""
    key = answers.ballot_key(ctx.settings.secret_key.get_secret_value())
    with ctx.db.write() as session:
        return answers.submit(session, clock=ctx.clock, key=key, code=code, token=token,
                              data=body)


# --- the station -------------------------------------------------------------------------------


@router.get("/api/v1/stations/{station_code}/polls", response_model=list[PollRead])
def list_polls(ctx: ContextDep, scope: ScopeDep, station_code: str) -> list[PollRead]:
    """The station's polls, newest first, with how many answered."""
    with ctx.db.read() as session:
        return service.list_polls(session, scope=scope, station_code=station_code,
                                  public_url=_url(ctx))


@router.post("/api/v1/stations/{station_code}/polls", response_model=PollRead,
             status_code=status.HTTP_201_CREATED)
def create_poll(ctx: ContextDep, scope: ScopeDep, station_code: str,
                body: PollCreate) -> PollRead:
    """A draft wave for one of the station's zones: the standard items and the station's."""
    with ctx.db.write() as session:
        poll = service.create_poll(session, scope=scope, clock=ctx.clock,
                                   station_code=station_code, data=body)
        return service.read(session, poll, public_url=_url(ctx), responses=0)


@router.post("/api/v1/polls/{code}/open", response_model=PollRead)
def open_poll(ctx: ContextDep, scope: ScopeDep, code: Code) -> PollRead:
    """Open a draft for answers between its opening and closing times. Audited."""
    with ctx.db.write() as session:
        poll = service.open_poll(session, scope=scope, clock=ctx.clock, code=code)
        return service.read(session, poll, public_url=_url(ctx))


@router.post("/api/v1/polls/{code}/close", response_model=PollRead)
def close_poll(ctx: ContextDep, scope: ScopeDep, code: Code) -> PollRead:
    """Close a poll: no more answers. Audited."""
    with ctx.db.write() as session:
        poll = service.close_poll(session, scope=scope, clock=ctx.clock, code=code)
        return service.read(session, poll, public_url=_url(ctx))


def _results(ctx: ContextDep, scope: ScopeDep, code: str) -> PollResults:
    with ctx.db.read() as session:
        poll = service.get_poll(session, scope=scope, code=code)
        return results.poll_results(session, poll, service.read(session, poll,
                                                                public_url=_url(ctx)))


@router.get("/api/v1/polls/{code}/results", response_model=PollResults)
def read_poll_results(ctx: ContextDep, scope: ScopeDep, code: Code) -> PollResults:
    """Per item: n, mean and the reported share with 95 % intervals, warnings; needs ranked."""
    return _results(ctx, scope, code)


@router.get("/api/v1/polls/{code}/results.csv", response_class=Response, responses=FILES)
def export_poll_results(ctx: ContextDep, scope: ScopeDep, code: Code) -> Response:
    """The figures as CSV (UTF-8 with BOM, text cells safe from formulas)."""
    found = _results(ctx, scope, code)
    out = io.StringIO()
    writer = csv.writer(out)
    for row in results.csv_rows(found):
        writer.writerow([csv_cell(v) for v in row])
    return Response(("\ufeff" + out.getvalue()).encode("utf-8"), media_type=CSV_TYPE,
                    headers={"Content-Disposition":
                             f'attachment; filename="poll-{found.poll.code}.csv"'})


@router.get("/api/v1/polls/{code}/before-after", response_model=BeforeAfter)
def read_poll_before_after(ctx: ContextDep, scope: ScopeDep, code: Code) -> BeforeAfter:
    """This wave against the zone's other side of its launch: each share's change with its
    95 % interval (Newcombe)."""
    with ctx.db.read() as session:
        poll = service.get_poll(session, scope=scope, code=code)
        before, after = results.baseline_and_follow_up(session, poll)
        url = _url(ctx)
        read_b = service.read(session, before, public_url=url) if before else None
        read_a = service.read(session, after, public_url=url) if after else None
        zone = service.read(session, poll, public_url=url).zone_code
        return results.before_after(session, poll, zone, read_b, read_a, before, after)


@router.get("/api/v1/polls/{code}/qr.png", response_class=Response, responses=FILES)
def read_poll_qr(ctx: ContextDep, scope: ScopeDep, code: Code) -> Response:
    """The poll's link as a QR code to print on posters and leaflets."""
    with ctx.db.read() as session:
        poll = service.get_poll(session, scope=scope, code=code)
        target = service.link(_url(ctx), poll.code)
    buf = io.BytesIO()
    segno.make(target, error="m", micro=False).save(buf, kind="png", scale=10, border=4)
    return Response(buf.getvalue(), media_type="image/png",
                    headers={"Content-Disposition": f'inline; filename="poll-{code}.png"'})


@router.get("/api/v1/polls/{code}/poster.pdf", response_class=Response,
            responses={200: {"content": {"application/pdf": {}}}})
def read_poll_poster(ctx: ContextDep, scope: ScopeDep, code: Code) -> Response:
    """The poll's A4 poster: its QR and link, when it closes (B.E.), and what it keeps (no
    name, no phone number), Thai and English, to put up in the zone."""
    with ctx.db.read() as session:
        poll = service.get_poll(session, scope=scope, code=code)
        read = service.read(session, poll, public_url=_url(ctx))
        station = org.get_station(session, scope=scope, code=read.station_code)
        sheet = poster.Poster(
            code=poll.code, link=read.link, station_name_th=station.name_th,
            station_name_en=station.name_en, zone_name_th=read.zone_name_th,
            zone_name_en=read.zone_name_en, wave_name=read.wave_name,
            closes_at=read.closes_at, questions=len(poll.items))
    pdf = poster.render_pdf(sheet, find_node_modules() / "@fontsource" / "sarabun" / "files")
    return Response(pdf, media_type="application/pdf", headers={
        "Content-Disposition": f'inline; filename="poll-{poll.code}.pdf"'})
