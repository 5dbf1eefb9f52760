"""Risk spots: the places a station wants patrolled, with a risk score and risky hours.

Set by hand today (``source`` "manual"); hotspot analytics (issue 12) will write them with
``source`` "hotspot". Reading needs OPS_READ, writing PATROL_PLAN; both stay inside the
caller's stations, and every write is audited.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from safetyzone.audit import service as audit
from safetyzone.core.clock import Clock
from safetyzone.core.errors import Conflict, InvalidInput, NotFound, Problem
from safetyzone.core.geo import position_problem
from safetyzone.core.security import Permission, Scope
from safetyzone.org import service as org
from safetyzone.org import zones
from safetyzone.patrol.plan_models import RiskSpot
from safetyzone.patrol.plan_schemas import RiskSpotCreate, RiskSpotRead, RiskSpotUpdate


def _zone_id(session: Session, scope: Scope, station_id: uuid.UUID,
             code: str | None) -> uuid.UUID | None:
    if code is None:
        return None
    try:
        zone = zones.get_zone_by_code(session, scope=scope, code=code)
    except NotFound:
        zone = None
    if zone is None or zone.station_id != station_id:
        raise InvalidInput("no such zone at this station", [Problem("unknown zone", "zone_code")])
    return zone.id


def _check_place(lat: float, lon: float) -> None:
    problem = position_problem(lat, lon, "lat")
    if problem:
        raise InvalidInput("the risk spot is not in Thailand", [problem])


def reads(session: Session, *, scope: Scope, spots: list[RiskSpot]) -> list[RiskSpotRead]:
    """Spots as the API shows them, with their station's and zone's codes."""
    stations: dict[uuid.UUID, str] = {}
    zone_codes: dict[uuid.UUID, str] = {}
    out = []
    for spot in spots:
        if spot.station_id not in stations:
            stations[spot.station_id] = org.get_unit(session, unit_id=spot.station_id).code
        if spot.zone_id is not None and spot.zone_id not in zone_codes:
            zone_codes[spot.zone_id] = zones.get_zone(session, scope=scope,
                                                      zone_id=spot.zone_id).code
        out.append(RiskSpotRead(
            id=spot.id, station_code=stations[spot.station_id],
            zone_code=zone_codes.get(spot.zone_id) if spot.zone_id else None, code=spot.code,
            name_th=spot.name_th, name_en=spot.name_en, lat=spot.lat, lon=spot.lon,
            radius_m=spot.radius_m, risk_score=spot.risk_score,
            high_risk_hours=list(spot.high_risk_hours), source=spot.source,
            active=spot.active, synthetic=spot.synthetic, note=spot.note,
            updated_at=spot.updated_at))
    return out


def read(session: Session, *, scope: Scope, spot: RiskSpot) -> RiskSpotRead:
    return reads(session, scope=scope, spots=[spot])[0]


def create_spot(session: Session, *, scope: Scope, clock: Clock, data: RiskSpotCreate,
                synthetic: bool = False) -> RiskSpot:
    scope.require(Permission.PATROL_PLAN)
    station = org.get_station(session, scope=scope, code=data.station_code)
    _check_place(data.lat, data.lon)
    if session.scalar(select(RiskSpot.id).where(RiskSpot.station_id == station.id,
                                                RiskSpot.code == data.code)):
        raise Conflict(f"risk spot code '{data.code}' is already used at this station",
                       [Problem("duplicate code", "code")])
    now = clock.now()
    spot = RiskSpot(
        station_id=station.id, zone_id=_zone_id(session, scope, station.id, data.zone_code),
        code=data.code, name_th=data.name_th, name_en=data.name_en, lat=data.lat, lon=data.lon,
        radius_m=data.radius_m, risk_score=data.risk_score,
        high_risk_hours=sorted(data.high_risk_hours), source=data.source, active=data.active,
        synthetic=synthetic, note=data.note, created_at=now, updated_at=now,
        updated_by=scope.username)
    session.add(spot)
    session.flush()
    audit.record(session, actor=scope, at=now, action="patrol.risk_spot.create",
                 entity="patrol_risk_spot", entity_id=spot.id, station_id=station.id,
                 detail={"code": spot.code, "risk_score": spot.risk_score})
    return spot


def get_spot(session: Session, *, scope: Scope, spot_id: uuid.UUID) -> RiskSpot:
    scope.require(Permission.OPS_READ)
    spot = session.get(RiskSpot, spot_id)
    if spot is None or not scope.sees_station(spot.station_id):
        raise NotFound("no such risk spot in your scope")
    return spot


def list_spots(session: Session, *, scope: Scope, station_id: uuid.UUID | None = None,
               active: bool | None = None) -> list[RiskSpot]:
    scope.require(Permission.OPS_READ)
    query = select(RiskSpot).where(scope.station_filter(RiskSpot.station_id))
    if station_id is not None:
        query = query.where(RiskSpot.station_id == station_id)
    if active is not None:
        query = query.where(RiskSpot.active.is_(active))
    return list(session.scalars(query.order_by(RiskSpot.station_id, RiskSpot.code)))


def active_spots(session: Session, *, station_id: uuid.UUID) -> list[RiskSpot]:
    """The station's active spots, for an automatic plan (the caller checked the scope)."""
    return list(session.scalars(select(RiskSpot).where(
        RiskSpot.station_id == station_id, RiskSpot.active.is_(True)).order_by(RiskSpot.code)))


def update_spot(session: Session, *, scope: Scope, clock: Clock, spot_id: uuid.UUID,
                data: RiskSpotUpdate) -> RiskSpot:
    scope.require(Permission.PATROL_PLAN)
    spot = get_spot(session, scope=scope, spot_id=spot_id)
    changes = data.model_dump(exclude_unset=True)
    if "zone_code" in changes:
        spot.zone_id = _zone_id(session, scope, spot.station_id, changes.pop("zone_code"))
    if "high_risk_hours" in changes:
        changes["high_risk_hours"] = sorted(changes["high_risk_hours"])
    for name, value in changes.items():
        setattr(spot, name, value)
    _check_place(spot.lat, spot.lon)
    now: datetime = clock.now()
    spot.updated_at, spot.updated_by = now, scope.username
    audit.record(session, actor=scope, at=now, action="patrol.risk_spot.update",
                 entity="patrol_risk_spot", entity_id=spot.id, station_id=spot.station_id,
                 detail={"fields": sorted(data.model_dump(exclude_unset=True))})
    return spot


def delete_spot(session: Session, *, scope: Scope, clock: Clock, spot_id: uuid.UUID) -> None:
    """Remove a spot; plans that named it keep their own copy of the place."""
    scope.require(Permission.PATROL_PLAN)
    spot = get_spot(session, scope=scope, spot_id=spot_id)
    audit.record(session, actor=scope, at=clock.now(), action="patrol.risk_spot.delete",
                 entity="patrol_risk_spot", entity_id=spot.id, station_id=spot.station_id,
                 detail={"code": spot.code})
    session.delete(spot)
