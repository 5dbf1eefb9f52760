"""A real browser (the system's Chromium, driven by Playwright) against a real server.

The browser is Debian's ``chromium`` (installed by scripts/install-system-deps), never a
downloaded build. When it cannot start, the tests skip on a developer machine and FAIL in CI
(``CI=true``), so a broken runner cannot report green without having opened a page.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from support.console import Field, Server, demo_server, fresh_artifacts
from support.console import chromium as launch_chromium

STATION = "MPB-PHASI-CHAROEN"


# Module, not session: see support.console.chromium().
@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    with launch_chromium() as browser:
        yield browser


@pytest.fixture(scope="session")
def artifacts() -> Path:
    return fresh_artifacts("console")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, chromium: Any) -> Iterator[Server]:
    """`ssz serve` on the demo data, in its own process, for the tests of one module."""
    # The silent test camera listens on loopback: a camera network here only, never a default.
    with demo_server(tmp_path_factory.mktemp("console"),
                     SSZ_CAMERA_NETWORKS="127.0.0.0/8") as running:
        yield running


@pytest.fixture
def field(server: Server) -> Iterator[Field]:
    with Field(server.url, STATION) as outside:
        yield outside
