"""A footage request to a camera owner, end to end in real browsers against a real server with
the demo: the duty officer (``pcr.operator``, console at 1920x1080, station view) asks the
city (``bma.partner``) for a window of its camera for a case; the city's officer opens
``/partner`` on a phone (390x844), sees the request and uploads a real video (made with
ffmpeg, tests/fixtures/footage), whose first piece a lost signal cuts (the page resumes
it); the officer sees the file with its SHA-256 and downloads
it, byte for byte. The officer's words hold markup: shown as text on both sides.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from support.console import PASSWORD, Field, Server, log_in
from support.footage import VIDEO

CAMERA = "PCR-KBL-CITY-P001-C1"
REASON = 'ลักทรัพย์หน้าวัด ขอภาพช่วงเกิดเหตุ <img src=x onerror=alert(1)>'
DESKTOP = {"width": 1920, "height": 1080}
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


def test_the_officer_asks_the_city_for_footage_and_gets_the_file(
        chromium: Any, server: Server, field: Field, artifacts: Path) -> None:
    data = VIDEO.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    # An open incident with a long title: the dialog's incident list must not widen it.
    points = [a for a in field.get("/api/v1/assets", kind="sos_point", limit=500)["items"]
              if a["code"].startswith("PCR-")]
    _, button = field.sos_button(sorted(p["code"] for p in points)[-1])
    field.event(button, "sos.press")
    with browser_page(chromium, DESKTOP, accept_downloads=True) as console:
        log_in(console, server.url, "pcr.operator")
        console.wait_for_selector("#queue-list .q-item:has-text('SOS')")
        console.keyboard.press("3")
        console.wait_for_selector("#view-station:not([hidden]) #fr-list")
        console.click("#fr-create")
        dialog = console.locator("dialog#fr-dialog[open]")
        dialog.wait_for()
        dialog.locator("#fr-case").fill("456/2569")
        dialog.locator(f"input[data-fr-cam='{CAMERA}']").check()
        dialog.locator("#fr-reason").fill(REASON)
        assert "2569" in dialog.locator("#fr-window-be").inner_text()  # Buddhist Era echo
        # The dialog fits its frame (long incident titles once pushed the send button out).
        for width, height in ((1366, 768), (1920, 1080)):
            console.set_viewport_size({"width": width, "height": height})
            console.wait_for_timeout(200)
            sizes = dialog.evaluate("(d) => [d.scrollWidth, d.clientWidth]")
            assert sizes[0] <= sizes[1] + 1, f"the dialog scrolls sideways at {width}: {sizes}"
        console.screenshot(path=str(artifacts / "footage-1-create-1920x1080.png"))
        dialog.locator("#fr-submit").click()
        dialog.wait_for(state="detached")
        row = console.locator("#fr-list li[data-status=sent]").first
        row.wait_for()
        code = row.get_attribute("data-code")
        assert code and CAMERA in row.inner_text() and "456/2569" in row.inner_text()
        row.scroll_into_view_if_needed()
        console.screenshot(path=str(artifacts / "footage-2-sent-1920x1080.png"))

        with browser_page(chromium, PHONE, is_mobile=True, has_touch=True) as phone:
            phone.goto(f"{server.url}/partner")
            phone.wait_for_selector("#screen-login:not([hidden])")
            phone.fill("#username", "bma.partner")
            phone.fill("#password", PASSWORD)
            phone.click("#login-form button[type=submit]")
            card = phone.locator(f"li.fr[data-code='{code}']")
            card.wait_for()
            text = card.inner_text()
            assert REASON in text and CAMERA in text
            assert "456/2569" not in text  # the case number stays with the police
            assert "2569" in text or "2570" in text  # the window in the Buddhist Era
            assert phone.evaluate("document.documentElement.scrollWidth - innerWidth") <= 0
            phone.screenshot(path=str(artifacts / "footage-3-partner-390x844.png"))
            request_id = card.locator("input[type=file]").get_attribute("data-fr")
            # The phone loses its signal during the first piece: the page asks the server
            # how far it got and sends it again.
            cut: list[str] = []

            def cut_once(route: Any) -> None:
                if route.request.method == "PATCH" and not cut:
                    cut.append(route.request.url)
                    route.abort("connectionreset")
                else:
                    route.continue_()
            phone.route("**/api/v1/partner/footage-requests/*/uploads/*", cut_once)
            phone.set_input_files(f"#fr-file-{request_id}", str(VIDEO))
            done = phone.locator(f"li.fr[data-code='{code}'][data-status=uploaded]")
            done.wait_for()
            assert digest in done.inner_text() and len(cut) == 1
            done.scroll_into_view_if_needed()
            phone.screenshot(path=str(artifacts / "footage-4-partner-uploaded-390x844.png"))
            phone.click("#lang-switch")  # English on the switch, the same request
            phone.locator("#footage-title", has_text="Footage requests").wait_for()
            assert "asks for footage of your cameras" in done.inner_text()
            assert phone.evaluate("document.documentElement.scrollWidth - innerWidth") <= 0
            phone.screenshot(path=str(artifacts / "footage-4b-partner-en-390x844.png"))

        console.keyboard.press("1")  # the panel reads its lists again when it comes back
        console.keyboard.press("3")
        got = console.locator(f"#fr-list li[data-code='{code}'][data-status=uploaded]")
        got.wait_for()
        file_row = got.locator(f"li.fr-file[data-sha256='{digest}']")
        file_row.wait_for()
        assert digest in file_row.inner_text()
        got.scroll_into_view_if_needed()
        console.screenshot(path=str(artifacts / "footage-5-file-1920x1080.png"))
        with console.expect_download() as taken:
            file_row.locator("button[data-fr-download]").click()
        saved = Path(taken.value.path())
        assert hashlib.sha256(saved.read_bytes()).hexdigest() == digest

    [request] = [r for r in field.get("/api/v1/footage-requests")
                 if r["code"] == code]
    assert request["partner_code"] == "PCR-KBL-CITY" and request["reason"] == REASON
    assert [h["action"] for h in request["history"]] == ["created", "sent", "seen", "uploaded"]
    assert [f["sha256"] for f in request["files"]] == [digest]
