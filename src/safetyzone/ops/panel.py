"""The station panel's figures from the command center: open incidents, today's counts by
type, response times, units on duty."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from safetyzone.core.clock import BANGKOK, as_utc
from safetyzone.core.security import Permission, Scope
from safetyzone.ops import stats
from safetyzone.ops.incidents import OPEN_STATES
from safetyzone.ops.models import Incident, Unit, UnitStatus
from safetyzone.ops.schemas import ResponseTimes


class OpsFigures(BaseModel):
    open_incidents: int
    open_by_priority: dict[int, int]
    escalated_open: int
    today_since: datetime = Field(description="Midnight in Bangkok, as UTC.")
    today_by_kind: dict[str, int]
    response_times_today: ResponseTimes
    units_on_duty: int
    units_by_status: dict[str, int]


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
        units_by_status=by_status)
