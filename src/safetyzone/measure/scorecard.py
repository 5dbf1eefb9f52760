"""A WISPI-style scorecard of stations and regions: the program says it judges itself by the
World Internal Security and Police Index (seed 003), whose four domains are capacity,
process, legitimacy and outcomes. Each station gets, per domain, the indicators the platform
can measure, each with its definition, source and formula (``INDICATORS``; the same list for
people in docs/measure/scorecard.md).

The score follows the index's method: every indicator is rescaled over the stations being
compared, ``(value - worst) / (best - worst)`` (lower-is-better indicators turned round), a
domain is the mean of its rescaled indicators, and the whole is the mean of the domains, on
0-100. A station without a figure for an indicator is left out of it, never given 0; an
indicator no two stations can be compared on (one station, or all alike) scores nobody.
Scores are relative to the stations shown: a region's desk compares its stations, HQ the
country, so the same station can score differently on each, and says so.

The figures come from ``measure.kpis`` (one grouped computation for every station) and
``measure.program`` (people, operators, cameras, incidents), so the scorecard adds no query
per station.
"""

from __future__ import annotations

import enum
import statistics
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from safetyzone.core.security import Permission, Scope
from safetyzone.measure import kpi_catalog as catalog
from safetyzone.measure import kpis, program
from safetyzone.measure.kpi_catalog import Direction
from safetyzone.measure.kpi_schemas import Kpi
from safetyzone.measure.program_schemas import ProgramStation
from safetyzone.measure.scorecard_schemas import (
    DomainScore,
    IndicatorOut,
    IndicatorValue,
    RegionDomain,
    RegionScore,
    Scorecard,
    StationScore,
)


class Domain(enum.StrEnum):
    CAPACITY = "capacity"
    PROCESS = "process"
    LEGITIMACY = "legitimacy"
    OUTCOMES = "outcomes"


DOMAIN_NAMES = {
    Domain.CAPACITY: ("ขีดความสามารถ", "capacity"),
    Domain.PROCESS: ("กระบวนการ", "process"),
    Domain.LEGITIMACY: ("ความชอบธรรม", "legitimacy"),
    Domain.OUTCOMES: ("ผลลัพธ์", "outcomes"),
}


@dataclass(frozen=True)
class Indicator:
    key: str
    domain: Domain
    th: str
    en: str
    unit: str
    direction: Direction
    definition: str
    formula: str
    source: str
    kpi: str | None = None  # the KPI it reads; None: from the program view's figures


INDICATORS: tuple[Indicator, ...] = (
    Indicator("operators_per_100k", Domain.CAPACITY, "เจ้าหน้าที่ CCOC ต่อประชากรแสนคน",
              "CCOC operators per 100,000 people", "per 100,000", Direction.HIGHER,
              "Active operator accounts of the station's command center for every 100,000 "
              "people of its whole jurisdiction (WISPI counts police per 100,000).",
              "100000 x operators / population; unknown population: no value",
              "user accounts (role operator, active, scoped to the station); station "
              "population from measure facts"),
    Indicator("cameras_per_1000", Domain.CAPACITY, "กล้องที่เชื่อมศูนย์ฯ ต่อประชากรพันคน",
              "Cameras joined per 1,000 people", "per 1,000", Direction.HIGHER,
              "Cameras of every owner joined to the station's command center for every "
              "1,000 people of its jurisdiction.",
              "1000 x cameras / population; unknown population: no value",
              "camera registry; station population from measure facts"),
    Indicator("camera_uptime", Domain.CAPACITY, "กล้องวงจรปิดใช้งานได้", "Camera uptime",
              "%", Direction.HIGHER, "", "", "", kpi=catalog.CAMERA_UPTIME),
    Indicator("patrol_presence", Domain.CAPACITY, "การปรากฏตัวของสายตรวจ",
              "Visible patrol presence", "unit-h/day", Direction.HIGHER, "", "", "",
              kpi=catalog.PATROL_PRESENCE),
    Indicator("response_p1", Domain.PROCESS, "เวลาตอบสนองเหตุเร่งด่วน (P1)",
              "P1 median response time", "min", Direction.LOWER, "", "", "",
              kpi=catalog.RESPONSE_P1),
    Indicator("patrol_compliance", Domain.PROCESS, "การตรวจตามแผนสายตรวจ",
              "Patrol plan compliance", "%", Direction.HIGHER, "", "", "",
              kpi=catalog.PATROL_COMPLIANCE),
    Indicator("report_resolution", Domain.PROCESS, "เวลาปิดเรื่องแจ้งจากประชาชน",
              "Citizen report resolution time", "h", Direction.LOWER, "", "", "",
              kpi=catalog.REPORT_RESOLUTION),
    Indicator("homewatch_coverage", Domain.PROCESS, "การเยี่ยมบ้านฝากดูแล",
              "Home-watch coverage", "%", Direction.HIGHER, "", "", "",
              kpi=catalog.HOMEWATCH_COVERAGE),
    Indicator("confidence_police", Domain.LEGITIMACY, "ความเชื่อมั่นต่อตำรวจ",
              "Confidence in police", "%", Direction.HIGHER, "", "", "",
              kpi=catalog.CONFIDENCE_POLICE),
    Indicator("incidents_per_1000", Domain.OUTCOMES, "เหตุต่อประชากรพันคน",
              "Incidents per 1,000 people", "per 1,000", Direction.LOWER,
              "Incidents the command center opened in the period for every 1,000 people of "
              "the station's jurisdiction. More reporting can raise it as well as more "
              "crime: read it beside fear of crime.",
              "1000 x incidents opened in [since, until) / population; unknown population: "
              "no value",
              "ops incidents (incident.opened_at); station population from measure facts"),
    Indicator("fear_of_crime", Domain.OUTCOMES, "ความหวาดกลัวภัยอาชญากรรม", "Fear of crime",
              "%", Direction.LOWER, "", "", "", kpi=catalog.FEAR_OF_CRIME),
    Indicator("worry_burglary", Domain.OUTCOMES, "ความกังวลเรื่องลักทรัพย์ในบ้าน",
              "Worry about burglary", "%", Direction.LOWER, "", "", "",
              kpi=catalog.WORRY_BURGLARY),
)
BY_KEY = {i.key: i for i in INDICATORS}


def _described(indicator: Indicator) -> IndicatorOut:
    """An indicator with its definition, formula and source: a KPI's are the KPI's own."""
    spec = catalog.BY_KEY.get(indicator.kpi) if indicator.kpi else None
    th, en = DOMAIN_NAMES[indicator.domain]
    return IndicatorOut(
        key=indicator.key, domain=indicator.domain.value, domain_th=th, domain_en=en,
        name_th=indicator.th, name_en=indicator.en, unit=indicator.unit,
        direction=indicator.direction,
        definition=spec.definition if spec else indicator.definition,
        formula=spec.formula if spec else indicator.formula,
        source=spec.source if spec else indicator.source, kpi=indicator.kpi)


def _program_value(key: str, row: ProgramStation) -> tuple[float | None, int]:
    people = row.population if row.population and row.population > 0 else None
    if key == "operators_per_100k":
        return (None if people is None else 100_000 * row.rollout.operators / people,
                row.rollout.operators)
    if key == "cameras_per_1000":
        return (None if people is None else 1000 * row.rollout.cameras / people,
                row.rollout.cameras)
    if key == "incidents_per_1000":
        return row.incidents_per_1000.value, row.incidents
    raise KeyError(key)


def _raw(row: ProgramStation, figures: dict[str, Kpi]) -> dict[str, tuple[float | None, int]]:
    out = {}
    for indicator in INDICATORS:
        if indicator.kpi:
            kpi = figures.get(indicator.kpi)
            out[indicator.key] = (kpi.value, kpi.n) if kpi else (None, 0)
        else:
            out[indicator.key] = _program_value(indicator.key, row)
    return out


def rescale(values: dict[uuid.UUID, float], direction: Direction
            ) -> dict[uuid.UUID, float | None]:
    """WISPI's min-max: 1 for the best station, 0 for the worst; no spread, no score."""
    if len(values) < 2:
        return {k: None for k in values}
    low, high = min(values.values()), max(values.values())
    if high == low:
        return {k: None for k in values}
    return {k: ((v - low) / (high - low) if direction is Direction.HIGHER
                else (high - v) / (high - low)) for k, v in values.items()}


def _mean(values: list[float]) -> float | None:
    return round(100 * statistics.fmean(values), 1) if values else None


def scorecard(session: Session, *, scope: Scope, now: datetime,
              since: datetime | None = None, until: datetime | None = None) -> Scorecard:
    """Every station in scope scored on the four domains against the others shown, and
    each region as the mean of its stations' scores."""
    scope.require(Permission.OPS_READ)
    window = kpis.window_of(since=since, until=until, now=now)
    view = program.overview(session, scope=scope, now=now, since=window.since,
                            until=window.until)
    ids = [row.station_id for row in view.stations]
    figures = kpis.kpis_for_stations(session, scope=scope, station_ids=ids, window=window)
    raw = {row.station_id: _raw(row, {k.key: k for k in figures.get(row.station_id, [])})
           for row in view.stations}
    scaled: dict[str, dict[uuid.UUID, float | None]] = {}
    for indicator in INDICATORS:
        present = {sid: v for sid, got in raw.items()
                   if (v := got[indicator.key][0]) is not None}
        scaled[indicator.key] = rescale(present, indicator.direction)
    stations = [_station(row, raw[row.station_id], scaled) for row in view.stations]
    return Scorecard(
        since=window.since, until=window.until, generated_at=now,
        compared=len(stations), indicators=[_described(i) for i in INDICATORS],
        stations=stations, regions=_regions(stations))


def _station(row: ProgramStation, raw: dict[str, tuple[float | None, int]],
             scaled: dict[str, dict[uuid.UUID, float | None]]) -> StationScore:
    values, by_domain = [], defaultdict(list)
    for indicator in INDICATORS:
        value, n = raw[indicator.key]
        score = scaled[indicator.key].get(row.station_id)
        values.append(IndicatorValue(key=indicator.key, value=value, n=n,
                                     score=None if score is None else round(100 * score, 1)))
        if score is not None:
            by_domain[indicator.domain].append(score)
    domains = [DomainScore(domain=d.value, score=_mean(by_domain[d]),
                           indicators=len(by_domain[d]),
                           of=sum(1 for i in INDICATORS if i.domain is d)) for d in Domain]
    known = [d.score for d in domains if d.score is not None]
    return StationScore(
        station_id=row.station_id, station_code=row.station_code, name_th=row.name_th,
        name_en=row.name_en, region_code=row.region_code, values=values, domains=domains,
        overall=round(statistics.fmean(known), 1) if known else None)


def _regions(stations: list[StationScore]) -> list[RegionScore]:
    grouped: dict[str, list[StationScore]] = defaultdict(list)
    for s in stations:
        if s.region_code:
            grouped[s.region_code].append(s)
    out = []
    for code in sorted(grouped):
        members = grouped[code]
        domains: list[RegionDomain] = []
        for d in Domain:
            scores = [x.score for s in members for x in s.domains
                      if x.domain == d.value and x.score is not None]
            domains.append(RegionDomain(domain=d.value, stations_scored=len(scores),
                                        score=round(statistics.fmean(scores), 1)
                                        if scores else None))
        overall = [s.overall for s in members if s.overall is not None]
        out.append(RegionScore(region_code=code, stations=len(members),
                               scored=len(overall), domains=domains,
                               overall=round(statistics.fmean(overall), 1) if overall
                               else None))
    return out
