"""The CCOC's shift in a real browser against a real server with the demo: the duty officer
(pcr.operator) logs a phone call as an incident and sends a car to it from the unit board,
opens the shift sheet from the station panel, goes on duty, logs a notable event and hands
over; the station commander (pcr.commander) sees the handover waiting on the
panel's button, goes on duty, acknowledges it and downloads the daily report (Thai that
reads back); the duty officer goes off duty. A viewer sees the sheet without a form or a
button to act, and may take the report.

What officers type holds markup: shown as text, never parsed; no script error, no CSP
violation, no native dialog. Screenshots at 1920x1080 and 1366x768 under
test-artifacts/console/ (docs/screenshots/ with SSZ_TEST_DOCS_SCREENSHOTS=1).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from support.console import Server, log_in
from support.lostdocs import pdf_text

HOSTILE = '<img src=x onerror=alert(1)> "><script>alert(2)</script>'
STATION = "MPB-PHASI-CHAROEN"
VIOLATIONS = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
  (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
"""
MADE_FROM_TEXT = """() => [...document.querySelectorAll(
  'img[src="x"], [onerror], [onload], script:not([src])')].map((e) => e.outerHTML)"""
DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
REFRESH_DOCS = os.environ.get("SSZ_TEST_DOCS_SCREENSHOTS") == "1"
SIZES = ({"width": 1920, "height": 1080}, {"width": 1366, "height": 768})
FLASH_DONE = """() => !document.getAnimations().some(
  (a) => a.effect?.target?.id === 'flash' && a.playState === 'running')"""


@contextmanager
def console(chromium: Any, server: Server, username: str) -> Iterator[Any]:
    """A logged-in console tab at 1366x768 that records script errors and native dialogs,
    checked when it closes, with the CSP and markup checks."""
    context = chromium.new_context(viewport=SIZES[1], timezone_id="Asia/Bangkok",
                                   locale="th-TH", accept_downloads=True)
    context.add_init_script(VIOLATIONS)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda err: problems.append(str(err)))
    page.on("dialog", lambda dialog: (problems.append(f"dialog: {dialog.message}"),
                                      dialog.dismiss()))
    try:
        log_in(page, server.url, username)
        yield page
        assert page.evaluate(MADE_FROM_TEXT) == [], "markup was made from data"
        assert page.evaluate("window.__csp") == [], "the page broke its own policy"
        assert not problems, problems
    finally:
        context.close()


def open_sheet(page: Any) -> None:
    page.click("#topbar [data-view=station]")
    page.wait_for_selector("#view-station:not([hidden]) #shift-open")
    page.click("#shift-open")
    page.wait_for_selector("dialog#shift[open] .shift-day")


def shot(page: Any, artifacts: Path, step: str) -> None:
    """Both console sizes; the page never scrolls sideways, the sheet fits the screen."""
    page.wait_for_function(FLASH_DONE)
    for size in SIZES:
        page.set_viewport_size(size)
        page.wait_for_timeout(150)
        assert page.evaluate("document.documentElement.scrollWidth - innerWidth") <= 0, step
        box = page.locator("dialog#shift").bounding_box()
        assert box is None or box["y"] + box["height"] <= size["height"] + 1, step
        name = f"console-shift-{step}-{size['width']}x{size['height']}.png"
        page.screenshot(path=str((DOCS if REFRESH_DOCS else artifacts) / name))
    page.set_viewport_size(SIZES[1])


def test_a_shift_handed_over_acknowledged_and_reported(
        chromium: Any, server: Server, artifacts: Path) -> None:
    marker = f"SX{uuid.uuid4().hex[:8]}"
    with console(chromium, server, "pcr.operator") as operator:
        # A phone call: logged from the keyboard, placed at the market's SOS pole.
        operator.keyboard.press("n")
        operator.wait_for_selector("dialog#call[open]")
        operator.select_option("#call-source", "phone")
        operator.select_option("#call-type", "fight")
        operator.fill("#call-description", f"วัยรุ่นทะเลาะกันหน้าตลาด {marker}")
        operator.fill("#call-landmark", "PCR-KBL-SOS01")
        operator.check("#call-anonymous")
        operator.click("#call-submit")
        operator.wait_for_selector("#incident[data-state=acknowledged]")
        incident_id = operator.get_attribute("#incident", "data-id")
        operator.keyboard.press("Escape")
        # A car sent to it from the unit board (the demo's cars have no GPS fix yet).
        operator.keyboard.press("7")
        car = operator.locator("#units-body tr[data-status=available]").first
        car.locator("button[data-act=reassign]").click()
        ask = operator.locator("#units-body form[data-kind=reassign]")
        ask.locator("select[name=incident]").select_option(incident_id)
        ask.locator("button[type=submit]").click()
        operator.wait_for_selector(
            f"#units-body tr[data-status=dispatched] button[data-id='{incident_id}']")
        open_sheet(operator)
        operator.click("#shift-body button[data-act=on]")
        operator.wait_for_selector("#shift-body .shift-duty li[data-user='pcr.operator']")
        assert operator.locator("#shift-body button[data-act=off]").count() == 1

        operator.select_option("#shift-entry-kind", "event")
        operator.fill("#shift-entry-text", f"ผู้กำกับฯ ตรวจเยี่ยมศูนย์ {marker} {HOSTILE}")
        operator.click("#shift-entry button[type=submit]")
        event = operator.locator("#shift-body .shift-log li[data-kind=event]", has_text=marker)
        event.wait_for()
        assert HOSTILE in event.inner_text()

        # The handover form lists what is open now; once sent, it waits for the next officer.
        assert operator.locator("#shift-handover .carried").count() == 1
        operator.fill("#shift-handover-notes", f"ฝากติดตามสายตรวจ 11 ที่ตลาดน้ำ {marker}")
        operator.click("#shift-handover button[type=submit]")
        operator.wait_for_selector("#shift-body .handover.pending")
        pending = operator.locator("#shift-body .handover.pending").inner_text()
        assert marker in pending and "รอผู้เข้าเวรถัดไปรับมอบ" in pending
        assert operator.locator("#shift-handover").count() == 0  # one waits at a time
        shot(operator, artifacts, "01-handed-over")

        with console(chromium, server, "pcr.commander") as commander:
            commander.click("#topbar [data-view=station]")
            badge = commander.locator("#shift-open .badge[data-pending]")
            badge.wait_for()
            assert badge.inner_text().startswith("รอรับมอบ")
            open_sheet(commander)
            card = commander.locator("#shift-body .handover.pending", has_text=marker)
            assert "ลงชื่อเข้าเวรก่อนจึงรับมอบเวรได้" in card.inner_text()
            commander.click("#shift-body button[data-act=on]")
            form = commander.locator("#shift-body form.shift-ack")
            form.wait_for()
            shot(commander, artifacts, "02-waiting")
            form.locator("input[name=note]").fill("รับทราบ")
            form.locator("button[type=submit]").click()
            commander.wait_for_selector("#shift-body .handover:not(.pending)")
            assert commander.locator("#shift-body .handover.pending").count() == 0
            done = commander.locator("#shift-body .handover:not(.pending)", has_text=marker)
            assert "รับมอบโดย pcr.commander" in done.inner_text()
            assert commander.locator("#shift-open .badge[data-pending]").count() == 0
            shot(commander, artifacts, "03-acknowledged")

            with commander.expect_download() as download:
                commander.click("#shift-body button[data-act=report]")
            name = download.value.suggested_filename
            assert name.startswith(f"daily-{STATION}-") and name.endswith(".pdf")
            text = pdf_text(Path(download.value.path()).read_bytes())
            flat = " ".join(text.split())
            assert "รายงานประจำวันสำหรับผู้บังคับบัญชา" in flat
            squashed = "".join(text.split())
            for expected in (f"ฝากติดตามสายตรวจ11ที่ตลาดน้ำ{marker}", "รับทราบ",
                             "".join(HOSTILE.split()), "ทะเลาะวิวาท"):
                assert expected in squashed, expected

        operator.click("#shift-body button[data-act=off]")
        operator.wait_for_selector("#shift-body button[data-act=on]")
        last = operator.locator("#shift-body .shift-log li").first
        assert last.get_attribute("data-kind") == "off_duty"

    with console(chromium, server, "hq.viewer") as viewer:
        viewer.select_option("#station-select", STATION)
        open_sheet(viewer)
        viewer.wait_for_selector("#shift-body .shift-log li[data-kind=event]")
        for hidden in ("#shift-entry", "#shift-handover", "form.shift-ack",
                       "button[data-act=on]", "button[data-act=off]"):
            assert viewer.locator(f"#shift-body {hidden}").count() == 0, f"a viewer sees {hidden}"
        assert viewer.locator("#shift-body button[data-act=report]").count() == 1
        shot(viewer, artifacts, "04-viewer")
