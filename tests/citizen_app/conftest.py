"""The citizen app in a real Chromium at a phone's size, against a real server with the
demo loaded (the same helpers as the console's browser tests: tests/support/console.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from support.console import Field, Server, demo_server, fresh_artifacts, require_chromium
from support.console import chromium as launch_chromium

STATION = "MPB-PHASI-CHAROEN"


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    # A fake microphone (a tone), so a voice note can be recorded with MediaRecorder.
    with launch_chromium("--use-fake-device-for-media-stream",
                         "--use-fake-ui-for-media-stream") as browser:
        yield browser


@pytest.fixture(scope="session")
def artifacts() -> Path:
    return fresh_artifacts("citizen")


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`ssz serve` on the demo data, in its own process, for every module here (one start
    per test process: seconds each). Each module makes its own kind of data (emergencies,
    reports and tips; a poll; the station services' requests) and reads only that, so they
    pass in any order; a server that cannot start is every test's error."""
    require_chromium()
    with demo_server(tmp_path_factory.mktemp("citizen")) as running:
        yield running


@pytest.fixture
def field(server: Server) -> Iterator[Field]:
    with Field(server.url, STATION) as outside:
        yield outside
