"""SOS latency: from the press to the console's WebSocket, with and without background load."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from intakebench.client import HttpConn, batch_maker, post, sos_json
from intakebench.common import COMMANDER, HOST, OPERATOR, SOS_RULE, STATION
from intakebench.measuring import (
    cpu_seconds,
    engine_figures,
    inbox_edge,
    percentile,
    thread_cpu,
    thread_share,
)
from intakebench.world import Fixture

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
