"""Geometry checks: the mistakes people make when typing coordinates get named."""

from __future__ import annotations

import pytest

from safetyzone.core.errors import InvalidInput
from safetyzone.core.geo import area_km2, check_position, haversine_m, parse_polygon
from support.world import square


def test_area_of_a_square_kilometre_near_bangkok() -> None:
    # 0.009 degrees of latitude is ~1 km; longitude shrinks by cos(13.7°).
    half_lat = 0.0045
    half_lon = 0.0045 / 0.9716
    ring = [[100.47 - half_lon, 13.73 - half_lat], [100.47 + half_lon, 13.73 - half_lat],
            [100.47 + half_lon, 13.73 + half_lat], [100.47 - half_lon, 13.73 + half_lat],
            [100.47 - half_lon, 13.73 - half_lat]]
    polygon = parse_polygon({"type": "Polygon", "coordinates": [ring]})
    assert area_km2(polygon) == pytest.approx(1.0, rel=0.01)


def test_swapped_latitude_longitude_is_named() -> None:
    with pytest.raises(InvalidInput, match="swapped"):
        check_position(100.47, 13.73)


def test_position_outside_thailand() -> None:
    with pytest.raises(InvalidInput, match="outside Thailand"):
        check_position(48.85, 2.35)


def test_position_out_of_range() -> None:
    with pytest.raises(InvalidInput, match="within ±90"):
        check_position(95.0, 100.0)


def test_self_intersecting_polygon_is_refused() -> None:
    bowtie = [[100.46, 13.72], [100.48, 13.74], [100.48, 13.72], [100.46, 13.74],
              [100.46, 13.72]]
    with pytest.raises(InvalidInput, match="Self-intersection") as info:
        parse_polygon({"type": "Polygon", "coordinates": [bowtie]})
    assert "self-intersecting" in info.value.problems[0].reason


def test_polygon_with_swapped_axes_is_named() -> None:
    poly = square(13.73, 100.47)
    swapped = [[lat, lon] for lon, lat in poly["coordinates"][0]]  # type: ignore[index]
    with pytest.raises(InvalidInput, match="swapped"):
        parse_polygon({"type": "Polygon", "coordinates": [swapped]})


@pytest.mark.parametrize("garbage", [
    None, [], "POLYGON((0 0))", {"type": "Point", "coordinates": [100.4, 13.7]},
    {"type": "Polygon"}, {"type": "Polygon", "coordinates": "nope"},
    {"type": "Polygon", "coordinates": [[[100.4, 13.7], [100.5, 13.7]]]},
])
def test_malformed_geojson_is_refused(garbage: object) -> None:
    with pytest.raises(InvalidInput):
        parse_polygon(garbage)


def test_haversine_one_degree_of_latitude() -> None:
    assert haversine_m(13.0, 100.0, 14.0, 100.0) == pytest.approx(111_195, rel=0.001)
