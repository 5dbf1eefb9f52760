"""The station services' desk screens on the console (the Services view, key 5), in a real
browser at the laptop's 1366x768 against a real server with the demo:

- an operator opens a waiting lost-document report (the declarant's identity shows only
  then), issues it, downloads another's certificate, revokes that one with a reason after
  a confirmation, and the certificate's QR then opens a verify page that says revoked;
- a consultant adds and removes a colleague, offers a series of slots, reads a citizen's
  booking (topic, channel, B.E. time) and writes a private note that an operator who is no
  consultant is never offered; the station closes a slot and cancels the booking;
- a commander sets the station to review lost documents, creates a volunteer post, sets its
  hours and roster, and sees what a volunteer took there.

Names typed by citizens, admins and commanders hold markup: shown as text, never parsed.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pypdfium2 as pdfium
import zxingcpp

from safetyzone.core.clock import BANGKOK
from support.citizen import consent
from support.console import PASSWORD, Field, Server, log_in
from support.consult import booking, new_key
from support.lostdocs import declaration, thai_id

STATION = "MPB-PHASI-CHAROEN"
HOSTILE = '<img src=x onerror=alert(1)> "><script>alert(2)</script>'
VIOLATIONS = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
  (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
"""
MADE_FROM_TEXT = """() => [...document.querySelectorAll(
  'img[src="x"], [onerror], [onload], script:not([src])')].map((e) => e.outerHTML)"""
# The docs' pictures are refreshed on request only (SSZ_TEST_DOCS_SCREENSHOTS=1), so a test
# run leaves the checkout as it was; otherwise they go with the other artifacts.
DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
REFRESH_DOCS = os.environ.get("SSZ_TEST_DOCS_SCREENSHOTS") == "1"
FLASH_DONE = """() => !document.getAnimations().some(
  (a) => a.effect?.target?.id === 'flash' && a.playState === 'running')"""
LAPTOP = {"width": 1366, "height": 768}
WALL = {"width": 1920, "height": 1080}


@contextmanager
def desk(chromium: Any, server: Server, username: str) -> Iterator[Any]:
    """The console signed in as ``username`` at 1366x768, on the Services view; no script
    error, no native dialog and no markup made from data by the end."""
    context = chromium.new_context(viewport=LAPTOP, timezone_id="Asia/Bangkok", locale="th-TH",
                                   accept_downloads=True)
    context.add_init_script(VIOLATIONS)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda err: problems.append(str(err)))
    page.on("dialog", lambda dialog: (problems.append(f"dialog: {dialog.message}"),
                                      dialog.dismiss()))
    log_in(page, server.url, username)
    page.keyboard.press("5")
    page.wait_for_selector("#view-services:not([hidden])")
    try:
        yield page
        assert page.evaluate(MADE_FROM_TEXT) == [], "markup was made from data"
        assert page.evaluate("window.__csp") == [], "the page broke its own policy"
        assert not problems, problems
    finally:
        context.close()


def part(page: Any, name: str) -> None:
    page.click(f"#services-parts [data-part={name}]")
    page.wait_for_selector(f"#services-body[data-part={name}]:not([aria-busy])")


def shot(page: Any, artifacts: Path, step: str) -> None:
    """Both console sizes; the page never scrolls sideways."""
    page.wait_for_function(FLASH_DONE)
    page.evaluate("document.getElementById('view-services').scrollTo(0, 0)")
    page.evaluate("document.getElementById('toasts').replaceChildren()")  # the picture's sake
    for size in (WALL, LAPTOP):
        page.set_viewport_size(size)
        page.wait_for_timeout(150)
        assert page.evaluate("document.documentElement.scrollWidth - innerWidth") <= 0, step
        name = f"console-services-{step}-{size['width']}x{size['height']}.png"
        page.screenshot(path=str((DOCS if REFRESH_DOCS else artifacts) / name))


def confirm(page: Any, reason: str | None = None) -> None:
    dialog = page.locator("dialog.svc-confirm[open]")
    dialog.wait_for()
    if reason is not None:
        dialog.locator("textarea").fill(reason)
    dialog.locator("[data-confirm]").click()
    dialog.wait_for(state="detached")


def declare(field: Field, **extra: Any) -> dict[str, Any]:
    response = field.http.post("/api/v1/public/lostdocs",
                               json=declaration(station=STATION, **extra))
    assert response.status_code == 201, response.text
    answer: dict[str, Any] = response.json()
    return answer


def qr_url(pdf: bytes) -> str:
    """What a phone reads from the certificate's QR code."""
    document = pdfium.PdfDocument(pdf)
    try:
        image = document[0].render(scale=2).to_pil()
    finally:
        document.close()
    [found] = zxingcpp.read_barcodes(image)
    return str(found.text)


def user(field: Field, username: str, role: str, display_name: str) -> None:
    response = field.http.post("/api/v1/users", headers=field.admin, json={
        "username": username, "display_name": display_name, "password": PASSWORD,
        "role": role, "org_unit_codes": [STATION]})
    assert response.status_code == 201, response.text


def test_an_operator_issues_a_waiting_report_and_revokes_another(
        chromium: Any, server: Server, field: Field, artifacts: Path) -> None:
    # Issued at once (the station's default), then the station reviews first: a new report
    # waits, and the same ID declaring an ID card again is flagged as a repeat.
    earlier = declare(field, national_id=thai_id(71))
    assert earlier["status"] == "issued"
    assert field.http.put("/api/v1/lostdocs/settings", headers=field.admin, json={
        "station_code": STATION, "auto_issue": False, "repeat_days": 30}).status_code == 200
    waiting = declare(field, national_id=thai_id(72), name=f"นายสมชาย {HOSTILE}")
    repeat = declare(field, national_id=thai_id(71))
    assert waiting["status"] == repeat["status"] == "pending"

    with desk(chromium, server, "pcr.operator") as page:
        part(page, "lostdocs")
        row = page.locator(f"table.lostdoc-reports tr[data-code='{waiting['code']}']")
        row.wait_for()
        assert row.get_attribute("data-status") == "pending"
        assert "น***" in row.inner_text() and "สมชาย" not in row.inner_text()  # masked
        assert re.search(r"25[6-9]\d", row.inner_text())  # sent on a B.E. date
        flags = page.locator(".lostdoc-flags")
        assert repeat["code"] in flags.inner_text() and earlier["code"] in flags.inner_text()
        assert page.locator(
            f"table.lostdoc-reports tr.flagged[data-code='{repeat['code']}']").count() == 1
        assert page.locator(".lostdoc-settings").count() == 0  # not an operator's to change
        # Opened: the identity, as text; issued with the station's next number.
        row.locator("[data-open]").click()
        identity = page.locator(".lostdoc-identity")
        identity.wait_for()
        assert f"นายสมชาย {HOSTILE}" in identity.inner_text()
        page.click(f"[data-issue='{waiting['code']}']")
        page.wait_for_selector(f"tr[data-code='{waiting['code']}'][data-status=issued]")
        detail = page.locator(".lostdoc-detail").inner_text()
        assert re.search(rf"{STATION}/\d+/25[6-9]\d", detail), detail
        shot(page, artifacts, "lostdocs")
        # The earlier one: its certificate downloaded, then revoked with a reason.
        page.click(f"tr[data-code='{earlier['code']}'] [data-open]")
        with page.expect_download() as download:
            page.click(f"[data-certificate='{earlier['code']}']")
        pdf = Path(download.value.path()).read_bytes()
        assert pdf.startswith(b"%PDF")
        verify = urlsplit(qr_url(pdf))
        page.click(f"[data-revoke='{earlier['code']}']")
        page.locator("dialog.svc-confirm [data-confirm]").click()  # no reason: refused
        assert page.locator("dialog.svc-confirm .error").inner_text()
        confirm(page, "พบเอกสารแล้ว ผู้แจ้งขอยกเลิก")
        page.wait_for_selector(f"tr[data-code='{earlier['code']}'][data-status=revoked]")
        assert "พบเอกสารแล้ว" in page.locator(".lostdoc-detail").inner_text()
        # The certificate's QR now opens a page that says revoked.
        page.goto(f"{server.url}{verify.path}?{verify.query}")
        assert page.locator("[data-result=revoked]").count() == 1
        assert "ถูกยกเลิก" in page.inner_text("body")


def test_a_consultant_offers_slots_and_keeps_notes_that_others_never_see(
        chromium: Any, server: Server, field: Field, artifacts: Path) -> None:
    user(field, "pcr.desk", "operator", "เจ้าหน้าที่ประจำโต๊ะ (no consultant)")
    day = datetime.now(BANGKOK).date() + timedelta(days=20)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    with desk(chromium, server, "pcr.operator") as page:
        part(page, "consult")
        consultants = page.locator(".consult-consultants")
        consultants.locator("li[data-username='pcr.operator']").wait_for()
        # A colleague added by username, then removed after a confirmation.
        page.fill("#consult-username", "pcr.patrol")
        page.click("[data-add-consultant]")
        consultants.locator("li[data-username='pcr.patrol']").wait_for()
        consultants.locator("[data-remove='pcr.patrol']").click()
        confirm(page)
        consultants.locator("li[data-username='pcr.patrol']").wait_for(state="detached")
        # Three half-hour slots in a row on one weekday evening.
        page.select_option("#slot-consultant", label="เจ้าหน้าที่ CCOC สน.ภาษีเจริญ (duty officer)")
        page.fill("#slot-first", day.isoformat())
        assert str(day.year + 543) in page.locator(".consult-new-slots .be-date").inner_text()
        page.fill("#slot-start", "18:00")
        page.fill("#slot-per-day", "3")
        page.click("[data-make-slots]")
        starts = [datetime(day.year, day.month, day.day, 18, 0, tzinfo=BANGKOK)
                  + timedelta(minutes=30 * i) for i in range(3)]
        told = page.locator("#toasts .toast", has_text="ช่วง")
        told.first.wait_for()
        assert told.first.inner_text() == "เปิดแล้ว 3 ช่วงเวลา", told.all_inner_texts()
        ours = [s for s in field.get("/api/v1/consult/slots", station_code=STATION)
                if datetime.fromisoformat(s["starts_at"]) in starts]
        assert len(ours) == 3
        for slot in ours:
            page.locator(f"tr[data-slot='{slot['id']}'][data-state=open]").wait_for()
        # A citizen books the first from the public app.
        key = new_key()
        made = field.http.post("/api/v1/public/consult/requests", json=booking(
            min(ours, key=lambda s: s["starts_at"])["id"], key, name=f"สมหญิง {HOSTILE}"))
        assert made.status_code == 201, made.text
        code = made.json()["code"]
        page.click("#services-refresh")
        request = page.locator(f"table.consult-request-table tr[data-code='{code}']")
        request.wait_for()
        text = request.inner_text()
        assert "ถูกหลอกลวง ภัยออนไลน์" in text and "ทางโทรศัพท์" in text
        assert f"{day.day} " in text and str(day.year + 543) in text and "18:00" in text
        request.locator("[data-open]").click()
        page.locator(".consult-notes [data-notes='0']").wait_for()
        assert f"สมหญิง {HOSTILE}" in page.locator(".consult-detail").inner_text()
        page.fill("#consult-note", f"ให้คำแนะนำเรื่องแจ้งความออนไลน์ {HOSTILE}")
        page.click("[data-add-note]")
        page.locator(".consult-notes li[data-note]").wait_for()
        assert HOSTILE in page.locator(".consult-notes").inner_text()
        shot(page, artifacts, "consult")
        # The last new slot closed by the station.
        last = max(ours, key=lambda s: s["starts_at"])
        page.click(f"[data-close-slot='{last['id']}']")
        confirm(page)
        page.wait_for_selector(f"tr[data-slot='{last['id']}']", state="detached")

    # An operator who is no consultant reads the booking, but is never offered the notes
    # (and the server would refuse them).
    with desk(chromium, server, "pcr.desk") as page:
        part(page, "consult")
        page.click(f"table.consult-request-table tr[data-code='{code}'] [data-open]")
        page.locator(".consult-detail").wait_for()
        assert page.locator(".consult-notes").count() == 0
        assert "แจ้งความออนไลน์" not in page.inner_text("body")
        request_id = next(r["id"] for r in field.get("/api/v1/consult/requests",
                                                      station_code=STATION) if r["code"] == code)
        refused = field.http.get(f"/api/v1/consult/requests/{request_id}/notes", headers={
            "Authorization": f"Bearer {field.token('pcr.desk')}"})
        assert refused.status_code == 403, refused.text
        # The station cancels the booking; the citizen reads why.
        page.click(f"[data-cancel-request='{code}']")
        confirm(page, "ผู้ให้คำปรึกษาติดราชการ")
        page.wait_for_selector(f"table.consult-request-table tr[data-code='{code}']",
                               state="detached")
    mine = field.http.get(f"/api/v1/public/consult/requests/{code}",
                          headers={"X-Caller-Key": key}).json()
    assert mine["state"] == "cancelled_by_station"
    assert mine["cancel_reason"] == "ผู้ให้คำปรึกษาติดราชการ"


def test_a_commander_sets_a_posts_hours_and_roster_and_sees_what_was_taken(
        chromium: Any, server: Server, field: Field, artifacts: Path) -> None:
    user(field, "pcr.volunteer", "volunteer", f"อาสา {HOSTILE}")
    with desk(chromium, server, "pcr.commander") as page:
        # The station's lost-document setting is the commander's to change.
        part(page, "lostdocs")
        page.select_option("#lostdoc-auto", "false")
        page.fill("#lostdoc-days", "45")
        page.click("[data-save-settings]")
        # The saved toast, not the card's look: the card may show saved settings already.
        page.locator("#toasts .toast.ok", has_text="บันทึกการตั้งค่าแล้ว").wait_for()
        setting = field.get("/api/v1/lostdocs/settings", station_code=STATION)
        assert (setting["auto_issue"], setting["repeat_days"]) == (False, 45)
        # A new post: its hours every day of the week, then its roster.
        part(page, "posts")
        page.fill("#post-name-th", f"จุดบริการตลาด {HOSTILE}")
        page.fill("#post-name-en", "Market post")
        page.click("[data-create-post]")
        editor = page.locator(".post-hours-editor")
        editor.wait_for()
        for weekday in range(7):
            editor.locator("[data-add-window]").click()
            window = editor.locator(".post-window").nth(weekday)
            window.locator("[data-weekday]").select_option(str(weekday))
            window.locator("[data-opens]").fill("00:00")
            window.locator("[data-closes]").fill("24:00")  # to midnight
        editor.locator("[data-save-hours]").click()
        card = page.locator(".card.post", has_text="จุดบริการตลาด")
        card.locator(".post-open.yes").wait_for()
        assert f"จุดบริการตลาด {HOSTILE}" in card.locator("h3").inner_text()
        assert "00:00-24:00" in card.locator(".post-hours").inner_text()
        # Someone who is not a user of the station: refused, and told so in Thai first.
        card.locator("[data-roster-user]").fill("nobody.here")
        card.locator("[data-add-person]").click()
        told = page.locator("#toasts .toast.error")
        told.wait_for()
        assert re.match("[\u0e00-\u0e7f]", told.inner_text()), told.inner_text()
        assert card.locator(".post-roster li").count() == 0
        for person in ("pcr.volunteer", "pcr.patrol"):
            card.locator("[data-roster-user]").fill(person)
            card.locator("[data-add-person]").click()
            card.locator(f"li[data-username='{person}']").wait_for()
        assert f"อาสา {HOSTILE}" in card.locator(".post-roster").inner_text()
        card.locator("[data-remove='pcr.patrol']").click()
        confirm(page)
        card.locator("li[data-username='pcr.patrol']").wait_for(state="detached")
        # The volunteer takes a report there; the commander sees it, with who took it.
        post_id = card.get_attribute("data-post")
        volunteer = {"Authorization": f"Bearer {field.token('pcr.volunteer')}"}
        taken = field.http.post(f"/api/v1/posts/{post_id}/reports", headers=volunteer, json={
            "client_key": new_key(), "category": "theft", "consent": consent("report"),
            "description": "กระเป๋าสตางค์หายในตลาด"})
        assert taken.status_code == 201, taken.text
        page.click("#services-refresh")
        line = card.locator(f".post-taken tr[data-code='{taken.json()['code']}']")
        line.wait_for()
        assert "pcr.volunteer" in line.inner_text() and "แจ้งเหตุ" in line.inner_text()
        shot(page, artifacts, "posts")
        # In English too: the words and the Gregorian year.
        page.click("#lang-switch")
        page.wait_for_function("() => document.documentElement.lang === 'en'")
        card = page.locator(f".card.post[data-post='{post_id}']")
        card.locator(".post-open", has_text="Open now").wait_for()
        assert "Market post" in card.locator("h3").inner_text()
        assert str(datetime.now(UTC).year) in card.locator(".post-taken").inner_text()
        page.click("#lang-switch")
        page.wait_for_function("() => document.documentElement.lang === 'th'")
