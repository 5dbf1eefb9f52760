"""Search and history of incidents over HTTP: the search (JSON and CSV) and one incident's
report (PDF and CSV). Rules live in ``ops.history``; the PDF in ``ops.history_report``.

Registered before the command center's router: ``/incidents/search`` would otherwise be read
as ``/incidents/{incident_id}`` and refused as a malformed id.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response

from safetyzone.core.paging import Page
from safetyzone.core.spreadsheet import BOM
from safetyzone.ops import history, history_report
from safetyzone.ops.history_schemas import HistoryRow, IncidentFilters, PageQuery
from safetyzone.web.console.assets import find_node_modules
from safetyzone.web.deps import ContextDep, ScopeDep

router = APIRouter(prefix="/api/v1", tags=["incident history"])
NO_STORE = {"Cache-Control": "no-store"}
CSV_TYPE = "text/csv; charset=utf-8"
CSV: dict[int | str, dict[str, Any]] = {
    200: {"content": {CSV_TYPE: {}}, "description": "UTF-8 with a byte order mark (Excel)."}}
PDF: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/pdf": {}}, "description": "The report (A4)."}}
Filters = Annotated[IncidentFilters, Query()]
Paging = Annotated[PageQuery, Query()]


def _fonts() -> Path:
    return find_node_modules() / "@fontsource" / "sarabun" / "files"


def _csv(text: str, name: str) -> Response:
    return Response((BOM + text).encode("utf-8"), media_type=CSV_TYPE, headers={
        **NO_STORE, "Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/incidents/search", response_model=Page[HistoryRow])
def search_incidents(ctx: ContextDep, scope: ScopeDep, filters: Filters, paging: Paging
                     ) -> Page[HistoryRow]:
    """Incidents in your scope, closed ones included, newest first, with their station and
    every unit ever assigned. At most 200 a page; ``total`` counts every match."""
    with ctx.db.read() as session:
        rows, total = history.search(session, scope=scope, filters=filters,
                                     limit=paging.limit, offset=paging.offset)
    return Page[HistoryRow](items=rows, total=total, limit=paging.limit, offset=paging.offset)


@router.get("/incidents/search.csv", response_class=Response, responses=CSV)
def export_incidents(ctx: ContextDep, scope: ScopeDep, filters: Filters) -> Response:
    """Every match of the search as CSV (Bangkok times), at most 10,000 rows: more is
    refused, so narrow the filters. Audited: who exported which incidents."""
    with ctx.db.write() as session:
        text = history.export_csv(session, scope=scope, clock=ctx.clock, filters=filters)
    return _csv(text, "incidents.csv")


@router.get("/incidents/{incident_id}/report.pdf", response_class=Response, responses=PDF)
def read_incident_report(
    ctx: ContextDep, scope: ScopeDep, incident_id: uuid.UUID,
    lang: Annotated[Literal["th", "en"], Query(
        description="th: Thai with English labels, Buddhist Era dates; en: English.")] = "th",
) -> Response:
    """The incident's report to print: station, kind, steps, units, cameras and the whole
    timeline. Each print is audited."""
    with ctx.db.write() as session:
        found = history.report(session, scope=scope, clock=ctx.clock, incident_id=incident_id,
                               action="incident.print")
    # Rendered after the commit: about a second of CPU that holds no write lock.
    pdf = history_report.render_pdf(found, printed_at=ctx.clock.now(), printed_by=scope.username,
                                    lang=lang, fonts_dir=_fonts())
    return Response(pdf, media_type="application/pdf", headers={
        **NO_STORE, "Content-Disposition": f'inline; filename="incident-{incident_id}.pdf"'})


@router.get("/incidents/{incident_id}/report.csv", response_class=Response, responses=CSV)
def export_incident_timeline(ctx: ContextDep, scope: ScopeDep, incident_id: uuid.UUID
                             ) -> Response:
    """The incident's timeline as CSV (Bangkok times). Audited."""
    with ctx.db.write() as session:
        found = history.report(session, scope=scope, clock=ctx.clock, incident_id=incident_id,
                               action="incident.export_timeline")
        text = history.timeline_csv(found)
    return _csv(text, f"incident-{incident_id}.csv")
