"""The snapshot desk: one place that answers "show me camera X now" for every screen.

For each request: check the caller may see the camera (in a database read, off the event
loop), fetch the picture from the camera's source with a short timeout, learn the camera's
health from the answer, and write to the database only when something changed (a new
health state or failure detail, a new viewing session). Two screens asking for one camera at
once share one fetch, and a picture younger than ``REUSE`` is handed out again instead of
asking the camera twice.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import httpx

from safetyzone.core.clock import Clock
from safetyzone.core.db import Database
from safetyzone.core.outbound import (
    DEFAULT_CAMERA_NETWORKS,
    OutboundPolicy,
    Resolver,
    parse_networks,
)
from safetyzone.core.secretbox import SecretBox
from safetyzone.core.security import Scope
from safetyzone.video import service
from safetyzone.video.health import HealthTracker, Observation, ViewSessions
from safetyzone.video.models import CameraState
from safetyzone.video.sources import (
    HttpSnapshotSource,
    NoSnapshotSource,
    SimSnapshotSource,
    Snapshot,
    SnapshotUnavailable,
    Sources,
)

log = logging.getLogger(__name__)
REUSE = timedelta(seconds=1)


@dataclass(frozen=True)
class Shown:
    snapshot: Snapshot
    state: CameraState


@dataclass
class SnapshotDesk:
    db: Database
    clock: Clock
    secrets: SecretBox
    policy: OutboundPolicy = field(
        default_factory=lambda: OutboundPolicy(parse_networks(DEFAULT_CAMERA_NETWORKS)))
    resolve: Resolver | None = None  # the system resolver unless a test gives its own
    sources: Sources | None = None
    health: HealthTracker = field(default_factory=HealthTracker)
    views: ViewSessions = field(default_factory=ViewSessions)
    # False when the prober (video.prober) keeps the health record: one writer of it, so
    # two views of one camera (a snapshot now, a probe a minute ago) never flap the history;
    # the desk then writes only a camera's first state, before the prober has checked it.
    write_health: bool = True

    def __post_init__(self) -> None:
        self._client: httpx.AsyncClient | None = None
        self._inflight: dict[uuid.UUID, asyncio.Future[Shown]] = {}
        self._recent: dict[uuid.UUID, tuple[datetime, Shown]] = {}

    async def start(self) -> None:
        if self.sources is None:
            # Cameras live on the station's own network: never through an environment proxy.
            self._client = httpx.AsyncClient(trust_env=False,
                                             limits=httpx.Limits(max_connections=200))
            self.sources = Sources(http=HttpSnapshotSource(self._client, self.policy,
                                                           resolve=self.resolve),
                                   sim=SimSnapshotSource(), none=NoSnapshotSource())

    async def stop(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def show(self, scope: Scope, camera_id: uuid.UUID) -> Shown:
        """The camera's current picture for this caller, or an error that says why not."""
        now = self.clock.now()
        target = await asyncio.to_thread(self._target, scope, camera_id)
        if self.views.starts(scope.user_id, camera_id, now):
            await asyncio.to_thread(self._write_view, scope, target)
        recent = self._recent.get(camera_id)
        if recent is not None and timedelta(0) <= now - recent[0] < REUSE:
            return recent[1]
        pending = self._inflight.get(camera_id)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[Shown] = asyncio.get_running_loop().create_future()
        self._inflight[camera_id] = future
        try:
            shown = await self._fetch(target)
        except BaseException as err:
            future.set_exception(err)
            future.exception()  # retrieved: waiters get it, nobody logs "never retrieved"
            raise
        else:
            future.set_result(shown)
            self._recent[camera_id] = (now, shown)
            return shown
        finally:
            del self._inflight[camera_id]

    async def _fetch(self, target: service.Target) -> Shown:
        assert self.sources is not None, "SnapshotDesk.start() was not called"
        source = self.sources.for_address(target.address)
        try:
            snapshot = await source.fetch(target.address, code=target.code, now=self.clock.now())
        except SnapshotUnavailable as err:
            if err.counts_as_offline:
                await self._observe(target, self.health.failure(
                    target.camera_id, err.detail, self.clock.now()))
            raise
        observation = self.health.image(target.camera_id, snapshot.content, self.clock.now())
        await self._observe(target, observation)
        return Shown(snapshot, observation.state)

    async def _observe(self, target: service.Target, observation: Observation) -> None:
        if observation.changed:
            log.info("camera %s is %s", target.code, observation.state.value)
            await asyncio.to_thread(self._write_health, target, observation)

    def _target(self, scope: Scope, camera_id: uuid.UUID) -> service.Target:
        with self.db.read() as session:
            return service.snapshot_target(session, scope=scope, secrets=self.secrets,
                                           camera_id=camera_id, now=self.clock.now())

    def _write_view(self, scope: Scope, target: service.Target) -> None:
        with self.db.write() as session:
            service.record_view(session, scope=scope, target=target, at=self.clock.now())

    def _write_health(self, target: service.Target, observation: Observation) -> None:
        with self.db.write() as session:
            service.save_health(session, camera_id=target.camera_id,
                                station_id=target.station_id, observation=observation,
                                only_first=not self.write_health)
