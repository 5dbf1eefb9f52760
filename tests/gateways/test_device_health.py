"""GET /api/v1/devices/{id}/health: last seen and the raw frames of the last messages."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from safetyzone.core.clock import ManualClock
from support.live import Devices, wait_for
from support.world import STATIONS, World

A_LAT, A_LON = STATIONS["ST-A"][1], STATIONS["ST-A"][2]


def register(devices: Devices, external_id: str) -> str:
    unit = devices.client.post("/api/v1/units", headers=devices.admin, json={
        "station_code": "ST-A", "code": "A-41", "callsign": "ภาษีเจริญ 41", "kind": "car",
        "status": "available"}).json()
    response = devices.client.post("/api/v1/devices", headers=devices.admin, json={
        "station_code": "ST-A", "subject_kind": "unit", "subject_id": unit["id"],
        "label": "Traccar Client", "protocol": "osmand", "external_id": external_id})
    assert response.status_code == 201, response.text
    credential_id: str = response.json()["id"]
    return credential_id


def health(devices: Devices, credential_id: str, username: str = "admin",
           **params: Any) -> Any:
    headers = devices.admin if username == "admin" else devices.world.headers(
        devices.client, username)
    return devices.client.get(f"/api/v1/devices/{credential_id}/health", headers=headers,
                              params=params)


def test_health_shows_last_seen_and_frames_as_hex(
    client: TestClient, world: World, clock: ManualClock,
) -> None:
    devices = Devices(client, world, clock)
    credential_id = register(devices, "phone-41")
    before = health(devices, credential_id)
    assert before.status_code == 200, before.text
    assert before.json()["last_seen_at"] is None and before.json()["frames"] == []
    stamp = int(clock.now().timestamp())
    query = f"id=phone-41&lat={A_LAT}&lon={A_LON}&timestamp={stamp}"
    assert client.get(f"/api/v1/gateways/osmand?{query}").status_code == 200
    assert client.get("/api/v1/gateways/osmand?id=phone-41&lat=north").status_code == 400
    assert client.get("/api/v1/gateways/osmand?id=stranger&lat=1&lon=1").status_code == 403
    seen = wait_for(lambda: (body := health(devices, credential_id).json())["last_seen_at"]
                    and body)
    frames = seen["frames"]
    assert [(f["direction"], bytes.fromhex(f["hex"])) for f in frames] == [
        ("rx", query.encode()), ("tx", b"200"),
        ("rx", b"id=phone-41&lat=north"), ("tx", b"400")]
    assert all(f["size"] == len(bytes.fromhex(f["hex"])) and not f["truncated"] for f in frames)
    assert len(health(devices, credential_id, limit=1).json()["frames"]) == 1


def test_only_admins_and_commanders_of_the_station_see_it(
    client: TestClient, world: World, clock: ManualClock,
) -> None:
    devices = Devices(client, world, clock)
    credential_id = register(devices, "phone-42")
    assert health(devices, credential_id, "a.commander").status_code == 200
    assert health(devices, credential_id, "reg1.commander").status_code == 200
    assert health(devices, credential_id, "a.operator").status_code == 403
    assert health(devices, credential_id, "a.viewer").status_code == 403
    response = devices.client.get(f"/api/v1/devices/{credential_id}/health")
    assert response.status_code == 401
    assert health(devices, "00000000-0000-0000-0000-000000000000").status_code == 404
