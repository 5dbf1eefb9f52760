"""The same live loop with the NATS JetStream bus: only the backend changes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from safetyzone.config import Settings
from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from safetyzone.web.app import create_app
from support.live import Devices, wait_for
from support.nats import NatsServer, throwaway_nats
from support.world import World


@pytest.fixture(scope="module")
def nats_server() -> Iterator[NatsServer]:
    with throwaway_nats() as server:
        yield server


def test_sos_to_incident_over_jetstream(
    db: Database, world: World, settings: Settings, clock: ManualClock, nats_server: NatsServer,
) -> None:
    app = create_app(settings.model_copy(update={"nats_url": nats_server.url}), db, clock)
    with TestClient(app) as client:
        devices = Devices(client, world, clock)
        token = devices.credential("ST-A", "asset", devices.asset_id("ST-A-SOS1"))
        assert devices.post(token, devices.sos()).status_code == 200
        incident = wait_for(lambda: devices.incidents(kind="sos"))[0]
        assert incident["cameras"][0]["code"] == "ST-A-POLICE-P1-C1"


def test_unreachable_nats_stops_the_server(
    db: Database, settings: Settings, clock: ManualClock,
) -> None:
    app = create_app(settings.model_copy(update={"nats_url": "nats://127.0.0.1:1"}), db, clock)
    with pytest.raises(Exception, match="cannot reach NATS"), TestClient(app):
        pass
