"""Announcements to the zone: a group of loudspeakers and LED signs addressed together, live
and on a schedule, each device's answer counted. The first test runs against a real
Mosquitto: the devices are MQTT clients that read their ``cmd`` topic and answer on ``ack``.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import aiomqtt
import pytest
from fastapi.testclient import TestClient

from safetyzone.config import Settings
from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from safetyzone.ops import announcements
from safetyzone.web.app import create_app
from support import changes
from support.live import Devices, wait_for
from support.mosquitto import MosquittoServer, throwaway_mosquitto
from support.mqtt_devices import bridge_settings, register
from support.world import World


@pytest.fixture
def broker() -> Iterator[MosquittoServer]:
    with throwaway_mosquitto() as server:
        yield server


def group(client: TestClient, headers: dict[str, str], name: str, codes: list[str],
          station: str = "ST-A") -> Any:
    return client.post("/api/v1/announce-groups", headers=headers, json={
        "station_code": station, "name": name, "asset_codes": codes})


def test_a_group_hears_it_and_each_device_answers(
    db: Database, world: World, settings: Settings, clock: ManualClock, broker: MosquittoServer,
) -> None:
    with TestClient(create_app(bridge_settings(settings, broker), db, clock)) as client:
        devices = Devices(client, world, clock)
        register(devices, kind="loudspeaker", code="SPK-1", device_id="SPK-1")
        register(devices, kind="led_sign", code="LED-1", device_id="LED-1")
        made = group(client, devices.admin, "ตลาด", ["SPK-1", "LED-1", "ST-A-SOS1"])
        assert made.status_code == 201, made.text
        assert [m["code"] for m in made.json()["members"]] == ["SPK-1", "LED-1", "ST-A-SOS1"]
        operator = world.headers(client, "a.operator")
        said = "ขอความร่วมมือ งดจอดรถหน้าตลาด"

        async def field() -> dict[str, dict[str, Any]]:
            got: dict[str, dict[str, Any]] = {}
            async with aiomqtt.Client("127.0.0.1", broker.port) as radio:
                await radio.subscribe("ssz/ST-A/+/+/cmd", qos=1)
                sent = await asyncio.to_thread(
                    client.post, "/api/v1/announcements", headers=operator,
                    json={"group_id": made.json()["id"], "text": said})
                assert sent.status_code == 201, sent.text
                async with asyncio.timeout(15):
                    async for received in radio.messages:
                        assert isinstance(received.payload, bytes)
                        body = json.loads(received.payload)
                        device = str(received.topic).split("/")[3]
                        got[device] = body
                        answer = {"id": body["id"], "ok": device == "SPK-1",
                                  "time": clock.now().isoformat()}
                        if device == "LED-1":
                            answer["detail"] = "แผงไฟเสีย"
                        await radio.publish(str(received.topic).replace("/cmd", "/ack"),
                                            json.dumps(answer), qos=1)
                        if len(got) == 2:
                            return got
            raise AssertionError("the devices heard nothing")

        heard = asyncio.run(field())
        assert heard["SPK-1"]["action"] == "announce" and heard["SPK-1"]["text"] == said
        assert heard["LED-1"]["action"] == "display" and heard["LED-1"]["text"] == said

        def settled() -> dict[str, Any] | None:
            rows = client.get("/api/v1/announcements", headers=operator,
                              params={"station_code": "ST-A"}).json()
            progress = rows[0]["progress"]
            return rows[0] if progress["acknowledged"] + progress["failed"] == 2 else None

        latest = wait_for(settled)
        assert latest["progress"] == {"devices": 3, "acknowledged": 1, "failed": 1,
                                      "waiting": 0, "unlinked": 1}
        assert latest["failures"] == [{"code": "LED-1", "detail": "แผงไฟเสีย"}]
        audit = client.get("/api/v1/audit", params={"action": "announce.send"},
                           headers=world.headers(client, "a.commander")).json()
        assert audit["items"][0]["username"] == "a.operator"


def test_groups_and_announcements_refuse_what_cannot_be_said(
    client: TestClient, world: World, db: Database,
) -> None:
    admin = world.headers(client, "admin")
    commander = world.headers(client, "a.commander")
    operator = world.headers(client, "a.operator")
    made = group(client, commander, "เสา SOS", ["ST-A-SOS1"])
    assert made.status_code == 201, made.text
    group_id = made.json()["id"]
    viewer, other = world.headers(client, "a.viewer"), world.headers(client, "b.operator")
    changes.install(db)
    before = changes.mark(db)
    refused = [
        (group(client, commander, "เสา SOS", ["ST-A-SOS1"]), 409),  # the same name
        (group(client, commander, "กล้อง", ["ST-A-POLICE-P1"]), 422),  # a camera point is mute
        (group(client, commander, "อื่น", ["ST-B-SOS1"]), 422),  # another station's pole
        (group(client, commander, "ว่าง", []), 422),
        (group(client, operator, "ผู้ปฏิบัติ", ["ST-A-SOS1"]), 403),  # groups: commanders
        (client.post("/api/v1/announcements", headers=operator, json={
            "group_id": group_id, "text": "ก", "message_id": "stay_calm"}), 422),
        (client.post("/api/v1/announcements", headers=operator, json={"group_id": group_id}),
         422),
        (client.post("/api/v1/announcements", headers=operator, json={
            "group_id": group_id, "message_id": "self_destruct"}), 422),
        (client.post("/api/v1/announcements", headers=operator, json={
            "group_id": group_id, "text": "x" * 501}), 422),
        (client.post("/api/v1/announcements", headers=viewer,
                     json={"group_id": group_id, "message_id": "stay_calm"}), 403),
        (client.post("/api/v1/announcements", headers=other,
                     json={"group_id": group_id, "message_id": "stay_calm"}), 404),
    ]
    for response, expected in refused:
        assert response.status_code == expected, response.text
    assert not changes.since(db, before)
    played = client.post("/api/v1/announcements", headers=operator,
                         json={"group_id": group_id, "message_id": "cctv_warning"})
    assert played.status_code == 201, played.text
    assert played.json()["progress"] == {"devices": 1, "acknowledged": 0, "failed": 0,
                                         "waiting": 0, "unlinked": 1}
    commands = client.get(f"/api/v1/assets/{made.json()['members'][0]['asset_id']}/commands",
                          headers=admin).json()
    assert commands[0]["type"] == "play" and commands[0]["message_id"] == "cctv_warning"
    assert commands[0]["announcement_id"] == played.json()["id"]


def test_a_schedule_announces_on_time_once_and_stops_at_its_end(
    client: TestClient, world: World, db: Database, clock: ManualClock,
) -> None:
    commander = world.headers(client, "a.commander")
    group_id = group(client, commander, "ทั้งโซน", ["ST-A-SOS1"]).json()["id"]
    start = clock.now() + timedelta(minutes=10)
    body = {"group_id": group_id, "message_id": "cctv_warning",
            "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=3)).isoformat(),
            "every_min": 60}
    operator = world.headers(client, "a.operator")
    assert client.post("/api/v1/announce-schedules", headers=operator,
                       json=body).status_code == 403
    for bad in ({"every_min": 1}, {"ends_at": start.isoformat()},
                {"starts_at": start.replace(tzinfo=None).isoformat()}):
        assert client.post("/api/v1/announce-schedules", headers=commander,
                           json={**body, **bad}).status_code == 422, bad
    made = client.post("/api/v1/announce-schedules", headers=commander, json=body)
    assert made.status_code == 201, made.text

    def count() -> int:  # a fresh login: the clock moves hours, past a token's life
        listed = client.get("/api/v1/announcements", headers=world.headers(client, "a.operator"),
                            params={"station_code": "ST-A"})
        assert listed.status_code == 200, listed.text
        return len(listed.json())

    assert announcements.run_due(db, clock) == 0
    clock.advance(timedelta(minutes=10))
    assert announcements.run_due(db, clock) == 1
    assert announcements.run_due(db, clock) == 0  # once per due time
    clock.advance(timedelta(minutes=150))  # down over two due times: one announcement
    assert announcements.run_due(db, clock) == 1
    assert count() == 2
    clock.advance(timedelta(minutes=30))  # past the end
    assert announcements.run_due(db, clock) == 0
    commander = world.headers(client, "a.commander")
    listed = client.get("/api/v1/announce-schedules", headers=commander,
                        params={"station_code": "ST-A"}).json()
    assert listed[0]["active"] is False
    second = client.post("/api/v1/announce-schedules", headers=commander, json={
        **body, "starts_at": clock.now().isoformat(),
        "ends_at": (clock.now() + timedelta(hours=1)).isoformat()}).json()
    stopped = client.post(f"/api/v1/announce-schedules/{second['id']}/stop", headers=commander)
    assert stopped.status_code == 200 and stopped.json()["active"] is False
    assert announcements.run_due(db, clock) == 0
    assert count() == 2
