"""The CCOC's shift: who is on duty at the console, the shift log, and the handover.

A duty day runs from ``start_hour`` (Bangkok) to the same hour the next day (08:00 by
default, the police's 24-hour rota; ``SSZ_OPS_SHIFT_DAY_START_HOUR``) and is named by the
date it starts on. Several people may be on duty at once; each goes on and off duty
themselves (a commander may end a duty somebody forgot to end).

The log is append-only: going on and off duty, handing over and acknowledging write their
own lines; people add notes and notable events (which may name an incident). An incident's
own key events (a P1 opened, an escalation) are shown beside the log by query, never copied.

A handover is written by someone on duty: notes, and a snapshot of the open items carried
over (open incidents with state and age, units out of service with the reason given,
cameras down). It stays pending on every console of the station until someone else on duty
acknowledges it. Covert hotlist hits are never in a snapshot: the snapshot is read by the
whole station, and a covert hit is its list owner's alone. Every act is audited.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from safetyzone.audit import service as audit
from safetyzone.core.clock import BANGKOK, Clock, as_utc
from safetyzone.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied, Problem
from safetyzone.core.security import Permission, Role, Scope
from safetyzone.ops import covert, incidents
from safetyzone.ops.incidents import OPEN_STATES
from safetyzone.ops.models import Incident, IncidentLog, Unit, UnitStatus
from safetyzone.ops.shiftlog_models import DutyShift, EntryKind, Handover, ShiftLogEntry
from safetyzone.ops.shiftlog_schemas import (
    Carried,
    DownCamera,
    DownUnit,
    DutyIn,
    DutyRead,
    EntryIn,
    EntryRead,
    HandoverAckIn,
    HandoverIn,
    HandoverRead,
    OpenIncident,
    ShiftDay,
    ShiftLog,
    ShiftState,
)
from safetyzone.org import auth
from safetyzone.org import service as org
from safetyzone.org.models import OrgUnit

# One answer holds at most this many log lines (the newest); a day rarely has a tenth.
LOG_MAX = 1000
# Commanders (and admins) may end somebody else's duty.
ENDS_OTHERS = frozenset({Role.ADMIN, Role.COMMANDER})


# -- the duty day ----------------------------------------------------------------------------

def day_bounds(day: date, start_hour: int) -> ShiftDay:
    """The duty day named ``day``: from ``start_hour`` that day to the same hour the next."""
    start = datetime.combine(day, time(start_hour), tzinfo=BANGKOK)
    return ShiftDay(day=day, starts_at=start, ends_at=start + timedelta(days=1))


def day_of(at: datetime, start_hour: int) -> ShiftDay:
    """The duty day ``at`` falls in (at 07:59 with an 08:00 start: the day before's)."""
    local = as_utc(at).astimezone(BANGKOK) - timedelta(hours=start_hour)
    return day_bounds(local.date(), start_hour)


def checked_day(day: date | None, *, now: datetime, start_hour: int) -> ShiftDay:
    """``day`` (default: the current duty day), refused when it has not started yet."""
    today = day_of(now, start_hour)
    if day is None:
        return today
    if day > today.day:
        raise InvalidInput(f"the duty day {day.isoformat()} has not started yet",
                           [Problem("in the future", "day")])
    return day_bounds(day, start_hour)


# -- reading ----------------------------------------------------------------------------------

def station(session: Session, *, scope: Scope, code: str) -> OrgUnit:
    """The station, for a reader of the command centre's picture in its scope."""
    scope.require(Permission.OPS_READ)
    return org.get_station(session, scope=scope, code=code)


def _acting_station(session: Session, scope: Scope, code: str) -> OrgUnit:
    scope.require(Permission.INCIDENT_ACT)
    return station(session, scope=scope, code=code)


def _open_duty(session: Session, station_id: uuid.UUID, user_id: uuid.UUID) -> DutyShift | None:
    return session.scalar(select(DutyShift).where(
        DutyShift.station_id == station_id, DutyShift.user_id == user_id,
        DutyShift.ended_at.is_(None)))


def on_duty(session: Session, *, station_id: uuid.UUID) -> list[DutyShift]:
    return list(session.scalars(select(DutyShift).where(
        DutyShift.station_id == station_id, DutyShift.ended_at.is_(None))
        .order_by(DutyShift.started_at, DutyShift.username)))


def duties_between(session: Session, *, station_id: uuid.UUID, start: datetime,
                   end: datetime) -> list[DutyShift]:
    """Every duty that overlaps ``[start, end)``: the day's roster as it was kept."""
    return list(session.scalars(select(DutyShift).where(
        DutyShift.station_id == station_id, DutyShift.started_at < end,
        (DutyShift.ended_at.is_(None)) | (DutyShift.ended_at > start))
        .order_by(DutyShift.started_at, DutyShift.username)))


def open_items(session: Session, *, scope: Scope, station_id: uuid.UUID, now: datetime,
               cameras_down: Sequence[DownCamera], for_handover: bool = False) -> Carried:
    """What is open at the station now. ``for_handover``: no covert hit, whoever asks."""
    query = select(Incident).where(Incident.station_id == station_id,
                                   Incident.state.in_(OPEN_STATES), incidents.visible_to(scope))
    if for_handover:
        query = query.where(covert.not_covert_sql())
    rows = session.scalars(query.order_by(Incident.priority, Incident.opened_at))
    open_now = [OpenIncident(
        id=i.id, kind=i.kind, priority=i.priority, title_th=i.title_th, title_en=i.title_en,
        state=i.state, opened_at=i.opened_at, escalation_level=i.escalation_level,
        age_s=round((now - i.opened_at).total_seconds(), 1)) for i in rows]
    return Carried(as_of=now, incidents=open_now,
                   units_out_of_service=units_out_of_service(session, station_id=station_id),
                   cameras_down=list(cameras_down))


def units_out_of_service(session: Session, *, station_id: uuid.UUID) -> list[DownUnit]:
    """Units out of service, with the reason entered and when (from the audit trail)."""
    down = list(session.scalars(select(Unit).where(
        Unit.station_id == station_id, Unit.status == UnitStatus.UNAVAILABLE)
        .order_by(Unit.code)))
    ids = [str(u.id) for u in down]
    reasons = audit.latest_of(session, action="unit.out_of_service", entity_ids=ids)
    changes = audit.latest_of(session, action="unit.status", entity_ids=ids)
    out = []
    for unit in down:
        why, change = reasons.get(str(unit.id)), changes.get(str(unit.id))
        out.append(DownUnit(id=unit.id, code=unit.code, callsign=unit.callsign, kind=unit.kind,
                            status=unit.status, since=change.at if change else unit.updated_at,
                            reason=why.reason if why else None))
    return out


def handover_read(row: Handover) -> HandoverRead:
    return HandoverRead(id=row.id, written_at=row.written_at, written_by=row.written_by,
                        notes=row.notes, carried=Carried.model_validate(row.carried),
                        acknowledged_at=row.acknowledged_at,
                        acknowledged_by=row.acknowledged_by, ack_note=row.ack_note)


def handovers_between(session: Session, *, station_id: uuid.UUID, start: datetime,
                      end: datetime) -> list[Handover]:
    return list(session.scalars(select(Handover).where(
        Handover.station_id == station_id, Handover.written_at >= start,
        Handover.written_at < end).order_by(Handover.written_at)))


def pending_handovers(session: Session, *, station_id: uuid.UUID) -> list[Handover]:
    return list(session.scalars(select(Handover).where(
        Handover.station_id == station_id, Handover.acknowledged_at.is_(None))
        .order_by(Handover.written_at)))


def state(session: Session, *, scope: Scope, now: datetime, station_code: str,
          start_hour: int, cameras_down: Sequence[DownCamera]) -> ShiftState:
    """Who is on duty, handovers waiting and of today, and what is open now."""
    found = station(session, scope=scope, code=station_code)
    today = day_of(now, start_hour)
    duties = on_duty(session, station_id=found.id)
    return ShiftState(
        station_code=found.code, today=today,
        on_duty=[DutyRead.model_validate(d) for d in duties],
        you_on_duty=any(d.user_id == scope.user_id for d in duties),
        pending_handovers=[handover_read(h) for h in pending_handovers(
            session, station_id=found.id)],
        handovers_today=[handover_read(h) for h in handovers_between(
            session, station_id=found.id, start=today.starts_at, end=today.ends_at)],
        open_items=open_items(session, scope=scope, station_id=found.id, now=now,
                              cameras_down=cameras_down))


def read_log(session: Session, *, scope: Scope, station_code: str, day: ShiftDay,
             limit: int = LOG_MAX) -> ShiftLog:
    """The day's log with the incidents' key events beside it, oldest first."""
    found = station(session, scope=scope, code=station_code)
    return entries(session, scope=scope, station_id=found.id, day=day, limit=limit)


def entries(session: Session, *, scope: Scope, station_id: uuid.UUID, day: ShiftDay,
            limit: int = LOG_MAX) -> ShiftLog:
    """The log lines of a station the caller already holds in scope (see ``read_log``)."""
    start, end = day.starts_at, day.ends_at
    own = list(session.scalars(select(ShiftLogEntry).where(
        ShiftLogEntry.station_id == station_id, ShiftLogEntry.at >= start,
        ShiftLogEntry.at < end).order_by(ShiftLogEntry.at.desc(), ShiftLogEntry.id.desc())
        .limit(limit + 1)))
    titles = _titles(session, scope, [e.incident_id for e in own if e.incident_id])
    out = [EntryRead(id=e.id, at=e.at, username=e.username, kind=e.kind, text=e.text,
                     incident_id=e.incident_id if e.incident_id in titles else None,
                     incident_title_th=titles[e.incident_id].title_th
                     if e.incident_id in titles else None,
                     incident_title_en=titles[e.incident_id].title_en
                     if e.incident_id in titles else None,
                     handover_id=e.handover_id) for e in own]
    visible = (Incident.station_id == station_id, incidents.visible_to(scope))
    for i in session.scalars(select(Incident).where(
            *visible, Incident.priority == 1, Incident.opened_at >= start,
            Incident.opened_at < end)):
        out.append(EntryRead(id=None, at=i.opened_at, username="system",
                             kind="incident_opened", text=f"P{i.priority}", incident_id=i.id,
                             incident_title_th=i.title_th, incident_title_en=i.title_en))
    for log, i in session.execute(select(IncidentLog, Incident).join(
            Incident, Incident.id == IncidentLog.incident_id).where(
            *visible, IncidentLog.entry == "escalated", IncidentLog.at >= start,
            IncidentLog.at < end)):
        level = (log.detail or {}).get("level")
        out.append(EntryRead(id=None, at=log.at, username=log.username,
                             kind="incident_escalated", text=f"level {level}",
                             incident_id=i.id, incident_title_th=i.title_th,
                             incident_title_en=i.title_en))
    out.sort(key=lambda e: (e.at, e.id or 0))
    return ShiftLog(day=day, entries=out[-limit:], truncated=len(out) > limit)


def _titles(session: Session, scope: Scope, ids: list[uuid.UUID]) -> dict[uuid.UUID, Incident]:
    """The incidents a log names that the reader may see (a covert hit stays unnamed)."""
    if not ids:
        return {}
    return {i.id: i for i in session.scalars(select(Incident).where(
        Incident.id.in_(set(ids)), incidents.visible_to(scope)))}


# -- acting -----------------------------------------------------------------------------------

def _log(session: Session, *, station_id: uuid.UUID, at: datetime, username: str,
         kind: EntryKind, text: str | None = None, incident_id: uuid.UUID | None = None,
         handover_id: uuid.UUID | None = None) -> ShiftLogEntry:
    entry = ShiftLogEntry(station_id=station_id, at=at, username=username, kind=kind, text=text,
                          incident_id=incident_id, handover_id=handover_id)
    session.add(entry)
    session.flush()
    return entry


def go_on_duty(session: Session, *, scope: Scope, clock: Clock, station_code: str) -> DutyShift:
    """Start the caller's duty at the station's console; twice is refused with since when."""
    found = _acting_station(session, scope, station_code)
    current = _open_duty(session, found.id, scope.user_id)
    if current is not None:
        raise Conflict(f"{scope.username} is on duty at {found.code} since "
                       f"{as_utc(current.started_at).isoformat()}",
                       [Problem("already on duty")], code="already-on-duty")
    now = clock.now()
    user = auth.get_user(session, scope=scope)
    duty = DutyShift(station_id=found.id, user_id=scope.user_id, username=scope.username,
                     display_name=user.display_name, role=scope.role.value, started_at=now)
    session.add(duty)
    session.flush()
    _log(session, station_id=found.id, at=now, username=scope.username, kind=EntryKind.ON_DUTY)
    audit.record(session, actor=scope, at=now, action="shift.on_duty", entity="ccoc_duty",
                 entity_id=duty.id, station_id=found.id)
    return duty


def go_off_duty(session: Session, *, scope: Scope, clock: Clock, station_code: str,
                data: DutyIn) -> DutyShift:
    """End the caller's duty (or, for a commander, somebody else's): audited and logged."""
    found = _acting_station(session, scope, station_code)
    username = data.username or scope.username
    if username != scope.username and scope.role not in ENDS_OTHERS:
        raise PermissionDenied("only a commander ends somebody else's duty")
    duty = session.scalar(select(DutyShift).where(
        DutyShift.station_id == found.id, DutyShift.username == username,
        DutyShift.ended_at.is_(None)))
    if duty is None:
        raise Conflict(f"{username} is not on duty at {found.code}",
                       [Problem("not on duty", "username" if data.username else None)],
                       code="not-on-duty")
    now = clock.now()
    duty.ended_at, duty.ended_by = now, scope.username
    other = username != scope.username
    _log(session, station_id=found.id, at=now, username=username, kind=EntryKind.OFF_DUTY,
         text=f"ended by {scope.username}" if other else None)
    audit.record(session, actor=scope, at=now, action="shift.off_duty", entity="ccoc_duty",
                 entity_id=duty.id, station_id=found.id,
                 detail={"username": username} if other else None)
    return duty


def add_entry(session: Session, *, scope: Scope, clock: Clock, station_code: str,
              data: EntryIn) -> EntryRead:
    """A note or a notable event; an incident it names must be of the same station."""
    found = _acting_station(session, scope, station_code)
    incident = None
    if data.incident_id is not None:
        try:
            incident = incidents.get_incident(session, scope=scope, incident_id=data.incident_id)
        except NotFound as err:
            raise InvalidInput("no such incident in your scope",
                               [Problem("unknown", "incident_id")]) from err
        if incident.station_id != found.id:
            raise InvalidInput(f"the incident is not of {found.code}",
                               [Problem("another station's incident", "incident_id")])
    now = clock.now()
    entry = _log(session, station_id=found.id, at=now, username=scope.username,
                 kind=EntryKind(data.kind), text=data.text,
                 incident_id=incident.id if incident else None)
    audit.record(session, actor=scope, at=now, action="shift.log", entity="shift_log_entry",
                 entity_id=str(entry.id), station_id=found.id, detail={"kind": data.kind})
    return EntryRead(id=entry.id, at=entry.at, username=entry.username, kind=entry.kind,
                     text=entry.text, incident_id=entry.incident_id,
                     incident_title_th=incident.title_th if incident else None,
                     incident_title_en=incident.title_en if incident else None)


def _require_on_duty(session: Session, scope: Scope, found: OrgUnit, doing: str) -> None:
    if _open_duty(session, found.id, scope.user_id) is None:
        raise Conflict(f"go on duty at {found.code} before you {doing}",
                       [Problem("not on duty")], code="not-on-duty")


def write_handover(session: Session, *, scope: Scope, clock: Clock, station_code: str,
                   data: HandoverIn, cameras_down: Sequence[DownCamera]) -> Handover:
    """The outgoing officer's handover, with the open items as they are now."""
    found = _acting_station(session, scope, station_code)
    _require_on_duty(session, scope, found, "hand over")
    waiting = session.scalar(select(Handover).where(
        Handover.station_id == found.id, Handover.written_by == scope.username,
        Handover.acknowledged_at.is_(None)))
    if waiting is not None:
        raise Conflict(f"your handover of {as_utc(waiting.written_at).isoformat()} is still "
                       "waiting to be acknowledged", [Problem("pending handover")],
                       code="handover-pending")
    now = clock.now()
    carried = open_items(session, scope=scope, station_id=found.id, now=now,
                         cameras_down=cameras_down, for_handover=True)
    handover = Handover(station_id=found.id, written_at=now, written_by=scope.username,
                        notes=data.notes, carried=carried.model_dump(mode="json"))
    session.add(handover)
    session.flush()
    _log(session, station_id=found.id, at=now, username=scope.username,
         kind=EntryKind.HANDOVER, text=data.notes, handover_id=handover.id)
    audit.record(session, actor=scope, at=now, action="shift.handover", entity="shift_handover",
                 entity_id=handover.id, station_id=found.id,
                 detail={"incidents": len(carried.incidents),
                         "units_out_of_service": len(carried.units_out_of_service),
                         "cameras_down": len(carried.cameras_down)})
    return handover


def acknowledge_handover(session: Session, *, scope: Scope, clock: Clock,
                         handover_id: uuid.UUID, data: HandoverAckIn) -> Handover:
    """The incoming officer (on duty, not the writer) takes the handover; once only."""
    scope.require(Permission.INCIDENT_ACT)
    handover = session.get(Handover, handover_id)
    if handover is None or not scope.sees_station(handover.station_id):
        raise NotFound("no such handover in your scope")
    if handover.acknowledged_at is not None:
        raise Conflict(f"already acknowledged by {handover.acknowledged_by} at "
                       f"{as_utc(handover.acknowledged_at).isoformat()}",
                       [Problem("acknowledged")], code="handover-acknowledged")
    if handover.written_by == scope.username:
        raise Conflict("the incoming officer acknowledges a handover, not its writer",
                       [Problem("own handover")], code="own-handover")
    found = org.get_unit(session, unit_id=handover.station_id)
    _require_on_duty(session, scope, found, "acknowledge a handover")
    now = clock.now()
    handover.acknowledged_at, handover.acknowledged_by = now, scope.username
    handover.ack_note = data.note
    _log(session, station_id=found.id, at=now, username=scope.username,
         kind=EntryKind.HANDOVER_ACK, text=data.note, handover_id=handover.id)
    audit.record(session, actor=scope, at=now, action="shift.handover_ack",
                 entity="shift_handover", entity_id=handover.id, station_id=found.id)
    return handover
