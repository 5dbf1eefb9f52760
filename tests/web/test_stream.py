"""The live WebSocket: scoped, resumable by cursor, and a slow console cannot stall others."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from safetyzone.core.clock import ManualClock
from safetyzone.web.hub import QUEUE_LIMIT, Hub, Listener
from support.live import Devices, wait_for
from support.world import World


@pytest.fixture
def devices(client: TestClient, world: World, clock: ManualClock) -> Devices:
    return Devices(client, world, clock)


def token(client: TestClient, world: World, username: str) -> str:
    return world.token(client, username)


def receive_until(ws: Any, predicate: Any, limit: int = 200) -> dict[str, Any]:
    for _ in range(limit):
        message: dict[str, Any] = ws.receive_json()
        if predicate(message):
            return message
    raise AssertionError("expected message never came")


def test_new_incident_reaches_the_console_of_its_station_only(
    devices: Devices, client: TestClient, world: World,
) -> None:
    sos_a = devices.credential("ST-A", "asset", devices.asset_id("ST-A-SOS1"))
    sos_b = devices.credential("ST-B", "asset", devices.asset_id("ST-B-SOS1"))
    with client.websocket_connect(
            f"/api/v1/stream?access_token={token(client, world, 'a.operator')}") as ws:
        hello = ws.receive_json()
        assert hello["type"] == "hello"
        assert hello["user"] == "a.operator"
        devices.post(sos_b, devices.sos())
        devices.post(sos_a, devices.sos())
        created = receive_until(ws, lambda m: m["type"] == "incident.created")
        assert created["data"]["title_th"].startswith("กดปุ่ม SOS")
        assert created["data"]["station_id"] == devices.client.get(
            "/api/v1/auth/me", headers=world.headers(client, "a.operator")).json()[
                "station_ids"][0]
        assert created["seq"] > hello["cursor"]


def test_reconnecting_console_resumes_from_its_cursor(
    devices: Devices, client: TestClient, world: World,
) -> None:
    sos = devices.credential("ST-A", "asset", devices.asset_id("ST-A-SOS1"))
    access = token(client, world, "a.operator")
    with client.websocket_connect(f"/api/v1/stream?access_token={access}") as ws:
        cursor = ws.receive_json()["cursor"]
    # While the console is away, an incident opens and is acknowledged.
    devices.post(sos, devices.sos())
    incident = wait_for(lambda: devices.incidents(kind="sos"))[0]
    client.post(f"/api/v1/incidents/{incident['id']}/acknowledge",
                headers=world.headers(client, "a.commander"))
    with client.websocket_connect(f"/api/v1/stream?access_token={access}&after={cursor}") as ws:
        assert ws.receive_json()["type"] == "hello"
        missed = [ws.receive_json() for _ in range(2)]
    assert [m["type"] for m in missed] == ["incident.created", "incident.updated"]
    assert missed[1]["data"]["state"] == "acknowledged"
    assert missed[0]["seq"] < missed[1]["seq"]


@pytest.mark.parametrize("query", ["", "?access_token=garbage", "?access_token="])
def test_no_valid_token_no_stream(client: TestClient, world: World, query: str) -> None:
    with client.websocket_connect(f"/api/v1/stream{query}") as ws, \
            pytest.raises(WebSocketDisconnect) as closed:
        ws.receive_json()
    assert closed.value.code == 4401


def test_partners_get_no_incident_feed(client: TestClient, world: World) -> None:
    with client.websocket_connect(
            f"/api/v1/stream?access_token={token(client, world, 'a.shop')}") as ws, \
            pytest.raises(WebSocketDisconnect) as closed:
        ws.receive_json()
    assert closed.value.code == 4403


def test_expired_token_is_refused(client: TestClient, world: World, clock: ManualClock) -> None:
    access = token(client, world, "a.operator")
    clock.advance(timedelta(minutes=20))
    with client.websocket_connect(f"/api/v1/stream?access_token={access}") as ws, \
            pytest.raises(WebSocketDisconnect) as closed:
        ws.receive_json()
    assert closed.value.code == 4401


def _item(seq: int, station: uuid.UUID) -> dict[str, Any]:
    return {"seq": seq, "type": "unit.updated", "station_id": str(station), "at": "",
            "entity_id": str(uuid.uuid4()), "data": {}}


def test_a_slow_listener_overflows_alone() -> None:
    """One console that stops reading is cut off; the others keep every entry."""
    station = uuid.uuid4()

    async def scenario() -> tuple[Listener, Listener]:
        hub = Hub()
        hub.bind(asyncio.get_running_loop())
        slow, fast = Listener(None), Listener(frozenset({station}))
        hub.add(slow)
        hub.add(fast)
        for start in range(0, QUEUE_LIMIT + 500, 100):
            hub._fanout([_item(seq, station) for seq in range(start, start + 100)])
            while not fast.queue.empty():  # the fast console keeps up
                fast.queue.get_nowait()
        return slow, fast

    slow, fast = asyncio.run(scenario())
    assert slow.overflowed
    assert not fast.overflowed
    assert slow.queue.qsize() <= QUEUE_LIMIT


def test_listener_filters_by_station() -> None:
    mine, other = uuid.uuid4(), uuid.uuid4()
    listener = Listener(frozenset({mine}))

    async def offer() -> int:
        listener.offer(_item(1, other))
        listener.offer(_item(2, mine))
        return listener.queue.qsize()

    assert asyncio.run(offer()) == 1


def test_subscription_beyond_scope_is_refused(
    devices: Devices, client: TestClient, world: World,
) -> None:
    access = token(client, world, "reg1.commander")
    with client.websocket_connect(f"/api/v1/stream?access_token={access}&station=ST-C") as ws, \
            pytest.raises(WebSocketDisconnect) as closed:
        ws.receive_json()
    assert closed.value.code == 4403
    sos_a = devices.credential("ST-A", "asset", devices.asset_id("ST-A-SOS1"))
    sos_b = devices.credential("ST-B", "asset", devices.asset_id("ST-B-SOS1"))
    with client.websocket_connect(f"/api/v1/stream?access_token={access}&station=ST-B") as ws:
        ws.receive_json()
        devices.post(sos_a, devices.sos())
        devices.post(sos_b, devices.sos())
        created = receive_until(ws, lambda m: m["type"] == "incident.created")
        assert "ST-B" not in created["data"]["title_en"]  # world assets have Thai names only
        b_station = devices.client.get("/api/v1/auth/me", headers=world.headers(
            client, "b.operator")).json()["station_ids"][0]
        assert created["station_id"] == b_station
