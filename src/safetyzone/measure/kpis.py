"""KPIs per station and per zone over a period, each beside its target (issue 12.6).

``kpis_for_stations`` is the one computation: any number of stations in a fixed number of
grouped queries (about fifteen, whatever the number: a region has dozens of stations, HQ
about 1,480), so a scorecard of many stations never runs a query per station. The
station and zone routes call it with one station. What each KPI means, its formula and
why its default target is what it is: ``measure.kpi_catalog`` and docs/measure/kpis.md.

The period is [since, until); by default from Bangkok midnight 30 days before today to now.
A station's admin or commander may replace a default target with its own (``set_target``),
audited with the value before and after, like ``measure.facts.set_fact``.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from safetyzone.audit import service as audit
from safetyzone.core.clock import Clock, as_utc
from safetyzone.core.errors import InvalidInput, NotFound, Problem
from safetyzone.core.security import Permission, Scope
from safetyzone.measure import kpi_catalog as catalog
from safetyzone.measure import kpi_field, kpi_ops, kpi_people
from safetyzone.measure.kpi_catalog import CATALOG, Direction, KpiSpec
from safetyzone.measure.kpi_common import Area, Result, Window, bangkok
from safetyzone.measure.kpi_schemas import (
    Kpi,
    Period,
    StationKpis,
    TargetIn,
    TargetOut,
    ZoneKpis,
)
from safetyzone.measure.models import KpiTarget
from safetyzone.org import service as org
from safetyzone.org import zones
from safetyzone.org.models import OrgUnit

DEFAULT_DAYS = 30
MAX_DAYS = 1096  # three years: longer periods are several requests
# The poll KPIs and the item of the bank each reads.
POLL_ITEMS = {catalog.FEAR_OF_CRIME: "safe_dark", catalog.WORRY_BURGLARY: "worry_burglary",
              catalog.CONFIDENCE_POLICE: "confidence_police"}


def window_of(*, since: datetime | None, until: datetime | None, now: datetime) -> Window:
    """The period asked for, or the default: Bangkok midnight 30 days ago until now. A
    period that ends before it starts, or longer than three years, is refused by name."""
    end = until or now
    start = since or (bangkok(end).replace(hour=0, minute=0, second=0, microsecond=0)
                      - timedelta(days=DEFAULT_DAYS))
    if start >= end:
        raise InvalidInput("the period must end after it starts (since < until)",
                           [Problem("must be after since", "until")])
    if end - start > timedelta(days=MAX_DAYS):
        raise InvalidInput(f"the period is longer than {MAX_DAYS} days",
                           [Problem(f"at most {MAX_DAYS} days before until", "since")])
    return Window(since=start, until=end, now=now)


def _targets(session: Session, station_ids: Sequence[uuid.UUID]
             ) -> dict[tuple[uuid.UUID, str], KpiTarget]:
    rows = session.scalars(select(KpiTarget).where(KpiTarget.station_id.in_(list(station_ids))))
    return {(row.station_id, row.key): row for row in rows}


def met(direction: Direction, value: float | None, target: float | None) -> bool | None:
    """Lower is better: met below the target; higher is better: met at or above it."""
    if value is None or target is None:
        return None
    return value < target if direction is Direction.LOWER else value >= target


def _kpi(spec: KpiSpec, result: Result, own: KpiTarget | None) -> Kpi:
    target = own.value if own is not None else spec.default_target
    source = "station" if own is not None else ("default" if target is not None else "none")
    return Kpi(key=spec.key, name_th=spec.th, name_en=spec.en, definition=spec.definition,
               formula=spec.formula, source=spec.source, unit=spec.unit, value=result.value,
               n=result.n, ci=result.ci, warnings=result.warnings, target=target,
               target_source=source, direction=spec.direction,
               met=met(spec.direction, result.value, target), breakdowns=result.breakdowns,
               note=result.note)


def _compute(session: Session, scope: Scope, ids: Sequence[uuid.UUID], window: Window,
             area: Area | None) -> dict[uuid.UUID, list[Kpi]]:
    incidents = kpi_ops.incident_tallies(session, scope=scope, station_ids=ids,
                                         window=window, area=area)
    by_key = {
        key: compute(session, station_ids=ids, window=window, area=area)
        for key, compute in ((catalog.PATROL_COMPLIANCE, kpi_field.compliance_by_station),
                             (catalog.PATROL_PRESENCE, kpi_field.presence_by_station),
                             (catalog.CAMERA_UPTIME, kpi_field.cameras_by_station),
                             (catalog.REPORT_RESOLUTION, kpi_people.reports_by_station),
                             (catalog.HOMEWATCH_COVERAGE, kpi_people.homewatch_by_station))}
    polls = kpi_people.polls_by_station(session, station_ids=ids, window=window, area=area)
    targets = _targets(session, ids)
    out = {}
    for s in ids:
        results = {catalog.RESPONSE_P1: kpi_ops.response_p1(incidents[s]),
                   catalog.INCIDENTS: kpi_ops.incident_counts(incidents[s]),
                   **{key: by_station[s] for key, by_station in by_key.items()},
                   **{key: polls[s][item] for key, item in POLL_ITEMS.items()}}
        out[s] = [_kpi(spec, results[spec.key], targets.get((s, spec.key))) for spec in CATALOG]
    return out


def kpis_for_stations(session: Session, *, scope: Scope, station_ids: Sequence[uuid.UUID],
                      window: Window) -> dict[uuid.UUID, list[Kpi]]:
    """Every KPI of each station, in the catalog's order: a fixed number of grouped queries
    whatever the number of stations. A station outside the caller's scope is not found."""
    scope.require(Permission.OPS_READ)
    ids = list(dict.fromkeys(station_ids))
    hidden = [s for s in ids if not scope.sees_station(s)]
    if hidden:
        raise NotFound(f"{len(hidden)} of the stations asked for are not in your scope")
    return _compute(session, scope, ids, window, None) if ids else {}


def _period(window: Window) -> Period:
    return Period(since=as_utc(window.since), until=as_utc(window.until))


def station_kpis(session: Session, *, scope: Scope, clock: Clock, station_code: str,
                 since: datetime | None, until: datetime | None) -> StationKpis:
    """One station's KPIs over the period (default: the last 30 days)."""
    station = org.get_station(session, scope=scope, code=station_code)
    window = window_of(since=since, until=until, now=clock.now())
    found = kpis_for_stations(session, scope=scope, station_ids=[station.id], window=window)
    return StationKpis(station_code=station.code, name_th=station.name_th,
                       name_en=station.name_en, period=_period(window), kpis=found[station.id])


def zone_kpis(session: Session, *, scope: Scope, clock: Clock, station_code: str,
              zone_code: str, since: datetime | None, until: datetime | None) -> ZoneKpis:
    """The same KPIs for one zone of the station, from the data located in it."""
    station = org.get_station(session, scope=scope, code=station_code)
    zone = zones.get_zone_by_code(session, scope=scope, code=zone_code)
    if zone.station_id != station.id:
        raise NotFound(f"no zone with code '{zone_code}' at {station.code}")
    scope.require(Permission.OPS_READ)
    window = window_of(since=since, until=until, now=clock.now())
    found = _compute(session, scope, [station.id], window, Area.of(zone.id, zone.boundary))
    return ZoneKpis(station_code=station.code, name_th=station.name_th, name_en=station.name_en,
                    zone_code=zone.code, zone_name_th=zone.name_th, zone_name_en=zone.name_en,
                    period=_period(window), kpis=found[station.id])


def _target_out(station: OrgUnit, spec: KpiSpec, row: KpiTarget | None) -> TargetOut:
    value = row.value if row is not None else spec.default_target
    return TargetOut(
        station_code=station.code, key=spec.key, unit=spec.unit, direction=spec.direction,
        value=value, default=spec.default_target,
        source="station" if row is not None else ("default" if value is not None else "none"),
        note=row.note if row else None, updated_at=row.updated_at if row else None,
        updated_by=row.updated_by if row else None)


def set_target(session: Session, *, scope: Scope, clock: Clock, station_code: str, key: str,
               data: TargetIn) -> TargetOut:
    """Set the station's own target for one KPI (null: back to the program's default);
    admins and commanders; audited with the target before and after."""
    station = org.get_station(session, scope=scope, code=station_code)
    scope.require(Permission.MEASURE_MANAGE)
    spec = catalog.BY_KEY.get(key)
    if spec is None:
        raise NotFound(f"no KPI '{key}'; the KPIs are: {', '.join(catalog.BY_KEY)}")
    value = data.value
    if value is not None and not (math.isfinite(value) and 0 <= value <= spec.target_max):
        raise InvalidInput(
            f"a target for '{key}' is a number from 0 to {spec.target_max:g} ({spec.unit.value})",
            [Problem(f"expected 0 to {spec.target_max:g}", "value")])
    row = session.scalar(select(KpiTarget).where(KpiTarget.station_id == station.id,
                                                 KpiTarget.key == key))
    before = _target_out(station, spec, row)
    now = clock.now()
    if value is None:
        if row is not None:
            session.delete(row)
        row = None
    else:
        if row is None:
            row = KpiTarget(station_id=station.id, key=key)
            session.add(row)
        row.value, row.note = value, (data.note or "").strip() or None
        row.updated_at, row.updated_by = now, scope.username
    session.flush()
    after = _target_out(station, spec, row)
    audit.record(session, actor=scope, at=now, action="measure.kpi_target.set",
                 entity="station", entity_id=station.id, station_id=station.id,
                 detail={"key": key,
                         "before": before.model_dump(mode="json", include={"value", "source"}),
                         "after": after.model_dump(mode="json", include={"value", "source"})})
    return after
