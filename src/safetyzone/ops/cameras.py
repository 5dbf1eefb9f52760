"""Which cameras can see a place: the SOS point's bound cameras first, then the nearest ones
within a radius that face it, within what each owner agreed to share.

A spatial index (shapely STRtree) keeps this a tree lookup, not a scan, with 100,000 cameras.
"""

from __future__ import annotations

import math
import threading
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import shapely
from shapely import STRtree
from sqlalchemy.orm import Session

from safetyzone.assets import service as assets
from safetyzone.assets.models import AssetStatus, SharingLevel
from safetyzone.core.geo import haversine_m
from safetyzone.core.security import system_scope

METRES_PER_DEGREE = 111_320.0
# Closer than this, a camera's heading hardly matters: it sees the crowd around it.
CLOSE_ENOUGH_M = 15.0
FOV_MARGIN_DEG = 10.0
LIVE = {SharingLevel.LIVE_ALWAYS, SharingLevel.LIVE_ON_ALARM}


@dataclass(frozen=True)
class IndexedCamera:
    id: uuid.UUID
    station_id: uuid.UUID
    code: str
    name_th: str
    lat: float
    lon: float
    heading_deg: float | None
    fov_deg: float | None
    sharing_level: SharingLevel
    sharing_until: datetime | None
    status: AssetStatus

    def sharing_at(self, now: datetime) -> SharingLevel:
        if self.sharing_until is not None and self.sharing_until <= now:
            return SharingLevel.REGISTRY_ONLY
        return self.sharing_level


def bearing_deg(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dl = math.radians(lon2 - lon1)
    x = math.sin(dl) * math.cos(p2)
    y = math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl)
    return (math.degrees(math.atan2(x, y)) + 360) % 360


def faces(camera: IndexedCamera, lat: float, lon: float, distance_m: float) -> bool:
    """Whether the place lies inside the camera's field of view (unknown view: assume yes)."""
    if camera.heading_deg is None or camera.fov_deg is None or distance_m <= CLOSE_ENOUGH_M:
        return True
    diff = abs((bearing_deg(camera.lat, camera.lon, lat, lon) - camera.heading_deg + 180)
               % 360 - 180)
    return diff <= camera.fov_deg / 2 + FOV_MARGIN_DEG


class CameraIndex:
    def __init__(self, cameras: Sequence[IndexedCamera]) -> None:
        self.cameras = list(cameras)
        self.by_id = {c.id: c for c in self.cameras}
        points = shapely.points(np.array([[c.lon, c.lat] for c in self.cameras]).reshape(-1, 2))
        self._tree = STRtree(points)

    def near(self, lat: float, lon: float, radius_m: float,
             station_id: uuid.UUID | None = None) -> list[tuple[IndexedCamera, float]]:
        """Cameras within ``radius_m`` of a point, nearest first."""
        if not self.cameras:
            return []
        dlat = radius_m / METRES_PER_DEGREE
        dlon = radius_m / (METRES_PER_DEGREE * max(math.cos(math.radians(lat)), 0.01))
        hits = self._tree.query(shapely.box(lon - dlon, lat - dlat, lon + dlon, lat + dlat))
        out = []
        for i in hits:
            camera = self.cameras[int(i)]
            if station_id is not None and camera.station_id != station_id:
                continue
            distance = haversine_m(lat, lon, camera.lat, camera.lon)
            if distance <= radius_m:
                out.append((camera, distance))
        out.sort(key=lambda pair: pair[1])
        return out


def _entry(camera: IndexedCamera, distance: float, reason: str, now: datetime) -> dict[str, Any]:
    sharing = camera.sharing_at(now)
    return {"camera_id": str(camera.id), "code": camera.code, "name_th": camera.name_th,
            "lat": camera.lat, "lon": camera.lon, "heading_deg": camera.heading_deg,
            "distance_m": round(distance, 1), "reason": reason,
            "sharing_level": sharing.value, "live": sharing in LIVE}


def link_cameras(
    index: CameraIndex, *, lat: float | None, lon: float | None, bound: Sequence[uuid.UUID],
    nearest: int, radius_m: float, station_id: uuid.UUID, now: datetime,
) -> list[dict[str, Any]]:
    """The cameras to dock for an incident, in the order an operator should look at them.

    Live views only where the owner shares live (always, or on alarm: an incident is one);
    "footage on request" cameras are listed as not live so the operator can ask for footage;
    "registry only" and retired cameras are left out.
    """
    chosen: list[dict[str, Any]] = []
    seen: set[uuid.UUID] = set()
    for camera_id in bound:
        camera = index.by_id.get(camera_id)
        if camera is None or camera.status is AssetStatus.RETIRED:
            continue
        if camera.sharing_at(now) is SharingLevel.REGISTRY_ONLY:
            continue
        distance = (haversine_m(lat, lon, camera.lat, camera.lon)
                    if lat is not None and lon is not None else 0.0)
        chosen.append(_entry(camera, distance, "bound", now))
        seen.add(camera.id)
    if lat is None or lon is None or nearest == 0:
        return chosen
    added = 0
    for camera, distance in index.near(lat, lon, radius_m, station_id):
        if added >= nearest:
            break
        if camera.id in seen or camera.status is AssetStatus.RETIRED:
            continue
        if camera.sharing_at(now) is SharingLevel.REGISTRY_ONLY:
            continue
        if not faces(camera, lat, lon, distance):
            continue
        chosen.append(_entry(camera, distance, "nearby", now))
        seen.add(camera.id)
        added += 1
    return chosen


class CameraIndexCache:
    """Keeps one index per process and rebuilds it when the registry's fingerprint changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._index: CameraIndex | None = None
        self._fingerprint: tuple[int, datetime | None] | None = None

    def get(self, session: Session) -> CameraIndex:
        fingerprint = assets.camera_fingerprint(session)
        with self._lock:
            if self._index is None or fingerprint != self._fingerprint:
                rows = assets.camera_rows_for_index(session, scope=system_scope("camera-index"))
                self._index = CameraIndex([IndexedCamera(
                    id=r["id"], station_id=r["station_id"], code=r["code"],
                    name_th=r["name_th"], lat=r["lat"], lon=r["lon"],
                    heading_deg=r["heading_deg"], fov_deg=r["fov_deg"],
                    sharing_level=r["sharing_level"], sharing_until=r["sharing_until"],
                    status=r["status"]) for r in rows])
                self._fingerprint = fingerprint
            return self._index
