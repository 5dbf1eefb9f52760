"""SOS intake latency with and without a flood of wrong logins, as a ratio.

    .venv/bin/python benchmarks/login_flood.py [--seconds 15] [--clients 16] [--json PATH]

Everything runs on this machine over loopback, in one run:

* a fresh SQLite database (migrated, the test world built through the services, a device
  credential for the SOS pole ``ST-A-SOS1``);
* a real ``ssz serve`` subprocess for each phase, on a fresh copy of that database;
* one SOS press every 50 ms, paced (not closed-loop), timed from just before the request is
  sent to its HTTP ACK (the inbox commit), in three phases:

  1. **baseline**: nothing else;
  2. **flood**: ``--clients`` connections posting wrong passwords as fast as they are
     answered, each for a username of its own, all from 127.0.0.1 (one attacker);
  3. **flood, throttle off (a what-if, not a configuration)**: the same, with the login
     throttle's thresholds raised out of reach, so every wrong login costs an argon2 hash:
     what a flood from many addresses over many usernames costs. The server is the same
     ``ssz serve`` command, started with the throttle's defaults patched.

It prints p50/p99/max of the SOS ACK per phase, the ratios p99(flood)/p99(baseline), the
login answers by status and the server's CPU. The figures go to a table and as JSON to the
last stdout line (and to ``--json PATH``). See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
SECRET = "benchmark-only-secret-key-0123456789abcdef"  # noqa: S105 - a throwaway server's key
HOST = "127.0.0.1"
STATION = "ST-A"  # from tests/support/world.py
SOS_ASSET = "ST-A-SOS1"
SOS_EVERY_S = 0.05


@dataclass(frozen=True)
class Fixture:
    template: Path
    sos_token: str


def build_fixture(directory: Path) -> Fixture:
    """Migrate a fresh database and build the world through the services (no HTTP)."""
    sys.path.insert(0, str(ROOT / "tests"))
    from sqlalchemy import create_engine, select

    from safetyzone import migrations
    from safetyzone.assets.models import Asset
    from safetyzone.config import Settings
    from safetyzone.core.clock import SystemClock
    from safetyzone.core.db import Database
    from safetyzone.core.security import system_scope
    from safetyzone.intake import credentials
    from safetyzone.intake.models import SubjectKind
    from safetyzone.org import service as org
    from support.world import build_world

    path = directory / "template.db"
    url = f"sqlite:///{path}"
    engine = create_engine(url)
    migrations.upgrade(engine)
    engine.dispose()
    db = Database(url)
    clock = SystemClock()
    build_world(db, clock, Settings(environment="test", data_dir=directory, secret_key=SECRET))
    scope = system_scope("benchmark")
    with db.write() as s:
        station = org.get_station(s, scope=scope, code=STATION)
        asset = s.scalars(select(Asset).where(Asset.code == SOS_ASSET)).one()
        sos = credentials.issue(s, scope=scope, clock=clock,
                                hasher=credentials.SecretHasher(SECRET),
                                station_id=station.id, subject_kind=SubjectKind.ASSET,
                                subject_id=asset.id, label="benchmark SOS pole")
        token = sos.token
    db.dispose()  # checkpoints the WAL, so the file alone is the whole database
    return Fixture(template=path, sos_token=token)


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        port: int = s.getsockname()[1]
        return port


def serve_without_throttle(port: int) -> None:
    """Subprocess entry for the what-if: ``ssz serve`` with the throttle out of reach."""
    from safetyzone import cli
    from safetyzone.core.throttle import Backoff
    from safetyzone.org.login import LoginGuard

    never = Backoff(delay_after=10**9, lock_after=10**9, lock_s=1, window_s=1)
    LoginGuard.__init__.__defaults__ = (never, never)
    cli.app(["serve", "--port", str(port)])


@contextlib.contextmanager
def server(fixture: Fixture, directory: Path, name: str,
           throttle: bool = True) -> Iterator[subprocess.Popen[bytes]]:
    """``ssz serve`` on a fresh copy of the database; stopped (killed if need be) on exit."""
    data = directory / name
    data.mkdir()
    shutil.copy(fixture.template, data / "safetyzone.db")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SSZ_")}
    env.update(SSZ_DATA_DIR=str(data), SSZ_SECRET_KEY=SECRET, SSZ_ENVIRONMENT="production",
               SSZ_PORT=str(port), SSZ_LOG_LEVEL="WARNING")
    argv = ([sys.executable, "-m", "safetyzone", "serve"] if throttle else
            [sys.executable, str(Path(__file__).resolve()), "--serve-without-throttle",
             str(port)])
    with (data / "server.log").open("wb") as out:
        proc = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)  # noqa: S603
    proc.port = port  # type: ignore[attr-defined]
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((data / "server.log").read_text()[-2000:])
            try:
                if httpx.get(f"http://{HOST}:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.05)
        yield proc
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def sos_presses(url: str, token: str, seconds: float) -> list[float]:
    """One SOS press every 50 ms for ``seconds``; the ACK latency of each, in ms."""
    latencies: list[float] = []
    headers = {"Authorization": f"Bearer {token}"}

    async def press(client: httpx.AsyncClient) -> None:
        body = {"kind": "sos.press", "device_event_id": uuid.uuid4().hex,
                "event_time": datetime.now(UTC).isoformat()}
        start = time.perf_counter()
        response = await client.post(f"{url}/api/v1/intake/events", json=body, headers=headers)
        if response.status_code == 200:
            latencies.append((time.perf_counter() - start) * 1000)

    async with httpx.AsyncClient(timeout=60) as client:
        tasks = []
        start = time.monotonic()
        n = 0
        while time.monotonic() - start < seconds:
            tasks.append(asyncio.create_task(press(client)))
            n += 1
            await asyncio.sleep(max(0.0, start + n * SOS_EVERY_S - time.monotonic()))
        await asyncio.gather(*tasks)
    return latencies


async def flood(url: str, clients: int, stop: asyncio.Event, answers: Counter[int]) -> None:
    async def one(n: int) -> None:
        async with httpx.AsyncClient(timeout=60) as client:
            while not stop.is_set():
                response = await client.post(f"{url}/api/v1/auth/token", data={
                    "username": f"a.operator{n or ''}", "password": "wrong password here"})
                answers[response.status_code] += 1

    await asyncio.gather(*(one(n) for n in range(clients)))


async def phase(proc: subprocess.Popen[bytes], fixture: Fixture, seconds: float,
                clients: int) -> dict[str, Any]:
    url = f"http://{HOST}:{proc.port}"  # type: ignore[attr-defined]
    await sos_presses(url, fixture.sos_token, 1.0)  # warm-up
    stop = asyncio.Event()
    answers: Counter[int] = Counter()
    flooding = asyncio.create_task(flood(url, clients, stop, answers)) if clients else None
    if flooding:
        await asyncio.sleep(1.0)  # the flood is in full swing before we measure
    cpu0, t0 = cpu_seconds(proc.pid), time.monotonic()
    latencies = await sos_presses(url, fixture.sos_token, seconds)
    cpu = (cpu_seconds(proc.pid) - cpu0) / (time.monotonic() - t0)
    stop.set()
    if flooding:
        await flooding
    return {"presses": len(latencies), "p50_ms": percentile(latencies, 0.5),
            "p99_ms": percentile(latencies, 0.99), "max_ms": max(latencies, default=0.0),
            "server_cpu": cpu, "logins": {str(k): v for k, v in sorted(answers.items())}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15.0, help="measured window per phase")
    parser.add_argument("--clients", type=int, default=16, help="wrong-login connections")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--dir", type=Path, help="where the temp databases go (a real disk)")
    parser.add_argument("--serve-without-throttle", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_without_throttle:
        serve_without_throttle(args.serve_without_throttle)
        return
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(dir=args.dir, prefix="ssz-login-flood-") as tmp:
        directory = Path(tmp)
        fixture = build_fixture(directory)
        figures: dict[str, Any] = {"seconds": args.seconds, "clients": args.clients}
        for name, clients, throttle in (("baseline", 0, True), ("flood", args.clients, True),
                                        ("flood_throttle_off", args.clients, False)):
            with server(fixture, directory, name, throttle) as proc:
                figures[name] = asyncio.run(phase(proc, fixture, args.seconds, clients))
    base = figures["baseline"]["p99_ms"]
    figures["ratio_p99_flood"] = figures["flood"]["p99_ms"] / base
    figures["ratio_p99_flood_throttle_off"] = figures["flood_throttle_off"]["p99_ms"] / base
    figures["load_average"] = [load_before, os.getloadavg()[0]]
    print(f"load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after")
    print(f"{'phase':<22}{'presses':>8}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}"
          f"{'server CPU':>12}  logins by status")
    for name in ("baseline", "flood", "flood_throttle_off"):
        f = figures[name]
        print(f"{name:<22}{f['presses']:>8}{f['p50_ms']:>9.1f}{f['p99_ms']:>9.1f}"
              f"{f['max_ms']:>9.1f}{f['server_cpu']:>12.2f}  {f['logins']}")
    print(f"ratio SOS p99 flood / baseline: {figures['ratio_p99_flood']:.2f}; "
          f"throttle off (what-if): {figures['ratio_p99_flood_throttle_off']:.2f}")
    line = json.dumps(figures)
    if args.json:
        args.json.write_text(line + "\n")
    print(line)


if __name__ == "__main__":
    main()
