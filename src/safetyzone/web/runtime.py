"""The live machinery of one server process, started and stopped with the app.

    device --HTTP / SIA / OsmAnd / NMEA / MQTT / plate readers--> gateways
        --> InboxWriter (group commit) --on_commit--> relay --> Bus --> Engine
    Engine / API writes --after_commit--> Hub --> WebSocket consoles
    sweeper: escalation of unacknowledged incidents, "device silent" alerts, plate retention

An enabled gateway that cannot start (a port taken, a broker unreachable) stops the server.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
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
from safetyzone.web.hub import Hub
from safetyzone.web.problems import domain_problem

log = logging.getLogger(__name__)


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

    def __post_init__(self) -> None:
        self.devices = DeviceAuthenticator(self.db, self.hasher, self.clock)
        self.directory = ProtocolDirectory(self.db, self.secrets)
        self.writer = InboxWriter(self.db, self.clock, on_commit=self._on_commit)
        self.engine = Engine(self.db, self.clock, self.bus, self.cameras)
        self.osmand = OsmAndGateway(self.directory, self.writer, self.clock, self.frames)
        self.lpr = LprGateway(self.directory, self.writer, self.clock, self.data_dir)
        self.nmea = NmeaGateway(self.directory, self.writer, self.clock, self.frames)
        self.sia_gateway = (SiaGateway(self.sia, self.directory, self.writer, self.clock,
                                       self.frames) if self.sia else None)
        self.mqtt_bridge = (MqttBridge(self.mqtt, self.directory, self.writer, self.db,
                                       self.clock) if self.mqtt else None)
        self._osmand_server: uvicorn.Server | None = None
        self._relay_queue: asyncio.Queue[list[Event]] | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._loop: asyncio.AbstractEventLoop | None = None

    async def start(self) -> None:
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
                                               log_level="warning", lifespan="off"))
        self._osmand_server = server
        task = asyncio.create_task(server.serve(), name="osmand-port")
        self._tasks.append(task)
        while not server.started:
            if task.done():
                raise SafetyZoneError(f"OsmAnd receiver cannot listen on port {port}",
                                      code="gateway-failed")
            await asyncio.sleep(0.02)

    async def stop(self) -> None:
        if self.sia_gateway is not None:
            await self.sia_gateway.stop()
        if self.mqtt_bridge is not None:
            await self.mqtt_bridge.stop()
            with contextlib.suppress(ValueError):
                self.db.after_commit.remove(self.mqtt_bridge.after_commit)
        if self._osmand_server is not None:
            self._osmand_server.should_exit = True
        await self.nmea.stop()
        await asyncio.to_thread(self.writer.stop)
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.engine.stop()
        await self.bus.close()
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
        while True:
            await asyncio.sleep(self.sweep_interval_s)
            try:
                await asyncio.to_thread(sweep, self.db, self.clock, data_dir=self.data_dir)
            except DatabaseUnavailable as err:  # an outage, not a bug: no traceback
                log.warning("sweep skipped, database unavailable (%s)", err.cause)
            except Exception:
                log.exception("sweep failed; trying again in %.0f s", self.sweep_interval_s)


async def _unavailable(request: Request, exc: Exception) -> Response:
    """A database outage on the OsmAnd port: 503 + Retry-After, as on the main port."""
    assert isinstance(exc, DatabaseUnavailable)
    return domain_problem(exc, request.url.path)
