"""The officer's phone app and the operator console in a real browser, for the browser tests
of tests/officer_app: a phone at 390x844 (Thai, Bangkok time, located), the console at
1366x768, and the waits both sides share."""

from __future__ import annotations

import io
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

from support.console import PASSWORD, Field, Server

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}
OFFICER = "pcr.patrol"
OPERATOR = "pcr.operator"
# The README's pictures are refreshed on request only, so a test run leaves the checkout as
# it was; otherwise they go with the other artifacts.
DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
REFRESH_DOCS = os.environ.get("SSZ_TEST_DOCS_SCREENSHOTS") == "1"
# The phone reads /officer/me every 10 s: a dispatch is on its screen within that and a bit.
DISPATCH_SEEN_MS = 20_000
STEP_SEEN_MS = 10_000
TARGETS = """() => {
  const small = [];
  for (const n of document.querySelectorAll('button, a, textarea, summary, label.btn,'
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
    """One officer's phone: a browser context at 390x844, Thai, Bangkok time, located."""

    def __init__(self, browser: Any, server: Server, artifacts: Path,
                 at: tuple[float, float]) -> None:
        self.context = browser.new_context(
            viewport=PHONE, locale="th-TH", has_touch=True, timezone_id="Asia/Bangkok",
            service_workers="allow", permissions=["geolocation"],
            geolocation={"latitude": at[0], "longitude": at[1], "accuracy": 8})
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda err: self.errors.append(str(err)))
        self.page.on("console", lambda msg: print(f"phone console {msg.type}: {msg.text}"))
        self.refreshes: list[str] = []  # /auth/refresh calls: the access token renewed
        self.page.on("request", lambda r: self.refreshes.append(r.url)
                     if r.url.endswith("/api/v1/auth/refresh") else None)
        self.server = server
        self.artifacts = artifacts

    def open(self) -> Any:
        self.page.goto(f"{self.server.url}/officer")
        self.page.wait_for_selector("body[data-ready=true]")
        return self.page

    def login(self, username: str = OFFICER, *, shot: bool = False) -> None:
        page = self.open()
        if shot:
            self.shot("login", docs=True)
        page.fill("#username", username)
        page.fill("#password", PASSWORD)
        page.click("#login-form button[type=submit]")
        page.wait_for_selector("body[data-screen=shift]")

    def start_shift(self, unit_id: str, *, shot: bool = False) -> None:
        page = self.page
        page.wait_for_selector(f"#unit-list input[value='{unit_id}']")
        if shot:
            self.shot("units", docs=True)
        page.click(f"label[for='unit-{unit_id}']")
        page.click("#shift-start")
        page.wait_for_selector("body[data-screen=home]")
        page.wait_for_selector("#no-incident:not([hidden]), #incident:not([hidden])")

    def tap_status(self, status: str) -> None:
        self.page.click(f"#status-buttons button[data-status={status}]")

    def shot(self, name: str, *, docs: bool = False, show: str | None = None) -> None:
        """What the phone shows (``show`` scrolled into view, else the top); the page may not
        scroll sideways and every control must be at least 44 px both ways."""
        page = self.page
        if show:
            page.locator(show).evaluate("(e) => { e.scrollIntoView({block: 'start'});"
                                        " window.scrollBy(0, -64); }")  # below the header
        else:
            page.evaluate("window.scrollTo(0, 0)")
        page.evaluate("document.fonts.ready")
        # Passing notices (a new incident, a sent check-in) would cover the screen's content.
        page.evaluate("() => document.querySelectorAll('#toasts .toast')"
                      ".forEach((n) => n.remove())")
        page.wait_for_timeout(300)  # the scroll and the map tiles settle before the picture
        overflow = page.evaluate("document.documentElement.scrollWidth - innerWidth")
        assert overflow <= 0, f"{name}: the page scrolls sideways by {overflow} px"
        small = page.evaluate(TARGETS)
        assert not small, f"{name}: tap targets under 44 px: {small}"
        folder = DOCS if docs and REFRESH_DOCS else self.artifacts
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / f"officer-{name}.png"))

    def close(self) -> None:
        assert not self.errors, f"JavaScript errors on the phone: {self.errors}"
        self.context.close()


class Console:
    """The operator's console at a laptop's size."""

    def __init__(self, browser: Any, server: Server, artifacts: Path) -> None:
        self.context = browser.new_context(viewport=LAPTOP, timezone_id="Asia/Bangkok",
                                           locale="th-TH")
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda err: self.errors.append(str(err)))
        self.server = server
        self.artifacts = artifacts

    def login(self, username: str = OPERATOR) -> None:
        page = self.page
        page.goto(f"{self.server.url}/login")
        page.wait_for_selector("body[data-ready=true]")
        page.fill("#username", username)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/console")
        page.wait_for_selector("body[data-ready=true]", timeout=20_000)
        page.wait_for_selector("#conn[data-state=live]")

    def open_incident(self, incident_id: str) -> None:
        item = self.page.locator(f"#queue-list .q-item[data-id='{incident_id}']")
        item.wait_for(timeout=STEP_SEEN_MS)
        item.locator(".q-title").click()
        self.page.wait_for_selector(f"#incident[data-id='{incident_id}']")

    def sees(self, selector: str) -> None:
        self.page.wait_for_selector(selector, timeout=STEP_SEEN_MS)

    def sees_text(self, selector: str, text: str) -> None:
        self.page.wait_for_function(
            "([s, t]) => [...document.querySelectorAll(s)].some((n) => n.innerText.includes(t))",
            arg=[selector, text], timeout=STEP_SEEN_MS)

    def shot(self, name: str) -> None:
        self.page.screenshot(path=str(self.artifacts / f"officer-console-{name}.png"))

    def close(self) -> None:
        assert not self.errors, f"JavaScript errors on the console: {self.errors}"
        self.context.close()


def incident_for(field: Field, asset_id: str, *, within_s: float = 10) -> dict[str, Any]:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        found = [i for i in field.get("/api/v1/incidents", kind="sos")
                 if i["source_asset_id"] == asset_id and i["state"] != "closed"]
        if found:
            first: dict[str, Any] = found[0]
            return first
        time.sleep(0.05)
    raise AssertionError("the engine opened no incident for the SOS press")


def wait_until(what: Callable[[], Any], *, within_s: float = 20, why: str = "") -> Any:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        value = what()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"not within {within_s} s: {why}")


def timeline(field: Field, incident_id: str, entry: str) -> list[dict[str, Any]]:
    detail = field.get(f"/api/v1/incidents/{incident_id}")
    return [e for e in detail["timeline"] if e["entry"] == entry]


def jpeg() -> bytes:
    """A phone photo of a street at night: something to tell apart in the thumbnails."""
    picture = Image.new("RGB", (1600, 1200), (28, 40, 51))
    pen = ImageDraw.Draw(picture)
    pen.rectangle((0, 700, 1600, 1200), fill=(66, 73, 73))
    for x in range(0, 1600, 200):
        pen.rectangle((x + 40, 930, x + 140, 960), fill=(244, 208, 63))
    pen.rectangle((500, 420, 1100, 760), fill=(192, 57, 43))
    pen.ellipse((560, 700, 700, 840), fill=(20, 20, 20))
    pen.ellipse((900, 700, 1040, 840), fill=(20, 20, 20))
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=85)
    return out.getvalue()
