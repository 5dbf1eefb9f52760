"""The CCOC's shift over HTTP: who is on duty, the shift log, handovers, and the
commander's daily report (PDF). Rules live in ``ops.shiftlog``; the PDF in
``ops.shift_report``.

Cameras down are the video domain's (above ``ops`` in the layers), so this router reads
them and hands them to the shift's services, as the station panel does.
"""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response
from sqlalchemy.orm import Session

from safetyzone.core.security import Scope
from safetyzone.ops import shift_report, shiftlog
from safetyzone.ops.shiftlog_schemas import (
    DownCamera,
    DutyIn,
    DutyRead,
    EntryIn,
    EntryRead,
    HandoverAckIn,
    HandoverIn,
    HandoverRead,
    ShiftLog,
    ShiftState,
)
from safetyzone.video import service as video
from safetyzone.video.models import CameraState
from safetyzone.web.console.assets import find_node_modules
from safetyzone.web.deps import ContextDep, ScopeDep

router = APIRouter(prefix="/api/v1", tags=["shift"])
NO_STORE = {"Cache-Control": "no-store"}
PDF: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/pdf": {}}, "description": "The report (A4)."}}
DOWN = {CameraState.OFFLINE, CameraState.FROZEN}
Day = Annotated[date | None, Query(
    description="The duty day, named by the date it starts on (Bangkok); default: the "
    "current one. A day not started yet is refused.")]


def _cameras_down(session: Session, scope: Scope, station_code: str) -> list[DownCamera]:
    station = shiftlog.station(session, scope=scope, code=station_code)
    return [DownCamera(id=c.camera_id, code=c.code, state=c.state.value, since=c.since)
            for c in video.list_health(session, scope=scope, station_id=station.id)
            if c.state in DOWN]


def _start_hour(ctx: ContextDep) -> int:
    return ctx.settings.ops_shift_day_start_hour


@router.get("/stations/{station_code}/shift", response_model=ShiftState)
def read_shift(ctx: ContextDep, scope: ScopeDep, station_code: str) -> ShiftState:
    """Who is on duty at the console, handovers waiting and of today, and the open items
    (incidents with state and age, units out of service, cameras down)."""
    with ctx.db.read() as session:
        return shiftlog.state(session, scope=scope, now=ctx.clock.now(),
                              station_code=station_code, start_hour=_start_hour(ctx),
                              cameras_down=_cameras_down(session, scope, station_code))


@router.post("/stations/{station_code}/shift/on-duty", response_model=DutyRead,
             status_code=201)
def start_duty(ctx: ContextDep, scope: ScopeDep, station_code: str) -> DutyRead:
    """Go on duty at the station's console; on duty already is a 409 saying since when."""
    with ctx.db.write() as session:
        duty = shiftlog.go_on_duty(session, scope=scope, clock=ctx.clock,
                                   station_code=station_code)
        return DutyRead.model_validate(duty)


@router.post("/stations/{station_code}/shift/off-duty", response_model=DutyRead)
def end_duty(ctx: ContextDep, scope: ScopeDep, station_code: str,
             body: DutyIn | None = None) -> DutyRead:
    """Go off duty; a commander may end somebody else's duty (``username``). Audited."""
    with ctx.db.write() as session:
        duty = shiftlog.go_off_duty(session, scope=scope, clock=ctx.clock,
                                    station_code=station_code, data=body or DutyIn())
        return DutyRead.model_validate(duty)


@router.get("/stations/{station_code}/shift/log", response_model=ShiftLog)
def read_shift_log(ctx: ContextDep, scope: ScopeDep, station_code: str, day: Day = None
                   ) -> ShiftLog:
    """The duty day's log, oldest first, with the incidents' key events (a P1 opened, an
    escalation) beside it. At most 1,000 lines: the newest are kept."""
    with ctx.db.read() as session:
        found = shiftlog.checked_day(day, now=ctx.clock.now(), start_hour=_start_hour(ctx))
        return shiftlog.read_log(session, scope=scope, station_code=station_code, day=found)


@router.post("/stations/{station_code}/shift/log", response_model=EntryRead, status_code=201)
def create_shift_entry(ctx: ContextDep, scope: ScopeDep, station_code: str, body: EntryIn
                       ) -> EntryRead:
    """Add a note or a notable event to the log (it may name an incident of the station)."""
    with ctx.db.write() as session:
        return shiftlog.add_entry(session, scope=scope, clock=ctx.clock,
                                  station_code=station_code, data=body)


@router.post("/stations/{station_code}/shift/handovers", response_model=HandoverRead,
             status_code=201)
def create_handover(ctx: ContextDep, scope: ScopeDep, station_code: str, body: HandoverIn
                    ) -> HandoverRead:
    """Hand over: your notes and the open items now, kept as they are. You must be on
    duty; one handover of yours waits at a time. Audited."""
    with ctx.db.write() as session:
        handover = shiftlog.write_handover(
            session, scope=scope, clock=ctx.clock, station_code=station_code, data=body,
            cameras_down=_cameras_down(session, scope, station_code))
        return shiftlog.handover_read(handover)


@router.post("/shift-handovers/{handover_id}/acknowledge", response_model=HandoverRead)
def acknowledge_handover(ctx: ContextDep, scope: ScopeDep, handover_id: uuid.UUID,
                         body: HandoverAckIn | None = None) -> HandoverRead:
    """Take the shift: the incoming officer, on duty, not the writer; once. Audited."""
    with ctx.db.write() as session:
        handover = shiftlog.acknowledge_handover(session, scope=scope, clock=ctx.clock,
                                                 handover_id=handover_id,
                                                 data=body or HandoverAckIn())
        return shiftlog.handover_read(handover)


def _fonts() -> Path:
    return find_node_modules() / "@fontsource" / "sarabun" / "files"


@router.get("/stations/{station_code}/shift/report.pdf", response_class=Response,
            responses=PDF)
def read_daily_report(
    ctx: ContextDep, scope: ScopeDep, station_code: str, day: Day = None,
    lang: Annotated[Literal["th", "en"], Query(
        description="th: Thai with English labels, Buddhist Era dates; en: English.")] = "th",
) -> Response:
    """The commander's daily report of a duty day: incidents by kind and priority,
    response times, still open, escalations, units, roster, notable events, handovers and
    the log. Each print is audited."""
    with ctx.db.write() as session:
        found_day = shiftlog.checked_day(day, now=ctx.clock.now(),
                                         start_hour=_start_hour(ctx))
        found = shift_report.build(session, scope=scope, clock=ctx.clock,
                                   station_code=station_code, day=found_day,
                                   cameras_down=_cameras_down(session, scope, station_code))
    # Rendered after the commit: about a second of CPU that holds no write lock (the rows
    # stay loaded: sessions do not expire them on commit).
    pdf = shift_report.render_pdf(found, printed_at=ctx.clock.now(),
                                  printed_by=scope.username, lang=lang, fonts_dir=_fonts())
    name = f"daily-{found.station.code}-{found_day.day.isoformat()}.pdf"
    return Response(pdf, media_type="application/pdf", headers={
        **NO_STORE, "Content-Disposition": f'inline; filename="{name}"'})
