"""NMEA ``$GPRMC`` over TCP from simple trackers, feeding the inbox.

One TCP connection per tracker. The tracker names itself in its FIRST line, in one of two
forms (as Traccar's T55 protocol accepts them):

* ``$PGID,<id>*hh`` (a proprietary NMEA sentence with its checksum), or
* ``<id>`` alone on a line (letters, digits, ``-_.:``; an IMEI, say).

``<id>`` must be registered as an ``nmea`` device (``external_id``); any other first line,
or an unknown id, closes the connection. Then every ``$--RMC`` line with a fix becomes a GPS
event of that device; other sentences are ignored, lines with a bad checksum or bad content
are counted and dropped (never stored). Nothing is sent back: these trackers expect no reply.
A fix that parses but cannot be used (0,0, a wrong clock, too old, ahead of our clock,
outside Thailand) is dropped with its reason counted and noted on the device's health page
(``gateways/problems.py``); the connection stays open, so the next good fix gets through.
A connection silent for ``idle_timeout_s`` is closed; a line over ``max_line`` bytes is
dropped. An enabled port that cannot be bound stops the server.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from dataclasses import dataclass
from datetime import datetime

from safetyzone.adapters.errors import AdapterError, UnusableFix
from safetyzone.adapters.nmea import NmeaFramer, checksum, parse_rmc, sentence_type
from safetyzone.core.clock import Clock
from safetyzone.core.errors import InvalidInput, SafetyZoneError
from safetyzone.gateways import problems
from safetyzone.intake.directory import ProtocolDirectory, Registered
from safetyzone.intake.frames import FrameLog
from safetyzone.intake.models import Protocol
from safetyzone.intake.service import InboxWriter

log = logging.getLogger(__name__)
_LOGIN = re.compile(r"\$PGID,(?P<pgid>[\x21-\x29\x2b-\x7e]{1,64})\*(?P<hh>[0-9A-Fa-f]{2})"
                    r"|(?P<bare>[0-9A-Za-z._:-]{1,64})")
_READ_CHUNK = 4096


@dataclass
class NmeaCounters:
    """What the gateway has seen, for tests and operators."""

    connections: int = 0
    refused: int = 0
    fixes: int = 0
    no_fix: int = 0
    unusable: int = 0
    bad_lines: int = 0
    ignored: int = 0
    idle_timeouts: int = 0


def login_id(line: str) -> str | None:
    """The device id of a first line, or None when it is not a login line."""
    match = _LOGIN.fullmatch(line.strip())
    if match is None:
        return None
    if match["pgid"] is not None:
        if checksum(f"PGID,{match['pgid']}") != int(match["hh"], 16):
            return None
        return match["pgid"]
    return match["bare"]


class NmeaGateway:
    def __init__(self, directory: ProtocolDirectory, writer: InboxWriter, clock: Clock,
                 frames: FrameLog | None = None, *, idle_timeout_s: float = 300.0,
                 max_line: int = 256) -> None:
        self._directory = directory
        self._writer = writer
        self._clock = clock
        self._frames = frames
        self.idle_timeout_s = idle_timeout_s
        self.max_line = max_line
        self.counters = NmeaCounters()
        self.port: int | None = None
        self._server: asyncio.Server | None = None

    async def start(self, host: str, port: int) -> None:
        try:
            self._server = await asyncio.start_server(self._serve, host, port)
        except OSError as err:
            raise SafetyZoneError(f"NMEA receiver cannot listen on {host}:{port}: {err}",
                                  code="gateway-failed") from err
        self.port = self._server.sockets[0].getsockname()[1]
        log.info("NMEA receiver on %s:%s", host, self.port)

    @property
    def state(self) -> str:
        """``listening`` while the port accepts trackers, for ``/readyz``."""
        return "listening" if self._server is not None and self._server.is_serving() \
            else "stopped"

    async def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.close()
            close_clients = getattr(server, "close_clients", None)
            if close_clients is not None:  # Python 3.13: else wait_closed waits for them
                close_clients()
            await server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        address = writer.get_extra_info("peername")
        peer = f"{address[0]}:{address[1]}" if isinstance(address, tuple) else str(address)
        self.counters.connections += 1
        framer = NmeaFramer(max_line=self.max_line)
        device: Registered | None = None
        external_id = ""
        try:
            while True:
                try:
                    async with asyncio.timeout(self.idle_timeout_s):
                        chunk = await reader.read(_READ_CHUNK)
                except TimeoutError:
                    self.counters.idle_timeouts += 1
                    log.info("nmea %s idle for %.0f s, closing", peer, self.idle_timeout_s)
                    return
                if not chunk:
                    return
                for line in framer.feed(chunk):
                    if device is None:
                        external_id = login_id(line) or ""
                        device = await self._login(external_id, peer)
                        if device is None:
                            return
                    await self._line(device, external_id, line, peer)
        except ConnectionError as err:
            log.info("nmea %s connection lost: %s", peer, err)
        finally:
            self.counters.bad_lines += framer.dropped
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    async def _login(self, external_id: str, peer: str) -> Registered | None:
        registered = None
        if external_id:
            registered = await asyncio.to_thread(self._directory.lookup, Protocol.NMEA,
                                                 external_id)
        if registered is None:
            self.counters.refused += 1
            log.info("nmea %s: first line is not a registered id (%r), closing", peer,
                     external_id[:64] or "no login line")
        return registered

    async def _line(self, device: Registered, external_id: str, line: str, peer: str) -> None:
        now = self._clock.now()
        if self._frames is not None:
            self._frames.record(Protocol.NMEA, external_id, "rx", peer,
                                line.encode("ascii", "replace"), now)
        if sentence_type(line) != "RMC":
            self.counters.ignored += 1  # the login line, GGA, GSV, heartbeats...
            return
        try:
            fix = parse_rmc(line, device_id=external_id, received_at=now)
        except UnusableFix as err:
            self._unusable(external_id, peer, err.reason, str(err), now)
            return
        except AdapterError as err:
            self.counters.bad_lines += 1
            log.info("nmea %s: line dropped: %s", peer, err)
            return
        if fix is None:
            self.counters.no_fix += 1
            return
        refused = problems.unusable(fix, now=now)
        if refused is None:
            try:
                await self._writer.submit(device.identity, [fix])
            except InvalidInput as err:
                refused = problems.classify(err.problems, fix, now=now)
            except SafetyZoneError as err:  # not the fix's fault: drop it, keep the line
                self.counters.bad_lines += 1
                log.warning("nmea %s: fix of %s not stored: %s", peer, external_id, err)
                return
        if refused is not None:
            self._unusable(external_id, peer, *refused, now)
            return
        self.counters.fixes += 1

    def _unusable(self, external_id: str, peer: str, reason: str, detail: str,
                  now: datetime) -> None:
        """Drop a fix the server will not use; say why where admins look."""
        self.counters.unusable += 1
        log.info("nmea %s: fix of %s not used (%s): %s", peer, external_id, reason, detail)
        problems.report(self._frames, Protocol.NMEA, external_id, reason, detail, now)
