"""Geofences: which of its station's zones a unit is in, and the record of it crossing one.

The zone polygons are parsed and prepared once per database and kept until a zone is added or
redrawn (``org.zones.zones_fingerprint``: one aggregate query a batch). A unit is "in" the first
zone of its station (by code) that contains its position; zones of a station do not overlap.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import shapely
from shapely.geometry import shape
from sqlalchemy import select
from sqlalchemy.orm import Session

from safetyzone.core.security import Permission, Scope
from safetyzone.ops import feed
from safetyzone.ops.models import Unit
from safetyzone.org import service as org
from safetyzone.org import zones
from safetyzone.patrol.track_models import GeofenceEvent
from safetyzone.patrol.track_schemas import GeofenceEventRead

FEED_TYPE = "patrol.geofence"


@dataclass(frozen=True)
class ZoneShape:
    id: uuid.UUID
    code: str
    geom: Any  # a prepared shapely geometry
    bounds: tuple[float, float, float, float]  # min lon, min lat, max lon, max lat

    def contains(self, lat: float, lon: float) -> bool:
        x0, y0, x1, y1 = self.bounds  # a cheap look first: most fixes are far from most zones
        return x0 <= lon <= x1 and y0 <= lat <= y1 and bool(
            shapely.contains_xy(self.geom, lon, lat))


class ZoneIndex:
    """Each station's zones, prepared for point-in-polygon tests."""

    def __init__(self, shapes: dict[uuid.UUID, list[ZoneShape]]) -> None:
        self.by_station = shapes
        self.by_id = {z.id: z for station in shapes.values() for z in station}

    def zone_at(self, station_id: uuid.UUID, lat: float, lon: float) -> ZoneShape | None:
        for zone in self.by_station.get(station_id, ()):
            if zone.contains(lat, lon):
                return zone
        return None


def prepared(geojson: dict[str, Any]) -> Any:
    geom = shape(geojson)
    shapely.prepare(geom)
    return geom


class ZoneCache:
    """One index per database URL, rebuilt when its zones' fingerprint changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_url: dict[str, tuple[object, ZoneIndex]] = {}

    def get(self, session: Session) -> ZoneIndex:
        url = str(session.get_bind().engine.url)
        fingerprint = zones.zones_fingerprint(session)
        with self._lock:
            held = self._by_url.get(url)
            if held is not None and held[0] == fingerprint:
                return held[1]
        shapes: dict[uuid.UUID, list[ZoneShape]] = {}
        for zone in zones.public_zones(session):  # by code
            geom = prepared(zone.boundary)
            shapes.setdefault(zone.station_id, []).append(
                ZoneShape(zone.id, zone.code, geom, tuple(geom.bounds)))
        index = ZoneIndex(shapes)
        with self._lock:
            if len(self._by_url) > 16:  # tests open many databases; a server has one
                self._by_url.clear()
            self._by_url[url] = (fingerprint, index)
        return index


def crossing_payload(event: GeofenceEvent, callsign: str) -> dict[str, Any]:
    return {"unit_id": str(event.unit_id), "callsign": callsign, "zone_code": event.zone_code,
            "kind": event.kind, "at": event.at.isoformat(), "lat": event.lat, "lon": event.lon}


@dataclass(frozen=True)
class Crossing:
    unit_id: uuid.UUID
    station_id: uuid.UUID
    zone: ZoneShape
    kind: str  # "enter" | "exit"
    at: datetime
    lat: float
    lon: float


def record_crossing(session: Session, crossing: Crossing, *, callsign: str,
                    now: datetime) -> GeofenceEvent:
    """A unit entered or left a zone: a row, and an entry on its station's live feed."""
    c = crossing
    event = GeofenceEvent(station_id=c.station_id, unit_id=c.unit_id, zone_id=c.zone.id,
                          zone_code=c.zone.code, kind=c.kind, at=c.at, lat=c.lat, lon=c.lon)
    session.add(event)
    feed.append(session, station_id=c.station_id, at=now, type=FEED_TYPE,
                entity_id=c.unit_id, payload=crossing_payload(event, callsign))
    return event


def list_crossings(session: Session, *, scope: Scope, station_code: str | None,
                   since: datetime, until: datetime, unit_id: uuid.UUID | None = None,
                   limit: int = 5000) -> list[GeofenceEventRead]:
    """Crossings in the caller's stations (or one of them) in a window, oldest first."""
    scope.require(Permission.OPS_READ)
    query = (select(GeofenceEvent, Unit.callsign).join(Unit, Unit.id == GeofenceEvent.unit_id)
             .where(scope.station_filter(GeofenceEvent.station_id),
                    GeofenceEvent.at >= since, GeofenceEvent.at < until))
    if station_code is not None:
        station = org.get_station(session, scope=scope, code=station_code)
        query = query.where(GeofenceEvent.station_id == station.id)
    if unit_id is not None:
        query = query.where(GeofenceEvent.unit_id == unit_id)
    rows = session.execute(query.order_by(GeofenceEvent.at, GeofenceEvent.id).limit(limit))
    return [GeofenceEventRead.model_validate(crossing_payload(event, callsign))
            for event, callsign in rows]

