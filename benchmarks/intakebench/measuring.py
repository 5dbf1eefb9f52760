"""Closed-loop load, CPU from /proc, percentiles and the inbox counts."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sqlite3
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from intakebench.client import HttpConn, Maker

# --------------------------------------------------------------------------- measuring


def cpu_seconds(pid: int, tid: int | None = None) -> float:
    """User + system CPU seconds of a process (all its threads) or of one thread."""
    path = f"/proc/{pid}/stat" if tid is None else f"/proc/{pid}/task/{tid}/stat"
    with open(path) as f:
        fields = f.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


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
