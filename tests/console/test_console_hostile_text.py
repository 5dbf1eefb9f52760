"""Hostile text is inert in the console: one whole journey through every view.

Names typed by a partner (camera point, camera, SOS point, loudspeaker), by an admin (zone,
landmark, unit call sign, user display name) and notes typed by an operator hold markup and
script (`<img src=x onerror=...>`, `"><script>...`, `javascript:` ...). The operator then
opens every view, popup and tooltip that shows them: map markers of every layer, the queue,
the incident panel (timeline, recommended units, note, loudspeaker dialog, closing), the
camera wall and the station panel. No dialog may open, every text must be shown literally,
no element may have been made from it, and the browser may report no Content-Security-Policy
violation (the policy is the second wall; the first is that the console builds text nodes).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from support.console import PASSWORD, Field, Server, log_in

# A server of its own: the queue's rows are found by the words the pole's name shares with
# the demo's own SOS poles, which another journey's incident would carry too.
FRESH_DEMO = True
VIOLATIONS = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
  (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sample}`));
"""
# Elements and attributes the hostile text would have made if it were parsed as HTML.
MADE_FROM_TEXT = """() => [...document.querySelectorAll(
  'img[src="x"], svg[onload], [onerror], [onload], [onclick], script:not([src]), '
  + 'a[href^="javascript"]')].map((e) => e.outerHTML)"""


def hostile(tag: str) -> str:
    """A name that is harmless text, or runs a script if anything treats it as HTML."""
    return (f'{tag} <img src=x onerror=alert("{tag}")> "><script>alert("{tag}")</script> '
            f"javascript:alert(1) <svg onload=alert(1)>")


class Journey:
    """The operator's tab, with everything that would betray markup parsed from data."""

    def __init__(self, browser: Any, server: Server, artifacts: Path) -> None:
        self.context = browser.new_context(viewport={"width": 1920, "height": 1080},
                                           timezone_id="Asia/Bangkok", locale="th-TH")
        self.context.add_init_script(VIOLATIONS)
        self.page = self.context.new_page()
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.csp_console: list[str] = []
        self.page.on("dialog", self._dialog)
        self.page.on("pageerror", lambda err: self.errors.append(str(err)))
        self.page.on("console", self._console)
        self.server = server
        self.artifacts = artifacts

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _console(self, message: Any) -> None:
        if "Content Security Policy" in message.text:
            self.csp_console.append(message.text)

    def inert(self, where: str) -> None:
        """Nothing ran, nothing was made from the text, the policy was never needed."""
        page = self.page
        assert self.dialogs == [], f"{where}: a dialog opened: {self.dialogs}"
        assert page.evaluate(MADE_FROM_TEXT) == [], f"{where}: markup was made from data"
        assert page.evaluate("window.__csp") == [], f"{where}: CSP violation"
        assert self.csp_console == [], f"{where}: {self.csp_console}"
        assert self.errors == [], f"{where}: {self.errors}"

    def shows(self, selector: str, text: str, where: str) -> None:
        # Of several (an old tooltip still fading, two dialogs' rows), the one with this text.
        node = self.page.locator(selector).filter(has_text=text.split()[0]).first
        node.wait_for()
        assert text in node.inner_text(), f"{where}: {text!r} not shown literally"
        self.inert(where)

    def shot(self, step: str) -> None:
        self.page.screenshot(path=str(self.artifacts / f"xss-{step}.png"))

    def map_center(self, lat: float, lon: float) -> tuple[float, float]:
        """Pan and zoom to a place (as the operator would) and return its pixel on screen."""
        self.page.evaluate(f"window.__ssz.focus({lat}, {lon})")
        self.page.wait_for_timeout(300)  # let Leaflet redraw the markers at the new zoom
        box = self.page.locator("#map").bounding_box()
        assert box is not None
        return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


@pytest.fixture
def journey(chromium: Any, server: Server, artifacts: Path) -> Iterator[Journey]:
    tab = Journey(chromium, server, artifacts)
    try:
        yield tab
    finally:
        tab.context.close()


def created(response: Any) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def test_hostile_names_and_notes_stay_text_in_every_view(
    journey: Journey, field: Field,
) -> None:
    http, admin, station = field.http, field.admin, field.station
    base = field.asset("PCR-KBL-SOS01")
    lat, lon = base["lat"] + 0.05, base["lon"]  # an empty place in the station's area
    names = {key: hostile(key) for key in (
        "ZONE", "LANDMARK", "PARTNER", "POINT", "CAMERA", "SOS", "SPEAKER", "USER", "NOTE")}
    callsign = 'U1<img src=x onerror=alert("U1")>'

    created(http.post("/api/v1/partners", headers=admin, json={
        "code": "XSS-PARTNER", "org_unit_code": station, "name_th": names["PARTNER"],
        "name_en": names["PARTNER"], "owner_class": "private_business"}))
    d = 0.003
    created(http.post("/api/v1/zones", headers=admin, json={
        "code": "XSS-ZONE", "station_code": station, "name_th": names["ZONE"],
        "name_en": names["ZONE"],
        "boundary": {"type": "Polygon", "coordinates": [[
            [lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d], [lon - d, lat + d],
            [lon - d, lat - d]]]},
        "landmarks": [{"name_th": names["LANDMARK"], "name_en": names["LANDMARK"],
                       "lat": lat + 0.002, "lon": lon + 0.002}]}))
    places = {"POINT": (lat + 0.001, lon - 0.001), "SOS": (lat - 0.001, lon + 0.001),
              "SPEAKER": (lat - 0.002, lon - 0.002)}
    for key, kind, code, extra in (
            ("POINT", "camera_point", "XSS-POINT", {"owner_partner_code": "XSS-PARTNER",
                                                    "owner_class": "private_business"}),
            ("SOS", "sos_point", "XSS-SOS", {"owner_class": "police", "has_speaker": True}),
            ("SPEAKER", "loudspeaker", "XSS-SPEAKER", {"owner_class": "police"})):
        created(http.post("/api/v1/assets", headers=admin, json={
            "station_code": station, "zone_code": "XSS-ZONE", "kind": kind, "code": code,
            "name_th": names[key], "name_en": names[key], "lat": places[key][0],
            "lon": places[key][1], "note": names["NOTE"], **extra}))
    camera = created(http.post("/api/v1/cameras", headers=admin, json={
        "station_code": station, "point_code": "XSS-POINT", "code": "XSS-CAM",
        "name_th": names["CAMERA"], "heading_deg": 45, "fov_deg": 60,
        "sharing_level": "live_always", "stream_url": "sim://xss-cam"}))
    unit = created(http.post("/api/v1/units", headers=admin, json={
        "station_code": station, "code": "XSS-U1", "callsign": callsign, "kind": "car",
        "status": "available"}))
    tracker = field.credential("unit", unit["id"], "tracker XSS-U1")
    field.event(tracker, "gps.position", location={"lat": lat, "lon": lon + 0.0015})
    created(http.post("/api/v1/users", headers=admin, json={
        "username": "xss.operator", "display_name": names["USER"], "password": PASSWORD,
        "role": "operator", "org_unit_codes": [station]}))

    page = journey.page
    log_in(page, journey.server.url, "xss.operator")
    page.wait_for_selector("#conn[data-state=live]")
    journey.shows("#user", names["USER"], "top bar")

    # The map: every layer's marker, popup and tooltip.
    x, y = journey.map_center(lat - 0.0025, lon - 0.0005)  # inside the zone, on nothing else
    page.mouse.move(x, y)
    page.mouse.move(x + 3, y + 3)
    journey.shows(".leaflet-tooltip", names["ZONE"], "zone tooltip")
    journey.shot("01-zone-tooltip")
    page.get_by_title(names["LANDMARK"], exact=True).locator("span").hover()
    journey.shows(".leaflet-tooltip", names["LANDMARK"], "landmark tooltip")

    x, y = journey.map_center(*places["POINT"])  # the camera's dot sits on its point
    page.mouse.click(x, y)
    journey.shows(".leaflet-popup-content", names["CAMERA"], "camera popup")
    journey.shot("02-camera-popup")
    page.click(".leaflet-popup-content button[data-action=wall-add]")

    for key in ("SOS", "SPEAKER"):
        journey.map_center(*places[key])
        page.get_by_title(names[key], exact=True).locator("span").click()
        journey.shows(".leaflet-popup-content", names[key], f"{key} popup")
    journey.shot("03-loudspeaker-popup")
    page.click(".leaflet-popup-content button[data-action=speaker]")
    journey.shows("#speaker-name", names["SPEAKER"], "loudspeaker dialog")
    page.click("dialog#speaker form[method=dialog] button")

    journey.map_center(lat, lon + 0.0015)
    page.locator(".leaflet-marker-icon.unit", has_text="XSS-U1").locator("span").hover()
    journey.shows(".leaflet-tooltip", callsign, "unit tooltip")
    journey.shot("04-unit-tooltip")

    # An SOS from the hostile pole: the queue, the incident panel, dispatch, notes, closing.
    button = field.credential("asset", field.asset("XSS-SOS")["id"], "SOS XSS")
    field.event(button, "sos.press")
    row = page.locator("#queue-list .q-item", has_text="SOS")
    journey.shows("#queue-list .q-item", names["SOS"], "queue")
    journey.shot("05-queue")
    row.first.locator(".q-title").click()
    journey.shows("#inc-title", names["SOS"], "incident title")
    journey.shows("#inc-body .inc-meta", names["SOS"], "incident source")
    journey.shows("#incident .rec .callsign", callsign, "recommended unit")
    page.keyboard.press("a")
    page.wait_for_selector("#incident[data-state=acknowledged]")
    page.locator("#incident .rec", has_text=callsign).locator(
        "button[data-act=dispatch]").click()
    page.wait_for_selector("#incident[data-state=dispatched]")
    journey.shows("#incident .assigned", callsign, "assigned unit")
    page.fill("#note-text", names["NOTE"])
    page.click("#incident button[data-act=note]")
    journey.shows("#incident .timeline q", names["NOTE"], "note in the timeline")
    page.click("#incident button[data-act=speaker]")
    journey.shows("#speaker-name", names["SOS"], "SOS speaker dialog")
    page.click("#speaker-announce")  # empty text: nothing is sent
    page.fill("#speaker-text", names["NOTE"])
    page.click("#speaker-announce")
    journey.shows("#speaker-history q", names["NOTE"], "announcement history")
    page.click("dialog#speaker form[method=dialog] button")
    page.click("#incident button[data-act=on_scene]")
    page.wait_for_selector("#incident[data-state=on_scene]")
    page.click("#incident button[data-act=cleared]")
    page.wait_for_selector("#incident[data-state=cleared]")
    page.select_option("#disposition", "false_alarm")
    journey.shot("06-incident-panel")
    page.click("#incident button[data-act=close]")
    page.wait_for_selector("#incident", state="hidden")
    journey.inert("closing")

    # The camera wall (the hostile camera was added from its popup) and the station panel.
    page.keyboard.press("2")
    page.fill("#wall-filter", "XSS")
    journey.shows("#wall-cameras", "XSS-CAM", "wall list")
    journey.shows(f".tile[data-camera-id='{camera['id']}']", "XSS-CAM", "wall tile")
    journey.shot("07-wall")
    page.click("button[data-view=station]")
    page.wait_for_selector("#station-body .card")
    journey.shot("08-station-panel")
    journey.inert("station panel")
    page.click("button[data-view=map]")

    # The same in English, where the console picks the *_en names.
    page.click("#lang-switch")
    page.wait_for_function("() => document.documentElement.lang === 'en'")
    journey.map_center(*places["SOS"])
    page.get_by_title(names["SOS"], exact=True).locator("span").click()
    journey.shows(".leaflet-popup-content", names["SOS"], "SOS popup in English")
    journey.shot("09-english-popup")
    closed = [i for i in field.get("/api/v1/incidents", kind="sos", limit=50)
              if i["source_asset_id"] == field.asset("XSS-SOS")["id"]]
    assert closed and closed[0]["state"] == "closed"
    assert uuid.UUID(closed[0]["id"])
    journey.inert("end of the journey")
