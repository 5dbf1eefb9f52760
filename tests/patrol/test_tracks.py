"""Tracks end to end: a unit's tracker posts through the device intake, the real engine
stores the fixes, and the console's routes read the track, its summary, the zone crossings
and the presence back; station B sees none of it; retention removes it in the sweeper."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from safetyzone.config import Settings
from safetyzone.core.clock import BANGKOK, ManualClock
from safetyzone.core.db import Database
from safetyzone.web.app import create_app
from support.live import Devices, wait_for
from support.world import STATIONS, World

A_LAT, A_LON = STATIONS["ST-A"][1], STATIONS["ST-A"][2]  # zone Z-ST-A: +-0.004 deg around it
STEP_M = 200.0  # northwards, every 30 s: 6.67 m/s
M_PER_DEG_LAT = 6_371_000 * math.pi / 180


class Shift:
    """A car's two hours: parked in its zone 30 min, drives 4 km north out of it (the
    third fix of the drive is 600 m out: the zone ends at 445 m), parks, loses GPS for 10
    minutes, then two fixes with a 50 km glitch between them."""

    def __init__(self, start: datetime) -> None:
        self.start = start
        at = [start + timedelta(seconds=30 * i) for i in range(200)]
        north = A_LAT + 20 * STEP_M / M_PER_DEG_LAT
        self.fixes: list[dict[str, Any]] = (
            [fix(at[i], A_LAT, 0.0) for i in range(60)]
            + [fix(at[60 + i], A_LAT + (i + 1) * STEP_M / M_PER_DEG_LAT, STEP_M / 30)
               for i in range(20)]
            + [fix(at[80 + i], north, 0.0) for i in range(40)]
            + [fix(at[130], north, 0.0), fix(at[130] + timedelta(seconds=15), A_LAT + 0.5, None),
               fix(at[131], north, 0.0)])
        self.end = at[131]
        self.exit_at = at[62]


def fix(at: datetime, lat: float, speed: float | None) -> dict[str, Any]:
    body: dict[str, Any] = {"kind": "gps.position", "device_event_id": f"fix-{at.isoformat()}",
                            "event_time": at.isoformat(),
                            "location": {"lat": round(lat, 7), "lon": A_LON, "accuracy_m": 6}}
    if speed is not None:
        body["payload"] = {"speed_mps": speed}
    return body


@pytest.fixture
def devices(client: TestClient, world: World, clock: ManualClock) -> Devices:
    return Devices(client, world, clock)


def post_batches(devices: Devices, token: str, fixes: list[dict[str, Any]],
                 size: int = 50) -> None:
    for i in range(0, len(fixes), size):
        response = devices.client.post("/api/v1/intake/events/batch",
                                       json={"events": fixes[i:i + size]},
                                       headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200, response.text


def track(devices: Devices, unit_id: str, headers: dict[str, str] | None = None,
          **params: Any) -> Any:
    return devices.client.get(f"/api/v1/units/{unit_id}/track", params=params,
                              headers=headers or devices.admin)


@pytest.fixture
def driven(devices: Devices, clock: ManualClock) -> tuple[str, Shift]:
    """Unit A-30 of ST-A has driven its shift; the engine has stored every fix."""
    unit_id, token = devices.unit("ST-A", "A-30")
    shift = Shift(clock.now() - timedelta(hours=3))
    post_batches(devices, token, shift.fixes)
    window = {"since": shift.start.isoformat(), "until": clock.now().isoformat()}
    wait_for(lambda: len(track(devices, unit_id, **window).json()["fixes"]) == 123)
    return unit_id, shift


def test_the_track_reads_back_in_time_order_with_the_glitch_marked(
    devices: Devices, driven: tuple[str, Shift],
) -> None:
    unit_id, shift = driven
    body = track(devices, unit_id, since=shift.start.isoformat(),
                 until=shift.end.isoformat()).json()
    fixes = body["fixes"]
    assert body["unit_id"] == unit_id and len(fixes) == 123
    assert [f["at"] for f in fixes] == sorted(f["at"] for f in fixes)
    assert fixes[0] == {"at": shift.start.isoformat().replace("+00:00", "Z"), "lat": A_LAT,
                        "lon": A_LON, "speed_mps": 0.0, "accuracy_m": 6.0, "suspect": False}
    assert [i for i, f in enumerate(fixes) if f["suspect"]] == [121]
    assert fixes[121]["speed_mps"] is None


def test_the_summary_counts_distance_movement_and_time_in_the_zone(
    devices: Devices, driven: tuple[str, Shift],
) -> None:
    unit_id, shift = driven
    response = devices.client.get(f"/api/v1/units/{unit_id}/track/summary", headers=devices.admin,
                                  params={"since": shift.start.isoformat(),
                                          "until": shift.end.isoformat()})
    summary = response.json()
    assert summary["distance_m"] == pytest.approx(20 * STEP_M, abs=1)  # the glitch: not counted
    assert summary["moving_s"] == 600  # the 20 legs driven at 6.67 m/s, by reported speed
    assert summary["inside_zone_s"] == 1860  # 30 min parked + the first two legs out
    assert summary["tracked_s"] == 3600  # the 10-minute hole is not known time
    assert summary["duration_s"] == (shift.end - shift.start).total_seconds()
    assert summary["fixes"] == 123 and summary["suspect_fixes"] == 1
    only = devices.client.get(f"/api/v1/units/{unit_id}/track/summary", headers=devices.admin,
                              params={"since": shift.start.isoformat(),
                                      "until": shift.end.isoformat(), "zone_code": "Z-ST-B"})
    assert only.status_code == 404  # another station's zone


def test_crossings_and_presence_follow_the_unit(
    devices: Devices, driven: tuple[str, Shift], world: World,
) -> None:
    unit_id, shift = driven
    headers = world.headers(devices.client, "a.operator")
    events = devices.client.get("/api/v1/patrol/geofence-events", headers=headers, params={
        "station_code": "ST-A", "since": shift.start.isoformat(),
        "until": shift.end.isoformat()}).json()
    assert [(e["kind"], e["zone_code"], e["at"]) for e in events] == [
        ("enter", "Z-ST-A", shift.start.isoformat().replace("+00:00", "Z")),
        ("exit", "Z-ST-A", shift.exit_at.isoformat().replace("+00:00", "Z"))]
    assert events[0]["unit_id"] == unit_id and events[0]["callsign"] == "สายตรวจ A-30"
    day = shift.start.astimezone(BANGKOK).date().isoformat()
    presence = devices.client.get("/api/v1/patrol/presence", headers=headers,
                                  params={"station_code": "ST-A", "day": day}).json()
    assert presence["day"] == day and presence["res"] == 9
    assert presence["total_minutes"] == 60.0  # the same known hour as the summary
    parked = presence["cells"][0]  # most minutes first: the 30 min parked in the zone
    assert parked["minutes"] >= 30
    assert len(parked["boundary"]) == 6 and all(len(p) == 2 for p in parked["boundary"])
    lats = [p[0] for p in parked["boundary"]]
    lons = [p[1] for p in parked["boundary"]]
    assert min(lats) < A_LAT < max(lats) and min(lons) < A_LON < max(lons)
    other_day = devices.client.get("/api/v1/patrol/presence", headers=headers, params={
        "station_code": "ST-A", "day": "2020-01-01"}).json()
    assert other_day["cells"] == [] and other_day["total_minutes"] == 0


def test_station_b_and_partners_see_none_of_it(
    devices: Devices, driven: tuple[str, Shift], world: World,
) -> None:
    unit_id, shift = driven
    window = {"since": shift.start.isoformat(), "until": shift.end.isoformat()}
    other = world.headers(devices.client, "b.operator")
    assert track(devices, unit_id, other, **window).status_code == 404
    assert devices.client.get(f"/api/v1/units/{unit_id}/track/summary", headers=other,
                              params=window).status_code == 404
    for path, params in (("/api/v1/patrol/geofence-events", {"station_code": "ST-A", **window}),
                         ("/api/v1/patrol/presence", {"station_code": "ST-A"})):
        assert devices.client.get(path, headers=other, params=params).status_code == 404
    everything = devices.client.get("/api/v1/patrol/geofence-events", headers=other,
                                    params=window)
    assert everything.status_code == 200 and everything.json() == []
    partner = world.headers(devices.client, "a.shop")
    assert track(devices, unit_id, partner, **window).status_code == 403
    # Station A's viewer and patrol officers read it.
    for who in ("a.viewer", "a.patrol"):
        assert len(track(devices, unit_id, world.headers(devices.client, who),
                         **window).json()["fixes"]) == 123


@pytest.mark.parametrize(("since", "until", "field", "words"), [
    ("2026-03-01T00:00:00Z", "2026-03-02T00:00:01Z", "until", "at most 24 hours"),
    ("2026-03-01T10:00:00Z", "2026-03-01T09:00:00Z", "until", "after 'since'"),
    ("2026-03-01T10:00:00", "2026-03-01T11:00:00Z", "since", "time zone"),
    ("yesterday", "2026-03-01T11:00:00Z", "since", None),
])
def test_a_window_it_cannot_serve_is_refused_with_the_reason(
    devices: Devices, since: str, until: str, field: str, words: str | None,
) -> None:
    unit_id, _ = devices.unit("ST-A", "A-31")
    for path in (f"/api/v1/units/{unit_id}/track", f"/api/v1/units/{unit_id}/track/summary",
                 "/api/v1/patrol/geofence-events"):
        response = devices.client.get(path, headers=devices.admin,
                                      params={"since": since, "until": until})
        assert response.status_code == 422, (path, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        problems = response.json()["problems"]
        assert [p["field"] for p in problems] == [field], problems
        if words:
            assert words in response.text


def test_without_a_window_the_last_eight_hours_are_read(
    devices: Devices, clock: ManualClock,
) -> None:
    unit_id, token = devices.unit("ST-A", "A-32")
    fixes = [fix(clock.now() - timedelta(hours=h), A_LAT, 0.0) for h in (9, 7, 1)]
    post_batches(devices, token, fixes)
    since = (clock.now() - timedelta(hours=10)).isoformat()
    wait_for(lambda: len(track(devices, unit_id, since=since).json()["fixes"]) == 3)
    body = track(devices, unit_id).json()
    assert len(body["fixes"]) == 2
    assert body["until"] == clock.now().isoformat().replace("+00:00", "Z")


def test_a_retry_and_a_late_backlog_leave_one_ordered_track(
    devices: Devices, clock: ManualClock,
) -> None:
    unit_id, token = devices.unit("ST-A", "A-33")
    shift = Shift(clock.now() - timedelta(hours=3))
    newest, backlog = shift.fixes[100:], shift.fixes[:100]
    post_batches(devices, token, newest)
    post_batches(devices, token, newest)  # a retry: the intake answers, stores nothing twice
    post_batches(devices, token, backlog[::-1], size=25)  # a dead spot's backlog, newest first
    window = {"since": shift.start.isoformat(), "until": clock.now().isoformat()}
    wait_for(lambda: len(track(devices, unit_id, **window).json()["fixes"]) == 123)
    fixes = track(devices, unit_id, **window).json()["fixes"]
    assert [f["at"] for f in fixes] == sorted({f["at"] for f in fixes})


@pytest.fixture
def swept_client(db: Database, clock: ManualClock, settings: Settings) -> Iterator[TestClient]:
    """The app with its sweeper every 50 ms and the hourly retention on every pass."""
    app = create_app(settings, db, clock)
    runtime = app.state.runtime
    assert runtime.patrol_retain_track_days == settings.patrol_retain_track_days == 90
    runtime.sweep_interval_s, runtime.retention_interval_s = 0.05, 0.0
    with TestClient(app) as test_client:
        yield test_client


def test_the_sweeper_forgets_tracks_past_their_retention(
    swept_client: TestClient, world: World, clock: ManualClock,
) -> None:
    devices = Devices(swept_client, world, clock)
    unit_id, token = devices.unit("ST-A", "A-34")
    shift = Shift(clock.now() - timedelta(hours=3))
    post_batches(devices, token, shift.fixes)
    window = {"since": shift.start.isoformat(), "until": shift.end.isoformat()}
    wait_for(lambda: len(track(devices, unit_id, **window).json()["fixes"]) == 123)
    day = shift.start.astimezone(BANGKOK).date().isoformat()
    clock.advance(timedelta(days=91))
    wait_for(lambda: track(devices, unit_id, **window).json()["fixes"] == [])
    presence = swept_client.get("/api/v1/patrol/presence", headers=devices.admin,
                                params={"station_code": "ST-A", "day": day}).json()
    assert presence["cells"] == []
    assert swept_client.get("/api/v1/patrol/geofence-events", headers=devices.admin,
                            params=window).json() == []
