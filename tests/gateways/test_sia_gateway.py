"""The SIA DC-09 gateway in the app: a panel with a wrong clock is answered and its alarm kept."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY
from sqlalchemy import select

from safetyzone.adapters.sia_dc09 import Header, encode_message
from safetyzone.adapters.sia_dc09.config import SiaDc09Settings
from safetyzone.config import Settings
from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from safetyzone.intake.models import InboxEvent
from safetyzone.web.app import create_app
from support.live import Devices, wait_for
from support.postgres import free_loopback_port
from support.world import STATIONS, World

A_LAT, A_LON = STATIONS["ST-A"][1], STATIONS["ST-A"][2]
ACCOUNT = "4C21"


@pytest.fixture
def ports() -> tuple[int, int]:
    return free_loopback_port(), free_loopback_port()


@pytest.fixture
def sia_client(db: Database, world: World, settings: Settings, clock: ManualClock,
               ports: tuple[int, int]) -> Iterator[TestClient]:
    configured = settings.model_copy(update={"sia_dc09": SiaDc09Settings(
        host="127.0.0.1", tcp_port=ports[0], udp_port=ports[1])})
    with TestClient(create_app(configured, db, clock)) as client:
        yield client


def register_plain_panel(devices: Devices) -> str:
    """A shop's panel without an AES key (plain DC-09, as many installed panels are)."""
    shop = devices.client.post("/api/v1/assets", headers=devices.admin, json={
        "station_code": "ST-A", "zone_code": "Z-ST-A", "kind": "sos_point", "code": "GOLD-3",
        "name_th": "ร้านทองเยาวราช", "name_en": "Yaowarat gold shop", "lat": A_LAT,
        "lon": A_LON + 0.001, "owner_class": "private_business"})
    assert shop.status_code == 201, shop.text
    response = devices.client.post("/api/v1/devices", headers=devices.admin, json={
        "station_code": "ST-A", "subject_kind": "asset", "subject_id": shop.json()["id"],
        "label": "gold shop panel", "protocol": "sia_dc09", "external_id": ACCOUNT})
    assert response.status_code == 201, response.text
    credential_id: str = response.json()["id"]
    return credential_id


def panic(seq: str, claimed: datetime) -> bytes:
    header = Header(token="SIA-DCS", encrypted=False, seq=seq, receiver=None, line="0",
                    account=ACCOUNT)
    return encode_message(header, f"#{ACCOUNT}|Nri1/PA{int(seq, 16):02d}", timestamp=claimed)


def exchange(port: int, frame: bytes, *, udp: bool = False) -> bytes:
    async def over_tcp() -> bytes:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(frame)
        reply = await asyncio.wait_for(reader.readuntil(b"\r"), timeout=10)
        writer.close()
        await writer.wait_closed()
        return reply

    async def over_udp() -> bytes:
        replies: asyncio.Queue[bytes] = asyncio.Queue()

        class Client(asyncio.DatagramProtocol):
            def datagram_received(self, data: bytes, addr: Any) -> None:
                replies.put_nowait(data)

        transport, _ = await asyncio.get_running_loop().create_datagram_endpoint(
            Client, remote_addr=("127.0.0.1", port))
        try:
            transport.sendto(frame)
            return await asyncio.wait_for(replies.get(), timeout=10)
        finally:
            transport.close()

    return asyncio.run(over_udp() if udp else over_tcp())


def problems_counted(reason: str) -> float:
    return REGISTRY.get_sample_value(
        "ssz_device_problems_total", {"protocol": "sia_dc09", "reason": reason}) or 0.0


def test_plain_panel_with_a_wrong_clock_is_acked_stored_and_flagged(
    sia_client: TestClient, world: World, clock: ManualClock, db: Database,
    ports: tuple[int, int],
) -> None:
    devices = Devices(sia_client, world, clock)
    credential_id = register_plain_panel(devices)
    counted = problems_counted("clock_wrong")
    now = clock.now()
    reset = datetime(2000, 1, 1, 0, 3, 12, tzinfo=UTC)  # the panel lost power and its clock
    cases = [("0001", reset, False), ("0002", now + timedelta(minutes=7), True),
             ("0003", now - timedelta(days=9), False), ("000A", reset, True)]
    for seq, claimed, udp in cases:
        reply = exchange(ports[1] if udp else ports[0], panic(seq, claimed), udp=udp)
        assert reply[9:] == f'"ACK"{seq}L0#{ACCOUNT}[]\r'.encode(), reply
    with db.read() as session:
        rows = session.execute(select(InboxEvent.event_time, InboxEvent.payload).where(
            InboxEvent.device_id == uuid.UUID(credential_id))).all()
    assert len(rows) == len(cases)
    for event_time, payload in rows:  # the receiver's time; the panel's is in the text
        assert (event_time if event_time.tzinfo else event_time.replace(tzinfo=UTC)) == now
        assert "panel clock wrong: it sent" in payload["text"]
    assert any("2000-01-01 00:03:12" in payload["text"] for _, payload in rows)
    assert wait_for(lambda: devices.incidents())
    health = sia_client.get(f"/api/v1/devices/{credential_id}/health",
                            headers=devices.admin).json()
    (problem,) = health["problems"]
    assert problem["kind"] == "clock_wrong" and problem["count"] == len(cases)
    assert "2000-01-01 00:03:12" in problem["detail"]
    assert problems_counted("clock_wrong") == counted + len(cases)


def test_encrypted_wrong_clock_is_naked_and_a_good_clock_raises_no_problem(
    sia_client: TestClient, world: World, clock: ManualClock, ports: tuple[int, int],
) -> None:
    devices = Devices(sia_client, world, clock)
    credential_id = register_plain_panel(devices)
    reply = exchange(ports[0], panic("0005", clock.now() - timedelta(seconds=5)))
    assert reply[9:] == f'"ACK"0005L0#{ACCOUNT}[]\r'.encode()
    health = sia_client.get(f"/api/v1/devices/{credential_id}/health",
                            headers=devices.admin).json()
    assert health["problems"] == []
    stranger = Header(token="SIA-DCS", encrypted=False, seq="0006", receiver=None, line="0",
                      account="9999")
    nak = exchange(ports[1], encode_message(stranger, "#9999|Nri1/PA01",
                                            timestamp=datetime(2000, 1, 1, tzinfo=UTC)),
                   udp=True)
    assert nak[9:].startswith(b'"NAK"0000R0L0A0[]_')  # unknown account: NAK, not silence
