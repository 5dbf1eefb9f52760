"""Legal consultation, the station's side: consultants, the slots they offer, and the
requests booked into them.

Consultants are police users flagged per station (``CONSULT_MANAGE`` flags them); a slot is
a time one consultant offers on some channels. Two slots of one person never overlap, at
any station: creating one locks that person's consultant rows first, so two concurrent
creates cannot both pass the check (PostgreSQL ``FOR UPDATE``; SQLite has one writer).
Everything stays inside the caller's stations and every change is audited.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from safetyzone.audit import service as audit
from safetyzone.core.clock import Clock, as_utc
from safetyzone.core.errors import Conflict, InvalidInput, NotFound, Problem
from safetyzone.core.security import Permission, Role, Scope
from safetyzone.org import auth
from safetyzone.org import service as org
from safetyzone.org.models import User
from safetyzone.services.consult_models import (
    Consultant,
    ConsultChannel,
    ConsultRequest,
    ConsultSlot,
    SlotState,
)
from safetyzone.services.consult_schemas import (
    ConsultantCreate,
    ConsultantRead,
    SlotCreate,
    SlotRead,
)

MIN_SLOT = timedelta(minutes=10)
MAX_SLOT = timedelta(hours=4)
MAX_AHEAD = timedelta(days=180)
# Roles that may give advice: police, never a partner (outsider) or a volunteer.
ADVISERS = frozenset({Role.ADMIN, Role.COMMANDER, Role.OPERATOR, Role.PATROL_OFFICER,
                      Role.INVESTIGATOR, Role.VIEWER})


def station_code(session: Session, station_id: uuid.UUID) -> str:
    return org.get_unit(session, unit_id=station_id).code


# -- consultants -----------------------------------------------------------------------


def add_consultant(session: Session, *, scope: Scope, clock: Clock,
                   data: ConsultantCreate) -> Consultant:
    """Flag a police user of the station as a consultant (again, if they were removed)."""
    scope.require(Permission.CONSULT_MANAGE)
    station = org.get_station(session, scope=scope, code=data.station_code)
    user = session.scalar(select(User).where(User.username == data.username))
    if (user is None or not user.is_active
            or not auth.scope_for(session, user).sees_station(station.id)):
        raise InvalidInput("no such active user at this station",
                           [Problem("unknown user at this station", "username")])
    if user.role not in ADVISERS:
        raise InvalidInput(f"a {user.role.value} cannot be a consultant: police officers only",
                           [Problem("not a police role", "username")])
    found = session.scalar(select(Consultant).where(Consultant.station_id == station.id,
                                                    Consultant.user_id == user.id))
    if found is not None and found.active:
        raise Conflict(f"'{user.username}' is already a consultant at this station",
                       [Problem("duplicate consultant", "username")])
    now = clock.now()
    topics = sorted({t.value for t in data.topics})
    consultant = found or Consultant(station_id=station.id, user_id=user.id, created_at=now,
                                     created_by=scope.username)
    consultant.topics, consultant.active = topics, True
    session.add(consultant)
    session.flush()
    audit.record(session, actor=scope, at=now, action="consult.consultant.add",
                 entity="consult_consultant", entity_id=consultant.id, station_id=station.id,
                 detail={"username": user.username, "topics": topics})
    return consultant


def get_consultant(session: Session, *, scope: Scope, consultant_id: uuid.UUID) -> Consultant:
    found = session.get(Consultant, consultant_id)
    if found is None or not scope.sees_station(found.station_id):
        raise NotFound("no such consultant in your scope")
    return found


def remove_consultant(session: Session, *, scope: Scope, clock: Clock,
                      consultant_id: uuid.UUID) -> Consultant:
    """Stop a consultant: their open slots close; booked ones stay until the station
    cancels them (the citizen has to be told)."""
    scope.require(Permission.CONSULT_MANAGE)
    consultant = get_consultant(session, scope=scope, consultant_id=consultant_id)
    if not consultant.active:
        raise Conflict("this consultant was already removed")
    now = clock.now()
    consultant.active = False
    closed = _count(session.execute(update(ConsultSlot).where(
        ConsultSlot.consultant_id == consultant.id, ConsultSlot.state == SlotState.OPEN,
    ).values(state=SlotState.CANCELLED, cancelled_at=now)))
    audit.record(session, actor=scope, at=now, action="consult.consultant.remove",
                 entity="consult_consultant", entity_id=consultant.id,
                 station_id=consultant.station_id, detail={"open_slots_closed": closed})
    return consultant


def list_consultants(session: Session, *, scope: Scope, station_id: uuid.UUID | None = None
                     ) -> list[Consultant]:
    scope.require(Permission.OPS_READ)
    query = select(Consultant).where(scope.station_filter(Consultant.station_id))
    if station_id is not None:
        query = query.where(Consultant.station_id == station_id)
    return list(session.scalars(query.order_by(Consultant.station_id, Consultant.created_at)))


def consultant_reads(session: Session, consultants: list[Consultant]) -> list[ConsultantRead]:
    users = {u.id: u for u in session.scalars(select(User).where(
        User.id.in_({c.user_id for c in consultants})))} if consultants else {}
    return [ConsultantRead(id=c.id, station_code=station_code(session, c.station_id),
                           username=users[c.user_id].username,
                           display_name=users[c.user_id].display_name,
                           topics=c.topics, active=c.active) for c in consultants]


def is_consultant(session: Session, *, scope: Scope, station_id: uuid.UUID) -> bool:
    """Whether the caller is an active consultant of the station (the notes' other half)."""
    return session.scalar(select(Consultant.id).where(
        Consultant.station_id == station_id, Consultant.user_id == scope.user_id,
        Consultant.active.is_(True))) is not None


# -- slots -----------------------------------------------------------------------------


def _check_times(starts_at: datetime, ends_at: datetime, now: datetime) -> None:
    problems = []
    if ends_at - starts_at < MIN_SLOT:
        problems.append(Problem(f"a slot lasts at least {MIN_SLOT.seconds // 60} minutes "
                                "and ends after it starts", "ends_at"))
    elif ends_at - starts_at > MAX_SLOT:
        problems.append(Problem(f"a slot lasts at most {MAX_SLOT.seconds // 3600} hours",
                                "ends_at"))
    if starts_at <= now:
        problems.append(Problem("must be in the future", "starts_at"))
    elif starts_at > now + MAX_AHEAD:
        problems.append(Problem(f"at most {MAX_AHEAD.days} days ahead", "starts_at"))
    if problems:
        raise InvalidInput("the slot's times are not usable", problems)


def create_slot(session: Session, *, scope: Scope, clock: Clock, data: SlotCreate
                ) -> ConsultSlot:
    """A time a consultant offers; never overlapping another live slot of the same person."""
    scope.require(Permission.CONSULT_MANAGE)
    consultant = get_consultant(session, scope=scope, consultant_id=data.consultant_id)
    if not consultant.active:
        raise Conflict("this consultant was removed: add them again first",
                       [Problem("removed consultant", "consultant_id")])
    now = clock.now()
    starts_at, ends_at = as_utc(data.starts_at), as_utc(data.ends_at)
    _check_times(starts_at, ends_at, now)
    channels = sorted({c.value for c in data.channels})
    if ConsultChannel.VIDEO.value in channels and not data.video_url:
        raise InvalidInput("a slot offered by video needs its video room",
                           [Problem("required for the video channel", "video_url")])
    # Lock every consultant row of this person (at every station), then look for overlaps.
    mine = list(session.scalars(select(Consultant.id).where(
        Consultant.user_id == consultant.user_id).with_for_update()))
    clash = session.scalar(select(ConsultSlot).where(
        ConsultSlot.consultant_id.in_(mine), ConsultSlot.state != SlotState.CANCELLED,
        ConsultSlot.starts_at < ends_at, ConsultSlot.ends_at > starts_at).limit(1))
    if clash is not None:
        raise Conflict("this consultant already has a slot at that time",
                       [Problem(f"overlaps the slot {clash.id}", "starts_at")])
    slot = ConsultSlot(station_id=consultant.station_id, consultant_id=consultant.id,
                       starts_at=starts_at, ends_at=ends_at, channels=channels,
                       video_url=data.video_url, state=SlotState.OPEN, created_at=now,
                       created_by=scope.username)
    session.add(slot)
    session.flush()
    audit.record(session, actor=scope, at=now, action="consult.slot.create",
                 entity="consult_slot", entity_id=slot.id, station_id=slot.station_id,
                 detail={"consultant_id": str(consultant.id), "starts_at": starts_at.isoformat(),
                         "ends_at": ends_at.isoformat(), "channels": channels})
    return slot


def get_slot(session: Session, *, scope: Scope, slot_id: uuid.UUID) -> ConsultSlot:
    found = session.get(ConsultSlot, slot_id)
    if found is None or not scope.sees_station(found.station_id):
        raise NotFound("no such slot in your scope")
    return found


def list_slots(session: Session, *, scope: Scope, station_id: uuid.UUID | None = None,
               since: datetime | None = None, until: datetime | None = None
               ) -> list[ConsultSlot]:
    scope.require(Permission.OPS_READ)
    query = select(ConsultSlot).where(scope.station_filter(ConsultSlot.station_id))
    if station_id is not None:
        query = query.where(ConsultSlot.station_id == station_id)
    if since is not None:
        query = query.where(ConsultSlot.ends_at > since)
    if until is not None:
        query = query.where(ConsultSlot.starts_at < until)
    return list(session.scalars(query.order_by(ConsultSlot.starts_at).limit(1000)))


def slot_reads(session: Session, slots: list[ConsultSlot]) -> list[SlotRead]:
    names = {c.id: c for c in session.scalars(select(Consultant).where(
        Consultant.id.in_({s.consultant_id for s in slots})))} if slots else {}
    users = auth.usernames(session, [c.user_id for c in names.values()])
    codes = dict(session.execute(select(ConsultRequest.active_slot_id, ConsultRequest.code)
                                 .where(ConsultRequest.active_slot_id.in_([s.id for s in slots])))
                 .all()) if slots else {}
    return [SlotRead(id=s.id, station_code=station_code(session, s.station_id),
                     consultant_id=s.consultant_id,
                     consultant=users.get(names[s.consultant_id].user_id, ""),
                     starts_at=s.starts_at, ends_at=s.ends_at,
                     channels=[ConsultChannel(c) for c in s.channels], state=s.state,
                     video_url=s.video_url, request_code=codes.get(s.id)) for s in slots]


def _count(result: object) -> int:
    """Rows an UPDATE or DELETE touched (``Result`` types hide ``rowcount`` from mypy)."""
    return int(getattr(result, "rowcount", 0) or 0)


def get_slot_row(session: Session, slot_id: uuid.UUID) -> ConsultSlot:
    """A slot by id for a caller that already holds its request (no scope to check)."""
    found = session.get(ConsultSlot, slot_id)
    if found is None:
        raise NotFound("no such slot")
    return found
