"""The station panel's figures from the command center: open incidents, today's counts by
type, response times, units on duty, work orders open and overdue by partner."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from safetyzone.core.clock import BANGKOK, as_utc
from safetyzone.core.security import Permission, Scope
from safetyzone.ops import stats, workorders
from safetyzone.ops.incidents import OPEN_STATES, visible_to
from safetyzone.ops.models import Incident, Unit, UnitStatus
from safetyzone.ops.schemas import ResponseTimes
from safetyzone.ops.workorder_schemas import PartnerLoad


class OpsFigures(BaseModel):
    open_incidents: int
    open_by_priority: dict[int, int]
    escalated_open: int
    today_since: datetime = Field(description="Midnight in Bangkok, as UTC.")
    today_by_kind: dict[str, int]
    response_times_today: ResponseTimes
    units_on_duty: int
    units_by_status: dict[str, int]
    workorders_by_partner: list[PartnerLoad] = Field(
        default_factory=list, description="Unfinished and overdue work orders per partner.")


def start_of_day(now: datetime) -> datetime:
    """Midnight in Bangkok of the day ``now`` falls in."""
    local = as_utc(now).astimezone(BANGKOK)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def figures(session: Session, *, scope: Scope, station_id: uuid.UUID, now: datetime
            ) -> OpsFigures:
    scope.require(Permission.OPS_READ)
    since = start_of_day(now)
    open_rows = session.execute(select(Incident.priority, Incident.escalation_level).where(
        Incident.station_id == station_id, Incident.state.in_(OPEN_STATES))).all()
    by_priority: dict[int, int] = {}
    for priority, _ in open_rows:
        by_priority[priority] = by_priority.get(priority, 0) + 1
    today = session.execute(select(Incident.kind, func.count()).where(
        Incident.station_id == station_id, Incident.opened_at >= since)
        .group_by(Incident.kind)).all()
    units = session.execute(select(Unit.status, func.count()).where(
        Unit.station_id == station_id).group_by(Unit.status)).all()
    by_status = {status.value: int(n) for status, n in units}
    return OpsFigures(
        open_incidents=len(open_rows), open_by_priority=dict(sorted(by_priority.items())),
        escalated_open=sum(1 for _, level in open_rows if level > 0),
        today_since=since.astimezone(as_utc(now).tzinfo),
        today_by_kind={kind: int(n) for kind, n in sorted(today)},
        response_times_today=stats.response_times(session, scope=scope, station_id=station_id,
                                                   since=since),
        units_on_duty=sum(n for s, n in by_status.items() if s != UnitStatus.OFF_DUTY.value),
        units_by_status=by_status,
        workorders_by_partner=workorders.loads(session, scope=scope, station_id=station_id,
                                               now=now))


class StationOps(BaseModel):
    """One station's line in the roll-up of many stations."""

    open_incidents: int = 0
    open_p1: int = 0
    escalated_open: int = 0
    oldest_open_at: datetime | None = None
    units_on_duty: int = 0
    units_available: int = 0
    units_out_of_service: int = 0


def rollup(session: Session, *, scope: Scope, station_ids: list[uuid.UUID]
           ) -> dict[uuid.UUID, StationOps]:
    """The figures of many stations in two grouped queries, whatever their number (a region
    has dozens, HQ about 1,500): a row per station, never a panel per station."""
    scope.require(Permission.OPS_READ)
    out = {station_id: StationOps() for station_id in station_ids}
    escalated = func.sum(case((Incident.escalation_level > 0, 1), else_=0))
    p1 = func.sum(case((Incident.priority == 1, 1), else_=0))
    for station_id, count, n_p1, n_escalated, oldest in session.execute(
            select(Incident.station_id, func.count(), p1, escalated, func.min(Incident.opened_at))
            .where(visible_to(scope), Incident.station_id.in_(station_ids),
                   Incident.state.in_(OPEN_STATES)).group_by(Incident.station_id)):
        row = out[station_id]
        row.open_incidents, row.open_p1 = int(count), int(n_p1 or 0)
        row.escalated_open, row.oldest_open_at = int(n_escalated or 0), oldest
    for station_id, status, count in session.execute(
            select(Unit.station_id, Unit.status, func.count())
            .where(scope.station_filter(Unit.station_id), Unit.station_id.in_(station_ids))
            .group_by(Unit.station_id, Unit.status)):
        row = out[station_id]
        if status is not UnitStatus.OFF_DUTY:
            row.units_on_duty += int(count)
        if status is UnitStatus.AVAILABLE:
            row.units_available += int(count)
        if status is UnitStatus.UNAVAILABLE:
            row.units_out_of_service += int(count)
    return out
