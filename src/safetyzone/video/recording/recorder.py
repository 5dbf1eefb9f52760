"""The recorder: one ffmpeg per recording camera, run and watched by the server process.

Each pass (every second) it (1) starts ffmpeg for cameras whose policy records and stops it
for the others, restarting a dead one after a growing pause and keeping why it died (ffmpeg's
last words, credentials removed) for the admins; (2) reads the segment lists, hashes each
closed file and indexes it; (3) marks alarm footage: while an open incident docks a camera,
everything from pre-roll seconds before is kept, and for post-roll seconds after it ends;
(4) every ``prune_s`` deletes what the policies, retention and quotas say (``pruning``).

Time here is the wall clock that ffmpeg names its files by, not the app's clock: footage is
physical. ``sweep(now=...)`` takes another "now" so tests can look hours ahead.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import re
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from safetyzone.core.db import Database
from safetyzone.core.errors import SafetyZoneError
from safetyzone.core.outbound import OutboundPolicy, Resolver
from safetyzone.core.secretbox import SecretBox
from safetyzone.video.media import tools
from safetyzone.video.media.inputs import has_stream, open_input
from safetyzone.video.media.process import MediaProcess
from safetyzone.video.recording import pruning, recovery, segments, service
from safetyzone.video.recording.models import RecordingMode

log = logging.getLogger(__name__)

SWEEP_S = 1.0
PRUNE_S = 30.0
RESOLVE_S = 3.0
RETRY_S = (2.0, 4.0, 8.0, 15.0, 30.0, 60.0)
SEGMENT_S = 10
_SAFE = re.compile(r"[^A-Za-z0-9_.-]")


def folder_name(code: str, fallback: uuid.UUID) -> str:
    """A directory name from a code (letters, digits, ``_.-``), or the id when none."""
    cleaned = _SAFE.sub("_", code).strip("._")
    return cleaned[:64] or fallback.hex


@dataclass
class Camera:
    target: service.Recordable
    directory: Path
    process: MediaProcess | None = None
    reader: segments.ListReader | None = None
    runs: int = 0
    failures: int = 0
    restarts: int = 0
    retry_at: float = 0.0
    problem: str | None = None
    alarm_from: datetime | None = None
    alarm_until: datetime | None = None
    readers: list[segments.ListReader] = field(default_factory=list)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class Recorder:
    def __init__(self, *, db: Database, secrets_box: SecretBox, policy: OutboundPolicy,
                 root: Path, work_dir: Path, segment_s: int = SEGMENT_S,
                 resolve: Resolver | None = None, sweep_s: float = SWEEP_S,
                 prune_s: float = PRUNE_S) -> None:
        self.db, self.secrets, self.policy, self.resolve = db, secrets_box, policy, resolve
        self.root, self.work_dir, self.segment_s = root, work_dir, segment_s
        self.sweep_s, self.prune_s = sweep_s, prune_s
        self._cameras: dict[uuid.UUID, Camera] = {}
        self._task: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()
        self._pruned_at = time.monotonic()  # the first deletions a pass after start

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        await self.recover()
        self._task = asyncio.create_task(self._forever(), name="recorder")

    async def recover(self) -> int:
        """What an earlier server left: its ffmpeg stopped, its last files indexed."""
        return await asyncio.to_thread(recovery.recover, self.root, self._store_owned)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        async with self._lock:  # all at once: each ffmpeg may take its grace period
            await asyncio.gather(*(self._stop_camera(c) for c in self._cameras.values()))
            await self._index(datetime.now(UTC))  # the files each ffmpeg closed on its way out
            for camera in self._cameras.values():
                recovery.clear(camera.directory, [r.path for r in camera.readers])
            self._cameras.clear()

    def running(self) -> dict[uuid.UUID, service.Running]:
        return {cid: service.Running(bool(c.process and c.process.running), c.problem,
                                     c.restarts) for cid, c in self._cameras.items()}

    # -- one pass ----------------------------------------------------------------------------

    async def sweep(self, now: datetime | None = None, *, prune: bool | None = None) -> None:
        now = now or datetime.now(UTC)
        async with self._lock:
            await self._supervise(now)
            await self._index(now)
            await asyncio.to_thread(self._alarms, now)
            due = time.monotonic() - self._pruned_at >= self.prune_s
            if prune if prune is not None else due:
                self._pruned_at = time.monotonic()
                await self._prune(now)

    async def _forever(self) -> None:
        while True:
            try:
                await self.sweep()
            except Exception:  # one bad pass must not end the recording
                log.exception("recorder pass failed")
            await asyncio.sleep(self.sweep_s)

    async def _supervise(self, now: datetime) -> None:
        wanted = {t.camera_id: t for t in await asyncio.to_thread(self._recordables, now)}
        for camera_id, known in list(self._cameras.items()):
            target = wanted.get(camera_id)
            if target is None or target.refused or not has_stream(target.address):
                await self._stop_camera(known)
                known.problem = (target.refused if target and target.refused
                                 else "no RTSP stream address" if target else None)
                if target is None:  # its last files indexed, then it is forgotten
                    for reader in known.readers:
                        closed = reader.read(final=True)
                        if closed:
                            await asyncio.to_thread(self._store, known, closed)
                    recovery.clear(known.directory, [r.path for r in known.readers])
                    del self._cameras[camera_id]
        for camera_id, target in wanted.items():
            camera = self._cameras.get(camera_id)
            if camera is None:
                directory = (self.root / folder_name(target.station_code, target.station_id)
                             / folder_name(target.code, target.camera_id))
                camera = self._cameras[camera_id] = Camera(target, directory)
                if target.refused or not has_stream(target.address):
                    camera.problem = target.refused or "no RTSP stream address"
            camera.target = target
            if target.refused or not has_stream(target.address):
                continue
            process = camera.process
            if process is not None and process.running:
                continue
            if process is not None and camera.retry_at == 0.0:  # it just died: why, and when
                camera.problem = process.last_words() or f"ffmpeg exited {process.returncode}"
                log.warning("recording %s stopped: %s", target.code, camera.problem)
                camera.retry_at = time.monotonic() + RETRY_S[min(camera.failures,
                                                                 len(RETRY_S) - 1)]
                camera.failures += 1
                continue
            if process is not None and time.monotonic() < camera.retry_at:
                continue
            if process is not None:
                camera.restarts += 1
            camera.retry_at = 0.0
            await self._start_camera(camera)

    async def _start_camera(self, camera: Camera) -> None:
        target = camera.target
        try:
            ffmpeg = tools.require("ffmpeg")
            async with asyncio.timeout(RESOLVE_S):
                media = await open_input(target.address, code=target.code, policy=self.policy,
                                         work_dir=self.work_dir, resolve=self.resolve)
        except (SafetyZoneError, OSError, TimeoutError) as err:
            camera.problem = (err.detail if isinstance(err, SafetyZoneError)
                              else f"the camera's address does not resolve ({err})")
            camera.process = None
            camera.retry_at = time.monotonic() + RETRY_S[min(camera.failures, len(RETRY_S) - 1)]
            camera.failures += 1
            return
        camera.directory.mkdir(parents=True, exist_ok=True)
        camera.runs += 1
        listing = camera.directory / f"{segments.LIST_PREFIX}{int(time.time())}-{camera.runs}.csv"
        camera.readers.append(segments.ListReader(listing))
        env = (("TZ", "UTC"), *media.env)  # file names carry their offset either way
        process = MediaProcess(
            segments.record_argv(ffmpeg, media, camera.directory, listing, self.segment_s),
            name=f"record {target.code}", env=env)
        await process.start()
        camera.process = process
        if process.pid is not None:
            recovery.mark_camera(camera.directory, recovery.Owner(target.camera_id,
                                                                  target.station_id))
            recovery.mark_process(camera.directory, process.pid, listing)

    async def _stop_camera(self, camera: Camera) -> None:
        if camera.process is not None:
            await camera.process.stop()
            camera.process = None

    # -- the index ---------------------------------------------------------------------------

    async def _index(self, now: datetime) -> None:
        for camera in list(self._cameras.values()):
            running = camera.process is not None and camera.process.running
            for reader in list(camera.readers):
                ended = reader is not camera.readers[-1] or not running
                closed = reader.read(final=ended)
                if closed:
                    await asyncio.to_thread(self._store, camera, closed)
                    camera.failures = 0  # it delivers: the next failure pauses briefly again
                elif ended and reader is not camera.readers[-1]:  # an ended run, all read
                    with contextlib.suppress(OSError):
                        reader.path.unlink()
                    camera.readers.remove(reader)

    def _store_owned(self, owner: recovery.Owner, closed: list[segments.Closed]) -> None:
        """Index what an ffmpeg of an earlier server recorded (its alarms are unknown: the
        incidents still open mark them on the next pass, the rest is buffer)."""
        rows = self._hashed(closed)
        if rows:
            with self.db.write() as session:
                for item, size, digest in rows:
                    service.index_segment(
                        session, camera_id=owner.camera_id, station_id=owner.station_id,
                        starts_at=item.starts_at, ends_at=item.ends_at,
                        path=item.path.relative_to(self.root).as_posix(), size=size,
                        sha256=digest, alarm=False)

    def _hashed(self, closed: list[segments.Closed]
                ) -> list[tuple[segments.Closed, int, str]]:
        rows = []
        for item in closed:
            try:
                size = item.path.stat().st_size
                digest = sha256_of(item.path)
            except FileNotFoundError:
                continue
            if item.first:
                item = segments.first_clamped(item, self.segment_s)
            rows.append((item, size, digest))
        return rows

    def _store(self, camera: Camera, closed: list[segments.Closed]) -> None:
        rows = self._hashed(closed)
        if not rows:
            return
        target = camera.target
        with self.db.write() as session:
            for item, size, digest in rows:
                alarm = bool(camera.alarm_until and item.starts_at <= camera.alarm_until
                             and camera.alarm_from is not None and item.ends_at >= (
                                 camera.alarm_from - timedelta(seconds=target.pre_roll_s)))
                service.index_segment(
                    session, camera_id=target.camera_id, station_id=target.station_id,
                    starts_at=item.starts_at, ends_at=item.ends_at,
                    path=item.path.relative_to(self.root).as_posix(), size=size,
                    sha256=digest, alarm=alarm)

    # -- alarms and deletions ----------------------------------------------------------------

    def _alarms(self, now: datetime) -> None:
        cameras = {cid: c for cid, c in self._cameras.items()
                   if c.target.mode is not RecordingMode.NONE}
        if not cameras:
            return
        with self.db.write() as session:
            docked = service.alarmed(session, camera_ids=set(cameras))
            for camera_id, camera in cameras.items():
                target = camera.target
                if camera_id in docked:
                    if camera.alarm_from is None or (camera.alarm_until and
                                                     camera.alarm_until < now):
                        camera.alarm_from = now
                    camera.alarm_until = now + timedelta(seconds=target.post_roll_s)
                if camera.alarm_from is None or camera.alarm_until is None:
                    continue
                service.mark_alarm(session, camera_id=camera_id,
                                   since=camera.alarm_from - timedelta(
                                       seconds=target.pre_roll_s),
                                   until=camera.alarm_until)

    async def _prune(self, now: datetime) -> None:
        def work() -> list[str]:
            with self.db.write() as session:
                return pruning.prune(session, now=now).paths

        for path in await asyncio.to_thread(work):
            full = (self.root / path).resolve()
            if self.root.resolve() in full.parents:
                with contextlib.suppress(FileNotFoundError):
                    await asyncio.to_thread(full.unlink)

    def _recordables(self, now: datetime) -> list[service.Recordable]:
        with self.db.read() as session:
            return service.recordables(session, secrets=self.secrets, now=now)
