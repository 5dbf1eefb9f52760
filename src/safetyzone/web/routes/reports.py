"""Monthly reports over HTTP: a station's (for its Big 6 meeting), a region's or the
country's, as PDF or CSV on demand, each print audited; and the archive the sweep fills
each month, listed and downloaded (each download audited). Rules live in
``measure.monthly``; docs in docs/measure/reports.md.

Building and drawing are CPU work of a second or more: plain ``def`` routes (a thread).
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response

from safetyzone.core.paging import MAX_OFFSET
from safetyzone.measure.monthly import archive, render, service
from safetyzone.measure.monthly.period import MONTH_PATTERN
from safetyzone.measure.monthly.render import Document
from safetyzone.measure.monthly.schemas import ArchiveList
from safetyzone.web.console.assets import find_node_modules
from safetyzone.web.deps import ContextDep, ScopeDep

router = APIRouter(prefix="/api/v1", tags=["reports"])
NO_STORE = {"Cache-Control": "no-store"}
CSV_TYPE = "text/csv; charset=utf-8"
FILES: dict[int | str, dict[str, Any]] = {200: {
    "content": {"application/pdf": {}, CSV_TYPE: {}},
    "description": "The report: PDF (A4) or CSV (UTF-8 with a byte order mark, for Excel)."}}
MonthQ = Annotated[str | None, Query(pattern=MONTH_PATTERN, description=(
    "YYYY-MM, a calendar month in Bangkok time, from 2020-01 to the current month (shown "
    "as far as it has gone); default: last month."))]
LangQ = Annotated[Literal["th", "en"], Query(description=(
    "th: Thai with English labels, Buddhist Era dates; en: English, Gregorian dates."))]
FormatQ = Annotated[Literal["pdf", "csv"], Query(alias="format")]
CodeQ = Annotated[str | None, Query(min_length=1, max_length=64)]
UnitQ = Annotated[str | None, Query(min_length=1, max_length=64, description=(
    "One station's, region's or the country's (HQ's unit code) reports; default: all of "
    "yours."))]


def fonts_dir() -> Path:
    return find_node_modules() / "@fontsource" / "sarabun" / "files"


def _file(body: bytes, fmt: str, name: str) -> Response:
    if fmt == "pdf":
        return Response(body, media_type="application/pdf", headers={
            **NO_STORE, "Content-Disposition": f'inline; filename="{name}"'})
    return Response(body, media_type=CSV_TYPE, headers={
        **NO_STORE, "Content-Disposition": f'attachment; filename="{name}"'})


def _print(ctx: ContextDep, scope: ScopeDep, doc: Document, fmt: str) -> Response:
    with ctx.db.write() as session:
        service.audit_print(session, scope=scope, clock=ctx.clock, doc=doc, fmt=fmt)
    # Drawn after the commit: CPU that holds no transaction.
    body = (render.render_pdf(doc, printed_by=scope.username, fonts_dir=fonts_dir())
            if fmt == "pdf" else render.to_csv(doc))
    return _file(body, fmt, doc.file_name(fmt))


@router.get("/stations/{station_code}/reports/monthly", response_class=Response,
            responses=FILES)
def read_station_monthly_report(ctx: ContextDep, scope: ScopeDep, station_code: str,
                                month: MonthQ = None, lang: LangQ = "th",
                                fmt: FormatQ = "pdf") -> Response:
    """The station's month for its Big 6 meeting: records by crime group against the month
    before and a year before (per 1,000 people where the population is known), by hour,
    weekday and day, a map of its zones with the month's points and Gi* hot spots, response
    times, the latest People Poll and the rollout. Each print is audited."""
    with ctx.db.read() as session:
        subject = service.station_subject(session, scope=scope, station_code=station_code)
        chosen = service.month_of(month, ctx.clock.now())
        doc = service.build(session, clock=ctx.clock, subject=subject, month=chosen,
                            lang=lang, fonts_dir=fonts_dir(), draw=fmt == "pdf")
    return _print(ctx, scope, doc, fmt)


@router.get("/reports/monthly", response_class=Response, responses=FILES)
def read_monthly_report(ctx: ContextDep, scope: ScopeDep, region_code: CodeQ = None,
                        month: MonthQ = None, lang: LangQ = "th",
                        fmt: FormatQ = "pdf") -> Response:
    """A region's month over its stations (``region_code``), or the country's (none; HQ
    only): rollout by phase, regions, stations ranked by rate (unknown populations apart)
    and a map of the stations. For callers who see every station of it. Audited."""
    with ctx.db.read() as session:
        subject = service.area_subject(session, scope=scope, region_code=region_code)
        chosen = service.month_of(month, ctx.clock.now())
        doc = service.build(session, clock=ctx.clock, subject=subject, month=chosen,
                            lang=lang, fonts_dir=fonts_dir(), draw=fmt == "pdf")
    return _print(ctx, scope, doc, fmt)


@router.get("/reports/monthly/archive", response_model=ArchiveList)
def list_monthly_reports(ctx: ContextDep, scope: ScopeDep, unit_code: UnitQ = None,
                         month: MonthQ = None,
                         limit: Annotated[int, Query(ge=1, le=500)] = 100,
                         offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0
                         ) -> ArchiveList:
    """The reports the server rendered each month (Thai), in your scope, newest first,
    without their bytes."""
    with ctx.db.read() as session:
        return archive.list_reports(session, scope=scope, unit_code=unit_code, month=month,
                                    limit=limit, offset=offset)


@router.get("/reports/monthly/archive/{report_id}", response_class=Response,
            responses=FILES)
def read_archived_monthly_report(ctx: ContextDep, scope: ScopeDep, report_id: uuid.UUID,
                                 fmt: FormatQ = "pdf") -> Response:
    """An archived report as it was rendered, PDF or CSV. Each download is audited."""
    with ctx.db.write() as session:
        body, name = archive.get_report(session, scope=scope, clock=ctx.clock,
                                        report_id=report_id, fmt=fmt)
    return _file(body, fmt, name)
