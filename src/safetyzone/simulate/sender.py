"""Playing the plan in real time against a server, through the public intake.

:class:`Simulator` sends ``plan.Simulation``'s events (``POST /api/v1/intake/events`` and
``.../events/batch``), each device with its own token, over an HTTP keep-alive connection
pool. Fast reporters are batched per device; SOS, alarms and officer SOS go alone and
first. A retry after a connection error sends the same body (same ``device_event_id``), so
the server stores it at most once. :class:`BackgroundSimulator` runs one in a thread (the
demo).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import random
import secrets
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx

from safetyzone.core.clock import Clock, SystemClock
from safetyzone.simulate import citizens
from safetyzone.simulate.devices import DevicesFile
from safetyzone.simulate.plan import CITIZEN_REPORT, Planned, SimConfig, Simulation

log = logging.getLogger(__name__)

RETRY_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})
INTAKE = "/api/v1/intake/events"


# --- sending --------------------------------------------------------------------------------


@dataclass
class Stats:
    """Counts in events (a batch of 50 counts 50). ``acked`` counts each event once, retries
    included, so it equals the inbox rows this run created."""

    sent: int = 0
    acked: int = 0
    replayed: int = 0  # acknowledged as already stored (a retry whose first try landed)
    errors: int = 0
    retries: int = 0
    requests: int = 0
    by_kind: Counter[str] = field(default_factory=Counter)
    last_fix: dict[str, tuple[float, float, float]] = field(default_factory=dict)
    started: float = field(default_factory=time.monotonic)
    sim_seconds: float = 0.0

    def line(self) -> str:
        elapsed = max(time.monotonic() - self.started, 1e-9)
        kinds = ", ".join(f"{k} {n}" for k, n in sorted(self.by_kind.items()))
        return (f"sent {self.sent}, acked {self.acked}, errors {self.errors}, "
                f"retries {self.retries}, {self.acked / elapsed:.1f} events/s over "
                f"{elapsed:.0f} s" + (f" ({kinds})" if kinds else ""))


@dataclass(frozen=True)
class _Job:
    token: str = field(repr=False)
    events: list[Planned]


class Simulator:
    """Plays a :class:`Simulation` in real time against a server (see the module docstring)."""

    def __init__(self, url: str, devices: DevicesFile, config: SimConfig | None = None, *,
                 seed: int = 1, concurrency: int = 8, clock: Clock | None = None,
                 run_id: str | None = None, summary_every: float = 10.0,
                 max_attempts: int = 5, drain_s: float = 10.0, timeout_s: float = 10.0,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.url = url.rstrip("/")
        self.devices = devices
        self.config = config or SimConfig()
        self.seed = seed
        self.concurrency = concurrency
        self.clock: Clock = clock or SystemClock()
        self.run_id = run_id or f"sim-{seed}-{secrets.token_hex(4)}"
        self.summary_every = summary_every
        self.max_attempts = max(1, max_attempts)
        self.drain_s = drain_s
        self.timeout_s = timeout_s
        self.stats = Stats()
        self.simulation: Simulation | None = None
        self._transport = transport
        self._backoff = random.Random(seed)  # noqa: S311 - retry jitter
        self._order = itertools.count()
        self._refusals = 0
        self._consent: str | None = None

    def _client(self) -> httpx.AsyncClient:
        limits = httpx.Limits(max_connections=self.concurrency,
                              max_keepalive_connections=self.concurrency)
        return httpx.AsyncClient(base_url=self.url, limits=limits, transport=self._transport,
                                 timeout=httpx.Timeout(self.timeout_s, connect=5.0),
                                 headers={"User-Agent": "ssz-simulate/1"})

    async def wait_ready(self, stop: threading.Event | None = None,
                         within_s: float = 120.0) -> bool:
        """Poll ``/readyz`` until the server answers 200; False after ``within_s`` or stop."""
        deadline = time.monotonic() + within_s
        async with self._client() as client:
            while time.monotonic() < deadline and not (stop and stop.is_set()):
                try:
                    if (await client.get("/readyz", timeout=2.0)).status_code == 200:
                        return True
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.25)
        return False

    async def run(self, duration: float | None = None,
                  stop: threading.Event | None = None) -> Stats:
        """Send until ``duration`` simulated seconds (≈ wall seconds) or until ``stop``."""
        self.stats = Stats()
        sim = Simulation(self.devices, self.config, seed=self.seed, start=self.clock.now(),
                         run_id=self.run_id)
        self.simulation = sim
        queue: asyncio.PriorityQueue[tuple[int, int, _Job]] = asyncio.PriorityQueue(
            maxsize=self.concurrency * 4)
        buffers: dict[str, list[Planned]] = {}
        log.info("simulating %d devices of %d stations against %s: %g events/s "
                 "(GPS every %.2g s per unit), seed %d, run %s", self.devices.device_count,
                 len(self.devices.stations), self.url, self.config.rate, sim.gps_interval,
                 self.seed, self.run_id)
        async with self._client() as client:
            workers = [asyncio.create_task(self._worker(client, queue), name=f"sim-send-{i}")
                       for i in range(self.concurrency)]
            try:
                start = time.monotonic()
                next_summary = start + self.summary_every
                last_acked, last_time = 0, start
                while True:
                    now = time.monotonic()
                    target = now - start if duration is None else min(now - start, duration)
                    for event in sim.advance_to(target):
                        if event.batchable:
                            buffers.setdefault(event.key, []).append(event)
                        else:
                            await self._put(queue, [event])
                    await self._flush(queue, buffers, sim.now, everything=False)
                    self.stats.sim_seconds = sim.now
                    if now >= next_summary:
                        rate = (self.stats.acked - last_acked) / max(now - last_time, 1e-9)
                        log.info("simulator: %s; last %.0f s: %.1f events/s, %.1f s behind",
                                 self.stats.line(), now - last_time, rate,
                                 max(0.0, now - start - sim.now))
                        last_acked, last_time = self.stats.acked, now
                        next_summary = now + self.summary_every
                    if (duration is not None and target >= duration) or (stop and stop.is_set()):
                        break
                    await asyncio.sleep(0.05)
                try:
                    await asyncio.wait_for(self._drain(queue, buffers, sim.now), self.drain_s)
                except TimeoutError:
                    log.warning("simulator: %d requests still unanswered after %.0f s; "
                                "giving up on them", queue.qsize(), self.drain_s)
            finally:
                for worker in workers:
                    worker.cancel()
                await asyncio.gather(*workers, return_exceptions=True)
        log.info("simulator stopped: %s", self.stats.line())
        return self.stats

    async def _put(self, queue: asyncio.PriorityQueue[tuple[int, int, _Job]],
                   events: list[Planned]) -> None:
        priority = 0 if events[0].urgent else 1
        await queue.put((priority, next(self._order), _Job(events[0].token, events)))

    async def _flush(self, queue: asyncio.PriorityQueue[tuple[int, int, _Job]],
                     buffers: dict[str, list[Planned]], now: float, *, everything: bool) -> None:
        for key in list(buffers):
            pending = buffers[key]
            while pending and (everything or len(pending) >= self.config.batch_max
                               or now - pending[0].t >= self.config.flush_s):
                chunk, pending[:] = pending[:self.config.batch_max], pending[self.config.batch_max:]
                await self._put(queue, chunk)
            if not pending:
                del buffers[key]

    async def _drain(self, queue: asyncio.PriorityQueue[tuple[int, int, _Job]],
                     buffers: dict[str, list[Planned]], now: float) -> None:
        await self._flush(queue, buffers, now, everything=True)
        await queue.join()

    async def _worker(self, client: httpx.AsyncClient,
                      queue: asyncio.PriorityQueue[tuple[int, int, _Job]]) -> None:
        while True:
            _, _, job = await queue.get()
            try:
                await self._send(client, job)
            except Exception:  # a bug here must not silently stop a sender
                log.exception("simulator: sending %d events failed", len(job.events))
                self.stats.errors += len(job.events)
            finally:
                queue.task_done()

    async def _send(self, client: httpx.AsyncClient, job: _Job) -> None:
        n = len(job.events)
        citizen = job.events[0].kind == CITIZEN_REPORT  # a phone: the public API, no token
        if citizen:
            version = await self._consent_version(client)
            if version is None:
                self._refused(job, "the public catalog did not answer")
                return
            path, ok = citizens.REPORTS, 201
            body = {**job.events[0].body, "consent": {"purposes": ["report"],
                                                      "version": version}}
        elif n == 1:
            path, body, ok = INTAKE, job.events[0].body, 200
        else:
            path, body, ok = f"{INTAKE}/batch", {"events": [e.body for e in job.events]}, 200
        headers = {} if citizen else {"Authorization": f"Bearer {job.token}"}
        self.stats.sent += n
        for attempt in range(1, self.max_attempts + 1):
            self.stats.requests += 1
            try:
                response = await client.post(path, json=body, headers=headers)
            except httpx.TransportError as err:
                if attempt == self.max_attempts:
                    self._refused(job, f"{type(err).__name__}: {err}")
                    return
            else:
                if response.status_code == ok:
                    self._acked(job, replayed=response.headers.get("idempotent-replayed")
                                == "true")
                    return
                if response.status_code not in RETRY_STATUS or attempt == self.max_attempts:
                    self._refused(job, f"HTTP {response.status_code} {response.text[:300]}")
                    return
            self.stats.retries += 1
            await asyncio.sleep(min(4.0, 0.25 * 2 ** (attempt - 1))
                                * (0.5 + self._backoff.random()))

    async def _consent_version(self, client: httpx.AsyncClient) -> str | None:
        """Read once from the catalog, as the public app does before it asks for consent."""
        if self._consent is None:
            try:
                response = await client.get(citizens.CATALOG)
                if response.status_code == 200:
                    self._consent = citizens.consent_version(response.json())
            except (httpx.TransportError, KeyError, StopIteration, ValueError) as err:
                log.warning("simulator: reading the public catalog failed: %s", err)
        return self._consent

    def _acked(self, job: _Job, *, replayed: bool) -> None:
        self.stats.acked += len(job.events)
        if replayed:
            self.stats.replayed += len(job.events)
        for event in job.events:
            self.stats.by_kind[event.kind] += 1
            location = event.body.get("location")
            if event.kind == "gps.position" and location:
                seen = self.stats.last_fix.get(event.key)
                if seen is None or seen[0] < event.t:
                    self.stats.last_fix[event.key] = (event.t, location["lat"], location["lon"])

    def _refused(self, job: _Job, why: str) -> None:
        self.stats.errors += len(job.events)
        self._refusals += 1
        if self._refusals <= 10 or self._refusals % 1000 == 0:
            log.warning("simulator: %d %s event(s) from %s not accepted (%d so far): %s",
                        len(job.events), job.events[0].kind, job.events[0].key,
                        self._refusals, why)


class BackgroundSimulator:
    """A simulator on its own thread and event loop, for ``ssz demo`` and tests.

    It waits for the server's ``/readyz`` first; ``stop()`` asks it to finish what is in
    flight (bounded by the simulator's ``drain_s``) and waits for the thread.
    """

    def __init__(self, simulator: Simulator, *, duration: float | None = None,
                 wait_ready_s: float = 120.0) -> None:
        self.simulator = simulator
        self._duration = duration
        self._wait_ready_s = wait_ready_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.error: BaseException | None = None

    @property
    def stats(self) -> Stats:
        return self.simulator.stats

    def start(self) -> None:
        self._thread = threading.Thread(target=self._main, name="ssz-simulator", daemon=True)
        self._thread.start()

    def _main(self) -> None:
        try:
            asyncio.run(self._amain())
        except Exception as err:
            self.error = err
            log.exception("simulator stopped on an error")

    async def _amain(self) -> None:
        if not await self.simulator.wait_ready(self._stop, self._wait_ready_s):
            if not self._stop.is_set():
                log.warning("simulator: %s did not become ready; not simulating",
                            self.simulator.url)
            return
        await self.simulator.run(duration=self._duration, stop=self._stop)

    def request_stop(self) -> None:
        self._stop.set()

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the thread; True when it has ended."""
        if self._thread is not None:
            self._thread.join(timeout)
            return not self._thread.is_alive()
        return True

    def stop(self, timeout: float = 15.0) -> bool:
        self.request_stop()
        return self.join(timeout)
