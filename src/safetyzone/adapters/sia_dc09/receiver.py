"""The DC-09 receiver: asyncio TCP server and UDP endpoint around framer, decoder, encoder.

A frame is answered only after the injected ``commit`` coroutine has stored its events, so
an ACK always means "stored". Every frame that passes CRC and length gets an answer unless
storing failed for a reason that is not the frame's (the database):

==========================  ==========================================================
outcome                     reply
==========================  ==========================================================
events committed            ACK (``*ACK`` encrypted with the same key if the request was);
                            a plain message with a wrong clock too (stored at the
                            receiver's time), and ``on_problem`` hears "clock_wrong"
commit raised InvalidInput  NAK with the receiver's time: the intake refused the events,
                            a retry would be refused again (logged, counted)
commit raised otherwise     nothing: the panel retries as after a lost packet, and after
                            its retries fails over to its backup path (logged, counted)
FrameRejected               nothing (bad envelope, CRC or length)
MessageRejected             NAK with the receiver's time
MessageNotUnderstood        DUH
decoder bug (any other)     NAK, logged with its traceback: never a dead connection
==========================  ==========================================================

Raw frames are logged at DEBUG as hex with direction and peer, at most ``LOG_PER_SECOND``
lines a second; lines over that are counted and the count logged when logging resumes.
An optional ``on_exchange(peer, frame, reply)`` hook sees every frame and its reply (or
None) too, e.g. to keep each device's last frames for admins; ``on_problem(account, kind,
detail)`` hears what was wrong with an acknowledged message (a hook that raises is logged).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import cast

from safetyzone.adapters.sia_dc09.config import AccountLookup, DecodePolicy
from safetyzone.adapters.sia_dc09.crypto import PadSource, random_pad
from safetyzone.adapters.sia_dc09.decoder import decode_frame
from safetyzone.adapters.sia_dc09.encoder import encode_ack, encode_duh, encode_nak
from safetyzone.adapters.sia_dc09.errors import (
    FrameRejected,
    MessageNotUnderstood,
    MessageRejected,
)
from safetyzone.adapters.sia_dc09.framing import MAX_FRAME_BYTES, StreamFramer, frames_in_datagram
from safetyzone.core.clock import Clock
from safetyzone.core.errors import DatabaseUnavailable, InvalidInput, KindNotAllowed
from safetyzone.core.events import EventIn
from safetyzone.core.throttle import TokenBucket

logger = logging.getLogger(__name__)

Commit = Callable[[str, list[EventIn]], Awaitable[None]]
"""Store ``events`` of ``account`` durably; return only once they are stored."""
Exchange = Callable[[str, bytes, bytes | None], None]
"""Told ``(peer, frame, reply or None)`` after each frame; must not block."""
ProblemHook = Callable[[str, str, str], None]
"""Told ``(account, kind, detail)`` of an acknowledged message; must not block."""
CLOCK_WRONG = "clock_wrong"

LOG_PER_SECOND = 20.0
_READ_CHUNK = 4096


@dataclass
class ReceiverCounters:
    """What the receiver has seen, for /metrics and tests."""

    frames: int = 0
    acks: int = 0
    naks: int = 0
    duhs: int = 0
    unanswered: int = 0
    commit_failures: int = 0
    commit_refusals: int = 0
    clock_wrong: int = 0
    decoder_errors: int = 0
    discarded_bytes: int = 0
    connections: int = 0
    idle_timeouts: int = 0
    dropped_datagrams: int = 0


class _FrameLog:
    """Log raw frames as hex, throttled to ``per_second`` lines."""

    def __init__(self, per_second: float = LOG_PER_SECOND) -> None:
        self._bucket = TokenBucket(per_second)

    def __call__(self, direction: str, peer: str, data: bytes) -> None:
        if not logger.isEnabledFor(logging.DEBUG) or not self._bucket.take():
            return
        if self._bucket.suppressed:
            logger.debug("sia-dc09 %d frame log lines suppressed", self._bucket.suppressed)
            self._bucket.suppressed = 0
        logger.debug("sia-dc09 %s %s %s", direction, peer, data.hex())


class Dc09Receiver:
    """Turns one frame into at most one reply, committing events before any ACK."""

    def __init__(
        self,
        *,
        accounts: AccountLookup,
        commit: Commit,
        clock: Clock,
        policy: DecodePolicy | None = None,
        pad: PadSource = random_pad,
        counters: ReceiverCounters | None = None,
        on_exchange: Exchange | None = None,
        on_problem: ProblemHook | None = None,
    ) -> None:
        self.accounts = accounts
        self.commit = commit
        self.clock = clock
        self.policy = policy or DecodePolicy()
        self.pad = pad
        self.counters = counters or ReceiverCounters()
        self._log = _FrameLog()
        self.on_exchange = on_exchange
        self.on_problem = on_problem

    async def handle_frame(self, frame: bytes, peer: str) -> bytes | None:
        """Decode, commit and answer one LF ... CR frame from ``peer``."""
        self.counters.frames += 1
        self._log("rx", peer, frame)
        now = self.clock.now()
        reply: bytes | None = None
        try:
            decoded = decode_frame(frame, accounts=self.accounts, now=now, policy=self.policy)
        except FrameRejected as err:
            logger.info("sia-dc09 from %s: frame dropped, no reply: %s", peer, err)
        except MessageRejected as err:
            logger.info("sia-dc09 from %s: NAK: %s", peer, err)
            self.counters.naks += 1
            reply = encode_nak(now)
        except MessageNotUnderstood as err:
            logger.info("sia-dc09 from %s: DUH: %s", peer, err)
            if err.header is None:  # nothing to echo: refuse instead
                self.counters.naks += 1
                reply = encode_nak(now)
            else:
                self.counters.duhs += 1
                reply = encode_duh(err.header)
        except Exception:  # a decoder bug must not kill the connection or go unanswered
            logger.exception("sia-dc09 from %s: decoder failed; NAK", peer)
            self.counters.decoder_errors += 1
            self.counters.naks += 1
            reply = encode_nak(now)
        else:
            message = decoded.message
            try:
                await self.commit(message.account, decoded.events)
            except (InvalidInput, KindNotAllowed) as err:  # permanent: NAK, never silence
                logger.warning("sia-dc09 from %s: account %s seq %s refused by the intake; "
                               "NAK: %s", peer, message.account, message.header.seq, err)
                self.counters.commit_refusals += 1
                self.counters.naks += 1
                reply = encode_nak(now)
            except DatabaseUnavailable as err:  # an outage: the panel retries, no traceback
                logger.warning("sia-dc09 from %s: account %s seq %s not stored (%s); not "
                               "acknowledged, the panel will retry", peer, message.account,
                               message.header.seq, err.detail)
                self.counters.commit_failures += 1
            except Exception:
                logger.exception(
                    "sia-dc09 from %s: commit failed for account %s seq %s; not acknowledged",
                    peer, message.account, message.header.seq,
                )
                self.counters.commit_failures += 1
            else:
                self.counters.acks += 1
                stamp = now if message.key is not None else None
                reply = encode_ack(message.reply_header, key=message.key, timestamp=stamp,
                                   pad=self.pad)
                if message.clock_wrong and message.timestamp is not None:
                    self._clock_wrong(peer, message.account, message.timestamp, now)
        if reply is None:
            self.counters.unanswered += 1
        else:
            self._log("tx", peer, reply)
        if self.on_exchange is not None:
            try:
                self.on_exchange(peer, frame, reply)
            except Exception:
                logger.exception("sia-dc09 from %s: on_exchange hook failed", peer)
        return reply

    def _clock_wrong(self, peer: str, account: str, claimed: datetime, now: datetime) -> None:
        self.counters.clock_wrong += 1
        detail = (f"panel clock wrong: it sent {claimed:%Y-%m-%d %H:%M:%S} UTC at receiver "
                  f"time {now.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC; stored at receiver time")
        logger.info("sia-dc09 from %s: account %s %s", peer, account, detail)
        if self.on_problem is not None:
            try:
                self.on_problem(account, CLOCK_WRONG, detail)
            except Exception:
                logger.exception("sia-dc09 from %s: on_problem hook failed", peer)


def _peer(address: object) -> str:
    if isinstance(address, tuple) and len(address) >= 2:
        return f"{address[0]}:{address[1]}"
    return str(address)


async def start_tcp(
    host: str,
    port: int,
    receiver: Dc09Receiver,
    *,
    idle_timeout_s: float = 120.0,
    max_frame_bytes: int = MAX_FRAME_BYTES,
) -> asyncio.Server:
    """Listen for DC-09 over TCP; each connection is read frame by frame, in order."""

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = _peer(writer.get_extra_info("peername"))
        receiver.counters.connections += 1
        framer = StreamFramer(max_frame_bytes)
        try:
            while True:
                try:
                    async with asyncio.timeout(idle_timeout_s):
                        chunk = await reader.read(_READ_CHUNK)
                except TimeoutError:
                    receiver.counters.idle_timeouts += 1
                    logger.info("sia-dc09 %s idle for %.0f s, closing", peer, idle_timeout_s)
                    break
                if not chunk:
                    break
                discarded = framer.discarded_bytes
                for frame in framer.feed(chunk):
                    reply = await receiver.handle_frame(frame, peer)
                    if reply is not None:
                        writer.write(reply)
                        await writer.drain()
                receiver.counters.discarded_bytes += framer.discarded_bytes - discarded
        except ConnectionError as err:
            logger.info("sia-dc09 %s connection lost: %s", peer, err)
        finally:
            if framer.pending:
                logger.info("sia-dc09 %s closed mid-frame, %d bytes dropped", peer,
                            framer.pending)
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    return await asyncio.start_server(serve, host, port, limit=max_frame_bytes)


class _UdpProtocol(asyncio.DatagramProtocol):
    def __init__(self, receiver: Dc09Receiver, max_frame_bytes: int, max_in_flight: int) -> None:
        self.receiver = receiver
        self.max_frame_bytes = max_frame_bytes
        self.max_in_flight = max_in_flight
        self.tasks: set[asyncio.Task[None]] = set()
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # The selector loop's UDP transport does not subclass DatagramTransport (3.11).
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str | object, ...]) -> None:
        if len(self.tasks) >= self.max_in_flight:
            self.receiver.counters.dropped_datagrams += 1
            return
        task = asyncio.get_running_loop().create_task(self._answer(data, addr))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _answer(self, data: bytes, addr: tuple[str | object, ...]) -> None:
        peer = _peer(addr)
        frames = frames_in_datagram(data, self.max_frame_bytes)
        if not frames:
            self.receiver.counters.discarded_bytes += len(data)
        for frame in frames:
            reply = await self.receiver.handle_frame(frame, peer)
            transport = self.transport
            if reply is not None and transport is not None and not transport.is_closing():
                transport.sendto(reply, addr)


@dataclass
class UdpEndpoint:
    """A bound UDP receiver; ``close()`` stops it and waits for answers in flight."""

    transport: asyncio.DatagramTransport
    protocol: _UdpProtocol

    @property
    def port(self) -> int:
        return int(self.transport.get_extra_info("sockname")[1])

    async def close(self) -> None:
        self.transport.close()
        if self.protocol.tasks:
            await asyncio.gather(*self.protocol.tasks, return_exceptions=True)


async def start_udp(
    host: str,
    port: int,
    receiver: Dc09Receiver,
    *,
    max_frame_bytes: int = MAX_FRAME_BYTES,
    max_in_flight: int = 64,
) -> UdpEndpoint:
    """Listen for DC-09 over UDP: one datagram is read alone, never joined to the next."""
    loop = asyncio.get_running_loop()
    transport, protocol = await loop.create_datagram_endpoint(
        lambda: _UdpProtocol(receiver, max_frame_bytes, max_in_flight), local_addr=(host, port)
    )
    return UdpEndpoint(transport=transport, protocol=protocol)
