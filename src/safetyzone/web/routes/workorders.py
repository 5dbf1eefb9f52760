"""Work orders to partners: the police side (``/workorders``, from a citizen's report, from a
maintenance incident) and the partner's own (``/partner/workorders``).

Permissions, scope and audit are in ``ops.workorders`` and ``citizen.workorders``.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from safetyzone.citizen import records
from safetyzone.citizen import workorders as citizen_orders
from safetyzone.citizen.schemas import CitizenItemRead
from safetyzone.core.paging import MAX_OFFSET
from safetyzone.ops import workorders
from safetyzone.ops.workorder_models import WorkStatus
from safetyzone.ops.workorder_schemas import (
    FromSourceIn,
    PartnerActionIn,
    PartnerWorkOrderRead,
    PoliceActionIn,
    WorkOrderIn,
    WorkOrderRead,
)
from safetyzone.org import service as org
from safetyzone.web.deps import ContextDep, ScopeDep
from safetyzone.web.idempotency import IdempotencyKey, once
from safetyzone.web.problems import problem_responses

router = APIRouter(prefix="/api/v1", tags=["work orders"])
Code = Annotated[str | None, Query(min_length=1, max_length=64)]


@router.get("/workorders", response_model=list[WorkOrderRead])
def list_workorders(
    ctx: ContextDep, scope: ScopeDep, station_code: Code = None, partner_code: Code = None,
    status: WorkStatus | None = None, unfinished: bool = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> list[WorkOrderRead]:
    """Work orders in your scope: the unfinished by due time first (``unfinished=true``:
    only those), then the rest, newest first."""
    with ctx.db.read() as session:
        station_id = (org.get_station(session, scope=scope, code=station_code).id
                      if station_code else None)
        partner_id = (org.get_partner_by_code(session, scope=scope, code=partner_code).id
                      if partner_code else None)
        now = ctx.clock.now()
        return [workorders.read_model(session, o, now) for o in workorders.list_orders(
            session, scope=scope, station_id=station_id, status=status, unfinished=unfinished,
            partner_id=partner_id, limit=limit, offset=offset)]


@router.post("/workorders", response_model=WorkOrderRead, status_code=201,
             responses=problem_responses(404, 409, 422))
def create_workorder(ctx: ContextDep, scope: ScopeDep, body: WorkOrderIn,
                     key: IdempotencyKey = None) -> JSONResponse:
    """Send a fix to the partner responsible (by default the owner of the asset or camera),
    due by the kind's default unless given."""
    def work(session: Session) -> tuple[int, dict[str, object]]:
        order = workorders.create(session, scope=scope, clock=ctx.clock, data=body)
        session.flush()
        return 201, workorders.read_model(session, order, ctx.clock.now()).model_dump(
            mode="json")
    return once(ctx, scope, key, "workorders.create", work)


@router.get("/workorders/{order_id}", response_model=WorkOrderRead,
            responses=problem_responses(404))
def read_workorder(ctx: ContextDep, scope: ScopeDep, order_id: uuid.UUID) -> WorkOrderRead:
    """One work order with its history."""
    with ctx.db.read() as session:
        order = workorders.get_order(session, scope=scope, order_id=order_id)
        return workorders.read_model(session, order, ctx.clock.now())


@router.post("/workorders/{order_id}/actions", response_model=WorkOrderRead,
             responses=problem_responses(404, 409, 422))
def act_on_workorder(ctx: ContextDep, scope: ScopeDep, order_id: uuid.UUID,
                     body: PoliceActionIn) -> WorkOrderRead:
    """Verify a fix (a citizen's report it came from then closes), reopen (the fix did not
    hold, or the partner refused: optionally to another partner), or cancel."""
    with ctx.db.write() as session:
        order = citizen_orders.police_act(session, scope=scope, clock=ctx.clock,
                                          order_id=order_id, data=body)
        return workorders.read_model(session, order, ctx.clock.now())


@router.post("/citizen/items/{item_id}/workorder", response_model=CitizenItemRead,
             status_code=201, responses=problem_responses(404, 409, 422))
def create_citizen_workorder(ctx: ContextDep, scope: ScopeDep, item_id: uuid.UUID,
                             body: FromSourceIn) -> CitizenItemRead:
    """Send a citizen's report of a lamp out or an abandoned plot on to a partner; the item
    then names its work order and follows it."""
    with ctx.db.write() as session:
        item, _ = citizen_orders.to_workorder(session, scope=scope, clock=ctx.clock,
                                              item_id=item_id, data=body)
        return records.item_read(session, item)


@router.post("/incidents/{incident_id}/workorder", response_model=WorkOrderRead,
             status_code=201, responses=problem_responses(404, 409, 422))
def create_incident_workorder(ctx: ContextDep, scope: ScopeDep, incident_id: uuid.UUID,
                              body: FromSourceIn) -> WorkOrderRead:
    """Send a maintenance incident (a device silent or at fault) to its point's owner."""
    with ctx.db.write() as session:
        order = workorders.from_incident(session, scope=scope, clock=ctx.clock,
                                         incident_id=incident_id, data=body)
        return workorders.read_model(session, order, ctx.clock.now())


@router.get("/partner/workorders", response_model=list[PartnerWorkOrderRead])
def list_partner_workorders(ctx: ContextDep, scope: ScopeDep) -> list[PartnerWorkOrderRead]:
    """Your partner's work orders (partner accounts only): the unfinished by due time first."""
    with ctx.db.read() as session:
        now = ctx.clock.now()
        return [workorders.partner_model(session, o, now)
                for o in workorders.partner_orders(session, scope=scope)]


@router.get("/partner/workorders/{order_id}", response_model=PartnerWorkOrderRead,
            responses=problem_responses(404))
def read_partner_workorder(ctx: ContextDep, scope: ScopeDep,
                           order_id: uuid.UUID) -> PartnerWorkOrderRead:
    """One of your partner's work orders; any other looks missing."""
    with ctx.db.read() as session:
        order = workorders.partner_order(session, scope=scope, order_id=order_id)
        return workorders.partner_model(session, order, ctx.clock.now())


@router.post("/partner/workorders/{order_id}/actions", response_model=PartnerWorkOrderRead,
             responses=problem_responses(404, 409, 422))
def answer_partner_workorder(ctx: ContextDep, scope: ScopeDep, order_id: uuid.UUID,
                             body: PartnerActionIn) -> PartnerWorkOrderRead:
    """Accept, refuse (with the reason), start, or report done (with a note)."""
    with ctx.db.write() as session:
        order = workorders.partner_act(session, scope=scope, clock=ctx.clock,
                                       order_id=order_id, data=body)
        return workorders.partner_model(session, order, ctx.clock.now())
