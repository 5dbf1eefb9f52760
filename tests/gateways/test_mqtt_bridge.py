"""MQTT field devices end to end, against a real Mosquitto started by the test: SOS poles,
street lights and loudspeakers through the bridge, and what it refuses."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from datetime import datetime

import aiomqtt
import pytest
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY
from sqlalchemy import func, select

from safetyzone.adapters.mqtt import MqttSettings
from safetyzone.audit.models import AuditEntry
from safetyzone.config import Settings
from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from safetyzone.intake.models import InboxEvent
from safetyzone.web.app import create_app
from support.live import Devices, wait_for
from support.mosquitto import MosquittoServer, passwd_binary, throwaway_mosquitto
from support.mqtt_devices import bridge_settings, register
from support.postgres import free_loopback_port
from support.world import STATIONS, World

A_LAT, A_LON = STATIONS["ST-A"][1], STATIONS["ST-A"][2]


@pytest.fixture
def broker() -> Iterator[MosquittoServer]:
    with throwaway_mosquitto() as server:
        yield server


@pytest.fixture
def bridge_client(db: Database, world: World, settings: Settings, clock: ManualClock,
                  broker: MosquittoServer) -> Iterator[TestClient]:
    with TestClient(create_app(bridge_settings(settings, broker), db, clock)) as client:
        yield client


def publish(broker: MosquittoServer, *messages: tuple[str, bytes], retain: bool = False) -> None:
    async def send() -> None:
        async with aiomqtt.Client("127.0.0.1", broker.port, username=broker.username,
                                  password=broker.password) as device:
            for topic, payload in messages:
                await device.publish(topic, payload, qos=1, retain=retain)

    asyncio.run(send())


def message(event_id: str, kind: str, at: datetime, **extra: object) -> bytes:
    return json.dumps({"id": event_id, "time": at.isoformat(), "type": kind, **extra}).encode()


def inbox_count(db: Database) -> int:
    with db.read() as session:
        return int(session.scalar(select(func.count()).select_from(InboxEvent)) or 0)


def stored_ids(db: Database) -> list[str]:
    with db.read() as session:
        return list(session.scalars(select(InboxEvent.device_event_id)))


def counted(outcome: str) -> float:
    return REGISTRY.get_sample_value("ssz_mqtt_messages_total", {"outcome": outcome}) or 0.0


def test_sos_pole_button_press_over_mqtt_is_a_p1_incident(
    bridge_client: TestClient, world: World, clock: ManualClock, broker: MosquittoServer,
    db: Database,
) -> None:
    devices = Devices(bridge_client, world, clock)
    register(devices, kind="sos_point", code="POLE-42", device_id="POLE-0042")
    press = message("POLE-0042-000117", "button", clock.now(), button="1")
    publish(broker, ("ssz/ST-A/sos_point/POLE-0042/event", press))
    incident = wait_for(lambda: devices.incidents(kind="sos"))[0]
    assert incident["priority"] == 1
    assert incident["title_en"] == "SOS pressed at Device POLE-42"
    before = counted("duplicate")
    publish(broker, ("ssz/ST-A/sos_point/POLE-0042/event", press))  # QoS 1 redelivery
    wait_for(lambda: counted("duplicate") > before)
    assert inbox_count(db) == 1


def test_lamp_failure_is_a_maintenance_incident(
    bridge_client: TestClient, world: World, clock: ManualClock, broker: MosquittoServer,
) -> None:
    devices = Devices(bridge_client, world, clock)
    register(devices, kind="street_light", code="LIGHT-17", device_id="LIGHT-17")
    publish(broker, ("ssz/ST-A/street_light/LIGHT-17/event",
                     message("LIGHT-17-lf-1", "lamp_failure", clock.now(),
                             detail="LED driver open circuit")))
    incident = wait_for(lambda: devices.incidents(kind="maintenance"))[0]
    assert incident["priority"] == 4
    assert "lamp_failure" in incident["title_en"]


def test_other_stations_topic_unknown_devices_and_garbage_store_nothing(
    bridge_client: TestClient, world: World, clock: ManualClock, broker: MosquittoServer,
    db: Database,
) -> None:
    devices = Devices(bridge_client, world, clock)
    register(devices, kind="sos_point", code="POLE-42", device_id="POLE-0042")
    before = {o: counted(o) for o in ("wrong_station", "unknown_device", "bad_payload",
                                      "bad_topic")}
    now = clock.now()
    publish(broker,
            # a device of station A posting for station B
            ("ssz/ST-B/sos_point/POLE-0042/event", message("e1", "button", now)),
            ("ssz/ST-A/sos_point/NOBODY/event", message("e2", "button", now)),
            ("ssz/ST-A/sos_point/POLE-0042/event", b"PRESSED"),
            ("ssz/ST-A/sos_point/POLE-0042/event", b'{"id":"e3","type":"button"}'),
            ("ssz/ST-A/sos_point/POLE-0042/status", message("e4", "button", now)),
            # then one good press: handled in order, so the refusals are already done
            ("ssz/ST-A/sos_point/POLE-0042/event", message("e5", "button", now)))
    wait_for(lambda: devices.incidents(kind="sos"))
    assert inbox_count(db) == 1
    assert counted("wrong_station") == before["wrong_station"] + 1
    assert counted("unknown_device") == before["unknown_device"] + 1
    assert counted("bad_payload") == before["bad_payload"] + 3
    wildcard = bridge_client.post("/api/v1/devices", headers=devices.admin, json={
        "station_code": "ST-A", "subject_kind": "gateway", "label": "x", "protocol": "mqtt",
        "external_id": "POLE+1"})
    assert wildcard.status_code == 422, wildcard.text


def test_loudspeaker_announce_is_published_and_the_ack_recorded(
    bridge_client: TestClient, world: World, clock: ManualClock, broker: MosquittoServer,
    db: Database,
) -> None:
    devices = Devices(bridge_client, world, clock)
    asset_id = register(devices, kind="loudspeaker", code="SPK-7", device_id="SPK-7")
    cmd_topic = "ssz/ST-A/loudspeaker/SPK-7/cmd"

    async def speaker() -> tuple[dict[str, object], str, bool]:
        async with aiomqtt.Client("127.0.0.1", broker.port) as device:
            await device.subscribe(cmd_topic, qos=1)
            response = await asyncio.to_thread(
                bridge_client.post, f"/api/v1/assets/{asset_id}/commands",
                headers=devices.admin, json={"type": "announce", "text": "กรุณาอยู่ในความสงบ"})
            assert response.status_code == 201, response.text
            async with asyncio.timeout(15):
                async for received in device.messages:
                    assert isinstance(received.payload, bytes)
                    body = json.loads(received.payload)
                    await device.publish("ssz/ST-A/loudspeaker/SPK-7/ack", json.dumps(
                        {"id": body["id"], "ok": True, "time": clock.now().isoformat()}),
                        qos=1)
                    return body, str(received.topic), received.retain
        raise AssertionError("no command arrived")

    body, topic, retained = asyncio.run(speaker())
    assert topic == cmd_topic and not retained
    assert body["action"] == "announce" and body["text"] == "กรุณาอยู่ในความสงบ"
    command_id = body["id"]

    def ack_row() -> AuditEntry | None:
        with db.read() as session:
            return session.scalars(select(AuditEntry).where(
                AuditEntry.action == "asset.command.ack")).first()

    ack = wait_for(ack_row)
    assert ack.detail["command_id"] == command_id and ack.detail["ok"] is True
    assert ack.username == "mqtt:SPK-7"


def test_retained_status_is_read_when_the_bridge_connects(
    db: Database, world: World, settings: Settings, clock: ManualClock,
    broker: MosquittoServer,
) -> None:
    configured = bridge_settings(settings, broker)
    with TestClient(create_app(configured, db, clock)) as client:
        register(Devices(client, world, clock), kind="sos_point", code="POLE-9",
                 device_id="POLE-9")
    # While the platform is down, the pole publishes its retained status (its "last will").
    publish(broker, ("ssz/ST-A/sos_point/POLE-9/status",
                     message("will-boot-7", "offline", clock.now())), retain=True)
    with TestClient(create_app(configured, db, clock)):
        def statuses() -> int:
            with db.read() as session:
                return int(session.scalar(select(func.count()).select_from(InboxEvent).where(
                    InboxEvent.device_event_id == "will-boot-7")) or 0)
        assert wait_for(statuses) == 1


def test_enabled_bridge_that_cannot_connect_stops_the_server(
    db: Database, settings: Settings, clock: ManualClock,
) -> None:
    configured = settings.model_copy(update={"mqtt": MqttSettings(
        host="127.0.0.1", port=free_loopback_port(), connect_timeout_s=3)})
    with pytest.raises(Exception, match="MQTT bridge cannot connect"), \
            TestClient(create_app(configured, db, clock)):
        pass


@pytest.mark.skipif(passwd_binary() is None, reason="mosquitto_passwd is not installed")
def test_bridge_logs_in_to_a_password_protected_broker(
    db: Database, world: World, settings: Settings, clock: ManualClock,
) -> None:
    with throwaway_mosquitto({"ssz-bridge": "bridge-secret-1"}) as broker:
        wrong = settings.model_copy(update={"mqtt": MqttSettings(
            host="127.0.0.1", port=broker.port, username="ssz-bridge",
            password="wrong", connect_timeout_s=3)})  # type: ignore[arg-type]
        with pytest.raises(Exception, match="MQTT bridge cannot connect"), \
                TestClient(create_app(wrong, db, clock)):
            pass
        with TestClient(create_app(bridge_settings(settings, broker), db, clock)) as client:
            devices = Devices(client, world, clock)
            register(devices, kind="sos_point", code="POLE-5", device_id="POLE-5")
            publish(broker, ("ssz/ST-A/sos_point/POLE-5/event",
                             message("p5-1", "button", clock.now())))
            assert wait_for(lambda: devices.incidents(kind="sos"))[0]["priority"] == 1


class PressStream:
    """A pole pressing SOS again and again at QoS 1, reconnecting as fast as it can.

    ``acked`` holds the ids the broker answered with a PUBACK: those must never be lost.
    """

    def __init__(self, broker: MosquittoServer, clock: ManualClock, device: str) -> None:
        self.broker, self.clock, self.device = broker, clock, device
        self.sent: list[str] = []
        self.acked: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._run()),
                                        name="pole-stream")

    def __enter__(self) -> PressStream:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    async def _run(self) -> None:
        topic = f"ssz/ST-A/sos_point/{self.device}/event"
        while not self._stop.is_set():
            try:
                async with aiomqtt.Client("127.0.0.1", self.broker.port,
                                          identifier=f"pole-{self.device}") as pole:
                    while not self._stop.is_set():
                        event_id = f"{self.device}-{len(self.sent) + 1:05d}"
                        self.sent.append(event_id)
                        await pole.publish(topic, message(event_id, "button", self.clock.now()),
                                           qos=1, timeout=5)
                        self.acked.append(event_id)  # publish returns on the PUBACK
                        await asyncio.sleep(0.02)
            except aiomqtt.MqttError:
                await asyncio.sleep(0.02)  # broker down: try again at once, as a pole does


def test_sos_presses_acknowledged_by_a_restarting_broker_are_all_stored(
    db: Database, world: World, settings: Settings, clock: ManualClock,
) -> None:
    with throwaway_mosquitto(persistent=True) as broker, \
            TestClient(create_app(bridge_settings(settings, broker), db, clock)) as client:
        register(Devices(client, world, clock), kind="sos_point", code="POLE-42",
                 device_id="POLE-0042")
        assert client.get("/readyz").status_code == 200
        with PressStream(broker, clock, "POLE-0042") as pole:
            wait_for(lambda: len(pole.acked) >= 20)
            broker.stop()  # SIGTERM: mosquitto saves sessions and queued messages
            down = wait_for(lambda: (r := client.get("/readyz")).status_code == 503 and r)
            assert down.json()["checks"]["mqtt"] == "reconnecting"
            before_restart = len(pole.acked)
            broker.start()  # same port, same store: the pole is usually back before the bridge
            wait_for(lambda: len(pole.acked) >= before_restart + 20, seconds=30)
            wait_for(lambda: client.get("/readyz").status_code == 200, seconds=30)
        acked = set(pole.acked)
        assert len(acked) >= 40
        wait_for(lambda: acked <= set(stored_ids(db)), seconds=30)
        stored = stored_ids(db)
        assert len(stored) == len(set(stored))  # redeliveries were not stored twice
        assert set(stored) <= set(pole.sent)


def test_presses_sent_while_the_server_is_down_arrive_when_it_is_back(
    db: Database, world: World, settings: Settings, clock: ManualClock,
) -> None:
    with throwaway_mosquitto(persistent=True) as broker:
        configured = bridge_settings(settings, broker)
        with TestClient(create_app(configured, db, clock)) as client:
            register(Devices(client, world, clock), kind="sos_point", code="POLE-7",
                     device_id="POLE-7")
        # The bridge is away (server upgrade); its session at the broker queues the presses.
        publish(broker, *(("ssz/ST-A/sos_point/POLE-7/event",
                           message(f"away-{n}", "button", clock.now())) for n in range(3)))
        with TestClient(create_app(configured, db, clock)):
            wait_for(lambda: len(stored_ids(db)) >= 3)
        assert sorted(stored_ids(db)) == ["away-0", "away-1", "away-2"]


def test_a_broker_that_forgot_the_session_is_logged_and_counted(
    db: Database, settings: Settings, clock: ManualClock, caplog: pytest.LogCaptureFixture,
) -> None:
    lost = REGISTRY.get_sample_value("ssz_mqtt_sessions_lost_total") or 0.0
    with throwaway_mosquitto() as broker, \
            TestClient(create_app(bridge_settings(settings, broker), db, clock)) as client:
        broker.stop()  # no persistence: the restart forgets every session
        wait_for(lambda: client.get("/readyz").status_code == 503)
        broker.start()
        wait_for(lambda: client.get("/readyz").status_code == 200)
    assert REGISTRY.get_sample_value("ssz_mqtt_sessions_lost_total") == lost + 1
    assert any("messages published while the bridge was away are LOST" in r.getMessage()
               for r in caplog.records)


def test_a_kind_the_device_cannot_send_is_refused_and_acknowledged_not_redelivered(
    bridge_client: TestClient, world: World, clock: ManualClock, broker: MosquittoServer,
    db: Database,
) -> None:
    devices = Devices(bridge_client, world, clock)
    register(devices, kind="street_light", code="LAMP-9", device_id="LAMP-9")
    register(devices, kind="sos_point", code="POLE-43", device_id="POLE-0043")
    before = counted("kind_not_allowed"), counted("error")
    now = clock.now()
    publish(broker,
            # a street light cannot press SOS: refused for good, so the broker gets its PUBACK
            ("ssz/ST-A/street_light/LAMP-9/event", message("l1", "button", now)),
            ("ssz/ST-A/sos_point/POLE-0043/event", message("p1", "button", now)))
    wait_for(lambda: devices.incidents(kind="sos"))
    assert stored_ids(db) == ["p1"]
    assert (counted("kind_not_allowed"), counted("error")) == (before[0] + 1, before[1])
