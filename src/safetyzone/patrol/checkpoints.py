"""Checkpoint sessions (จุดตรวจ): where, when, who, and what they found.

The console plans a session (PATROL_PLAN) with its place, times, staff (usernames) and
units; the officers on it log what they counted from the phone (PATROL_DUTY): vehicles and
persons checked, arrests, a note. The session's figures are the sum of those entries plus
the console's corrections: a PATCH that sets a total stores the difference to the entries
so far, so the log stays as sent and later entries still add up.

    planned -> active -> done          (the first log entry makes a planned session active)
    planned | active -> cancelled

Every write is audited and told on the feed (``patrol.checkpoint``).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from safetyzone.assets import service as assets
from safetyzone.audit import service as audit
from safetyzone.core.clock import BANGKOK, Clock
from safetyzone.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied, Problem
from safetyzone.core.geo import position_problem
from safetyzone.core.security import Permission, Scope
from safetyzone.ops import feed, units
from safetyzone.org import service as org
from safetyzone.patrol.plan_models import Checkpoint, CheckpointEntry
from safetyzone.patrol.plan_schemas import (
    CheckpointCreate,
    CheckpointDetail,
    CheckpointEntryRead,
    CheckpointLogIn,
    CheckpointRead,
    CheckpointTotals,
    CheckpointUpdate,
)

MAX_SESSION = timedelta(hours=24)
MOVES = {"planned": {"active", "done", "cancelled"}, "active": {"done", "cancelled"},
         "done": set(), "cancelled": set()}
OPEN = ("planned", "active")


def day_window(day: date) -> tuple[datetime, datetime]:
    """A Bangkok calendar day as UTC times [start, end)."""
    start = datetime.combine(day, time(0), tzinfo=BANGKOK)
    return start, start + timedelta(days=1)


def bangkok_day(at: datetime) -> date:
    return at.astimezone(BANGKOK).date()


def _sums(session: Session, ids: list[uuid.UUID]) -> dict[uuid.UUID, tuple[int, int, int, int]]:
    rows = session.execute(select(
        CheckpointEntry.checkpoint_id, func.coalesce(func.sum(CheckpointEntry.vehicles), 0),
        func.coalesce(func.sum(CheckpointEntry.persons), 0),
        func.coalesce(func.sum(CheckpointEntry.arrests), 0), func.count(CheckpointEntry.id))
        .where(CheckpointEntry.checkpoint_id.in_(ids))
        .group_by(CheckpointEntry.checkpoint_id)).all()
    return {cid: (int(v), int(p), int(a), int(n)) for cid, v, p, a, n in rows}


def reads(session: Session, checkpoints: list[Checkpoint],
          mine: set[uuid.UUID] | None = None) -> list[CheckpointRead]:
    sums = _sums(session, [c.id for c in checkpoints])
    codes: dict[uuid.UUID, str] = {}
    out = []
    for cp in checkpoints:
        if cp.station_id not in codes:
            codes[cp.station_id] = org.get_unit(session, unit_id=cp.station_id).code
        vehicles, persons, arrests, entries = sums.get(cp.id, (0, 0, 0, 0))
        out.append(CheckpointRead(
            id=cp.id, station_code=codes[cp.station_id], name_th=cp.name_th,
            name_en=cp.name_en, lat=cp.lat, lon=cp.lon, asset_id=cp.asset_id,
            starts_at=cp.starts_at, ends_at=cp.ends_at, status=cp.status, staff=list(cp.staff),
            unit_ids=[uuid.UUID(u) for u in cp.unit_ids],
            vehicles_checked=vehicles + cp.vehicles_adjust,
            persons_checked=persons + cp.persons_adjust, arrests=arrests + cp.arrests_adjust,
            seized_note=cp.seized_note, entries=entries, updated_at=cp.updated_at,
            version=cp.version, mine=bool(mine and cp.id in mine)))
    return out


def read(session: Session, checkpoint: Checkpoint) -> CheckpointRead:
    return reads(session, [checkpoint])[0]


def detail(session: Session, checkpoint: Checkpoint) -> CheckpointDetail:
    log = session.scalars(select(CheckpointEntry).where(
        CheckpointEntry.checkpoint_id == checkpoint.id).order_by(CheckpointEntry.at))
    return CheckpointDetail(**read(session, checkpoint).model_dump(),
                            log=[entry_read(e) for e in log])


def _publish(session: Session, checkpoint: Checkpoint, now: datetime) -> None:
    session.flush()
    feed.append(session, station_id=checkpoint.station_id, at=now, type="patrol.checkpoint",
                entity_id=checkpoint.id,
                payload=read(session, checkpoint).model_dump(mode="json"))


def _check_units(session: Session, scope: Scope, station_id: uuid.UUID,
                 ids: list[uuid.UUID]) -> list[str]:
    problems = []
    for i, unit_id in enumerate(ids):
        try:
            ok = units.get_unit(session, scope=scope, unit_id=unit_id).station_id == station_id
        except NotFound:
            ok = False
        if not ok:
            problems.append(Problem("no such unit at this station", f"unit_ids[{i}]"))
    if problems:
        raise InvalidInput("a checkpoint's units are units of its station", problems)
    return [str(u) for u in dict.fromkeys(ids)]


def create_checkpoint(session: Session, *, scope: Scope, clock: Clock,
                      data: CheckpointCreate) -> Checkpoint:
    scope.require(Permission.PATROL_PLAN)
    station = org.get_station(session, scope=scope, code=data.station_code)
    problems = []
    if data.ends_at <= data.starts_at or data.ends_at - data.starts_at > MAX_SESSION:
        problems.append(Problem("must be after starts_at, within 24 h", "ends_at"))
    place = position_problem(data.lat, data.lon, "lat")
    if place:
        problems.append(place)
    if data.asset_id is not None:
        try:
            ok = assets.get_asset(session, scope=scope,
                                  asset_id=data.asset_id).station_id == station.id
        except NotFound:
            ok = False
        if not ok:
            problems.append(Problem("no such asset at this station", "asset_id"))
    if problems:
        raise InvalidInput("the checkpoint session does not add up", problems)
    now = clock.now()
    checkpoint = Checkpoint(
        station_id=station.id, name_th=data.name_th, name_en=data.name_en, lat=data.lat,
        lon=data.lon, asset_id=data.asset_id, starts_at=data.starts_at, ends_at=data.ends_at,
        status="planned", staff=list(dict.fromkeys(data.staff)),
        unit_ids=_check_units(session, scope, station.id, data.unit_ids), vehicles_adjust=0,
        persons_adjust=0, arrests_adjust=0, seized_note=None, created_at=now,
        created_by=scope.username, updated_at=now, version=1, detail={})
    session.add(checkpoint)
    session.flush()
    audit.record(session, actor=scope, at=now, action="patrol.checkpoint.create",
                 entity="patrol_checkpoint", entity_id=checkpoint.id, station_id=station.id)
    _publish(session, checkpoint, now)
    return checkpoint


def get_checkpoint(session: Session, *, scope: Scope, checkpoint_id: uuid.UUID) -> Checkpoint:
    scope.require(Permission.OPS_READ)
    checkpoint = session.get(Checkpoint, checkpoint_id)
    if checkpoint is None or not scope.sees_station(checkpoint.station_id):
        raise NotFound("no such checkpoint session in your scope")
    return checkpoint


def list_checkpoints(session: Session, *, scope: Scope, station_id: uuid.UUID | None,
                     day: date) -> list[Checkpoint]:
    """Sessions overlapping the Bangkok day, earliest first."""
    scope.require(Permission.OPS_READ)
    start, end = day_window(day)
    query = select(Checkpoint).where(scope.station_filter(Checkpoint.station_id),
                                     Checkpoint.starts_at < end, Checkpoint.ends_at > start)
    if station_id is not None:
        query = query.where(Checkpoint.station_id == station_id)
    return list(session.scalars(query.order_by(Checkpoint.starts_at, Checkpoint.id).limit(500)))


def totals(session: Session, *, scope: Scope, station_id: uuid.UUID,
           day: date) -> CheckpointTotals:
    """The station's checkpoint figures of a Bangkok day (cancelled sessions left out)."""
    rows = [r for r in reads(session, list_checkpoints(session, scope=scope,
                                                       station_id=station_id, day=day))
            if r.status != "cancelled"]
    return CheckpointTotals(
        station_code=org.get_unit(session, unit_id=station_id).code, day=day.isoformat(),
        sessions=len(rows), vehicles_checked=sum(r.vehicles_checked for r in rows),
        persons_checked=sum(r.persons_checked for r in rows),
        arrests=sum(r.arrests for r in rows))


def update_checkpoint(session: Session, *, scope: Scope, clock: Clock,
                      checkpoint_id: uuid.UUID, data: CheckpointUpdate) -> Checkpoint:
    scope.require(Permission.PATROL_PLAN)
    checkpoint = get_checkpoint(session, scope=scope, checkpoint_id=checkpoint_id)
    changes = data.model_dump(exclude_unset=True)
    status = changes.get("status")
    if status is not None and status != checkpoint.status:
        if status not in MOVES[checkpoint.status]:
            raise Conflict(f"a {checkpoint.status} session cannot become {status}",
                           [Problem(f"allowed: {sorted(MOVES[checkpoint.status])}", "status")])
        checkpoint.status = status
    if checkpoint.status == "cancelled" and set(changes) - {"status"}:
        raise Conflict("a cancelled session is not corrected")
    current = read(session, checkpoint)
    for field, adjust, now_value in (
            ("vehicles_checked", "vehicles_adjust", current.vehicles_checked),
            ("persons_checked", "persons_adjust", current.persons_checked),
            ("arrests", "arrests_adjust", current.arrests)):
        if field in changes:
            setattr(checkpoint, adjust, getattr(checkpoint, adjust) + changes[field] - now_value)
    if "seized_note" in changes:
        checkpoint.seized_note = changes["seized_note"]
    if "staff" in changes:
        checkpoint.staff = list(dict.fromkeys(changes["staff"]))
    if "unit_ids" in changes:
        checkpoint.unit_ids = _check_units(session, scope, checkpoint.station_id,
                                           data.unit_ids or [])
    now = clock.now()
    checkpoint.updated_at = now
    checkpoint.version += 1
    audit.record(session, actor=scope, at=now, action="patrol.checkpoint.update",
                 entity="patrol_checkpoint", entity_id=checkpoint.id,
                 station_id=checkpoint.station_id,
                 detail={k: v for k, v in data.model_dump(mode="json", exclude_unset=True).items()
                         if k != "seized_note"})
    _publish(session, checkpoint, now)
    return checkpoint


def _is_mine(checkpoint: Checkpoint, scope: Scope, unit_id: uuid.UUID | None) -> bool:
    return scope.username in checkpoint.staff or (
        unit_id is not None and str(unit_id) in checkpoint.unit_ids)


def officer_checkpoints(session: Session, *, scope: Scope, clock: Clock,
                        unit_id: uuid.UUID | None) -> list[CheckpointRead]:
    """Today's sessions (Bangkok day) of the caller's stations, theirs marked ``mine``."""
    scope.require(Permission.PATROL_DUTY)
    start, end = day_window(bangkok_day(clock.now()))
    rows = list(session.scalars(select(Checkpoint).where(
        scope.station_filter(Checkpoint.station_id), Checkpoint.starts_at < end,
        Checkpoint.ends_at > start, Checkpoint.status.in_((*OPEN, "done")))
        .order_by(Checkpoint.starts_at, Checkpoint.id).limit(200)))
    mine = {c.id for c in rows if _is_mine(c, scope, unit_id)}
    return sorted(reads(session, rows, mine), key=lambda r: (not r.mine, r.starts_at))


def log_entry(session: Session, *, scope: Scope, clock: Clock, checkpoint_id: uuid.UUID,
              data: CheckpointLogIn, unit_id: uuid.UUID | None,
              key: str | None = None) -> tuple[CheckpointEntry, bool]:
    """An officer's counts for a session they are on (its staff, or its unit on shift).

    Returns the entry and whether it is new: the same ``key`` from the same officer on the
    same session is the entry already stored (a phone's retry), never a second one.
    """
    scope.require(Permission.PATROL_DUTY)
    checkpoint = session.get(Checkpoint, checkpoint_id)
    if checkpoint is None or not scope.sees_station(checkpoint.station_id):
        raise NotFound("no such checkpoint session in your scope")
    if key is not None:
        known = session.scalar(select(CheckpointEntry).where(
            CheckpointEntry.checkpoint_id == checkpoint.id,
            CheckpointEntry.user_id == scope.user_id, CheckpointEntry.idempotency_key == key))
        if known is not None:
            return known, False
    if not _is_mine(checkpoint, scope, unit_id):
        raise PermissionDenied("you are not on this checkpoint's staff, nor on shift with "
                               "one of its units")
    if checkpoint.status not in OPEN:
        raise Conflict(f"this checkpoint session is {checkpoint.status}: ask the station to "
                       "correct its figures")
    now = clock.now()
    entry = CheckpointEntry(
        checkpoint_id=checkpoint.id, at=now, user_id=scope.user_id, username=scope.username,
        unit_id=unit_id if unit_id is not None and str(unit_id) in checkpoint.unit_ids
        else None, vehicles=data.vehicles, persons=data.persons, arrests=data.arrests,
        note=data.note, idempotency_key=key)
    session.add(entry)
    if checkpoint.status == "planned":
        checkpoint.status = "active"
    checkpoint.updated_at = now
    checkpoint.version += 1
    session.flush()
    audit.record(session, actor=scope, at=now, action="patrol.checkpoint.log",
                 entity="patrol_checkpoint", entity_id=checkpoint.id,
                 station_id=checkpoint.station_id,
                 detail={"vehicles": data.vehicles, "persons": data.persons,
                         "arrests": data.arrests})
    _publish(session, checkpoint, now)
    return entry, True


def entry_read(entry: CheckpointEntry) -> CheckpointEntryRead:
    return CheckpointEntryRead(id=entry.id, checkpoint_id=entry.checkpoint_id, at=entry.at,
                               username=entry.username, unit_id=entry.unit_id,
                               vehicles=entry.vehicles, persons=entry.persons,
                               arrests=entry.arrests, note=entry.note)
