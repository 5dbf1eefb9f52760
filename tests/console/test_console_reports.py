"""Monthly reports from the console, in a real browser against the demo: the station panel's
card downloads last month's PDF (Thai, B.E. month) and lists the archive; HQ's program view
downloads the country's CSV and a region's; English on the switch. Screenshots at 1920x1080
and 1366x768 under test-artifacts/console-reports/, none scrolling sideways."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from safetyzone.core.clock import SystemClock
from safetyzone.core.db import Database
from safetyzone.measure.monthly import archive
from safetyzone.measure.monthly.period import Month
from safetyzone.org.models import OrgUnit
from safetyzone.web.routes.reports import fonts_dir
from support.console import Server, fresh_artifacts, log_in, prepare_demo
from support.lostdocs import pdf_text
from support.postgres import free_loopback_port

STATION = "MPB-PHASI-CHAROEN"
SIZES = ((1920, 1080), (1366, 768))


@pytest.fixture(scope="module")
def last_month() -> Month:
    return Month.of(datetime.now(UTC)).previous()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, chromium: Any,
           last_month: Month) -> Iterator[Server]:
    """The demo with last month's report of the Phasi Charoen station archived, as the
    sweep would have stored it."""
    folder = tmp_path_factory.mktemp("console-reports")
    prepare_demo(folder / "data")
    db = Database(f"sqlite:///{folder / 'data' / 'safetyzone.db'}")
    try:
        with db.read() as session:
            unit = session.scalars(select(OrgUnit.id).where(OrgUnit.code == STATION)).one()
        assert archive.archive_one(db, SystemClock(), unit_id=unit, month=last_month,
                                   fonts_dir=fonts_dir()) is not None
    finally:
        db.dispose()
    running = Server(folder / "data", free_loopback_port(), folder / "server.log")
    running.start()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def shots() -> Path:
    return fresh_artifacts("console-reports")


def open_page(chromium: Any, server: Server, username: str) -> tuple[Any, list[str]]:
    context = chromium.new_context(viewport={"width": 1920, "height": 1080}, accept_downloads=True,
                                   timezone_id="Asia/Bangkok", locale="th-TH")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    log_in(page, server.url, username)
    return page, errors


def shot(page: Any, folder: Path, name: str) -> None:
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(250)
        overflow = page.evaluate("document.documentElement.scrollWidth - innerWidth")
        assert overflow <= 0, f"{name}: the page scrolls sideways at {width}x{height}"
        page.screenshot(path=str(folder / f"{name}-{width}x{height}.png"))
    page.set_viewport_size({"width": 1920, "height": 1080})


def download(page: Any, selector: str) -> bytes:
    with page.expect_download() as got:
        page.locator(selector).click()
    return Path(got.value.path()).read_bytes()


def test_the_station_panel_prints_last_month_and_lists_the_archive(
        chromium: Any, server: Server, shots: Path, last_month: Month) -> None:
    page, errors = open_page(chromium, server, "pcr.operator")
    page.keyboard.press("3")
    card = page.locator("#station-body .monthly-reports")
    card.wait_for()
    title = last_month.title("th")
    archived = card.locator(f"li[data-report] >> text={title}")
    archived.wait_for()
    card.scroll_into_view_if_needed()
    shot(page, shots, "station-card")
    pdf = download(page, f"#station-body tr[data-month='{last_month.key}'] button[data-format=pdf]")
    assert pdf.startswith(b"%PDF")
    text = " ".join(pdf_text(pdf).split())
    assert title in text and "รายงานประจำเดือนของสถานี" in text and "pcr.operator" in text
    stored = download(page, "#station-body li[data-report] button[data-format=pdf]")
    assert "monthly-report" in " ".join(pdf_text(stored).split())  # printed by the sweep
    page.click("#lang-switch")
    page.locator("#station-body .monthly-reports h3", has_text="Monthly report").wait_for()
    assert last_month.title("en") in card.inner_text()
    page.click("#lang-switch")
    assert not errors, errors


def test_hq_prints_the_country_and_a_region_from_the_program_view(
        chromium: Any, server: Server, shots: Path, last_month: Month) -> None:
    page, errors = open_page(chromium, server, "hq.viewer")
    page.keyboard.press("8")
    card = page.locator("#program-reports .monthly-reports")
    card.wait_for()
    options = page.locator("#monthly-scope option")
    assert options.first.inner_text() == "ทั้งประเทศ" and options.count() > 1
    card.scroll_into_view_if_needed()
    shot(page, shots, "program-card")
    body = download(page, f"#program-reports tr[data-month='{last_month.key}'] "
                          "button[data-format=csv]")
    assert body.startswith("\ufeff".encode()) and b"report,kind,,,,national," in body
    region = options.nth(1).get_attribute("value")
    page.select_option("#monthly-scope", region)
    page.locator(f"#program-reports .monthly-reports[data-unit='{region}']").wait_for()
    body = download(page, f"#program-reports tr[data-month='{last_month.key}'] "
                          "button[data-format=csv]")
    assert b"report,unit," in body and region.encode() in body
    assert not errors, errors
