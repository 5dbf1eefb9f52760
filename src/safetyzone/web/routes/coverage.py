"""Camera coverage over HTTP: the station's report (cones, uncovered places, cameras at
private space or of unknown direction) and its private areas. Rules live in
``video.coverage_service``; plain ``def`` routes run the geometry in the thread pool."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response

from safetyzone.video import coverage, coverage_service
from safetyzone.video.coverage_schemas import (
    CoverageReport,
    PrivateAreaCreate,
    PrivateAreaImport,
    PrivateAreaRead,
)
from safetyzone.web.deps import ContextDep, ScopeDep

router = APIRouter(prefix="/api/v1", tags=["coverage"])
StationCode = Annotated[str | None, Query(
    max_length=64, description="The station; may be left out by a user of one station.")]


@router.get("/coverage", response_model=CoverageReport)
def read_coverage(ctx: ContextDep, scope: ScopeDep, station_code: StationCode = None,
                  private_limit: Annotated[float, Query(gt=0, lt=1)] = coverage.PRIVATE_LIMIT
                  ) -> CoverageReport:
    """Which SOS points, risk spots, landmarks and red boxes no active camera's view cone
    holds; each camera's cone (assumed range flagged), its share on private areas and
    whether its direction is known. Cameras of unknown direction never count as covering."""
    with ctx.db.read() as session:
        return coverage_service.report(session, scope=scope, clock=ctx.clock,
                                       station_code=station_code, private_limit=private_limit)


@router.get("/private-areas", response_model=list[PrivateAreaRead])
def list_private_areas(ctx: ContextDep, scope: ScopeDep, station_code: StationCode = None
                       ) -> list[PrivateAreaRead]:
    """The station's private areas: space its cameras should not look into (seed 004)."""
    with ctx.db.read() as session:
        station = coverage_service.choose_station(session, scope=scope, code=station_code)
        rows = coverage_service.private_areas(session, scope=scope, station_id=station.id)
        return [PrivateAreaRead.model_validate(a) for a in rows]


@router.post("/private-areas", response_model=PrivateAreaRead, status_code=201)
def create_private_area(ctx: ContextDep, scope: ScopeDep, body: PrivateAreaCreate
                        ) -> PrivateAreaRead:
    """Draw one private area (admins and commanders)."""
    with ctx.db.write() as session:
        area = coverage_service.create_area(session, scope=scope, clock=ctx.clock, data=body)
        return PrivateAreaRead.model_validate(area)


@router.post("/private-areas/import", response_model=list[PrivateAreaRead], status_code=201)
def import_private_areas(ctx: ContextDep, scope: ScopeDep, body: PrivateAreaImport
                         ) -> list[PrivateAreaRead]:
    """Import a GeoJSON FeatureCollection of Polygons (``name``, ``kind`` in properties):
    all stored, or none with every problem named."""
    with ctx.db.write() as session:
        rows = coverage_service.import_areas(session, scope=scope, clock=ctx.clock, data=body)
        return [PrivateAreaRead.model_validate(a) for a in rows]


@router.delete("/private-areas/{area_id}", status_code=204)
def delete_private_area(ctx: ContextDep, scope: ScopeDep, area_id: uuid.UUID) -> Response:
    with ctx.db.write() as session:
        coverage_service.delete_area(session, scope=scope, clock=ctx.clock, area_id=area_id)
    return Response(status_code=204)
