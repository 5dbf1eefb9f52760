"""Live compliance of patrol plans: visits made from GPS fixes, and each target's status.

Visits. Every GPS fix the engine applies reaches :func:`on_fixes` (through the batch
observer in ``patrol.live``), in the engine's transaction. A unit of the plan's station
within a target's ``radius_m`` opens a visit; later fixes inside extend it; it closes at its
last fix inside when the unit is seen beyond ``radius_m * EXIT_FACTOR`` (a margin, so GPS
jitter at the edge does not cut one stay into many), or when the unit is not heard for
``VISIT_GAP``. Times are the device's fix times. A stay counts as a visit once it lasts
``MIN_DWELL_S``: a car driving past is not a visit. Each unit's stay is its own visit.
Fixes worse than ``MAX_FIX_ACCURACY_M`` are ignored.

Red boxes count officers' accepted check-ins (``patrol.redbox.accepted_checkins``) as
visits, plus GPS visits without a check-in by that unit during them (a check-in during a
stay is that stay, not a second visit).

Status of a target: ``visited`` once visits and minutes reach what the plan asks;
``missed`` when the plan ended (or was cancelled) short of it, or while it is behind its
window share (a plan asking 3 visits in 8 hours expects the first by 2 h 40 min, the
second by 5 h 20 min: fewer by then is missed until a visit catches up); else ``pending``.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.orm import Session

from safetyzone.core.geo import haversine_m
from safetyzone.ops import feed
from safetyzone.patrol import redbox
from safetyzone.patrol.plan_models import PatrolPlan, PlanTarget, PlanVisit
from safetyzone.patrol.plan_schemas import PlanState, Summary, TargetState, TargetStatus
from safetyzone.patrol.redbox_models import CheckIn
from safetyzone.patrol.weighting import bangkok_hour

MIN_DWELL_S = 60.0
EXIT_FACTOR = 1.25
VISIT_GAP = timedelta(minutes=5)
MAX_FIX_ACCURACY_M = 100.0
CHECKIN_MATCH = timedelta(minutes=2)  # a check-in this close to a stay belongs to it
M_PER_DEG_LAT = 111_000.0


class Fix(Protocol):
    """What compliance reads of a fix (``patrol.live.UnitFix``)."""

    @property
    def unit_id(self) -> uuid.UUID: ...
    @property
    def station_id(self) -> uuid.UUID: ...
    @property
    def at(self) -> datetime: ...
    @property
    def lat(self) -> float: ...
    @property
    def lon(self) -> float: ...
    @property
    def accuracy_m(self) -> float | None: ...


def accepted_checkins(session: Session, *, station_id: uuid.UUID, since: datetime,
                      until: datetime) -> list[Any]:
    """The station's accepted red-box check-ins (H2's ``patrol.redbox``)."""
    return list(redbox.accepted_checkins(session, station_id=station_id, since=since,
                                         until=until))


def plan_end(plan: PatrolPlan) -> datetime:
    return min(plan.cancelled_at, plan.ends_at) if plan.cancelled_at else plan.ends_at


def plan_state(plan: PatrolPlan, now: datetime) -> PlanState:
    if plan.cancelled_at is not None:
        return "cancelled"
    if now < plan.starts_at:
        return "scheduled"
    return "active" if now < plan.ends_at else "ended"


# --- visits from fixes --------------------------------------------------------------------


def _close(visit: PlanVisit) -> None:
    visit.left_at = visit.last_seen_at
    visit.dwell_s = (visit.last_seen_at - visit.entered_at).total_seconds()


def _extend(visit: PlanVisit, target: PlanTarget, at: datetime) -> bool:
    """The unit is still there at ``at``; True when this makes the stay count."""
    visit.last_seen_at = at
    visit.dwell_s = (at - visit.entered_at).total_seconds()
    newly = not visit.counted and visit.dwell_s >= MIN_DWELL_S
    if newly:
        visit.counted = True
        target.alerted_at = None  # a visit ends the gap: the next one may alert again
    if visit.counted and (target.last_visit_at is None or target.last_visit_at < at):
        target.last_visit_at = at
    return newly


def on_fixes(session: Session, fixes: Sequence[Fix], now: datetime) -> None:
    """Open, extend and close visits for a batch of fixes (see the module docstring).

    Cheap when no plan is running: one indexed query per batch.
    """
    usable = [f for f in fixes if f.accuracy_m is None or f.accuracy_m <= MAX_FIX_ACCURACY_M]
    if not usable:
        return
    first, last = min(f.at for f in usable), max(f.at for f in usable)
    rows = session.execute(select(PlanTarget, PatrolPlan).join(
        PatrolPlan, PlanTarget.plan_id == PatrolPlan.id).where(
        PatrolPlan.station_id.in_({f.station_id for f in usable}),
        PatrolPlan.cancelled_at.is_(None), PatrolPlan.starts_at <= last,
        PatrolPlan.ends_at > first)).all()
    if not rows:
        return
    by_station: dict[uuid.UUID, list[tuple[PlanTarget, PatrolPlan]]] = {}
    for target, plan in rows:
        by_station.setdefault(plan.station_id, []).append((target, plan))
    open_visits = {(v.target_id, v.unit_id): v for v in session.scalars(select(PlanVisit).where(
        PlanVisit.target_id.in_([t.id for t, _ in rows]), PlanVisit.left_at.is_(None)))}
    changed: dict[uuid.UUID, tuple[PlanTarget, PatrolPlan]] = {}
    for fix in sorted(usable, key=lambda f: f.at):
        for target, plan in by_station.get(fix.station_id, ()):
            if not plan.starts_at <= fix.at < plan.ends_at:
                continue
            key = (target.id, fix.unit_id)
            visit = open_visits.get(key)
            reach = target.radius_m * EXIT_FACTOR
            if visit is None and abs(fix.lat - target.lat) * M_PER_DEG_LAT > reach:
                continue  # far away: no need for the exact distance
            if visit is not None and fix.at <= visit.last_seen_at:
                continue  # older than what we know
            distance = haversine_m(fix.lat, fix.lon, target.lat, target.lon)
            if visit is not None:
                if fix.at - visit.last_seen_at <= VISIT_GAP and distance <= reach:
                    if _extend(visit, target, fix.at):
                        changed[target.id] = (target, plan)
                    continue
                _close(visit)
                del open_visits[key]
                if visit.counted:
                    changed[target.id] = (target, plan)
            if distance <= target.radius_m:
                visit = PlanVisit(plan_id=plan.id, target_id=target.id, unit_id=fix.unit_id,
                                  entered_at=fix.at, last_seen_at=fix.at, dwell_s=0.0,
                                  counted=False)
                session.add(visit)
                open_visits[key] = visit
    if changed:
        session.flush()
        publish_targets(session, changed.values(), now)


def close_stale_visits(session: Session, *, now: datetime) -> int:
    """Close stays whose unit has not been heard for ``VISIT_GAP`` (switched off, gone)."""
    stale = list(session.scalars(select(PlanVisit).where(
        PlanVisit.left_at.is_(None), PlanVisit.last_seen_at < now - VISIT_GAP)))
    for visit in stale:
        _close(visit)
    return len(stale)


# --- status -----------------------------------------------------------------------------


def reached(target_visits: int, target_minutes: float, visits: int, minutes: float) -> bool:
    """Whether a target got what its plan asks: enough visits and enough minutes."""
    return visits >= target_visits and minutes >= target_minutes


def _status(plan: PatrolPlan, target: PlanTarget, visits: int, minutes: float,
            now: datetime) -> TargetState:
    if reached(target.target_visits, target.target_minutes, visits, minutes):
        return "visited"
    if now >= plan_end(plan):
        return "missed"
    length = (plan.ends_at - plan.starts_at).total_seconds()
    elapsed = min(max((now - plan.starts_at).total_seconds() / length, 0.0), 1.0)
    return "missed" if visits < math.floor(elapsed * target.target_visits) else "pending"


def _red_box_visits(target: PlanTarget, counted: list[PlanVisit],
                    checkins: list[Any]) -> tuple[int, datetime | None]:
    mine = [c for c in checkins if c.asset_id == target.ref_id]
    alone = [v for v in counted if not any(
        (c.unit_id is None or c.unit_id == v.unit_id)
        and v.entered_at - CHECKIN_MATCH <= c.scanned_at <= v.last_seen_at + CHECKIN_MATCH
        for c in mine)]
    times = [v.last_seen_at for v in counted] + [c.scanned_at for c in mine]
    return len(mine) + len(alone), max(times, default=None)


def target_statuses(session: Session, plan: PatrolPlan, now: datetime,
                    only: Iterable[uuid.UUID] | None = None) -> list[TargetStatus]:
    """Each target of the plan (or only the given ones) with its numbers and status."""
    query = select(PlanTarget).where(PlanTarget.plan_id == plan.id)
    if only is not None:
        query = query.where(PlanTarget.id.in_(list(only)))
    targets = list(session.scalars(query.order_by(PlanTarget.position)))
    visits: dict[uuid.UUID, list[PlanVisit]] = {}
    for visit in session.scalars(select(PlanVisit).where(
            PlanVisit.target_id.in_([t.id for t in targets]))):
        visits.setdefault(visit.target_id, []).append(visit)
    end = plan_end(plan)
    checkins: list[Any] = []
    if any(t.kind == "red_box" and t.ref_id for t in targets) and now > plan.starts_at:
        checkins = [c for c in accepted_checkins(
            session, station_id=plan.station_id, since=plan.starts_at, until=min(now, end))
            if plan.starts_at <= c.scanned_at <= end]
    hour = bangkok_hour(now)
    out = []
    for target in targets:
        stays = visits.get(target.id, [])
        counted = [v for v in stays if v.counted]
        minutes = sum(v.dwell_s for v in stays) / 60
        if target.kind == "red_box":
            count, last = _red_box_visits(target, counted, checkins)
        else:
            count, last = len(counted), target.last_visit_at
        out.append(TargetStatus(
            id=target.id, kind=target.kind, ref_id=target.ref_id, name_th=target.name_th,
            name_en=target.name_en, lat=target.lat, lon=target.lon, radius_m=target.radius_m,
            risk_score=target.risk_score, high_risk_hours=list(target.high_risk_hours),
            target_visits=target.target_visits, visits=count,
            target_minutes=target.target_minutes, minutes=round(minutes, 1),
            last_visit_at=last, status=_status(plan, target, count, minutes, now),
            alert_after_min=target.alert_after_min, alerted_at=target.alerted_at,
            in_high_risk_now=hour in target.high_risk_hours))
    return out


def summarize(statuses: Sequence[TargetStatus]) -> Summary:
    visited = sum(s.status == "visited" for s in statuses)
    missed = sum(s.status == "missed" for s in statuses)
    total = len(statuses)
    return Summary(visited=visited, pending=total - visited - missed, missed=missed,
                   total=total, percent=round(100 * visited / total) if total else 0)


def publish_targets(session: Session, targets: Iterable[tuple[PlanTarget, PatrolPlan]],
                    now: datetime) -> None:
    """One ``patrol.plan`` feed entry per changed target, with its numbers now."""
    by_plan: dict[uuid.UUID, tuple[PatrolPlan, list[uuid.UUID]]] = {}
    for target, plan in targets:
        by_plan.setdefault(plan.id, (plan, []))[1].append(target.id)
    for plan, ids in by_plan.values():
        for status in target_statuses(session, plan, now, only=ids):
            feed.append(session, station_id=plan.station_id, at=now, type="patrol.plan",
                        entity_id=plan.id, payload={
                            "plan_id": str(plan.id), "event": "target",
                            "target": status.model_dump(mode="json")})


def publish_plan(session: Session, plan: PatrolPlan, now: datetime, event: str) -> None:
    """A plan was created, cancelled or given other units."""
    feed.append(session, station_id=plan.station_id, at=now, type="patrol.plan",
                entity_id=plan.id, payload={"plan_id": str(plan.id), "event": event,
                                            "target": None})


# --- ended plans of many stations at once (the KPIs, ``measure.kpi_field``) ----------------


@dataclass(frozen=True, slots=True)
class EndedTarget:
    """A target of a plan that ended: where it was, and whether it got what was asked."""

    station_id: uuid.UUID
    kind: str
    lat: float
    lon: float
    visited: bool


def _ended(station_ids: Collection[uuid.UUID], since: datetime, until: datetime
           ) -> tuple[ColumnElement[bool], ...]:
    """Plans of the stations that ended in [since, until); cancelled ones are left out:
    calling a plan off is a decision, not a missed patrol."""
    return (PatrolPlan.station_id.in_(list(station_ids)), PatrolPlan.cancelled_at.is_(None),
            PatrolPlan.ends_at >= since, PatrolPlan.ends_at < until)


def _with_tallies(plans: tuple[ColumnElement[bool], ...]) -> tuple[Any, Any, Any]:
    """Each target's counted visits and seconds inside, summed in SQL, and the SQL twin of
    :func:`reached` over them (red boxes aside: their check-ins count too)."""
    visits = select(PlanVisit.target_id,
                    func.sum(case((PlanVisit.counted.is_(True), 1), else_=0)).label("n"),
                    func.sum(PlanVisit.dwell_s).label("seconds")).where(
        PlanVisit.plan_id.in_(select(PatrolPlan.id).where(*plans))).group_by(
        PlanVisit.target_id).subquery()
    n = func.coalesce(visits.c.n, 0)
    seconds = func.coalesce(visits.c.seconds, 0.0)
    done = and_(n >= PlanTarget.target_visits, seconds / 60.0 >= PlanTarget.target_minutes)
    return visits, seconds, done


RED_BOX = and_(PlanTarget.kind == "red_box", PlanTarget.ref_id.is_not(None))


def ended_counts(session: Session, *, station_ids: Collection[uuid.UUID], since: datetime,
                 until: datetime) -> dict[uuid.UUID, dict[str, tuple[int, int]]]:
    """(visited, targets) per station and target kind, over the plans that ended in
    [since, until), by the status rule above. Grouped in SQL whatever the number of
    stations (a region has dozens, HQ about 1,500); only red-box targets, whose check-ins
    count too, are read one by one."""
    out: dict[uuid.UUID, dict[str, tuple[int, int]]] = {s: {} for s in station_ids}
    if not station_ids or since >= until:
        return out
    plans = _ended(station_ids, since, until)
    visits, _, done = _with_tallies(plans)
    for station_id, kind, total, visited in session.execute(
            select(PatrolPlan.station_id, PlanTarget.kind, func.count(),
                   func.sum(case((done, 1), else_=0))).select_from(PlanTarget)
            .join(PatrolPlan, PlanTarget.plan_id == PatrolPlan.id)
            .outerjoin(visits, visits.c.target_id == PlanTarget.id)
            .where(*plans, ~RED_BOX).group_by(PatrolPlan.station_id, PlanTarget.kind)):
        out[station_id][kind] = (int(visited or 0), int(total))
    for target in _red_boxes(session, plans):
        visited, total = out[target.station_id].get(target.kind, (0, 0))
        out[target.station_id][target.kind] = (visited + target.visited, total + 1)
    return out


def ended_targets(session: Session, *, station_ids: Collection[uuid.UUID], since: datetime,
                  until: datetime) -> list[EndedTarget]:
    """Every target of the plans that ended in [since, until), with where it was: for
    narrowing to a zone (one station's targets; ``ended_counts`` for many stations)."""
    if not station_ids or since >= until:
        return []
    plans = _ended(station_ids, since, until)
    visits, _, done = _with_tallies(plans)
    rows = session.execute(
        select(PatrolPlan.station_id, PlanTarget.kind, PlanTarget.lat, PlanTarget.lon, done)
        .select_from(PlanTarget).join(PatrolPlan, PlanTarget.plan_id == PatrolPlan.id)
        .outerjoin(visits, visits.c.target_id == PlanTarget.id).where(*plans, ~RED_BOX))
    return [EndedTarget(station_id, kind, lat, lon, bool(visited))
            for station_id, kind, lat, lon, visited in rows] + _red_boxes(session, plans)


def _red_boxes(session: Session, plans: tuple[ColumnElement[bool], ...]) -> list[EndedTarget]:
    """Red-box targets, as ``target_statuses`` counts them once their plan has ended:
    accepted check-ins in [plan start, plan end), plus counted stays without one."""
    visits, seconds, _ = _with_tallies(plans)
    red = session.execute(select(
        PlanTarget.id, PlanTarget.ref_id, PlanTarget.lat, PlanTarget.lon,
        PlanTarget.target_visits, PlanTarget.target_minutes, seconds, PatrolPlan.station_id,
        PatrolPlan.starts_at, PatrolPlan.ends_at).select_from(PlanTarget).join(
        PatrolPlan, PlanTarget.plan_id == PatrolPlan.id).outerjoin(
        visits, visits.c.target_id == PlanTarget.id).where(*plans, RED_BOX)).all()
    if not red:
        return []
    targets = {t.id: t for t in session.scalars(
        select(PlanTarget).where(PlanTarget.id.in_([r.id for r in red])))}
    stays: dict[uuid.UUID, list[PlanVisit]] = {}
    for visit in session.scalars(select(PlanVisit).where(
            PlanVisit.target_id.in_(list(targets)), PlanVisit.counted.is_(True))):
        stays.setdefault(visit.target_id, []).append(visit)
    checkins: dict[tuple[uuid.UUID | None, uuid.UUID | None], list[CheckIn]] = {}
    for checkin in session.scalars(select(CheckIn).where(
            CheckIn.station_id.in_({r.station_id for r in red}), CheckIn.accepted.is_(True),
            CheckIn.asset_id.in_({r.ref_id for r in red}),
            CheckIn.scanned_at >= min(r.starts_at for r in red),
            CheckIn.scanned_at < max(r.ends_at for r in red))):
        checkins.setdefault((checkin.station_id, checkin.asset_id), []).append(checkin)
    out = []
    for r in red:
        during = [c for c in checkins.get((r.station_id, r.ref_id), [])
                  if r.starts_at <= c.scanned_at < r.ends_at]
        count = _red_box_visits(targets[r.id], stays.get(r.id, []), during)[0]
        out.append(EndedTarget(r.station_id, "red_box", r.lat, r.lon, reached(
            r.target_visits, r.target_minutes, count, float(r[6]) / 60)))
    return out
