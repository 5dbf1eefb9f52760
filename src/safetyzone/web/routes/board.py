"""The unit board over HTTP: every unit with its crew, last fix and assignment, and the
operator's actions on units (progress reported by radio, duty, reassignment)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from safetyzone.ops import incidents
from safetyzone.ops.schemas import IncidentRead, UnitRead
from safetyzone.org import service as org
from safetyzone.patrol import board
from safetyzone.patrol.board import BoardRow, BoardStatusIn, ReassignIn
from safetyzone.web.deps import ContextDep, ScopeDep
from safetyzone.web.problems import problem_responses

router = APIRouter(prefix="/api/v1/unit-board", tags=["command center"])


@router.get("", response_model=list[BoardRow])
def read_unit_board(ctx: ContextDep, scope: ScopeDep,
                    station_code: str | None = None) -> list[BoardRow]:
    """Every unit in your scope (or one station's): status, crew on shift, age of the last
    fix, and the incidents it holds."""
    with ctx.db.read() as session:
        station_id = (org.get_station(session, scope=scope, code=station_code).id
                      if station_code else None)
        return board.board(session, scope=scope, now=ctx.clock.now(), station_id=station_id)


@router.post("/{unit_id}/status", response_model=UnitRead,
             responses=problem_responses(404, 409, 422))
def set_unit_board_status(ctx: ContextDep, scope: ScopeDep, unit_id: uuid.UUID,
                          body: BoardStatusIn) -> UnitRead:
    """Enter a unit's progress heard on the radio (en route, on scene, cleared: the
    timeline says "on behalf of"), or set its duty (available, out of service with a
    reason, off duty); refused while the unit still holds an incident."""
    with ctx.db.write() as session:
        unit = board.set_status(session, scope=scope, clock=ctx.clock, unit_id=unit_id,
                                data=body)
        session.flush()
        return UnitRead.model_validate(unit)


@router.post("/{unit_id}/reassign", response_model=IncidentRead,
             responses=problem_responses(404, 409, 422))
def reassign_unit(ctx: ContextDep, scope: ScopeDep, unit_id: uuid.UUID,
                  body: ReassignIn) -> IncidentRead:
    """Move a unit from the incident it holds to another, in one step."""
    with ctx.db.write() as session:
        incident = board.reassign(session, scope=scope, clock=ctx.clock, unit_id=unit_id,
                                  incident_id=body.incident_id)
        return incidents.read_model(session, incident)
