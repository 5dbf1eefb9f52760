"""An evidence clip end to end in a real browser against a real server: an SOS docks the
market pole's cameras, the server's recorder records them (ffmpeg, the demo's generated
pictures), the duty officer makes a clip on the incident's panel, plays it (the video's
time advances), opens its chain of custody (Thai, Buddhist Era dates) and downloads the
export package, which ``ssz evidence verify`` accepts.

The picture of the chain of custody goes to docs/screenshots/ on request only
(``SSZ_TEST_DOCS_SCREENSHOTS=1``), to test-artifacts/console/ otherwise.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from safetyzone.cli import app as cli
from support.console import Field, Server, demo_server, log_in

FRESH_DEMO = True
DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
REFRESH_DOCS = os.environ.get("SSZ_TEST_DOCS_SCREENSHOTS") == "1"
VIEWPORT = {"width": 1366, "height": 768}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, chromium: Any) -> Iterator[Server]:
    """The demo with one-second recording segments (a clip is then seconds away)."""
    with demo_server(tmp_path_factory.mktemp("console-evidence"),
                     SSZ_CAMERA_NETWORKS="127.0.0.0/8", SSZ_RECORDING_SEGMENT_S="1",
                     SSZ_RECORDING_ENABLED="true") as running:
        yield running


def recorded(field: Field, camera_ids: list[str], count: int) -> str:
    """A docked camera with ``count`` segments indexed (the recorder writes one a second)."""
    for _ in range(600):
        for camera_id in camera_ids:
            if len(field.get(f"/api/v1/cameras/{camera_id}/segments")) >= count:
                return camera_id
        time.sleep(0.1)
    raise AssertionError("no docked camera recorded")


def test_the_duty_officer_makes_plays_and_exports_a_clip_with_its_custody(
    chromium: Any, server: Server, field: Field, artifacts: Path, tmp_path: Path,
) -> None:
    asset, button = field.sos_button("PCR-KBL-SOS01")
    field.event(button, "sos.press")
    incident = None
    for _ in range(200):
        found = [i for i in field.get("/api/v1/incidents", kind="sos")
                 if i["source_asset_id"] == asset["id"] and i["state"] != "closed"]
        if found:
            incident = found[0]
            break
        time.sleep(0.05)
    assert incident is not None and incident["cameras"]
    recordable = []
    for camera in incident["cameras"]:
        set_policy = field.http.put(f"/api/v1/cameras/{camera['camera_id']}/recording",
                                    headers=field.admin, json={"mode": "on_alarm",
                                                               "pre_roll_s": 5,
                                                               "post_roll_s": 60})
        if set_policy.status_code == 200:
            recordable.append(camera["camera_id"])
    assert recordable, "no docked camera may be recorded"
    camera_id = recorded(field, recordable, 4)
    code = next(c["code"] for c in incident["cameras"] if c["camera_id"] == camera_id)

    context = chromium.new_context(viewport=VIEWPORT, timezone_id="Asia/Bangkok",
                                   locale="th-TH", accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    try:
        log_in(page, server.url, "pcr.operator")
        page.locator(f"#queue-list .q-item[data-id='{incident['id']}'] .q-title").click()
        page.wait_for_selector(f"#incident[data-id='{incident['id']}'] #inc-evidence")
        page.click("#inc-evidence > summary")  # folded until asked for (the panel fits a laptop)
        section = page.locator("#inc-evidence")
        section.locator("#ev-before").fill("0")
        section.locator("#ev-after").fill("30")
        for box in section.locator("input[name=ev-camera]").all():
            if box.get_attribute("value") != camera_id:
                box.uncheck()
        section.locator("button[data-ev=make]").click()
        page.wait_for_selector("#inc-evidence li.clip", timeout=60_000)
        # The section was drawn again with the clip: what the officer chose is still there.
        assert section.locator("#ev-after").input_value() == "30"
        assert section.locator("input[name=ev-camera]:checked").count() == 1
        clips = field.get(f"/api/v1/incidents/{incident['id']}/clips")
        assert len(clips) == 1 and clips[0]["camera_code"] == code
        row = page.locator("#inc-evidence li.clip").first
        assert row.locator("code.hash").inner_text() == clips[0]["sha256"]

        row.locator("button[data-ev=view]").click()
        page.wait_for_selector("#inc-evidence video.clip-player")
        page.wait_for_function(
            "() => document.querySelector('#inc-evidence video.clip-player')?.duration > 0")
        page.evaluate("document.querySelector('#inc-evidence video.clip-player').muted = true;"
                      "document.querySelector('#inc-evidence video.clip-player').play()")
        page.wait_for_function(
            "() => document.querySelector('#inc-evidence video.clip-player').currentTime > 0.5",
            timeout=20_000)
        page.locator("#inc-evidence li.clip button[data-ev=custody]").click()
        page.wait_for_selector("#inc-evidence ol.custody li:nth-child(2)")
        # The log grew under the playing clip: the same player plays on.
        assert page.evaluate(
            "document.querySelector('#inc-evidence video.clip-player').currentTime") > 0.5
        custody = page.locator("#inc-evidence ol.custody").inner_text()
        assert "ตัดคลิป" in custody and "เปิดดู" in custody and "pcr.operator" in custody
        assert re.search(r"\b25\d\d\b", custody)  # the year in Buddhist Era (2569)
        page.locator("#inc-evidence").scroll_into_view_if_needed()
        folder = DOCS if REFRESH_DOCS else artifacts
        page.locator("#incident").screenshot(path=str(folder / "console-evidence-custody.png"))

        with page.expect_download() as got:
            page.locator("#inc-evidence button[data-ev=export]").click()
        package = tmp_path / "evidence.zip"
        got.value.save_as(package)
        result = CliRunner().invoke(cli, ["evidence", "verify", str(package)])
        assert result.exit_code == 0 and "VERIFIED" in result.output, result.output
        page.wait_for_selector("#inc-evidence ol.custody li:nth-child(3)")
        assert not errors, errors
    finally:
        context.close()
