"""Station and zone facts: the denominators of every rate, with how far they can be trusted.

A station's whole jurisdiction has an area and a population (seed 002: 593.96 km² and
260,734 people for Mueang Phitsanulok) beside its zones' own, so a count can be put per
1,000 people and per km² for both. Each figure carries a status: ``exact`` as a source gives
it, ``approximate`` where the source says "about" (ประมาณ), ``unknown`` where no source gives
it. An unknown figure has no value; a rate over it is unknown too, never a guess.

Zone area and population already live on the zone (its declared area, its boundary, its
population); a zone fact overrides them where the zone's own columns cannot say "about".
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from safetyzone.audit import service as audit
from safetyzone.core.clock import Clock
from safetyzone.core.errors import InvalidInput, NotFound, Problem
from safetyzone.core.security import Permission, Scope
from safetyzone.measure.models import Fact, FactStatus
from safetyzone.measure.schemas import FactIn, Figure, Rate, StationFacts, ZoneFacts
from safetyzone.org import service as org
from safetyzone.org import zones
from safetyzone.org.models import OrgUnit, Zone

AREA = "area_km2"
POPULATION = "population"


@dataclass(frozen=True)
class FactKey:
    """A figure the program keeps: whether it is a number, its unit, where it applies."""

    key: str
    numeric: bool
    unit: str | None
    station: bool  # may be set for a station's whole jurisdiction
    zone: bool  # may be set for a zone
    th: str
    en: str


KEYS: dict[str, FactKey] = {k.key: k for k in (
    FactKey(AREA, True, "km2", True, True, "พื้นที่รับผิดชอบ", "area"),
    FactKey(POPULATION, True, "people", True, True, "ประชากร", "population"),
    FactKey("population_non_registered", True, "people", True, True, "ประชากรแฝง",
            "non-registered population"),
    FactKey("households", True, "households", True, True, "ครัวเรือน", "households"),
    FactKey("cameras_by_owner", True, "cameras", True, True,
            "กล้องวงจรปิดตามเจ้าของ (รวม)", "cameras counted by owner"),
    FactKey("cameras_in_use", True, "cameras", True, True, "กล้องวงจรปิดที่ใช้งานกับ CCOC",
            "cameras in use with the CCOC"),
    FactKey("plate_reading_cameras", True, "cameras", True, True, "กล้องอ่านป้ายทะเบียน",
            "plate-reading cameras"),
    FactKey("big6_group_name", False, None, True, False, "ชื่อภาคีเครือข่าย (Big 6)",
            "Big 6 partner network name"),
    FactKey("big6_members", False, None, True, False, "สมาชิกภาคีเครือข่าย Big 6",
            "Big 6 members"),
    FactKey("big6_zone_name", False, None, False, True, "ชื่อโซนที่ Big 6 มีฉันทามติ",
            "zone name agreed by the Big 6"),
)}
MAX_TEXT = 500


def _figure(key: str, row: Fact | None) -> Figure:
    spec = KEYS[key]
    if row is None:
        return Figure(key=key, value=None, status=FactStatus.UNKNOWN, unit=spec.unit,
                      note="not stated in any source")
    value: float | str | None = row.value_num if spec.numeric else row.value_text
    return Figure(key=key, value=value, status=row.status, unit=spec.unit, source=row.source,
                  note=row.note, updated_at=row.updated_at, updated_by=row.updated_by)


def _rows(session: Session, station: OrgUnit) -> dict[tuple[object, str], Fact]:
    found = session.scalars(select(Fact).where(Fact.station_id == station.id))
    return {(f.zone_id, f.key): f for f in found}


def _zone_facts(zone: Zone, rows: dict[tuple[object, str], Fact]) -> ZoneFacts:
    boundary_note = ("computed from the zone's boundary, which is drawn, not surveyed"
                     if zone.boundary_synthetic else "computed from the zone's boundary")
    boundary = Figure(
        key="boundary_area_km2", value=round(zone.area_km2, 4),
        status=FactStatus.APPROXIMATE if zone.boundary_synthetic else FactStatus.EXACT,
        unit="km2", source="boundary polygon (UTM projection, core.geo.area_km2)",
        note=boundary_note)
    area = rows.get((zone.id, AREA))
    if area is not None:
        area_figure = _figure(AREA, area)
    elif zone.declared_area_km2 is not None:
        area_figure = Figure(key=AREA, value=zone.declared_area_km2, status=FactStatus.EXACT,
                             unit="km2", source=zone.source, note="the zone's declared area")
    else:
        area_figure = boundary.model_copy(update={"key": AREA})
    population = rows.get((zone.id, POPULATION))
    if population is not None:
        pop_figure = _figure(POPULATION, population)
    elif zone.population_total is not None:
        pop_figure = Figure(key=POPULATION, value=float(zone.population_total),
                            status=FactStatus.EXACT, unit="people", source=zone.source)
    else:
        pop_figure = _figure(POPULATION, None)
    others = [_figure(k.key, rows.get((zone.id, k.key))) for k in KEYS.values()
              if k.zone and k.key not in {AREA, POPULATION}]
    return ZoneFacts(zone_code=zone.code, name_th=zone.name_th, name_en=zone.name_en,
                     area_km2=area_figure, boundary_area_km2=boundary, population=pop_figure,
                     facts=others)


def station_facts(session: Session, *, scope: Scope, station_code: str) -> StationFacts:
    """Every figure of the station and of its zones; unset ones say unknown."""
    station = org.get_station(session, scope=scope, code=station_code)
    scope.require(Permission.OPS_READ)
    rows = _rows(session, station)
    zone_rows = session.scalars(select(Zone).where(Zone.station_id == station.id)
                                .order_by(Zone.code)).all()
    return StationFacts(
        station_code=station.code, name_th=station.name_th, name_en=station.name_en,
        area_km2=_figure(AREA, rows.get((None, AREA))),
        population=_figure(POPULATION, rows.get((None, POPULATION))),
        facts=[_figure(k.key, rows.get((None, k.key))) for k in KEYS.values()
               if k.station and k.key not in {AREA, POPULATION}],
        zones=[_zone_facts(z, rows) for z in zone_rows])


def _checked(key: str, data: FactIn, for_zone: bool) -> tuple[float | None, str | None]:
    spec = KEYS.get(key)
    if spec is None:
        raise NotFound(f"no figure '{key}'; the figures are: {', '.join(KEYS)}")
    if not (spec.zone if for_zone else spec.station):
        where = "a zone" if for_zone else "a station"
        raise InvalidInput(f"'{key}' is not a figure of {where}",
                           [Problem(f"not kept for {where}", "zone_code")])
    value = data.value
    if data.status is FactStatus.UNKNOWN:
        if value is not None:
            raise InvalidInput("an unknown figure has no value",
                               [Problem("leave value empty when the status is unknown",
                                        "value")])
        return None, None
    if value is None:
        raise InvalidInput(f"a figure that is {data.status.value} needs its value",
                           [Problem("required unless the status is unknown", "value")])
    if not (data.source or "").strip():
        raise InvalidInput("a known figure needs its source",
                           [Problem("name the source (a seed, a census, a survey)", "source")])
    if spec.numeric:
        if isinstance(value, str) or not math.isfinite(value) or value < 0:
            raise InvalidInput(f"'{key}' is a number of zero or more",
                               [Problem("expected a finite number >= 0", "value")])
        return float(value), None
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_TEXT:
        raise InvalidInput(f"'{key}' is a text of 1 to {MAX_TEXT} characters",
                           [Problem(f"expected text of 1 to {MAX_TEXT} characters", "value")])
    return None, value.strip()


def set_fact(session: Session, *, scope: Scope, clock: Clock, station_code: str, key: str,
             data: FactIn) -> Figure:
    """Set one figure of a station or (``zone_code``) of one of its zones; audited with the
    value before and after."""
    station = org.get_station(session, scope=scope, code=station_code)
    scope.require(Permission.MEASURE_MANAGE)
    zone = None
    if data.zone_code is not None:
        zone = zones.get_zone_by_code(session, scope=scope, code=data.zone_code)
        if zone.station_id != station.id:
            raise NotFound(f"no zone with code '{data.zone_code}' at {station.code}")
    num, text = _checked(key, data, zone is not None)
    zone_id = zone.id if zone else None
    row = session.scalar(select(Fact).where(
        Fact.station_id == station.id, Fact.key == key,
        Fact.zone_id.is_(None) if zone_id is None else Fact.zone_id == zone_id))
    before = _figure(key, row).model_dump(mode="json", include={"value", "status", "source"})
    if row is None:
        row = Fact(station_id=station.id, zone_id=zone_id, key=key)
        session.add(row)
    row.value_num, row.value_text, row.status = num, text, data.status
    row.source = (data.source or "").strip() or None
    row.note = (data.note or "").strip() or None
    row.updated_at, row.updated_by = clock.now(), scope.username
    session.flush()
    figure = _figure(key, row)
    audit.record(session, actor=scope, at=clock.now(), action="measure.fact.set",
                 entity="station", entity_id=station.id, station_id=station.id,
                 detail={"key": key, "zone_code": data.zone_code, "before": before,
                         "after": figure.model_dump(mode="json",
                                                    include={"value", "status", "source"})})
    return figure


def rate(count: int, denominator: Figure, per: float = 1.0) -> Rate:
    """``count`` per ``per`` units of the denominator (per=1000 for people, 1 for km²)."""
    value = denominator.value
    if denominator.status is FactStatus.UNKNOWN or not isinstance(value, float | int):
        return Rate(value=None, status=FactStatus.UNKNOWN)
    if value <= 0:
        return Rate(value=None, status=FactStatus.UNKNOWN)
    return Rate(value=count * per / float(value), status=denominator.status)


def per_1000_people(count: int, population: Figure) -> Rate:
    return rate(count, population, 1000.0)


def per_km2(count: int, area: Figure) -> Rate:
    return rate(count, area, 1.0)
