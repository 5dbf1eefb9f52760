"""An officer's shift with a unit: starting, ending, who crews a unit now.

An officer is on at most one shift; several officers may crew one unit. The unit comes on
duty (``off_duty`` -> ``available``) with its first officer and goes off duty when the
last one leaves; nobody leaves the unit alone on an open assignment. The shift speaks
through the unit's one "officer app" credential, so its positions and SOS enter the inbox
and the engine exactly like a tracker's (``officer_identity``).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from safetyzone.audit import service as audit
from safetyzone.core.clock import Clock, SystemClock
from safetyzone.core.errors import Conflict, NotFound, Problem
from safetyzone.core.security import Permission, Scope, system_scope
from safetyzone.intake import credentials
from safetyzone.intake.credentials import DeviceIdentity
from safetyzone.intake.models import DeviceCredential, SubjectKind
from safetyzone.ops import feed, incidents
from safetyzone.ops.models import Unit, UnitStatus
from safetyzone.ops.schemas import UnitRead
from safetyzone.ops.units import unit_payload
from safetyzone.org import service as org
from safetyzone.patrol.models import PatrolShift
from safetyzone.patrol.schemas import ShiftRead, UnitChoice

OFFICER_APP = "officer app"
FEED_TYPE = "patrol.shift"


def off_shift(what: str = "") -> Conflict:
    """The refusal of anything that needs a shift, in both languages (code ``off-shift``)."""
    return Conflict(
        "ไม่ได้อยู่ในเวร: เริ่มเวรกับหน่วยของท่านก่อน / You are not on shift: start a shift "
        f"with your unit first{what}", [Problem("no active shift", "shift")], code="off-shift")


def active_shift(session: Session, *, user_id: uuid.UUID) -> PatrolShift | None:
    """The user's shift now, or ``None``."""
    return session.scalar(select(PatrolShift).where(
        PatrolShift.user_id == user_id, PatrolShift.ended_at.is_(None)))


def unit_on_shift(session: Session, *, unit_id: uuid.UUID) -> bool:
    """Whether anyone crews the unit now."""
    return session.scalar(select(PatrolShift.id).where(
        PatrolShift.unit_id == unit_id, PatrolShift.ended_at.is_(None)).limit(1)) is not None


def crew(session: Session, *, unit_id: uuid.UUID) -> list[str]:
    """Usernames on shift with the unit now, first to join first."""
    return list(session.scalars(select(PatrolShift.username).where(
        PatrolShift.unit_id == unit_id, PatrolShift.ended_at.is_(None))
        .order_by(PatrolShift.started_at, PatrolShift.username)))


def officer_identity(session: Session, shift: PatrolShift) -> DeviceIdentity:
    """The intake identity the shift's positions and SOS are filed under: the unit's
    officer-app credential (subject UNIT, so it may send ``gps.position`` only)."""
    row = session.get(DeviceCredential, shift.device_id)
    if row is None or row.revoked_at is not None:  # revoked by an admin mid-shift
        unit = session.get(Unit, shift.unit_id)
        if unit is None:
            raise NotFound("the shift's unit no longer exists")
        row = _unit_credential(session, scope=None, clock=None, unit=unit)
        shift.device_id = row.id
    return credentials.identity_of(row, {})


def _unit_credential(session: Session, *, scope: Scope | None, clock: Clock | None,
                     unit: Unit) -> DeviceCredential:
    return credentials.internal(
        session, scope=scope or system_scope("officer-app"), clock=clock or SystemClock(),
        station_id=unit.station_id, subject_kind=SubjectKind.UNIT, subject_id=unit.id,
        label=OFFICER_APP)


def _station_codes(session: Session, station_ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    return {sid: org.get_unit(session, unit_id=sid).code for sid in station_ids}


def shift_read(session: Session, shift: PatrolShift) -> ShiftRead:
    unit = session.get(Unit, shift.unit_id)
    assert unit is not None  # patrol_shift.unit_id is a RESTRICT foreign key
    return ShiftRead(id=shift.id, unit=UnitRead.model_validate(unit),
                     station_code=org.get_unit(session, unit_id=shift.station_id).code,
                     started_at=shift.started_at, ended_at=shift.ended_at,
                     crew=crew(session, unit_id=unit.id))


def joinable_units(session: Session, *, scope: Scope) -> list[UnitChoice]:
    """The units of the caller's stations, with who crews each now."""
    scope.require(Permission.PATROL_DUTY)
    units = list(session.scalars(select(Unit).where(scope.station_filter(Unit.station_id))
                                 .order_by(Unit.code)))
    codes = _station_codes(session, {u.station_id for u in units})
    crews: dict[uuid.UUID, list[str]] = {}
    for unit_id, username in session.execute(select(PatrolShift.unit_id, PatrolShift.username)
                                             .where(PatrolShift.ended_at.is_(None),
                                                    scope.station_filter(PatrolShift.station_id))
                                             .order_by(PatrolShift.started_at)):
        crews.setdefault(unit_id, []).append(username)
    return [UnitChoice(id=u.id, code=u.code, callsign=u.callsign, kind=u.kind, status=u.status,
                       station_code=codes[u.station_id], crew=crews.get(u.id, []))
            for u in units]


def _unit_in_scope(session: Session, scope: Scope, unit_id: uuid.UUID) -> Unit:
    unit = session.get(Unit, unit_id)
    if unit is None or not scope.sees_station(unit.station_id):
        raise NotFound("no such unit in your stations",
                       [Problem("not found", "unit_id")])
    return unit


def _announce(session: Session, shift: PatrolShift, unit: Unit, event: str) -> None:
    payload: dict[str, Any] = {
        "event": event, "shift_id": str(shift.id), "unit_id": str(unit.id),
        "callsign": unit.callsign, "username": shift.username,
        "crew": crew(session, unit_id=unit.id)}
    at = shift.ended_at or shift.started_at
    feed.append(session, station_id=unit.station_id, at=at, type=FEED_TYPE, entity_id=shift.id,
                payload=payload)


def _unit_status(session: Session, unit: Unit, status: UnitStatus, clock: Clock) -> None:
    unit.status, unit.updated_at = status, clock.now()
    feed.append(session, station_id=unit.station_id, at=unit.updated_at, type="unit.updated",
                entity_id=unit.id, payload=unit_payload(unit))


def start_shift(session: Session, *, scope: Scope, clock: Clock,
                unit_id: uuid.UUID) -> PatrolShift:
    """Join a unit of the caller's stations for a shift (the unit comes on duty)."""
    scope.require(Permission.PATROL_DUTY)
    unit = _unit_in_scope(session, scope, unit_id)  # before "already on shift": no hints
    current = active_shift(session, user_id=scope.user_id)
    if current is not None:
        on = session.get(Unit, current.unit_id)
        raise Conflict(
            f"ท่านอยู่ในเวรกับหน่วย {on.callsign if on else '?'} แล้ว: จบเวรนั้นก่อน / You are "
            f"already on shift with {on.callsign if on else 'a unit'}: end that shift first",
            [Problem(f"shift {current.id} since {current.started_at.isoformat()}", "unit_id")],
            code="already-on-shift")
    now = clock.now()
    credential = _unit_credential(session, scope=scope, clock=clock, unit=unit)
    shift = PatrolShift(station_id=unit.station_id, unit_id=unit.id, user_id=scope.user_id,
                        username=scope.username, started_at=now, device_id=credential.id)
    session.add(shift)
    try:
        session.flush()
    except IntegrityError as err:  # a second phone of the same officer, a moment earlier
        raise Conflict("ท่านเพิ่งเริ่มเวรจากอีกเครื่องหนึ่ง / You have just started a shift "
                       "from another phone", code="already-on-shift") from err
    if unit.status is UnitStatus.OFF_DUTY:
        _unit_status(session, unit, UnitStatus.AVAILABLE, clock)
    audit.record(session, actor=scope, at=now, action="patrol.shift.start", entity="unit",
                 entity_id=unit.id, station_id=unit.station_id,
                 detail={"shift_id": str(shift.id)})
    _announce(session, shift, unit, "started")
    return shift


def end_shift(session: Session, *, scope: Scope, clock: Clock) -> PatrolShift:
    """End the caller's shift; the last officer out takes the unit off duty."""
    scope.require(Permission.PATROL_DUTY)
    shift = active_shift(session, user_id=scope.user_id)
    if shift is None:
        raise off_shift()
    unit = session.get(Unit, shift.unit_id)
    assert unit is not None
    last = crew(session, unit_id=unit.id) == [shift.username]
    busy = incidents.open_assignment(session, unit_id=unit.id)
    if last and busy is not None:
        raise Conflict(
            f"หน่วย {unit.callsign} ยังมีเหตุที่รับผิดชอบอยู่: รายงานเสร็จสิ้นหรือให้ศูนย์ถอนหน่วย"
            f"ก่อนจบเวร / Unit {unit.callsign} is still assigned to incident {busy}: report "
            "it cleared, or ask the command center to release the unit, before ending the shift",
            [Problem(f"open assignment on incident {busy}", "shift")], code="unit-busy")
    now = clock.now()
    shift.ended_at, shift.ended_by = now, scope.username
    session.flush()
    if last and unit.status is not UnitStatus.OFF_DUTY:
        _unit_status(session, unit, UnitStatus.OFF_DUTY, clock)
    audit.record(session, actor=scope, at=now, action="patrol.shift.end", entity="unit",
                 entity_id=unit.id, station_id=unit.station_id,
                 detail={"shift_id": str(shift.id)})
    _announce(session, shift, unit, "ended")
    return shift


def require_shift(session: Session, *, scope: Scope, what: str = "") -> PatrolShift:
    """The caller's shift, or the bilingual 409 every officer action answers without one."""
    scope.require(Permission.PATROL_DUTY)
    shift = active_shift(session, user_id=scope.user_id)
    if shift is None:
        raise off_shift(what)
    return shift
