"""The officer's phone app in a real Chromium at a phone's size, beside the operator console
at a laptop's, against a real server with the demo loaded (the same helpers as the console's
and the citizen app's browser tests: tests/support/console.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from support.console import Field, Server, demo_server, fresh_artifacts
from support.console import chromium as launch_chromium
from support.officer_app import Console, Phone

STATION = "MPB-PHASI-CHAROEN"


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    with launch_chromium() as browser:
        yield browser


@pytest.fixture(scope="session")
def artifacts() -> Path:
    return fresh_artifacts("officer")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, chromium: Any) -> Iterator[Server]:
    """`ssz serve` on the demo data, in its own process, for the tests of one module."""
    # One-minute access tokens: every journey here outlives one, so the app's refresh runs.
    with demo_server(tmp_path_factory.mktemp("officer"), SSZ_ACCESS_TOKEN_MINUTES="1") as running:
        yield running


@pytest.fixture
def field(server: Server) -> Iterator[Field]:
    with Field(server.url, STATION) as outside:
        yield outside


@pytest.fixture
def phones(chromium: Any, server: Server, artifacts: Path) -> Iterator[Callable[..., Phone]]:
    opened: list[Phone] = []

    def make(at: tuple[float, float]) -> Phone:
        phone = Phone(chromium, server, artifacts, at)
        opened.append(phone)
        return phone

    yield make
    for phone in opened:
        phone.close()


@pytest.fixture
def console(chromium: Any, server: Server, artifacts: Path) -> Iterator[Console]:
    tab = Console(chromium, server, artifacts)
    tab.login()
    yield tab
    tab.close()
