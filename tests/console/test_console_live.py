"""Live video on the camera wall, in a real browser against a real server and a real RTSP
camera: the operator switches two tiles to live (a GStreamer RTSP camera restreamed by the
server's ffmpeg, and a demo camera's generated stream), the video elements' time advances,
no request reaches the camera from the browser (the page never learns its address), the
strict CSP refuses nothing, and switching back to stills ends the viewing session (the
audit log has its start and end).

Screenshots at 1920x1080 and 1366x768 go to test-artifacts/console/ (live-wall-*), and to
docs/screenshots/ (console-live-wall-*) when SSZ_TEST_DOCS_SCREENSHOTS=1.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from support.console import Field, Server, log_in
from support.rtsp import RtspCamera, require_ffmpeg, rtsp_camera

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
REFRESH_DOCS = os.environ.get("SSZ_TEST_DOCS_SCREENSHOTS") == "1"
DEMO_CAMERA = "PCR-KBL-POLICE-P001-C1"  # a demo camera: sim://, a generated stream
# The video's own clock, read twice: it must move on while the page is watched.
PLAYED = "(code) => document.querySelector(`.tile[data-camera-code='${code}'] video`).currentTime"
PLAYED_PAST = ("([code, past]) => document.querySelector(`.tile[data-camera-code='${code}'] video`)"
               ".currentTime > past")


@pytest.fixture(scope="module")
def camera() -> Iterator[RtspCamera]:
    require_ffmpeg()
    with rtsp_camera(username="wall", password="s3cret-pass") as cam:
        yield cam


def wait_playing(page: Any, code: str) -> float:
    page.wait_for_selector(f".tile[data-camera-code='{code}'][data-state=live]", timeout=30_000)
    page.wait_for_function(PLAYED_PAST, arg=[code, 1.0], timeout=30_000)
    first: float = page.evaluate(PLAYED, code)
    page.wait_for_function(PLAYED_PAST, arg=[code, first + 1.0], timeout=30_000)
    return first


def test_an_operator_watches_an_rtsp_camera_and_a_demo_camera_live_on_the_wall(
    chromium: Any, server: Server, field: Field, camera: RtspCamera, artifacts: Path,
) -> None:
    point = field.asset("PCR-KBL-POLICE-P001")
    response = field.http.post("/api/v1/cameras", headers=field.admin, json={
        "station_code": field.station, "point_code": point["code"], "code": "PCR-KBL-RTSP-LIVE",
        "name_th": "กล้องสตรีมจริง", "heading_deg": 90, "fov_deg": 60,
        "sharing_level": "live_always", "stream_url": camera.url,
        "stream_username": camera.username, "stream_password": camera.password})
    assert response.status_code == 201, response.text
    camera_id = response.json()["id"]

    context = chromium.new_context(viewport={"width": 1920, "height": 1080},
                                   timezone_id="Asia/Bangkok", locale="th-TH")
    page = context.new_page()
    errors: list[str] = []
    violations: list[str] = []
    asked: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.on("console", lambda msg: violations.append(msg.text)
            if "Content Security Policy" in msg.text else None)
    page.on("request", lambda request: asked.append(request.url))
    try:
        log_in(page, server.url, "pcr.operator")
        page.keyboard.press("2")
        for code in (DEMO_CAMERA, "PCR-KBL-RTSP-LIVE"):
            page.fill("#wall-filter", code)
            page.check("#wall-cameras input[data-camera]")
            page.wait_for_selector(f".tile[data-camera-code='{code}'] .tile-live")
            page.click(f".tile[data-camera-code='{code}'] .tile-live")
        wait_playing(page, "PCR-KBL-RTSP-LIVE")
        wait_playing(page, DEMO_CAMERA)
        tile = page.locator(".tile[data-camera-code='PCR-KBL-RTSP-LIVE']")
        assert tile.locator(".state").inner_text() == "ภาพสด"
        assert page.evaluate("document.querySelector(`.tile[data-camera-code='PCR-KBL-RTSP-LIVE']"
                             " video`).videoWidth") == 640
        for width, height in ((1920, 1080), (1366, 768)):
            page.set_viewport_size({"width": width, "height": height})
            page.wait_for_timeout(400)
            overflow = page.evaluate("document.documentElement.scrollWidth - innerWidth")
            assert overflow <= 0, f"the wall scrolls sideways at {width}x{height}"
            shot = artifacts / f"live-wall-{width}x{height}.png"
            page.screenshot(path=str(shot))
            if REFRESH_DOCS:
                shutil.copy(shot, DOCS / f"console-live-wall-{width}x{height}.png")
        page.set_viewport_size({"width": 1920, "height": 1080})

        # Back to stills: the session ends at once (the audit has both ends).
        page.click(".tile[data-camera-code='PCR-KBL-RTSP-LIVE'] .tile-live")
        page.wait_for_selector(".tile[data-camera-code='PCR-KBL-RTSP-LIVE'] video[hidden]",
                               state="attached")
        audit = field.get("/api/v1/audit", entity_id=camera_id)["items"]
        actions = [row["action"] for row in audit]
        for _ in range(50):
            if "camera.live.end" in actions:
                break
            page.wait_for_timeout(100)
            actions = [row["action"] for row in field.get("/api/v1/audit",
                                                          entity_id=camera_id)["items"]]
        assert "camera.live.start" in actions and "camera.live.end" in actions
    finally:
        context.close()
    assert not errors, errors
    assert not violations, violations
    # Everything the page asked came from this server (or is a picture it made itself):
    # never the camera.
    mine = (server.url, f"blob:{server.url}/")
    assert all(url.startswith(mine) for url in asked), [
        u for u in asked if not u.startswith(mine)]
    assert not any(str(camera.port) in url for url in asked)
