"""The program view over HTTP: stations side by side for region and HQ desks, the regions
summed and the rollout counted; and the one rollout step that is recorded, a station's
start. Rules live in ``measure.program``; docs in docs/measure/program.md."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import AwareDatetime

from safetyzone.measure import program, scorecard
from safetyzone.measure.program_schemas import ProgramOverview, RolloutIn
from safetyzone.measure.scorecard_schemas import Scorecard
from safetyzone.web.deps import ContextDep, ScopeDep

router = APIRouter(prefix="/api/v1", tags=["measure"])


@router.get("/program", response_model=ProgramOverview)
def read_program(
    ctx: ContextDep, scope: ScopeDep,
    since: Annotated[AwareDatetime | None, Query(description="Start (default: 30 days "
                                                 "before `until`).")] = None,
    until: Annotated[AwareDatetime | None, Query(description="End, exclusive (default: "
                                                 "the end of today in Bangkok).")] = None,
) -> ProgramOverview:
    """Every station in your scope: its phase, its rollout (started, zones, cameras joined,
    CCOC staffed), the period's incidents and their rate per 1,000 people; each region
    summed; each phase counted. A station desk sees its own line only."""
    with ctx.db.read() as session:
        return program.overview(session, scope=scope, now=ctx.clock.now(), since=since,
                                until=until)


@router.put("/stations/{station_code}/rollout", response_model=RolloutIn)
def set_rollout(ctx: ContextDep, scope: ScopeDep, station_code: str,
                body: RolloutIn) -> RolloutIn:
    """Record the day a station started the program (with its source) and its phase;
    admins and commanders; audited with the values before and after."""
    with ctx.db.write() as session:
        return program.set_rollout(session, scope=scope, clock=ctx.clock,
                                   station_code=station_code, data=body)


@router.get("/scorecard", response_model=Scorecard)
def read_scorecard(
    ctx: ContextDep, scope: ScopeDep,
    since: Annotated[AwareDatetime | None, Query(description="Start (default: Bangkok "
                                                 "midnight 30 days ago).")] = None,
    until: Annotated[AwareDatetime | None, Query(description="End, exclusive (default: "
                                                 "now).")] = None,
) -> Scorecard:
    """The WISPI-style scorecard: each station in your scope on capacity, process,
    legitimacy and outcomes, each indicator with its definition, source and formula, scored
    0-100 against the other stations shown; each region as its stations' mean."""
    with ctx.db.read() as session:
        return scorecard.scorecard(session, scope=scope, now=ctx.clock.now(), since=since,
                                   until=until)
