"""Zones: boundary checks, figure checks that flag (never fix) disagreeing numbers."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from safetyzone.audit import service as audit
from safetyzone.core.clock import Clock
from safetyzone.core.errors import Conflict, InvalidInput, NotFound, Problem
from safetyzone.core.geo import area_km2, contains, parse_polygon, polygon_geojson, position_problem
from safetyzone.core.security import Permission, Scope
from safetyzone.org.models import Landmark, Zone
from safetyzone.org.schemas import ZoneCreate, ZoneUpdate
from safetyzone.org.service import get_station

# Declared and computed areas may differ this much before the zone is flagged: survey
# figures are rounded and boundaries drawn by hand, but a factor of two is a real error.
AREA_TOLERANCE = 0.25


def figure_warnings(zone: Zone) -> list[dict[str, Any]]:
    """Every way the zone's figures disagree with each other or with its boundary."""
    warnings: list[dict[str, Any]] = []
    total, male, female = zone.population_total, zone.population_male, zone.population_female
    if total is not None and male is not None and female is not None and male + female != total:
        warnings.append({
            "code": "population-sum-mismatch",
            "message_en": f"male {male:,} + female {female:,} = {male + female:,}, "
                          f"but the total given is {total:,}",
            "message_th": f"ชาย {male:,} + หญิง {female:,} = {male + female:,} "
                          f"ไม่ตรงกับจำนวนรวม {total:,}",
            "values": {"male": male, "female": female, "total": total},
        })
    for part, label_en, label_th in ((male, "male", "ชาย"), (female, "female", "หญิง")):
        if total is not None and part is not None and part > total:
            warnings.append({
                "code": "population-part-exceeds-total",
                "message_en": f"{label_en} population {part:,} exceeds the total {total:,}",
                "message_th": f"ประชากร{label_th} {part:,} มากกว่าจำนวนรวม {total:,}",
                "values": {label_en: part, "total": total},
            })
    declared = zone.declared_area_km2
    if declared is not None and abs(zone.area_km2 - declared) > AREA_TOLERANCE * declared:
        warnings.append({
            "code": "area-mismatch",
            "message_en": f"declared area {declared:g} km² but the boundary measures "
                          f"{zone.area_km2:.2f} km²",
            "message_th": f"พื้นที่ที่แจ้ง {declared:g} ตร.กม. แต่ขอบเขตที่วาดวัดได้ "
                          f"{zone.area_km2:.2f} ตร.กม.",
            "values": {"declared_km2": declared, "computed_km2": round(zone.area_km2, 4)},
        })
    return warnings


def _landmark_problems(zone_boundary: dict[str, Any], landmarks: list[Any]) -> list[Problem]:
    problems: list[Problem] = []
    for i, mark in enumerate(landmarks):
        field = f"landmarks[{i}]"
        problem = position_problem(mark.lat, mark.lon, field)
        if problem:
            problems.append(problem)
        elif not contains(zone_boundary, mark.lat, mark.lon, tolerance_m=200):
            problems.append(Problem(f"landmark '{mark.name_th}' lies outside the zone", field))
    return problems


def create_zone(session: Session, *, scope: Scope, clock: Clock, data: ZoneCreate) -> Zone:
    scope.require(Permission.ZONE_WRITE)
    station = get_station(session, scope=scope, code=data.station_code)
    polygon = parse_polygon(data.boundary)
    boundary = polygon_geojson(polygon)
    problems = _landmark_problems(boundary, data.landmarks)
    if problems:
        raise InvalidInput("some landmarks are not valid", problems)
    if session.scalar(select(Zone.id).where(Zone.code == data.code)):
        raise Conflict(f"a zone with code '{data.code}' already exists",
                       [Problem("duplicate code", "code")])
    now = clock.now()
    zone = Zone(
        code=data.code, station_id=station.id, name_th=data.name_th, name_en=data.name_en,
        boundary=boundary, boundary_synthetic=data.boundary_synthetic, area_km2=area_km2(polygon),
        declared_area_km2=data.declared_area_km2, households=data.households,
        families=data.families, population_total=data.population_total,
        population_male=data.population_male, population_female=data.population_female,
        population_non_registered=data.population_non_registered,
        municipalities=data.municipalities, selection=data.selection.model_dump(),
        risk_statistics=data.risk_statistics, source=data.source,
        created_at=now, updated_at=now,
        landmarks=[Landmark(**m.model_dump()) for m in data.landmarks],
    )
    zone.warnings = figure_warnings(zone)
    session.add(zone)
    session.flush()
    audit.record(session, actor=scope, at=now, action="zone.create", entity="zone",
                 entity_id=zone.id, station_id=station.id,
                 detail={"warnings": [w["code"] for w in zone.warnings]})
    return zone


def update_zone(
    session: Session, *, scope: Scope, clock: Clock, zone_id: uuid.UUID, data: ZoneUpdate
) -> Zone:
    scope.require(Permission.ZONE_WRITE)
    zone = get_zone(session, scope=scope, zone_id=zone_id)
    changes = data.model_dump(exclude_unset=True)
    if "boundary" in changes and changes["boundary"] is not None:
        polygon = parse_polygon(changes.pop("boundary"))
        zone.boundary = polygon_geojson(polygon)
        zone.area_km2 = area_km2(polygon)
    if "selection" in changes and changes["selection"] is not None:
        zone.selection = changes.pop("selection")
    for key, value in changes.items():
        if key in {"name_th", "name_en"} and value is None:
            continue
        setattr(zone, key, value)
    zone.warnings = figure_warnings(zone)
    zone.updated_at = clock.now()
    audit.record(session, actor=scope, at=zone.updated_at, action="zone.update", entity="zone",
                 entity_id=zone.id, station_id=zone.station_id,
                 detail={"fields": sorted(data.model_dump(exclude_unset=True))})
    return zone


def get_zone(session: Session, *, scope: Scope, zone_id: uuid.UUID) -> Zone:
    scope.require(Permission.ORG_READ)
    zone = session.get(Zone, zone_id, options=[selectinload(Zone.landmarks)])
    if zone is None or not scope.sees_station(zone.station_id):
        raise NotFound("no such zone in your scope")
    return zone


def get_zone_by_code(session: Session, *, scope: Scope, code: str) -> Zone:
    scope.require(Permission.ORG_READ)
    zone = session.scalar(
        select(Zone).where(Zone.code == code).options(selectinload(Zone.landmarks)))
    if zone is None or not scope.sees_station(zone.station_id):
        raise NotFound(f"no zone with code '{code}' in your scope")
    return zone


def list_zones(
    session: Session, *, scope: Scope, station_id: uuid.UUID | None = None,
    limit: int = 50, offset: int = 0,
) -> tuple[list[Zone], int]:
    scope.require(Permission.ORG_READ)
    query = select(Zone).where(scope.station_filter(Zone.station_id))
    if station_id is not None:
        query = query.where(Zone.station_id == station_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.options(selectinload(Zone.landmarks)).order_by(Zone.code).limit(limit).offset(offset)
    )
    return list(rows), total


def public_zones(session: Session) -> list[Zone]:
    """Every zone with its boundary, unscoped: for routing a citizen's call to its station.

    Callers show a zone's code and names only.
    """
    return list(session.scalars(select(Zone).order_by(Zone.code)))


def zones_fingerprint(session: Session) -> tuple[int, object]:
    """Changes whenever a zone is added or redrawn (cheap: one aggregate query)."""
    count, latest = session.execute(select(func.count(Zone.id), func.max(Zone.updated_at))).one()
    return int(count), latest
