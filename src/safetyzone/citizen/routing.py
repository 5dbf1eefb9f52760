"""Which station a citizen's point belongs to: the zone that contains it, else the nearest
station, and that station's public card (phone, LINE, service posts with hours).

The zone polygons are kept in a per-database index (shapely STRtree over prepared
polygons) rebuilt only when a zone or a station is added or redrawn, so locating an
emergency is a tree lookup, not a scan of every boundary.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass
from typing import Literal

import shapely
from shapely import STRtree
from shapely.geometry import Point, shape
from sqlalchemy import select
from sqlalchemy.orm import Session

from safetyzone.citizen.models import ServicePost, StationContact
from safetyzone.citizen.schemas import PostInfo, StationCard, StationInfo, ZoneInfo
from safetyzone.core.errors import NotFound
from safetyzone.core.geo import check_position, haversine_m
from safetyzone.org import service as org
from safetyzone.org import zones

MAX_POSTS = 10


@dataclass(frozen=True)
class _Zone:
    id: uuid.UUID
    code: str
    name_th: str
    name_en: str
    station_id: uuid.UUID
    area_km2: float


@dataclass(frozen=True)
class _Station:
    id: uuid.UUID
    code: str
    name_th: str
    name_en: str
    lat: float | None
    lon: float | None


@dataclass(frozen=True)
class Placement:
    """Where a point belongs: its station, its zone if one contains it, and how."""

    station_id: uuid.UUID
    zone_id: uuid.UUID | None
    how: Literal["zone", "nearest"]
    distance_m: float | None


class _Index:
    def __init__(self, zone_rows: list[tuple[_Zone, object]], stations: list[_Station]) -> None:
        self.zones = [z for z, _ in zone_rows]
        geoms = [g for _, g in zone_rows]
        for geom in geoms:
            shapely.prepare(geom)
        self.geoms = geoms
        self.tree = STRtree(geoms) if geoms else None
        self.stations = {s.id: s for s in stations}

    def place(self, lat: float, lon: float) -> Placement:
        point = Point(lon, lat)
        if self.tree is not None:
            hits = [int(i) for i in self.tree.query(point, predicate="intersects")]
            # Overlapping zones (a drawing slip): the smaller one is the more specific.
            inside = sorted((self.zones[i] for i in hits), key=lambda z: (z.area_km2, z.code))
            for zone in inside:
                station = self.stations.get(zone.station_id)
                if station is not None:
                    return Placement(station.id, zone.id, "zone", _distance(station, lat, lon))
        placed = [(d, s) for s in self.stations.values()
                  if (d := _distance(s, lat, lon)) is not None]
        if not placed:
            raise NotFound("no station has a position yet: call 191")
        distance, station = min(placed, key=lambda pair: (pair[0], pair[1].code))
        return Placement(station.id, None, "nearest", distance)


def _distance(station: _Station, lat: float, lon: float) -> float | None:
    if station.lat is None or station.lon is None:
        return None
    return round(haversine_m(lat, lon, station.lat, station.lon), 1)


class _Cache:
    """One index per database URL, rebuilt when its fingerprint changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_url: dict[str, tuple[object, _Index]] = {}

    def get(self, session: Session) -> _Index:
        url = str(session.get_bind().engine.url)
        stations = org.public_stations(session)
        fingerprint = (zones.zones_fingerprint(session),
                       tuple((s.id, s.lat, s.lon) for s in stations))
        with self._lock:
            held = self._by_url.get(url)
            if held is not None and held[0] == fingerprint:
                return held[1]
        index = _Index(
            [(_Zone(z.id, z.code, z.name_th, z.name_en, z.station_id, z.area_km2),
              shape(z.boundary)) for z in zones.public_zones(session)],
            [_Station(s.id, s.code, s.name_th, s.name_en, s.lat, s.lon) for s in stations])
        with self._lock:
            if len(self._by_url) > 16:  # tests open many databases; a server has one
                self._by_url.clear()
            self._by_url[url] = (fingerprint, index)
        return index


_cache = _Cache()


def place(session: Session, *, lat: float, lon: float) -> Placement:
    """The station (and zone) a point in Thailand belongs to."""
    check_position(lat, lon, "location")
    return _cache.get(session).place(lat, lon)


def locate(session: Session, *, lat: float, lon: float) -> StationCard:
    """The public card of the station a point belongs to, posts nearest first."""
    placement = place(session, lat=lat, lon=lon)
    index = _cache.get(session)
    station = index.stations[placement.station_id]
    zone = next((z for z in index.zones if z.id == placement.zone_id), None)
    contact = session.get(StationContact, station.id)
    posts = sorted(
        (PostInfo(kind=p.kind, name_th=p.name_th, name_en=p.name_en, lat=p.lat, lon=p.lon,
                  hours_th=p.hours_th, hours_en=p.hours_en,
                  distance_m=round(haversine_m(lat, lon, p.lat, p.lon), 1))
         for p in session.scalars(select(ServicePost).where(
             ServicePost.station_id == station.id))),
        key=lambda p: p.distance_m)[:MAX_POSTS]
    return StationCard(
        station=StationInfo(code=station.code, name_th=station.name_th,
                            name_en=station.name_en,
                            phone=contact.phone if contact else None,
                            line_url=contact.line_url if contact else None,
                            lat=station.lat, lon=station.lon,
                            demo=bool(contact and contact.synthetic)),
        zone=ZoneInfo(code=zone.code, name_th=zone.name_th, name_en=zone.name_en)
        if zone else None,
        how=placement.how, distance_m=placement.distance_m, posts=posts)


def station_card(session: Session, *, station_id: uuid.UUID) -> tuple[str, str, str | None]:
    """A station's names and public phone, for a ticket page."""
    station = org.get_unit(session, unit_id=station_id)
    contact = session.get(StationContact, station_id)
    return station.name_th, station.name_en, contact.phone if contact else None
