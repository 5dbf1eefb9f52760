"""Search and history: every incident in the caller's scope, closed ones included, found by
time, state, kind, station, unit, disposition, priority and words; exported as CSV; and one
incident's report (its steps, units, cameras and whole timeline) for the PDF and the CSV.

The queue shows open incidents only; this is where a closed one is found again. Scope is
``incidents.visible_to``, the one rule every incident list uses (the caller's stations; a
covert hotlist hit only for its owner), so a search can never show more than the queue.
Words are matched with LIKE, escaped: a ``%`` or ``_`` typed by the operator matches itself.
Exports and printed reports are audited: who took which incidents out of the system.
"""

from __future__ import annotations

import contextlib
import csv
import io
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, func, or_, select
from sqlalchemy.orm import Session

from safetyzone.audit import service as audit
from safetyzone.core.clock import BANGKOK, Clock, as_utc
from safetyzone.core.errors import InvalidInput, Problem
from safetyzone.core.security import Permission, Scope
from safetyzone.core.spreadsheet import csv_cell
from safetyzone.ops import incidents
from safetyzone.ops.history_schemas import HistoryRow, IncidentFilters
from safetyzone.ops.history_texts import DISPOSITIONS, ENTRIES, KINDS, STATES, label
from safetyzone.ops.models import Assignment, Incident, IncidentLog, Unit
from safetyzone.org import service as org

# Keys of ``Incident.detail`` whose text the words are looked for in (where an incident has
# them): the source's names, a citizen ticket, and the place as a person wrote it.
DETAIL_TEXT_KEYS = ("source_th", "source_en", "ticket", "address", "landmark", "place")
MAX_TERMS = 8
# A CSV export holds at most this many incidents: more is refused, never cut silently.
CSV_MAX_ROWS = 10_000


@dataclass(frozen=True)
class Station:
    id: uuid.UUID
    code: str
    name_th: str
    name_en: str


def _terms(q: str | None) -> list[str]:
    words = (q or "").split()
    if len(words) > MAX_TERMS:
        raise InvalidInput(f"at most {MAX_TERMS} words in one search",
                           [Problem(f"{len(words)} words", "q")])
    return words


def _matches(term: str) -> ColumnElement[bool]:
    """The incident holds ``term`` in its titles, its detail's texts or a timeline note.

    ``icontains(autoescape=True)`` escapes ``%``, ``_`` and the escape character itself, and
    is ILIKE on PostgreSQL, ``lower() LIKE lower()`` on SQLite."""
    note = exists(select(IncidentLog.id).where(
        IncidentLog.incident_id == Incident.id,
        IncidentLog.text.icontains(term, autoescape=True)))
    return or_(Incident.title_th.icontains(term, autoescape=True),
               Incident.title_en.icontains(term, autoescape=True),
               *(Incident.detail[key].as_string().icontains(term, autoescape=True)
                 for key in DETAIL_TEXT_KEYS),
               note)


def _ever_assigned(scope: Scope, unit: str) -> ColumnElement[bool]:
    """Some unit named ``unit`` (its id, code or call sign, in any case) was ever assigned."""
    named = or_(func.lower(Unit.callsign) == unit.lower(), Unit.code == unit)
    with contextlib.suppress(ValueError):  # not an id: a code or a call sign
        named = or_(named, Unit.id == uuid.UUID(unit))
    units = select(Unit.id).where(scope.station_filter(Unit.station_id), named)
    return exists(select(Assignment.id).where(Assignment.incident_id == Incident.id,
                                              Assignment.unit_id.in_(units)))


def _query(session: Session, scope: Scope, filters: IncidentFilters
           ) -> tuple[Select[Incident], Station | None]:
    scope.require(Permission.OPS_READ)
    if (filters.opened_from and filters.opened_to
            and filters.opened_from >= filters.opened_to):
        raise InvalidInput("the time range ends before it starts",
                           [Problem("must be after opened_from", "opened_to")])
    terms = _terms(filters.q)
    query = select(Incident).where(incidents.visible_to(scope))
    station = None
    if filters.station_code:
        found = org.get_station(session, scope=scope, code=filters.station_code)
        station = Station(found.id, found.code, found.name_th, found.name_en)
        query = query.where(Incident.station_id == found.id)
    if filters.opened_from:
        query = query.where(Incident.opened_at >= filters.opened_from)
    if filters.opened_to:
        query = query.where(Incident.opened_at < filters.opened_to)
    if filters.state:
        query = query.where(Incident.state.in_(filters.state))
    if filters.kind:
        query = query.where(Incident.kind.in_(filters.kind))
    if filters.disposition:
        query = query.where(Incident.disposition.in_(filters.disposition))
    if filters.priority:
        query = query.where(Incident.priority.in_(filters.priority))
    if filters.unit:
        query = query.where(_ever_assigned(scope, filters.unit))
    for term in terms:
        query = query.where(_matches(term))
    return query.order_by(Incident.opened_at.desc(), Incident.id.desc()), station


def _count(session: Session, query: Select[Incident]) -> int:
    return session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0


def _stations(session: Session, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Station]:
    out = {}
    for station_id in set(ids):
        unit = org.get_unit(session, unit_id=station_id)
        out[station_id] = Station(unit.id, unit.code, unit.name_th, unit.name_en)
    return out


def _callsigns(session: Session, incident_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
    """Every unit ever assigned to each incident, in the order they were first assigned."""
    out: dict[uuid.UUID, list[str]] = {i: [] for i in incident_ids}
    for incident_id, callsign in session.execute(
            select(Assignment.incident_id, Unit.callsign).join(Unit, Unit.id == Assignment.unit_id)
            .where(Assignment.incident_id.in_(incident_ids)).order_by(Assignment.assigned_at)):
        if callsign not in out[incident_id]:
            out[incident_id].append(callsign)
    return out


def _rows(session: Session, found: Sequence[Incident]) -> list[HistoryRow]:
    stations = _stations(session, (i.station_id for i in found))
    units = _callsigns(session, [i.id for i in found])
    return [HistoryRow(
        id=i.id, station_id=i.station_id, station_code=stations[i.station_id].code,
        station_name_th=stations[i.station_id].name_th,
        station_name_en=stations[i.station_id].name_en, kind=i.kind, priority=i.priority,
        title_th=i.title_th, title_en=i.title_en, state=i.state, opened_at=i.opened_at,
        closed_at=i.closed_at, disposition=i.disposition, escalation_level=i.escalation_level,
        units=units[i.id]) for i in found]


def search(session: Session, *, scope: Scope, filters: IncidentFilters, limit: int,
           offset: int) -> tuple[list[HistoryRow], int]:
    """One page of the incidents that match, newest first, and how many match in all."""
    query, _ = _query(session, scope, filters)
    total = _count(session, query)
    return _rows(session, list(session.scalars(query.limit(limit).offset(offset)))), total


def bangkok(value: datetime | None) -> str:
    """Bangkok wall time as a spreadsheet reads a date (``2026-01-05 14:03:22``)."""
    return "" if value is None else f"{as_utc(value).astimezone(BANGKOK):%Y-%m-%d %H:%M:%S}"


def _write(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([csv_cell(cell) for cell in row] for row in rows)
    return out.getvalue()


SEARCH_COLUMNS = (
    "incident_id", "station_code", "station_th", "kind", "kind_th", "priority", "title_th",
    "title_en", "state", "opened_at_bangkok", "acknowledged_at_bangkok",
    "dispatched_at_bangkok", "arrived_at_bangkok", "cleared_at_bangkok", "closed_at_bangkok",
    "disposition", "disposition_th", "units", "lat", "lon", "source_th")


def export_csv(session: Session, *, scope: Scope, clock: Clock, filters: IncidentFilters,
               max_rows: int = CSV_MAX_ROWS) -> str:
    """Every match as CSV (times in Bangkok), or a refusal past ``max_rows``; audited."""
    query, station = _query(session, scope, filters)
    total = _count(session, query)
    if total > max_rows:
        raise InvalidInput(
            f"{total} incidents match; one file holds at most {max_rows}: narrow the "
            "time range or the filters", [Problem(f"more than {max_rows} rows")])
    found = list(session.scalars(query))
    rows = {row.id: row for row in _rows(session, found)}
    audit.record(session, actor=scope, at=clock.now(), action="incident.export",
                 entity="incident", station_id=station.id if station else None,
                 detail={"rows": len(found),
                         "filters": filters.model_dump(mode="json", exclude_defaults=True)})
    return _write(SEARCH_COLUMNS, ([
        str(i.id), rows[i.id].station_code, rows[i.id].station_name_th, i.kind,
        label(KINDS, i.kind).th, i.priority, i.title_th, i.title_en, i.state.value,
        bangkok(i.opened_at), bangkok(i.acknowledged_at), bangkok(i.dispatched_at),
        bangkok(i.arrived_at), bangkok(i.cleared_at), bangkok(i.closed_at),
        i.disposition, label(DISPOSITIONS, i.disposition).th, rows[i.id].units, i.lat, i.lon,
        (i.detail or {}).get("source_th")] for i in found))


# -- one incident's report ------------------------------------------------------------------

@dataclass(frozen=True)
class Step:
    key: str  # the state reached: its names are in history_texts.STATES
    at: datetime | None
    by: str | None = None


@dataclass(frozen=True)
class Posting:
    """A unit's time on the incident."""

    callsign: str
    assigned_at: datetime
    assigned_by: str
    released_at: datetime | None
    distance_m: float | None


@dataclass(frozen=True)
class Entry:
    at: datetime
    username: str
    entry: str
    from_state: str | None
    to_state: str | None
    callsign: str | None
    disposition: str | None
    text: str | None
    facts: dict[str, Any]


@dataclass(frozen=True)
class Report:
    incident: Incident
    station: Station
    steps: list[Step]
    postings: list[Posting]
    timeline: list[Entry]
    cameras: list[dict[str, Any]]


def report(session: Session, *, scope: Scope, clock: Clock, incident_id: uuid.UUID,
           action: str) -> Report:
    """What a printed or exported incident report holds; ``action`` names the audit row
    (``incident.print``, ``incident.export_timeline``): who took which incident out."""
    incident = incidents.get_incident(session, scope=scope, incident_id=incident_id)
    stations = _stations(session, [incident.station_id])
    postings, callsigns = [], {}
    for assignment, unit in session.execute(
            select(Assignment, Unit).join(Unit, Unit.id == Assignment.unit_id)
            .where(Assignment.incident_id == incident.id).order_by(Assignment.assigned_at)):
        callsigns[str(unit.id)] = unit.callsign
        postings.append(Posting(unit.callsign, assignment.assigned_at, assignment.assigned_by,
                                assignment.released_at, assignment.distance_m))
    timeline = []
    for log in incidents.timeline(session, incident):
        detail = log.detail or {}
        timeline.append(Entry(
            at=log.at, username=log.username, entry=log.entry, from_state=log.from_state,
            to_state=log.to_state, text=log.text, disposition=detail.get("disposition"),
            callsign=detail.get("callsign") or callsigns.get(str(detail.get("unit_id"))),
            facts=detail))
    i = incident
    steps = [Step("new", i.opened_at), Step("acknowledged", i.acknowledged_at, i.acknowledged_by),
             Step("dispatched", i.dispatched_at), Step("en_route", i.en_route_at),
             Step("on_scene", i.arrived_at), Step("cleared", i.cleared_at),
             Step("closed", i.closed_at)]
    audit.record(session, actor=scope, at=clock.now(), action=action, entity="incident",
                 entity_id=incident.id, station_id=incident.station_id)
    return Report(incident, stations[incident.station_id], steps, postings, timeline,
                  list(incident.cameras or []))


TIMELINE_COLUMNS = ("incident_id", "station_code", "at_bangkok", "username", "entry",
                    "entry_th", "from_state", "to_state", "to_state_th", "unit",
                    "disposition", "disposition_th", "text")


def timeline_csv(found: Report) -> str:
    """The report's timeline as CSV, one row per entry, times in Bangkok."""
    incident = found.incident
    return _write(TIMELINE_COLUMNS, ([
        str(incident.id), found.station.code, bangkok(e.at), e.username, e.entry,
        label(ENTRIES, e.entry).th, e.from_state, e.to_state, label(STATES, e.to_state).th,
        e.callsign, e.disposition, label(DISPOSITIONS, e.disposition).th, e.text]
        for e in found.timeline))
