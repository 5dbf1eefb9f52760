"""The camera prober: every active camera with an address checked on a schedule, in the
server process, so no camera stays "not checked" because nobody opened it.

Each sweep (``interval_s``, a minute by default) lists the cameras once and gives each its
moment, spread evenly over the sweep, so 400 cameras are 400 small probes, not one burst.
RTSP probes run ffmpeg: at most ``max_processes`` at once; the rest wait their turn (a
camera still waiting or being probed is not queued twice, so a slow network makes cameras
checked less often, never skipped). HTTP snapshot and demo cameras go through the snapshot
sources, at most ``MAX_REQUESTS`` at once.

Writes are few, for the single SQLite writer: a state change is written at the next tick
(all changes of that tick in one transaction, with the history and any alert); the
checked-at time, latency and picture size of every camera once per sweep, in one write.
The schedule runs on the app's clock, so a test steps it with a manual one.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import shutil
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from safetyzone.core.clock import Clock
from safetyzone.core.db import Database
from safetyzone.core.outbound import OutboundPolicy, Resolver
from safetyzone.core.secretbox import SecretBox
from safetyzone.video import downalerts, health_store
from safetyzone.video.health_store import ProbeTarget, Reading
from safetyzone.video.media import tools
from safetyzone.video.models import CameraState
from safetyzone.video.probe import ProbeResult, offline, probe_snapshot, probe_stream
from safetyzone.video.sources import Sources

log = logging.getLogger(__name__)
TICK_S = 1.0
MAX_REQUESTS = 32
DEMO_OFFLINE = "demo: simulated fault, the camera does not answer (ภาพจำลอง / simulated)"
DEMO_FROZEN = "demo: simulated fault, the same picture again (ภาพจำลอง / simulated)"
StreamProbe = Callable[[ProbeTarget], Awaitable[ProbeResult]]


def scheme(target: ProbeTarget) -> str:
    return target.address.url.split(":", 1)[0].lower()


class Schedule:
    """One sweep: each camera's moment, evenly spread from ``start`` over ``interval``."""

    def __init__(self, targets: Sequence[ProbeTarget], start: datetime, interval: timedelta
                 ) -> None:
        # Ordered by a hash of the id: stations interleave, and a camera keeps its place.
        ordered = sorted(targets, key=lambda t: hashlib.blake2b(t.camera_id.bytes).digest())
        step = interval / max(1, len(ordered))
        self.slots = [(start + step * i, t) for i, t in enumerate(ordered)]
        self.end = start + interval
        self._next = 0

    def due(self, now: datetime) -> list[ProbeTarget]:
        """The cameras whose moment has come since the last call."""
        out = []
        while self._next < len(self.slots) and self.slots[self._next][0] <= now:
            out.append(self.slots[self._next][1])
            self._next += 1
        return out

    def over(self, now: datetime) -> bool:
        return now >= self.end


@dataclass
class Seen:
    """What the prober knows of a camera between writes."""

    state: CameraState
    since: datetime
    detail: str | None
    down_since: datetime | None = None
    digest: bytes | None = None
    alert_incident_id: uuid.UUID | None = None
    alert_checked: bool = False  # this outage was looked at for an alert already
    recovered_from: datetime | None = None  # when the outage that just ended began


def parse_faults(value: str) -> dict[str, CameraState]:
    """``CODE=offline,CODE=frozen`` as camera codes (lower case) to states."""
    out = {}
    for part in value.split(","):
        code, _, state = part.strip().partition("=")
        if code.strip():
            out[code.strip().lower()] = CameraState(state.strip().lower())
    return out


class CameraProber:
    def __init__(self, *, db: Database, clock: Clock, secrets_box: SecretBox,
                 policy: OutboundPolicy, work_dir: Path, interval_s: float = 60.0,
                 max_processes: int = 8, timeout_s: float = 15.0,
                 alert_after_s: float = 300.0, sim_faults: str = "auto",
                 resolve: Resolver | None = None, stream_probe: StreamProbe | None = None,
                 tick_s: float = TICK_S) -> None:
        self.db, self.clock, self.secrets = db, clock, secrets_box
        self.policy, self.resolve, self.work_dir = policy, resolve, work_dir
        self.interval = timedelta(seconds=interval_s)
        self.timeout_s, self.tick_s = timeout_s, tick_s
        self.alert_after = timedelta(seconds=alert_after_s)
        self.sim_faults = sim_faults
        self.sources: Sources | None = None
        self._stream_probe = stream_probe or self._probe_stream
        self._processes = asyncio.Semaphore(max_processes)
        self._requests = asyncio.Semaphore(MAX_REQUESTS)
        self._seen: dict[uuid.UUID, Seen] = {}
        self._pending: dict[uuid.UUID, Reading] = {}
        self._changed: set[uuid.UUID] = set()
        self._busy: set[uuid.UUID] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._schedule: Schedule | None = None
        self._faults: dict[uuid.UUID, CameraState] = {}
        self._fault_cameras: frozenset[uuid.UUID] | None = None
        self._loop: asyncio.Task[None] | None = None
        self._warned_no_ffmpeg = False
        self.running_processes = 0
        self.peak_processes = 0  # the most ffmpeg probes at once since the start (tests)
        self.writes = 0

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self, sources: Sources | None, *, loop: bool = True) -> None:
        self.sources = sources
        shutil.rmtree(self.work_dir, ignore_errors=True)
        self.work_dir.mkdir(parents=True, exist_ok=True)
        # What was stored is where each camera starts; an outage counts toward an alert only
        # once a probe of this run has seen it (a stale record raises nothing on its own).
        for row in await asyncio.to_thread(self._known):
            self._seen[row.camera_id] = Seen(row.state, row.since, row.detail, None,
                                             alert_incident_id=row.alert_incident_id,
                                             alert_checked=row.alert_incident_id is not None)
        if loop:
            self._loop = asyncio.create_task(self._run(), name="camera prober")

    async def stop(self) -> None:
        if self._loop is not None:
            self._loop.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._loop
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        with contextlib.suppress(Exception):  # what the last sweep learned, if it can
            await self.flush(everything=True)
        shutil.rmtree(self.work_dir, ignore_errors=True)

    async def _run(self) -> None:
        while True:
            try:
                await self.step()
            except Exception:  # one bad tick must not end the probing
                log.exception("camera prober tick failed")
            await asyncio.sleep(self.tick_s)

    # -- the schedule ------------------------------------------------------------------------

    async def step(self) -> None:
        """One tick: start the probes whose moment came, write what changed."""
        now = self.clock.now()
        if self._schedule is not None:
            self.launch(self._schedule.due(now))
        if self._schedule is None or self._schedule.over(now):
            if self._schedule is not None:
                await self.flush(everything=True)  # one write per sweep for all cameras
            targets = await asyncio.to_thread(self._targets)
            probed = {t.camera_id for t in targets}
            for camera_id, seen in self._seen.items():
                if camera_id not in probed:  # retired, in maintenance, no address: no alert
                    seen.down_since = None
            self._schedule = Schedule(targets, now, self.interval)
            self.launch(self._schedule.due(now))
        await self.flush(everything=False)

    def launch(self, targets: list[ProbeTarget]) -> None:
        """Start a probe of each target now (at most the caps at once; one per camera)."""
        for target in targets:
            if target.camera_id in self._busy:
                continue  # still waiting or being probed from the last sweep
            self._busy.add(target.camera_id)
            task = asyncio.create_task(self._probe(target), name=f"probe {target.code}")
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def drain(self) -> None:
        """Wait for every started probe (tests, and a last sweep before stopping)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    # -- probing -----------------------------------------------------------------------------

    async def _probe(self, target: ProbeTarget) -> None:
        try:
            result = await self._look(target)
            if result is not None:
                self._observe(target, result, self.clock.now())
        except Exception:
            log.exception("probing camera %s failed", target.code)
        finally:
            self._busy.discard(target.camera_id)

    async def _look(self, target: ProbeTarget) -> ProbeResult | None:
        kind = scheme(target)
        fault = self._faults.get(target.camera_id)
        if kind == "sim" and fault is CameraState.OFFLINE:
            return offline(DEMO_OFFLINE)
        if kind in {"sim", "http", "https"}:
            if self.sources is None:
                return None
            source = self.sources.sim if kind == "sim" else self.sources.http
            async with self._requests:
                result = await probe_snapshot(source, target.address, code=target.code,
                                              now=self.clock.now())
            if fault is CameraState.FROZEN:  # it answers, with the same picture (demo)
                return ProbeResult(CameraState.FROZEN, DEMO_FROZEN, result.latency_ms,
                                   result.width, result.height)
            return result
        if kind in {"rtsp", "rtsps"}:
            async with self._processes:
                self.running_processes += 1
                self.peak_processes = max(self.peak_processes, self.running_processes)
                try:
                    return await self._stream_probe(target)
                finally:
                    self.running_processes -= 1
        return offline(f"camera {target.code}: no stream or snapshot address to check")

    async def _probe_stream(self, target: ProbeTarget) -> ProbeResult | None:
        ffmpeg = tools.find("ffmpeg")
        if ffmpeg is None:  # the server's problem, not the camera's: leave it unchecked
            if not self._warned_no_ffmpeg:
                log.warning("ffmpeg is not installed: RTSP cameras are not probed")
                self._warned_no_ffmpeg = True
            return None
        return await probe_stream(target.address, code=target.code, policy=self.policy,
                                  work_dir=self.work_dir, ffmpeg=ffmpeg,
                                  timeout_s=self.timeout_s, resolve=self.resolve)

    def _observe(self, target: ProbeTarget, result: ProbeResult, now: datetime) -> None:
        seen = self._seen.get(target.camera_id)
        state, detail = result.state, result.detail
        if (state is CameraState.ONLINE and result.digest is not None and seen is not None
                and seen.digest == result.digest):
            state, detail = CameraState.FROZEN, "the same picture as at the last check"
        before = (seen.state, seen.since) if seen is not None else None
        if seen is None:
            seen = self._seen[target.camera_id] = Seen(state, now, detail)
        elif seen.state is not state:
            seen.state, seen.since = state, now
        changed = before is None or before[0] is not state
        seen.detail, seen.digest = detail, result.digest
        was_down = before is not None and before[0] is not CameraState.ONLINE
        if state is CameraState.ONLINE:
            if was_down and before is not None:
                seen.recovered_from = seen.down_since or before[1]
            seen.down_since, seen.alert_checked = None, False
        elif seen.down_since is None:
            # Down before a restart and still down: the outage began then, not now.
            seen.down_since = before[1] if was_down and before is not None else seen.since
        self._pending[target.camera_id] = Reading(
            target.camera_id, target.station_id, state, seen.since, detail, checked_at=now,
            latency_ms=result.latency_ms, width=result.width, height=result.height)
        if changed:
            self._changed.add(target.camera_id)
            log.info("camera %s is %s", target.code, state.value)

    # -- writing -----------------------------------------------------------------------------

    async def flush(self, *, everything: bool) -> None:
        """Write the changes (and due alerts and recoveries); with ``everything``, also the
        checked-at times of all cameras probed since the last such write."""
        now = self.clock.now()
        ids = list(self._pending) if everything else [i for i in self._changed
                                                      if i in self._pending]
        alerts = [(i, s.state, s.down_since) for i, s in self._seen.items()
                  if s.down_since is not None and not s.alert_checked
                  and s.alert_incident_id is None and now - s.down_since >= self.alert_after]
        recoveries = [(i, s) for i, s in self._seen.items()
                      if s.state is CameraState.ONLINE and s.alert_incident_id is not None]
        ended = [(i, s.recovered_from) for i, s in recoveries]
        if not ids and not alerts and not recoveries:
            return
        readings = [self._pending.pop(i) for i in ids]
        self._changed.difference_update(ids)
        try:
            raised = await asyncio.to_thread(self._write, readings, alerts, ended, now)
        except Exception:
            for reading in readings:  # kept for the next write, unless newer is there
                self._pending.setdefault(reading.camera_id, reading)
                self._changed.add(reading.camera_id)
            raise
        self.writes += 1
        for camera_id, incident_id in raised.items():
            seen = self._seen.get(camera_id)
            if seen is not None:
                seen.alert_checked, seen.alert_incident_id = True, incident_id
        for _, seen in recoveries:
            seen.alert_incident_id, seen.recovered_from = None, None

    def _write(self, readings: list[Reading],
               alerts: Sequence[tuple[uuid.UUID, CameraState, datetime]],
               recoveries: list[tuple[uuid.UUID, datetime | None]], now: datetime
               ) -> dict[uuid.UUID, uuid.UUID | None]:
        raised: dict[uuid.UUID, uuid.UUID | None] = {}
        with self.db.write() as session:
            health_store.record(session, readings=readings)
            session.flush()
            for camera_id, down_since in recoveries:
                downalerts.recover(session, camera_id=camera_id, down_since=down_since,
                                   now=now)
            for camera_id, state, down_since in alerts:
                raised[camera_id] = downalerts.raise_alert(
                    session, camera_id=camera_id, state=state, down_since=down_since, now=now)
        return raised

    # -- reading -----------------------------------------------------------------------------

    def _known(self) -> list[health_store.Known]:
        with self.db.read() as session:
            return health_store.known(session)

    def _targets(self) -> list[ProbeTarget]:
        with self.db.read() as session:
            targets = health_store.probe_targets(session, secrets=self.secrets)
            sims = frozenset(t.camera_id for t in targets if scheme(t) == "sim")
            if sims != self._fault_cameras:
                self._faults = self._choose_faults(session, [t for t in targets
                                                             if t.camera_id in sims])
                self._fault_cameras = sims
        return targets

    def _choose_faults(self, session: Session, sims: list[ProbeTarget]
                       ) -> dict[uuid.UUID, CameraState]:
        if self.sim_faults == "none" or not sims:
            return {}
        if self.sim_faults != "auto":
            wanted = parse_faults(self.sim_faults)
            return {t.camera_id: wanted[t.code.lower()] for t in sims
                    if t.code.lower() in wanted}
        out: dict[uuid.UUID, CameraState] = {}
        by_station: dict[uuid.UUID, list[ProbeTarget]] = {}
        for target in sims:
            by_station.setdefault(target.station_id, []).append(target)
        for targets in by_station.values():
            states = [CameraState.OFFLINE, CameraState.FROZEN]
            for target in sorted(targets, key=lambda t: t.code):
                if not states:
                    break
                if downalerts.covers_nothing(session, camera_ids=[target.camera_id]):
                    out[target.camera_id] = states.pop(0)
        return out

