"""The archive: last month's report of every station, region and the country, rendered once
by the runtime's minute sweep from the day ``day`` of each month (Bangkok), and the reads
of what it holds.

Due is computed in one query: the units (created before the month ended) that have no
report of last month in Thai. Nothing due: that query is the whole pass. Something due:
reports are rendered one after another, each committed on its own, until ``budget_s`` is
spent (at least one per pass), so a pass never holds the sweeper long and a crash loses at
most the report being drawn; the next pass goes on from there. The row's unique key (unit,
month, language) makes "once" hold even when two nodes sweep at the same time: the second
insert is refused and dropped. Earlier months are not back-filled; they are on demand.
"""

from __future__ import annotations

import hashlib
import logging
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from safetyzone.audit import service as audit
from safetyzone.core.clock import BANGKOK, Clock, as_utc
from safetyzone.core.db import Database
from safetyzone.core.errors import NotFound
from safetyzone.core.security import Permission, Scope, system_scope
from safetyzone.measure.monthly import render, service
from safetyzone.measure.monthly.models import MonthlyReport
from safetyzone.measure.monthly.parts import Lang
from safetyzone.measure.monthly.period import Month
from safetyzone.measure.monthly.schemas import ArchivedReport, ArchiveList
from safetyzone.org.models import OrgUnit, UnitKind

log = logging.getLogger(__name__)
ACTOR = "monthly-report"
LANG: Lang = "th"  # what the archive keeps; English is printed on demand
DEFAULT_DAY = 2  # the 1st is left whole for the month's last entries and imports
BUDGET_S = 10.0
KINDS = (UnitKind.NATIONAL, UnitKind.REGION, UnitKind.STATION)


def due_month(now: datetime, day: int) -> Month | None:
    """Last month, once the month's ``day`` has come in Bangkok; None before it."""
    if as_utc(now).astimezone(BANGKOK).day < day:
        return None
    return Month.of(now).previous()


def due(session: Session, month: Month, lang: Lang = LANG) -> list[tuple[uuid.UUID, str,
                                                                         UnitKind]]:
    """Units without their report of ``month``: the country first, regions, then stations."""
    missing = ~exists().where(MonthlyReport.unit_id == OrgUnit.id,
                              MonthlyReport.month == month.key, MonthlyReport.lang == lang)
    rows = session.execute(select(OrgUnit.id, OrgUnit.code, OrgUnit.kind).where(
        OrgUnit.kind.in_(KINDS), OrgUnit.created_at < month.end, missing))
    found = [(unit_id, code, kind) for unit_id, code, kind in rows]
    return sorted(found, key=lambda r: (KINDS.index(r[2]), r[1]))


def archive_one(db: Database, clock: Clock, *, unit_id: uuid.UUID, month: Month,
                fonts_dir: Path, lang: Lang = LANG) -> MonthlyReport | None:
    """Render one unit's month and store it; None when it was stored already."""
    scope = system_scope(ACTOR)
    with db.read() as session:
        unit = session.get(OrgUnit, unit_id)
        if unit is None:
            return None
        subject = service.unit_subject(session, scope=scope, unit=unit)
        doc = service.build(session, clock=clock, subject=subject, month=month, lang=lang,
                            fonts_dir=fonts_dir)
    pdf = render.render_pdf(doc, printed_by=ACTOR, fonts_dir=fonts_dir)
    body = render.to_csv(doc)
    try:
        with db.write() as session:
            if session.scalar(select(MonthlyReport.id).where(
                    MonthlyReport.unit_id == unit_id, MonthlyReport.month == month.key,
                    MonthlyReport.lang == lang)) is not None:
                return None
            row = MonthlyReport(unit_id=unit_id, unit_kind=subject.kind.value,
                                month=month.key, lang=lang, created_at=clock.now(),
                                created_by=ACTOR, pdf=pdf, csv=body,
                                pdf_sha256=hashlib.sha256(pdf).hexdigest(),
                                pdf_bytes=len(pdf))
            session.add(row)
            session.flush()
    except IntegrityError:  # another node stored it between our check and our insert
        log.info("monthly report of %s %s stored meanwhile elsewhere", subject.code,
                 month.key)
        return None
    return row


@dataclass
class Archive:
    """The sweep, as the runtime calls it each minute: ``archive.sweep(db, clock)``."""

    fonts_dir: Path
    day: int = DEFAULT_DAY
    budget_s: float = BUDGET_S
    limit: int | None = None  # at most this many per pass (tests); None: the budget decides
    failed: set[tuple[uuid.UUID, str]] = field(default_factory=set)

    def sweep(self, db: Database, clock: Clock) -> int:
        """Render what is due within the budget; the number stored."""
        month = due_month(clock.now(), self.day)
        if month is None:
            return 0
        with db.read() as session:
            pending = [r for r in due(session, month) if (r[0], month.key) not in self.failed]
        started, stored = time.monotonic(), 0
        for tried, (unit_id, code, _kind) in enumerate(pending):
            if self.limit is not None and tried >= self.limit:
                break
            if tried and time.monotonic() - started >= self.budget_s:
                break
            try:
                stored += archive_one(db, clock, unit_id=unit_id, month=month,
                                      fonts_dir=self.fonts_dir) is not None
            except Exception:  # one broken unit must not stop the others, nor loop each minute
                log.exception("monthly report of %s %s failed; not retried until restart",
                              code, month.key)
                self.failed.add((unit_id, month.key))
        return stored


# --- reading the archive ------------------------------------------------------------------

def _visible_units(session: Session, scope: Scope) -> list[uuid.UUID] | None:
    """The units whose archived reports the caller may read; None: every unit."""
    if scope.is_national:
        return None
    ids = list(scope.station_ids or ())
    for region in session.scalars(select(OrgUnit).where(OrgUnit.kind == UnitKind.REGION)):
        if service.covers(session, scope, region):
            ids.append(region.id)
    return ids


def list_reports(session: Session, *, scope: Scope, unit_code: str | None = None,
                 month: str | None = None, limit: int = 100, offset: int = 0) -> ArchiveList:
    """Archived reports in the caller's scope, newest month first (without their bytes);
    ``unit_code``: of one station, region or the country (out of scope: missing)."""
    scope.require(Permission.OPS_READ)
    where = []
    if unit_code is not None:
        unit = session.scalar(select(OrgUnit).where(OrgUnit.code == unit_code))
        if unit is None or not service.covers(session, scope, unit):
            raise NotFound(f"no unit with code '{unit_code}' in your scope")
        where.append(MonthlyReport.unit_id == unit.id)
    else:
        units = _visible_units(session, scope)
        if units is not None:
            where.append(MonthlyReport.unit_id.in_(units))
    if month is not None:
        where.append(MonthlyReport.month == month)
    query = (select(MonthlyReport.id, MonthlyReport.month, MonthlyReport.lang,
                    MonthlyReport.unit_kind, MonthlyReport.created_at,
                    MonthlyReport.pdf_bytes, OrgUnit.code, OrgUnit.name_th, OrgUnit.name_en)
             .join(OrgUnit, OrgUnit.id == MonthlyReport.unit_id).where(*where))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(query.order_by(MonthlyReport.month.desc(), MonthlyReport.unit_kind,
                                          OrgUnit.code).limit(limit).offset(offset))
    return ArchiveList(total=total, items=[ArchivedReport(
        id=r.id, unit_code=r.code, unit_kind=r.unit_kind, name_th=r.name_th,
        name_en=r.name_en, month=r.month, lang=r.lang, created_at=r.created_at,
        pdf_bytes=r.pdf_bytes) for r in rows])


def get_report(session: Session, *, scope: Scope, clock: Clock, report_id: uuid.UUID,
               fmt: str) -> tuple[bytes, str]:
    """An archived report's PDF or CSV and its file name; audited. Out of scope: missing."""
    scope.require(Permission.OPS_READ)
    row = session.get(MonthlyReport, report_id)
    unit = session.get(OrgUnit, row.unit_id) if row is not None else None
    if row is None or unit is None or not service.covers(session, scope, unit):
        raise NotFound("no such monthly report in your scope")
    audit.record(session, actor=scope, at=clock.now(), action="report.monthly.download",
                 entity="monthly_report", entity_id=row.id,
                 station_id=unit.id if unit.kind is UnitKind.STATION else None,
                 detail={"unit": unit.code, "month": row.month, "lang": row.lang,
                         "format": fmt})
    name = f"monthly-{unit.code}-{row.month}-{row.lang}.{fmt}"
    return (row.pdf if fmt == "pdf" else row.csv), name
