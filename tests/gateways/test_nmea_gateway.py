"""NMEA $GPRMC trackers over a real TCP socket: login, split and joined lines, bad input."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY

from safetyzone.adapters.nmea import checksum
from safetyzone.config import Settings
from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from safetyzone.gateways.nmea import login_id
from safetyzone.web.app import create_app
from safetyzone.web.runtime import Runtime
from support.live import Devices, wait_for
from support.postgres import free_loopback_port
from support.world import STATIONS, World

A_LAT, A_LON = STATIONS["ST-A"][1], STATIONS["ST-A"][2]
TRACKER = "359586015829802"


def sentence(body: str) -> bytes:
    return f"${body}*{checksum(body):02X}\r\n".encode()


def rmc(when: datetime, lat: float, lon: float, knots: float = 0.0) -> bytes:
    """A ``$GPRMC`` fix as a tracker sends it (ddmm.mmmm, hemisphere letters)."""
    def angle(value: float, width: int) -> str:
        degrees = int(abs(value))
        return f"{degrees:0{width}d}{(abs(value) - degrees) * 60:07.4f}"

    return sentence(f"GPRMC,{when:%H%M%S}.000,A,{angle(lat, 2)},{'N' if lat >= 0 else 'S'},"
                    f"{angle(lon, 3)},{'E' if lon >= 0 else 'W'},{knots:.1f},90.0,"
                    f"{when:%d%m%y},,,A")


@pytest.fixture
def nmea_port() -> int:
    return free_loopback_port()


@pytest.fixture
def nmea_client(db: Database, world: World, settings: Settings, clock: ManualClock,
                nmea_port: int) -> Iterator[TestClient]:
    configured = settings.model_copy(update={"nmea_port": nmea_port})
    with TestClient(create_app(configured, db, clock)) as client:
        yield client


def register_tracker(devices: Devices, external_id: str = TRACKER) -> dict[str, Any]:
    client = devices.client
    unit: dict[str, Any] = client.post("/api/v1/units", headers=devices.admin, json={
        "station_code": "ST-A", "code": "A-31", "callsign": "ภาษีเจริญ 31", "kind": "car",
        "status": "available"}).json()
    response = client.post("/api/v1/devices", headers=devices.admin, json={
        "station_code": "ST-A", "subject_kind": "unit", "subject_id": unit["id"],
        "label": "GPS103 tracker", "protocol": "nmea", "external_id": external_id})
    assert response.status_code == 201, response.text
    unit["credential_id"] = response.json()["id"]
    return unit


def send(port: int, *chunks: bytes, pause_s: float = 0.05) -> bytes:
    """Send ``chunks`` one by one on a connection; what the server sent before closing."""
    async def exchange() -> bytes:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for chunk in chunks:
            writer.write(chunk)
            await writer.drain()
            await asyncio.sleep(pause_s)
        writer.write_eof()
        received = await asyncio.wait_for(reader.read(), timeout=10)
        writer.close()
        return received

    return asyncio.run(exchange())


def unit_position(devices: Devices, unit_id: str) -> tuple[float, float] | None:
    unit = devices.client.get(f"/api/v1/units/{unit_id}", headers=devices.admin).json()
    return (unit["lat"], unit["lon"]) if unit["lat"] is not None else None


def runtime_of(client: TestClient) -> Runtime:
    runtime: Runtime = client.app.state.runtime  # type: ignore[attr-defined]
    return runtime


def test_login_lines() -> None:
    assert login_id(sentence("PGID,359586015829802").decode()) == "359586015829802"
    assert login_id("359586015829802") == "359586015829802"
    assert login_id("$PGID,359586015829802*00") is None  # wrong checksum
    assert login_id(sentence("GPRMC,1,A").decode()) is None
    assert login_id("id with spaces") is None
    assert login_id("x" * 65) is None


def test_split_and_joined_fixes_move_the_unit(
    nmea_client: TestClient, world: World, clock: ManualClock, nmea_port: int,
) -> None:
    devices = Devices(nmea_client, world, clock)
    unit = register_tracker(devices)
    now = clock.now()
    first = rmc(now - timedelta(seconds=20), A_LAT, A_LON)
    second = rmc(now - timedelta(seconds=10), A_LAT + 0.001, A_LON, knots=10)
    login = sentence(f"PGID,{TRACKER}")
    stream = login + first + second
    # cut inside the login, inside a fix and between the CR and LF of a line end
    cuts = [5, len(login) + 10, len(login) + len(first) - 1]
    pieces = [stream[a:b] for a, b in zip([0, *cuts], [*cuts, len(stream)], strict=True)]
    assert send(nmea_port, *pieces) == b""  # trackers get no reply
    moved = wait_for(lambda: (p := unit_position(devices, unit["id"])) and
                     p[0] == pytest.approx(A_LAT + 0.001, abs=1e-6) and p)
    assert moved[1] == pytest.approx(A_LON, abs=1e-6)
    counters = runtime_of(nmea_client).nmea.counters
    assert counters.fixes == 2 and counters.bad_lines == 0
    # joined: a bare-id login and two fixes in one segment, one of them a retransmission
    third = rmc(now, A_LAT + 0.002, A_LON)
    send(nmea_port, TRACKER.encode() + b"\n" + second + third)
    wait_for(lambda: (p := unit_position(devices, unit["id"])) and
             p[0] == pytest.approx(A_LAT + 0.002, abs=1e-6))
    assert counters.fixes == 4  # the retransmitted fix is accepted and stored once


def test_unknown_or_missing_id_closes_the_connection(
    nmea_client: TestClient, world: World, clock: ManualClock, nmea_port: int,
) -> None:
    devices = Devices(nmea_client, world, clock)
    register_tracker(devices)
    fix = rmc(clock.now(), A_LAT, A_LON)

    async def closed_by_server(first: bytes) -> bool:
        reader, writer = await asyncio.open_connection("127.0.0.1", nmea_port)
        writer.write(first)
        await writer.drain()
        data = await asyncio.wait_for(reader.read(), timeout=10)  # no write_eof from us
        writer.close()
        return data == b""

    assert asyncio.run(closed_by_server(sentence("PGID,000000000000000") + fix))
    assert asyncio.run(closed_by_server(fix))  # a fix before any login line
    counters = runtime_of(nmea_client).nmea.counters
    assert counters.refused == 2 and counters.fixes == 0
    assert devices.incidents() == []


def test_bad_checksum_and_garbage_are_dropped_not_stored(
    nmea_client: TestClient, world: World, clock: ManualClock, nmea_port: int,
) -> None:
    devices = Devices(nmea_client, world, clock)
    unit = register_tracker(devices)
    good = rmc(clock.now(), A_LAT, A_LON)
    tampered = rmc(clock.now() - timedelta(seconds=5), A_LAT, A_LON).replace(
        b",1343.", b",1353.", 1)  # a flipped digit: the checksum no longer matches
    assert tampered != rmc(clock.now() - timedelta(seconds=5), A_LAT, A_LON)
    no_fix = sentence("GPRMC,120000.000,V,,,,,,,010125,,,N")
    long_line = b"$GPRMC," + b"9" * 400 + b"\r\n"
    send(nmea_port, sentence(f"PGID,{TRACKER}") + tampered + b"\x00\xff garbage\r\n"
         + no_fix + long_line + sentence("GPGGA,120000,1343.8,N,10028.2,E,1,08,0.9,5,M,,M,,")
         + good)
    wait_for(lambda: unit_position(devices, unit["id"]))
    assert unit_position(devices, unit["id"]) == (pytest.approx(A_LAT, abs=1e-6),
                                                  pytest.approx(A_LON, abs=1e-6))
    counters = runtime_of(nmea_client).nmea.counters
    assert counters.fixes == 1
    assert counters.no_fix == 1
    assert counters.bad_lines == 2  # the bad checksum and the over-long line
    assert counters.ignored == 3  # the login line, the garbage (not NMEA) and GGA


def test_enabled_nmea_port_that_cannot_listen_stops_the_server(
    db: Database, settings: Settings, clock: ManualClock,
) -> None:
    port = free_loopback_port()
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", port))
        busy.listen()
        configured = settings.model_copy(update={"nmea_port": port})
        with pytest.raises(Exception, match="NMEA receiver cannot listen"), \
                TestClient(create_app(configured, db, clock)):
            pass


def test_unusable_fixes_are_dropped_with_a_reason_and_the_connection_kept(
    nmea_client: TestClient, world: World, clock: ManualClock, nmea_port: int,
) -> None:
    devices = Devices(nmea_client, world, clock)
    unit = register_tracker(devices)
    now = clock.now()
    before = REGISTRY.get_sample_value(
        "ssz_device_problems_total", {"protocol": "nmea", "reason": "no_fix"}) or 0.0
    unusable = [
        sentence(f"GPRMC,{now:%H%M%S}.000,A,0000.0000,N,00000.0000,E,0.0,0.0,"
                 f"{now:%d%m%y},,,A"),  # 0,0: no fix, although it says A
        rmc(now - timedelta(days=8), A_LAT, A_LON),  # buffered for too long
        rmc(now + timedelta(minutes=10), A_LAT, A_LON),  # ahead of the server clock
        rmc(now, 48.8584, 2.2945),  # outside Thailand
        rmc(datetime(1999, 8, 22, tzinfo=now.tzinfo), A_LAT, A_LON),  # GPS week roll-over
    ]
    good = rmc(now, A_LAT + 0.003, A_LON)
    assert send(nmea_port, sentence(f"PGID,{TRACKER}"), *unusable, good) == b""
    wait_for(lambda: (p := unit_position(devices, unit["id"])) and
             p[0] == pytest.approx(A_LAT + 0.003, abs=1e-6))
    counters = runtime_of(nmea_client).nmea.counters
    assert counters.fixes == 1 and counters.unusable == len(unusable)  # and still connected
    health = nmea_client.get(f"/api/v1/devices/{unit['credential_id']}/health",
                             headers=devices.admin).json()
    assert {p["kind"] for p in health["problems"]} == {
        "no_fix", "too_old", "ahead_of_server", "outside_thailand", "clock_wrong"}
    assert REGISTRY.get_sample_value(
        "ssz_device_problems_total", {"protocol": "nmea", "reason": "no_fix"}) == before + 1
