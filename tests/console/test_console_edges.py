"""Rough edges an operator hit (issue 13, point 7), walked in a real browser on a laptop's
screen (1366x768) with screenshots at 1920x1080 as well.

The duty officer's journey: the layers box folded and the name readable on a laptop; one
tab selected whatever switched the view; an alarm-only camera on the wall shows its terms
once and stops asking until an incident docks it; a second `d` asks before sending a second
car; the incident panel fits the screen; closing with a disposition straight from
"dispatched" releases both cars; English shows English role names and Gregorian years.
The viewer's journey: no button the role cannot use, keys that act do nothing, and the
camera list is paged and searchable with the showable cameras first.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from support.console import Field, Server, log_in

LAPTOP = {"width": 1366, "height": 768}
SIZES = ((1920, 1080), (1366, 768))
POLE = "PCR-KBL-SOS01"
ALARM_ONLY = "PCR-KBL-BUSINESS-P010-C1"  # a shop's camera: live only while an incident docks it
ALWAYS = "PCR-KBL-POLICE-P001-C1"
# A server of its own: its SOS at the market pole must open a new incident, with its
# own cars the nearest.
FRESH_DEMO = True


class Tab:
    """One person's browser tab on the console, on a laptop's screen."""

    def __init__(self, browser: Any, server: Server, artifacts: Path, who: str) -> None:
        self.context = browser.new_context(viewport=LAPTOP, timezone_id="Asia/Bangkok",
                                           locale="th-TH")
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda err: self.errors.append(str(err)))
        self.snapshots: dict[str, int] = {}
        self.posts: list[str] = []  # every change the page asked the server for
        self.page.on("request", self._count)
        self.server, self.artifacts, self.who = server, artifacts, who

    def _count(self, request: Any) -> None:
        if request.method == "POST" and "/api/v1/incidents/" in request.url:
            self.posts.append(request.url)
        found = re.search(r"/api/v1/cameras/([0-9a-f-]+)/snapshot", request.url)
        if found:
            self.snapshots[found[1]] = self.snapshots.get(found[1], 0) + 1

    def login(self, username: str) -> None:
        page = self.page
        log_in(page, self.server.url, username)
        page.wait_for_selector("#conn[data-state=live]")

    def shot(self, step: str) -> None:
        page = self.page
        for width, height in SIZES:
            page.set_viewport_size({"width": width, "height": height})
            page.wait_for_timeout(250)
            page.screenshot(path=str(self.artifacts / f"{step}-{self.who}-{width}x{height}.png"))
        page.set_viewport_size(LAPTOP)
        page.wait_for_timeout(250)

    def selected_tabs(self) -> list[str]:
        """The tabs that say they are selected, and those that look it (the white tab)."""
        said: list[str] = self.page.evaluate(
            "() => [...document.querySelectorAll('[role=tab][aria-selected=true]')]"
            ".map(b => b.dataset.view)")
        looks: list[str] = self.page.evaluate(
            "() => [...document.querySelectorAll('#topbar .views [data-view]')]"
            ".filter(b => getComputedStyle(b).backgroundColor === 'rgb(255, 255, 255)')"
            ".map(b => b.dataset.view)")
        assert said == looks, f"selected {said}, looking selected {looks}"
        return said

    def close(self) -> None:
        assert not self.errors, f"JavaScript errors in {self.who}'s tab: {self.errors}"
        self.context.close()


@pytest.fixture
def open_tab(chromium: Any, server: Server, artifacts: Path) -> Iterator[Any]:
    tabs: list[Tab] = []

    def make(username: str, who: str) -> Tab:
        tab = Tab(chromium, server, artifacts, who)
        tabs.append(tab)
        tab.login(username)
        return tab

    yield make
    for tab in tabs:
        tab.close()


def camera(field: Field, code: str) -> dict[str, Any]:
    items = field.get("/api/v1/cameras", station_code=field.station, limit=1000)["items"]
    found: dict[str, Any] = next(c for c in items if c["code"] == code)
    return found


def open_incident_at(field: Field, asset_id: str, within_s: float = 10) -> dict[str, Any]:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        found = [i for i in field.get("/api/v1/incidents", kind="sos")
                 if i["source_asset_id"] == asset_id and i["state"] != "closed"]
        if found:
            return found[0]
        time.sleep(0.05)
    raise AssertionError("the engine opened no incident for the SOS press")


def assigned(field: Field, incident_id: str) -> list[str]:
    units: list[str] = field.get(f"/api/v1/incidents/{incident_id}")["assigned_unit_ids"]
    return units


def choose_on_wall(page: Any, code: str) -> None:
    page.fill("#wall-filter", code)
    page.check(f"#wall-cameras li:has(.code:text-is('{code}')) input[data-camera]")


def test_the_duty_officers_rough_edges_on_a_laptop(open_tab: Any, field: Field) -> None:
    operator = open_tab("pcr.operator", "edges-operator")
    page = operator.page

    # A laptop: the layers box starts folded (the map stays visible), the name and the role
    # are readable, nothing scrolls sideways.
    assert page.evaluate("() => document.getElementById('layers').open") is False
    assert page.evaluate("() => document.getElementById('layers').offsetHeight") < 60
    name = page.locator("#user .user-name")
    assert "เจ้าหน้าที่ CCOC" in name.inner_text()
    assert page.evaluate("() => { const n = document.querySelector('#user .user-name');"
                         " return n.scrollWidth <= n.clientWidth; }"), "the name is cut off"
    assert page.locator("#user .user-role").inner_text() == "เจ้าหน้าที่ศูนย์"
    assert page.evaluate("() => document.documentElement.scrollWidth - innerWidth") <= 0
    operator.shot("20-laptop-map")

    # One selected tab, however the view was switched (a click, then a key).
    assert operator.selected_tabs() == ["map"]
    page.click("#topbar [data-view=station]")
    assert operator.selected_tabs() == ["station"]
    page.keyboard.press("1")
    assert operator.selected_tabs() == ["map"]
    page.keyboard.press("2")
    page.click("#topbar [data-view=wall]")
    assert operator.selected_tabs() == ["wall"]

    # An alarm-only camera on the wall: its terms shown once, then no more asking while a
    # camera beside it keeps refreshing.
    shop, police = camera(field, ALARM_ONLY), camera(field, ALWAYS)
    assert shop["effective_sharing_level"] == "live_on_alarm"
    choose_on_wall(page, ALWAYS)
    choose_on_wall(page, ALARM_ONLY)
    refused = page.locator(f".tile[data-camera-code='{ALARM_ONLY}'][data-state=forbidden]")
    refused.wait_for()
    assert "เฉพาะ" in refused.inner_text() or "เหตุ" in refused.inner_text()  # the terms
    asked = operator.snapshots.get(shop["id"], 0)
    refreshed = operator.snapshots.get(police["id"], 0)
    deadline = time.monotonic() + 20
    while operator.snapshots.get(police["id"], 0) < refreshed + 3:
        assert time.monotonic() < deadline, "the live camera stopped refreshing"
        page.wait_for_timeout(200)
    assert operator.snapshots.get(shop["id"], 0) == asked, "the refused camera was asked again"
    operator.shot("21-wall-terms-once")

    # An SOS at the pole docks the shop's camera: its tile asks again and shows the picture.
    pole, button = field.sos_button(POLE)
    cars = [field.unit(f"E-CAR-{uuid.uuid4().hex[:6]}", pole["lat"] + step, pole["lon"])
            for step in (0.002, -0.002)]
    field.event(button, "sos.press")
    incident = open_incident_at(field, pole["id"])
    assert shop["id"] in [c["camera_id"] for c in incident["cameras"]]
    page.wait_for_selector(f".tile[data-camera-code='{ALARM_ONLY}'][data-state=online]")

    # The panel on a laptop: it fits the screen, actions and units in view.
    page.keyboard.press("1")
    row = page.locator(f"#queue-list .q-item[data-id='{incident['id']}']")
    row.wait_for()
    row.locator(".q-title").click()
    page.wait_for_selector(f"#incident[data-id='{incident['id']}'] .rec")
    fits = page.evaluate("() => { const p = document.getElementById('incident');"
                         " return [p.scrollHeight, p.clientHeight]; }")
    assert fits[0] <= fits[1] + 1, f"the incident panel is taller than the screen: {fits}"
    for selector in ("#incident button[data-act=close]",
                     "#incident .rec button[data-act=dispatch]"):
        box = page.locator(selector).first.bounding_box()
        assert box and box["y"] + box["height"] <= LAPTOP["height"], selector
    operator.shot("22-laptop-incident")

    # `a`, `d`: one car. A second `d` asks; Esc keeps one car, Enter sends the second.
    page.keyboard.press("a")
    page.wait_for_selector("#incident[data-state=acknowledged]")
    page.keyboard.press("d")
    page.wait_for_selector("#incident[data-state=dispatched]")
    assert len(assigned(field, incident["id"])) == 1
    page.keyboard.press("d")
    dialog = page.locator("dialog.confirm[open]")
    dialog.wait_for()
    first = field.get(f"/api/v1/units/{assigned(field, incident['id'])[0]}")["callsign"]
    assert first in dialog.inner_text()
    operator.shot("23-second-dispatch-asks")
    page.keyboard.press("Escape")
    dialog.wait_for(state="detached")
    assert len(assigned(field, incident["id"])) == 1, "a second car went without asking"
    page.keyboard.press("d")
    dialog.wait_for()
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => document.querySelectorAll('#incident .assigned .badge.unit').length === 2")
    assert sorted(assigned(field, incident["id"])) == sorted(cars)

    # Close with a disposition straight from "dispatched": both cars are free again.
    page.select_option("#disposition", "false_alarm")
    page.click("#incident button[data-act=close]")
    page.wait_for_selector("#incident", state="hidden")
    closed = field.get(f"/api/v1/incidents/{incident['id']}")
    assert closed["state"] == "closed" and closed["disposition"] == "false_alarm"
    assert [field.get(f"/api/v1/units/{car}")["status"] for car in cars] == ["available"] * 2

    # English: the role in English, the years Gregorian, in every view; Thai again: B.E.
    page.click("#lang-switch")
    page.wait_for_function("() => document.documentElement.lang === 'en'")
    assert page.locator("#user .user-role").inner_text() == "Duty officer"
    gregorian, buddhist = datetime.now(UTC).year, datetime.now(UTC).year + 543
    views = {"1": "#map .leaflet-interactive", "3": "#station-body .card",
             "4": "#patrol-body > *", "5": "#services-body > *"}
    for key, drawn in views.items():
        page.keyboard.press(key)
        page.wait_for_selector(drawn)
        page.wait_for_function(f"() => !document.body.innerText.includes('{buddhist}')",
                               timeout=5000)
    assert str(gregorian) in page.locator("#clock").inner_text()
    page.keyboard.press("1")
    operator.shot("24-english")
    page.click("#lang-switch")
    page.wait_for_function("() => document.documentElement.lang === 'th'")
    assert page.locator("#user .user-role").inner_text() != "Duty officer"
    page.wait_for_function(
        f"() => document.getElementById('clock').innerText.includes('{buddhist}')")


def test_a_viewer_sees_no_button_it_cannot_use_and_a_paged_camera_list(
    open_tab: Any, field: Field, server: Server,
) -> None:
    pole, button = field.sos_button(POLE)
    field.event(button, "sos.press")
    incident = open_incident_at(field, pole["id"])
    viewer = open_tab("hq.viewer", "edges-viewer")
    page = viewer.page
    row = page.locator(f"#queue-list .q-item[data-id='{incident['id']}']")
    row.wait_for()
    assert row.locator("button[data-action=ack]").count() == 0
    assert page.locator("#queue .hint").inner_text() == "j/k เลื่อน · Enter เปิด · ? วิธีใช้"
    row.locator(".q-title").click()
    page.wait_for_selector(f"#incident[data-id='{incident['id']}'] .timeline li")
    for hidden in ("[data-act=ack]", "[data-act=close]", "#disposition", "[data-act=dispatch]",
                   "[data-act=note]", "#note-text", "[data-act=speaker]", "[data-act=on_scene]"):
        assert page.locator(f"#incident {hidden}").count() == 0, f"a viewer sees {hidden}"
    # The keys that act do nothing for a viewer (no request, no error toast): `?` after them
    # opens the help, so they have been handled by then.
    page.keyboard.press("a")
    page.keyboard.press("d")
    page.keyboard.press("?")
    page.wait_for_selector("dialog#help[open]")
    page.keyboard.press("Escape")
    assert viewer.posts == [] and page.locator(".toast.error").count() == 0
    assert field.get(f"/api/v1/incidents/{incident['id']}")["state"] == "new"
    viewer.shot("25-viewer-incident")
    # The server refuses the viewer anyway.
    token = field.token("hq.viewer")
    refused = field.http.post(f"/api/v1/incidents/{incident['id']}/acknowledge",
                              headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 403

    # The camera list: every camera counted, the showable first, a page at a time, searched.
    total = field.get("/api/v1/cameras", limit=1)["total"]
    assert total > 300
    page.keyboard.press("2")
    count = page.locator("#wall-count")
    assert count.inner_text() == f"แสดง 100 จาก {total} กล้อง"
    levels = page.evaluate("() => [...document.querySelectorAll('#wall-cameras li')]"
                           ".map(li => li.dataset.sharing)")
    assert levels[0] == "live_always"
    order = {"live_always": 0, "live_on_alarm": 1, "footage_on_request": 2, "registry_only": 3}
    assert [order[level] for level in levels] == sorted(order[level] for level in levels)
    while page.locator("#wall-more").is_visible():
        page.click("#wall-more")
    assert count.inner_text() == f"แสดง {total} จาก {total} กล้อง"
    assert page.locator("#wall-cameras li").count() == total
    last = page.evaluate("() => [...document.querySelectorAll('#wall-cameras li')].at(-1)"
                         ".dataset.sharing")
    assert last in {"footage_on_request", "registry_only"}
    # Cameras that never share a live view cannot be chosen; say why instead.
    assert page.locator("#wall-cameras li.never-live input:not([disabled])").count() == 0
    page.fill("#wall-filter", "kbl business p010")
    page.wait_for_function("() => document.querySelectorAll('#wall-cameras li').length >= 1")
    codes = page.evaluate("() => [...document.querySelectorAll('#wall-cameras .code')]"
                          ".map(n => n.textContent)")
    assert ALARM_ONLY in codes and all("BUSINESS-P010" in c for c in codes)
    viewer.shot("26-camera-list")
