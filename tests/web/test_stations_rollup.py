"""The roll-up of many stations for region and HQ desks: one line per station in scope,
from grouped queries, never another station's figures."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select, update

from safetyzone.assets.models import Camera
from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from safetyzone.ops.models import Incident
from safetyzone.video.models import CameraHealth, CameraState
from support.live import Devices, wait_for
from support.world import World


def rollup(client: TestClient, headers: dict[str, str]) -> dict[str, Any]:
    response = client.get("/api/v1/stations-rollup", headers=headers)
    assert response.status_code == 200, response.text
    return {row["station_code"]: row for row in response.json()}


def test_each_station_in_scope_gets_its_own_line(
    client: TestClient, world: World, clock: ManualClock, db: Database,
) -> None:
    devices = Devices(client, world, clock)
    devices.unit("ST-A", "A-CAR-1", lat=13.731, lon=100.470)
    out, _ = devices.unit("ST-B", "B-CAR-1")
    admin = world.headers(client, "admin")
    assert client.post(f"/api/v1/unit-board/{out}/status", headers=admin,
                       json={"status": "unavailable", "reason": "รถเสีย"}).status_code == 200
    pole = devices.credential("ST-A", "asset", devices.asset_id("ST-A-SOS1"), "pole")
    assert devices.post(pole, devices.sos()).status_code == 200
    incident = wait_for(lambda: next(iter(devices.incidents(station_code="ST-A")), None))
    with db.write() as session:
        session.execute(update(Incident).where(Incident.id == uuid.UUID(incident["id"]))
                        .values(escalation_level=1))
        camera = session.scalar(select(Camera).where(Camera.code == "ST-B-POLICE-P1-C1"))
        assert camera is not None
        session.add(CameraHealth(camera_id=camera.id, station_id=camera.station_id,
                                 state=CameraState.OFFLINE, since=clock.now()))
    clock.advance(timedelta(minutes=1))

    everything = rollup(client, admin)
    assert set(everything) == {"ST-A", "ST-B", "ST-C"}
    a, b, c = (everything[code] for code in ("ST-A", "ST-B", "ST-C"))
    assert (a["ops"]["open_incidents"], a["ops"]["open_p1"], a["ops"]["escalated_open"]) == (
        1, 1, 1)
    assert a["ops"]["units_available"] == 1 and b["ops"]["units_out_of_service"] == 1
    assert b["ops"]["open_incidents"] == 0
    assert b["cameras"] == {"total": 2, "online": 0, "offline": 1, "frozen": 0, "unknown": 1}
    assert c["ops"]["units_on_duty"] == 0

    region = rollup(client, world.headers(client, "reg1.commander"))
    assert set(region) == {"ST-A", "ST-B"}
    assert set(rollup(client, world.headers(client, "a.operator"))) == {"ST-A"}
    assert client.get("/api/v1/stations-rollup",
                      headers=world.headers(client, "a.shop")).status_code == 403
    assert client.get("/api/v1/stations-rollup").status_code == 401
