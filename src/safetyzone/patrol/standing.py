"""Standing targets: a place a station promised to watch for longer than one plan.

Plans are per shift (at most 24 hours, ``patrol.plans``), but a home-watch house (issue 11,
``services.homewatch``) is watched for the days its owner is away. So the promise is kept
here once, and each plan of the station that overlaps it carries the house as a target of
kind ``home_watch`` with ``ref_id`` = the request: plans already made when the promise is
made get it at once (:func:`promise`), plans made later get it as they are created
(:func:`for_plan`, called by ``plans.create_plan``). Withdrawing the promise removes the
target from plans that have not started, and from running ones where nobody has visited it
yet; a plan with a visit keeps it, as the record of what that shift was asked.

The service above audits; this module changes plans and tells the feed (``patrol.plan``).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import delete, exists, func, select
from sqlalchemy.orm import Session

from safetyzone.patrol import compliance
from safetyzone.patrol.plan_models import PatrolPlan, PlanTarget, PlanVisit, StandingTarget

KINDS = frozenset({"home_watch"})


def _target(row: StandingTarget) -> PlanTarget:
    return PlanTarget(kind=row.kind, ref_id=row.ref_id, name_th=row.name_th,
                      name_en=row.name_en, lat=row.lat, lon=row.lon, radius_m=row.radius_m,
                      risk_score=None, high_risk_hours=[], target_visits=row.target_visits,
                      target_minutes=0, alert_after_min=None)


def _overlapping_plans(session: Session, station_id: uuid.UUID, starts_at: datetime,
                       ends_at: datetime, now: datetime) -> list[PatrolPlan]:
    return list(session.scalars(select(PatrolPlan).where(
        PatrolPlan.station_id == station_id, PatrolPlan.cancelled_at.is_(None),
        PatrolPlan.starts_at < ends_at, PatrolPlan.ends_at > starts_at,
        PatrolPlan.ends_at > now).order_by(PatrolPlan.starts_at)))


def promise(session: Session, *, station_id: uuid.UUID, kind: str, ref_id: uuid.UUID,
            name_th: str, name_en: str, lat: float, lon: float, radius_m: float,
            target_visits: int, starts_at: datetime, ends_at: datetime, now: datetime,
            username: str) -> list[uuid.UUID]:
    """Watch a place from ``starts_at`` to ``ends_at``: the plans it joined now (a repeat
    of the same promise changes nothing and joins none)."""
    if kind not in KINDS:
        raise ValueError(f"not a standing target kind: {kind}")
    if session.scalar(select(StandingTarget.id).where(
            StandingTarget.kind == kind, StandingTarget.ref_id == ref_id)) is not None:
        return []
    row = StandingTarget(station_id=station_id, kind=kind, ref_id=ref_id, name_th=name_th,
                         name_en=name_en, lat=lat, lon=lon, radius_m=radius_m,
                         target_visits=target_visits, starts_at=starts_at, ends_at=ends_at,
                         created_at=now, created_by=username)
    session.add(row)
    joined = []
    for plan in _overlapping_plans(session, station_id, starts_at, ends_at, now):
        if session.scalar(select(PlanTarget.id).where(
                PlanTarget.plan_id == plan.id, PlanTarget.kind == kind,
                PlanTarget.ref_id == ref_id)) is not None:
            continue
        last = session.scalar(select(func.max(PlanTarget.position)).where(
            PlanTarget.plan_id == plan.id))
        target = _target(row)
        target.plan_id, target.position = plan.id, (last if last is not None else -1) + 1
        session.add(target)
        plan.version += 1
        joined.append(plan.id)
        compliance.publish_plan(session, plan, now, "targets")
    session.flush()
    return joined


def for_plan(session: Session, *, station_id: uuid.UUID, starts_at: datetime,
             ends_at: datetime, named: set[tuple[str, uuid.UUID | None]]) -> list[PlanTarget]:
    """The standing targets a new plan of the station over these times must carry (those
    it does not name already)."""
    rows = session.scalars(select(StandingTarget).where(
        StandingTarget.station_id == station_id, StandingTarget.starts_at < ends_at,
        StandingTarget.ends_at > starts_at).order_by(StandingTarget.starts_at,
                                                     StandingTarget.id))
    return [_target(row) for row in rows if (row.kind, row.ref_id) not in named]


def withdraw(session: Session, *, kind: str, ref_id: uuid.UUID, now: datetime) -> int:
    """End the promise now: the plans it left (not started, or running and not visited)."""
    session.execute(delete(StandingTarget).where(StandingTarget.kind == kind,
                                                 StandingTarget.ref_id == ref_id))
    visited = exists().where(PlanVisit.target_id == PlanTarget.id)
    rows = session.execute(select(PlanTarget, PatrolPlan).join(
        PatrolPlan, PatrolPlan.id == PlanTarget.plan_id).where(
        PlanTarget.kind == kind, PlanTarget.ref_id == ref_id, PatrolPlan.ends_at > now,
        PatrolPlan.cancelled_at.is_(None), (PatrolPlan.starts_at > now) | ~visited)).all()
    for target, plan in rows:
        session.delete(target)
        plan.version += 1
        compliance.publish_plan(session, plan, now, "targets")
    session.flush()
    return len(rows)


def blur(session: Session, *, kind: str, ref_id: uuid.UUID, digits: int = 3) -> None:
    """Retention: past plans keep where a target was only to about 100 m (3 decimals)."""
    for target in session.scalars(select(PlanTarget).where(PlanTarget.kind == kind,
                                                          PlanTarget.ref_id == ref_id)):
        target.lat, target.lon = round(target.lat, digits), round(target.lon, digits)
    session.execute(delete(StandingTarget).where(StandingTarget.kind == kind,
                                                 StandingTarget.ref_id == ref_id))
