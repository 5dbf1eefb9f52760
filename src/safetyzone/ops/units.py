"""Patrol units: registration, their own status, positions from GPS, and who is nearest."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from safetyzone.audit import service as audit
from safetyzone.core.clock import Clock
from safetyzone.core.errors import Conflict, NotFound, Problem
from safetyzone.core.events import Event, GpsPayload
from safetyzone.core.geo import haversine_m
from safetyzone.core.security import Permission, Scope
from safetyzone.ops import feed
from safetyzone.ops.models import Unit, UnitKind, UnitStatus
from safetyzone.ops.schemas import Recommendation, UnitCreate, UnitRead
from safetyzone.org import service as org

# Straight-line ETA: urban speeds by kind, and a detour factor for streets not crow-flight.
URBAN_SPEED_MPS = {UnitKind.CAR: 8.3, UnitKind.MOTORCYCLE: 9.7, UnitKind.FOOT: 1.4,
                   UnitKind.VOLUNTEER: 4.2, UnitKind.INVESTIGATION: 8.3}
DETOUR = 1.3
# A patrol car does not move faster than this; a fix implying more is a GPS glitch.
MAX_PLAUSIBLE_MPS = 70.0
STALE_FIX = timedelta(minutes=10)


def unit_payload(unit: Unit) -> dict[str, Any]:
    return UnitRead.model_validate(unit).model_dump(mode="json")


def create_unit(session: Session, *, scope: Scope, clock: Clock, data: UnitCreate) -> Unit:
    scope.require(Permission.ZONE_WRITE)
    station = org.get_station(session, scope=scope, code=data.station_code)
    if session.scalar(select(Unit.id).where(Unit.station_id == station.id,
                                            Unit.code == data.code)):
        raise Conflict(f"unit code '{data.code}' is already used at this station",
                       [Problem("duplicate code", "code")])
    now = clock.now()
    unit = Unit(station_id=station.id, code=data.code, callsign=data.callsign, kind=data.kind,
                status=data.status, position_suspect=False, updated_at=now)
    session.add(unit)
    session.flush()
    audit.record(session, actor=scope, at=now, action="unit.create", entity="unit",
                 entity_id=unit.id, station_id=station.id)
    feed.append(session, station_id=unit.station_id, at=now, type="unit.updated",
                entity_id=unit.id, payload=unit_payload(unit))
    return unit


def get_unit(session: Session, *, scope: Scope, unit_id: uuid.UUID) -> Unit:
    scope.require(Permission.OPS_READ)
    unit = session.get(Unit, unit_id)
    if unit is None or not scope.sees_station(unit.station_id):
        raise NotFound("no such unit in your scope")
    return unit


def station_of(session: Session, *, unit_id: uuid.UUID) -> uuid.UUID | None:
    """The station of a unit, unscoped: for domains that already hold the unit's id."""
    return session.scalar(select(Unit.station_id).where(Unit.id == unit_id))


def list_units(session: Session, *, scope: Scope, station_id: uuid.UUID | None = None,
               status: UnitStatus | None = None) -> list[Unit]:
    scope.require(Permission.OPS_READ)
    query = select(Unit).where(scope.station_filter(Unit.station_id))
    if station_id is not None:
        query = query.where(Unit.station_id == station_id)
    if status is not None:
        query = query.where(Unit.status == status)
    return list(session.scalars(query.order_by(Unit.code)))


def count_on_duty(session: Session, *, station_id: uuid.UUID) -> int:
    return int(session.scalar(select(func.count(Unit.id)).where(
        Unit.station_id == station_id, Unit.status != UnitStatus.OFF_DUTY)) or 0)


def set_status(session: Session, *, scope: Scope, clock: Clock, unit_id: uuid.UUID,
               status: UnitStatus) -> Unit:
    """A unit's own status change (from the officer's phone or the console)."""
    scope.require(Permission.UNIT_STATUS)
    unit = get_unit(session, scope=scope, unit_id=unit_id)
    before = unit.status
    unit.status = status
    unit.updated_at = clock.now()
    audit.record(session, actor=scope, at=unit.updated_at, action="unit.status", entity="unit",
                 entity_id=unit.id, station_id=unit.station_id,
                 detail={"from": before.value, "to": status.value})
    feed.append(session, station_id=unit.station_id, at=unit.updated_at, type="unit.updated",
                entity_id=unit.id, payload=unit_payload(unit))
    return unit


def apply_fix(session: Session, *, unit: Unit, event: Event, now: datetime) -> bool:
    """Move a unit to a GPS fix; older fixes than the last one do not move it back.

    Returns whether the unit changed. A fix that implies an impossible speed is kept but
    marked suspect, so dispatch does not trust it until a plausible fix follows.
    """
    if event.location is None:
        return False
    if unit.fix_time is not None and event.event_time <= unit.fix_time:
        return False  # out of order or repeated: the inbox has it, the map does not need it
    suspect = False
    if unit.lat is not None and unit.lon is not None and unit.fix_time is not None:
        seconds = (event.event_time - unit.fix_time).total_seconds()
        metres = haversine_m(unit.lat, unit.lon, event.location.lat, event.location.lon)
        suspect = seconds <= 0 or metres / seconds > MAX_PLAUSIBLE_MPS
    payload = event.payload if isinstance(event.payload, GpsPayload) else GpsPayload()
    unit.lat, unit.lon = event.location.lat, event.location.lon
    unit.speed_mps, unit.heading_deg = payload.speed_mps, payload.heading_deg
    unit.fix_time, unit.fix_received_at = event.event_time, event.received_at
    unit.position_suspect = suspect
    unit.updated_at = now
    return True


def recommend(session: Session, *, station_id: uuid.UUID, lat: float | None,
              lon: float | None, limit: int, now: datetime) -> list[Recommendation]:
    """The nearest available units with a trusted position, nearest first."""
    if lat is None or lon is None or limit == 0:
        return []
    units = session.scalars(select(Unit).where(
        Unit.station_id == station_id, Unit.status == UnitStatus.AVAILABLE,
        Unit.lat.is_not(None), Unit.position_suspect.is_(False)))
    ranked: list[Recommendation] = []
    for unit in units:
        assert unit.lat is not None and unit.lon is not None
        distance = haversine_m(lat, lon, unit.lat, unit.lon)
        ranked.append(Recommendation(
            unit_id=unit.id, code=unit.code, callsign=unit.callsign, kind=unit.kind,
            distance_m=round(distance, 1),
            eta_s=round(distance * DETOUR / URBAN_SPEED_MPS[unit.kind], 1),
            stale_fix=unit.fix_received_at is None or now - unit.fix_received_at > STALE_FIX))
    ranked.sort(key=lambda r: (r.stale_fix, r.eta_s))
    return ranked[:limit]
