"""Which places no camera sees, and which cameras look into private space: the geometry.

Pure functions on plain values (no database): the service gathers cameras, places and
private areas of one station and hands them here.

* A camera's view is a cone (a circular sector): from its position, centred on its compass
  heading, ``fov_deg`` wide, ``range_m`` long. Cones are built in metres in the station's
  UTM zone (47N west of 102°E, 48N east of it; pyproj), where a circle is a circle. Grid
  north in UTM differs from true north by under 3° in Thailand: well inside any heading a
  person types.
* A camera without a heading or a field of view has no cone: it is "direction unknown". It
  never counts as covering a place (nothing proves it faces it); places within its range are
  listed as "perhaps seen" so that someone goes and measures.
* A camera without a range gets a default for its kind (``DEFAULT_RANGE_M``) and says so
  (``range_assumed``): the map draws such cones dashed.
* A place is covered when it lies in at least one active camera's cone (STRtree query, so
  the work grows with the cones near each place, not with all cameras).
* A camera looks into private space when the share of its cone's area lying on private
  areas is more than ``private_limit`` (a stated share, 25 % by default).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np
import shapely
from pyproj import Transformer
from shapely import STRtree
from shapely.geometry import Point, Polygon, mapping, shape
from shapely.ops import unary_union

from safetyzone.core.geo import utm_epsg

# How far a camera sees usefully when nobody measured it, by owner class (metres): poles of
# the city and the police watch a junction or a street; a shop's camera its front; a home's
# camera its gate. Plate readers read plates only close by.
DEFAULT_RANGE_M = {"city": 50.0, "police": 50.0, "other_agency": 40.0,
                   "private_business": 25.0, "private_home": 15.0}
PLATE_READER_RANGE_M = 20.0
TRAFFIC_RANGE_M = 60.0  # a traffic camera watches a whole junction
PRIVATE_LIMIT = 0.25
ARC_STEP_DEG = 3.0


@cache
def _transformers(epsg: int) -> tuple[Transformer, Transformer]:
    forward = Transformer.from_crs("EPSG:4326", f"EPSG:{epsg}", always_xy=True)
    back = Transformer.from_crs(f"EPSG:{epsg}", "EPSG:4326", always_xy=True)
    return forward, back


@dataclass(frozen=True)
class CameraIn:
    key: str
    lat: float
    lon: float
    heading_deg: float | None
    fov_deg: float | None
    range_m: float | None
    owner_class: str
    purposes: tuple[str, ...] = ()
    plate_reading: bool = False
    active: bool = True


@dataclass(frozen=True)
class PlaceIn:
    key: str
    lat: float
    lon: float


@dataclass
class CameraView:
    key: str
    direction_known: bool
    range_m: float
    range_assumed: bool
    cone: dict[str, Any] | None  # GeoJSON Polygon, WGS84
    private_share: float = 0.0
    at_private_space: bool = False


@dataclass
class PlaceCover:
    key: str
    seen_by: list[str] = field(default_factory=list)
    perhaps_by: list[str] = field(default_factory=list)  # direction unknown, within range

    @property
    def covered(self) -> bool:
        return bool(self.seen_by)


@dataclass
class Result:
    epsg: int
    cameras: dict[str, CameraView]
    places: dict[str, PlaceCover]
    private_limit: float


def _project(geom: Any, transformer: Transformer) -> Any:
    return shapely.transform(geom, lambda xy: np.column_stack(
        transformer.transform(xy[:, 0], xy[:, 1])))


def assumed_range(camera: CameraIn) -> float:
    """The default range of a camera nobody measured."""
    if camera.plate_reading:
        return PLATE_READER_RANGE_M
    if "traffic" in camera.purposes:
        return TRAFFIC_RANGE_M
    return DEFAULT_RANGE_M.get(camera.owner_class, 30.0)


def cone(x: float, y: float, heading_deg: float, fov_deg: float, range_m: float) -> Polygon:
    """The view sector in metres: compass heading (0 north, clockwise), apex at (x, y)."""
    if fov_deg >= 360:
        return Point(x, y).buffer(range_m, quad_segs=32)
    steps = max(2, math.ceil(fov_deg / ARC_STEP_DEG))
    start = heading_deg - fov_deg / 2
    ring = [(x, y)]
    for i in range(steps + 1):
        a = math.radians(start + fov_deg * i / steps)
        ring.append((x + range_m * math.sin(a), y + range_m * math.cos(a)))
    return Polygon(ring)


def compute(cameras: Sequence[CameraIn], places: Sequence[PlaceIn],
            private_areas: Sequence[dict[str, Any]], *, private_limit: float = PRIVATE_LIMIT,
            epsg: int | None = None) -> Result:
    """Cones of the cameras, the cover of each place and each cone's share on private space.

    ``private_areas`` are GeoJSON Polygons in WGS84. ``epsg`` defaults to the UTM zone of
    the cameras' and places' mean longitude (one station's zone sits in one UTM zone).
    """
    lons = [c.lon for c in cameras] + [p.lon for p in places]
    epsg = epsg or utm_epsg(sum(lons) / len(lons) if lons else 100.5)
    forward, back = _transformers(epsg)

    def metres(lon: float, lat: float) -> tuple[float, float]:
        x, y = forward.transform(lon, lat)
        return float(x), float(y)

    views: dict[str, CameraView] = {}
    cones: list[Polygon] = []
    cone_keys: list[str] = []
    unknown: list[tuple[str, float, float, float]] = []  # key, x, y, range
    for camera in cameras:
        rng = camera.range_m if camera.range_m is not None else assumed_range(camera)
        known = camera.heading_deg is not None and camera.fov_deg is not None
        view = CameraView(key=camera.key, direction_known=known, range_m=rng,
                          range_assumed=camera.range_m is None, cone=None)
        views[camera.key] = view
        x, y = metres(camera.lon, camera.lat)
        if not known:
            if camera.active:
                unknown.append((camera.key, x, y, rng))
            continue
        assert camera.heading_deg is not None and camera.fov_deg is not None
        sector = cone(x, y, camera.heading_deg, camera.fov_deg, rng)
        view.cone = mapping(_project(sector, back))
        if camera.active:
            cones.append(sector)
            cone_keys.append(camera.key)
    _private_shares(views, cones, cone_keys, private_areas, forward, private_limit)
    covers = {p.key: PlaceCover(p.key) for p in places}
    place_xy = [metres(p.lon, p.lat) for p in places]
    if places and cones:
        tree = STRtree(cones)
        points = shapely.points([list(xy) for xy in place_xy])
        place_idx, cone_idx = tree.query(points, predicate="intersects")
        for pi, ci in zip(place_idx.tolist(), cone_idx.tolist(), strict=True):
            covers[places[pi].key].seen_by.append(cone_keys[ci])
    for place, (px, py) in zip(places, place_xy, strict=True):
        cover = covers[place.key]
        cover.seen_by.sort()
        if cover.covered:
            continue
        cover.perhaps_by = sorted(key for key, x, y, rng in unknown
                                  if math.hypot(px - x, py - y) <= rng)
    return Result(epsg=epsg, cameras=views, places=covers, private_limit=private_limit)


def _private_shares(views: dict[str, CameraView], cones: list[Polygon], keys: list[str],
                    private_areas: Sequence[dict[str, Any]], forward: Transformer,
                    limit: float) -> None:
    if not private_areas or not cones:
        return
    private = unary_union([_project(shape(a), forward).buffer(0)
                           for a in private_areas])
    if private.is_empty:
        return
    shapely.prepare(private)
    for sector, key in zip(cones, keys, strict=True):
        if sector.area <= 0 or not private.intersects(sector):
            continue
        share = sector.intersection(private).area / sector.area
        view = views[key]
        view.private_share = round(share, 3)
        view.at_private_space = share > limit
