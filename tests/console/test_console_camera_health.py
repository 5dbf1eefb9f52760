"""Camera health on the station panel, in a real browser against the demo with the server's
prober running: every camera checked (latency, picture size, checked at), the demo's
simulated faults (one offline, one frozen camera per station) listed first, uptime by owner
class; Thai, then English. Screenshots under test-artifacts/console-camera-health/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from support.console import Server, demo_server, fresh_artifacts, log_in

# Each demo camera checked every 10 s here (a minute by default): the card fills quickly.
ENV = {"SSZ_CAMERA_PROBE_INTERVAL_S": "10"}
WAIT_MS = 60_000


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, chromium: Any) -> Iterator[Server]:
    with demo_server(tmp_path_factory.mktemp("console-camera-health"), **ENV) as running:
        yield running


def test_the_station_panel_shows_every_cameras_health_and_uptime_by_owner(
        chromium: Any, server: Server) -> None:
    shots = fresh_artifacts("console-camera-health")
    context = chromium.new_context(viewport={"width": 1920, "height": 1080},
                                   timezone_id="Asia/Bangkok", locale="th-TH")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    log_in(page, server.url, "pcr.operator")
    page.keyboard.press("3")
    card = page.locator("#camera-health-card")
    card.locator("tbody tr[data-state=offline]").first.wait_for(timeout=WAIT_MS)
    card.locator("tbody tr[data-state=frozen]").first.wait_for(timeout=WAIT_MS)
    assert card.locator("h3").inner_text() == "สถานะกล้อง"
    rows = card.locator("table.cam-health tbody tr")
    states = [rows.nth(i).get_attribute("data-state") for i in range(rows.count())]
    down = [s for s in states if s in {"offline", "frozen"}]
    assert states[:len(down)] == down  # the cameras down come first
    online = card.locator("tbody tr[data-state=online]").first
    online.wait_for(timeout=WAIT_MS)
    cells = online.locator("td").all_inner_texts()
    assert "640×360" in cells and any(c.endswith("มิลลิวินาที") for c in cells)
    assert any("2569" in c or "2570" in c for c in cells)  # checked at, Buddhist Era
    police = card.locator("table.cam-uptime tr[data-owner=police] td").first
    police.wait_for(timeout=WAIT_MS)
    assert police.inner_text().endswith("%")
    card.scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "camera-health-th.png"))
    page.click("#lang-switch")
    page.locator("#camera-health-card h3", has_text="Camera health").wait_for()
    assert "Uptime 24 h" in card.inner_text() and " ms" in card.inner_text()
    page.screenshot(path=str(Path(shots) / "camera-health-en.png"))
    page.click("#lang-switch")
    assert not errors, errors
    context.close()
