"""Patrol plans: what a station asks of its patrols between two times, and for which units.

A plan lists targets (red boxes, risk spots, points, and the home-watch houses the station
promised to watch over its times: ``patrol.standing``),
each with the visits and minutes asked. ``auto`` fills them from the station's active red
boxes and risk spots with the weighting of ``patrol.weighting``. A plan with units assigned
is theirs; a plan without is the whole station's. Visits count from any unit of the
station (``patrol.compliance``). Writing needs PATROL_PLAN, reading OPS_READ, always inside
the caller's stations; every write is audited and told on the feed (``patrol.plan``).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from safetyzone.assets import service as assets
from safetyzone.assets.models import AssetKind, AssetStatus
from safetyzone.audit import service as audit
from safetyzone.core.clock import Clock
from safetyzone.core.errors import Conflict, InvalidInput, NotFound, Problem
from safetyzone.core.geo import position_problem
from safetyzone.core.security import Permission, Scope
from safetyzone.ops import units
from safetyzone.org import service as org
from safetyzone.patrol import compliance, riskspots, shifts, standing, weighting
from safetyzone.patrol.plan_models import PatrolPlan, PlanTarget, PlanUnit
from safetyzone.patrol.plan_schemas import (
    OfficerPlan,
    PlanCreate,
    PlanDetail,
    PlanRead,
    TargetIn,
    TargetStatus,
)

MAX_PLAN = timedelta(hours=24)
DEFAULT_RADIUS_M = 50.0  # red boxes and points without a radius: the check-in radius


def caller_unit(session: Session, scope: Scope) -> uuid.UUID | None:
    """The unit the caller is on shift with now (H1's ``patrol.shifts``), else None."""
    shift = shifts.active_shift(session, user_id=scope.user_id)
    return None if shift is None else uuid.UUID(str(shift.unit_id))


# --- reading ------------------------------------------------------------------------------


def get_plan(session: Session, *, scope: Scope, plan_id: uuid.UUID) -> PatrolPlan:
    scope.require(Permission.OPS_READ)
    plan = session.get(PatrolPlan, plan_id)
    if plan is None or not scope.sees_station(plan.station_id):
        raise NotFound("no such patrol plan in your scope")
    return plan


def list_plans(session: Session, *, scope: Scope, station_id: uuid.UUID | None,
               at: datetime | None, now: datetime, limit: int = 50) -> list[PatrolPlan]:
    """Plans running at ``at``; without it, those of the last day and the coming ones."""
    scope.require(Permission.OPS_READ)
    query = select(PatrolPlan).where(scope.station_filter(PatrolPlan.station_id))
    if station_id is not None:
        query = query.where(PatrolPlan.station_id == station_id)
    if at is not None:
        query = query.where(PatrolPlan.starts_at <= at, PatrolPlan.ends_at > at)
    else:
        query = query.where(PatrolPlan.ends_at > now - timedelta(days=1))
    return list(session.scalars(query.order_by(PatrolPlan.starts_at.desc()).limit(limit)))


def unit_ids(session: Session, plan: PatrolPlan) -> list[uuid.UUID]:
    return list(session.scalars(select(PlanUnit.unit_id).where(PlanUnit.plan_id == plan.id)
                                .order_by(PlanUnit.assigned_at, PlanUnit.unit_id)))


def plan_read(session: Session, plan: PatrolPlan, now: datetime,
              statuses: list[TargetStatus] | None = None) -> PlanRead:
    statuses = compliance.target_statuses(session, plan, now) if statuses is None else statuses
    return PlanRead(
        id=plan.id, station_code=org.get_unit(session, unit_id=plan.station_id).code,
        name=plan.name, starts_at=plan.starts_at, ends_at=plan.ends_at,
        state=compliance.plan_state(plan, now),
        auto=plan.auto, unit_ids=unit_ids(session, plan), created_at=plan.created_at,
        created_by=plan.created_by, cancelled_at=plan.cancelled_at, version=plan.version,
        summary=compliance.summarize(statuses))


def plan_detail(session: Session, plan: PatrolPlan, now: datetime) -> PlanDetail:
    statuses = compliance.target_statuses(session, plan, now)
    return PlanDetail(**plan_read(session, plan, now, statuses).model_dump(), targets=statuses)


def plan_for_unit(session: Session, *, unit_id: uuid.UUID, at: datetime) -> PatrolPlan | None:
    """The plan a unit works to at ``at``: one it is assigned to, else its station's plan
    without units (the latest started, if several)."""
    running = (PatrolPlan.cancelled_at.is_(None), PatrolPlan.starts_at <= at,
               PatrolPlan.ends_at > at)
    plan = session.scalar(select(PatrolPlan).join(PlanUnit, PlanUnit.plan_id == PatrolPlan.id)
                          .where(PlanUnit.unit_id == unit_id, *running)
                          .order_by(PatrolPlan.starts_at.desc()).limit(1))
    if plan is not None:
        return plan
    station_id = units.station_of(session, unit_id=unit_id)
    if station_id is None:
        return None
    return session.scalar(select(PatrolPlan).where(
        PatrolPlan.station_id == station_id, *running,
        ~exists().where(PlanUnit.plan_id == PatrolPlan.id))
        .order_by(PatrolPlan.starts_at.desc()).limit(1))


def unit_targets(session: Session, *, unit_id: uuid.UUID, at: datetime) -> list[TargetStatus]:
    """The targets of the unit's plan at ``at`` with their status (for the officer app)."""
    plan = plan_for_unit(session, unit_id=unit_id, at=at)
    return [] if plan is None else compliance.target_statuses(session, plan, at)


def officer_plan(session: Session, *, scope: Scope, now: datetime) -> OfficerPlan:
    """The caller's unit's plan now: empty when not on shift or without a plan."""
    scope.require(Permission.PATROL_DUTY)
    unit_id = caller_unit(session, scope)
    plan = None if unit_id is None else plan_for_unit(session, unit_id=unit_id, at=now)
    if plan is None or not scope.sees_station(plan.station_id):
        return OfficerPlan(unit_id=unit_id, plan=None, targets=[])
    statuses = compliance.target_statuses(session, plan, now)
    return OfficerPlan(unit_id=unit_id, plan=plan_read(session, plan, now, statuses),
                       targets=statuses)


# --- writing ------------------------------------------------------------------------------


def _check_units(session: Session, scope: Scope, station_id: uuid.UUID,
                 ids: list[uuid.UUID]) -> list[uuid.UUID]:
    problems = []
    for i, unit_id in enumerate(ids):
        try:
            unit = units.get_unit(session, scope=scope, unit_id=unit_id)
        except NotFound:
            unit = None
        if unit is None or unit.station_id != station_id:
            problems.append(Problem("no such unit at this station", f"unit_ids[{i}]"))
    if problems:
        raise InvalidInput("a plan's units are units of its station", problems)
    return list(dict.fromkeys(ids))


def _explicit(session: Session, scope: Scope, station_id: uuid.UUID, index: int,
              data: TargetIn) -> PlanTarget:
    """A target as asked, its place taken from the red box or risk spot it names."""
    where = f"targets[{index}]"
    risk: float | None = None
    hours = data.high_risk_hours or []
    if data.kind in {"red_box", "risk_spot"}:
        if data.ref_id is None:
            raise InvalidInput("a red box or risk spot target names it",
                               [Problem("ref_id is required", f"{where}.ref_id")])
        try:
            if data.kind == "red_box":
                box = assets.get_asset(session, scope=scope, asset_id=data.ref_id)
                ok = box.kind is AssetKind.RED_BOX and box.station_id == station_id
                name_th, name_en, lat, lon = box.name_th, box.name_en, box.lat, box.lon
                radius = DEFAULT_RADIUS_M
            else:
                spot = riskspots.get_spot(session, scope=scope, spot_id=data.ref_id)
                ok = spot.station_id == station_id
                name_th, name_en, lat, lon = spot.name_th, spot.name_en, spot.lat, spot.lon
                radius, risk = spot.radius_m, spot.risk_score
                hours = data.high_risk_hours if data.high_risk_hours is not None else list(
                    spot.high_risk_hours)
        except NotFound:
            ok = False
        if not ok:
            raise InvalidInput(f"no such {data.kind.replace('_', ' ')} at this station",
                               [Problem("unknown", f"{where}.ref_id")])
        name_th, name_en = data.name_th or name_th, data.name_en or name_en
    else:
        missing = [f for f in ("name_th", "lat", "lon") if getattr(data, f) is None]
        if data.kind == "home_watch" and data.ref_id is None:
            missing.append("ref_id")
        if missing:
            raise InvalidInput(f"a {data.kind} target needs {', '.join(missing)}",
                               [Problem("required", f"{where}.{f}") for f in missing])
        assert data.name_th is not None and data.lat is not None and data.lon is not None
        name_th, name_en, lat, lon = data.name_th, data.name_en or "", data.lat, data.lon
        radius = DEFAULT_RADIUS_M
        problem = position_problem(lat, lon, f"{where}.lat")
        if problem:
            raise InvalidInput("the target is not in Thailand", [problem])
    return PlanTarget(kind=data.kind, ref_id=data.ref_id, name_th=name_th, name_en=name_en,
                      lat=lat, lon=lon, radius_m=data.radius_m or radius, risk_score=risk,
                      high_risk_hours=sorted(hours), target_visits=data.target_visits,
                      target_minutes=data.target_minutes, alert_after_min=data.alert_after_min)


def _automatic(session: Session, scope: Scope, station_id: uuid.UUID, starts_at: datetime,
               ends_at: datetime) -> list[PlanTarget]:
    """The station's active red boxes and risk spots, weighted (``patrol.weighting``)."""
    out = []
    boxes, _ = assets.list_assets(session, scope=scope, kind=AssetKind.RED_BOX,
                                  station_id=station_id, limit=500)
    for box in boxes:
        if box.status is not AssetStatus.ACTIVE:
            continue
        given = (box.attributes or {}).get("risk_score")
        risk = float(given) if isinstance(given, int | float) else None
        ask = weighting.ask_for_red_box(starts_at=starts_at, ends_at=ends_at, risk_score=risk)
        out.append(PlanTarget(kind="red_box", ref_id=box.id, name_th=box.name_th,
                              name_en=box.name_en, lat=box.lat, lon=box.lon,
                              radius_m=DEFAULT_RADIUS_M, risk_score=risk, high_risk_hours=[],
                              target_visits=ask.target_visits,
                              target_minutes=ask.target_minutes, alert_after_min=None))
    for spot in riskspots.active_spots(session, station_id=station_id):
        ask = weighting.ask_for_spot(starts_at=starts_at, ends_at=ends_at,
                                     risk_score=spot.risk_score,
                                     high_risk_hours=spot.high_risk_hours)
        out.append(PlanTarget(kind="risk_spot", ref_id=spot.id, name_th=spot.name_th,
                              name_en=spot.name_en, lat=spot.lat, lon=spot.lon,
                              radius_m=spot.radius_m, risk_score=spot.risk_score,
                              high_risk_hours=sorted(spot.high_risk_hours),
                              target_visits=ask.target_visits,
                              target_minutes=ask.target_minutes, alert_after_min=None))
    return out


def create_plan(session: Session, *, scope: Scope, clock: Clock, data: PlanCreate) -> PatrolPlan:
    scope.require(Permission.PATROL_PLAN)
    station = org.get_station(session, scope=scope, code=data.station_code)
    now = clock.now()
    if data.ends_at <= data.starts_at or data.ends_at - data.starts_at > MAX_PLAN:
        raise InvalidInput("a plan ends after it starts, at most 24 hours later",
                           [Problem("must be after starts_at, within 24 h", "ends_at")])
    if data.ends_at <= now:
        raise InvalidInput("a plan for a time already over measures nothing",
                           [Problem("must be in the future", "ends_at")])
    assigned = _check_units(session, scope, station.id, data.unit_ids)
    targets = [_explicit(session, scope, station.id, i, t) for i, t in enumerate(data.targets)]
    if data.auto:
        named = {(t.kind, t.ref_id) for t in targets}
        targets += [t for t in _automatic(session, scope, station.id, data.starts_at,
                                          data.ends_at) if (t.kind, t.ref_id) not in named]
    # Houses the station promised to watch over these times (home watch, ``standing``).
    targets += standing.for_plan(session, station_id=station.id, starts_at=data.starts_at,
                                 ends_at=data.ends_at,
                                 named={(t.kind, t.ref_id) for t in targets})
    if not targets:
        raise InvalidInput("the station has no active red box or risk spot to plan for",
                           [Problem("nothing to visit", "auto")])
    plan = PatrolPlan(station_id=station.id, name=data.name, starts_at=data.starts_at,
                      ends_at=data.ends_at, auto=data.auto, created_at=now,
                      created_by=scope.username, version=1)
    session.add(plan)
    session.flush()
    for position, target in enumerate(targets):
        target.plan_id, target.position = plan.id, position
        session.add(target)
    for unit_id in assigned:
        session.add(PlanUnit(plan_id=plan.id, unit_id=unit_id, assigned_at=now,
                             assigned_by=scope.username))
    session.flush()
    audit.record(session, actor=scope, at=now, action="patrol.plan.create", entity="patrol_plan",
                 entity_id=plan.id, station_id=station.id,
                 detail={"targets": len(targets), "units": len(assigned), "auto": data.auto})
    compliance.publish_plan(session, plan, now, "created")
    return plan


def set_units(session: Session, *, scope: Scope, clock: Clock, plan_id: uuid.UUID,
              unit_ids_: list[uuid.UUID]) -> PatrolPlan:
    """Give the plan exactly these units (none: the whole station's)."""
    scope.require(Permission.PATROL_PLAN)
    plan = get_plan(session, scope=scope, plan_id=plan_id)
    now = clock.now()
    if plan.cancelled_at is not None or plan.ends_at <= now:
        raise Conflict("this plan is over: make a new one")
    wanted = _check_units(session, scope, plan.station_id, unit_ids_)
    have = {row.unit_id: row for row in session.scalars(
        select(PlanUnit).where(PlanUnit.plan_id == plan.id))}
    for unit_id, row in have.items():
        if unit_id not in wanted:
            session.delete(row)
    for unit_id in wanted:
        if unit_id not in have:
            session.add(PlanUnit(plan_id=plan.id, unit_id=unit_id, assigned_at=now,
                                 assigned_by=scope.username))
    plan.version += 1
    session.flush()
    audit.record(session, actor=scope, at=now, action="patrol.plan.units", entity="patrol_plan",
                 entity_id=plan.id, station_id=plan.station_id,
                 detail={"unit_ids": [str(u) for u in wanted]})
    compliance.publish_plan(session, plan, now, "units")
    return plan


def cancel_plan(session: Session, *, scope: Scope, clock: Clock,
                plan_id: uuid.UUID) -> PatrolPlan:
    """Stop a plan now: its targets are measured up to now, and no alert follows."""
    scope.require(Permission.PATROL_PLAN)
    plan = get_plan(session, scope=scope, plan_id=plan_id)
    now = clock.now()
    if plan.cancelled_at is not None:
        raise Conflict(f"already cancelled by {plan.cancelled_by}")
    if plan.ends_at <= now:
        raise Conflict("this plan has ended already")
    plan.cancelled_at, plan.cancelled_by = now, scope.username
    plan.version += 1
    audit.record(session, actor=scope, at=now, action="patrol.plan.cancel", entity="patrol_plan",
                 entity_id=plan.id, station_id=plan.station_id)
    compliance.publish_plan(session, plan, now, "cancelled")
    return plan
