"""The station panel: the command center's figures and the cameras' health in one read."""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from pydantic import BaseModel

from safetyzone.ops import panel
from safetyzone.org import service as org
from safetyzone.org.models import OwnerClass, UnitKind
from safetyzone.video import service as video
from safetyzone.video.schemas import StateCounts
from safetyzone.web.deps import ContextDep, ScopeDep

router = APIRouter(prefix="/api/v1", tags=["command center"])


class StationPanel(BaseModel):
    station_id: uuid.UUID
    station_code: str
    name_th: str
    name_en: str
    ops: panel.OpsFigures
    cameras_by_owner_class: dict[OwnerClass, StateCounts]


@router.get("/stations/{station_code}/panel", response_model=StationPanel)
def read_station_panel(ctx: ContextDep, scope: ScopeDep, station_code: str) -> StationPanel:
    """Open incidents, today's counts by type, response times, units on duty, cameras
    online by owner class: the station at a glance."""
    with ctx.db.read() as session:
        station = org.get_station(session, scope=scope, code=station_code)
        return StationPanel(
            station_id=station.id, station_code=station.code, name_th=station.name_th,
            name_en=station.name_en,
            ops=panel.figures(session, scope=scope, station_id=station.id, now=ctx.clock.now()),
            cameras_by_owner_class=video.counts_by_owner(session, scope=scope,
                                                         station_id=station.id))


class StationRollupRow(BaseModel):
    station_id: uuid.UUID
    station_code: str
    name_th: str
    name_en: str
    parent_id: uuid.UUID | None
    ops: panel.StationOps
    cameras: StateCounts


@router.get("/stations-rollup", response_model=list[StationRollupRow])
def read_stations_rollup(ctx: ContextDep, scope: ScopeDep) -> list[StationRollupRow]:
    """Every station in your scope on one line each: open incidents (P1, escalated, the
    oldest), units on duty, available and out of service, cameras online and offline. For
    region and HQ desks; grouped queries, so 1,500 stations cost what one does."""
    with ctx.db.read() as session:
        stations = [u for u in org.list_units(session, scope=scope)
                    if u.kind is UnitKind.STATION and scope.sees_station(u.id)]
        ids = [s.id for s in stations]
        figures = panel.rollup(session, scope=scope, station_ids=ids)
        cameras = video.counts_by_station(session, scope=scope, station_ids=ids)
        return [StationRollupRow(
            station_id=s.id, station_code=s.code, name_th=s.name_th, name_en=s.name_en,
            parent_id=s.parent_id, ops=figures[s.id], cameras=cameras[s.id])
            for s in sorted(stations, key=lambda s: s.code)]
