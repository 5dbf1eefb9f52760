"""The missed-visit alert: a risk spot nobody visited during its high-risk hours.

Runs in the periodic sweeper. For each risk-spot target of a running plan whose high-risk
hours (Bangkok) include now, with no unit inside and no counted visit for
``alert_after_min`` (the target's, else the station setting
``patrol_missed_visit_min``), it opens an incident of kind ``patrol_missed_visit``,
priority 3, at the spot, with the cameras near it docked. The clock of the gap starts at
the latest of: the last visit, the plan's start, the start of the current run of high-risk
hours (a spot risky from 20:00 alerts at 21:00 without a visit, not at 20:00 because the
afternoon was quiet). Once per gap: the target remembers the alert until the next counted
visit re-arms it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from safetyzone.core.clock import Clock
from safetyzone.core.db import Database
from safetyzone.ops import incidents
from safetyzone.ops.cameras import CameraIndexCache, link_cameras
from safetyzone.patrol import compliance
from safetyzone.patrol.plan_models import PatrolPlan, PlanTarget, PlanVisit
from safetyzone.patrol.weighting import risky_stretch_start

KIND = "patrol_missed_visit"
PRIORITY = 3
ACK_TIMEOUT_S = 600  # as the other P3 rules
DOCK_NEAREST = 4
DOCK_RADIUS_M = 300.0


def _open(session: Session, target: PlanTarget, plan: PatrolPlan, minutes: int,
          now: datetime, cameras: CameraIndexCache | None) -> None:
    docked = [] if cameras is None else link_cameras(
        cameras.get(session), lat=target.lat, lon=target.lon, bound=[], nearest=DOCK_NEAREST,
        radius_m=DOCK_RADIUS_M, station_id=plan.station_id, now=now)
    name_en = target.name_en or target.name_th
    incident = incidents.open_alert(
        session, station_id=plan.station_id, kind=KIND, priority=PRIORITY,
        title_th=f"ไม่มีสายตรวจเข้าจุดเสี่ยง {target.name_th} เกิน {minutes} นาที",
        title_en=f"No patrol at risk spot {name_en} for {minutes} min",
        lat=target.lat, lon=target.lon, now=now, ack_timeout_s=ACK_TIMEOUT_S,
        source_th=target.name_th, source_en=name_en, cameras=docked,
        detail={"plan_id": str(plan.id), "target_id": str(target.id),
                "risk_spot_id": str(target.ref_id) if target.ref_id else None,
                "last_visit_at": target.last_visit_at.isoformat()
                if target.last_visit_at else None})
    target.alerted_at = now
    target.alert_incident_id = incident.id


def sweep(session: Session, *, now: datetime, default_after_min: int,
          cameras: CameraIndexCache | None = None) -> int:
    """Close stale stays, then raise the alerts that are due; returns the alerts raised."""
    compliance.close_stale_visits(session, now=now)
    rows = session.execute(select(PlanTarget, PatrolPlan).join(
        PatrolPlan, PlanTarget.plan_id == PatrolPlan.id).where(
        PlanTarget.kind == "risk_spot", PlanTarget.alerted_at.is_(None),
        PatrolPlan.cancelled_at.is_(None), PatrolPlan.starts_at <= now,
        PatrolPlan.ends_at > now).order_by(PlanTarget.id)
        .with_for_update(of=PlanTarget)).all()
    due = []
    for target, plan in rows:
        stretch = risky_stretch_start(now, target.high_risk_hours)
        if stretch is None:
            continue
        since = max(t for t in (target.last_visit_at, plan.starts_at, stretch) if t is not None)
        minutes = target.alert_after_min or default_after_min
        if now - since >= timedelta(minutes=minutes):
            due.append((target, plan, minutes))
    if not due:
        return 0
    present = set(session.scalars(select(PlanVisit.target_id).where(
        PlanVisit.target_id.in_([t.id for t, _, _ in due]), PlanVisit.left_at.is_(None))))
    raised = [(t, p) for t, p, m in due if t.id not in present]
    for target, plan, minutes in due:
        if target.id not in present:
            _open(session, target, plan, minutes, now, cameras)
    session.flush()
    compliance.publish_targets(session, raised, now)
    return len(raised)


def run(db: Database, clock: Clock, *, default_after_min: int,
        cameras: CameraIndexCache | None = None) -> int:
    """One sweep in its own short write transaction (the runtime's sweeper calls this)."""
    with db.write() as session:
        return sweep(session, now=clock.now(), default_after_min=default_after_min,
                     cameras=cameras)
