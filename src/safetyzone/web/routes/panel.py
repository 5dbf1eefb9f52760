"""The station panel: the command center's figures and the cameras' health in one read."""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from pydantic import BaseModel

from safetyzone.ops import panel
from safetyzone.org import service as org
from safetyzone.org.models import OwnerClass
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
