"""The station's side of lost-document reports: list, read (audited: it unseals the
declarant's identity), issue, revoke, the flagged repeats, and the station's settings.

Every function takes the caller's scope: a report of another station looks missing (404),
and every change writes an audit row in the same transaction.
"""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from safetyzone.audit import service as audit
from safetyzone.core.clock import Clock
from safetyzone.core.errors import Conflict, NotFound
from safetyzone.core.secretbox import SecretBox
from safetyzone.core.security import Permission, Scope
from safetyzone.org import auth
from safetyzone.org import service as org
from safetyzone.services import lostdocs
from safetyzone.services.lostdocs_models import LostDocReport, LostDocSetting, LostDocStatus
from safetyzone.services.lostdocs_schemas import (
    LostDocRead,
    LostDocRow,
    LostDocSettingsIn,
    LostDocSettingsRead,
    RepeatRead,
)

NOT_FOUND = "no such lost-document report in your stations"


def _station_codes(session: Session, ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    return {i: org.get_unit(session, unit_id=i).code for i in ids}


def _row(report: LostDocReport, code: str) -> LostDocRow:
    return LostDocRow(
        id=report.id, code=report.code, station_code=code, status=report.status,
        channel=report.channel, masked_name=report.masked_name,
        kinds=[i["kind"] for i in report.items], flagged=report.flagged,
        record_no=lostdocs.record_no(code, report), created_at=report.created_at,
        issued_at=report.issued_at,
        repeats=[RepeatRead.model_validate(r) for r in report.repeats])


def get_report(session: Session, *, scope: Scope, report_id: uuid.UUID) -> LostDocReport:
    """A report in the caller's stations; others look missing."""
    scope.require(Permission.LOSTDOC_REVIEW)
    report = session.get(LostDocReport, report_id)
    if report is None or not scope.sees_station(report.station_id):
        raise NotFound(NOT_FOUND)
    return report


def list_reports(session: Session, *, scope: Scope, station_code: str | None,
                 status: LostDocStatus | None, flagged: bool | None, limit: int, offset: int
                 ) -> tuple[list[LostDocRow], int]:
    """Reports of the caller's stations, newest first (masked names only)."""
    scope.require(Permission.LOSTDOC_REVIEW)
    query = select(LostDocReport).where(scope.station_filter(LostDocReport.station_id))
    if station_code:
        query = query.where(LostDocReport.station_id == org.get_station(
            session, scope=scope, code=station_code).id)
    if status is not None:
        query = query.where(LostDocReport.status == status)
    if flagged is not None:
        query = query.where(LostDocReport.flagged == flagged)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = list(session.scalars(query.order_by(LostDocReport.created_at.desc(),
                                               LostDocReport.code).limit(limit).offset(offset)))
    codes = _station_codes(session, {r.station_id for r in rows})
    return [_row(r, codes[r.station_id]) for r in rows], total


def read_report(session: Session, *, scope: Scope, clock: Clock, box: SecretBox,
                report_id: uuid.UUID) -> LostDocRead:
    """The whole report with the declarant's identity; the read is audited."""
    report = get_report(session, scope=scope, report_id=report_id)
    code = org.get_unit(session, unit_id=report.station_id).code
    audit.record(session, actor=scope, at=clock.now(), action="lostdoc.read",
                 entity="lostdoc_report", entity_id=report.id, station_id=report.station_id,
                 detail={"code": report.code})
    return LostDocRead(
        **_row(report, code).model_dump(), name=box.open(report.name_sealed),
        national_id=box.open(report.national_id_sealed), phone=box.open(report.phone_sealed),
        items=lostdocs.kinds_of(report), lost_on=report.lost_on, lost_time=report.lost_time,
        lost_where=report.lost_where, how=report.how,
        issued_by=report.issued_by, issued_by_name=report.issued_by_name,
        revoked_at=report.revoked_at, revoked_by=report.revoked_by,
        revoke_reason=report.revoke_reason)


def issue(session: Session, *, scope: Scope, clock: Clock, report_id: uuid.UUID
          ) -> LostDocRow:
    """Number a waiting report after review (a repeat too: the officer decided)."""
    report = get_report(session, scope=scope, report_id=report_id)
    if report.status is not LostDocStatus.PENDING:
        raise Conflict(f"the report is {report.status.value}, not waiting for review")
    user = auth.get_user(session, scope=scope)
    lostdocs.issue_now(session, clock=clock, report=report, username=scope.username,
                       display_name=user.display_name)
    audit.record(session, actor=scope, at=clock.now(), action="lostdoc.issue",
                 entity="lostdoc_report", entity_id=report.id, station_id=report.station_id,
                 detail={"code": report.code, "number": report.number,
                         "be_year": report.be_year, "flagged": report.flagged})
    return _row(report, org.get_unit(session, unit_id=report.station_id).code)


def revoke(session: Session, *, scope: Scope, clock: Clock, report_id: uuid.UUID,
           reason: str) -> LostDocRow:
    """Withdraw a report (issued or waiting): its certificate then verifies as revoked."""
    report = get_report(session, scope=scope, report_id=report_id)
    if report.status is LostDocStatus.REVOKED:
        raise Conflict("the report is already revoked")
    now = clock.now()
    was = report.status
    report.status = LostDocStatus.REVOKED
    report.revoked_at, report.revoked_by = now, scope.username
    report.revoke_reason = reason.strip()
    report.updated_at = now
    audit.record(session, actor=scope, at=now, action="lostdoc.revoke",
                 entity="lostdoc_report", entity_id=report.id, station_id=report.station_id,
                 reason=report.revoke_reason, detail={"code": report.code, "was": was.value})
    return _row(report, org.get_unit(session, unit_id=report.station_id).code)


def read_settings(session: Session, *, scope: Scope, defaults: lostdocs.Defaults,
                  station_code: str) -> LostDocSettingsRead:
    scope.require(Permission.LOSTDOC_REVIEW)
    station = org.get_station(session, scope=scope, code=station_code)
    setting, is_default = lostdocs.settings_for(session, station.id, defaults)
    return LostDocSettingsRead(station_code=station.code, auto_issue=setting.auto_issue,
                               repeat_days=setting.repeat_days, is_default=is_default)


def write_settings(session: Session, *, scope: Scope, clock: Clock,
                   defaults: lostdocs.Defaults, data: LostDocSettingsIn
                   ) -> LostDocSettingsRead:
    """Set whether the station issues at once or after review, and its repeat window."""
    scope.require(Permission.LOSTDOC_SETTINGS)
    station = org.get_station(session, scope=scope, code=data.station_code)
    now = clock.now()
    row = session.get(LostDocSetting, station.id)
    before = None if row is None else {"auto_issue": row.auto_issue,
                                       "repeat_days": row.repeat_days}
    if row is None:
        row = LostDocSetting(station_id=station.id)
        session.add(row)
    row.auto_issue, row.repeat_days = data.auto_issue, data.repeat_days
    row.updated_at, row.updated_by = now, scope.username
    audit.record(session, actor=scope, at=now, action="lostdoc.settings",
                 entity="lostdoc_setting", entity_id=station.id, station_id=station.id,
                 detail={"before": before, "after": {"auto_issue": data.auto_issue,
                                                     "repeat_days": data.repeat_days}})
    session.flush()
    return read_settings(session, scope=scope, defaults=defaults, station_code=station.code)


def audit_print(session: Session, *, scope: Scope, clock: Clock, report: LostDocReport) -> None:
    """A certificate printed at the station carries the declarant's identity: audited."""
    audit.record(session, actor=scope, at=clock.now(), action="lostdoc.print",
                 entity="lostdoc_report", entity_id=report.id, station_id=report.station_id,
                 detail={"code": report.code})
