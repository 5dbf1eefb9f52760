"""A work order to a partner, end to end in real browsers against a real server with the demo:
the duty officer (``pcr.operator``, console at 1366x768, station view) sends a dead Bangkok
city camera to the city (``bma.partner``); the city's technician opens ``/partner`` on a phone
(390x844), accepts and reports it done; the operator sees it done on the station panel and
verifies the fix. The police's words hold markup: shown as text on both sides, never parsed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from support.citizen import new_key, report
from support.console import PASSWORD, Field, Server, log_in

STATION = "MPB-PHASI-CHAROEN"
CAMERA = "PCR-KBL-CITY-P001-C1"
WORDS = 'กล้องหน้าวัดดับ ตรวจสอบไฟเลี้ยง <img src=x onerror=alert(1)>'
LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
VIOLATIONS = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
  (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
"""
MADE_FROM_TEXT = """() => [...document.querySelectorAll(
  'img[src="x"], [onerror], [onload], script:not([src])')].map((e) => e.outerHTML)"""


@contextmanager
def browser_page(chromium: Any, viewport: dict[str, int], **extra: Any) -> Iterator[Any]:
    """A page that may raise no script error, native dialog, policy breach or markup made
    from data."""
    context = chromium.new_context(viewport=viewport, timezone_id="Asia/Bangkok",
                                   locale="th-TH", **extra)
    context.add_init_script(VIOLATIONS)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda err: problems.append(str(err)))
    page.on("dialog", lambda dialog: (problems.append(f"dialog: {dialog.message}"),
                                      dialog.dismiss()))
    try:
        yield page
        assert page.evaluate(MADE_FROM_TEXT) == [], "markup was made from data"
        assert page.evaluate("window.__csp") == [], "the page broke its own policy"
        assert not problems, problems
    finally:
        context.close()


def station_view(page: Any, server: Server) -> None:
    log_in(page, server.url, "pcr.operator")
    page.keyboard.press("3")
    page.wait_for_selector("#view-station:not([hidden]) #wo-list")


def test_the_operator_sends_a_dead_city_camera_and_verifies_the_fix(
        chromium: Any, server: Server, field: Field, artifacts: Path) -> None:
    # The camera is the city's own: the city's account sees it among its cameras.
    city = {"Authorization": f"Bearer {field.token('bma.partner')}"}
    own = field.http.get("/api/v1/cameras", params={"limit": 200}, headers=city).json()
    assert CAMERA in {c["code"] for c in own["items"]}
    with browser_page(chromium, LAPTOP) as console:
        station_view(console, server)
        console.click("#wo-create")
        dialog = console.locator("dialog#wo-dialog[open]")
        dialog.wait_for()
        dialog.locator("#wo-kind").select_option("camera")
        dialog.locator("#wo-point").fill(CAMERA)
        dialog.locator("#wo-description").fill(WORDS)
        console.screenshot(path=str(artifacts / "workorders-1-create-1366x768.png"))
        dialog.locator("#wo-submit").click()
        dialog.wait_for(state="detached")
        row = console.locator("#wo-list li[data-status=open]").first
        row.wait_for()
        code = row.get_attribute("data-code")
        assert code and WORDS not in row.inner_text()  # the list names the point, not words
        assert "ร้านค้า" not in row.inner_text()
        loads = console.locator("#wo-loads tr[data-partner=PCR-KBL-CITY]")
        console.keyboard.press("1")  # the panel redraws when the view comes back
        console.keyboard.press("3")
        loads.wait_for()
        assert loads.locator("td").first.inner_text() == "1"
        console.screenshot(path=str(artifacts / "workorders-2-panel-1366x768.png"))

        with browser_page(chromium, PHONE, is_mobile=True, has_touch=True) as phone:
            phone.goto(f"{server.url}/partner")
            phone.wait_for_selector("#screen-login:not([hidden])")
            phone.fill("#username", "bma.partner")
            phone.fill("#password", PASSWORD)
            phone.click("#login-form button[type=submit]")
            card = phone.locator(f"li.order[data-code='{code}']")
            card.wait_for()
            text = card.inner_text()
            assert WORDS in text and "ภาษีเจริญ" in text
            assert "2569" in text or "2570" in text  # the due time in the Buddhist Era
            assert phone.evaluate("document.documentElement.scrollWidth - innerWidth") <= 0
            phone.screenshot(path=str(artifacts / "workorders-3-partner-390x844.png"))
            card.locator("button[data-action=accept]").click()
            phone.locator(f"li.order[data-code='{code}'][data-status=accepted]").wait_for()
            phone.locator(f"li.order[data-code='{code}'] button[data-action=done]").click()
            answer = phone.locator("dialog#answer-dialog[open]")
            answer.wait_for()
            answer.locator("#answer-note").fill("เปลี่ยนอะแดปเตอร์ไฟแล้ว")
            answer.locator("#answer-ok").click()
            phone.locator(f"li.order[data-code='{code}'][data-status=done]").wait_for()
            phone.screenshot(path=str(artifacts / "workorders-4-partner-done-390x844.png"))

        console.keyboard.press("1")
        console.keyboard.press("3")
        done = console.locator(f"#wo-list li[data-code='{code}'][data-status=done]")
        done.wait_for()
        done.locator("button[data-wo-act=verify]").click()
        confirm = console.locator("dialog.svc-confirm[open]")
        confirm.wait_for()
        confirm.locator("[data-confirm]").click()
        confirm.wait_for(state="detached")
        console.locator(f"#wo-list li[data-code='{code}']").wait_for(state="detached")
        loads.wait_for(state="detached")  # the panel's figures follow: nothing open
        console.screenshot(path=str(artifacts / "workorders-5-verified-1366x768.png"))

    [order] = [o for o in field.get("/api/v1/workorders", station_code=STATION)
               if o["code"] == code]
    assert order["status"] == "verified" and order["partner_code"] == "PCR-KBL-CITY"
    assert [h["action"] for h in order["history"]] == ["create", "accept", "done", "verify"]
    assert order["description"] == WORDS


def test_a_citizens_lamp_report_is_sent_on_and_closes_when_verified(
        chromium: Any, server: Server, field: Field, artifacts: Path) -> None:
    point = field.asset("PCR-KBL-CITY-P002")
    key = new_key()
    private = "ไฟดับหน้าบ้านดิฉัน ชื่อสมศรี โทร 0898765432"
    sent = field.http.post("/api/v1/public/reports", json=report(
        key, point["lat"], point["lon"], description=private,
        contact={"name": "สมศรี มีสุข", "phone": "0898765432"}))
    assert sent.status_code == 201, sent.text
    code = sent.json()["code"]
    with browser_page(chromium, LAPTOP) as console:
        station_view(console, server)
        console.keyboard.press("1")
        row = console.locator(f"#queue-list .q-item[data-code='{code}']")
        row.wait_for(timeout=20_000)
        row.locator(".q-title").click()
        console.wait_for_selector(f"#citizen[data-code='{code}']")
        console.click("#citizen button[data-act=workorder]")
        dialog = console.locator("dialog#wo-dialog[open]")
        dialog.wait_for()
        assert private not in dialog.inner_text()
        assert dialog.locator("#wo-description").input_value().startswith("ประชาชนแจ้ง")
        dialog.locator("#wo-partner").select_option("PCR-KBL-CITY")
        console.screenshot(path=str(artifacts / "workorders-6-from-citizen-1366x768.png"))
        dialog.locator("#wo-submit").click()
        dialog.wait_for(state="detached")
        summary = console.locator("#cz-workorder")
        summary.wait_for()
        assert "PCR-KBL-CITY" in summary.inner_text()
        assert console.locator("#citizen button[data-act=workorder]").count() == 0

    city = {"Authorization": f"Bearer {field.token('bma.partner')}"}
    [order] = [o for o in field.http.get("/api/v1/partner/workorders", headers=city).json()
               if o["kind"] == "street_light" and o["status"] == "open"]
    for secret in (private, "สมศรี", "0898765432", code):
        assert secret not in str(order)
    for action in ("accept", "done"):
        answer = field.http.post(f"/api/v1/partner/workorders/{order['id']}/actions",
                                 headers=city, json={"action": action})
        assert answer.status_code == 200, answer.text
    operator = {"Authorization": f"Bearer {field.token('pcr.operator')}"}
    verified = field.http.post(f"/api/v1/workorders/{order['id']}/actions", headers=operator,
                               json={"action": "verify"})
    assert verified.status_code == 200, verified.text
    ticket = field.http.get(f"/api/v1/public/tickets/{code}", headers={"X-Caller-Key": key})
    assert ticket.json()["status"] == "closed"
    assert ticket.json()["disposition"]["th"] == "ซ่อมบำรุงแล้ว"
