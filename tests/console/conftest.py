"""A real browser (the system's Chromium, driven by Playwright) against a real server.

The browser is Debian's ``chromium`` (installed by scripts/install-system-deps), never a
downloaded build. When it cannot start, the tests skip on a developer machine and FAIL in CI
(``CI=true``), so a broken runner cannot report green without having opened a page; so does
a server that cannot start (its error is every test's error).

One server per test process serves the modules that need no fresh demo: starting one costs
seconds (the app's imports, then the demo copied and served). Those modules make what they
look at (a marked incident, their own units and calls) and look only at that, so they pass
in any order after any other module. A module whose journey reads the untouched demo, or
changes what others would read (restarts the server, presses the market pole's SOS with its
own cars about), says ``FRESH_DEMO = True`` and gets a server of its own; one that needs
other settings defines its own ``server`` fixture (test_console_tiles.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from support.console import Field, Server, demo_server, fresh_artifacts, require_chromium
from support.console import chromium as launch_chromium

STATION = "MPB-PHASI-CHAROEN"
# The silent test camera listens on loopback: a camera network here only, never a default.
ENV = {"SSZ_CAMERA_NETWORKS": "127.0.0.0/8"}


# Module, not session: see support.console.chromium().
@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    with launch_chromium() as browser:
        yield browser


@pytest.fixture(scope="session")
def artifacts() -> Path:
    return fresh_artifacts("console")


@pytest.fixture(scope="session")
def shared_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`ssz serve` on the demo data, in its own process, for every module of this test
    process that does not ask for a fresh demo."""
    require_chromium()
    with demo_server(tmp_path_factory.mktemp("console"), **ENV) as running:
        yield running


@pytest.fixture(scope="module")
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
           chromium: Any) -> Iterator[Server]:
    """The shared server, or one of the module's own on a fresh demo (``FRESH_DEMO``)."""
    if not getattr(request.module, "FRESH_DEMO", False):
        yield request.getfixturevalue("shared_server")
        return
    with demo_server(tmp_path_factory.mktemp("console"), **ENV) as running:
        yield running


@pytest.fixture
def field(server: Server) -> Iterator[Field]:
    with Field(server.url, STATION) as outside:
        yield outside
