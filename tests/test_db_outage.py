"""A PostgreSQL outage under load: devices are told to retry (503 problem+json with
Retry-After, never a 500), and once the server is back every acknowledged event is
processed without restarting the app, including one whose processing was cut by the outage.

The test owns its PostgreSQL server (it stops it), so the session's shared one is untouched.
"""

from __future__ import annotations

import socket
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, select

from safetyzone import migrations
from safetyzone.adapters.sia_dc09 import AccountConfig, Header, encode_message
from safetyzone.adapters.sia_dc09.config import SiaDc09Settings
from safetyzone.config import Settings
from safetyzone.core.clock import ManualClock, SystemClock
from safetyzone.core.db import Database
from safetyzone.core.errors import DatabaseUnavailable
from safetyzone.core.events import EventKind
from safetyzone.core.security import system_scope
from safetyzone.ops import rules
from safetyzone.ops.models import Incident
from safetyzone.org import service as org
from safetyzone.web.app import create_app
from support.live import Devices, wait_for
from support.plates import generic_read, register_lpr_camera
from support.postgres import PostgresServer, free_loopback_port, throwaway_postgres_or_skip
from support.world import STATIONS, World, build_world

SECRET = "outage-test-secret-key-long-enough-0123456789"
KEY = "0123456789ABCDEF0123456789ABCDEF"
PROBLEM = "application/problem+json"
EVERY_PRESS = rules.RuleIn(  # one incident per press, so "processed" is visible per event
    name="every-press", position=1, trigger=rules.Trigger(event_kind=EventKind.SOS_PRESS),
    action=rules.Action(incident_kind="sos", priority=1, title_th="SOS {source_th}",
                        title_en="SOS {source_en}", merge_window_s=0, dock_nearest=0))


@pytest.fixture(scope="module")
def outage_server() -> Iterator[PostgresServer]:
    with throwaway_postgres_or_skip() as server:
        yield server


def prepare(server: PostgresServer, settings: Settings, clock: ManualClock) -> str:
    url = server.create_database(f"outage_{uuid.uuid4().hex[:8]}")
    engine = create_engine(url)
    migrations.upgrade(engine)
    engine.dispose()
    db = Database(url)
    build_world(db, clock, settings)
    with db.write() as s:
        scope = system_scope("outage-test")
        station = org.get_station(s, scope=scope, code="ST-A")
        rules.replace_rules(s, scope=scope, clock=SystemClock(), station_id=station.id,
                            rules=[EVERY_PRESS, *rules.DEFAULT_RULES])
    db.dispose()
    return url


def processed(db: Database, event_ids: set[str]) -> set[str]:
    """Which of these inbox event ids opened their incident (empty while the db is away)."""
    try:
        with db.read() as s:
            firsts = s.scalars(select(Incident.first_event_id)
                               .where(Incident.first_event_id.is_not(None)))
            return {str(i) for i in firsts} & event_ids
    except DatabaseUnavailable:
        return set()


def assert_retry_later(response: httpx.Response | Any) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == PROBLEM
    assert int(response.headers["retry-after"]) > 0
    assert response.json()["code"] == "database-unavailable"


class Load:
    """Devices posting SOS presses without pause, as a busy station's do; what each got."""

    def __init__(self, client: TestClient, token: str, clock: ManualClock) -> None:
        self.client, self.token, self.clock = client, token, clock
        self.acked: dict[str, str] = {}  # device_event_id -> inbox event id
        self.statuses: list[int] = []
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self._post, args=(n,)) for n in range(2)]

    def _post(self, worker: int) -> None:
        n = 0
        while not self.stop.is_set():
            n += 1
            event_id = f"load-{worker}-{n}"
            response = self.client.post(
                "/api/v1/intake/events", headers={"Authorization": f"Bearer {self.token}"},
                json={"kind": "sos.press", "device_event_id": event_id,
                      "event_time": self.clock.now().isoformat()})
            with self.lock:
                self.statuses.append(response.status_code)
                if response.status_code == 200:
                    self.acked[event_id] = response.json()["id"]
            if response.status_code == 503:  # as a device would: wait, then send anew
                self.stop.wait(0.05)

    def count(self, status: int) -> int:
        with self.lock:
            return self.statuses.count(status)

    def __enter__(self) -> Load:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join()


def register_devices(devices: Devices) -> tuple[str, str]:
    """An alarm panel (SIA) and a tracker (OsmAnd); returns the SOS pole's token and tracker id."""
    lat, lon = STATIONS["ST-A"][1], STATIONS["ST-A"][2]
    bank = devices.client.post("/api/v1/assets", headers=devices.admin, json={
        "station_code": "ST-A", "zone_code": "Z-ST-A", "kind": "sos_point", "code": "BANK-1",
        "name_th": "ธนาคาร", "name_en": "Bank", "lat": lat, "lon": lon,
        "owner_class": "private_business", "attributes": {"site_kind": "bank"}}).json()
    panel = devices.client.post("/api/v1/devices", headers=devices.admin, json={
        "station_code": "ST-A", "subject_kind": "asset", "subject_id": bank["id"],
        "label": "bank panel", "protocol": "sia_dc09", "external_id": "1A2B",
        "protocol_key": KEY})
    assert panel.status_code == 201, panel.text
    unit = devices.client.post("/api/v1/units", headers=devices.admin, json={
        "station_code": "ST-A", "code": "A-9", "callsign": "A 9", "kind": "car",
        "status": "available"}).json()
    tracker = devices.client.post("/api/v1/devices", headers=devices.admin, json={
        "station_code": "ST-A", "subject_kind": "unit", "subject_id": unit["id"],
        "label": "Traccar Client", "protocol": "osmand", "external_id": "356938035643809"})
    assert tracker.status_code == 201, tracker.text
    register_lpr_camera(devices, "lpr_generic", "gate-1")
    pole = devices.credential("ST-A", "asset", devices.asset_id("ST-A-SOS1"), "SOS pole")
    return pole, "356938035643809"


def read_reply(sock: socket.socket) -> bytes:
    """One SIA DC-09 reply: ``<LF>...<CR>``."""
    reply = b""
    while not reply.endswith(b"\r"):
        chunk = sock.recv(1024)
        assert chunk, f"connection closed after {reply!r}"
        reply += chunk
    return reply


def engine_is_waiting_on_a_lock(server: PostgresServer, database: str) -> bool:
    with server.connect(database) as conn:
        row = conn.execute("select count(*) from pg_locks where not granted").fetchone()
        return bool(row and row[0])


@pytest.mark.postgres
def test_outage_answers_503_and_every_acknowledged_event_is_processed_after(
    outage_server: PostgresServer, tmp_path: Path,
) -> None:
    server, clock = outage_server, ManualClock()
    settings = Settings(environment="test", data_dir=tmp_path, secret_key=SECRET)
    url = prepare(server, settings, clock)
    database = url.rsplit("/", 1)[1]
    sia_port, osmand_port = free_loopback_port(), free_loopback_port()
    configured = settings.model_copy(update={
        "osmand_port": osmand_port,
        "sia_dc09": SiaDc09Settings(host="127.0.0.1", tcp_port=sia_port, udp_port=None)})
    db = Database(url)
    with TestClient(create_app(configured, db, clock)) as client:
        world = World(settings=settings, users={"admin": "admin"})
        devices = Devices(client, world, clock)
        token, tracker = register_devices(devices)
        admin = devices.admin
        device = {"Authorization": f"Bearer {token}"}
        fix = {"id": tracker, "lat": STATIONS["ST-A"][1], "lon": STATIONS["ST-A"][2],
               "timestamp": int(clock.now().timestamp())}
        sia = client.app.state.runtime.sia_gateway  # type: ignore[attr-defined]
        panel_frame = encode_message(
            Header(token="SIA-DCS", encrypted=True, seq="0042", receiver=None, line="0",
                   account="1A2B"),
            "#1A2B|Nri1/HA01", timestamp=clock.now(), key=AccountConfig.from_text(KEY).key)

        with Load(client, token, clock) as load:
            wait_for(lambda: len(load.acked) >= 20, seconds=60)
            # An SOS committed just before the outage, whose processing the outage cuts:
            # the engine is held on a table lock until the server stops under it.
            locker = server.connect(database)
            try:
                locker.execute("begin")
                locker.execute("lock table incident in exclusive mode")
                held = client.post("/api/v1/intake/events", headers=device, json={
                    "kind": "sos.press", "device_event_id": "held-by-outage",
                    "event_time": clock.now().isoformat()})
                assert held.status_code == 200, held.text
                wait_for(lambda: engine_is_waiting_on_a_lock(server, database), seconds=60)
                server.stop()  # cuts the engine's transaction (and this one) mid-way
            finally:
                locker.close()

            # During the outage: retry later, on every intake path, never a 500.
            wait_for(lambda: load.count(503) >= 5, seconds=60)
            assert_retry_later(client.post("/api/v1/intake/events", headers=device, json={
                "kind": "sos.press", "device_event_id": "during-1",
                "event_time": clock.now().isoformat()}))
            assert_retry_later(client.post("/api/v1/intake/events/batch", headers=device,
                                           json={"events": [{
                                               "kind": "sos.press",
                                               "device_event_id": "during-2",
                                               "event_time": clock.now().isoformat()}]}))
            assert_retry_later(client.get("/api/v1/gateways/osmand", params=fix))
            assert_retry_later(httpx.get(f"http://127.0.0.1:{osmand_port}/", params=fix,
                                         timeout=30))
            assert_retry_later(client.post(
                "/api/v1/gateways/lpr/generic/gate-1", content=generic_read(clock.now()),
                headers={"content-type": "application/json"}))
            assert_retry_later(client.get("/api/v1/incidents", headers=admin))
            # The alarm panel gets no ACK (so it sends again) and the receiver lives on.
            failures = sia.receiver.counters.commit_failures
            with socket.create_connection(("127.0.0.1", sia_port), timeout=30) as panel:
                panel.sendall(panel_frame)
                wait_for(lambda: sia.receiver.counters.commit_failures > failures,
                         seconds=60)

            server.start()
            # Without restarting the app: intake takes events again.
            recovered = load.count(200)
            wait_for(lambda: load.count(200) >= recovered + 20, seconds=60)

        statuses = set(load.statuses)
        assert statuses <= {200, 503}, statuses
        acked = {*load.acked.values(), held.json()["id"]}
        # Every acknowledged event is processed, the held one included, without a restart.
        wait_for(lambda: processed(db, acked) == acked, seconds=60, every=0.2)
        # The panel's retransmission is acknowledged and its alarm opens an incident.
        with socket.create_connection(("127.0.0.1", sia_port), timeout=30) as panel:
            panel.sendall(panel_frame)
            reply = read_reply(panel)
        assert b'"*ACK"0042' in reply, reply
        wait_for(lambda: devices.incidents(kind="bank_alarm"), seconds=60)
        retried = client.post("/api/v1/intake/events", headers=device, json={
            "kind": "sos.press", "device_event_id": "during-1",
            "event_time": clock.now().isoformat()})
        assert retried.status_code == 200, retried.text
        wait_for(lambda: processed(db, {retried.json()["id"]}), seconds=60)
    db.dispose()
