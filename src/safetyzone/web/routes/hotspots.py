"""Hotspots over HTTP: map layers (GeoJSON) and tables of one station's records. The rules
and the statistics live in ``measure.hotspot_service``; these plain ``def`` routes run in the
thread pool, so a long analysis never blocks the event loop, and the queries bound the work
(window, points, cells, permutations)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from safetyzone.measure import hotspot_service as service
from safetyzone.measure.hotspot_schemas import (
    CellQuery,
    ForecastOut,
    ForecastQuery,
    H3Query,
    KnoxOut,
    KnoxQuery,
    Layer,
)
from safetyzone.web.deps import ContextDep, ScopeDep

router = APIRouter(prefix="/api/v1/hotspots", tags=["hotspots"])


@router.get("/cells", response_model=Layer)
def read_cells(ctx: ContextDep, scope: ScopeDep, q: Annotated[CellQuery, Query()]) -> Layer:
    """A square-cell layer of the station's reported incidents: counts, kernel density,
    Gi* hot and cold spots or local Moran's I clusters, with false-discovery-rate p-values
    (``p_fdr``). Only cells with records or a significant class are drawn."""
    with ctx.db.read() as session:
        return service.cells(session, scope=scope, clock=ctx.clock, q=q)


@router.get("/h3", response_model=Layer)
def read_h3(ctx: ContextDep, scope: ScopeDep, q: Annotated[H3Query, Query()]) -> Layer:
    """Reported incidents per H3 hexagon."""
    with ctx.db.read() as session:
        return service.h3_cells(session, scope=scope, clock=ctx.clock, q=q)


@router.get("/knox", response_model=KnoxOut)
def read_knox(ctx: ContextDep, scope: ScopeDep, q: Annotated[KnoxQuery, Query()]) -> KnoxOut:
    """The Knox near-repeat test: pairs close in space and time against chance."""
    with ctx.db.read() as session:
        return service.knox(session, scope=scope, clock=ctx.clock, q=q)


@router.get("/forecast", response_model=ForecastOut)
def read_forecast(ctx: ContextDep, scope: ScopeDep, q: Annotated[ForecastQuery, Query()]
                  ) -> ForecastOut:
    """Hotspots fitted on [since, split) judged on [split, until): PAI and PEI."""
    with ctx.db.read() as session:
        return service.forecast(session, scope=scope, clock=ctx.clock, q=q)
