"""Incidents: opened by rules, merged when a button is pressed again, moved through a strict
state machine by people, every step time-stamped, logged and audited.

    new -> acknowledged -> dispatched -> en_route -> on_scene -> cleared -> closed

Two operators acting on one incident: the second is refused with who got there first.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, select
from sqlalchemy.orm import Session

from safetyzone.audit import service as audit
from safetyzone.core.clock import Clock
from safetyzone.core.errors import Conflict, InvalidInput, NotFound, Problem
from safetyzone.core.events import Event
from safetyzone.core.geo import haversine_m
from safetyzone.core.security import Permission, Scope
from safetyzone.ops import covert, feed
from safetyzone.ops.models import Assignment, Incident, IncidentLog, IncidentState, Unit, UnitStatus
from safetyzone.ops.rules import Action, Source
from safetyzone.ops.schemas import IncidentRead
from safetyzone.ops.units import unit_payload

S = IncidentState
# An operator may close with a disposition from any open state ("acknowledge, dispatch, then
# close"): the units still assigned are released in the same step, and the audit row names
# the state it was closed from, the disposition and the released units. On scene and
# cleared stay for the units' own reports and for incidents handled step by step.
ALLOWED: dict[IncidentState, set[IncidentState]] = {
    S.NEW: {S.ACKNOWLEDGED, S.DISPATCHED, S.CLOSED},
    S.ACKNOWLEDGED: {S.DISPATCHED, S.CLOSED},
    S.DISPATCHED: {S.EN_ROUTE, S.ON_SCENE, S.ACKNOWLEDGED, S.CLOSED},
    S.EN_ROUTE: {S.ON_SCENE, S.DISPATCHED, S.CLOSED},
    S.ON_SCENE: {S.CLEARED, S.CLOSED},
    S.CLEARED: {S.CLOSED},
    S.CLOSED: set(),
}
OPEN_STATES = {S.NEW, S.ACKNOWLEDGED, S.DISPATCHED, S.EN_ROUTE, S.ON_SCENE}
# Closing a unit's incident ends its work there: the response-time clock's "clear" is then.
_UNIT_WORK = {S.DISPATCHED, S.EN_ROUTE, S.ON_SCENE}
# Every close needs a reason (a disposition), whichever state it comes from.
DISPOSITIONS = {"resolved", "arrest", "assisted", "false_alarm", "test", "duplicate",
                "no_trace", "referred", "maintenance_done"}
STAMP = {S.ACKNOWLEDGED: "acknowledged_at", S.DISPATCHED: "dispatched_at",
         S.EN_ROUTE: "en_route_at", S.ON_SCENE: "arrived_at", S.CLEARED: "cleared_at",
         S.CLOSED: "closed_at"}


def read_model(session: Session, incident: Incident) -> IncidentRead:
    out = IncidentRead.model_validate(incident)
    out.assigned_unit_ids = list(session.scalars(select(Assignment.unit_id).where(
        Assignment.incident_id == incident.id, Assignment.released_at.is_(None))))
    return out


def _log(session: Session, incident: Incident, *, at: datetime, entry: str, username: str,
         from_state: IncidentState | None = None, to_state: IncidentState | None = None,
         text: str | None = None, detail: dict[str, Any] | None = None) -> None:
    session.add(IncidentLog(incident_id=incident.id, at=at, entry=entry, username=username,
                            from_state=from_state.value if from_state else None,
                            to_state=to_state.value if to_state else None, text=text,
                            detail=detail or {}))


def add_log(session: Session, incident: Incident, *, at: datetime, entry: str, username: str,
            text: str | None = None, detail: dict[str, Any] | None = None) -> None:
    """A timeline entry that changes no state (merges, trails, notes from other domains)."""
    _log(session, incident, at=at, entry=entry, username=username, text=text, detail=detail)


def publish(session: Session, incident: Incident, at: datetime, type: str) -> None:
    session.flush()
    feed.append(session, station_id=incident.station_id, at=at, type=type,
                entity_id=incident.id,
                payload=read_model(session, incident).model_dump(mode="json"))


def open_or_merge(
    session: Session, *, event: Event, rule_name: str, action: Action, source: Source,
    title_th: str, title_en: str, cameras: list[dict[str, Any]], now: datetime,
    detail: dict[str, Any] | None = None,
) -> tuple[Incident, bool]:
    """Open an incident for the event, or merge it into the open one from the same source."""
    source_key = (Incident.source_asset_id == event.source_asset_id
                  if event.source_asset_id else
                  Incident.source_unit_id == event.source_unit_id
                  if event.source_unit_id else Incident.source_device_id == event.device_id)
    window_start = event.received_at - timedelta(seconds=action.merge_window_s)
    existing = None if action.merge_window_s == 0 else session.scalar(select(Incident).where(
        Incident.station_id == event.station_id, Incident.rule_name == rule_name, source_key,
        Incident.state.in_(OPEN_STATES), Incident.last_event_at >= window_start,
    ).order_by(Incident.opened_at.desc()).limit(1))
    location = event.location
    if existing is not None:
        existing.event_count += 1
        existing.last_event_at = event.received_at
        if location is not None:
            existing.lat, existing.lon = location.lat, location.lon
        existing.version += 1
        existing.updated_at = now
        _log(session, existing, at=now, entry="merged", username="system",
             detail={"event_id": str(event.id), "count": existing.event_count})
        publish(session, existing, now, "incident.updated")
        return existing, False
    incident = Incident(
        station_id=event.station_id, kind=action.incident_kind, priority=action.priority,
        title_th=title_th, title_en=title_en, state=S.NEW, rule_name=rule_name,
        lat=location.lat if location else None, lon=location.lon if location else None,
        source_asset_id=event.source_asset_id, source_unit_id=event.source_unit_id,
        source_device_id=event.device_id, first_event_id=event.id, event_count=1,
        device_time=event.event_time, opened_at=event.received_at,
        last_event_at=event.received_at,
        ack_deadline=event.received_at + timedelta(seconds=action.ack_timeout_s),
        escalation_level=0, cameras=cameras, detail={"source_th": source.name_th,
                                                     "source_en": source.name_en,
                                                     **(detail or {})},
        version=1, updated_at=now, last_actor="system",
    )
    session.add(incident)
    session.flush()
    _log(session, incident, at=now, entry="created", username="system", to_state=S.NEW,
         detail={"event_id": str(event.id), "rule": rule_name,
                 "cameras": [c["code"] for c in cameras]})
    publish(session, incident, now, "incident.created")
    return incident, True


def open_alert(
    session: Session, *, station_id: uuid.UUID, kind: str, priority: int, title_th: str,
    title_en: str, lat: float | None, lon: float | None, now: datetime,
    ack_timeout_s: int | None, source_th: str, source_en: str,
    cameras: list[dict[str, Any]] | None = None, detail: dict[str, Any] | None = None,
    rule_name: str | None = None, source_asset_id: uuid.UUID | None = None,
    source_device_id: uuid.UUID | None = None, device_time: datetime | None = None,
) -> Incident:
    """Open an incident that a sweep raises on its own, with no device event behind it (a
    risk spot left unpatrolled, a camera down, a device gone silent), in the caller's
    transaction. ``ack_timeout_s`` None: no acknowledgement deadline (the rule sets none)."""
    incident = Incident(
        station_id=station_id, kind=kind, priority=priority, title_th=title_th,
        title_en=title_en, state=S.NEW, rule_name=rule_name, lat=lat, lon=lon,
        source_asset_id=source_asset_id, source_device_id=source_device_id, event_count=0,
        device_time=device_time or now, opened_at=now, last_event_at=now,
        ack_deadline=(None if ack_timeout_s is None
                      else now + timedelta(seconds=ack_timeout_s)), escalation_level=0,
        cameras=cameras or [], detail={"source_th": source_th, "source_en": source_en,
                                       **(detail or {})},
        version=1, updated_at=now, last_actor="system")
    session.add(incident)
    session.flush()
    logged: dict[str, Any] = ({"rule": rule_name} if rule_name else
                              {"kind": kind, "cameras": [c["code"] for c in incident.cameras]})
    _log(session, incident, at=now, entry="created", username="system", to_state=S.NEW,
         detail=logged)
    publish(session, incident, now, "incident.created")
    return incident


def get_incident(session: Session, *, scope: Scope, incident_id: uuid.UUID) -> Incident:
    scope.require(Permission.OPS_READ)
    incident = session.get(Incident, incident_id)
    if incident is None or not scope.sees_station(incident.station_id) or not covert.may_see(
            incident.detail, scope.user_id):
        raise NotFound("no such incident in your scope")
    return incident


def visible_to(scope: Scope) -> ColumnElement[bool]:
    """The SQL twin of ``get_incident``'s check: the caller's stations, and a covert hotlist
    hit only for its owner. Every query that lists incidents filters by it."""
    return and_(scope.station_filter(Incident.station_id), covert.visible_sql(scope.user_id))


def list_incidents(
    session: Session, *, scope: Scope, station_id: uuid.UUID | None = None,
    states: list[IncidentState] | None = None, kind: str | None = None,
    since: datetime | None = None, limit: int = 100, offset: int = 0,
) -> list[Incident]:
    """Incidents in scope, the most urgent first: priority, then age."""
    scope.require(Permission.OPS_READ)
    query = select(Incident).where(visible_to(scope))
    if station_id is not None:
        query = query.where(Incident.station_id == station_id)
    if states:
        query = query.where(Incident.state.in_(states))
    if kind:
        query = query.where(Incident.kind == kind)
    if since is not None:
        query = query.where(Incident.opened_at >= since)
    query = query.order_by(Incident.priority, Incident.opened_at).limit(limit).offset(offset)
    return list(session.scalars(query))


def timeline(session: Session, incident: Incident) -> list[IncidentLog]:
    return list(session.scalars(select(IncidentLog).where(
        IncidentLog.incident_id == incident.id).order_by(IncidentLog.id)))


def _act(scope: Scope) -> None:
    scope.require(Permission.INCIDENT_ACT)


def _check_version(incident: Incident, expected: int | None) -> None:
    if expected is not None and expected != incident.version:
        raise Conflict(
            f"the incident changed since you loaded it (now {incident.state.value}, "
            f"last by {incident.last_actor})",
            [Problem(f"version is {incident.version}, not {expected}", "expected_version")])


def transition(
    session: Session, *, scope: Scope, clock: Clock, incident_id: uuid.UUID,
    to: IncidentState, expected_version: int | None = None, disposition: str | None = None,
    note: str | None = None, by_unit: bool = False, on_behalf_of: str | None = None,
) -> Incident:
    """Move an incident along. ``by_unit``: a unit reporting its own progress (a patrol
    officer holds ``UNIT_STATUS``, not ``INCIDENT_ACT``); only ``unit_progress`` sets it.
    ``on_behalf_of``: the callsign of the unit an operator reports for (on the radio)."""
    scope.require(Permission.UNIT_STATUS if by_unit else Permission.INCIDENT_ACT)
    incident = get_incident(session, scope=scope, incident_id=incident_id)
    _check_version(incident, expected_version)
    current = incident.state
    if to == S.ACKNOWLEDGED and current is not S.NEW and current is not S.DISPATCHED:
        who = incident.acknowledged_by or incident.last_actor
        raise Conflict(f"already acknowledged by {who}",
                       [Problem(f"state is {current.value}", "to")])
    if to not in ALLOWED[current]:
        raise Conflict(f"an incident cannot go from {current.value} to {to.value}",
                       [Problem(f"allowed: {sorted(s.value for s in ALLOWED[current])}", "to")])
    if to is S.CLOSED:
        if disposition not in DISPOSITIONS:
            raise InvalidInput("closing needs a disposition",
                               [Problem(f"one of {sorted(DISPOSITIONS)}", "disposition")])
        incident.disposition = disposition
    now = clock.now()
    stamp = STAMP.get(to)
    if stamp and getattr(incident, stamp) is None:
        setattr(incident, stamp, now)
    if to in {S.DISPATCHED, S.CLOSED} and incident.acknowledged_at is None:
        incident.acknowledged_at, incident.acknowledged_by = now, scope.username
    if to is S.ACKNOWLEDGED and incident.acknowledged_by is None:
        incident.acknowledged_by = scope.username
    if to is S.CLOSED and current in _UNIT_WORK and incident.cleared_at is None:
        incident.cleared_at = now
    released = (_release_all(session, incident, now, scope.username)
                if to in {S.CLEARED, S.CLOSED} else [])
    incident.state = to
    incident.version += 1
    incident.updated_at = now
    incident.last_actor = scope.username
    detail: dict[str, Any] = {"disposition": disposition} if disposition else {}
    if on_behalf_of:
        detail["on_behalf_of"] = on_behalf_of
    _log(session, incident, at=now, entry="transition", username=scope.username,
         from_state=current, to_state=to, text=note, detail=detail)
    audit_detail: dict[str, Any] = {"from": current.value}
    if disposition:
        audit_detail["disposition"] = disposition
    if released:
        audit_detail["released_unit_ids"] = released
    audit.record(session, actor=scope, at=now, action=f"incident.{to.value}", entity="incident",
                 entity_id=incident.id, station_id=incident.station_id, detail=audit_detail)
    publish(session, incident, now, "incident.updated")
    return incident


def _release_all(session: Session, incident: Incident, now: datetime,
                 username: str) -> list[str]:
    """Release every unit still assigned (available again); the ids released."""
    released: list[str] = []
    for assignment in session.scalars(select(Assignment).where(
            Assignment.incident_id == incident.id, Assignment.released_at.is_(None))):
        assignment.released_at = now
        unit = session.get(Unit, assignment.unit_id)
        if unit is not None and unit.status in {UnitStatus.DISPATCHED, UnitStatus.EN_ROUTE,
                                                UnitStatus.ON_SCENE}:
            unit.status = UnitStatus.AVAILABLE
            unit.updated_at = now
            publish_unit(session, unit, now)
        _log(session, incident, at=now, entry="released", username=username,
             detail={"unit_id": str(assignment.unit_id)})
        released.append(str(assignment.unit_id))
    return released


def publish_unit(session: Session, unit: Unit, now: datetime) -> None:
    """A unit's new position or status on the live feed (the engine, once per batch)."""
    feed.append(session, station_id=unit.station_id, at=now, type="unit.updated",
                entity_id=unit.id, payload=unit_payload(unit))


def dispatch(session: Session, *, scope: Scope, clock: Clock, incident_id: uuid.UUID,
             unit_id: uuid.UUID, expected_version: int | None = None) -> Incident:
    """Assign a unit; the incident becomes dispatched, the unit too."""
    _act(scope)
    incident = get_incident(session, scope=scope, incident_id=incident_id)
    _check_version(incident, expected_version)
    if incident.state not in {S.NEW, S.ACKNOWLEDGED, S.DISPATCHED, S.EN_ROUTE, S.ON_SCENE}:
        raise Conflict(f"cannot dispatch to an incident that is {incident.state.value}")
    unit = session.get(Unit, unit_id)
    if unit is None or unit.station_id != incident.station_id:
        raise NotFound("no such unit at this incident's station")
    if unit.status is not UnitStatus.AVAILABLE:
        busy = session.scalar(select(Assignment.incident_id).where(
            Assignment.unit_id == unit.id, Assignment.released_at.is_(None)).limit(1))
        raise Conflict(f"unit {unit.callsign} is {unit.status.value}"
                       + (f" (on incident {busy})" if busy else ""))
    now = clock.now()
    distance = None
    if (incident.lat is not None and incident.lon is not None and unit.lat is not None
            and unit.lon is not None):
        distance = round(haversine_m(incident.lat, incident.lon, unit.lat, unit.lon), 1)
    session.add(Assignment(incident_id=incident.id, unit_id=unit.id, assigned_at=now,
                           assigned_by=scope.username, distance_m=distance))
    unit.status, unit.updated_at = UnitStatus.DISPATCHED, now
    publish_unit(session, unit, now)
    _log(session, incident, at=now, entry="dispatched", username=scope.username,
         detail={"unit_id": str(unit.id), "callsign": unit.callsign, "distance_m": distance})
    audit.record(session, actor=scope, at=now, action="incident.dispatch", entity="incident",
                 entity_id=incident.id, station_id=incident.station_id,
                 detail={"unit_id": str(unit.id)})
    if incident.state in {S.NEW, S.ACKNOWLEDGED}:
        return transition(session, scope=scope, clock=clock, incident_id=incident.id,
                          to=S.DISPATCHED)
    incident.version += 1
    incident.updated_at, incident.last_actor = now, scope.username
    publish(session, incident, now, "incident.updated")
    return incident


def release(session: Session, *, scope: Scope, clock: Clock, incident_id: uuid.UUID,
            unit_id: uuid.UUID) -> Incident:
    """Take a unit off an incident (to reassign it, or because it is not needed)."""
    _act(scope)
    incident = get_incident(session, scope=scope, incident_id=incident_id)
    assignment = session.scalar(select(Assignment).where(
        Assignment.incident_id == incident.id, Assignment.unit_id == unit_id,
        Assignment.released_at.is_(None)))
    if assignment is None:
        raise NotFound("that unit is not assigned to this incident")
    now = clock.now()
    assignment.released_at = now
    unit = session.get(Unit, unit_id)
    if unit is not None:
        unit.status, unit.updated_at = UnitStatus.AVAILABLE, now
        publish_unit(session, unit, now)
    _log(session, incident, at=now, entry="released", username=scope.username,
         detail={"unit_id": str(unit_id)})
    audit.record(session, actor=scope, at=now, action="incident.release", entity="incident",
                 entity_id=incident.id, station_id=incident.station_id,
                 detail={"unit_id": str(unit_id)})
    remaining = session.scalar(select(Assignment.id).where(
        Assignment.incident_id == incident.id, Assignment.released_at.is_(None)).limit(1))
    if remaining is None and incident.state in {S.DISPATCHED, S.EN_ROUTE}:
        return transition(session, scope=scope, clock=clock, incident_id=incident.id,
                          to=S.ACKNOWLEDGED if incident.state is S.DISPATCHED else S.DISPATCHED)
    incident.version += 1
    incident.updated_at, incident.last_actor = now, scope.username
    publish(session, incident, now, "incident.updated")
    return incident


def unit_progress(session: Session, *, scope: Scope, clock: Clock, unit: Unit,
                  status: UnitStatus, on_behalf: bool = False) -> None:
    """A unit reporting en route / on scene moves its incident along with it
    (``on_behalf``: an operator reports it for the unit, and the timeline says so)."""
    target = {UnitStatus.EN_ROUTE: S.EN_ROUTE, UnitStatus.ON_SCENE: S.ON_SCENE}.get(status)
    if target is None:
        return
    for incident in session.scalars(select(Incident).join(
            Assignment, Assignment.incident_id == Incident.id).where(
            Assignment.unit_id == unit.id, Assignment.released_at.is_(None))):
        if target in ALLOWED[incident.state]:
            transition(session, scope=scope, clock=clock, incident_id=incident.id, to=target,
                       by_unit=True, on_behalf_of=unit.callsign if on_behalf else None)


def open_assignment(session: Session, *, unit_id: uuid.UUID) -> uuid.UUID | None:
    """The incident a unit is assigned to now (the oldest, if several), or ``None``."""
    return session.scalar(select(Assignment.incident_id).where(
        Assignment.unit_id == unit_id, Assignment.released_at.is_(None))
        .order_by(Assignment.assigned_at).limit(1))


def unit_log(session: Session, *, scope: Scope, clock: Clock, unit: Unit,
             incident_id: uuid.UUID, entry: str, text: str | None = None,
             detail: dict[str, Any] | None = None) -> IncidentLog:
    """A note (or photo) from a unit on the incident it is assigned to: the officer holds
    ``UNIT_STATUS``, not ``INCIDENT_ACT``, so this path checks the assignment instead."""
    scope.require(Permission.UNIT_STATUS)
    incident = get_incident(session, scope=scope, incident_id=incident_id)
    if session.scalar(select(Assignment.id).where(
            Assignment.incident_id == incident.id, Assignment.unit_id == unit.id,
            Assignment.released_at.is_(None))) is None:
        raise NotFound("your unit is not assigned to this incident")
    now = clock.now()
    row = IncidentLog(incident_id=incident.id, at=now, entry=entry, username=scope.username,
                      text=text, detail=detail or {})
    session.add(row)
    incident.version += 1
    incident.updated_at, incident.last_actor = now, scope.username
    publish(session, incident, now, "incident.updated")
    return row


# The incident kind the "officer-in-danger" rule opens (ops.rules), whatever the rule is named.
OFFICER_IN_DANGER = "officer_in_danger"
OFFICER_SAFE = ("เจ้าหน้าที่แจ้งจากโทรศัพท์ว่าปลอดภัยแล้ว ยืนยันทางวิทยุก่อนปิดเหตุ / The officer "
                "reports safe from the phone: confirm by radio before closing")


def officer_safe(session: Session, *, scope: Scope, clock: Clock, unit: Unit) -> IncidentLog:
    """The officer whose SOS opened an "officer in danger" incident says they are safe.

    Only a line on that incident's timeline, never a close: a phone can be taken from an
    officer, so the operator confirms by radio and closes it. The newest open one of the
    unit; none is a 404 (the SOS never reached the server, or it is closed already)."""
    scope.require(Permission.UNIT_STATUS)
    incident = session.scalar(
        select(Incident).where(Incident.source_unit_id == unit.id,
                               Incident.kind == OFFICER_IN_DANGER,
                               Incident.state != S.CLOSED)
        .order_by(Incident.opened_at.desc()).limit(1))
    if incident is None or not scope.sees_station(incident.station_id):
        raise NotFound("ไม่มีเหตุ SOS ของหน่วยนี้ที่ยังเปิดอยู่ / no open SOS of your unit")
    now = clock.now()
    row = IncidentLog(incident_id=incident.id, at=now, entry="officer_safe",
                      username=scope.username, text=OFFICER_SAFE,
                      detail={"via": "officer_app", "unit_id": str(unit.id),
                              "callsign": unit.callsign})
    session.add(row)
    incident.version += 1
    incident.updated_at, incident.last_actor = now, scope.username
    publish(session, incident, now, "incident.updated")
    return row


def unit_cleared(session: Session, *, scope: Scope, clock: Clock, unit: Unit,
                 on_behalf: bool = False) -> list[Incident]:
    """A unit reporting its job done. The last unit on an incident clears it (which
    releases it); a unit leaving others on scene is only released. Either way the unit is
    available again. An incident it has not reached yet is refused: report on scene first."""
    scope.require(Permission.UNIT_STATUS)
    done: list[Incident] = []
    for assignment in list(session.scalars(select(Assignment).where(
            Assignment.unit_id == unit.id, Assignment.released_at.is_(None)))):
        incident = get_incident(session, scope=scope, incident_id=assignment.incident_id)
        others = session.scalar(select(Assignment.id).where(
            Assignment.incident_id == incident.id, Assignment.unit_id != unit.id,
            Assignment.released_at.is_(None)).limit(1))
        if others is not None or incident.state in {S.CLEARED, S.CLOSED}:
            now = clock.now()
            assignment.released_at = now
            _log(session, incident, at=now, entry="released", username=scope.username,
                 detail={"unit_id": str(unit.id), "by_unit": True,
                         **({"on_behalf_of": unit.callsign} if on_behalf else {})})
            audit.record(session, actor=scope, at=now, action="incident.release",
                         entity="incident", entity_id=incident.id,
                         station_id=incident.station_id,
                         detail={"unit_id": str(unit.id), "by_unit": True})
            incident.version += 1
            incident.updated_at, incident.last_actor = now, scope.username
            publish(session, incident, now, "incident.updated")
        elif incident.state is S.ON_SCENE:
            transition(session, scope=scope, clock=clock, incident_id=incident.id,
                       to=S.CLEARED, by_unit=True,
                       on_behalf_of=unit.callsign if on_behalf else None)
        else:
            raise Conflict(
                f"เหตุยังอยู่ในสถานะ {incident.state.value}: รายงานถึงที่เกิดเหตุก่อน / The "
                f"incident is {incident.state.value}: report on scene before clearing it",
                [Problem(f"state is {incident.state.value}", "status")])
        done.append(incident)
    if unit.status is not UnitStatus.AVAILABLE:
        unit.status, unit.updated_at = UnitStatus.AVAILABLE, clock.now()
        publish_unit(session, unit, unit.updated_at)
    return done


def add_note(session: Session, *, scope: Scope, clock: Clock, incident_id: uuid.UUID,
             text: str) -> Incident:
    _act(scope)
    incident = get_incident(session, scope=scope, incident_id=incident_id)
    now = clock.now()
    _log(session, incident, at=now, entry="note", username=scope.username, text=text)
    incident.version += 1
    incident.updated_at, incident.last_actor = now, scope.username
    publish(session, incident, now, "incident.updated")
    return incident


def escalate_overdue(session: Session, *, now: datetime, step: timedelta) -> list[Incident]:
    """Raise every unacknowledged incident past its deadline one level, to the commander.

    Each level gives the shift another ``step`` before the next: a P1 nobody takes keeps
    climbing instead of being escalated once and forgotten.
    """
    overdue = list(session.scalars(select(Incident).where(
        Incident.state == S.NEW, Incident.ack_deadline.is_not(None),
        Incident.ack_deadline <= now)))
    for incident in overdue:
        incident.escalation_level += 1
        incident.escalated_at = now
        incident.ack_deadline = now + step
        incident.version += 1
        incident.updated_at = now
        _log(session, incident, at=now, entry="escalated", username="system",
             detail={"level": incident.escalation_level, "to_role": "commander"})
        publish(session, incident, now, "incident.escalated")
    return overdue
