"""Geometry checks and metric measures for zones and assets.

Coordinates are WGS84 lon/lat as GeoJSON writes them. Areas and distances in metres use
the UTM zone that covers Thailand's longitude (47N west of 102 E, 48N east of it).
"""

from __future__ import annotations

import math
from functools import cache
from typing import Any

import numpy as np
import shapely
from pyproj import Transformer
from shapely import Polygon
from shapely.geometry import Point, mapping, shape
from shapely.validation import explain_validity

from safetyzone.core.errors import InvalidInput, Problem

# Thailand with a margin for offshore islands; used to catch typos and swapped axes.
TH_LON = (97.0, 106.0)
TH_LAT = (5.0, 21.0)


def in_thailand(lon: float, lat: float) -> bool:
    return TH_LON[0] <= lon <= TH_LON[1] and TH_LAT[0] <= lat <= TH_LAT[1]


def position_problem(lat: float, lon: float, field: str = "position") -> Problem | None:
    """Say what is wrong with a point, naming a swapped latitude/longitude when that fits."""
    if in_thailand(lon, lat):
        return None
    if in_thailand(lat, lon):
        return Problem(
            f"latitude and longitude look swapped: ({lat}, {lon}) lies in Thailand as "
            f"(lat={lon}, lon={lat})",
            field,
        )
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return Problem("latitude must be within ±90 and longitude within ±180", field)
    return Problem(f"position ({lat}, {lon}) is outside Thailand", field)


def check_position(lat: float, lon: float, field: str = "position") -> None:
    problem = position_problem(lat, lon, field)
    if problem:
        raise InvalidInput(problem.reason, [problem])


@cache
def _to_utm(epsg: int) -> Transformer:
    return Transformer.from_crs("EPSG:4326", f"EPSG:{epsg}", always_xy=True)


def utm_epsg(lon: float) -> int:
    return 32647 if lon < 102.0 else 32648


def to_metric(geom: Any) -> Any:
    """Project a WGS84 geometry into its UTM zone (metres)."""
    epsg = utm_epsg(geom.centroid.x)
    return shapely.transform(geom, lambda xy: np.column_stack(_to_utm(epsg).transform(
        xy[:, 0], xy[:, 1])))


def parse_polygon(data: Any, field: str = "boundary") -> Polygon:
    """Parse and check a GeoJSON Polygon; every refusal says why in words."""
    if not isinstance(data, dict) or data.get("type") != "Polygon":
        raise InvalidInput(
            "boundary must be a GeoJSON Polygon object",
            [Problem("expected {\"type\": \"Polygon\", \"coordinates\": [...]}", field)],
        )
    try:
        geom = shape(data)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError) as err:
        raise InvalidInput(
            "boundary is not valid GeoJSON", [Problem(f"malformed coordinates: {err}", field)]
        ) from err
    if not isinstance(geom, Polygon) or geom.is_empty:
        raise InvalidInput("boundary is empty", [Problem("polygon has no area", field)])
    lon, lat = geom.exterior.coords[0]
    problem = position_problem(lat, lon, field)
    if problem is None:
        outside = [c for c in geom.exterior.coords if not in_thailand(c[0], c[1])]
        if outside:
            problem = Problem(f"vertex {outside[0]} lies outside Thailand", field)
    if problem:
        raise InvalidInput(f"boundary: {problem.reason}", [problem])
    if not geom.is_valid:
        why = explain_validity(geom)
        raise InvalidInput(
            f"boundary is not a valid polygon: {why}",
            [Problem(f"invalid polygon ({why}); self-intersecting rings are refused", field)],
        )
    if geom.area == 0:
        raise InvalidInput("boundary has no area", [Problem("polygon has no area", field)])
    return geom


def area_km2(polygon: Polygon) -> float:
    return float(to_metric(polygon).area) / 1_000_000


def polygon_geojson(polygon: Polygon) -> dict[str, Any]:
    out: dict[str, Any] = mapping(polygon)
    out["coordinates"] = [[list(c) for c in ring] for ring in out["coordinates"]]
    return out


def contains(polygon_json: dict[str, Any], lat: float, lon: float, tolerance_m: float = 50) -> bool:
    """Whether a point lies in a stored polygon, allowing a few metres on the edge."""
    metric_poly = to_metric(shape(polygon_json))
    metric_pt = Point(*_to_utm(utm_epsg(lon)).transform(lon, lat))
    return bool(metric_poly.buffer(tolerance_m).contains(metric_pt))


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres; plenty for distances inside a zone."""
    r = 6_371_008.8
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))
