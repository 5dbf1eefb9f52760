"""The GeoJSON form of the asset transfer rows: a FeatureCollection of Point features.

Properties carry the CSV column names; the position is the Point geometry ``[lon, lat]``.
A camera may leave the geometry out and then stands where its camera point stands.
Problems name the feature as ``features[i]`` plus the property.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from safetyzone.assets.transfer_csv import CAMERA, COLUMNS, MAX_ROWS, SourceRow, too_many_rows
from safetyzone.core.errors import InvalidInput, Problem

# A position problem of any kind points at the geometry the feature holds it in.
_GEOMETRY = {"lat": "geometry", "lon": "geometry", "position": "geometry"}


def parse_json(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise InvalidInput("the file is not JSON", [Problem(
            f"{err.msg} at line {err.lineno} column {err.colno}", line=err.lineno)]) from err
    except RecursionError as err:
        raise InvalidInput("the file is not JSON", [Problem("nested too deeply")]) from err


def read_geojson(data: Any) -> tuple[list[SourceRow], list[Problem]]:
    """The rows of a FeatureCollection; refuses anything else at once."""
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise InvalidInput("the file is not a GeoJSON FeatureCollection", [Problem(
            'expected {"type": "FeatureCollection", "features": [...]}', field="type")])
    features = data.get("features")
    if not isinstance(features, list):
        raise InvalidInput("the FeatureCollection has no 'features' list",
                           [Problem("expected a list of features", field="features")])
    if not features:
        raise InvalidInput("the FeatureCollection has no features",
                           [Problem("no features", field="features")])
    if len(features) > MAX_ROWS:
        raise too_many_rows(len(features))
    return [_row(i, feature) for i, feature in enumerate(features)], []


def _row(index: int, feature: Any) -> SourceRow:
    row = SourceRow(cells={}, prefix=f"features[{index}]", aliases=_GEOMETRY)
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        row.refuse('not a GeoJSON Feature: expected {"type": "Feature", ...}')
        return row
    properties = feature.get("properties") or {}
    if not isinstance(properties, dict):
        row.refuse("properties must be an object", "properties")
        return row
    for name, value in properties.items():
        if name in {"lat", "lon"}:
            row.refuse("give the position as the Point geometry [lon, lat]", name)
        elif name not in COLUMNS:
            row.refuse(f"unknown property '{name}'", name)
        elif value is not None and value != "":
            row.cells[name] = value
    geometry = feature.get("geometry")
    if geometry is None:
        if properties.get("kind") != CAMERA:
            row.refuse("a Point geometry [lon, lat] is required (only cameras may omit it)",
                       "lat")
        return row
    coordinates = geometry.get("coordinates") if isinstance(geometry, dict) else None
    if not isinstance(geometry, dict) or geometry.get("type") != "Point":
        kind = geometry.get("type") if isinstance(geometry, dict) else type(geometry).__name__
        row.refuse(f"geometry must be a Point, not {kind}", "lat")
    elif (not isinstance(coordinates, list) or len(coordinates) not in {2, 3}
          or not all(isinstance(c, int | float) and not isinstance(c, bool)
                     for c in coordinates)):
        row.refuse("a Point's coordinates must be [lon, lat] numbers", "lat")
    else:
        row.cells["lon"], row.cells["lat"] = coordinates[0], coordinates[1]
    return row


def write_geojson(records: Iterable[Mapping[str, object]]) -> dict[str, Any]:
    """Rows as a FeatureCollection; each row's position becomes its Point geometry."""
    features = []
    for record in records:
        properties = {k: v for k, v in record.items() if k not in {"lat", "lon"}}
        features.append({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [record["lon"], record["lat"]]},
            "properties": properties,
        })
    return {"type": "FeatureCollection", "features": features}
