"""``ssz replay`` against the real app with its SIA, OsmAnd and NMEA ports open: a captured
frame goes back in, and what the health page shows can be replayed as it is."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from safetyzone.adapters.nmea import checksum
from safetyzone.adapters.sia_dc09 import Header, encode_message
from safetyzone.adapters.sia_dc09.config import SiaDc09Settings
from safetyzone.cli import app as cli
from safetyzone.config import Settings
from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from safetyzone.replay import sia_frames
from safetyzone.web.app import create_app
from support.live import Devices, wait_for
from support.postgres import free_loopback_port
from support.world import STATIONS, World

A_LAT, A_LON = STATIONS["ST-A"][1], STATIONS["ST-A"][2]


@dataclass
class Ports:
    sia: int
    osmand: int
    nmea: int


@pytest.fixture
def ports() -> Ports:
    return Ports(free_loopback_port(), free_loopback_port(), free_loopback_port())


@pytest.fixture
def live(db: Database, world: World, settings: Settings, clock: ManualClock,
         ports: Ports) -> Iterator[TestClient]:
    configured = settings.model_copy(update={
        "sia_dc09": SiaDc09Settings(host="127.0.0.1", tcp_port=ports.sia, udp_port=None),
        "osmand_port": ports.osmand, "nmea_port": ports.nmea})
    with TestClient(create_app(configured, db, clock)) as client:
        yield client


def replay(*args: str) -> str:
    result = CliRunner().invoke(cli, ["replay", *args])
    assert result.exit_code == 0, result.output
    return result.output


def register(devices: Devices, protocol: str, external_id: str, **subject: Any) -> str:
    response = devices.client.post("/api/v1/devices", headers=devices.admin, json={
        "station_code": "ST-A", "label": f"{protocol} device", "protocol": protocol,
        "external_id": external_id, **subject})
    assert response.status_code == 201, response.text
    credential_id: str = response.json()["id"]
    return credential_id


def new_unit(devices: Devices, code: str) -> str:
    response = devices.client.post("/api/v1/units", headers=devices.admin, json={
        "station_code": "ST-A", "code": code, "callsign": f"ภาษีเจริญ {code}", "kind": "car",
        "status": "available"})
    assert response.status_code == 201, response.text
    unit_id: str = response.json()["id"]
    return unit_id


def unit_lat(devices: Devices, unit_id: str) -> float | None:
    lat: float | None = devices.client.get(f"/api/v1/units/{unit_id}",
                                           headers=devices.admin).json()["lat"]
    return lat


def test_replay_sia_prints_each_reply_and_health_frames_replay_as_they_are(
    live: TestClient, world: World, clock: ManualClock, ports: Ports, tmp_path: Path,
) -> None:
    devices = Devices(live, world, clock)
    credential_id = register(devices, "sia_dc09", "5AB1", subject_kind="gateway")

    def frame(seq: str, account: str, data: str) -> bytes:
        header = Header(token="SIA-DCS", encrypted=False, seq=seq, receiver=None, line="0",
                        account=account)
        return encode_message(header, data, timestamp=clock.now())

    test_report = frame("0001", "5AB1", "#5AB1|NRP01")
    bad_crc = b"\n0000" + test_report[5:]
    unknown = frame("0002", "9999", "#9999|NRP01")
    capture = tmp_path / "sia.txt"
    capture.write_text("# a field report\n"
                       f"{test_report.hex()}\n"
                       f"sia-dc09 rx 10.0.0.7:40000 {test_report.hex()}\n"
                       "sia-dc09 tx 10.0.0.7:40000 0a\n"
                       f"{bad_crc.decode().strip()}\n"
                       f"{unknown.hex()}\n")
    output = replay("sia", "--port", str(ports.sia), str(capture))
    lines = output.splitlines()
    assert lines[0].startswith('1: ACK ') and '"ACK"0001' in lines[0]
    assert lines[1].startswith("2: ACK ")  # the retransmission is acknowledged again
    assert lines[2] == "3: no reply"  # CRC mismatch: silence, as the standard asks
    assert lines[3].startswith("4: NAK ")
    frames = devices.client.get(f"/api/v1/devices/{credential_id}/health",
                                headers=devices.admin).json()["frames"]
    received = [f["hex"] for f in frames if f["direction"] == "rx"]
    assert received[:2] == [test_report.hex(), test_report.hex()]
    assert [f["direction"] for f in frames] == ["rx", "tx", "rx", "tx", "rx"]
    # What the admin page shows is a replay file as it is.
    again = tmp_path / "from-health.txt"
    again.write_text("\n".join(received[:1]) + "\n")
    assert replay("sia", "--port", str(ports.sia), str(again)).startswith("1: ACK ")


def test_sia_frames_from_text_lines() -> None:
    assert sia_frames(['C5A4004A"NULL"0000L0#1234[]']) == [b'\nC5A4004A"NULL"0000L0#1234[]\r']
    assert sia_frames(["0a41420d"]) == [b"\nAB\r"]


def test_replay_osmand_prints_each_status(
    live: TestClient, world: World, clock: ManualClock, ports: Ports, tmp_path: Path,
) -> None:
    devices = Devices(live, world, clock)
    unit_id = new_unit(devices, "A-51")
    register(devices, "osmand", "phone-51", subject_kind="unit", subject_id=unit_id)
    stamp = int(clock.now().timestamp())
    capture = tmp_path / "osmand.txt"
    capture.write_text(f"id=phone-51&lat={A_LAT}&lon={A_LON}&timestamp={stamp}\n"
                       f"http://tracker.example/?id=phone-51&lat=north\n"
                       f"?id=nobody&lat={A_LAT}&lon={A_LON}&timestamp={stamp}\n")
    output = replay("osmand", "--url", f"http://127.0.0.1:{ports.osmand}/", str(capture))
    assert [line.split(" ")[1] for line in output.splitlines()] == ["200", "400", "403"]
    assert wait_for(lambda: unit_lat(devices, unit_id)) == pytest.approx(A_LAT)


def test_replay_nmea_moves_the_unit_and_reports_an_unknown_id(
    live: TestClient, world: World, clock: ManualClock, ports: Ports, tmp_path: Path,
) -> None:
    devices = Devices(live, world, clock)
    unit_id = new_unit(devices, "A-61")
    register(devices, "nmea", "359586015829861", subject_kind="unit", subject_id=unit_id)
    now = clock.now()
    body = (f"GPRMC,{now:%H%M%S},A,1343.8000,N,10028.2000,E,0.0,0.0,{now:%d%m%y},,,A")
    capture = tmp_path / "nmea.txt"
    capture.write_text(f"${body}*{checksum(body):02X}\n")
    output = replay("nmea", "--port", str(ports.nmea), "--id", "359586015829861", str(capture))
    assert "connection kept open" in output
    assert wait_for(lambda: unit_lat(devices, unit_id)) == pytest.approx(13.73)
    refused = replay("nmea", "--port", str(ports.nmea), "--id", "000", str(capture))
    assert "server closed the connection" in refused
