"""The citizen app in a real Chromium at a phone's size, against a real server with the
demo loaded (the same helpers as the console's browser tests: tests/support/console.py)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from support.console import Field, Server, prepare_demo
from support.console import chromium as launch_chromium
from support.postgres import free_loopback_port

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "citizen"
STATION = "MPB-PHASI-CHAROEN"


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    # A fake microphone (a tone), so a voice note can be recorded with MediaRecorder.
    with launch_chromium("--use-fake-device-for-media-stream",
                         "--use-fake-ui-for-media-stream") as browser:
        yield browser


@pytest.fixture(scope="session")
def artifacts() -> Path:
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, chromium: Any) -> Iterator[Server]:
    """`ssz serve` on the demo data, in its own process, for the tests of one module."""
    folder = tmp_path_factory.mktemp("citizen")
    prepare_demo(folder / "data")
    running = Server(folder / "data", free_loopback_port(), folder / "server.log")
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
