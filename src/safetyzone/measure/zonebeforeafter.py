"""A chosen zone before and after its launch, against the rest of its station.

Two windows of equal length meet at the launch (midnight, Bangkok): the ``months`` calendar
months after it (cut at now while they are not over) and as many days before it. Records
and CCOC incidents (``records.unified_records``) with a position are counted inside the
zone's boundary or in the rest of the station; those without one are in neither and are
counted apart. Rates are per 1,000 people and per km² of the window, over the denominators
of ``measure.facts`` (the rest of the station is the station's figure less the zone's):
an unknown denominator gives an unknown rate, never a guess.

The difference in differences is ``(zone after - zone before) - (rest after - rest
before)`` of the rates: below 0 means the zone fell more (or rose less) than the rest of
the station over the same days. It is a plain comparison, not a causal estimate.
"""

from __future__ import annotations

import calendar
from collections import Counter
from datetime import UTC, date, datetime, time

import numpy as np
import shapely
from sqlalchemy.orm import Session

from safetyzone.core.clock import BANGKOK, Clock
from safetyzone.core.errors import InvalidInput, NotFound, Problem
from safetyzone.core.security import Permission, Scope
from safetyzone.measure import facts, zonedecisions
from safetyzone.measure.models import FactStatus
from safetyzone.measure.records import unified_records
from safetyzone.measure.schemas import Figure, Rate
from safetyzone.measure.zoneselect_schemas import (
    AreaCompare,
    BeforeAfterOut,
    GroupCounts,
    Side,
)
from safetyzone.org import service as org
from safetyzone.org import zones

MAX_MONTHS = 36
FEW = 10  # fewer records than this on a side: the change is mostly chance
_ORDER = {FactStatus.EXACT: 0, FactStatus.APPROXIMATE: 1, FactStatus.UNKNOWN: 2}


def add_months(day: date, months: int) -> date:
    """The same day ``months`` calendar months later (or earlier), clamped to the month's
    last day (31 Jan + 1 month = 28 or 29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), BANGKOK).astimezone(UTC)


def _worst(*statuses: FactStatus) -> FactStatus:
    return max(statuses, key=lambda s: _ORDER[s])


def difference(whole: Figure, part: Figure, key: str) -> Figure:
    """The station's figure less the zone's: unknown unless both are known and it is > 0."""
    if (whole.status is FactStatus.UNKNOWN or part.status is FactStatus.UNKNOWN
            or not isinstance(whole.value, float | int) or not isinstance(part.value, float | int)):
        return Figure(key=key, value=None, status=FactStatus.UNKNOWN, unit=whole.unit,
                      note="the station's or the zone's figure is unknown")
    value = float(whole.value) - float(part.value)
    if value <= 0:
        return Figure(key=key, value=None, status=FactStatus.UNKNOWN, unit=whole.unit,
                      note="the zone's figure is not below the station's")
    return Figure(key=key, value=round(value, 6), status=_worst(whole.status, part.status),
                  unit=whole.unit, source="the station's figure less the zone's",
                  note=f"{whole.value} - {part.value}")


def _side(count: int, area: Figure, population: Figure) -> Side:
    return Side(count=count, per_1000=_round(facts.per_1000_people(count, population)),
                per_km2=_round(facts.per_km2(count, area)))


def _round(rate: Rate) -> Rate:
    return rate if rate.value is None else Rate(value=round(rate.value, 6), status=rate.status)


def did(zone: AreaCompare, rest: AreaCompare, per: str) -> Rate:
    """(zone after - zone before) - (rest after - rest before) of one kind of rate."""
    rates = [getattr(s, per) for s in (zone.before, zone.after, rest.before, rest.after)]
    if any(r.value is None for r in rates):
        return Rate(value=None, status=FactStatus.UNKNOWN)
    zb, za, rb, ra = (float(r.value) for r in rates)
    return Rate(value=round((za - zb) - (ra - rb), 6), status=_worst(*(r.status for r in rates)))


def _compare(before: int, after: int, area: Figure, population: Figure) -> AreaCompare:
    return AreaCompare(area_km2=area, population=population,
                       before=_side(before, area, population),
                       after=_side(after, area, population),
                       change_pct=round((after - before) / before * 100, 2) if before else None)


def before_after(session: Session, *, scope: Scope, clock: Clock, station_code: str,
                 zone_code: str, months: int = 6, launch_on: date | None = None
                 ) -> BeforeAfterOut:
    """The zone's counts and rates in the ``months`` before and after its launch, beside
    the rest of the station's; the launch from ``launch_on`` or from the latest decision
    that chose the zone with a launch day."""
    station = org.get_station(session, scope=scope, code=station_code)
    scope.require(Permission.OPS_READ)
    zone = zones.get_zone_by_code(session, scope=scope, code=zone_code)
    if zone.station_id != station.id:
        raise NotFound(f"no zone with code '{zone_code}' at {station.code}")
    if not 1 <= months <= MAX_MONTHS:
        raise InvalidInput(f"1 to {MAX_MONTHS} months", [Problem("out of range", "months")])
    source, number = "query", None
    if launch_on is None:
        found = zonedecisions.launch_of(session, station.id, zone.id)
        if found is None:
            raise InvalidInput(
                f"zone '{zone.code}' has no launch day: record it in the Big 6 decision that "
                "chose it, or give launch_on", [Problem("no launch day", "launch_on")])
        (launch_on, number), source = found, "decision"
    launch, now = _midnight(launch_on), clock.now()
    if launch >= now:
        raise InvalidInput(f"the zone launches on {launch_on.isoformat()}: there is no after "
                           "window yet", [Problem("launch is not in the past", "launch_on")])
    full_end = _midnight(add_months(launch_on, months))
    after_until = min(full_end, now)
    length = after_until - launch
    before_from = launch - length
    records = list(unified_records(session, scope=scope, station_code=station.code,
                                   since=before_from, until=after_until))
    placed = [r for r in records if r.lat is not None and r.lon is not None]
    polygon = shapely.geometry.shape(zone.boundary)
    shapely.prepare(polygon)
    lon = np.fromiter((r.lon for r in placed), dtype=np.float64, count=len(placed))
    lat = np.fromiter((r.lat for r in placed), dtype=np.float64, count=len(placed))
    inside = shapely.contains_xy(polygon, lon, lat) if placed else np.zeros(0, bool)
    counts: Counter[tuple[str, bool]] = Counter()
    groups: dict[str, Counter[bool]] = {}
    for record, within in zip(placed, inside.tolist(), strict=True):
        after = record.at >= launch
        counts[("zone" if within else "rest", after)] += 1
        if within:
            groups.setdefault(record.group.value, Counter())[after] += 1
    for record in records:
        if record.lat is None or record.lon is None:
            counts[("unplaced", record.at >= launch)] += 1
    figures = facts.station_facts(session, scope=scope, station_code=station.code)
    zf = next(z for z in figures.zones if z.zone_code == zone.code)
    rest_area = difference(figures.area_km2, zf.area_km2, facts.AREA)
    rest_population = difference(figures.population, zf.population, facts.POPULATION)
    in_zone = _compare(counts[("zone", False)], counts[("zone", True)], zf.area_km2,
                       zf.population)
    rest = _compare(counts[("rest", False)], counts[("rest", True)], rest_area,
                    rest_population)
    warnings = [code for code, true in (
        ("after_window_partial", after_until < full_end),
        ("zone_population_unknown", zf.population.status is FactStatus.UNKNOWN),
        ("rest_population_unknown", rest_population.status is FactStatus.UNKNOWN),
        ("area_unknown", FactStatus.UNKNOWN in (zf.area_km2.status, rest_area.status)),
        ("approximate_denominators", FactStatus.APPROXIMATE in (
            zf.area_km2.status, zf.population.status, rest_area.status,
            rest_population.status)),
        ("boundary_synthetic", zone.boundary_synthetic),
        ("unplaced_records", len(placed) < len(records)),
        ("few_records", min(in_zone.before.count, in_zone.after.count) < FEW)) if true]
    return BeforeAfterOut(
        station_code=station.code, zone_code=zone.code, zone_name_th=zone.name_th,
        zone_name_en=zone.name_en, launch_on=launch_on, launch_from=source,
        decision_number=number, months=months, before_from=before_from, after_from=launch,
        after_until=after_until, window_days=round(length.total_seconds() / 86400, 4),
        complete=after_until >= full_end, zone=in_zone, rest=rest,
        unplaced=GroupCounts(before=counts[("unplaced", False)],
                             after=counts[("unplaced", True)]),
        did_per_1000=did(in_zone, rest, "per_1000"), did_per_km2=did(in_zone, rest, "per_km2"),
        zone_by_group={g: GroupCounts(before=c[False], after=c[True])
                       for g, c in sorted(groups.items())},
        warnings=warnings)
