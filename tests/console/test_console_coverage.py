"""Camera coverage and PTZ on the operator console, in Chromium at 1920x1080, against a real
server on the demo (its own: PTZ moves change a demo camera's heading).

The Phasi Charoen operator turns on "ความครอบคลุมของกล้อง" in the layers panel: view cones,
private premises and the places no camera sees are drawn, and the line of figures is the
server's. The tables (uncovered places by kind, cameras at private space, cameras of unknown
direction, PTZ cameras) hold the server's rows. Then the operator opens the PTZ camera from
the tables: the simulated ONVIF camera (real SOAP, WS-Security checked) lists its presets;
"go" turns it to the car park; the heading shown and the coverage follow. English too.
Screenshots in test-artifacts/console/: console-coverage-1920x1080.png (the layer),
console-coverage-tables-1920x1080.png, console-ptz-1920x1080.png.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from safetyzone.simulate.onvif_ptz import SimulatedPtzCamera
from support.console import Field, Server, log_in

FRESH_DEMO = True
PTZ_CAMERA = "PCR-KBL-POLICE-P001-C1"  # demo.coverage gives it PTZ settings


@pytest.fixture
def page(chromium: Any, server: Server) -> Iterator[Any]:
    context = chromium.new_context(viewport={"width": 1920, "height": 1080},
                                   timezone_id="Asia/Bangkok", locale="th-TH")
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda err: errors.append(str(err)))
    log_in(tab, server.url, "pcr.operator")
    yield tab
    assert not errors, f"JavaScript errors: {errors}"
    context.close()


@pytest.fixture
def device(field: Field) -> Iterator[SimulatedPtzCamera]:
    """The demo's PTZ camera, played by the simulated ONVIF camera on a free loopback port."""
    with SimulatedPtzCamera(username="viewer", password=f"demo-{PTZ_CAMERA.lower()}") as cam:
        camera = next(c for c in field.get("/api/v1/cameras", station_code=field.station,
                                           limit=500)["items"] if c["code"] == PTZ_CAMERA)
        response = field.http.put(f"/api/v1/cameras/{camera['id']}/ptz", headers=field.admin,
                                  json={"onvif_url": f"http://127.0.0.1:{cam.port}",
                                        "pan_zero_heading_deg": 30})
        assert response.status_code == 200, response.text
        yield cam


def test_the_coverage_layer_and_tables(field: Field, page: Any, artifacts: Path) -> None:
    report = field.get("/api/v1/coverage", station_code=field.station)
    if page.locator("#layers[open]").count() == 0:
        page.click("#layers summary")
    page.check("#coverage-on")
    page.wait_for_selector("path.coverage-cone")
    assert page.locator("path.coverage-cone").count() == sum(
        1 for c in report["cameras"] if c["cone"])
    uncovered = [p for p in report["places"] if not p["covered"]]
    assert uncovered, "the demo zone has places no camera sees"
    assert page.locator("path.coverage-place.uncovered").count() == len(uncovered)
    assert page.locator("path.coverage-private").count() == len(report["private_areas"])
    assert page.locator("path.coverage-cone.private").count() == report[
        "cameras_at_private_space"] > 0
    total = sum(c["total"] for c in report["counts"].values())
    status = page.locator("#coverage-status").inner_text()
    assert f"{len(uncovered)} จาก {total} จุดไม่มีกล้องมองเห็น" in status
    page.screenshot(path=str(artifacts / "console-coverage-1920x1080.png"))

    page.click("#coverage-tables-open")
    page.wait_for_selector("#coverage-counts")
    for kind, count in report["counts"].items():
        cells = page.locator(f"#coverage-counts tr[data-kind={kind}] td").all_inner_texts()
        assert cells == [str(count["total"]), str(count["covered"]), str(count["uncovered"])]
    assert page.locator("#coverage-uncovered tbody tr").count() == len(uncovered)
    assert page.locator("#coverage-private tbody tr").count() == report[
        "cameras_at_private_space"]
    assert "ไม่มี" in page.locator("#coverage-unknown").inner_text()  # all demo cameras known
    page.screenshot(path=str(artifacts / "console-coverage-tables-1920x1080.png"))


def test_ptz_from_the_console(field: Field, page: Any, device: SimulatedPtzCamera,
                              artifacts: Path) -> None:
    if page.locator("#layers[open]").count() == 0:
        page.click("#layers summary")
    page.check("#coverage-on")
    page.wait_for_selector("path.coverage-cone.ptz")
    page.click("#coverage-tables-open")
    page.click("#coverage-ptz button[data-ptz]")
    page.wait_for_selector("#ptz[open] #ptz-presets button[data-preset='2']")
    assert "ลานจอดรถ" in page.locator("#ptz-presets").inner_text()
    assert page.locator("#ptz-pad button").count() == 7
    page.click("#ptz-presets button[data-preset='2']")
    page.wait_for_selector("#ptz-status:has-text('120°')")
    assert device.state.pan_deg == 90  # pan 0.5 of 360°: 30° + 90° = 120°
    camera = next(c for c in field.get("/api/v1/coverage", station_code=field.station)[
        "cameras"] if c["code"] == PTZ_CAMERA)
    assert camera["heading_deg"] == 120
    # A held arrow moves the camera; letting go stops it and reads the heading back.
    arrow = page.locator("#ptz-pad button.ptz-right")
    arrow.hover()
    page.mouse.down()
    page.wait_for_selector("#ptz-status:has-text('กำลังหมุน')")
    page.mouse.up()
    page.wait_for_selector("#ptz-status:has-text('หันไปทิศ')")
    calls = [name for name, _ in device.state.calls]
    assert "ContinuousMove" in calls and calls.index("Stop") > calls.index("ContinuousMove")
    page.screenshot(path=str(artifacts / "console-ptz-1920x1080.png"))
    page.keyboard.press("Escape")
    page.click("#lang-switch")
    page.wait_for_selector("html[lang=en]")
    assert "places seen by no camera" in page.locator("#coverage-status").inner_text()
