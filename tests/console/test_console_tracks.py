"""A unit's track replayed on the operator console, in a real browser against a real server.

A patrol car's tracker sends two hours of fixes through the device intake (as a batch, the
way a phone that was offline sends its backlog); the engine stores them. The duty officer
clicks the car on the map: the track is drawn, the summary and the zone entries and exits
listed, the time slider and the play button move the car along it, and the presence layer
shades the cells it spent time in.

Screenshots at 1920x1080 and 1366x768 go to test-artifacts/console/, or to docs/screenshots/ when
SSZ_TEST_DOCS_SCREENSHOTS=1.
"""

from __future__ import annotations

import math
import os
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import shapely
from shapely.geometry import Point, shape

from support.console import Field, Server, log_in

BANGKOK = ZoneInfo("Asia/Bangkok")
DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
REFRESH_DOCS = os.environ.get("SSZ_TEST_DOCS_SCREENSHOTS") == "1"
M_PER_DEG = 111_320.0
# A server of its own: the car is clicked on the map, where another journey's incident
# could be drawn over it.
FRESH_DEMO = True


def patrol_route(zone: Any, end: datetime) -> list[dict[str, Any]]:
    """Two hours of fixes every 10 s: rounds 150 m inside the zone's edge at 6 m/s, then a
    drive east at 8 m/s until 5 minutes beyond the boundary, 20 minutes stopped there, the
    way back, and the rest parked where the drive began."""
    largest = max(getattr(zone, "geoms", [zone]), key=lambda g: g.area)
    ring = largest.buffer(-150 / M_PER_DEG).exterior
    step = 60 / M_PER_DEG
    points: list[tuple[float, float, float]] = []  # lat, lon, speed
    for i in range(300):  # 50 minutes
        p = ring.interpolate((i * step) % ring.length)
        points.append((p.y, p.x, 6.0))
    lat, lon = points[-1][:2]
    per_lon = M_PER_DEG * math.cos(math.radians(lat))
    out = 0
    while out < 30:
        lon += 80 / per_lon
        points.append((lat, lon, 8.0))
        out += 0 if zone.contains(Point(lon, lat)) else 1
    drive_out = points[300:]
    points += [(lat, lon, 0.0)] * 120
    points += [(p[0], p[1], 8.0) for p in drive_out[::-1]]
    home = points[299]
    points += [(home[0], home[1], 0.0)] * (720 - len(points))
    start = end - timedelta(seconds=10 * (len(points) - 1))
    return [{"kind": "gps.position", "device_event_id": uuid.uuid4().hex,
             "event_time": (start + timedelta(seconds=10 * i)).isoformat(),
             "location": {"lat": round(p[0], 7), "lon": round(p[1], 7), "accuracy_m": 5},
             "payload": {"speed_mps": p[2]}} for i, p in enumerate(points)]


def drive(field: Field, code: str) -> tuple[str, list[dict[str, Any]]]:
    """A car of the station with a tracker that has sent its last two hours."""
    zones = field.get("/api/v1/zones", station_code=field.station)["items"]
    zone = shapely.union_all([shape(z["boundary"]) for z in zones])
    response = field.http.post("/api/v1/units", headers=field.admin, json={
        "station_code": field.station, "code": code, "callsign": f"สายตรวจ {code}",
        "kind": "car", "status": "available"})
    assert response.status_code == 201, response.text
    unit_id: str = response.json()["id"]
    token = field.credential("unit", unit_id, f"tracker {code}")
    fixes = patrol_route(zone, datetime.now(UTC) - timedelta(minutes=1))
    response = field.http.post("/api/v1/intake/events/batch", json={"events": fixes},
                               headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    window = {"since": fixes[0]["event_time"], "until": fixes[-1]["event_time"]}
    for _ in range(200):
        if len(field.get(f"/api/v1/units/{unit_id}/track", **window)["fixes"]) == len(fixes):
            break
        field.http.get("/healthz")  # a short pause that is also a request
    else:
        raise AssertionError("the engine did not store the track")
    return unit_id, fixes


@pytest.fixture
def page(chromium: Any, server: Server) -> Any:
    context = chromium.new_context(viewport={"width": 1920, "height": 1080},
                                   timezone_id="Asia/Bangkok", locale="th-TH")
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda err: errors.append(str(err)))
    log_in(tab, server.url, "pcr.operator")
    yield tab
    assert not errors, f"JavaScript errors: {errors}"
    context.close()


def shot(page: Any, artifacts: Path, name: str) -> None:
    """The step at 1920x1080 (a wall screen) and 1366x768 (a laptop); neither scrolls
    sideways."""
    folder = DOCS if REFRESH_DOCS else artifacts
    folder.mkdir(parents=True, exist_ok=True)
    for width, height in ((1920, 1080), (1366, 768)):
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(300)
        overflow = page.evaluate("document.documentElement.scrollWidth - innerWidth")
        assert overflow <= 0, f"{name}: the page scrolls sideways at {width}x{height}"
        page.screenshot(path=str(folder / f"console-{name}-{width}x{height}.png"))
    page.set_viewport_size({"width": 1920, "height": 1080})


def test_an_operator_replays_a_cars_track_and_sees_its_presence(
    page: Any, field: Field, artifacts: Path,
) -> None:
    unit_id, fixes = drive(field, "T-TRACK-1")
    summary = field.get(f"/api/v1/units/{unit_id}/track/summary",
                        since=fixes[0]["event_time"], until=fixes[-1]["event_time"])
    assert summary["distance_m"] > 15_000 and 0 < summary["inside_zone_s"] < summary["tracked_s"]
    # The car appeared on the map with its tracker's first fix: a click opens its replay.
    page.reload()
    page.wait_for_selector("body[data-ready=true]", timeout=20_000)
    page.locator(".leaflet-marker-icon.mk.unit", has_text="T-TRACK-1").click()
    page.wait_for_selector("#replay:not([hidden])")
    page.wait_for_selector("path.track-line")
    assert page.locator("#replay-unit").input_value() == unit_id
    assert page.locator("#replay-summary dd[data-field='track.fixes']").inner_text() == \
        f"{len(fixes)} จุด (ผิดปกติ 0)"
    distance = page.locator("#replay-summary dd[data-field='track.distance']").inner_text()
    assert distance == f"{summary['distance_m'] / 1000:.1f} กม."
    kinds = page.locator("#replay-events li").evaluate_all(
        "(items) => items.map((i) => i.className)")
    assert kinds[:2] == ["enter", "exit"] and kinds[-1] == "enter"
    # The slider moves the car; a crossing in the list jumps to its moment; play runs on.
    start = page.locator(".mk.unit.replay").bounding_box()
    page.locator("#replay-slider").evaluate(
        "(s) => { s.value = String(Math.round(s.max / 2)); s.dispatchEvent(new Event('input')); }")
    assert page.locator(".mk.unit.replay").bounding_box() != start
    page.locator("#replay-events li.exit button").first.click()
    exit_at = datetime.fromisoformat(page.locator("#replay-events li.exit button").first
                                     .get_attribute("data-at").replace("Z", "+00:00"))
    assert page.locator("#replay-time").inner_text().endswith(
        exit_at.astimezone(BANGKOK).strftime("%H:%M:%S"))
    before = float(page.locator("#replay-slider").input_value())
    page.click("#replay-play")
    page.wait_for_function(
        f"() => Number(document.getElementById('replay-slider').value) > {before}")
    page.click("#replay-play")  # pause
    assert page.locator("#replay-play").get_attribute("data-playing") is None
    # The pickers are the browser's; beside them the window reads in Buddhist Era years.
    since_be = page.locator("#replay-since-be").inner_text()
    assert since_be.split(" ")[2] == str(int(page.locator("#replay-since").input_value()[:4]) + 543)
    assert page.locator("#replay-until-be").inner_text().endswith(
        page.locator("#replay-until").input_value()[11:16])
    shot(page, artifacts, "track-replay")
    # Presence: the cells the car spent its time in, shaded by minutes.
    last = datetime.fromisoformat(fixes[-1]["event_time"]).astimezone(BANGKOK)
    page.fill("#presence-day", last.date().isoformat())
    page.locator("#presence-day").dispatch_event("change")
    assert page.locator("#presence-day-be").inner_text().split(" ")[::2] == [
        str(last.day), str(last.year + 543)]
    page.check("#presence-on")
    page.wait_for_selector("path.presence-cell")
    assert page.locator("path.presence-cell").count() >= 3
    assert "นาที ใน" in page.locator("#presence-total").inner_text()
    shot(page, artifacts, "track-presence")
    # In English, the same panel speaks English.
    page.click("#lang-switch")
    page.wait_for_function("() => document.documentElement.lang === 'en'")
    assert page.locator("#replay-title").inner_text() == "Track replay"
    assert page.locator("#presence-day-be").inner_text().endswith(str(last.year))
    assert page.locator("#replay-summary dd[data-field='track.fixes']").inner_text() == \
        f"{len(fixes)} (0 suspect)"
    page.click("#replay-close")
    assert page.locator("path.track-line").count() == 0
    assert page.locator("path.presence-cell").count() == 0
