"""Real devices end to end: a bank alarm panel over SIA DC-09 TCP, a tracker over OsmAnd."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from safetyzone.adapters.sia_dc09 import AccountConfig, Header, encode_message
from safetyzone.adapters.sia_dc09.config import SiaDc09Settings
from safetyzone.config import Settings
from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from safetyzone.web.app import create_app
from support.live import Devices, wait_for
from support.postgres import free_loopback_port
from support.world import STATIONS, World

A_LAT, A_LON = STATIONS["ST-A"][1], STATIONS["ST-A"][2]
KEY = "0123456789ABCDEF0123456789ABCDEF"  # AES-128 as 32 hex digits, as panels are set up


@pytest.fixture
def sia_port() -> int:
    return free_loopback_port()


@pytest.fixture
def gateway_client(db: Database, world: World, settings: Settings, clock: ManualClock,
                   sia_port: int) -> Iterator[TestClient]:
    configured = settings.model_copy(update={"sia_dc09": SiaDc09Settings(
        host="127.0.0.1", tcp_port=sia_port, udp_port=None)})
    with TestClient(create_app(configured, db, clock)) as client:
        yield client


def register_bank_panel(devices: Devices, account: str) -> None:
    bank = devices.client.post("/api/v1/assets", headers=devices.admin, json={
        "station_code": "ST-A", "zone_code": "Z-ST-A", "kind": "sos_point", "code": "BANK-9",
        "name_th": "ธนาคารออมสิน สาขาภาษีเจริญ", "name_en": "GSB Phasi Charoen branch",
        "lat": A_LAT - 0.001, "lon": A_LON, "owner_class": "private_business",
        "attributes": {"site_kind": "bank"}})
    assert bank.status_code == 201, bank.text
    response = devices.client.post("/api/v1/devices", headers=devices.admin, json={
        "station_code": "ST-A", "subject_kind": "asset", "subject_id": bank.json()["id"],
        "label": "bank alarm panel", "protocol": "sia_dc09", "external_id": account,
        "protocol_key": KEY})
    assert response.status_code == 201, response.text


def send_tcp(port: int, frame: bytes) -> bytes:
    async def exchange() -> bytes:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(frame)
        await writer.drain()
        reply = await asyncio.wait_for(reader.readuntil(b"\r"), timeout=10)
        writer.close()
        await writer.wait_closed()
        return reply

    return asyncio.run(exchange())


def test_bank_holdup_over_sia_dc09_encrypted_tcp(
    gateway_client: TestClient, world: World, clock: ManualClock, sia_port: int,
) -> None:
    devices = Devices(gateway_client, world, clock)
    register_bank_panel(devices, "1A2B")
    header = Header(token="SIA-DCS", encrypted=True, seq="0042", receiver=None, line="0",
                    account="1A2B")
    frame = encode_message(header, "#1A2B|Nri1/HA01", timestamp=clock.now(),
                           key=AccountConfig.from_text(KEY).key)
    reply = send_tcp(sia_port, frame)
    assert b'"*ACK"0042' in reply  # encrypted ACK, only after the commit
    incident = wait_for(lambda: devices.incidents(kind="bank_alarm"))[0]
    assert incident["priority"] == 1
    assert incident["title_en"] == "Bank alarm at GSB Phasi Charoen branch (hold_up)"
    again = send_tcp(sia_port, frame)  # the panel retransmits: same event, no second one
    assert b'"*ACK"0042' in again
    assert wait_for(lambda: devices.incidents(kind="bank_alarm"))[0]["event_count"] == 1


def test_unknown_account_is_naked_and_stores_nothing(
    gateway_client: TestClient, world: World, clock: ManualClock, sia_port: int,
) -> None:
    header = Header(token="SIA-DCS", encrypted=False, seq="0001", receiver=None, line="0",
                    account="9999")
    reply = send_tcp(sia_port, encode_message(header, "#9999|Nri1/PA01"))
    assert b'"NAK"' in reply
    devices = Devices(gateway_client, world, clock)
    assert devices.incidents() == []


def test_osmand_tracker_moves_its_unit_and_raises_sos(
    gateway_client: TestClient, world: World, clock: ManualClock,
) -> None:
    devices = Devices(gateway_client, world, clock)
    unit = gateway_client.post("/api/v1/units", headers=devices.admin, json={
        "station_code": "ST-A", "code": "A-21", "callsign": "ภาษีเจริญ 21", "kind": "motorcycle",
        "status": "available"}).json()
    registered = gateway_client.post("/api/v1/devices", headers=devices.admin, json={
        "station_code": "ST-A", "subject_kind": "unit", "subject_id": unit["id"],
        "label": "Traccar Client", "protocol": "osmand", "external_id": "356938035643809"})
    assert registered.status_code == 201, registered.text
    stamp = int(clock.now().timestamp())
    fix = {"id": "356938035643809", "lat": A_LAT, "lon": A_LON, "timestamp": stamp,
           "speed": "10", "bearing": "90", "batt": "87"}
    assert gateway_client.get("/api/v1/gateways/osmand", params=fix).status_code == 200
    moved = wait_for(lambda: (u := gateway_client.get(
        f"/api/v1/units/{unit['id']}", headers=devices.admin).json())["lat"] and u)
    assert moved["lat"] == A_LAT
    assert moved["speed_mps"] == pytest.approx(5.144, abs=0.01)  # 10 knots
    unknown = gateway_client.get("/api/v1/gateways/osmand", params={**fix, "id": "nobody"})
    assert unknown.status_code == 403
    garbage = gateway_client.get("/api/v1/gateways/osmand", params={"id": "356938035643809",
                                                                   "lat": "north"})
    assert garbage.status_code == 400
    clock.advance(timedelta(seconds=30))
    sos = {**fix, "timestamp": stamp + 30, "alarm": "sos"}
    assert gateway_client.post("/api/v1/gateways/osmand", data=sos).status_code == 200
    danger = wait_for(lambda: devices.incidents(kind="officer_in_danger"))[0]
    assert "ภาษีเจริญ 21" in danger["title_th"]


def test_duplicate_protocol_ids_and_bad_keys_are_refused(
    gateway_client: TestClient, world: World, clock: ManualClock,
) -> None:
    devices = Devices(gateway_client, world, clock)
    register_bank_panel(devices, "777")
    body = {"station_code": "ST-A", "subject_kind": "gateway", "label": "x",
            "protocol": "sia_dc09", "external_id": "777"}
    assert gateway_client.post("/api/v1/devices", headers=devices.admin,
                               json=body).status_code == 409
    for bad in ({"external_id": "not-hex"}, {"external_id": "778", "protocol_key": "short"},
                {"protocol": None, "external_id": "x"}, {"protocol": "osmand",
                                                         "protocol_key": "0" * 32}):
        response = gateway_client.post("/api/v1/devices", headers=devices.admin,
                                       json={**body, **bad})
        assert response.status_code == 422, (bad, response.text)


def test_enabled_receiver_that_cannot_listen_stops_the_server(
    db: Database, settings: Settings, clock: ManualClock,
) -> None:
    port = free_loopback_port()
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", port))
        busy.listen()
        configured = settings.model_copy(update={"sia_dc09": SiaDc09Settings(
            host="127.0.0.1", tcp_port=port, udp_port=None)})
        with pytest.raises(Exception, match="SIA DC-09 receiver cannot listen"), \
                TestClient(create_app(configured, db, clock)):
            pass


def test_an_osmand_port_taken_stops_the_server_and_leaves_no_thread(
    db: Database, settings: Settings, clock: ManualClock,
) -> None:
    port = free_loopback_port()
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", port))
        busy.listen()
        configured = settings.model_copy(update={"osmand_port": port})
        with pytest.raises(Exception, match="OsmAnd receiver cannot listen"), \
                TestClient(create_app(configured, db, clock)):
            pass
    # The half-started parts were stopped: the engine and the inbox writer are gone.
    assert not {t.name for t in threading.enumerate()} & {"ccoc-engine", "inbox-writer"}
