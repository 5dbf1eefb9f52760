"""191-call and crime-case records: import (all or nothing), list, delete, and the one
stream of records that the hotspot and KPI work reads.

An import reads every row, checks every cell, maps each type to a call type and its crime
group (``measure.taxonomy``) and looks for duplicates, in the file and against what the
station already holds, before it stores anything. One bad row and nothing is stored; the
refusal lists every problem with its line. A dry run does all of that and stores nothing.

Duplicates: two records are the same when they have the same source and number, or the
same time (to the minute), place (folded: no spaces, lower case) and type. A re-sent file
is refused on every line rather than counted twice.
"""

from __future__ import annotations

import hashlib
import math
import re
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from safetyzone.audit import service as audit
from safetyzone.core.clock import BANGKOK, Clock
from safetyzone.core.errors import InvalidInput, NotFound, Problem
from safetyzone.core.geo import position_problem
from safetyzone.core.security import Permission, Scope
from safetyzone.measure import record_files, taxonomy
from safetyzone.measure.models import Record, RecordImport, RecordSource
from safetyzone.measure.record_files import RawRow
from safetyzone.measure.schemas import (
    RecordImportList,
    RecordImportOut,
    RecordImportReport,
    RecordList,
    RecordOut,
)
from safetyzone.ops.calltypes import CrimeGroup
from safetyzone.ops.models import Incident, IncidentCall
from safetyzone.org import service as org
from safetyzone.org.models import OrgUnit

BE_OFFSET = 543
EARLIEST = date(1990, 1, 1)  # older dates are taken for a mistyped year
MAX_LEN = {"type": 200, "place": 500, "number": 64, "detail": 2000}
MAX_FILE_NAME = 255
PROBLEMS_SHOWN = 500  # a refusal lists at most this many problems (and says how many more)


# --- cells -----------------------------------------------------------------------------

_DATE_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](.+))?$")
_DATE_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:\s+(.+))?$")
_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?$")


def _year(year: int) -> int:
    """A Buddhist Era year (Thai files mostly write 2564) as the Gregorian one."""
    return year - BE_OFFSET if year >= 2400 else year


def parse_time(value: object) -> time:
    """``14:30``, ``14.30 น.``, ``14:30:05``, an Excel time or a fraction of a day."""
    if isinstance(value, datetime):
        return value.time()
    if isinstance(value, time):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not 0 <= value < 1:
            raise ValueError(f"{value} is not a time of day")
        seconds = round(float(value) * 86400)
        return time(seconds // 3600, seconds % 3600 // 60, seconds % 60)
    text = str(value).strip().removesuffix("น.").strip()
    match = _TIME.match(text)
    if not match:
        raise ValueError(f"'{value}' is not a time: write HH:MM (e.g. 14:30)")
    hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
    if hour > 23 or minute > 59 or second > 59:
        raise ValueError(f"'{value}' is not a time of day")
    return time(hour, minute, second)


def parse_date(value: object) -> tuple[date, time | None]:
    """The date, and the time when the cell carries one too.

    Text: ``2021-03-15``, ``15/03/2564`` or ``15/03/2021`` (day first, as Thai forms write
    it; a year from 2400 on is Buddhist Era), optionally followed by a time.
    """
    if isinstance(value, datetime):
        carried = value.time() if value.time() != time(0) else None
        return value.date(), carried
    if isinstance(value, date):
        return value, None
    text = str(value).strip()
    iso, dmy = _DATE_ISO.match(text), _DATE_DMY.match(text)
    if iso:
        y, m, d, rest = int(iso[1]), int(iso[2]), int(iso[3]), iso[4]
    elif dmy:
        d, m, y, rest = int(dmy[1]), int(dmy[2]), int(dmy[3]), dmy[4]
    else:
        raise ValueError(f"'{value}' is not a date: write DD/MM/YYYY (e.g. 15/03/2564) or "
                         "YYYY-MM-DD")
    try:
        day = date(_year(y), m, d)
    except ValueError:
        raise ValueError(f"'{value}' is not a date of the calendar") from None
    return day, parse_time(rest) if rest else None


def _number(value: object, what: str) -> float:
    if isinstance(value, bool):
        raise ValueError(f"{what} is not a number")
    if isinstance(value, int | float):
        number = float(value)
    else:
        try:
            number = float(str(value).strip())
        except ValueError:
            raise ValueError(f"'{value}' is not a number") from None
    if not math.isfinite(number):
        raise ValueError(f"{what} is not a finite number")
    return number


def _text(value: object, column: str) -> str:
    """A cell as text: numbers (a case number typed as 1234) become their digits."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime | date | time):
        raise ValueError("expected text, not a date or time")
    text = str(value).strip()
    if "\x00" in text:
        raise ValueError("holds a NUL character")
    if len(text) > MAX_LEN[column]:
        raise ValueError(f"longer than {MAX_LEN[column]} characters")
    return text


def fold_place(place: str) -> str:
    return re.sub(r"\s+", "", place).lower()


# --- rows -> planned records -----------------------------------------------------------

@dataclass
class Planned:
    """A row that passed its own checks: what would be stored."""

    row: RawRow
    occurred_at: datetime
    type_label: str
    mapped: taxonomy.Mapped
    place: str
    lat: float | None
    lon: float | None
    number: str | None
    detail: str | None

    @property
    def same_key(self) -> tuple[datetime, str, str]:
        """Time, place and type: the duplicate rule's second half."""
        return (self.occurred_at, fold_place(self.place), self.type_key)

    @property
    def type_key(self) -> str:
        return self.mapped.kind or f"group:{self.mapped.group.value}"


def _plan(row: RawRow, now: datetime) -> Planned | None:
    cells = row.cells
    for column in record_files.REQUIRED:
        if column == "time" and "date" in cells:
            continue  # a date cell may carry the time; checked below
        if column not in cells:
            row.refuse(f"{column} ({record_files.COLUMNS[column][0]}) is required", column)
    day = at = None
    if "date" in cells:
        try:
            day, at = parse_date(cells["date"])
        except ValueError as err:
            row.refuse(str(err), "date")
    if "time" in cells:
        try:
            at = parse_time(cells["time"])
        except ValueError as err:
            row.refuse(str(err), "time")
    elif day is not None and at is None:
        row.refuse(f"time ({record_files.COLUMNS['time'][0]}) is required", "time")
    texts: dict[str, str | None] = {}
    for column in ("type", "place", "number", "detail"):
        if column in cells:
            try:
                texts[column] = _text(cells[column], column) or None
            except ValueError as err:
                row.refuse(str(err), column)
    mapped = None
    label = texts.get("type")
    if label:
        mapped = taxonomy.map_type(label)
        if mapped is None:
            row.refuse(f"unknown type '{label}': not in the mapping table "
                       "(docs/measure/records.md); write อื่นๆ only if it is none of them",
                       "type")
    lat = lon = None
    if ("lat" in cells) != ("lon" in cells):
        row.refuse("give both latitude and longitude, or neither",
                   "lat" if "lat" not in cells else "lon")
    elif "lat" in cells:
        try:
            lat, lon = _number(cells["lat"], "latitude"), _number(cells["lon"], "longitude")
        except ValueError as err:
            row.refuse(str(err), "lat")
        else:
            problem = position_problem(lat, lon, "lat")
            if problem:
                row.refuse(problem.reason, "lat")
    occurred = None
    if day is not None and at is not None:
        occurred = datetime.combine(day, at, BANGKOK).astimezone(UTC)
        if day < EARLIEST:
            row.refuse(f"{day.isoformat()} is before {EARLIEST.year}: is the year right?",
                       "date")
        elif occurred > now + timedelta(minutes=5):
            row.refuse(f"{occurred.astimezone(BANGKOK).isoformat()} is in the future", "date")
    if row.problems or occurred is None or mapped is None or not label or not texts.get(
            "place"):
        return None
    return Planned(row=row, occurred_at=occurred, type_label=label, mapped=mapped,
                   place=str(texts["place"]), lat=lat, lon=lon, number=texts.get("number"),
                   detail=texts.get("detail"))


def _in_file_duplicates(plans: list[Planned]) -> None:
    by_number: dict[str, Planned] = {}
    by_key: dict[tuple[datetime, str, str], Planned] = {}
    for plan in plans:
        if plan.number is not None:
            first = by_number.setdefault(plan.number, plan)
            if first is not plan:
                plan.row.refuse(f"number '{plan.number}' is already on line {first.row.line} "
                                "of this file", "number")
                continue
        first = by_key.setdefault(plan.same_key, plan)
        if first is not plan:
            plan.row.refuse(f"same time, place and type as line {first.row.line} of this "
                            "file", "type")


def _stored_duplicates(session: Session, station_id: uuid.UUID, source: RecordSource,
                       plans: list[Planned]) -> None:
    """Rows the station already holds: same source and number, or same time, place, type."""
    numbers = [p.number for p in plans if p.number is not None]
    held: dict[str, uuid.UUID] = {}
    for chunk in _chunks(numbers, 500):
        for number, import_id in session.execute(select(Record.external_no, Record.import_id)
                                                 .where(Record.station_id == station_id,
                                                        Record.source == source,
                                                        Record.external_no.in_(chunk))):
            if number is not None:
                held[number] = import_id
    keys: dict[tuple[datetime, str, str], uuid.UUID] = {}
    times = sorted({p.occurred_at for p in plans})
    for chunk in _chunks(times, 500):
        for at, place_key, kind, group, import_id in session.execute(select(
                Record.occurred_at, Record.place_key, Record.kind, Record.crime_group,
                Record.import_id).where(Record.station_id == station_id,
                                        Record.occurred_at.in_(chunk))):
            keys[(at, place_key, kind or f"group:{group}")] = import_id
    for plan in plans:
        if plan.row.problems:
            continue
        if plan.number is not None and plan.number in held:
            plan.row.refuse(f"number '{plan.number}' is already stored (import "
                            f"{held[plan.number]})", "number")
        elif plan.same_key in keys:
            plan.row.refuse("a record with the same time, place and type is already stored "
                            f"(import {keys[plan.same_key]})", "type")


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _refusal(rows: list[RawRow]) -> InvalidInput:
    refused = [row for row in rows if row.problems]
    problems = [p for row in refused for p in row.problems]
    shown = problems[:PROBLEMS_SHOWN]
    if len(problems) > len(shown):
        shown.append(Problem(f"... and {len(problems) - len(shown)} more problems"))
    what = f"{len(refused)} {'row' if len(refused) == 1 else 'rows'} refused"
    return InvalidInput(f"{what}; nothing was imported", shown)


def _file_name(name: str | None) -> str:
    clean = re.sub(r"[\x00-\x1f\x7f]", "", (name or "").strip())
    return clean[-MAX_FILE_NAME:] or "upload"


def import_records(
    session: Session, *, scope: Scope, clock: Clock, station_code: str, source: RecordSource,
    file_name: str | None, body: bytes, dry_run: bool = False,
) -> RecordImportReport:
    """Check a 191 or crime-case file and store every row, or none; ``dry_run`` only checks.

    The caller's access is checked before the bytes are read.
    """
    station = org.get_station(session, scope=scope, code=station_code)
    scope.require(Permission.MEASURE_MANAGE)
    fmt, rows = record_files.read_file(body)
    now = clock.now()
    plans = [plan for plan in (_plan(row, now) for row in rows) if plan is not None]
    _in_file_duplicates(plans)
    _stored_duplicates(session, station.id, source, plans)
    if any(row.problems for row in rows):
        raise _refusal(rows)
    name = _file_name(file_name)
    groups = Counter(p.mapped.group.value for p in plans)
    kinds = Counter(p.mapped.kind or "-" for p in plans)
    report = RecordImportReport(
        dry_run=dry_run, import_id=None, station_code=station.code, source=source,
        file_name=name, file_format=fmt, rows=len(plans), group_counts=dict(groups),
        kind_counts=dict(kinds))
    if dry_run:
        return report
    batch = RecordImport(station_id=station.id, source=source, file_name=name,
                         file_format=fmt, sha256=hashlib.sha256(body).hexdigest(),
                         rows=len(plans), created_at=now, created_by=scope.username)
    session.add(batch)
    session.flush()
    session.add_all(Record(
        station_id=station.id, import_id=batch.id, source=source, line=p.row.line,
        external_no=p.number, occurred_at=p.occurred_at, type_label=p.type_label,
        kind=p.mapped.kind, crime_group=p.mapped.group.value, place=p.place,
        place_key=fold_place(p.place), lat=p.lat, lon=p.lon, detail=p.detail) for p in plans)
    session.flush()
    audit.record(session, actor=scope, at=now, action="measure.records.import",
                 entity="record_import", entity_id=batch.id, station_id=station.id,
                 detail={"source": source.value, "file_name": name, "format": fmt,
                         "rows": len(plans), "sha256": batch.sha256,
                         "group_counts": dict(groups)})
    return report.model_copy(update={"import_id": batch.id})


def _import_out(batch: RecordImport, station: OrgUnit) -> RecordImportOut:
    return RecordImportOut(id=batch.id, station_code=station.code, source=batch.source,
                           file_name=batch.file_name, file_format=batch.file_format,
                           sha256=batch.sha256, rows=batch.rows, created_at=batch.created_at,
                           created_by=batch.created_by)


def list_imports(session: Session, *, scope: Scope, station_code: str, limit: int = 50,
                 offset: int = 0) -> RecordImportList:
    """The station's imports, newest first: who, when, which file, how many rows."""
    station = org.get_station(session, scope=scope, code=station_code)
    scope.require(Permission.OPS_READ)
    where = RecordImport.station_id == station.id
    total = session.scalar(select(func.count()).select_from(RecordImport).where(where)) or 0
    batches = session.scalars(select(RecordImport).where(where).order_by(
        RecordImport.created_at.desc(), RecordImport.id).limit(limit).offset(offset))
    return RecordImportList(items=[_import_out(b, station) for b in batches], total=total)


def delete_import(session: Session, *, scope: Scope, clock: Clock,
                  import_id: uuid.UUID) -> RecordImportOut:
    """Take a whole import back with its records; audited with what it held."""
    batch = session.get(RecordImport, import_id)
    if batch is None or not scope.sees_station(batch.station_id):
        raise NotFound("no such record import in your scope")
    scope.require(Permission.MEASURE_MANAGE)
    station = session.get(OrgUnit, batch.station_id)
    assert station is not None
    out = _import_out(batch, station)
    removed = session.execute(delete(Record).where(Record.import_id == batch.id))
    session.delete(batch)
    session.flush()
    audit.record(session, actor=scope, at=clock.now(), action="measure.records.delete",
                 entity="record_import", entity_id=batch.id, station_id=batch.station_id,
                 detail={"source": batch.source.value, "file_name": batch.file_name,
                         "rows": batch.rows, "deleted": getattr(removed, "rowcount", None),
                         "sha256": batch.sha256})
    return out


def list_records(
    session: Session, *, scope: Scope, station_code: str, source: RecordSource | None = None,
    group: CrimeGroup | None = None, kind: str | None = None, since: datetime | None = None,
    until: datetime | None = None, import_id: uuid.UUID | None = None, limit: int = 100,
    offset: int = 0,
) -> RecordList:
    """The station's imported records, newest first, filtered."""
    station = org.get_station(session, scope=scope, code=station_code)
    scope.require(Permission.OPS_READ)
    conditions = [Record.station_id == station.id]
    if source is not None:
        conditions.append(Record.source == source)
    if group is not None:
        conditions.append(Record.crime_group == group.value)
    if kind is not None:
        conditions.append(Record.kind == kind)
    if since is not None:
        conditions.append(Record.occurred_at >= since)
    if until is not None:
        conditions.append(Record.occurred_at < until)
    if import_id is not None:
        conditions.append(Record.import_id == import_id)
    total = session.scalar(select(func.count()).select_from(Record).where(*conditions)) or 0
    rows = session.scalars(select(Record).where(*conditions).order_by(
        Record.occurred_at.desc(), Record.id).limit(limit).offset(offset))
    return RecordList(items=[RecordOut.model_validate(r) for r in rows], total=total)


# --- the one stream ---------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class UnifiedRecord:
    """One event in the area, whatever brought it: a 191 call, a case, a CCOC incident."""

    origin: str  # "191", "case" or "ccoc"
    ref: str  # the record's number or id; the incident's id
    station_id: uuid.UUID
    at: datetime
    kind: str | None  # an ops.calltypes key, or the incident's device kind
    group: CrimeGroup
    lat: float | None
    lon: float | None


def unified_records(session: Session, *, scope: Scope, station_code: str, since: datetime,
                    until: datetime) -> Iterator[UnifiedRecord]:
    """Imported records and CCOC incidents of a station in [since, until), by time.

    An incident taken from a 191 transfer whose 191 number was also imported is the same
    call: the imported record stands for it, the incident is left out. Operational
    incidents (maintenance, a risk spot not visited) are not events and are left out.
    """
    station = org.get_station(session, scope=scope, code=station_code)
    scope.require(Permission.OPS_READ)
    out: list[UnifiedRecord] = []
    imported_191: set[str] = set()
    for r in session.scalars(select(Record).where(
            Record.station_id == station.id, Record.occurred_at >= since,
            Record.occurred_at < until)):
        if r.source is RecordSource.CALL_191 and r.external_no:
            imported_191.add(r.external_no)
        out.append(UnifiedRecord(origin=r.source.value, ref=r.external_no or str(r.id),
                                 station_id=r.station_id, at=r.occurred_at, kind=r.kind,
                                 group=CrimeGroup(r.crime_group), lat=r.lat, lon=r.lon))
    refs: dict[uuid.UUID, str | None] = {
        incident_id: ref for incident_id, ref in session.execute(
            select(IncidentCall.incident_id, IncidentCall.external_ref)
            .join(Incident, Incident.id == IncidentCall.incident_id)
            .where(IncidentCall.station_id == station.id, Incident.opened_at >= since,
                   Incident.opened_at < until, IncidentCall.external_ref.is_not(None)))}
    for inc in session.scalars(select(Incident).where(
            Incident.station_id == station.id, Incident.opened_at >= since,
            Incident.opened_at < until)):
        group = taxonomy.incident_group(inc.kind)
        if group is None or refs.get(inc.id) in imported_191:
            continue
        out.append(UnifiedRecord(origin="ccoc", ref=str(inc.id), station_id=inc.station_id,
                                 at=inc.opened_at, kind=inc.kind, group=group, lat=inc.lat,
                                 lon=inc.lon))
    out.sort(key=lambda u: (u.at, u.origin, u.ref))
    yield from out


__all__ = ["UnifiedRecord", "delete_import", "import_records", "list_imports", "list_records",
           "unified_records"]
