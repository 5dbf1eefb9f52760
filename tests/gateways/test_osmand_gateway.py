"""OsmAnd / Traccar Client: a fix the server will not use is answered 200, never stored.

Traccar Client resends its oldest buffered fix until it gets a 2xx, so a refused fix would
jam every newer one behind it. Both the route on the main port and the dedicated port.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY
from sqlalchemy import func, select

from safetyzone.config import Settings
from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from safetyzone.intake.models import InboxEvent
from safetyzone.web.app import create_app
from support.live import Devices, wait_for
from support.postgres import free_loopback_port
from support.world import STATIONS, World

A_LAT, A_LON = STATIONS["ST-A"][1], STATIONS["ST-A"][2]
PHONE = "356938035643809"


def unusable_fixes(now: datetime) -> list[tuple[str, dict[str, Any]]]:
    """Each kind of fix Traccar Client buffers and the server will not use, with its reason."""
    stamp = int(now.timestamp())
    return [
        ("too_old", {"lat": A_LAT, "lon": A_LON, "timestamp": stamp - 8 * 86400}),
        ("outside_thailand", {"lat": 48.8584, "lon": 2.2945, "timestamp": stamp}),
        ("no_fix", {"lat": 0, "lon": 0, "timestamp": stamp}),
        ("bad_position", {"lat": 91.5, "lon": A_LON, "timestamp": stamp}),
        ("bad_position", {"lat": A_LAT, "lon": -181, "timestamp": stamp}),
        ("ahead_of_server", {"lat": A_LAT, "lon": A_LON, "timestamp": stamp + 600}),
        ("clock_wrong", {"lat": A_LAT, "lon": A_LON, "timestamp": 0}),
        ("clock_wrong", {"lat": A_LAT, "lon": A_LON, "timestamp": stamp + 3 * 86400}),
    ]


@pytest.fixture
def osmand_port() -> int:
    return free_loopback_port()


@pytest.fixture
def osmand_client(db: Database, world: World, settings: Settings, clock: ManualClock,
                  osmand_port: int) -> Iterator[TestClient]:
    configured = settings.model_copy(update={"osmand_port": osmand_port})
    with TestClient(create_app(configured, db, clock)) as client:
        yield client


def register_phone(devices: Devices, external_id: str = PHONE) -> tuple[str, str]:
    """A patrol unit with Traccar Client; returns (unit id, credential id)."""
    unit = devices.client.post("/api/v1/units", headers=devices.admin, json={
        "station_code": "ST-A", "code": "A-51", "callsign": "ภาษีเจริญ 51", "kind": "car",
        "status": "available"}).json()
    response = devices.client.post("/api/v1/devices", headers=devices.admin, json={
        "station_code": "ST-A", "subject_kind": "unit", "subject_id": unit["id"],
        "label": "Traccar Client", "protocol": "osmand", "external_id": external_id})
    assert response.status_code == 201, response.text
    return unit["id"], response.json()["id"]


Send = Callable[[str, dict[str, Any], Any], httpx.Response]


def via_route(client: TestClient) -> Send:
    def send(method: str, params: dict[str, Any], content: Any = None) -> httpx.Response:
        headers = {"content-type": "application/json"} if content else {}
        return client.request(method, "/api/v1/gateways/osmand", params=params,
                              content=content, headers=headers)
    return send


def via_port(port: int) -> Send:
    def send(method: str, params: dict[str, Any], content: Any = None) -> httpx.Response:
        headers = {"content-type": "application/json"} if content else {}
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as http:
            return http.request(method, "/", params=params, content=content, headers=headers)
    return send


def stored(db: Database, credential_id: str) -> int:
    with db.read() as session:
        count: int = session.scalar(select(func.count()).select_from(InboxEvent).where(
            InboxEvent.device_id == uuid.UUID(credential_id))) or 0
    return count


def counted(reason: str) -> float:
    return REGISTRY.get_sample_value(
        "ssz_device_problems_total", {"protocol": "osmand", "reason": reason}) or 0.0


@pytest.mark.parametrize("where", ["route", "port"])
def test_unusable_fixes_get_200_are_recorded_and_do_not_move_the_unit(
    osmand_client: TestClient, world: World, clock: ManualClock, db: Database,
    osmand_port: int, where: str,
) -> None:
    devices = Devices(osmand_client, world, clock)
    unit_id, credential_id = register_phone(devices)
    send = via_route(osmand_client) if where == "route" else via_port(osmand_port)
    fixes = unusable_fixes(clock.now())
    before = {reason: counted(reason) for reason, _ in fixes}
    for reason, fix in fixes:
        for method in ("GET", "POST"):  # Traccar Client posts; older builds and trackers GET
            response = send(method, {"id": PHONE, **fix}, None)
            assert response.status_code == 200, (reason, response.text)
            assert "not used" in response.text
    # the JSON body of Traccar Client 9+, with a dead clock
    body = json.dumps({"device_id": PHONE, "location": {
        "timestamp": "1970-01-01T00:00:00.000Z",
        "coords": {"latitude": A_LAT, "longitude": A_LON, "accuracy": 5}}})
    assert send("POST", {}, body).status_code == 200
    assert stored(db, credential_id) == 0  # nothing stored: the unit cannot have moved
    unit = osmand_client.get(f"/api/v1/units/{unit_id}", headers=devices.admin).json()
    assert unit["lat"] is None
    # the queue is not jammed: the next good fix moves the unit at once
    good = {"id": PHONE, "lat": A_LAT, "lon": A_LON, "timestamp": int(clock.now().timestamp())}
    assert send("GET", good, None).status_code == 200
    wait_for(lambda: osmand_client.get(f"/api/v1/units/{unit_id}",
                                       headers=devices.admin).json()["lat"] == A_LAT)
    assert stored(db, credential_id) == 1
    health = osmand_client.get(f"/api/v1/devices/{credential_id}/health",
                               headers=devices.admin).json()
    kinds = {p["kind"]: p for p in health["problems"]}
    assert set(kinds) == {reason for reason, _ in fixes}
    assert kinds["clock_wrong"]["count"] == 5  # 2 x timestamp 0, 2 x 3 days ahead, JSON
    assert kinds["outside_thailand"]["count"] == 2
    assert kinds["bad_position"]["count"] == 4
    assert "outside Thailand" in kinds["outside_thailand"]["detail"]
    for reason in before:
        assert counted(reason) == before[reason] + kinds[reason]["count"]


def test_wild_readings_beside_a_good_position_are_kept_aside_not_refused(
    osmand_client: TestClient, world: World, clock: ManualClock, db: Database,
) -> None:
    devices = Devices(osmand_client, world, clock)
    unit_id, credential_id = register_phone(devices)
    fix = {"id": PHONE, "lat": A_LAT, "lon": A_LON, "timestamp": int(clock.now().timestamp()),
           "speed": 900, "altitude": 25000, "heading": 90}
    response = via_route(osmand_client)("GET", fix, None)
    assert response.status_code == 200, response.text
    wait_for(lambda: osmand_client.get(f"/api/v1/units/{unit_id}",
                                       headers=devices.admin).json()["lat"] == A_LAT)
    with db.read() as session:
        row = session.scalars(select(InboxEvent).where(
            InboxEvent.device_id == uuid.UUID(credential_id))).one()
        payload = row.payload
    assert payload["speed_mps"] is None and payload["altitude_m"] is None
    assert payload["heading_deg"] == 90
    assert payload["attributes"] == {"speed_out_of_range": 900, "altitude_out_of_range": 25000}


def test_a_tracker_registered_to_a_subject_without_positions_is_answered_not_jammed(
    osmand_client: TestClient, world: World, clock: ManualClock, db: Database,
) -> None:
    devices = Devices(osmand_client, world, clock)
    response = devices.client.post("/api/v1/devices", headers=devices.admin, json={
        "station_code": "ST-A", "subject_kind": "asset",
        "subject_id": devices.asset_id("ST-A-SOS1"), "label": "pole's tracker by mistake",
        "protocol": "osmand", "external_id": "POLE-GPS"})
    assert response.status_code == 201, response.text
    fix = {"id": "POLE-GPS", "lat": A_LAT, "lon": A_LON,
           "timestamp": int(clock.now().timestamp())}
    answer = via_route(osmand_client)("GET", fix, None)
    assert answer.status_code == 200 and "not used" in answer.text
    assert stored(db, response.json()["id"]) == 0
    health = osmand_client.get(f"/api/v1/devices/{response.json()['id']}/health",
                               headers=devices.admin).json()
    assert [p["kind"] for p in health["problems"]] == ["kind_not_allowed"]


@pytest.mark.parametrize("where", ["route", "port"])
def test_unknown_device_is_403_and_unparseable_is_400_even_for_unusable_fixes(
    osmand_client: TestClient, world: World, clock: ManualClock, db: Database,
    osmand_port: int, where: str,
) -> None:
    devices = Devices(osmand_client, world, clock)
    _, credential_id = register_phone(devices)
    send = via_route(osmand_client) if where == "route" else via_port(osmand_port)
    for _, fix in unusable_fixes(clock.now()):
        assert send("GET", {"id": "stranger", **fix}, None).status_code == 403
    assert send("GET", {"id": PHONE, "lat": "north", "lon": A_LON}, None).status_code == 400
    assert send("GET", {"lat": 0, "lon": 0}, None).status_code == 400  # no id at all
    assert send("POST", {}, "{not json").status_code == 400
    assert stored(db, credential_id) == 0
    health = osmand_client.get(f"/api/v1/devices/{credential_id}/health",
                               headers=devices.admin).json()
    assert health["problems"] == []
