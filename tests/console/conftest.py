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
from support.console import chromium as launch_chromium
from support.postgres import free_loopback_port

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "console"
STATION = "MPB-PHASI-CHAROEN"


# Module, not session: see support.console.chromium().
@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    with launch_chromium() as browser:
        yield browser


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
