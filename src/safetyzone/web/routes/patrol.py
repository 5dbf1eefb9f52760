"""Patrol plans over HTTP: risk spots, plans with live compliance, checkpoint sessions, and
the officer's side of them (the plan of the caller's unit, checkpoint logs).

Permissions, station scope and audit live in ``patrol.riskspots``, ``patrol.plans`` and
``patrol.checkpoints``; these routes only translate HTTP.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status
from fastapi.responses import JSONResponse
from pydantic import AwareDatetime
from sqlalchemy.orm import Session

from safetyzone.org import service as org
from safetyzone.patrol import checkpoints, plans, riskspots
from safetyzone.patrol.plan_schemas import (
    CheckpointCreate,
    CheckpointDetail,
    CheckpointEntryRead,
    CheckpointLogIn,
    CheckpointRead,
    CheckpointTotals,
    CheckpointUpdate,
    OfficerPlan,
    PlanCreate,
    PlanDetail,
    PlanRead,
    PlanUnitsIn,
    RiskSpotCreate,
    RiskSpotRead,
    RiskSpotUpdate,
)
from safetyzone.web.context import AppContext
from safetyzone.web.deps import ContextDep, ScopeDep
from safetyzone.web.idempotency import IdempotencyKey, once

router = APIRouter(prefix="/api/v1", tags=["patrol plans"])
StationCode = Annotated[str, Query(min_length=1, max_length=64, description="Station code.")]
OptionalStation = Annotated[str | None, Query(min_length=1, max_length=64,
                                              description="Station code.")]
Day = Annotated[date | None, Query(description="Bangkok calendar day (default: today).")]
LOG_ROUTE = "patrol.checkpoint.log"




# --- risk spots -------------------------------------------------------------------------


@router.get("/patrol/risk-spots", response_model=list[RiskSpotRead])
def list_risk_spots(ctx: ContextDep, scope: ScopeDep, station_code: OptionalStation = None,
                    active: bool | None = None) -> list[RiskSpotRead]:
    """Risk spots of your stations (of one, with ``station_code``)."""
    with ctx.db.read() as session:
        station_id = (org.get_station(session, scope=scope, code=station_code).id
                      if station_code else None)
        return riskspots.reads(session, scope=scope, spots=riskspots.list_spots(
            session, scope=scope, station_id=station_id, active=active))


@router.post("/patrol/risk-spots", response_model=RiskSpotRead,
             status_code=status.HTTP_201_CREATED)
def create_risk_spot(ctx: ContextDep, scope: ScopeDep, body: RiskSpotCreate) -> RiskSpotRead:
    with ctx.db.write() as session:
        spot = riskspots.create_spot(session, scope=scope, clock=ctx.clock, data=body)
        return riskspots.read(session, scope=scope, spot=spot)


@router.patch("/patrol/risk-spots/{spot_id}", response_model=RiskSpotRead)
def update_risk_spot(ctx: ContextDep, scope: ScopeDep, spot_id: uuid.UUID,
                     body: RiskSpotUpdate) -> RiskSpotRead:
    with ctx.db.write() as session:
        spot = riskspots.update_spot(session, scope=scope, clock=ctx.clock, spot_id=spot_id,
                                     data=body)
        return riskspots.read(session, scope=scope, spot=spot)


@router.delete("/patrol/risk-spots/{spot_id}", status_code=status.HTTP_204_NO_CONTENT,
               response_class=Response)
def delete_risk_spot(ctx: ContextDep, scope: ScopeDep, spot_id: uuid.UUID) -> Response:
    """Remove a risk spot; plans that named it keep their own copy of the place."""
    with ctx.db.write() as session:
        riskspots.delete_spot(session, scope=scope, clock=ctx.clock, spot_id=spot_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# --- plans ------------------------------------------------------------------------------


@router.get("/patrol/plans", response_model=list[PlanRead])
def list_patrol_plans(ctx: ContextDep, scope: ScopeDep, station_code: OptionalStation = None,
                      at: AwareDatetime | None = None,
                      limit: Annotated[int, Query(ge=1, le=500)] = 100) -> list[PlanRead]:
    """Plans running at ``at``; without it, those of the last day and the coming ones;
    the latest started first."""
    now = ctx.clock.now()
    with ctx.db.read() as session:
        station_id = (org.get_station(session, scope=scope, code=station_code).id
                      if station_code else None)
        return [plans.plan_read(session, p, now) for p in plans.list_plans(
            session, scope=scope, station_id=station_id, at=at, now=now, limit=limit)]


@router.post("/patrol/plans", response_model=PlanDetail, status_code=status.HTTP_201_CREATED)
def create_patrol_plan(ctx: ContextDep, scope: ScopeDep, body: PlanCreate) -> PlanDetail:
    """A plan with explicit targets, or ``auto`` from the station's red boxes and risk spots."""
    with ctx.db.write() as session:
        plan = plans.create_plan(session, scope=scope, clock=ctx.clock, data=body)
        return plans.plan_detail(session, plan, ctx.clock.now())


@router.get("/patrol/plans/{plan_id}", response_model=PlanDetail)
def read_patrol_plan(ctx: ContextDep, scope: ScopeDep, plan_id: uuid.UUID) -> PlanDetail:
    """The plan with each target's visits, minutes and status (visited, pending, missed)."""
    with ctx.db.read() as session:
        plan = plans.get_plan(session, scope=scope, plan_id=plan_id)
        return plans.plan_detail(session, plan, ctx.clock.now())


@router.put("/patrol/plans/{plan_id}/units", response_model=PlanDetail)
def set_patrol_plan_units(ctx: ContextDep, scope: ScopeDep, plan_id: uuid.UUID,
                          body: PlanUnitsIn) -> PlanDetail:
    """Give the plan exactly these units (none: the whole station's plan)."""
    with ctx.db.write() as session:
        plan = plans.set_units(session, scope=scope, clock=ctx.clock, plan_id=plan_id,
                               unit_ids_=body.unit_ids)
        return plans.plan_detail(session, plan, ctx.clock.now())


@router.post("/patrol/plans/{plan_id}/cancel", response_model=PlanDetail)
def cancel_patrol_plan(ctx: ContextDep, scope: ScopeDep, plan_id: uuid.UUID) -> PlanDetail:
    with ctx.db.write() as session:
        plan = plans.cancel_plan(session, scope=scope, clock=ctx.clock, plan_id=plan_id)
        return plans.plan_detail(session, plan, ctx.clock.now())


@router.get("/officer/plan", response_model=OfficerPlan)
def read_officer_plan(ctx: ContextDep, scope: ScopeDep) -> OfficerPlan:
    """The targets of your unit's plan now, with their status (empty when off shift)."""
    with ctx.db.read() as session:
        return plans.officer_plan(session, scope=scope, now=ctx.clock.now())


# --- checkpoints ------------------------------------------------------------------------


def _day(ctx: AppContext, day: date | None) -> date:
    return day or checkpoints.bangkok_day(ctx.clock.now())


@router.get("/patrol/checkpoints", response_model=list[CheckpointRead])
def list_checkpoint_sessions(ctx: ContextDep, scope: ScopeDep,
                             station_code: OptionalStation = None,
                             day: Day = None) -> list[CheckpointRead]:
    """Checkpoint sessions of a Bangkok day with their results."""
    with ctx.db.read() as session:
        station_id = (org.get_station(session, scope=scope, code=station_code).id
                      if station_code else None)
        return checkpoints.reads(session, checkpoints.list_checkpoints(
            session, scope=scope, station_id=station_id, day=_day(ctx, day)))


@router.get("/patrol/checkpoints/totals", response_model=CheckpointTotals)
def read_checkpoint_totals(ctx: ContextDep, scope: ScopeDep, station_code: StationCode,
                           day: Day = None) -> CheckpointTotals:
    """The station's checkpoint figures of a Bangkok day (for the station panel)."""
    with ctx.db.read() as session:
        station = org.get_station(session, scope=scope, code=station_code)
        return checkpoints.totals(session, scope=scope, station_id=station.id,
                                  day=_day(ctx, day))


@router.post("/patrol/checkpoints", response_model=CheckpointRead,
             status_code=status.HTTP_201_CREATED)
def create_checkpoint_session(ctx: ContextDep, scope: ScopeDep,
                              body: CheckpointCreate) -> CheckpointRead:
    with ctx.db.write() as session:
        checkpoint = checkpoints.create_checkpoint(session, scope=scope, clock=ctx.clock,
                                                   data=body)
        return checkpoints.read(session, checkpoint)


@router.get("/patrol/checkpoints/{checkpoint_id}", response_model=CheckpointDetail)
def read_checkpoint_session(ctx: ContextDep, scope: ScopeDep,
                            checkpoint_id: uuid.UUID) -> CheckpointDetail:
    """The session with every log entry."""
    with ctx.db.read() as session:
        checkpoint = checkpoints.get_checkpoint(session, scope=scope,
                                                checkpoint_id=checkpoint_id)
        return checkpoints.detail(session, checkpoint)


@router.patch("/patrol/checkpoints/{checkpoint_id}", response_model=CheckpointRead)
def update_checkpoint_session(ctx: ContextDep, scope: ScopeDep, checkpoint_id: uuid.UUID,
                              body: CheckpointUpdate) -> CheckpointRead:
    """Correct the results (totals are set as given), the staff, units or status."""
    with ctx.db.write() as session:
        checkpoint = checkpoints.update_checkpoint(session, scope=scope, clock=ctx.clock,
                                                   checkpoint_id=checkpoint_id, data=body)
        return checkpoints.read(session, checkpoint)


@router.get("/officer/checkpoints", response_model=list[CheckpointRead])
def list_officer_checkpoints(ctx: ContextDep, scope: ScopeDep) -> list[CheckpointRead]:
    """Today's checkpoint sessions of your stations; yours (``mine``) first."""
    with ctx.db.read() as session:
        return checkpoints.officer_checkpoints(session, scope=scope, clock=ctx.clock,
                                               unit_id=plans.caller_unit(session, scope))


@router.post("/officer/checkpoints/{checkpoint_id}/log", response_model=CheckpointEntryRead,
             status_code=status.HTTP_201_CREATED)
def create_checkpoint_log(ctx: ContextDep, scope: ScopeDep, checkpoint_id: uuid.UUID,
                          body: CheckpointLogIn,
                          idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """Add what you counted at a session you are on (its staff, or its unit on shift)."""

    def work(session: Session) -> tuple[int, dict[str, Any]]:
        entry, _ = checkpoints.log_entry(
            session, scope=scope, clock=ctx.clock, checkpoint_id=checkpoint_id, data=body,
            unit_id=plans.caller_unit(session, scope), key=idempotency_key)
        return 201, checkpoints.entry_read(entry).model_dump(mode="json")

    return once(ctx, scope, idempotency_key, LOG_ROUTE, work)
