"""The live machinery of one server process, started and stopped with the app.

    device --HTTP / SIA / OsmAnd / NMEA / MQTT / plate readers--> gateways
        --> InboxWriter (group commit) --on_commit--> relay --> Bus --> Engine
    Engine / API writes --after_commit--> Hub --> WebSocket consoles
    sweeper: escalation of unacknowledged incidents, "device silent" alerts, plate retention,
             citizens' emergencies brought in step with their incidents, patrol risk spots
             left unvisited in their high-risk hours

An enabled gateway that cannot start (a port taken, a broker unreachable) stops the server.
Stopping runs an ordered list of steps (receivers first, so nothing new arrives; then the
inbox writer, which finishes what it holds; then the engine and the bus), each guarded: a
step that fails is logged and the next one still runs, so one broken part never leaves a
port open or a thread running. ``checks()`` is what ``/readyz`` reports, part by part.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from safetyzone.adapters.mqtt import MqttSettings
from safetyzone.adapters.sia_dc09.config import SiaDc09Settings
from safetyzone.bus.base import Bus
from safetyzone.bus.memory import MemoryBus
from safetyzone.citizen import retention as citizen_retention
from safetyzone.citizen import status as citizen_status
from safetyzone.citizen.media import MediaStore
from safetyzone.citizen.retention import RetentionPolicy
from safetyzone.core.clock import Clock
from safetyzone.core.db import Database
from safetyzone.core.errors import DatabaseUnavailable, SafetyZoneError
from safetyzone.core.events import Event
from safetyzone.core.secretbox import SecretBox
from safetyzone.gateways.lpr import LprGateway
from safetyzone.gateways.mqtt import MqttBridge
from safetyzone.gateways.nmea import NmeaGateway
from safetyzone.gateways.osmand import OsmAndGateway
from safetyzone.gateways.sia import SiaGateway
from safetyzone.intake.credentials import DeviceAuthenticator, SecretHasher
from safetyzone.intake.directory import ProtocolDirectory
from safetyzone.intake.frames import FrameLog
from safetyzone.intake.service import InboxWriter
from safetyzone.ops.cameras import CameraIndexCache
from safetyzone.ops.engine import Engine, sweep
from safetyzone.patrol import live as patrol_live
from safetyzone.patrol import missed as patrol_missed
from safetyzone.patrol import trackstore
from safetyzone.web.hub import Hub
from safetyzone.web.problems import domain_problem

log = logging.getLogger(__name__)
# The states of a part that count as ready in /readyz; anything else makes it 503.
UP_STATES = frozenset({"listening", "connected"})
OSMAND_GRACE_S = 5  # open tracker requests get this long to finish at shutdown


@dataclass
class Runtime:
    db: Database
    clock: Clock
    hasher: SecretHasher
    secrets: SecretBox
    sweep_interval_s: float = 5.0
    bus: Bus = field(default_factory=MemoryBus)
    hub: Hub = field(default_factory=Hub)
    cameras: CameraIndexCache = field(default_factory=CameraIndexCache)
    sia: SiaDc09Settings | None = None
    mqtt: MqttSettings | None = None
    osmand_port: int | None = None
    nmea_port: int | None = None
    frames: FrameLog = field(default_factory=FrameLog)
    host: str = "127.0.0.1"
    data_dir: Path | None = None  # plate pictures are kept under it
    # Citizens' personal data past its period is erased (PDPA); None: not swept here.
    citizen_retention: RetentionPolicy | None = None
    citizen_media: MediaStore | None = None
    retention_interval_s: float = 3600.0
    # Units' tracks, crossings and presence: H3 resolution, and days kept (None: not swept).
    patrol_presence_res: int = patrol_live.DEFAULT_H3_RES
    patrol_retain_track_days: int | None = None
    # A risk spot without a visit this long in its high-risk hours raises an alert.
    patrol_missed_visit_min: int = 60
    # More sweeps (the officer phone's retention, the station services': close requests whose
    # time is over, erase personal data past its period), each ``sweep(db, clock)`` per interval.
    sweeps: list[Callable[[Database, Clock], object]] = field(default_factory=list)
    sweeps_interval_s: float = 60.0

    def __post_init__(self) -> None:
        self.devices = DeviceAuthenticator(self.db, self.hasher, self.clock)
        self.directory = ProtocolDirectory(self.db, self.secrets)
        self.writer = InboxWriter(self.db, self.clock, on_commit=self._on_commit)
        self.engine = Engine(self.db, self.clock, self.bus, self.cameras, observers=[
            functools.partial(patrol_live.on_batch, presence_res=self.patrol_presence_res)])
        self.osmand = OsmAndGateway(self.directory, self.writer, self.clock, self.frames)
        self.lpr = LprGateway(self.directory, self.writer, self.clock, self.data_dir)
        self.nmea = NmeaGateway(self.directory, self.writer, self.clock, self.frames)
        self.sia_gateway = (SiaGateway(self.sia, self.directory, self.writer, self.clock,
                                       self.frames) if self.sia else None)
        self.mqtt_bridge = (MqttBridge(self.mqtt, self.directory, self.writer, self.db,
                                       self.clock) if self.mqtt else None)
        self._osmand_server: uvicorn.Server | None = None
        self._osmand_task: asyncio.Task[None] | None = None
        self._relay_queue: asyncio.Queue[list[Event]] | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._loop: asyncio.AbstractEventLoop | None = None

    async def start(self) -> None:
        try:
            await self._start()
        except BaseException:
            await self.stop()  # a half-started server must not leave ports or threads behind
            raise

    async def _start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._relay_queue = asyncio.Queue()
        self.hub.bind(self._loop)
        self.db.after_commit.append(self.hub.after_commit)
        await self.bus.connect()
        await self.engine.start()
        replayed = await self.engine.replay_unprocessed()
        if replayed:
            log.warning("replaying %d events stored but not processed before the last stop",
                        replayed)
        self.writer.start()
        self._tasks = [asyncio.create_task(self._relay(), name="relay"),
                       asyncio.create_task(self._sweeper(), name="sweeper")]
        if self.sia_gateway is not None:
            await self.sia_gateway.start()
        if self.mqtt_bridge is not None:
            self.db.after_commit.append(self.mqtt_bridge.after_commit)
            await self.mqtt_bridge.start()
        if self.osmand_port is not None:
            await self._start_osmand_port(self.osmand_port)
        if self.nmea_port is not None:
            await self.nmea.start(self.host, self.nmea_port)

    async def _start_osmand_port(self, port: int) -> None:
        """Trackers expect OsmAnd at ``/`` on a port of its own, as Traccar serves it."""
        app = Starlette(routes=[Route("/", self.osmand.handle, methods=["GET", "POST"])],
                        exception_handlers={DatabaseUnavailable: _unavailable})
        server = uvicorn.Server(uvicorn.Config(app, host=self.host, port=port,
                                               log_level="warning", lifespan="off",
                                               timeout_graceful_shutdown=OSMAND_GRACE_S))
        self._osmand_server = server

        async def serve() -> None:
            # uvicorn answers a port it cannot bind with sys.exit(1): a SystemExit in a task
            # would end the whole event loop, before the half-started parts are stopped.
            with contextlib.suppress(SystemExit):
                await server.serve()

        task = asyncio.create_task(serve(), name="osmand-port")
        self._osmand_task = task
        while not server.started:
            if task.done():
                raise SafetyZoneError(f"OsmAnd receiver cannot listen on port {port}",
                                      code="gateway-failed")
            await asyncio.sleep(0.02)

    def checks(self) -> dict[str, str]:
        """The state of each enabled receiver, the MQTT bridge and the bus, by name."""
        checks: dict[str, str] = {}
        if self.sia_gateway is not None:
            checks.update(self.sia_gateway.states())
        if self.osmand_port is not None:
            server, task = self._osmand_server, self._osmand_task
            up = (server is not None and server.started and not server.should_exit
                  and task is not None and not task.done())
            checks["osmand"] = "listening" if up else "stopped"
        if self.nmea_port is not None:
            checks["nmea"] = self.nmea.state
        if self.mqtt_bridge is not None:
            checks["mqtt"] = self.mqtt_bridge.state
        checks["bus"] = "connected" if self.bus.connected else "disconnected"
        return checks

    async def stop(self) -> None:
        """Stop every part in order; a failing step is logged and the rest still run."""
        for name, step in self._stop_steps():
            try:
                await step()
            except Exception:
                log.exception("stopping %s failed; stopping the other parts anyway", name)

    def _stop_steps(self) -> list[tuple[str, Callable[[], Awaitable[None]]]]:
        steps: list[tuple[str, Callable[[], Awaitable[None]]]] = []
        if self.sia_gateway is not None:
            steps.append(("the SIA DC-09 receiver", self.sia_gateway.stop))
        if self.mqtt_bridge is not None:
            steps.append(("the MQTT bridge", self._stop_mqtt))
        steps += [("the OsmAnd port", self._stop_osmand),
                  ("the NMEA receiver", self.nmea.stop),
                  ("the inbox writer", lambda: asyncio.to_thread(self.writer.stop)),
                  ("the relay and the sweeper", self._stop_tasks),
                  ("the engine", self.engine.stop),
                  ("the bus", self.bus.close),
                  ("the live feed hook", self._unhook_hub)]
        return steps

    async def _stop_mqtt(self) -> None:
        assert self.mqtt_bridge is not None
        with contextlib.suppress(ValueError):
            self.db.after_commit.remove(self.mqtt_bridge.after_commit)
        await self.mqtt_bridge.stop()

    async def _stop_osmand(self) -> None:
        server, task = self._osmand_server, self._osmand_task
        self._osmand_server = self._osmand_task = None
        if server is None or task is None:
            return
        if task.done():  # it never started (port taken): its error was reported at start
            if not task.cancelled():
                task.exception()
            return
        server.should_exit = True  # uvicorn closes its socket, then waits for open requests
        try:
            await asyncio.wait_for(task, OSMAND_GRACE_S + 5)
        except TimeoutError:
            log.warning("OsmAnd port did not stop within %d s; cancelled", OSMAND_GRACE_S + 5)

    async def _stop_tasks(self) -> None:
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _unhook_hub(self) -> None:
        with contextlib.suppress(ValueError):
            self.db.after_commit.remove(self.hub.after_commit)

    def _on_commit(self, events: list[Event]) -> None:
        """Writer thread: the events are durable now; hand them to the relay task."""
        if self._loop is not None and self._relay_queue is not None:
            self._loop.call_soon_threadsafe(self._relay_queue.put_nowait, events)

    async def _relay(self) -> None:
        assert self._relay_queue is not None
        while True:
            events = await self._relay_queue.get()
            for event in events:
                await self.bus.publish(event)

    async def _sweeper(self) -> None:
        retained_at = tracks_pruned_at = swept_at = -math.inf
        while True:
            await asyncio.sleep(self.sweep_interval_s)
            try:
                await asyncio.to_thread(sweep, self.db, self.clock, data_dir=self.data_dir)
                # Emergencies follow their incidents (feed, console filters, LINE pushes).
                await asyncio.to_thread(citizen_status.sync_all, self.db, self.clock)
                # Risk spots left unpatrolled in their high-risk hours (once per gap).
                await asyncio.to_thread(patrol_missed.run, self.db, self.clock,
                                        default_after_min=self.patrol_missed_visit_min,
                                        cameras=self.cameras)
                if (self.citizen_retention is not None and self.citizen_media is not None
                        and time.monotonic() - retained_at >= self.retention_interval_s):
                    await asyncio.to_thread(citizen_retention.run, self.db, self.clock,
                                            policy=self.citizen_retention,
                                            store=self.citizen_media)
                    retained_at = time.monotonic()
                if (self.patrol_retain_track_days is not None
                        and time.monotonic() - tracks_pruned_at >= self.retention_interval_s):
                    await asyncio.to_thread(trackstore.sweep, self.db, self.clock,
                                            days=self.patrol_retain_track_days)
                    tracks_pruned_at = time.monotonic()
                if self.sweeps and time.monotonic() - swept_at >= self.sweeps_interval_s:
                    for each in self.sweeps:  # one failing does not stop the others
                        await self._sweep_once(each)
                    swept_at = time.monotonic()
            except DatabaseUnavailable as err:  # an outage, not a bug: no traceback
                log.warning("sweep skipped, database unavailable (%s)", err.cause)
            except Exception:
                log.exception("sweep failed; trying again in %.0f s", self.sweep_interval_s)


    async def _sweep_once(self, each: Callable[[Database, Clock], object]) -> None:
        try:
            await asyncio.to_thread(each, self.db, self.clock)
        except DatabaseUnavailable:
            raise
        except Exception:
            log.exception("sweep %r failed; the others go on", each)


async def _unavailable(request: Request, exc: Exception) -> Response:
    """A database outage on the OsmAnd port: 503 + Retry-After, as on the main port."""
    assert isinstance(exc, DatabaseUnavailable)
    return domain_problem(exc, request.url.path)
