"""Which cameras an incident docks: bound first, then nearby ones that face it, within what
each owner agreed to share; and the spatial index agrees with a brute-force scan."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from safetyzone.assets.models import AssetStatus, SharingLevel
from safetyzone.core.geo import haversine_m
from safetyzone.ops.cameras import CameraIndex, IndexedCamera, faces, link_cameras

NOW = datetime(2026, 6, 1, tzinfo=UTC)
STATION = uuid.uuid4()
LAT, LON = 13.7300, 100.4700
METRE = 1 / 111_320


def cam(code: str, north_m: float = 0, east_m: float = 0, *, heading: float | None = None,
        fov: float | None = None, sharing: SharingLevel = SharingLevel.LIVE_ALWAYS,
        until: datetime | None = None, status: AssetStatus = AssetStatus.ACTIVE,
        station: uuid.UUID = STATION) -> IndexedCamera:
    return IndexedCamera(
        id=uuid.uuid4(), station_id=station, code=code, name_th=code,
        lat=LAT + north_m * METRE, lon=LON + east_m * METRE / 0.9716, heading_deg=heading,
        fov_deg=fov, sharing_level=sharing, sharing_until=until, status=status)


def test_field_of_view() -> None:
    south_looking_north = cam("c", north_m=-100, heading=0, fov=60)
    assert faces(south_looking_north, LAT, LON, 100)
    assert not faces(cam("c", north_m=-100, heading=180, fov=60), LAT, LON, 100)
    assert faces(cam("c", north_m=-10, heading=180, fov=60), LAT, LON, 10)  # right next to it
    assert faces(cam("c", north_m=-100), LAT, LON, 100)  # view unknown: assume it sees
    # 25° off axis with a 40° lens: inside the 10° margin; 45° off is not.
    assert faces(cam("c", north_m=-100, east_m=-46, heading=0, fov=40), LAT, LON, 110)
    assert not faces(cam("c", north_m=-100, east_m=-100, heading=0, fov=40), LAT, LON, 141)


def test_bound_first_then_nearest_facing_within_sharing_terms() -> None:
    bound_far = cam("bound-far", north_m=250, heading=180, fov=90)
    cameras = [
        bound_far,
        cam("near-facing", north_m=-30, heading=0, fov=90),
        cam("near-away", north_m=-40, heading=180, fov=60),
        cam("registry-only", north_m=20, sharing=SharingLevel.REGISTRY_ONLY),
        cam("expired", north_m=25, until=NOW - timedelta(days=1)),
        cam("on-request", north_m=50, sharing=SharingLevel.FOOTAGE_ON_REQUEST),
        cam("on-alarm", north_m=60, sharing=SharingLevel.LIVE_ON_ALARM),
        cam("retired", north_m=10, status=AssetStatus.RETIRED),
        cam("other-station", north_m=5, station=uuid.uuid4()),
        cam("too-far", north_m=400),
    ]
    docked = link_cameras(CameraIndex(cameras), lat=LAT, lon=LON, bound=[bound_far.id],
                          nearest=5, radius_m=300, station_id=STATION, now=NOW)
    assert [d["code"] for d in docked] == ["bound-far", "near-facing", "on-request", "on-alarm"]
    assert [d["reason"] for d in docked] == ["bound", "nearby", "nearby", "nearby"]
    assert [d["live"] for d in docked] == [True, True, False, True]
    assert docked[1]["distance_m"] == pytest.approx(30, abs=0.5)


def test_nearest_limit_and_no_location() -> None:
    cameras = [cam(f"c{i}", north_m=10 * i) for i in range(1, 8)]
    docked = link_cameras(CameraIndex(cameras), lat=LAT, lon=LON, bound=[], nearest=3,
                          radius_m=300, station_id=STATION, now=NOW)
    assert [d["code"] for d in docked] == ["c1", "c2", "c3"]
    assert link_cameras(CameraIndex(cameras), lat=None, lon=None, bound=[cameras[4].id],
                        nearest=3, radius_m=300, station_id=STATION, now=NOW)[0]["code"] == "c5"
    assert link_cameras(CameraIndex([]), lat=LAT, lon=LON, bound=[], nearest=3, radius_m=300,
                        station_id=STATION, now=NOW) == []


def test_index_at_city_density_matches_a_scan() -> None:
    """100,000 cameras over Bangkok's 0.3 x 0.3 degrees is the density; a quarter of them on
    a quarter of the area keeps it (and every edge case of the grid) at a quarter the cost:
    the scale itself is benchmarks' business."""
    rng = random.Random(7)
    south, west, side = 13.6, 100.4, 0.15
    cameras = [IndexedCamera(
        id=uuid.uuid4(), station_id=STATION, code=str(i), name_th=str(i),
        lat=rng.uniform(south, south + side), lon=rng.uniform(west, west + side),
        heading_deg=None, fov_deg=None, sharing_level=SharingLevel.LIVE_ALWAYS,
        sharing_until=None, status=AssetStatus.ACTIVE) for i in range(25_000)]
    index = CameraIndex(cameras)
    for _ in range(20):
        lat, lon = rng.uniform(south, south + side), rng.uniform(west, west + side)
        found = [c.code for c, _ in index.near(lat, lon, 300)]
        scan = sorted((c for c in cameras if haversine_m(lat, lon, c.lat, c.lon) <= 300),
                      key=lambda c: haversine_m(lat, lon, c.lat, c.lon))
        assert found == [c.code for c in scan]
        assert found  # ~10 cameras per 300 m circle at this density
