"""KPIs over HTTP: a station's and a zone's figures over a period beside their targets, and a
station's own targets. The rules live in ``measure.kpis``; docs in docs/measure/kpis.md."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import AwareDatetime

from safetyzone.measure import kpis
from safetyzone.measure.kpi_schemas import StationKpis, TargetIn, TargetOut, ZoneKpis
from safetyzone.web.deps import ContextDep, ScopeDep

router = APIRouter(prefix="/api/v1", tags=["measure"])
Since = Annotated[AwareDatetime | None, Query(description=(
    "From this instant, with its offset (e.g. 2026-11-01T00:00:00+07:00); default: Bangkok "
    "midnight 30 days before today."))]
Until = Annotated[AwareDatetime | None, Query(description=(
    "Before this instant, with its offset; default: now. At most 1,096 days after since."))]


@router.get("/stations/{station_code}/kpis", response_model=StationKpis)
def read_station_kpis(ctx: ContextDep, scope: ScopeDep, station_code: str,
                      since: Since = None, until: Until = None) -> StationKpis:
    """The station's KPIs over [since, until): each with its definition, value, sample size,
    target and whether it is met; null where there is nothing to compute it from."""
    with ctx.db.read() as session:
        return kpis.station_kpis(session, scope=scope, clock=ctx.clock,
                                 station_code=station_code, since=since, until=until)


@router.get("/stations/{station_code}/zones/{zone_code}/kpis", response_model=ZoneKpis)
def read_zone_kpis(ctx: ContextDep, scope: ScopeDep, station_code: str, zone_code: str,
                   since: Since = None, until: Until = None) -> ZoneKpis:
    """The same KPIs for one zone of the station, from the data located in it."""
    with ctx.db.read() as session:
        return kpis.zone_kpis(session, scope=scope, clock=ctx.clock, station_code=station_code,
                              zone_code=zone_code, since=since, until=until)


@router.put("/stations/{station_code}/kpi-targets/{key}", response_model=TargetOut)
def set_kpi_target(ctx: ContextDep, scope: ScopeDep, station_code: str, key: str,
                   body: TargetIn) -> TargetOut:
    """Set the station's own target for one KPI, in the KPI's unit (null: the program's
    default); admins and commanders; audited with the target before and after."""
    with ctx.db.write() as session:
        return kpis.set_target(session, scope=scope, clock=ctx.clock, station_code=station_code,
                               key=key, data=body)
