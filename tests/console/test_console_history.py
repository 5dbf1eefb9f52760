"""The History view (ประวัติเหตุ, key 6) in a real browser at 1920x1080, against a real
server with the demo: a duty officer finds an SOS that was closed (it left the queue), by a
word of its notes and the closed state; opens it and reads its whole timeline, station and
the units it had; downloads its PDF report (Thai that reads back) and the search as CSV;
and the print sheet prints the incident panel alone.

Notes typed by officers hold markup: shown as text, never parsed; no script error, no CSP
violation. Screenshots at 1920x1080 and 1366x768 under test-artifacts/console/.
"""

from __future__ import annotations

import os
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from support.console import Field, Server, log_in
from support.lostdocs import pdf_text

HOSTILE = '<img src=x onerror=alert(1)> "><script>alert(2)</script>'
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


def closed_sos(field: Field, marker: str) -> tuple[dict[str, Any], str]:
    """An SOS pressed at the market pole, worked by the duty officer through the API to its
    close: acknowledged, a car dispatched, two notes, on scene, cleared, closed resolved."""
    asset, button = field.sos_button("PCR-KBL-SOS01")
    callsign = f"สายตรวจ H-{marker[-4:]}"
    unit = field.http.post("/api/v1/units", headers=field.admin, json={
        "station_code": field.station, "code": f"H-{marker[-6:]}", "callsign": callsign,
        "kind": "car", "status": "available"})
    assert unit.status_code == 201, unit.text
    field.event(button, "sos.press")
    deadline = time.monotonic() + 10
    incident = None
    while incident is None and time.monotonic() < deadline:
        incident = next((i for i in field.get("/api/v1/incidents", kind="sos", state="new")
                         if i["source_asset_id"] == asset["id"]), None)
    assert incident is not None, "the engine opened no incident for the SOS press"
    operator = {"Authorization": f"Bearer {field.token('pcr.operator')}"}
    path = f"/api/v1/incidents/{incident['id']}"
    for call, body in (
            ("acknowledge", None), ("dispatch", {"unit_id": unit.json()["id"]}),
            ("notes", {"text": f"ผู้แจ้งเป็นผู้ใหญ่บ้าน พบน้ำท่วมขัง {marker}"}),
            ("notes", {"text": HOSTILE}),
            ("transition", {"to": "on_scene"}), ("transition", {"to": "cleared"}),
            ("transition", {"to": "closed", "disposition": "resolved", "note": "ปิดเหตุ"})):
        answer = field.http.post(f"{path}/{call}", json=body, headers=operator)
        assert answer.status_code == 200, (call, answer.text)
    return incident, callsign


def shot(page: Any, artifacts: Path, step: str) -> None:
    """Both console sizes, once a new alert's flash (the demo's own sweeps raise some) is
    over; the page never scrolls sideways."""
    page.wait_for_function(FLASH_DONE)
    for size in SIZES:
        page.set_viewport_size(size)
        page.wait_for_timeout(150)
        assert page.evaluate("document.documentElement.scrollWidth - innerWidth") <= 0, step
        name = f"console-history-{step}-{size['width']}x{size['height']}.png"
        page.screenshot(path=str((DOCS if REFRESH_DOCS else artifacts) / name))
    page.set_viewport_size(SIZES[0])


def test_an_operator_finds_a_closed_incident_reads_it_and_takes_its_report(
        chromium: Any, server: Server, field: Field, artifacts: Path) -> None:
    marker = f"HX{uuid.uuid4().hex[:8]}"
    incident, callsign = closed_sos(field, marker)
    context = chromium.new_context(viewport=SIZES[0], timezone_id="Asia/Bangkok",
                                   locale="th-TH", accept_downloads=True)
    context.add_init_script(VIOLATIONS)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda err: problems.append(str(err)))
    page.on("dialog", lambda dialog: (problems.append(f"dialog: {dialog.message}"),
                                      dialog.dismiss()))
    try:
        log_in(page, server.url, "pcr.operator")
        # Closed: not in the queue any more.
        assert page.locator(f"#queue-list [data-id='{incident['id']}']").count() == 0

        page.keyboard.press("6")
        page.wait_for_selector("#view-history:not([hidden])")
        assert page.locator("#history-tab").get_attribute("aria-selected") == "true"
        # One tab looks chosen (the body's own data-view once took the first one's place).
        assert page.locator("#topbar [data-view][aria-selected=true]").count() == 1
        page.wait_for_selector("#history-table tbody tr")  # the newest first, unfiltered
        page.fill("#history-q", marker)
        page.select_option("#history-state", "closed")
        page.select_option("#history-kind", "sos")
        page.click("#history-search")
        row = page.locator(f"#history-table tr[data-id='{incident['id']}']")
        row.wait_for()
        page.wait_for_selector("#history-results:not([aria-busy])")
        assert page.locator("#history-table tbody tr").count() == 1
        assert page.locator("#history-count").inner_text() == "แสดง 1–1 จาก 1 เหตุ"
        cells = row.locator("td").all_inner_texts()
        year_be = str(datetime.now(UTC).year + 543)  # the Buddhist Era in Thai
        assert year_be in cells[0], cells
        assert "ภาษีเจริญ" in cells[1], cells  # the station, named
        assert cells[3] == "กดปุ่ม SOS" and cells[5] == "ปิดแล้ว"
        assert cells[6] == "ระงับเหตุแล้ว" and callsign in cells[7], cells
        shot(page, artifacts, "01-found")

        row.locator("button.history-open").click()
        panel = page.locator(f"#incident[data-id='{incident['id']}'][data-state=closed]")
        panel.wait_for()
        timeline = page.locator("#incident .timeline").inner_text()
        assert marker in timeline and HOSTILE in timeline and "ปิดเหตุ" in timeline
        assert "ภาษีเจริญ" in page.locator("#inc-station").inner_text()
        assert callsign in page.locator("#incident").inner_text()
        # A closed incident offers no dispatch and no closing any more.
        assert page.locator("#incident [data-act=dispatch], #disposition").count() == 0
        shot(page, artifacts, "02-incident")

        with page.expect_download() as pdf_download:
            page.click("#incident button[data-act=report-pdf]")
        pdf = Path(pdf_download.value.path()).read_bytes()
        assert pdf_download.value.suggested_filename == f"incident-{incident['id']}.pdf"
        text = " ".join(pdf_text(pdf).split())
        assert "รายงานเหตุ Incident report: กดปุ่ม SOS" in text
        assert "".join(marker.split()) in "".join(text.split())
        assert "ระงับเหตุแล้ว" in text and callsign in text

        with page.expect_download() as csv_download:
            page.click("#history-csv")
        exported = Path(csv_download.value.path()).read_bytes()
        assert exported.startswith(b"\xef\xbb\xbf")
        lines = exported.decode("utf-8-sig").splitlines()
        assert len(lines) == 2 and lines[1].startswith(incident["id"])

        # The print sheet: the incident panel alone, its buttons and the console left out.
        page.emulate_media(media="print")
        assert page.locator("#incident").is_visible()
        for hidden in ("#queue", "#topbar", "#views", "#incident .inc-report"):
            assert not page.locator(hidden).is_visible(), hidden
        page.screenshot(path=str(artifacts / "console-history-03-print-1920x1080.png"),
                        full_page=True)
        page.emulate_media(media="screen")

        assert page.evaluate(MADE_FROM_TEXT) == [], "markup was made from data"
        assert page.evaluate("window.__csp") == [], "the page broke its own policy"
        assert not problems, problems
    finally:
        context.close()
