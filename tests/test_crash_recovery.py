"""Nothing acknowledged is lost, nothing is processed twice: kill -9 the server mid-stream,
restart it, and count."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, func, select

from safetyzone import migrations
from safetyzone.assets.models import Asset
from safetyzone.config import Settings
from safetyzone.core.clock import ManualClock, SystemClock
from safetyzone.core.db import Database
from safetyzone.core.events import EventKind, SosIn
from safetyzone.core.security import system_scope
from safetyzone.intake import credentials
from safetyzone.intake.credentials import DeviceIdentity, SecretHasher
from safetyzone.intake.models import InboxEvent, SubjectKind
from safetyzone.intake.service import _Request, store
from safetyzone.ops import rules
from safetyzone.ops.models import Incident
from safetyzone.org import service as org
from safetyzone.web.app import create_app
from support.live import wait_for
from support.postgres import free_loopback_port
from support.world import build_world

SECRET = "crash-test-secret-key-long-enough-0123456789"
NO_MERGE = rules.RuleIn(
    name="every-press", position=1, trigger=rules.Trigger(event_kind=EventKind.SOS_PRESS),
    action=rules.Action(incident_kind="sos", priority=1, title_th="SOS {source_th}",
                        title_en="SOS {source_en}", merge_window_s=0, dock_nearest=2))


Start = Callable[[int], "subprocess.Popen[bytes]"]


def prepare(data_dir: Path) -> tuple[str, str]:
    """A migrated SQLite world where every SOS press opens its own incident."""
    url = f"sqlite:///{data_dir / 'safetyzone.db'}"
    migrations.upgrade(create_engine(url))
    settings = Settings(environment="test", data_dir=data_dir, secret_key=SECRET)
    db = Database(url)
    build_world(db, ManualClock(), settings)
    scope = system_scope("crash-test")
    with db.write() as s:
        station = org.get_station(s, scope=scope, code="ST-A")
        rules.replace_rules(s, scope=scope, clock=SystemClock(), station_id=station.id,
                            rules=[NO_MERGE])
        pole = s.scalar(select(Asset.id).where(Asset.code == "ST-A-SOS1"))
        issued = credentials.issue(s, scope=scope, clock=SystemClock(),
                                   hasher=SecretHasher(SECRET), station_id=station.id,
                                   subject_kind=SubjectKind.ASSET, subject_id=pole,
                                   label="crash test")
    db.dispose()
    return url, issued.token


def counts(url: str) -> tuple[int, int, int, int]:
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.scalar(select(func.count(InboxEvent.seq))) or 0
        unprocessed = conn.scalar(select(func.count(InboxEvent.seq)).where(
            InboxEvent.processed_at.is_(None))) or 0
        incidents = conn.scalar(select(func.count(Incident.id))) or 0
        distinct = conn.scalar(select(func.count(func.distinct(Incident.first_event_id)))) or 0
    engine.dispose()
    return rows, unprocessed, incidents, distinct


@pytest.fixture
def server_factory(tmp_path: Path) -> Iterator[Start]:
    procs: list[subprocess.Popen[bytes]] = []

    def start(port: int) -> subprocess.Popen[bytes]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SSZ_")}
        env.update(SSZ_SECRET_KEY=SECRET, SSZ_ENVIRONMENT="test")
        proc = subprocess.Popen(
            [sys.executable, "-m", "safetyzone", "serve", "--port", str(port),
             "--data-dir", str(tmp_path)], env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(proc)
        url = f"http://127.0.0.1:{port}/readyz"

        def ready() -> bool:
            if proc.poll() is not None:
                raise AssertionError("server exited during start")
            try:
                return httpx.get(url, timeout=1).status_code == 200
            except httpx.TransportError:
                return False

        wait_for(ready, seconds=60, every=0.1)
        return proc

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.wait()


def test_kill_mid_stream_loses_nothing_and_repeats_nothing(
    tmp_path: Path, server_factory: Start,
) -> None:
    url, token = prepare(tmp_path)
    port = free_loopback_port()
    proc = server_factory(port)
    acked: dict[str, dict[str, object]] = {}
    stop = threading.Event()
    lock = threading.Lock()

    def client(worker: int) -> None:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=5,
                          headers={"Authorization": f"Bearer {token}"}) as http:
            n = 0
            while not stop.is_set():
                n += 1
                body = {"kind": "sos.press", "device_event_id": f"w{worker}-{n}",
                        "event_time": datetime.now(UTC).isoformat()}
                try:
                    response = http.post("/api/v1/intake/events", json=body)
                except httpx.TransportError:
                    return  # the server is gone: this event was never acknowledged
                if response.status_code == 200:
                    with lock:
                        acked[body["device_event_id"]] = response.json()

    workers = [threading.Thread(target=client, args=(i,)) for i in range(6)]
    for w in workers:
        w.start()
    wait_for(lambda: len(acked) >= 300, seconds=120, every=0.01)
    proc.send_signal(signal.SIGKILL)  # mid-stream: requests in flight, engine mid-batch
    proc.wait()
    stop.set()
    for w in workers:
        w.join()
    rows_at_kill, unprocessed_at_kill, _, _ = counts(url)
    assert rows_at_kill >= len(acked)  # every ACK followed a commit

    proc = server_factory(port)
    wait_for(lambda: counts(url)[1] == 0, seconds=60)
    rows, unprocessed, incidents, distinct = counts(url)
    assert unprocessed == 0
    assert incidents == distinct == rows  # one incident per stored press: exactly once
    with httpx.Client(base_url=f"http://127.0.0.1:{port}",
                      headers={"Authorization": f"Bearer {token}"}) as http:
        for device_event_id, first in list(acked.items())[:50]:
            retry = http.post("/api/v1/intake/events", json={
                "kind": "sos.press", "device_event_id": device_event_id,
                "event_time": datetime.now(UTC).isoformat()})
            assert retry.json() == first  # the first answer, not a second row
    assert counts(url)[0] == rows
    print(f"acked {len(acked)}, stored at kill {rows_at_kill}, "
          f"unprocessed at kill {unprocessed_at_kill}")


def test_committed_but_unpublished_events_are_replayed_on_start(
    db: Database, settings: Settings, clock: ManualClock,
) -> None:
    """The crash window between commit and publish, made deterministic: rows written to the
    inbox by the writer's own code, but never handed to the bus."""
    build_world(db, clock, settings)
    scope = system_scope("test")
    with db.write() as s:
        station = org.get_station(s, scope=scope, code="ST-A")
        issued = credentials.issue(s, scope=scope, clock=clock,
                                   hasher=SecretHasher(SECRET), station_id=station.id,
                                   subject_kind=SubjectKind.GATEWAY, subject_id=None,
                                   label="x")
        identity = DeviceIdentity(issued.credential.id, issued.credential.key_id, station.id,
                                  SubjectKind.GATEWAY, None, "x")
        loop = asyncio.new_event_loop()
        events = [SosIn(kind=EventKind.SOS_PRESS, device_event_id=f"lost-{i}",
                        event_time=clock.now()) for i in range(3)]
        store(s, [_Request(identity, events, clock.now(), loop, loop.create_future())])
        loop.close()
    with TestClient(create_app(settings, db, clock)) as client:
        assert client.get("/readyz").status_code == 200
        wait_for(lambda: counts(db.url)[1] == 0)
    rows, unprocessed, incidents, _ = counts(db.url)
    assert (rows, unprocessed) == (3, 0)
    assert incidents == 1  # default rules merge repeated presses from one source
    with db.read() as s:
        merged = s.scalar(select(Incident.event_count))
    assert merged == 3
