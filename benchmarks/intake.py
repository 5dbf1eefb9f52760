"""The live loop's speed: device intake over HTTP and SOS-to-console latency, against ceilings.

    .venv/bin/python benchmarks/intake.py [--quick] [--json PATH] [--profile]

Everything runs on this machine over loopback, in one run:

* a fresh SQLite database (migrated, with a small world built through the services: the test
  world's stations, an SOS pole, 50 patrol units, device credentials);
* ceilings: raw inserts of the inbox row shape through the same engine (WAL,
  synchronous as ``core.db`` sets it), one commit per row and one per 1,000 rows;
* the load generator's own ceiling (against a canned-answer server) and the HTTP stack's
  (``GET /healthz`` on the real server);
* single-event and batch intake against the real server (``uvicorn`` running
  ``create_app(settings, Database(url))`` in a subprocess, as ``ssz serve`` does), with
  requests/s, events/s, latency percentiles, CPU of both processes and of the server's threads,
  the engine's rate, and a check that every acknowledged event is in the database; then the
  same with the CCOC engine off (a what-if: what intake alone costs);
* SOS latency: a console on the WebSocket, one SOS press every 100 ms, first with nothing else
  (the baseline), then with ~1,000 GPS events/s in batches in the background; from just
  before each request is sent to the arrival of its ``incident.created`` on the WebSocket.

Each phase gets its own copy of the database and its own server, so one phase's engine
backlog cannot slow the next. ``--profile`` adds py-spy profiles of extra windows (the measured
ones are never profiled): ``--gil`` for where the server's GIL time goes under single-event and
batch load, ``--idle`` for what the writer and engine threads wait for under the SOS load. The
figures go to a table, and as JSON to the last stdout line (and to ``--json PATH``). See
benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any, TypeVar, cast

ROOT = Path(__file__).resolve().parents[1]
SECRET = "benchmark-only-secret-key-0123456789abcdef"  # noqa: S105 - a throwaway server's key
HOST = "127.0.0.1"
STATION = "ST-A"  # from tests/support/world.py
SOS_ASSET = "ST-A-SOS1"
OPERATOR = "a.operator"
COMMANDER = "a.commander"
SOS_RULE = {
    "name": "sos-bench", "position": 1, "trigger": {"event_kind": "sos.press"},
    "action": {"incident_kind": "sos", "priority": 1, "title_th": "กดปุ่ม SOS ที่ {source_th}",
               "title_en": "SOS pressed at {source_en}", "merge_window_s": 0},
}
T = TypeVar("T")


# --------------------------------------------------------------------------- setup


@dataclass(frozen=True)
class Fixture:
    """A migrated database with the world in it, copied for each phase."""

    template: Path
    password: str
    lat: float
    lon: float
    sos_token: str
    unit_tokens: list[str]
    device_id_hex: str
    station_id_hex: str


def build_fixture(directory: Path, n_units: int) -> Fixture:
    """Migrate a fresh database and build the world through the services (no HTTP)."""
    sys.path.insert(0, str(ROOT / "tests"))
    from sqlalchemy import create_engine, select

    from safetyzone import migrations
    from safetyzone.assets.models import Asset
    from safetyzone.core.clock import SystemClock
    from safetyzone.core.db import Database
    from safetyzone.core.security import system_scope
    from safetyzone.intake import credentials
    from safetyzone.intake.models import SubjectKind
    from safetyzone.ops import units
    from safetyzone.ops.models import UnitKind, UnitStatus
    from safetyzone.ops.schemas import UnitCreate
    from safetyzone.org import service as org
    from support.world import PASSWORD, STATIONS, build_world

    path = directory / "template.db"
    url = f"sqlite:///{path}"
    engine = create_engine(url)
    migrations.upgrade(engine)
    engine.dispose()
    db = Database(url)
    clock = SystemClock()
    build_world(db, clock, server_settings(directory))
    scope = system_scope("benchmark")
    hasher = credentials.SecretHasher(SECRET)
    with db.write() as s:
        station = org.get_station(s, scope=scope, code=STATION)
        asset = s.scalars(select(Asset).where(Asset.code == SOS_ASSET)).one()
        sos = credentials.issue(s, scope=scope, clock=clock, hasher=hasher,
                                station_id=station.id, subject_kind=SubjectKind.ASSET,
                                subject_id=asset.id, label="benchmark SOS pole")
        tokens = []
        for i in range(n_units):
            unit = units.create_unit(s, scope=scope, clock=clock, data=UnitCreate(
                station_code=STATION, code=f"BENCH-{i}", callsign=f"สายตรวจ {i}",
                kind=UnitKind.CAR, status=UnitStatus.AVAILABLE))
            tokens.append(credentials.issue(
                s, scope=scope, clock=clock, hasher=hasher, station_id=station.id,
                subject_kind=SubjectKind.UNIT, subject_id=unit.id,
                label=f"tracker {i}").token)
        fixture = Fixture(
            template=path, password=PASSWORD, lat=STATIONS[STATION][1],
            lon=STATIONS[STATION][2], sos_token=sos.token, unit_tokens=tokens,
            device_id_hex=sos.credential.id.hex, station_id_hex=station.id.hex)
    db.dispose()  # checkpoints the WAL, so the file alone is the whole database
    return fixture


def server_settings(data_dir: Path) -> Any:
    from safetyzone.config import Settings

    return Settings(environment="production", data_dir=data_dir, secret_key=SECRET)


# --------------------------------------------------------------------------- ceilings


@dataclass(frozen=True)
class Ceiling:
    rows_per_s: float
    rows: int
    journal_mode: str
    synchronous: int


def sqlite_ceiling(fixture: Fixture, directory: Path, per_commit: int,
                   seconds: float) -> Ceiling:
    """Raw inserts of inbox rows through the project's own engine (same pragmas), timed."""
    from safetyzone.core.db import Database

    path = directory / f"ceiling-{per_commit}.db"
    shutil.copy(fixture.template, path)
    db = Database(f"sqlite:///{path}")
    raw = db.engine.raw_connection()
    conn: sqlite3.Connection = raw.driver_connection  # type: ignore[assignment]
    journal = str(conn.execute("PRAGMA journal_mode").fetchone()[0])
    sync = int(conn.execute("PRAGMA synchronous").fetchone()[0])
    sql = ("INSERT INTO inbox_event (id, device_id, device_event_id, station_id, "
           "source_asset_id, kind, event_time, received_at, lat, lon, accuracy_m, payload) "
           "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
    payload = json.dumps({"speed_mps": None, "heading_deg": None, "altitude_m": None,
                          "battery_pct": None, "hdop": None, "alarm": None,
                          "attributes": {}})
    timed, rows, n = 0.0, 0, 0
    while timed < seconds:
        now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        chunk = []
        for _ in range(1000):  # built outside the timed part: this is SQLite's ceiling
            n += 1
            chunk.append((uuid.uuid4().hex, fixture.device_id_hex, f"ceiling-{n}",
                          fixture.station_id_hex, None, "gps.position", now, now,
                          fixture.lat, fixture.lon, None, payload))
        start = time.perf_counter()
        for i in range(0, len(chunk), per_commit):
            conn.execute("BEGIN IMMEDIATE")
            if per_commit == 1:
                conn.execute(sql, chunk[i])
            else:
                conn.executemany(sql, chunk[i:i + per_commit])
            conn.execute("COMMIT")
            rows += min(per_commit, len(chunk) - i)
            if per_commit == 1 and timed + time.perf_counter() - start >= seconds:
                break
        timed += time.perf_counter() - start
    raw.close()
    db.dispose()
    return Ceiling(rows / timed, rows, journal, sync)


# --------------------------------------------------------------------------- servers


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        port: int = s.getsockname()[1]
        return port


def serve_main(db_url: str, data_dir: Path, port: int, access_log: bool,
               engine: bool = True) -> None:
    """Subprocess entry: what ``ssz serve`` runs (cli._serve), on a given port.

    ``engine=False`` is a what-if, not a configuration: the CCOC engine ignores the bus, so
    events are stored and acknowledged but never processed. It shows what intake alone costs.
    """
    import uvicorn

    from safetyzone.core.db import Database
    from safetyzone.ops.engine import Engine
    from safetyzone.web.app import create_app

    if not engine:
        async def ignore(self: Engine, message: Any) -> None:
            return None

        Engine._on_message = ignore  # type: ignore[method-assign]
    threading.Thread(target=publish_threads, args=(data_dir / "threads.json",), daemon=True,
                     name="bench-threads").start()

    logging.basicConfig(level="INFO", format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    app = create_app(server_settings(data_dir), Database(db_url))
    uvicorn.run(app, host=HOST, port=port, log_level="info", access_log=access_log)


def publish_threads(path: Path) -> None:
    """Server side: thread name -> native id, so the benchmark can read each thread's CPU."""
    while True:
        names: dict[str, list[int]] = {}
        for thread in threading.enumerate():
            if thread.native_id is not None:
                names.setdefault(thread.name, []).append(thread.native_id)
        path.with_suffix(".tmp").write_text(json.dumps(names))
        path.with_suffix(".tmp").replace(path)
        time.sleep(0.5)


def thread_cpu(pid: int, data_dir: Path) -> dict[str, float]:
    """CPU seconds so far of the server's threads, by role (exact, from /proc)."""
    try:
        names: dict[str, list[int]] = json.loads((data_dir / "threads.json").read_text())
    except (OSError, ValueError):
        return {}
    roles: dict[str, float] = {}
    for name, tids in names.items():
        role = name if name in ("MainThread", "inbox-writer", "ccoc-engine") else "other"
        for tid in tids:
            with contextlib.suppress(OSError):
                roles[role] = roles.get(role, 0.0) + cpu_seconds(pid, tid)
    return roles


CANNED = (b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 15\r\n\r\n"
          b'{"status":"ok"}')


class _Canned(asyncio.Protocol):
    """Answers every HTTP/1.1 request (body by Content-Length) with a fixed response."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is no subclass
        self.buffer = b""

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while (end := self.buffer.find(b"\r\n\r\n")) >= 0:
            length = content_length(self.buffer[:end + 2])
            if len(self.buffer) < end + 4 + length:
                return
            self.buffer = self.buffer[end + 4 + length:]
            self.transport.write(CANNED)


def canned_main(port: int) -> None:
    """Subprocess entry: the trivial server that measures the load generator's own ceiling."""
    async def main() -> None:
        server = await asyncio.get_running_loop().create_server(_Canned, HOST, port)
        async with server:
            await server.serve_forever()

    run(main())


class Server:
    """A subprocess server on a free port; stopped (killed if need be) on exit."""

    def __init__(self, args: list[str], port: int, log: Path) -> None:
        self.port = port
        self.log = log
        with log.open("wb") as out:
            self.proc = subprocess.Popen(  # noqa: S603 - our own interpreter and script
                [sys.executable, str(Path(__file__).resolve()), *args, "--port", str(port)],
                stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def wait_ready(self, path: str = "/healthz", seconds: float = 60.0) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-2000:]}")
            try:
                with socket.create_connection((HOST, self.port), timeout=1) as s:
                    s.sendall(f"GET {path} HTTP/1.1\r\nHost: {HOST}\r\n\r\n".encode())
                    if s.recv(64).startswith(b"HTTP/1.1 200"):
                        return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"server not ready after {seconds} s")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                # The engine drains its queue on a graceful stop; a backlog is not our business.
                self.proc.wait(timeout=3)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@contextlib.contextmanager
def app_server(fixture: Fixture, directory: Path, name: str, access_log: bool,
               engine: bool = True) -> Iterator[tuple[Server, Path]]:
    """A fresh copy of the world database and the real server on it."""
    data = directory / name
    data.mkdir()
    db_path = data / "safetyzone.db"
    shutil.copy(fixture.template, db_path)
    args = ["--serve", "--db-url", f"sqlite:///{db_path}", "--data-dir", str(data)]
    if not access_log:
        args.append("--no-access-log")
    if not engine:
        args.append("--engine-off")
    server = Server(args, free_port(), data / "server.log")
    try:
        server.wait_ready()
        yield server, db_path
    finally:
        server.stop()


@contextlib.contextmanager
def canned_server(directory: Path) -> Iterator[Server]:
    server = Server(["--canned"], free_port(), directory / "canned.log")
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


# --------------------------------------------------------------------------- HTTP client


def content_length(head: bytes) -> int:
    at = head.lower().find(b"\r\ncontent-length:")
    if at < 0:
        return 0
    end = head.find(b"\r\n", at + 2)
    return int(head[at + 17:end])


class HttpConn:
    """A minimal keep-alive HTTP/1.1 client: the generator must cost far less than the server."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    async def open(cls, port: int) -> HttpConn:
        reader, writer = await asyncio.open_connection(HOST, port, limit=1 << 22)
        return cls(reader, writer)

    async def request(self, data: bytes) -> tuple[int, bytes]:
        self.writer.write(data)
        head = await self.reader.readuntil(b"\r\n\r\n")
        length = content_length(head)
        body = await self.reader.readexactly(length) if length else b""
        return int(head[9:12]), body

    def close(self) -> None:
        self.writer.close()


def post(path: str, token: str, body: bytes) -> bytes:
    return (f"POST {path} HTTP/1.1\r\nHost: {HOST}\r\nAuthorization: Bearer {token}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
            ).encode() + body


def gps_json(event_id: str, at: str, lat: float, lon: float) -> str:
    return (f'{{"kind":"gps.position","device_event_id":"{event_id}","event_time":"{at}",'
            f'"location":{{"lat":{lat:.6f},"lon":{lon:.6f}}}}}')


def sos_json(event_id: str, at: str) -> str:
    return f'{{"kind":"sos.press","device_event_id":"{event_id}","event_time":"{at}"}}'


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


# A request maker: (client index, request number) -> (raw request, events in it).
Maker = Callable[[int, int], tuple[bytes, int]]


def single_maker(fixture: Fixture, tag: str, sos_every: int = 10) -> Maker:
    """One event per request: client 0, 10, 20... is the SOS pole, the others GPS trackers."""
    units = fixture.unit_tokens

    def make(client: int, n: int) -> tuple[bytes, int]:
        event_id = f"{tag}-{client}-{n}"
        if client % sos_every == 0:
            return post("/api/v1/intake/events", fixture.sos_token,
                        sos_json(event_id, now_iso()).encode()), 1
        lat = fixture.lat + 0.002 + (client % 50) * 1e-4 + n * 1e-7
        return post("/api/v1/intake/events", units[client % len(units)],
                    gps_json(event_id, now_iso(), lat, fixture.lon).encode()), 1

    return make


def batch_maker(fixture: Fixture, tag: str, size: int, first_unit: int = 0) -> Maker:
    """Batches of GPS fixes from one tracker each (a tracker uploading its buffer).

    Each fix has its own time (a microsecond apart), so each one moves the unit on the map.
    """
    units = fixture.unit_tokens

    def make(client: int, n: int) -> tuple[bytes, int]:
        at = datetime.now(UTC)
        lat = fixture.lat + 0.002 + (client % 50) * 1e-4 + n * 1e-6
        events = ",".join(
            gps_json(f"{tag}-{client}-{n}-{j}", (at + timedelta(microseconds=j)).isoformat(),
                     lat, fixture.lon) for j in range(size))
        token = units[(first_unit + client) % len(units)]
        return post("/api/v1/intake/events/batch", token,
                    f'{{"events":[{events}]}}'.encode()), size

    return make


def healthz_maker() -> Maker:
    request = f"GET /healthz HTTP/1.1\r\nHost: {HOST}\r\n\r\n".encode()
    return lambda client, n: (request, 0)


# --------------------------------------------------------------------------- measuring


def cpu_seconds(pid: int, tid: int | None = None) -> float:
    """User + system CPU seconds of a process (all its threads) or of one thread."""
    path = f"/proc/{pid}/stat" if tid is None else f"/proc/{pid}/task/{tid}/stat"
    with open(path) as f:
        fields = f.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile; NaN for no values (written as null in the JSON)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered) + 0.5) - 1))]


@dataclass
class Load:
    """What a closed-loop load run measured, in its measured window only."""

    seconds: float
    requests: int = 0
    events: int = 0
    errors: int = 0
    latencies: list[float] = field(default_factory=list)
    generator_cpu: float = 0.0
    server_cpu: float | None = None
    first_error: str | None = None
    inbox: dict[str, int] = field(default_factory=dict)  # stored/processed, window edges
    acked_total: int = 0  # events acknowledged, warm-up and edges included
    thread_cpu: dict[str, float] = field(default_factory=dict)  # cores, by server thread

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    @property
    def eps(self) -> float:
        return self.events / self.seconds

    def figures(self) -> dict[str, Any]:
        return {"requests_per_s": round(self.rps, 1), "events_per_s": round(self.eps, 1),
                "requests": self.requests, "events": self.events, "errors": self.errors,
                "p50_ms": round(percentile(self.latencies, 0.50) * 1e3, 2),
                "p99_ms": round(percentile(self.latencies, 0.99) * 1e3, 2),
                "max_ms": round(max(self.latencies, default=float("nan")) * 1e3, 2),
                "generator_cpu": round(self.generator_cpu, 2),
                "server_cpu": None if self.server_cpu is None else round(self.server_cpu, 2),
                # Robust to a busy machine: what one second of the server's CPU buys.
                "requests_per_server_cpu_s": (round(self.rps / self.server_cpu, 1)
                                              if self.server_cpu else None),
                "events_per_server_cpu_s": (round(self.eps / self.server_cpu, 1)
                                            if self.server_cpu else None),
                "server_cpu_by_thread": self.thread_cpu,
                "seconds": self.seconds} | engine_figures(self.inbox, self.seconds)


def thread_share(before: dict[str, float], after: dict[str, float],
                 seconds: float) -> dict[str, float]:
    return {k: round((v - before.get(k, 0.0)) / seconds, 2) for k, v in after.items()}


def engine_figures(inbox: dict[str, int], seconds: float) -> dict[str, Any]:
    """The engine's own rate in the window, and its backlog at the window's end."""
    if not inbox:
        return {}
    return {"engine_events_per_s": round((inbox["processed1"] - inbox["processed0"]) / seconds, 1),
            "engine_backlog_at_end": inbox["stored1"] - inbox["processed1"]}


async def closed_loop(port: int, make: Maker, clients: int, warmup: float, seconds: float,
                      server_pid: int | None,
                      during: Callable[[], Awaitable[None]] | None = None,
                      db_path: Path | None = None) -> Load:
    """``clients`` connections, each sending its next request as soon as it has an answer."""
    conns = [await HttpConn.open(port) for _ in range(clients)]
    load = Load(seconds=seconds)
    begin = time.perf_counter() + warmup
    end = begin + seconds

    async def client(i: int) -> None:
        conn, n = conns[i], 0
        while time.perf_counter() < end:
            request, events = make(i, n)
            n += 1
            t0 = time.perf_counter()
            status, body = await conn.request(request)
            t1 = time.perf_counter()
            if status != 200:
                load.errors += 1
                load.first_error = load.first_error or f"{status}: {body[:300]!r}"
                continue
            load.acked_total += events
            if begin <= t1 <= end:  # completions in the window: throughput and latency
                load.requests += 1
                load.events += events
                load.latencies.append(t1 - t0)

    async def meter() -> None:
        await asyncio.sleep(begin - time.perf_counter())
        cpu0 = time.process_time()
        srv0 = cpu_seconds(server_pid) if server_pid else 0.0
        threads0 = thread_cpu(server_pid, db_path.parent) if server_pid and db_path else {}
        if db_path is not None:
            await inbox_edge(db_path, load.inbox, "0")
        if during is not None:
            await during()
        await asyncio.sleep(end - time.perf_counter())
        load.generator_cpu = (time.process_time() - cpu0) / seconds
        if server_pid:
            load.server_cpu = (cpu_seconds(server_pid) - srv0) / seconds
        if threads0 and server_pid and db_path:
            load.thread_cpu = thread_share(threads0, thread_cpu(server_pid, db_path.parent),
                                           seconds)
        if db_path is not None:
            await inbox_edge(db_path, load.inbox, "1")

    await asyncio.gather(meter(), *(client(i) for i in range(clients)))
    for conn in conns:
        conn.close()
    return load


async def inbox_edge(db_path: Path, into: dict[str, int], edge: str) -> None:
    stored, processed = await asyncio.to_thread(inbox_counts, db_path)
    into[f"stored{edge}"], into[f"processed{edge}"] = stored, processed


def inbox_counts(db_path: Path) -> tuple[int, int]:
    """(stored, processed by the engine) inbox rows, read from the server's database."""
    with contextlib.closing(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)) as conn:
        stored, processed = conn.execute(
            "SELECT count(*), count(processed_at) FROM inbox_event").fetchone()
    return int(stored), int(processed)


# --------------------------------------------------------------------------- profiling


def py_spy() -> str | None:
    here = Path(sys.executable).parent / "py-spy"
    return str(here) if here.exists() else shutil.which("py-spy")


def start_profile(pid: int, seconds: float, out: Path,
                  gil: bool = True) -> subprocess.Popen[bytes] | None:
    """py-spy on the server: ``gil`` samples only the thread holding the GIL (CPU view);
    otherwise every thread, idle or not (wall-clock view: who waits for what)."""
    exe = py_spy()
    if exe is None:
        return None
    mode = ["--gil"] if gil else ["--idle"]
    # Blocking mode (py-spy pauses the server for each sample): slower while profiled, but
    # --nonblocking reads torn stacks and was seen to triple some frames' shares.
    return subprocess.Popen(  # noqa: S603 - py-spy on our own server process
        [exe, "record", "--pid", str(pid), "--duration", str(max(1, round(seconds))),
         "--rate", "250", *mode, "--threads", "--format", "raw", "--output", str(out)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


Frames = list[str]


def has(*needles: str) -> Callable[[Frames], bool]:
    return lambda frames: any(n in f for f in frames for n in needles)


def under(parent: str, child: str) -> Callable[[Frames], bool]:
    """The frame right below one starting with ``parent`` starts with ``child``."""
    return lambda frames: any(a.startswith(parent) and b.startswith(child)
                              for a, b in pairwise(frames))


def main_thread(frames: Frames) -> bool:
    return frames[0] == "MainThread"


# (label, which samples count), inclusive: a sample counts toward every line it matches.
COMPONENTS: list[tuple[str, Callable[[Frames], bool]]] = [
    ("event-loop thread (HTTP, app, WebSocket)", main_thread),
    ("  uvicorn protocol outside the app", lambda f: main_thread(f) and has(
        "httptools_impl.py")(f) and not has("run_asgi (")(f)),
    ("  ASGI app: middleware+routing+endpoint", has("run_asgi (")),
    ("    route matching", has("_IncludedRouter._match (", "APIRouter.matches (")),
    ("    solve_dependencies (all Depends, body)", has("solve_dependencies (")),
    ("      dependency cache keys (introspection)", has("_get_cache_key (")),
    ("      body validation (pydantic)", has("request_body_to_args (")),
    ("      device auth (get_device)", has("get_device (")),
    ("    endpoint (create_event[_batch])", has("create_event (", "create_event_batch (")),
    ("      InboxWriter.submit (checks)", has("InboxWriter.submit (")),
    ("    response encoding", has("serialize_response (", "_serialize_data (")),
    ("    response send (middleware+socket)", has("RequestResponseCycle.send (")),
    ("    prometheus_client (Metrics)", has("prometheus_client/")),
    ("    logging (uvicorn access log)", has("logging/__init__.py")),
    ("  relay, bus, hub, WebSocket send", has("Runtime._relay (", "MemoryBus.", "Hub._fanout (",
                                              "stream_feed (", "websockets/")),
    ("inbox-writer thread", lambda f: f[0] == "inbox-writer"),
    ("  store(): SQL (SELECT dupes, INSERT)", under("store (", "Session.execute (")),
    ("  event_from_row (re-validates rows)", has("event_from_row (")),
    ("  COMMIT", has("Session.commit (")),
    ("ccoc-engine thread", lambda f: f[0] == "ccoc-engine"),
    ("  claim UPDATE inbox_event", under("process_event (", "Session.execute (")),
    ("  effective_rules (per event)", has("effective_rules (")),
    ("  _source + _heard lookups", has("_source (", "_heard (")),
    ("  apply_fix + unit.updated feed", has("apply_fix (", "_publish_unit (")),
    ("  open_or_merge (incidents)", has("open_or_merge (")),
    ("AnyIO worker threads (sync routes)", lambda f: f[0].startswith("AnyIO")),
    ("pydantic, anywhere", has("pydantic/", "pydantic_core/")),
    ("  copy.deepcopy of model defaults", has("BaseModel.__deepcopy__ (")),
    ("SQLAlchemy, anywhere", has("sqlalchemy/")),
]


def read_profile(path: Path) -> list[tuple[Frames, int]]:
    """py-spy raw output as ([thread name, frame, frame...], samples)."""
    samples = []
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            head, _, rest = stack.partition(";")
            thread = head.partition(": ")[2] or head
            samples.append(([thread, *rest.split(";")], int(count)))
    return samples


def summarise_profile(path: Path, top: int = 10) -> dict[str, Any]:
    """Share of GIL-held samples by component (inclusive) and top self-time frames."""
    samples = read_profile(path)
    total = sum(n for _, n in samples)
    if not total:
        return {"samples": 0}
    components: Counter[str] = Counter()
    leaves: Counter[str] = Counter()
    for frames, n in samples:
        for label, match in COMPONENTS:
            if match(frames):
                components[label] += n
        leaves[frames[-1]] += n
    return {
        "samples": total,
        "components_pct": {label: round(100 * components[label] / total, 1)
                           for label, _ in COMPONENTS},
        "top_self_pct": {k: round(100 * v / total, 1) for k, v in leaves.most_common(top)},
    }


def thread_states(path: Path) -> dict[str, dict[str, float]]:
    """Wall-clock view (py-spy --idle): what the writer and engine threads spend time on."""
    states: dict[str, Counter[str]] = {"inbox-writer": Counter(), "ccoc-engine": Counter()}
    for frames, n in read_profile(path):
        if frames[0] not in states:
            continue
        leaf = frames[-1]
        if leaf.startswith("Database.write ("):
            state = "waiting for the process-wide write lock"
        elif leaf.startswith(("Condition.wait (", "Queue.get (")):
            state = "idle, waiting for work"
        elif leaf.startswith("DefaultDialect.do_commit ("):
            state = "SQLite COMMIT (fsync)"
        elif leaf.startswith(("DefaultDialect.do_execute", "_ConnectionFairy")):
            state = "SQLite statements"
        else:
            state = "running Python (or waiting for the GIL)"
        states[frames[0]][state] += n
    return {thread: {k: round(100 * v / max(1, sum(c.values())), 1) for k, v in c.most_common()}
            for thread, c in states.items()}


async def profiled_window(port: int, make: Maker, clients: int, seconds: float, pid: int,
                          out: Path) -> tuple[Load, dict[str, Any] | None]:
    """An extra load window under py-spy (the measured windows never run under it)."""
    box: list[subprocess.Popen[bytes] | None] = []

    async def start() -> None:
        box.append(start_profile(pid, seconds, out))

    load = await closed_loop(port, make, clients, 0.3, seconds, pid, during=start)
    proc = box[0] if box else None
    if proc is None:
        return load, None
    await asyncio.to_thread(proc.wait, 60)
    return load, await asyncio.to_thread(lambda: summarise_profile(out) if out.exists() else None)


# --------------------------------------------------------------------------- SOS latency


@dataclass
class Sos:
    seconds: float
    sent: int = 0
    latencies: list[float] = field(default_factory=list)
    acks: list[float] = field(default_factory=list)
    background_sent: int = 0  # events offered during the measured window
    background_errors: int = 0
    ws_messages: Counter[str] = field(default_factory=Counter)
    ws_closed: str | None = None
    server_cpu: float | None = None
    inbox: dict[str, int] = field(default_factory=dict)
    thread_cpu: dict[str, float] = field(default_factory=dict)

    def figures(self) -> dict[str, Any]:
        def ms(values: list[float], q: float) -> float:
            return round(percentile(values, q) * 1e3, 2)

        return {"sent": self.sent, "received": len(self.latencies),
                "p50_ms": ms(self.latencies, 0.5), "p99_ms": ms(self.latencies, 0.99),
                "max_ms": round(max(self.latencies, default=float("nan")) * 1e3, 2),
                "ack_p50_ms": ms(self.acks, 0.5), "ack_p99_ms": ms(self.acks, 0.99),
                "background_events_per_s": round(self.background_sent / self.seconds, 1),
                "background_errors": self.background_errors,
                "ws_messages_per_s": {k: round(v / self.seconds, 1)
                                      for k, v in self.ws_messages.items()},
                "ws_closed": self.ws_closed,
                "server_cpu": None if self.server_cpu is None else round(self.server_cpu, 2),
                "server_cpu_by_thread": self.thread_cpu,
                "seconds": self.seconds} | engine_figures(self.inbox, self.seconds)


def http_json(port: int, method: str, path: str, token: str | None = None,
              **kwargs: Any) -> Any:
    import httpx

    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = httpx.request(method, f"http://{HOST}:{port}{path}", headers=headers,
                             timeout=30, **kwargs)
    response.raise_for_status()
    return response.json()


def login(port: int, username: str, password: str) -> str:
    token: str = http_json(port, "POST", "/api/v1/auth/token",
                           data={"username": username, "password": password})["access_token"]
    return token


def prepare_sos(port: int, fixture: Fixture) -> str:
    """One incident per press (merge window 0), through the API; the console's token."""
    commander = login(port, COMMANDER, fixture.password)
    http_json(port, "PUT", f"/api/v1/stations/{STATION}/rules", commander, json=[SOS_RULE])
    return login(port, OPERATOR, fixture.password)


async def sos_latency(port: int, pid: int, fixture: Fixture, operator: str, seconds: float,
                      background_rate: float, background_batch: int, sos_interval: float,
                      db_path: Path,
                      during: Callable[[], Awaitable[None]] | None = None) -> Sos:
    """Console on the WebSocket, GPS batches in the background, one SOS every interval.

    Latency: from just before the SOS request is written to the socket to the arrival of
    the feed entry whose ``device_time`` is that press's ``event_time``.
    """
    from websockets.asyncio.client import connect

    result = Sos(seconds=seconds)
    pending: dict[datetime, float] = {}
    measured: set[datetime] = set()
    arrived = asyncio.Event()
    pool: asyncio.Queue[HttpConn] = asyncio.Queue()
    for _ in range(16):
        pool.put_nowait(await HttpConn.open(port))
    tasks: set[asyncio.Task[None]] = set()
    measuring = asyncio.Event()

    def spawn(coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(coro)
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    async def send(request: bytes) -> tuple[int, bytes]:
        conn = await pool.get()
        try:
            return await conn.request(request)
        finally:
            pool.put_nowait(conn)

    async def read(ws: Any) -> None:
        try:
            async for raw in ws:
                t = time.perf_counter()
                message = json.loads(raw)
                kind = message.get("type", "?")
                if kind in ("incident.created", "incident.updated"):
                    key = datetime.fromisoformat(message["data"]["device_time"])
                    t0 = pending.pop(key, None)
                    if t0 is not None and key in measured:
                        result.latencies.append(t - t0)
                        result.ws_messages[kind] += 1
                    arrived.set()
                elif measuring.is_set():
                    result.ws_messages[kind] += 1
        except Exception as err:  # a close from the server (e.g. 4008 too slow) ends it
            result.ws_closed = repr(err)[:200]

    async def background(stop: asyncio.Event) -> None:
        make = batch_maker(fixture, "bg", background_batch, first_unit=1)
        interval, n = background_batch / background_rate, 0
        next_at = time.perf_counter()

        async def one(i: int) -> None:
            status, _ = await send(make(i, i)[0])
            if status != 200:
                result.background_errors += 1

        while not stop.is_set():
            if measuring.is_set():
                result.background_sent += background_batch
            spawn(one(n))
            n += 1
            next_at += interval
            await asyncio.sleep(max(0.0, next_at - time.perf_counter()))

    async def press(n: int, measure: bool) -> None:
        at = datetime.now(UTC)
        request = post("/api/v1/intake/events", fixture.sos_token,
                       sos_json(f"sos-{n}-{at.timestamp()}", at.isoformat()).encode())
        t0 = time.perf_counter()
        pending[at] = t0
        if measure:
            measured.add(at)
        status, body = await send(request)
        if status != 200:
            raise RuntimeError(f"SOS refused: {status} {body[:300]!r}")
        if measure:
            result.acks.append(time.perf_counter() - t0)

    url = f"ws://{HOST}:{port}/api/v1/stream?access_token={operator}"
    async with connect(url, max_size=None) as ws:
        hello = json.loads(await ws.recv())
        assert hello["type"] == "hello", hello
        reader = asyncio.create_task(read(ws))
        stop = asyncio.Event()
        bg = asyncio.create_task(background(stop)) if background_rate > 0 else None
        for n in range(3):  # warm-up: the first incident, camera index, caches
            await press(-1 - n, measure=False)
            await asyncio.sleep(sos_interval)
        await asyncio.sleep(0.5)
        cpu0 = cpu_seconds(pid)
        threads0 = thread_cpu(pid, db_path.parent)
        await inbox_edge(db_path, result.inbox, "0")
        if during is not None:
            await during()
        measuring.set()
        start = time.perf_counter()
        n = 0
        while time.perf_counter() - start < seconds:
            spawn(press(n, measure=True))
            n += 1
            await asyncio.sleep(max(0.0, start + n * sos_interval - time.perf_counter()))
        measuring.clear()
        result.server_cpu = (cpu_seconds(pid) - cpu0) / (time.perf_counter() - start)
        result.seconds = round(time.perf_counter() - start, 3)
        result.thread_cpu = thread_share(threads0, thread_cpu(pid, db_path.parent),
                                         result.seconds)
        await inbox_edge(db_path, result.inbox, "1")
        result.sent = n
        stop.set()
        if bg is not None:
            await bg
        with contextlib.suppress(TimeoutError):  # late ones still count; lost ones do not
            await asyncio.wait_for(_until_none_measured(pending, measured, arrived), 15)
        await asyncio.gather(*list(tasks), return_exceptions=True)
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reader
    while not pool.empty():
        pool.get_nowait().close()
    return result


async def _until_none_measured(pending: dict[datetime, float], measured: set[datetime],
                               arrived: asyncio.Event) -> None:
    while measured & pending.keys():
        arrived.clear()
        await arrived.wait()


# --------------------------------------------------------------------------- the run


@dataclass(frozen=True)
class Plan:
    ceiling_s: float
    load_s: float
    warmup_s: float
    sos_s: float
    sos_idle_s: float
    clients: int
    batch_clients: int
    batch_size: int
    units: int
    background_rate: float
    background_batch: int
    sos_interval: float
    access_log: bool
    profile: bool


def plan_from(args: argparse.Namespace) -> Plan:
    quick = args.quick
    return Plan(ceiling_s=0.2 if quick else 2.0, load_s=0.7 if quick else 8.0,
                warmup_s=0.2 if quick else 1.0, sos_s=1.0 if quick else 30.0,
                sos_idle_s=0.5 if quick else 5.0, clients=args.clients,
                batch_clients=args.batch_clients, batch_size=args.batch_size, units=50,
                background_rate=args.background_rate, background_batch=50, sos_interval=0.1,
                access_log=not args.no_access_log, profile=args.profile)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def bench(plan: Plan, directory: Path) -> dict[str, Any]:
    figures: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"), "cpus": os.cpu_count(),
        "python": sys.version.split()[0], "loadavg_before": os.getloadavg(),
        "plan": plan.__dict__}
    profiles: dict[str, Any] = {}
    log("building the world")
    fixture = build_fixture(directory, plan.units)

    log("ceilings: raw SQLite inserts")
    one = sqlite_ceiling(fixture, directory, 1, plan.ceiling_s)
    thousand = sqlite_ceiling(fixture, directory, 1000, plan.ceiling_s)
    figures["ceiling"] = {"journal_mode": one.journal_mode, "synchronous": one.synchronous,
                          "commit_per_row_rows_per_s": round(one.rows_per_s, 1),
                          "commit_per_1000_rows_per_s": round(thousand.rows_per_s, 1)}

    log("load generator ceiling (canned server)")
    with canned_server(directory) as canned:
        gen_single = run(closed_loop(canned.port, single_maker(fixture, "g"), plan.clients,
                                     plan.warmup_s, plan.load_s, canned.pid))
        gen_batch = run(closed_loop(canned.port, batch_maker(fixture, "gb", plan.batch_size),
                                    plan.batch_clients, plan.warmup_s, plan.load_s,
                                    canned.pid))
    figures["generator"] = {"single": gen_single.figures(), "batch": gen_batch.figures()}

    loads: dict[str, Load] = {}
    for shape in ("single", "batch"):
        for engine in (True, False):
            name = shape if engine else f"{shape}_engine_off"
            log(f"{shape} intake{'' if engine else ', engine off (what-if)'}")
            clients = plan.clients if shape == "single" else plan.batch_clients

            def maker(tag: str, shape: str = shape) -> Maker:
                return (single_maker(fixture, tag) if shape == "single"
                        else batch_maker(fixture, tag, plan.batch_size))

            with app_server(fixture, directory, name, plan.access_log, engine) as (
                    server, db_path):
                if name == "single":
                    loads["healthz"] = run(closed_loop(server.port, healthz_maker(), clients,
                                                       plan.warmup_s, plan.load_s, server.pid))
                    figures["healthz"] = loads["healthz"].figures()
                loads[name] = run(closed_loop(server.port, maker(name), clients,
                                              plan.warmup_s, plan.load_s, server.pid,
                                              db_path=db_path))
                stored, _ = inbox_counts(db_path)
                # Nothing lost: every acknowledged event is a row (all clients are done now).
                figures[name] = loads[name].figures() | {
                    "acked_events": loads[name].acked_total, "stored_rows": stored,
                    "stored_equals_acked": stored == loads[name].acked_total}
                if plan.profile:
                    log(f"{name}: an extra window under py-spy")
                    load, prof = run(profiled_window(server.port, maker(f"p-{name}"), clients,
                                                     plan.load_s, server.pid,
                                                     directory / f"profile-{name}.txt"))
                    profiles[name] = {"requests_per_s": round(load.rps, 1),
                                      "events_per_s": round(load.eps, 1), "py_spy": prof}

    log("SOS latency: idle, then under background GPS load")
    with app_server(fixture, directory, "sos", plan.access_log) as (server, db_path):
        operator = prepare_sos(server.port, fixture)
        idle = run(sos_latency(server.port, server.pid, fixture, operator, plan.sos_idle_s,
                               0, plan.background_batch, plan.sos_interval, db_path))
        sos = run(sos_latency(server.port, server.pid, fixture, operator, plan.sos_s,
                              plan.background_rate, plan.background_batch, plan.sos_interval,
                              db_path))
        figures["sos_idle"] = idle.figures()
        figures["sos"] = sos.figures()
    if plan.profile and py_spy():
        log("SOS under load again, with a wall-clock py-spy profile of the writer and engine")
        with app_server(fixture, directory, "sos-profile", plan.access_log) as (
                server, db_path):
            out = directory / "profile-sos-wall.txt"
            seconds = min(plan.sos_s, 10.0)
            box: list[subprocess.Popen[bytes] | None] = []

            async def start() -> None:
                box.append(start_profile(server.pid, seconds, out, gil=False))

            operator = prepare_sos(server.port, fixture)
            profiled = run(sos_latency(server.port, server.pid, fixture, operator, seconds,
                                       plan.background_rate, plan.background_batch,
                                       plan.sos_interval, db_path, during=start))
            if box and box[0] is not None:
                box[0].wait(60)
            profiles["sos_wall"] = {"sos": profiled.figures(),
                                    "thread_states_pct": thread_states(out)}
    if profiles:
        figures["profiles"] = profiles

    single, batch, health = loads["single"], loads["batch"], loads["healthz"]
    c1, c1000 = one.rows_per_s, thousand.rows_per_s
    figures["ratios"] = {
        "single_vs_commit_per_row": ratio(single.rps, c1),
        "single_vs_commit_per_1000": ratio(single.rps, c1000),
        "single_vs_healthz": ratio(single.rps, health.rps),
        "single_vs_engine_off": ratio(single.rps, loads["single_engine_off"].rps),
        "healthz_vs_generator": ratio(health.rps, gen_single.rps),
        "batch_vs_commit_per_1000": ratio(batch.eps, c1000),
        "batch_vs_engine_off": ratio(batch.eps, loads["batch_engine_off"].eps),
        "batch_vs_generator": ratio(batch.eps, gen_batch.eps),
        "sos_p99_loaded_vs_idle": ratio(percentile(sos.latencies, 0.99),
                                        percentile(idle.latencies, 0.99)),
    }
    figures["targets"] = {
        "single_requests_per_s>=2000": single.rps >= 2000,
        "batch_events_per_s>=20000": batch.eps >= 20000,
        "sos_p99_ms<50": percentile(sos.latencies, 0.99) * 1e3 < 50,
    }
    return figures


def ratio(a: float, b: float) -> float:
    """a / b to 3 significant digits; NaN (null in the JSON) when b is 0 or NaN."""
    return float(f"{a / b:.3g}") if b and b == b else float("nan")


def run(coro: Coroutine[Any, Any, T]) -> T:
    """asyncio.run on uvloop when installed (it is, with uvicorn[standard])."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coro)
    return uvloop.run(coro)


# --------------------------------------------------------------------------- report


def table(f: dict[str, Any]) -> str:
    c, r = f["ceiling"], f["ratios"]
    rows: list[tuple[str, str, str]] = [
        ("ceiling: SQLite, 1 commit per row", f"{c['commit_per_row_rows_per_s']:,.0f} rows/s",
         f"journal_mode={c['journal_mode']} synchronous={c['synchronous']} (2 = FULL)"),
        ("ceiling: SQLite, 1 commit per 1000 rows",
         f"{c['commit_per_1000_rows_per_s']:,.0f} rows/s", ""),
    ]

    def load_row(name: str, x: dict[str, Any], unit: str, note: str = "") -> None:
        value = x["requests_per_s"] if unit == "req/s" else x["events_per_s"]
        per_cpu = (x["requests_per_server_cpu_s"] if unit == "req/s"
                   else x["events_per_server_cpu_s"])
        cpu = ("" if x["server_cpu"] is None else
               f", server {x['server_cpu']:.2f} ({per_cpu:,.0f} per server CPU-s)")
        engine = (f"; engine {x['engine_events_per_s']:,.0f} ev/s, backlog "
                  f"{x['engine_backlog_at_end']:,}" if "engine_events_per_s" in x else "")
        threads = x.get("server_cpu_by_thread") or {}
        if threads:
            cpu += " [" + ", ".join(f"{k} {v:.2f}" for k, v in threads.items() if v) + "]"
        rows.append((name, f"{value:,.0f} {unit}",
                     f"p50 {x['p50_ms']:.1f} ms, p99 {x['p99_ms']:.1f} ms, errors {x['errors']}"
                     + (f", stored==acked {x['stored_equals_acked']}"
                        if "stored_equals_acked" in x else "") + ";"
                     f" CPU: generator {x['generator_cpu']:.2f}{cpu}{engine}{note}"))

    def ratio_row(name: str, value: float) -> None:
        rows.append((f"  ratio: {name}", f"{value:.3g}", ""))

    load_row("generator ceiling, single (canned server)", f["generator"]["single"], "req/s")
    load_row("generator ceiling, batch (canned server)", f["generator"]["batch"], "ev/s")
    load_row("GET /healthz (HTTP stack ceiling)", f["healthz"], "req/s")
    ratio_row("healthz / generator", r["healthz_vs_generator"])
    load_row("single-event intake", f["single"], "req/s")
    load_row("  what-if: engine off", f["single_engine_off"], "req/s")
    ratio_row("single / ceiling per-row commit", r["single_vs_commit_per_row"])
    ratio_row("single / ceiling per-1000 commit", r["single_vs_commit_per_1000"])
    ratio_row("single / healthz", r["single_vs_healthz"])
    ratio_row("single / engine off", r["single_vs_engine_off"])
    load_row(f"batch intake ({f['plan']['batch_size']}/batch)", f["batch"], "ev/s")
    load_row("  what-if: engine off", f["batch_engine_off"], "ev/s")
    ratio_row("batch / ceiling per-1000 commit", r["batch_vs_commit_per_1000"])
    ratio_row("batch / engine off", r["batch_vs_engine_off"])
    for key, name in (("sos_idle", "SOS -> WebSocket, no background"),
                      ("sos", "SOS -> WebSocket, GPS background")):
        o = f[key]
        engine = (f"; engine {o['engine_events_per_s']:,.0f} ev/s, backlog "
                  f"{o['engine_backlog_at_end']:,}" if "engine_events_per_s" in o else "")
        rows.append((name, f"p50 {o['p50_ms']:.1f} ms, p99 {o['p99_ms']:.1f} ms",
                     f"max {o['max_ms']:.1f} ms, {o['received']}/{o['sent']} arrived (15 s grace);"
                     f" HTTP ack "
                     f"p50 {o['ack_p50_ms']:.1f} ms, p99 {o['ack_p99_ms']:.1f} ms; background "
                     f"{o['background_events_per_s']:,.0f} ev/s; server CPU {o['server_cpu']}"
                     f"{engine}"))
    ratio_row("SOS p99 loaded / idle", r["sos_p99_loaded_vs_idle"])
    for key, ok in f["targets"].items():
        rows.append((f"target {key}", "met" if ok else "NOT met", ""))
    width = max(len(a) for a, _, _ in rows)
    value_width = max(len(b) for _, b, _ in rows)
    return "\n".join(f"{a:<{width}}  {b:>{value_width}}  {c}".rstrip() for a, b, c in rows)


def profile_text(profiles: dict[str, Any]) -> str:
    gil = {k: v for k, v in profiles.items() if k != "sos_wall" and v.get("py_spy")}
    lines: list[str] = []
    if gil:
        names = list(gil)
        lines.append("where the server's GIL time goes (py-spy --gil, % of samples, inclusive;"
                     " extra windows, not the measured ones)")
        width = max(len(label) for label, _ in COMPONENTS)
        lines.append(f"{'':<{width}}" + "".join(f"{n:>20}" for n in names))
        rates = [f"{v['requests_per_s']:,.0f} req/s" if k.startswith("single")
                 else f"{v['events_per_s']:,.0f} ev/s" for k, v in gil.items()]
        lines.append(f"{'throughput while profiled':<{width}}"
                     + "".join(f"{x:>20}" for x in rates))
        for label, _ in COMPONENTS:
            lines.append(f"{label:<{width}}" + "".join(
                f"{gil[n]['py_spy']['components_pct'][label]:>19.1f}%" for n in names))
        for name in names:
            lines.append(f"top self-time frames, {name}:")
            lines += [f"  {v:5.1f}%  {k}" for k, v in gil[name]["py_spy"]["top_self_pct"].items()]
    wall = profiles.get("sos_wall")
    if wall:
        o = wall["sos"]
        lines.append(f"SOS under load, wall-clock profile (py-spy --idle): SOS p50 "
                     f"{o['p50_ms']:.0f} ms, p99 {o['p99_ms']:.0f} ms while profiled")
        for thread, states in wall["thread_states_pct"].items():
            lines.append(f"  {thread}: " + ", ".join(f"{k} {v}%" for k, v in states.items()))
    return "\n".join(lines)


def no_nan(value: Any) -> Any:
    """JSON has no NaN: a figure with no samples is null."""
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, dict):
        return {k: no_nan(v) for k, v in value.items()}
    if isinstance(value, list):
        return [no_nan(v) for v in value]
    return value


def filesystem(path: Path) -> str:
    """The type of the filesystem holding ``path`` (from /proc/mounts), or '?'."""
    best, kind = "", "?"
    with contextlib.suppress(OSError), open("/proc/mounts") as mounts:
        for line in mounts:
            parts = line.split()
            if len(parts) > 2 and str(path).startswith(parts[1]) and len(parts[1]) > len(best):
                best, kind = parts[1], parts[2]
    return kind


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few seconds: a smoke test")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--profile", action="store_true",
                        help="extra windows under py-spy: where the server's time goes")
    parser.add_argument("--clients", type=int, default=64, help="single-event connections")
    parser.add_argument("--batch-clients", type=int, default=4, help="batch connections")
    parser.add_argument("--batch-size", type=int, default=1000, help="events per batch")
    parser.add_argument("--background-rate", type=float, default=1000.0,
                        help="GPS events/s behind the SOS presses")
    parser.add_argument("--no-access-log", action="store_true",
                        help="serve without uvicorn's access log (ssz serve logs every request)")
    parser.add_argument("--dir", type=Path, help="where the temp databases go (a real disk)")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (logs, profiles)")
    # Subprocess modes.
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--canned", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--db-url", help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--engine-off", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve_main(args.db_url, args.data_dir, args.port, not args.no_access_log,
                   not args.engine_off)
        return
    if args.canned:
        canned_main(args.port)
        return
    directory = Path(tempfile.mkdtemp(prefix="ssz-bench-intake-", dir=args.dir)).resolve()
    kind = filesystem(directory)
    if kind in ("tmpfs", "ramfs"):
        log(f"WARNING: {directory} is on {kind}: fsync is free there, so the durable-commit "
            "figures mean nothing. Use --dir on a real disk.")
    try:
        figures = bench(plan_from(args), directory)
        figures["filesystem"] = kind
        figures["loadavg_after"] = os.getloadavg()
    finally:
        if args.keep:
            log(f"kept {directory}")
        else:
            shutil.rmtree(directory, ignore_errors=True)
    print(f"{figures['date']}, {figures['cpus']} CPUs, Python {figures['python']}, "
          f"data on {kind}; load average before {figures['loadavg_before'][0]:.2f}, after "
          f"{figures['loadavg_after'][0]:.2f} (anything else running skews the figures)")
    print(table(figures))
    if "profiles" in figures:
        print()
        print(profile_text(figures["profiles"]))
    encoded = json.dumps(no_nan(figures), ensure_ascii=False, default=str)
    if args.json:
        args.json.write_text(encoded + "\n")
    print(encoded)


if __name__ == "__main__":
    main()
