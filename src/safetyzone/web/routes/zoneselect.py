"""Zone selection over HTTP: a station's candidate areas, its weights, the ranking's
breakdown table, the Big 6 decisions, and a chosen zone before and after its launch.
Rules live in ``measure.zoneselect``, ``measure.zonedecisions`` and
``measure.zonebeforeafter``; docs/measure/zone-selection.md."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from safetyzone.measure import zonebeforeafter, zonedecisions, zoneselect
from safetyzone.measure.zoneselect_schemas import (
    BeforeAfterOut,
    CandidateIn,
    CandidateOut,
    CandidatePatch,
    DecisionIn,
    DecisionOut,
    Ranking,
    WeightsIn,
    WeightsOut,
)
from safetyzone.web.deps import ContextDep, ScopeDep
from safetyzone.web.idempotency import IdempotencyKey, once

router = APIRouter(prefix="/api/v1/stations/{station_code}", tags=["zone selection"])
StationCode = Annotated[str, Path(min_length=1, max_length=64)]
ZoneCode = Annotated[str, Path(min_length=1, max_length=64)]


@router.get("/zone-candidates", response_model=list[CandidateOut])
def list_zone_candidates(ctx: ContextDep, scope: ScopeDep,
                         station_code: StationCode) -> list[CandidateOut]:
    """The station's candidate areas (retired ones too), with the decisions that chose them."""
    with ctx.db.read() as session:
        return zoneselect.list_candidates(session, scope=scope, station_code=station_code)


@router.post("/zone-candidates", response_model=CandidateOut, status_code=201)
def create_zone_candidate(ctx: ContextDep, scope: ScopeDep, station_code: StationCode,
                          body: CandidateIn, key: IdempotencyKey = None) -> JSONResponse:
    """A candidate area: a GeoJSON Polygon inside Thailand, its names, counts of places
    typed in from a document (each with its source). Admins and commanders; audited."""
    def work(session: Session) -> tuple[int, dict[str, object]]:
        made = zoneselect.create_candidate(session, scope=scope, clock=ctx.clock,
                                           station_code=station_code, data=body)
        return 201, made.model_dump(mode="json")
    return once(ctx, scope, key, "zone_candidates.create", work)


@router.get("/zone-candidates/ranking", response_model=Ranking)
def read_zone_ranking(ctx: ContextDep, scope: ScopeDep, station_code: StationCode) -> Ranking:
    """Every candidate scored, best first: per criterion its count, per km², scaled value,
    weight and contribution; the risk window, the records and the hot cells used."""
    with ctx.db.read() as session:
        return zoneselect.ranking(session, scope=scope, clock=ctx.clock,
                                  station_code=station_code)


@router.get("/zone-candidates/{candidate_id}", response_model=CandidateOut)
def read_zone_candidate(ctx: ContextDep, scope: ScopeDep, station_code: StationCode,
                        candidate_id: uuid.UUID) -> CandidateOut:
    """One candidate area."""
    with ctx.db.read() as session:
        return zoneselect.get_candidate(session, scope=scope, station_code=station_code,
                                        candidate_id=candidate_id)


@router.patch("/zone-candidates/{candidate_id}", response_model=CandidateOut)
def update_zone_candidate(ctx: ContextDep, scope: ScopeDep, station_code: StationCode,
                          candidate_id: uuid.UUID, body: CandidatePatch) -> CandidateOut:
    """Change a candidate's names, boundary, counts or note, or retire it (kept, not
    scored). Decisions keep the ranking their meeting saw. Admins and commanders; audited."""
    with ctx.db.write() as session:
        return zoneselect.update_candidate(session, scope=scope, clock=ctx.clock,
                                           station_code=station_code,
                                           candidate_id=candidate_id, data=body)


@router.get("/zone-weights", response_model=WeightsOut)
def read_zone_weights(ctx: ContextDep, scope: ScopeDep, station_code: StationCode) -> WeightsOut:
    """The station's weights (or the defaults) and its risk window."""
    with ctx.db.read() as session:
        return zoneselect.get_weights(session, scope=scope, station_code=station_code)


@router.put("/zone-weights", response_model=WeightsOut)
def set_zone_weights(ctx: ContextDep, scope: ScopeDep, station_code: StationCode,
                     body: WeightsIn) -> WeightsOut:
    """Set the weights (each 0 to 1, scaled to sum 1) and the risk window; admins and
    commanders; audited with before and after."""
    with ctx.db.write() as session:
        return zoneselect.set_weights(session, scope=scope, clock=ctx.clock,
                                      station_code=station_code, data=body)


@router.get("/zone-decisions", response_model=list[DecisionOut])
def list_zone_decisions(ctx: ContextDep, scope: ScopeDep,
                        station_code: StationCode) -> list[DecisionOut]:
    """The Big 6 decisions, newest first: the one in force, then those it superseded."""
    with ctx.db.read() as session:
        return zonedecisions.list_decisions(session, scope=scope, station_code=station_code)


@router.post("/zone-decisions", response_model=DecisionOut, status_code=201)
def record_zone_decision(ctx: ContextDep, scope: ScopeDep, station_code: StationCode,
                         body: DecisionIn, key: IdempotencyKey = None) -> JSONResponse:
    """Record a Big 6 meeting's decision: day, members, chosen candidate(s) with their zone
    (linked or made), rationale, launch day. Never changed afterwards: a later decision
    supersedes the one in force. Admins and commanders; audited."""
    def work(session: Session) -> tuple[int, dict[str, object]]:
        made = zonedecisions.record_decision(session, scope=scope, clock=ctx.clock,
                                             station_code=station_code, data=body)
        return 201, made.model_dump(mode="json")
    return once(ctx, scope, key, "zone_decisions.create", work)


@router.get("/zone-decisions/{decision_id}", response_model=DecisionOut)
def read_zone_decision(ctx: ContextDep, scope: ScopeDep, station_code: StationCode,
                       decision_id: uuid.UUID) -> DecisionOut:
    """One decision, with the ranking its meeting saw."""
    with ctx.db.read() as session:
        return zonedecisions.get_decision(session, scope=scope, station_code=station_code,
                                          decision_id=decision_id)


@router.get("/zones/{zone_code}/before-after", response_model=BeforeAfterOut)
def read_zone_before_after(
    ctx: ContextDep, scope: ScopeDep, station_code: StationCode, zone_code: ZoneCode,
    months: Annotated[int, Query(ge=1, le=zonebeforeafter.MAX_MONTHS)] = 6,
    launch_on: Annotated[date | None, Query(description=(
        "The launch day; by default the one its Big 6 decision recorded."))] = None,
) -> BeforeAfterOut:
    """The zone's records in the months before and after its launch against the rest of
    the station: counts, rates per 1,000 people and per km² (unknown where a denominator
    is), and the difference in differences."""
    with ctx.db.read() as session:
        return zonebeforeafter.before_after(session, scope=scope, clock=ctx.clock,
                                            station_code=station_code, zone_code=zone_code,
                                            months=months, launch_on=launch_on)
