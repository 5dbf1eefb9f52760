"""A real browser (the system's Chromium, driven by Playwright) against a real server.

The browser is Debian's ``chromium`` (installed by scripts/install-system-deps), never a
downloaded build. When it cannot start, the tests skip on a developer machine and FAIL in CI
(``CI=true``), so a broken runner cannot report green without having opened a page.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from support.console import Field, Server, prepare_demo
from support.postgres import free_loopback_port, require_or_skip

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--disable-quic",
                 # The alert beep plays without a click first, as on a wall screen left running.
                 "--autoplay-policy=no-user-gesture-required"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "console"
STATION = "MPB-PHASI-CHAROEN"


# Module, not session: sync Playwright keeps an event loop running in this thread, which
# would break every later test that calls asyncio.run().
@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require_or_skip("playwright is not installed (pip install -e '.[test]')")
    if not Path(CHROMIUM).exists():
        require_or_skip(f"no system Chromium at {CHROMIUM} (scripts/install-system-deps)")
    manager = sync_playwright().start()
    try:
        browser = manager.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    except Exception as err:
        manager.stop()
        require_or_skip(f"Chromium could not be started: {err}")
    try:
        yield browser
    finally:
        browser.close()
        manager.stop()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, chromium: Any) -> Iterator[Server]:
    """`ssz serve` on the demo data, in its own process, for the tests of one module."""
    folder = tmp_path_factory.mktemp("console")
    prepare_demo(folder / "data")
    # The silent test camera listens on loopback: a camera network here only, never a default.
    running = Server(folder / "data", free_loopback_port(), folder / "server.log",
                     SSZ_CAMERA_NETWORKS="127.0.0.0/8")
    running.start()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def field(server: Server) -> Iterator[Field]:
    outside = Field(server.url, STATION)
    try:
        yield outside
    finally:
        outside.close()
