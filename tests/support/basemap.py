"""A small street map file made by the tests: a PMTiles v3 archive of vector tiles (MVT) in
the Protomaps basemap's layers, generated with the ``pmtiles`` writer and
``mapbox-vector-tile`` (no binary committed); or the same streets as PNG tiles (Pillow).

The streets are a grid around a point (every ``spacing_m``, alternately major and minor
roads) plus one highway through it, on an ``earth`` polygon: the layers and ``kind`` values
the renderer's default theme draws (protomaps-leaflet's "light" flavor: land #e2dfda,
major roads and highways white; the PNG tiles draw their own colours). The tests look for
those colours on the console's map.
"""

from __future__ import annotations

import gzip
import io
import math
import warnings
from dataclasses import dataclass
from pathlib import Path

import mapbox_vector_tile
from PIL import Image, ImageDraw
from pmtiles.tile import Compression, TileType, zxy_to_tileid
from pmtiles.writer import Writer
from shapely import affinity
from shapely.geometry import LineString, box
from shapely.geometry.base import BaseGeometry

EARTH_RADIUS_M = 6_378_137.0
HALF_WORLD_M = math.pi * EARTH_RADIUS_M
EXTENT = 4096
LAND = (0xE2, 0xDF, 0xDA)  # the light flavor's earth
ROAD = (0xFF, 0xFF, 0xFF)  # its major roads and highways
RASTER_LAND = (0xF2, 0xEF, 0xE9)  # the raster file's own picture: pale land,
RASTER_ROAD = (0xE0, 0x7B, 0x39)  # orange streets


@dataclass(frozen=True)
class StreetMap:
    """What was written: where, which zooms, and the streets (lon, lat lines)."""

    path: Path
    zooms: range
    streets: list[tuple[str, LineString]]
    bounds: tuple[float, float, float, float]  # west, south, east, north


def mercator(lon: float, lat: float) -> tuple[float, float]:
    x = math.radians(lon) * EARTH_RADIUS_M
    y = math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) * EARTH_RADIUS_M
    return x, y


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    x, y = mercator(lon, lat)
    n = 2 ** z
    size = 2 * HALF_WORLD_M / n
    return int((x + HALF_WORLD_M) // size), int((HALF_WORLD_M - y) // size)


def tile_bounds(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """The tile's square in Web Mercator metres: (minx, miny, maxx, maxy)."""
    size = 2 * HALF_WORLD_M / 2 ** z
    minx = -HALF_WORLD_M + x * size
    maxy = HALF_WORLD_M - y * size
    return minx, maxy - size, minx + size, maxy


def _projected(line: BaseGeometry) -> BaseGeometry:
    return LineString([mercator(lon, lat) for lon, lat in line.coords])


def grid_streets(lat: float, lon: float, half_m: float, spacing_m: float
                 ) -> list[tuple[str, LineString]]:
    """Streets every ``spacing_m`` in a square of ``half_m`` around (lat, lon), alternately
    major and minor, and a highway from south-west to north-east through the point."""
    per_lat = 111_320.0
    per_lon = per_lat * math.cos(math.radians(lat))
    dlat, dlon = half_m / per_lat, half_m / per_lon
    streets: list[tuple[str, LineString]] = []
    steps = int(half_m // spacing_m)
    for i in range(-steps, steps + 1):
        kind = "major_road" if i % 2 == 0 else "minor_road"
        north_south = lon + i * spacing_m / per_lon
        east_west = lat + i * spacing_m / per_lat
        streets.append((kind, LineString([(north_south, lat - dlat), (north_south, lat + dlat)])))
        streets.append((kind, LineString([(lon - dlon, east_west), (lon + dlon, east_west)])))
    streets.append(("highway", LineString([(lon - dlon, lat - dlat), (lon + dlon, lat + dlat)])))
    return streets


def _tile(z: int, x: int, y: int, land: BaseGeometry,
          streets: list[tuple[str, BaseGeometry]]) -> bytes | None:
    bounds = tile_bounds(z, x, y)
    margin = (bounds[2] - bounds[0]) * 8 / 256  # a few pixels, so line ends are not drawn
    clip = box(bounds[0] - margin, bounds[1] - margin, bounds[2] + margin, bounds[3] + margin)
    roads = []
    for kind, line in streets:
        part = line.intersection(clip)
        if not part.is_empty:
            roads.append({"geometry": part, "properties": {"kind": kind, "kind_detail": kind}})
    earth = land.intersection(clip)
    if earth.is_empty and not roads:
        return None
    layers = [{"name": "earth", "features": [{"geometry": earth,
                                             "properties": {"kind": "earth"}}]},
              {"name": "roads", "features": roads}]
    with warnings.catch_warnings():  # the encoder's own use of shapely.ops.transform
        warnings.filterwarnings("ignore", "The 'shapely.ops.transform", DeprecationWarning)
        data: bytes = mapbox_vector_tile.encode(
            layers, default_options={"quantize_bounds": bounds, "extents": EXTENT})
    return gzip.compress(data)


def _raster_tile(z: int, x: int, y: int, land: BaseGeometry,
                 streets: list[tuple[str, BaseGeometry]]) -> bytes | None:
    """The same streets as a 256 px PNG: land and roads in the raster colours."""
    minx, miny, maxx, maxy = tile_bounds(z, x, y)
    if not land.intersects(box(minx, miny, maxx, maxy)):
        return None
    scale = 256 / (maxx - minx)
    image = Image.new("RGB", (256, 256), RASTER_LAND)
    draw = ImageDraw.Draw(image)
    for _, line in streets:
        draw.line([((px - minx) * scale, (maxy - py) * scale) for px, py in line.coords],
                  fill=RASTER_ROAD, width=max(2, 2 ** (z - 12)))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def write_street_map(path: Path, *, lat: float, lon: float, zooms: range = range(10, 16),
                     half_m: float = 1500.0, spacing_m: float = 250.0,
                     raster: bool = False) -> StreetMap:
    """Write the archive at ``path``: every tile at ``zooms`` that touches the streets, as
    vector tiles (MVT, gzip) or, with ``raster``, as PNG pictures of them."""
    streets = grid_streets(lat, lon, half_m, spacing_m)
    projected = [(kind, _projected(line)) for kind, line in streets]
    per_lat = 111_320.0
    per_lon = per_lat * math.cos(math.radians(lat))
    west, east = lon - half_m / per_lon, lon + half_m / per_lon
    south, north = lat - half_m / per_lat, lat + half_m / per_lat
    minx, miny = mercator(west, south)
    maxx, maxy = mercator(east, north)
    land = affinity.scale(box(minx, miny, maxx, maxy), 1.2, 1.2)  # land beyond the grid
    make = _raster_tile if raster else _tile
    tiles: dict[int, bytes] = {}
    for z in zooms:
        x0, y0 = tile_of(west, north, z)
        x1, y1 = tile_of(east, south, z)
        for x in range(x0, x1 + 1):
            for y in range(y0, y1 + 1):
                data = make(z, x, y, land, projected)
                if data is not None:
                    tiles[zxy_to_tileid(z, x, y)] = data
    with path.open("wb") as out:
        writer = Writer(out)
        for tile_id in sorted(tiles):
            writer.write_tile(tile_id, tiles[tile_id])
        e7 = 10_000_000
        layers = [{"id": "earth", "fields": {"kind": "String"}},
                  {"id": "roads", "fields": {"kind": "String", "kind_detail": "String"}}]
        writer.finalize(
            {"tile_type": TileType.PNG if raster else TileType.MVT,
             "tile_compression": Compression.NONE if raster else Compression.GZIP,
             "min_lon_e7": round(west * e7), "min_lat_e7": round(south * e7),
             "max_lon_e7": round(east * e7), "max_lat_e7": round(north * e7),
             "center_zoom": zooms[-1], "center_lon_e7": round(lon * e7),
             "center_lat_e7": round(lat * e7)},
            {"name": "SafetyZone test streets", "attribution": "generated by the tests",
             **({} if raster else {"vector_layers": layers})})
    return StreetMap(path=path, zooms=zooms, streets=streets, bounds=(west, south, east, north))
