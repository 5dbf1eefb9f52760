"""The unit board: every unit of a station with its status, crew, last fix and assignment,
and what a duty officer does to units from the CCOC.

Units report their own progress from the officer's phone. When the report comes by radio
instead, the operator enters it here, and the incident's timeline says it was entered on the
unit's behalf, so the record shows who said what. Taking a unit out of service or off duty
while it still holds an incident is refused: release or reassign it first, so no incident
silently loses its unit.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from safetyzone.audit import service as audit
from safetyzone.core.clock import Clock
from safetyzone.core.errors import Conflict, InvalidInput, Problem
from safetyzone.core.security import Permission, Scope
from safetyzone.core.text import Inbound
from safetyzone.ops import incidents, units
from safetyzone.ops.models import Assignment, Incident, Unit, UnitStatus
from safetyzone.ops.schemas import UnitRead
from safetyzone.org.models import OrgUnit
from safetyzone.patrol.models import PatrolShift


class BoardAssignment(BaseModel):
    incident_id: uuid.UUID
    title_th: str
    title_en: str
    state: str
    priority: int
    assigned_at: datetime


class BoardRow(UnitRead):
    station_code: str
    crew: list[str]
    assignments: list[BoardAssignment]
    fix_age_s: float | None = Field(description="Seconds since the last fix reached the server.")
    stale_fix: bool


class BoardStatus(enum.StrEnum):
    """What an operator may set for a unit: its progress (reported by radio) or its duty."""

    EN_ROUTE = "en_route"
    ON_SCENE = "on_scene"
    CLEARED = "cleared"
    AVAILABLE = "available"
    UNAVAILABLE = "unavailable"  # out of service: breakdown, refuelling, a meal
    OFF_DUTY = "off_duty"


class BoardStatusIn(Inbound):
    model_config = ConfigDict(extra="forbid")
    status: BoardStatus
    reason: str | None = Field(None, min_length=1, max_length=300,
                               description="Why a unit goes out of service (required then).")


class ReassignIn(Inbound):
    model_config = ConfigDict(extra="forbid")
    incident_id: uuid.UUID


def board(session: Session, *, scope: Scope, now: datetime,
          station_id: uuid.UUID | None = None) -> list[BoardRow]:
    """Every unit in scope, by station and code, in three queries whatever the count."""
    rows = units.list_units(session, scope=scope, station_id=station_id)
    ids = [u.id for u in rows]
    crews: dict[uuid.UUID, list[str]] = {}
    for unit_id, username in session.execute(
            select(PatrolShift.unit_id, PatrolShift.username).where(
                PatrolShift.unit_id.in_(ids), PatrolShift.ended_at.is_(None))
            .order_by(PatrolShift.started_at, PatrolShift.username)):
        crews.setdefault(unit_id, []).append(username)
    held: dict[uuid.UUID, list[BoardAssignment]] = {}
    for assignment, incident in session.execute(
            select(Assignment, Incident).join(Incident, Incident.id == Assignment.incident_id)
            .where(Assignment.unit_id.in_(ids), Assignment.released_at.is_(None))
            .order_by(Assignment.assigned_at)):
        held.setdefault(assignment.unit_id, []).append(BoardAssignment(
            incident_id=incident.id, title_th=incident.title_th, title_en=incident.title_en,
            state=incident.state.value, priority=incident.priority,
            assigned_at=assignment.assigned_at))
    codes = {station_id: code for station_id, code in session.execute(
        select(OrgUnit.id, OrgUnit.code).where(OrgUnit.id.in_({u.station_id for u in rows})))}
    out = []
    for unit in rows:
        age = ((now - unit.fix_received_at).total_seconds()
               if unit.fix_received_at is not None else None)
        out.append(BoardRow(
            **UnitRead.model_validate(unit).model_dump(), station_code=codes[unit.station_id],
            crew=crews.get(unit.id, []), assignments=held.get(unit.id, []),
            fix_age_s=round(age, 1) if age is not None else None,
            stale_fix=age is None or age > units.STALE_FIX.total_seconds()))
    out.sort(key=lambda r: (r.station_code, r.code))
    return out


def _holding(session: Session, unit: Unit) -> list[uuid.UUID]:
    return list(session.scalars(select(Assignment.incident_id).where(
        Assignment.unit_id == unit.id, Assignment.released_at.is_(None))))


def set_status(session: Session, *, scope: Scope, clock: Clock, unit_id: uuid.UUID,
               data: BoardStatusIn) -> Unit:
    """An operator sets a unit's progress or duty; see the module docstring."""
    scope.require(Permission.INCIDENT_ACT)
    unit = units.get_unit(session, scope=scope, unit_id=unit_id)
    status = data.status
    if status is BoardStatus.CLEARED:
        if not _holding(session, unit):
            raise Conflict(f"{unit.callsign} holds no incident to clear",
                           [Problem("no assignment", "status")])
        incidents.unit_cleared(session, scope=scope, clock=clock, unit=unit, on_behalf=True)
        return unit
    held = _holding(session, unit)
    if status in {BoardStatus.EN_ROUTE, BoardStatus.ON_SCENE}:
        if not held:
            raise Conflict(f"{unit.callsign} holds no incident: dispatch it first",
                           [Problem("no assignment", "status")])
        target = UnitStatus(status.value)
        units.set_status(session, scope=scope, clock=clock, unit_id=unit.id, status=target)
        incidents.unit_progress(session, scope=scope, clock=clock, unit=unit, status=target,
                                on_behalf=True)
        return unit
    if held:
        raise Conflict(
            f"{unit.callsign} still holds incident {held[0]}: release or reassign it first",
            [Problem("assigned", "status")], code="unit-assigned")
    if status is BoardStatus.UNAVAILABLE and data.reason is None:
        raise InvalidInput("say why the unit goes out of service",
                           [Problem("missing", "reason")])
    if status is BoardStatus.OFF_DUTY:
        crew = list(session.scalars(select(PatrolShift.username).where(
            PatrolShift.unit_id == unit.id, PatrolShift.ended_at.is_(None))))
        if crew:
            raise Conflict(f"{', '.join(crew)} on shift with {unit.callsign}: they end the "
                           "shift from the phone", [Problem("crewed", "status")],
                           code="unit-crewed")
    units.set_status(session, scope=scope, clock=clock, unit_id=unit.id,
                     status=UnitStatus(status.value))
    if data.reason is not None:
        audit.record(session, actor=scope, at=clock.now(), action="unit.out_of_service",
                     entity="unit", entity_id=unit.id, station_id=unit.station_id,
                     reason=data.reason)
    return unit


def reassign(session: Session, *, scope: Scope, clock: Clock, unit_id: uuid.UUID,
             incident_id: uuid.UUID) -> Incident:
    """Move a unit from what it holds to another incident, in one step (one transaction):
    it is never left assigned to both, nor to none in between."""
    scope.require(Permission.INCIDENT_ACT)
    unit = units.get_unit(session, scope=scope, unit_id=unit_id)
    target = incidents.get_incident(session, scope=scope, incident_id=incident_id)
    held = _holding(session, unit)
    if target.id in held:
        raise Conflict(f"{unit.callsign} is already on this incident",
                       [Problem("same incident", "incident_id")])
    for current in held:
        incidents.release(session, scope=scope, clock=clock, incident_id=current,
                          unit_id=unit.id)
    session.flush()
    return incidents.dispatch(session, scope=scope, clock=clock, incident_id=target.id,
                              unit_id=unit.id)
