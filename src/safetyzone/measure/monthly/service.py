"""Who may read which monthly report, and building one.

A station's report: any role that reads the station's picture (``ops.read``) in its scope;
another station's looks missing. A region's or the country's report covers stations, so
it is for callers who see every one of them: a region desk its region, HQ every region and
the country. A station desk asking for its region is told the region is not in its scope.

Building reads only; the print is audited separately (``audit_print``) in a short write,
and the PDF is drawn after both, holding no transaction.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from safetyzone.audit import service as audit
from safetyzone.core.clock import Clock
from safetyzone.core.errors import NotFound, PermissionDenied
from safetyzone.core.security import Permission, Scope
from safetyzone.measure.monthly import period, sections
from safetyzone.measure.monthly.parts import Lang, Report, Section, Subject
from safetyzone.measure.monthly.period import Month
from safetyzone.measure.monthly.render import Document
from safetyzone.org import service as org
from safetyzone.org.models import OrgUnit, UnitKind

NATIONAL_CODE = "national"


def narrowed(scope: Scope, station_ids: frozenset[uuid.UUID]) -> Scope:
    """The caller's scope limited to ``station_ids`` (for the subject's queries)."""
    mine = station_ids if scope.station_ids is None else station_ids & scope.station_ids
    return replace(scope, station_ids=frozenset(mine))


def station_subject(session: Session, *, scope: Scope, station_code: str) -> Subject:
    station = org.get_station(session, scope=scope, code=station_code)
    scope.require(Permission.OPS_READ)
    ids = frozenset({station.id})
    return Subject(station.id, station.code, UnitKind.STATION, station.name_th,
                   station.name_en, ids, narrowed(scope, ids))


def _all_stations(session: Session) -> frozenset[uuid.UUID]:
    return frozenset(session.scalars(select(OrgUnit.id).where(
        OrgUnit.kind == UnitKind.STATION)))


def covers(session: Session, scope: Scope, unit: OrgUnit) -> bool:
    """Whether the caller sees every station the unit's report is about."""
    if scope.is_national:
        return True
    if unit.kind is UnitKind.STATION:
        return scope.sees_station(unit.id)
    if unit.kind is not UnitKind.REGION:
        return False
    stations = org.station_ids_under(session, [unit.id]) or frozenset()
    return bool(stations) and stations <= (scope.station_ids or frozenset())


def area_subject(session: Session, *, scope: Scope, region_code: str | None) -> Subject:
    """A region's subject (``region_code``) or the country's (None)."""
    scope.require(Permission.OPS_READ)
    if region_code is None:
        if not scope.is_national:
            raise PermissionDenied("the national report is for national (HQ) users; ask for "
                                   "your region's or your station's")
        unit = session.scalar(select(OrgUnit).where(OrgUnit.kind == UnitKind.NATIONAL)
                              .order_by(OrgUnit.code).limit(1))
        ids = _all_stations(session)
        if unit is None:
            return Subject(None, NATIONAL_CODE, UnitKind.NATIONAL, "ทั่วประเทศ",
                           "Whole country", ids, narrowed(scope, ids))
        return Subject(unit.id, unit.code, UnitKind.NATIONAL, unit.name_th, unit.name_en,
                       ids, narrowed(scope, ids))
    unit = session.scalar(select(OrgUnit).where(OrgUnit.code == region_code,
                                                OrgUnit.kind == UnitKind.REGION))
    if unit is None or not covers(session, scope, unit):
        raise NotFound(f"no region with code '{region_code}' in your scope")
    ids = org.station_ids_under(session, [unit.id]) or frozenset()
    return Subject(unit.id, unit.code, UnitKind.REGION, unit.name_th, unit.name_en, ids,
                   narrowed(scope, ids))


def unit_subject(session: Session, *, scope: Scope, unit: OrgUnit) -> Subject:
    """The subject of an org unit's report (the archive's sweep and downloads)."""
    if unit.kind is UnitKind.STATION:
        return station_subject(session, scope=scope, station_code=unit.code)
    if unit.kind is UnitKind.REGION:
        return area_subject(session, scope=scope, region_code=unit.code)
    return area_subject(session, scope=scope, region_code=None)


def month_of(text: str | None, now: datetime) -> Month:
    """The month asked for, or by default the last whole one."""
    return Month.of(now).previous() if text is None else period.parse(text, now=now)


def build(session: Session, *, clock: Clock, subject: Subject, month: Month, lang: Lang,
          fonts_dir: Path, draw: bool = True) -> Document:
    """Every section's figures of the subject's month, and their drawings unless ``draw``
    is False (a CSV needs none)."""
    now = clock.now()
    report = Report(session=session, clock=clock, subject=subject, month=month, lang=lang,
                    now=now, fonts_dir=fonts_dir, draw=draw)
    chosen: tuple[Section, ...] = (sections.STATION if subject.kind is UnitKind.STATION
                                   else sections.AREA)
    parts = [part for section in chosen if (part := section(report)) is not None]
    return Document(subject=subject, month=month, lang=lang, made_at=now, parts=parts)


def audit_print(session: Session, *, scope: Scope, clock: Clock, doc: Document,
                fmt: str, action: str = "report.monthly.print",
                report_id: uuid.UUID | None = None) -> None:
    """Who printed or downloaded which report, in which form."""
    s = doc.subject
    audit.record(session, actor=scope, at=clock.now(), action=action,
                 entity="monthly_report" if report_id else "org_unit",
                 entity_id=report_id or s.unit_id,
                 station_id=s.unit_id if s.kind is UnitKind.STATION else None,
                 detail={"unit": s.code, "kind": s.kind.value, "month": doc.month.key,
                         "lang": doc.lang, "format": fmt})
