"""The view-cone geometry on known inputs: in front inside the field of view is seen;
behind, beside, beyond range is not; no heading means unknown, never covering."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from safetyzone.video import coverage
from safetyzone.video.coverage import CameraIn, PlaceIn

LAT, LON = 13.7300, 100.4700
M_PER_DEG_LAT = 110_610.0  # near 13.7°N


def offset(metres_north: float, metres_east: float) -> tuple[float, float]:
    return (LAT + metres_north / M_PER_DEG_LAT,
            LON + metres_east / (111_320.0 * math.cos(math.radians(LAT))))


def camera(heading: float | None = 0.0, fov: float | None = 60.0, range_m: float | None = 50.0,
           **kw: object) -> CameraIn:
    return CameraIn(key="cam", lat=LAT, lon=LON, heading_deg=heading, fov_deg=fov,
                    range_m=range_m, owner_class="police", **kw)  # type: ignore[arg-type]


def place(north: float, east: float, key: str = "p") -> PlaceIn:
    lat, lon = offset(north, east)
    return PlaceIn(key=key, lat=lat, lon=lon)


def seen(cam: CameraIn, north: float, east: float) -> bool:
    return coverage.compute([cam], [place(north, east)], []).places["p"].covered


def test_a_point_30_m_ahead_inside_the_fov_is_covered() -> None:
    assert seen(camera(heading=0), 30, 0)
    assert seen(camera(heading=90), 0, 30)
    assert seen(camera(heading=90, fov=60), 5, 30)  # 9.5° off the axis, inside 30°


def test_behind_beside_or_beyond_range_is_not() -> None:
    assert not seen(camera(heading=0), -30, 0)  # behind
    assert not seen(camera(heading=0, fov=60), 0, 30)  # 90° off the axis
    assert not seen(camera(heading=0, range_m=50), 60, 0)  # beyond range
    assert not seen(camera(heading=0, fov=60), 30, 20)  # 33.7° off: outside a 60° cone


def test_no_heading_or_no_fov_is_unknown_never_covering() -> None:
    for cam in (camera(heading=None), camera(fov=None)):
        result = coverage.compute([cam], [place(30, 0)], [])
        assert not result.places["p"].covered
        assert result.places["p"].perhaps_by == ["cam"]  # within its range: "perhaps"
        assert result.cameras["cam"].direction_known is False
        assert result.cameras["cam"].cone is None
    far = coverage.compute([camera(heading=None)], [place(300, 0)], [])
    assert far.places["p"].perhaps_by == []


def test_inactive_cameras_do_not_cover() -> None:
    assert not seen(camera(active=False), 30, 0)


def test_unknown_range_takes_a_default_and_says_so() -> None:
    result = coverage.compute([camera(range_m=None)], [place(30, 0)], [])
    view = result.cameras["cam"]
    assert view.range_assumed and view.range_m == coverage.DEFAULT_RANGE_M["police"]
    assert result.places["p"].covered
    home = CameraIn(key="cam", lat=LAT, lon=LON, heading_deg=0, fov_deg=60, range_m=None,
                    owner_class="private_home")
    assert not coverage.compute([home], [place(30, 0)], []).places["p"].covered  # 15 m
    reader = camera(range_m=None, plate_reading=True)
    assert coverage.compute([reader], [], []).cameras["cam"].range_m == 20.0


def test_a_full_circle_camera_sees_all_round() -> None:
    cam = camera(fov=360)
    assert all(seen(cam, n, e) for n, e in ((30, 0), (-30, 0), (0, 30), (0, -30)))


def test_zone_48_east_of_102() -> None:
    cam = CameraIn(key="cam", lat=15.0, lon=104.0, heading_deg=0, fov_deg=60, range_m=50,
                   owner_class="city")
    result = coverage.compute([cam], [PlaceIn("p", 15.0 + 30 / 110_650, 104.0)], [])
    assert result.epsg == 32648 and result.places["p"].covered


def _square(north: float, east: float, half: float) -> dict[str, object]:
    corners = [offset(north + dn, east + de) for dn, de in
               ((-half, -half), (-half, half), (half, half), (half, -half), (-half, -half))]
    return {"type": "Polygon", "coordinates": [[[lon, lat] for lat, lon in corners]]}


def test_private_share_of_the_cone() -> None:
    cam = camera(heading=0, fov=90, range_m=40)
    # A 40 m square right in front holds most of the cone: flagged.
    inside = coverage.compute([cam], [], [_square(20, 0, 20)]).cameras["cam"]
    assert inside.private_share > 0.5 and inside.at_private_space
    # A small plot at the edge of the view: a share below the stated limit.
    edge = coverage.compute([cam], [], [_square(35, 0, 3)]).cameras["cam"]
    assert 0 < edge.private_share < coverage.PRIVATE_LIMIT and not edge.at_private_space
    # Behind the camera: nothing.
    behind = coverage.compute([cam], [], [_square(-20, 0, 10)]).cameras["cam"]
    assert behind.private_share == 0 and not behind.at_private_space
    # The limit is the caller's to state.
    strict = coverage.compute([cam], [], [_square(35, 0, 3)], private_limit=0.001)
    assert strict.cameras["cam"].at_private_space


def test_the_cone_is_returned_in_wgs84() -> None:
    view = coverage.compute([camera(heading=0, fov=60, range_m=50)], [], []).cameras["cam"]
    assert view.cone is not None and view.cone["type"] == "Polygon"
    ring = view.cone["coordinates"][0]
    assert ring[0] == pytest.approx((LON, LAT), abs=1e-9)
    tip = max(ring, key=lambda c: c[1])  # the northernmost point: straight ahead
    assert (tip[1] - LAT) * M_PER_DEG_LAT == pytest.approx(50, abs=0.6)


@given(bearing=st.floats(0, 359.9), distance=st.floats(1, 200),
       heading=st.floats(0, 359.9), fov=st.floats(5, 180))
def test_inside_the_cone_exactly_when_bearing_and_distance_say_so(
        bearing: float, distance: float, heading: float, fov: float) -> None:
    north = distance * math.cos(math.radians(bearing))
    east = distance * math.sin(math.radians(bearing))
    off_axis = abs((bearing - heading + 180) % 360 - 180)
    expected = off_axis <= fov / 2 and distance <= 100
    # Away from the edges (the arc is drawn in 3° chords, UTM north differs by <1° here).
    if abs(off_axis - fov / 2) < 1.5 or abs(distance - 100) < 1:
        return
    assert seen(camera(heading=heading, fov=fov, range_m=100), north, east) is expected
