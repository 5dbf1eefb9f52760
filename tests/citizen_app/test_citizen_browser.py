"""The citizen app in a real Chromium at 390x844 (a phone), against a real server with the
demo loaded. The station's side acts through the API, as the console would.

Journeys (issue 9): an emergency held down with the position granted, acknowledged and
dispatched by the station, and the phone showing the unit coming with its ETA; a second
press merging into it; a report with a photo; a similar report joined instead of a new one;
an anonymous tip followed up by its one-time code; offline, the app opens from the service
worker and an emergency press shows numbers to call, and sends nothing later.

Every screen is checked for sideways scrolling and tap targets under 44 px, and left as a
screenshot under test-artifacts/citizen/ (docs/screenshots/citizen-*.png are copies).
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from safetyzone.citizen.taxonomy import CONSENT_VERSION
from support.console import Field, Server

PHONE = {"width": 390, "height": 844}
CODE = r"[ERT]-[0-9A-Z]{8}"
# Positions are read from the demo (the market SOS pole of Khlong Bang Luang's zone).
POLE = "PCR-KBL-SOS01"
TAP_MIN = 44
TARGETS = """() => {
  const small = [];
  for (const n of document.querySelectorAll('button, a, select, textarea, summary, .chip span,'
      + ' input:not([type=radio]):not([type=checkbox]):not([type=file])')) {
    const r = n.getBoundingClientRect();
    if (!r.width || !r.height || n.closest('[hidden], dialog:not([open])')) continue;
    if (r.height < 44 || r.width < 44) {
      const size = `${Math.round(r.width)}x${Math.round(r.height)}`;
      small.push(`${n.tagName}#${n.id}.${n.className} ${size}`);
    }
  }
  return small;
}"""


class Phone:
    """One person's phone: a browser context at 390x844, Thai, Bangkok time, maybe located."""

    def __init__(self, browser: Any, server: Server, artifacts: Path, *,
                 at: tuple[float, float] | None = None, lang: str = "th-TH") -> None:
        options: dict[str, Any] = {"viewport": PHONE, "locale": lang, "has_touch": True,
                                   "timezone_id": "Asia/Bangkok", "service_workers": "allow"}
        if at:
            options |= {"geolocation": {"latitude": at[0], "longitude": at[1], "accuracy": 12},
                        "permissions": ["geolocation", "microphone"]}
        self.context = browser.new_context(**options)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda err: self.errors.append(str(err)))
        # Shown with a failing test's output: refused requests (404 on a spent code is expected).
        self.page.on("console", lambda msg: print(f"phone console {msg.type}: {msg.text}"))
        self.server = server
        self.artifacts = artifacts

    def open(self, path: str = "/citizen") -> Any:
        self.page.goto(f"{self.server.url}{path}")
        self.page.wait_for_selector("body[data-ready=true]")
        return self.page

    def shot(self, name: str, *, top: bool = False) -> None:
        """A screenshot of what the phone shows (from the top of the screen if asked); the
        page may not scroll sideways and every control must be at least 44 px both ways."""
        page = self.page
        if top:
            page.evaluate("window.scrollTo(0, 0)")
        page.evaluate("document.fonts.ready")
        overflow = page.evaluate("document.documentElement.scrollWidth - innerWidth")
        assert overflow <= 0, f"{name}: the page scrolls sideways by {overflow} px"
        small = page.evaluate(TARGETS)
        assert not small, f"{name}: tap targets under {TAP_MIN} px: {small}"
        page.screenshot(path=str(self.artifacts / f"citizen-{name}.png"))

    def hold_sos(self, ms: int = 2300) -> None:
        box = self.page.locator("#sos").bounding_box()
        self.page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        self.page.mouse.down()
        self.page.wait_for_timeout(ms)  # the hold itself: a person's thumb on the button
        self.page.mouse.up()

    def ticket_code(self) -> str:
        self.page.wait_for_url("**/citizen/t/*")
        code: str = self.page.url.rsplit("/", 1)[1]
        return code

    def close(self) -> None:
        assert not self.errors, f"JavaScript errors on the phone: {self.errors}"
        self.context.close()


@pytest.fixture
def phones(chromium: Any, server: Server, artifacts: Path) -> Iterator[Callable[..., Phone]]:
    opened: list[Phone] = []

    def make(**options: Any) -> Phone:
        phone = Phone(chromium, server, artifacts, **options)
        opened.append(phone)
        return phone

    yield make
    for phone in opened:
        phone.close()


def pole(field: Field) -> tuple[float, float]:
    asset = field.asset(POLE)
    return asset["lat"], asset["lon"]


def citizen_item(field: Field, code: str, *, within_s: float = 10) -> dict[str, Any]:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        for item in field.get("/api/v1/citizen/items", limit=500):
            if item["code"] == code:
                found: dict[str, Any] = item
                return found
        time.sleep(0.1)
    raise AssertionError(f"the station does not see {code}")


def post(field: Field, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    response = field.http.post(path, json=body, headers=field.admin)
    assert response.status_code in (200, 201), response.text
    answer: dict[str, Any] = response.json()
    return answer


def test_emergency_held_then_the_station_dispatches_and_the_phone_shows_the_unit(
    phones: Callable[..., Phone], field: Field,
) -> None:
    lat, lon = pole(field)
    phone = phones(at=(lat, lon))
    page = phone.open()
    # The consent text of the emergency purpose is on screen before anything can be sent.
    page.wait_for_function(
        "() => document.querySelector('#sos-consent .consent-text').textContent.includes('1 ปี')")
    phone.shot("home")
    assert page.evaluate("document.fonts.check('16px Sarabun', 'ขอความช่วยเหลือ')")
    # A tap alone sends nothing: it asks first.
    page.locator("#sos").click()
    page.wait_for_selector("#sos-confirm[open]")
    phone.shot("emergency-confirm")
    page.locator("#sos-confirm-no").click()
    assert not page.locator("#sos-confirm").evaluate("d => d.open")
    assert page.url.endswith("/citizen")

    phone.hold_sos()
    code = phone.ticket_code()
    assert code.startswith("E-")
    page.wait_for_selector("#ticket-status[data-status=new]")
    phone.shot("emergency-sent")
    stored = page.evaluate("JSON.parse(localStorage.getItem('ssz.citizen.tickets'))")
    assert stored[0]["code"] == code and len(stored[0]["key"]) >= 22  # >= 128 bits, base64url

    item = citizen_item(field, code)
    assert item["kind"] == "emergency" and item["location_source"] == "gps"
    assert abs(item["lat"] - lat) < 1e-6 and item["incident_id"]
    car = field.unit("C-CAR-1", lat + 0.004, lon)  # about 450 m north
    post(field, f"/api/v1/incidents/{item['incident_id']}/acknowledge")
    page.wait_for_selector("#ticket-status[data-status=acknowledged]", timeout=60_000)
    post(field, f"/api/v1/incidents/{item['incident_id']}/dispatch", {"unit_id": car})
    page.wait_for_selector("#ticket-unit", timeout=60_000)
    unit = page.locator("#ticket-unit").inner_text()
    assert "สายตรวจ C-CAR-1" in unit and "นาที" in unit  # the callsign and its ETA in minutes
    assert page.locator(".steps li.done").count() >= 2
    phone.shot("emergency-unit-coming")

    # A voice note, recorded on the phone (MediaRecorder) and sent after the ticket exists.
    page.locator("#ticket-voice").click()
    page.wait_for_function("() => /\\d/.test(document.querySelector('#ticket-voice').textContent)")
    page.wait_for_timeout(1500)  # the person speaks
    page.locator("#ticket-voice").click()
    page.wait_for_selector("#ticket-attach-status:text('ส่งไฟล์แล้ว')")
    media = field.get(f"/api/v1/citizen/items/{item['id']}")["media"]
    assert [m["kind"] for m in media] == ["voice"]

    # A second press while it is open joins the same emergency: no second incident.
    page.locator(".tabs [data-go=home]").click()
    page.locator("#sos").click()
    page.locator("#sos-confirm-yes").click()
    assert phone.ticket_code() == code
    page.wait_for_selector(".toast.ok")
    again = citizen_item(field, code)
    assert again["press_count"] == 2 and again["incident_id"] == item["incident_id"]

    # The same page in English: Gregorian year, same status.
    page.wait_for_selector(".toast", state="detached")
    page.locator("#lang-switch").click()
    page.wait_for_selector("html[lang=en]")
    page.wait_for_selector("#ticket-unit")
    assert "is on the way" in page.locator("#ticket-unit").inner_text()
    assert str(time.gmtime().tm_year) in page.locator(".steps").inner_text()
    phone.shot("emergency-unit-coming-en")


def photo(tmp_path: Path) -> Path:
    path = tmp_path / "street-light.jpg"
    image = Image.new("RGB", (640, 480), (40, 40, 60))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    path.write_bytes(buffer.getvalue())
    return path


def fill_report(page: Any, category: str, text: str) -> None:
    page.locator(f"#report-categories input[value={category}] + span").click()
    page.fill("#report-text", text)


def test_a_report_with_a_photo_reaches_the_station(
    phones: Callable[..., Phone], field: Field, tmp_path: Path,
) -> None:
    lat, lon = pole(field)
    phone = phones(at=(lat + 0.003, lon + 0.003))
    page = phone.open("/citizen#report")
    page.wait_for_selector("#report-categories input[value=street_light]")
    fill_report(page, "street_light", "ไฟถนนดับทั้งซอย มืดมาก")
    page.set_input_files("#report-files", str(photo(tmp_path)))
    page.wait_for_selector("#report-thumbs img")
    page.locator("[data-place=report] button").click()
    page.wait_for_selector("[data-place=report] .leaflet-marker-icon")
    page.check("#consent-report")
    phone.shot("report", top=True)
    page.locator("[data-place=report]").scroll_into_view_if_needed()
    phone.shot("report-place")
    page.locator("#report-form button[type=submit]").click()
    code = phone.ticket_code()
    assert code.startswith("R-")
    page.wait_for_selector("#ticket-status[data-status=new]")
    phone.shot("report-sent")
    item = citizen_item(field, code)
    assert item["category"] == "street_light" and item["location_source"] == "gps"
    assert [m["kind"] for m in item["media"]] == ["photo"]

    # The station asks for more; the phone shows the question and a reply box.
    asked = "เสาไฟต้นไหนครับ <img src=x onerror=alert(1)> หน้าบ้านเลขที่เท่าไร"
    post(field, f"/api/v1/citizen/items/{item['id']}/messages", {"text": asked, "ask_info": True})
    page.wait_for_selector("#reply-form:not([hidden])", timeout=60_000)
    assert asked in page.locator("#ticket-messages").inner_text()  # text, never markup
    assert page.locator("#ticket-messages img").count() == 0
    phone.shot("report-info-asked")
    page.fill("#reply-text", "หน้าบ้านเลขที่ 12 ต้นที่สองจากปากซอย")
    page.locator("#reply-form button[type=submit]").click()
    page.wait_for_selector("#reply-form[hidden]", state="attached", timeout=60_000)
    detail = field.get(f"/api/v1/citizen/items/{item['id']}")
    assert detail["messages"][-1]["direction"] == "from_citizen"


def test_a_similar_report_nearby_is_joined_instead_of_a_new_one(
    phones: Callable[..., Phone], field: Field, server: Server,
) -> None:
    lat, lon = pole(field)
    spot = (lat - 0.002, lon + 0.001)
    first = httpx.post(f"{server.url}/api/v1/public/reports", json={
        "client_key": "another-phone-key-0123456789abcdef", "category": "youths_gathering",
        "description": "วัยรุ่นมั่วสุมหน้าร้านค้าทุกคืน", "location_source": "pin",
        "location": {"lat": spot[0], "lon": spot[1]},
        "consent": {"purposes": ["report"], "version": CONSENT_VERSION}})
    assert first.status_code == 201, first.text
    target = first.json()["code"]

    phone = phones(at=(spot[0] + 0.0001, spot[1]))  # about 11 m away
    page = phone.open("/citizen#report")
    page.wait_for_selector("#report-categories input[value=youths_gathering]")
    fill_report(page, "youths_gathering", "วัยรุ่นรวมกลุ่มเสียงดัง")
    page.locator("[data-place=report] button").click()
    page.wait_for_selector(f"#similar-list li[data-code='{target}']")
    page.check("#consent-report")
    page.locator("#similar").scroll_into_view_if_needed()
    phone.shot("report-similar")
    page.locator(f"#similar-list button.join[data-code='{target}']").click()
    code = phone.ticket_code()
    assert code != target
    page.wait_for_selector(f"a[data-go='t/{target}']")
    phone.shot("report-joined")
    joined = httpx.get(f"{server.url}/api/v1/public/tickets/{target}").json()
    assert joined["joined"] == 1


def test_an_anonymous_tip_is_followed_up_by_its_one_time_code(
    phones: Callable[..., Phone], field: Field,
) -> None:
    lat, lon = pole(field)
    phone = phones(at=(lat, lon))
    page = phone.open("/citizen#tip")
    page.wait_for_selector("#tip-category option[value=drugs]", state="attached")
    page.select_option("#tip-category", "drugs")
    page.fill("#tip-text", "มีการซื้อขายยาเสพติดหลังตลาดทุกคืนประมาณสี่ทุ่ม")
    assert page.locator("input[name=who][value=anonymous]").is_checked()
    page.locator("#tip-form details summary").click()
    page.locator("[data-place=tip] button").click()
    page.wait_for_selector("[data-place=tip] .leaflet-marker-icon")
    page.check("#consent-tip")
    phone.shot("tip")
    page.locator("#tip-form button[type=submit]").click()
    page.wait_for_selector("#tip-codes:not([hidden])")
    code = page.locator("#tip-code").inner_text()
    first_secret = page.locator("#tip-followup").inner_text()
    assert code.startswith("T-") and len(first_secret) == 19
    phone.shot("tip-codes")

    item = citizen_item(field, code)
    assert item["anonymous"] is True and "identity" not in item
    post(field, f"/api/v1/citizen/items/{item['id']}/messages",
         {"text": "ได้รับเบาะแสแล้ว ขอบคุณครับ", "ask_info": False})

    page.locator("#tip-codes-done").click()
    page.fill("#followup-code", code)
    page.fill("#followup-secret", first_secret)
    page.fill("#followup-text", "เห็นรถกระบะสีขาวมาส่งของ")
    page.locator("#followup-form button[type=submit]").click()
    page.wait_for_selector("#followup-result:not([hidden])")
    assert "ได้รับเบาะแสแล้ว" in page.locator("#followup-result").inner_text()
    next_secret = page.locator("#followup-next").inner_text()
    assert len(next_secret) == 19 and next_secret != first_secret
    phone.shot("tip-followup")
    # The code is spent: a second use is refused.
    page.fill("#followup-secret", first_secret)
    page.locator("#followup-form button[type=submit]").click()
    page.wait_for_function(
        "() => document.querySelector('#followup-form .error').textContent.length > 0")
    assert page.locator("#followup-form .error").inner_text() == "รหัสไม่ถูกต้องหรือใช้ไปแล้ว"
    detail = field.get(f"/api/v1/citizen/items/{item['id']}")
    assert detail["messages"][-1]["text"] == "เห็นรถกระบะสีขาวมาส่งของ"


def test_my_station_my_tickets_and_my_data(phones: Callable[..., Phone], field: Field) -> None:
    lat, lon = pole(field)
    phone = phones(at=(lat, lon))
    page = phone.open("/citizen#station")
    page.locator("[data-place=station] button").click()
    page.wait_for_selector("#station-card:not([hidden]) h3")
    page.wait_for_selector("[data-place=station] .pin-station")  # the map shows the station
    card = page.locator("#station-card").inner_text()
    assert "tel:" in page.locator("#station-card a.call").get_attribute("href")
    assert card.strip()
    phone.shot("station")
    # A tip sent from this phone shows under my tickets; my data lists what is kept.
    page.locator(".tabs [data-go=tip]").click()
    page.select_option("#tip-category", "gambling")
    page.fill("#tip-text", "มีวงไพ่หลังร้านค้า")
    page.check("#consent-tip")
    page.locator("#tip-form button[type=submit]").click()
    page.wait_for_selector("#tip-codes:not([hidden])")
    code = page.locator("#tip-code").inner_text()
    page.locator("#tip-codes-done").click()
    page.locator(".tabs [data-go=tickets]").click()
    page.wait_for_selector(f".ticket-row[data-code='{code}']")
    phone.shot("tickets")
    page.locator("#screen-tickets [data-go=data]").click()
    page.select_option("#data-ticket", code)
    page.locator("#data-show").click()
    page.wait_for_selector("#data-view dt")
    assert "มีวงไพ่หลังร้านค้า" in page.locator("#data-view").inner_text()
    phone.shot("my-data")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#data-delete").click()
    # The answer to the delete is one line (the shown data also has a "deleted: no" line).
    page.wait_for_function(
        "() => document.querySelectorAll('#data-view dt').length === 1"
        " && document.querySelector('#data-view').textContent.includes('ลบข้อมูลส่วนบุคคลแล้ว')")
    page.locator("#data-show").click()
    page.wait_for_function("() => document.querySelectorAll('#data-view dt').length > 2")
    assert "มีวงไพ่หลังร้านค้า" not in page.locator("#data-view").inner_text()
    assert "ลบข้อมูลส่วนบุคคลแล้วใช่" in page.locator("#data-view").inner_text().replace("\n", "")


def test_offline_the_app_opens_and_an_emergency_shows_numbers_to_call(
    phones: Callable[..., Phone], field: Field,
) -> None:
    lat, lon = pole(field)
    phone = phones(at=(lat, lon))
    page = phone.open("/citizen#station")
    page.locator("[data-place=station] button").click()  # the station card is kept
    page.wait_for_selector("#station-card:not([hidden]) h3")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")  # clients.claim()
    before = len(field.get("/api/v1/citizen/items", kind="emergency", limit=500))
    phone.context.set_offline(True)
    page.goto(f"{phone.server.url}/citizen")  # from the service worker's copy
    page.wait_for_selector("body[data-ready=true]")
    assert page.locator("#offline").is_visible()
    page.locator("#sos").click()
    page.locator("#sos-confirm-yes").click()
    page.wait_for_selector("#call-panel:not([hidden])")
    links = [a.get_attribute("href") for a in page.locator("#call-links a").all()]
    assert "tel:191" in links and len(links) == 2  # the station's number, then 191
    phone.shot("emergency-offline")
    phone.context.set_offline(False)
    # Nothing was queued: back online, no emergency arrives by itself.
    page.wait_for_function("() => navigator.onLine")
    assert len(field.get("/api/v1/citizen/items", kind="emergency", limit=500)) == before


def test_emergency_with_the_position_refused_sends_a_pin_from_the_map(
    phones: Callable[..., Phone], field: Field,
) -> None:
    phone = phones()  # no geolocation permission: the browser refuses the position
    page = phone.open()
    page.locator("#sos").click()
    page.locator("#sos-confirm-yes").click()
    page.wait_for_selector("#sos-pin:not([hidden]) .leaflet-container")
    assert page.locator("#sos-status-text").inner_text() == (
        "ไม่ได้รับอนุญาตให้ใช้ตำแหน่ง โปรดเลือกตำแหน่งบนแผนที่")
    assert page.locator("#sos-pin-send").is_disabled()  # nothing to send before a pin
    box = page.locator("#sos-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_selector("#sos-map .pin-sos")
    phone.shot("emergency-pin")
    page.locator("#sos-pin-send").click()
    code = phone.ticket_code()
    item = citizen_item(field, code)
    assert item["location_source"] == "pin" and item["incident_id"]
