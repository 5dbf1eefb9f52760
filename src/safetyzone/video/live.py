"""The live desk: cameras' streams restreamed to browsers, one ffmpeg per camera watched.

A viewing session starts with a request that is checked like a snapshot (the caller's role
and station, then the owner's sharing terms *now*: a live-on-alarm camera needs an open
incident docking it at that moment), counted against the camera's viewer limit, and audited
(``camera.live.start``; its end, with the reason and length, ``camera.live.end``). The
session is a random token in the playlist's path; the playlist and segments are served only
to the person who opened it, so a copied link is useless to anyone else.

The first viewer of a camera starts its ffmpeg (``media.hls``); the last one leaving stops it
after a short linger (a viewer flicking between views does not restart it). A stream that
dies while people watch is started again with a growing pause, and the reason (ffmpeg's last
words, credentials removed) is kept for the admins. Sessions live in this process: behind a
load balancer a viewer's requests must reach the node that opened the session (sticky).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import shutil
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from safetyzone.core.clock import Clock
from safetyzone.core.db import Database
from safetyzone.core.errors import NotFound, TooManyRequests, UpstreamFailed
from safetyzone.core.outbound import AddressRefused, OutboundPolicy, Resolver
from safetyzone.core.secretbox import SecretBox
from safetyzone.core.security import Scope
from safetyzone.video import service
from safetyzone.video.media import hls, tools
from safetyzone.video.media.inputs import NoStream, has_stream, open_input
from safetyzone.video.media.process import MediaProcess

log = logging.getLogger(__name__)

MAX_VIEWERS = 8  # per camera: a camera's uplink and a shop owner's patience are both finite
# Per person and camera (the wall, the incident panel and a popped-out wall of one console):
# a fourth session ends that person's oldest, so nobody holds a camera's every seat.
PER_PERSON = 3
IDLE_S = 20.0  # a session whose player asked nothing for this long has ended
LINGER_S = 15.0  # a stream nobody watches keeps running this long before it is stopped
READY_WAIT_S = 12.0  # how long a first playlist request waits for ffmpeg's first segments
SWEEP_S = 2.0
RESOLVE_S = 3.0
RETRY_S = (2.0, 4.0, 8.0, 15.0, 30.0)


@dataclass
class Viewer:
    token: str
    user_id: uuid.UUID
    username: str
    camera_id: uuid.UUID
    station_id: uuid.UUID
    code: str
    started: datetime
    last_seen: float  # monotonic


@dataclass
class Restream:
    camera_id: uuid.UUID
    code: str
    directory: Path
    target: service.Target
    process: MediaProcess | None = None
    failures: int = 0
    retry_at: float = 0.0
    idle_since: float | None = None
    problem: str | None = None  # why the last process ended, for admins
    viewers: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Ticket:
    token: str
    camera_id: uuid.UUID
    code: str
    viewers: int
    max_viewers: int


class LiveDesk:
    def __init__(self, *, db: Database, clock: Clock, secrets_box: SecretBox,
                 policy: OutboundPolicy, root: Path, resolve: Resolver | None = None,
                 max_viewers: int = MAX_VIEWERS, idle_s: float = IDLE_S,
                 linger_s: float = LINGER_S) -> None:
        self.db, self.clock, self.secrets = db, clock, secrets_box
        self.policy, self.resolve = policy, resolve
        self.root = root
        self.max_viewers, self.idle_s, self.linger_s = max_viewers, idle_s, linger_s
        self._viewers: dict[str, Viewer] = {}
        self._streams: dict[uuid.UUID, Restream] = {}
        self._lock = asyncio.Lock()
        self._sweeper: asyncio.Task[None] | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        # What an earlier run left (segments of streams long gone) is never served.
        shutil.rmtree(self.root, ignore_errors=True)
        self.root.mkdir(parents=True, exist_ok=True)
        self._sweeper = asyncio.create_task(self._sweep_forever(), name="live sweeper")

    async def stop(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
        async with self._lock:
            for token in list(self._viewers):
                await self._end(token, "server stopping")
            for stream in list(self._streams.values()):
                await self._stop_stream(stream)

    # -- viewing sessions --------------------------------------------------------------------

    async def open(self, scope: Scope, camera_id: uuid.UUID) -> Ticket:
        """Start a viewing session, or say why not (403 terms, 409 no stream, 429 full)."""
        target = await asyncio.to_thread(self._target, scope, camera_id)
        if not has_stream(target.address):
            raise NoStream("this camera has no live stream (no RTSP address); its snapshots "
                           "are shown instead")
        ffmpeg = tools.require("ffmpeg")
        async with self._lock:
            stream = self._streams.get(camera_id)
            if stream is not None:
                mine = sorted((self._viewers[t] for t in stream.viewers
                               if self._viewers[t].user_id == scope.user_id),
                              key=lambda v: v.last_seen)
                for old in mine[:max(0, len(mine) - PER_PERSON + 1)]:
                    await self._end(old.token, "replaced")
            watching = len(stream.viewers) if stream else 0
            if watching >= self.max_viewers:
                raise TooManyRequests(
                    detail=f"{watching} people are watching camera {target.code}, its limit; "
                           "try again when one of them closes it",
                    code="camera-viewers-full", retry_after_s=10)
            if stream is None:
                stream = Restream(camera_id, target.code, self.root / camera_id.hex, target)
                self._streams[camera_id] = stream
            stream.target = target  # the address may have changed since it started
            if stream.process is None or not stream.process.running:
                await self._start_stream(stream, ffmpeg)
            token = secrets.token_urlsafe(24)
            self._viewers[token] = Viewer(
                token, scope.user_id, scope.username, camera_id, target.station_id,
                target.code, self.clock.now(), time.monotonic())
            stream.viewers.add(token)
            stream.idle_since = None
            count = len(stream.viewers)
        await asyncio.to_thread(self._audit, scope.username, "camera.live.start", target,
                                {"code": target.code, "session": token[:8]}, scope)
        return Ticket(token, camera_id, target.code, count, self.max_viewers)

    async def file(self, scope: Scope, token: str, name: str) -> Path:
        """A file of the session's stream; waits for the first playlist while ffmpeg starts."""
        viewer = self._viewers.get(token)
        if viewer is None or viewer.user_id != scope.user_id or not hls.SERVED_NAME.match(name):
            raise NotFound("no such live session (it ended, or it is not yours)")
        viewer.last_seen = time.monotonic()
        stream = self._streams[viewer.camera_id]
        path = stream.directory / name
        deadline = time.monotonic() + (READY_WAIT_S if name == hls.PLAYLIST else 0.0)
        while True:
            if path.is_file():
                if name != hls.PLAYLIST:
                    stream.failures = 0  # it delivers: the next failure pauses briefly again
                return path
            if stream.problem and (stream.process is None or not stream.process.running):
                raise UpstreamFailed(detail="the camera's stream is not available now; "
                                            "the server keeps trying",
                                     code="camera-unavailable")
            if time.monotonic() >= deadline:
                raise NotFound("not there (yet): the stream is starting or moved on")
            await asyncio.sleep(0.1)

    async def close(self, scope: Scope, token: str) -> None:
        viewer = self._viewers.get(token)
        if viewer is None or viewer.user_id != scope.user_id:
            raise NotFound("no such live session (it ended, or it is not yours)")
        async with self._lock:
            await self._end(token, "closed")

    def watching(self, camera_id: uuid.UUID) -> int:
        stream = self._streams.get(camera_id)
        return len(stream.viewers) if stream else 0

    def running_streams(self) -> int:
        return sum(1 for s in self._streams.values() if s.process and s.process.running)

    # -- inside ------------------------------------------------------------------------------

    async def _start_stream(self, stream: Restream, ffmpeg: str) -> None:
        shutil.rmtree(stream.directory, ignore_errors=True)
        stream.directory.mkdir(parents=True)
        try:
            async with asyncio.timeout(RESOLVE_S):
                media = await open_input(stream.target.address, code=stream.code,
                                         policy=self.policy, work_dir=self.root,
                                         resolve=self.resolve)
        except (AddressRefused, NoStream, OSError, TimeoutError) as err:
            stream.problem = (err.detail if isinstance(err, AddressRefused | NoStream)
                              else f"the camera's host name does not resolve ({err})")
            raise UpstreamFailed(detail="the camera's stream is not available",
                                 code="camera-unavailable") from err
        process = MediaProcess(hls.restream_argv(ffmpeg, media, stream.directory),
                               name=f"live {stream.code}", env=media.env)
        await process.start()
        stream.process, stream.problem, stream.retry_at = process, None, 0.0

    async def _stop_stream(self, stream: Restream) -> None:
        if stream.process is not None:
            await stream.process.stop()
        shutil.rmtree(stream.directory, ignore_errors=True)
        self._streams.pop(stream.camera_id, None)

    async def _end(self, token: str, reason: str) -> None:
        viewer = self._viewers.pop(token, None)
        if viewer is None:
            return
        stream = self._streams.get(viewer.camera_id)
        if stream is not None:
            stream.viewers.discard(token)
            if not stream.viewers:
                stream.idle_since = time.monotonic()
        seconds = round((self.clock.now() - viewer.started).total_seconds())
        target = stream.target if stream else None
        if target is not None:
            await asyncio.to_thread(self._audit, viewer.username, "camera.live.end", target,
                                    {"code": viewer.code, "session": token[:8],
                                     "reason": reason, "seconds": seconds}, None)

    async def sweep(self) -> None:
        """End idle sessions, stop unwatched streams, restart failed ones (with a pause)."""
        now = time.monotonic()
        async with self._lock:
            for token, viewer in list(self._viewers.items()):
                if now - viewer.last_seen > self.idle_s:
                    await self._end(token, "idle")
            for stream in list(self._streams.values()):
                if not stream.viewers:
                    if stream.idle_since is None or now - stream.idle_since >= self.linger_s:
                        await self._stop_stream(stream)
                    continue
                process = stream.process
                if process is None or process.running:
                    continue
                if stream.retry_at == 0.0:  # it just died: note why, and when to try again
                    stream.problem = process.last_words() or f"ffmpeg exited {process.returncode}"
                    log.warning("live %s stopped: %s", stream.code, stream.problem)
                    pause = RETRY_S[min(stream.failures, len(RETRY_S) - 1)]
                    stream.failures += 1
                    stream.retry_at = now + pause
                elif now >= stream.retry_at:
                    stream.retry_at = 0.0
                    with contextlib.suppress(UpstreamFailed):
                        await self._start_stream(stream, tools.require("ffmpeg"))

    async def _sweep_forever(self) -> None:
        while True:
            await asyncio.sleep(SWEEP_S)
            try:
                await self.sweep()
            except Exception:  # one bad sweep must not end the sweeping
                log.exception("live sweep failed")

    def _target(self, scope: Scope, camera_id: uuid.UUID) -> service.Target:
        with self.db.read() as session:
            return service.snapshot_target(session, scope=scope, secrets=self.secrets,
                                           camera_id=camera_id, now=self.clock.now())

    def _audit(self, username: str, action: str, target: service.Target,
               detail: dict[str, object], scope: Scope | None) -> None:
        with self.db.write() as session:
            service.record_live(session, actor=scope, username=username, action=action,
                                target=target, at=self.clock.now(), detail=detail)
