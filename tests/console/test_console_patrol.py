"""The patrol view on the operator console, in a real browser against a real server with the
demo: the shift's plan with each risk spot's status and the share visited, the targets on
the map, and checkpoint sessions and plans arriving live from the feed; the station panel
shows the day's checkpoint figures. Names are text, never markup."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from support.console import Field, Server, log_in

HOSTILE = "<img src=x onerror=alert(1)> จุดตรวจ"
SIZES = ((1920, 1080), (1366, 768))
# A server of its own: the journey reads the demo's plan untouched (no target visited).
FRESH_DEMO = True


@pytest.fixture
def tab(chromium: Any, server: Server, artifacts: Path) -> Iterator[Any]:
    context = chromium.new_context(viewport={"width": 1920, "height": 1080},
                                   timezone_id="Asia/Bangkok", locale="th-TH")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.on("dialog", lambda dialog: errors.append(f"dialog: {dialog.message}"))
    log_in(page, server.url, "pcr.operator")
    page.wait_for_selector("#conn[data-state=live]")
    yield page
    assert not errors, f"JavaScript errors: {errors}"
    context.close()


def shot(page: Any, artifacts: Path, step: str) -> None:
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(200)
        overflow = page.evaluate("document.documentElement.scrollWidth - innerWidth")
        assert overflow <= 0, f"{step}: the page scrolls sideways at {width}x{height}"
        page.screenshot(path=str(artifacts / f"patrol-{step}-{width}x{height}.png"))
    page.set_viewport_size({"width": 1920, "height": 1080})


def test_the_patrol_view_follows_the_plan_and_the_checkpoints_live(
        tab: Any, field: Field, artifacts: Path) -> None:
    page = tab
    page.click("[data-view=patrol]")
    rows = page.locator("#patrol-body table.patrol-targets tbody tr")
    rows.first.wait_for()
    assert rows.count() == 4  # the demo's four risk spots of the zone (no red box there)
    statuses = set(rows.evaluate_all("(rs) => rs.map((r) => r.dataset.status)"))
    assert statuses <= {"pending", "missed"}  # no patrol has moved: the simulator is off
    assert page.locator("progress.patrol-progress").get_attribute("value") == "0"
    assert "(ข้อมูลสาธิต)" in rows.first.inner_text()
    # The same targets on the map, coloured by status; only this station's plan.
    page.keyboard.press("1")
    assert page.locator(".mk.patrol-target").count() == 4
    assert page.locator(".mk.patrol-target.visited").count() == 0
    # A checkpoint session planned at the station arrives live, its name as text.
    plan = next(p for p in field.get("/api/v1/patrol/plans", station_code=field.station)
                if p["state"] == "active")
    now = datetime.now(UTC)
    spot = field.get("/api/v1/patrol/risk-spots", station_code=field.station)[0]
    made = field.http.post("/api/v1/patrol/checkpoints", headers=field.admin, json={
        "station_code": field.station, "name_th": HOSTILE, "lat": spot["lat"],
        "lon": spot["lon"] + 0.001, "starts_at": now.isoformat(),
        "ends_at": (now + timedelta(hours=2)).isoformat(), "staff": ["pcr.patrol"]})
    assert made.status_code == 201, made.text
    page.locator(".mk.checkpoint").wait_for()
    page.keyboard.press("4")
    cell = page.locator("#patrol-body table.patrol-checkpoints tbody th", has_text="จุดตรวจ")
    cell.wait_for()
    assert cell.inner_text() == HOSTILE
    assert page.locator("#patrol-body img").count() == 0
    fixed = field.http.patch(f"/api/v1/patrol/checkpoints/{made.json()['id']}",
                             headers=field.admin, json={"vehicles_checked": 14, "arrests": 2})
    assert fixed.status_code == 200
    page.wait_for_function("""() => [...document.querySelectorAll(
        '#patrol-body table.patrol-checkpoints tfoot td')].some((td) => td.textContent === '14')""")
    # A second plan for the station: the view offers both; cancelled, it goes again.
    second = field.http.post("/api/v1/patrol/plans", headers=field.admin, json={
        "station_code": field.station, "name": "แผนเสริม", "starts_at": now.isoformat(),
        "ends_at": (now + timedelta(hours=1)).isoformat(), "auto": True})
    assert second.status_code == 201, second.text
    page.wait_for_selector("#patrol-plan:not([hidden]) option:nth-child(2)", state="attached")
    shot(page, artifacts, "view")
    field.http.post(f"/api/v1/patrol/plans/{second.json()['id']}/cancel", headers=field.admin)
    page.wait_for_selector("#patrol-plan[hidden]", state="attached")
    assert page.locator("#patrol-plan").input_value() == plan["id"]
    # The station panel counts the day's checkpoints.
    page.keyboard.press("3")
    card = page.locator("#station-body .card", has_text="จุดตรวจวันนี้")
    card.wait_for()
    assert "14" in card.inner_text()
    # In English too.
    page.keyboard.press("4")
    page.click("#lang-switch")
    page.wait_for_function("() => document.documentElement.lang === 'en'")
    page.locator("#patrol-body h3", has_text="Targets").wait_for()
    page.click("#lang-switch")
