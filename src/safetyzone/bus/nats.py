"""NATS JetStream backend: the same Bus protocol across processes and machines.

One stream (``SSZ``) holds every ``ssz.>`` subject on disk. Publishing sets
``Nats-Msg-Id`` to the event id, so the relay's replays after a crash are dropped by
JetStream's duplicate window instead of being stored twice. Subscribers get a push
consumer each and acknowledge a message only after their handler returned: a crash in a
handler means redelivery, and consumers are idempotent (see ``ops.engine``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any
from urllib.parse import urlsplit

import nats
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy, StorageType, StreamConfig
from nats.js.errors import NotFoundError

from safetyzone.bus.base import Handler, Message
from safetyzone.core.errors import SafetyZoneError
from safetyzone.core.events import Event

log = logging.getLogger(__name__)
STREAM = "SSZ"
SUBJECTS = ["ssz.>"]


class NatsUnavailable(SafetyZoneError):
    """The configured NATS server cannot be reached: the server must not start without it."""


class _NatsSubscription:
    def __init__(self, sub: Any) -> None:
        self._sub = sub
        self.in_flight = 0

    @property
    def pending(self) -> int:
        return self.in_flight

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self._sub.unsubscribe()


class NatsBus:
    def __init__(self, url: str, *, stream: str = STREAM,
                 duplicate_window_s: float = 600.0) -> None:
        self.url = url
        self.stream = stream
        self._duplicate_window_s = duplicate_window_s
        self._nc: Any = None
        self._js: Any = None
        self._subs: list[_NatsSubscription] = []

    async def connect(self) -> None:
        # The client retries forever once connected (a broker restart must not kill the
        # server), so first check the broker answers at all: a wrong URL fails fast.
        parsed = urlsplit(self.url)
        try:
            _, writer = await asyncio.wait_for(
                asyncio.open_connection(parsed.hostname or "127.0.0.1", parsed.port or 4222), 5)
            writer.close()
            await writer.wait_closed()
            self._nc = await nats.connect(self.url, connect_timeout=5, max_reconnect_attempts=-1,
                                          allow_reconnect=True, error_cb=self._on_error)
        except (OSError, TimeoutError, nats.errors.NoServersError) as err:
            raise NatsUnavailable(f"cannot reach NATS at {self.url}: {err}",
                                  code="nats-unavailable") from err
        self._js = self._nc.jetstream()
        config = StreamConfig(name=self.stream, subjects=SUBJECTS, storage=StorageType.FILE,
                              duplicate_window=self._duplicate_window_s)
        try:
            await self._js.stream_info(self.stream)
            await self._js.update_stream(config)
        except NotFoundError:
            await self._js.add_stream(config)

    @property
    def connected(self) -> bool:
        """False while the client is reconnecting to a restarted or unreachable broker."""
        return self._nc is not None and bool(self._nc.is_connected)

    async def _on_error(self, err: Exception) -> None:
        log.warning("NATS connection problem: %s", err)

    def _require(self) -> Any:
        if self._js is None:
            raise NatsUnavailable("NatsBus.connect() was not awaited", code="nats-unavailable")
        return self._js

    async def publish(self, event: Event) -> None:
        await self._require().publish(
            event.subject, event.model_dump_json().encode(),
            headers={"Nats-Msg-Id": str(event.id)})

    async def subscribe(
        self, pattern: str, handler: Handler, *, after_seq: int | None = None
    ) -> _NatsSubscription:
        js = self._require()
        config = ConsumerConfig(
            deliver_policy=DeliverPolicy.NEW if after_seq is None else DeliverPolicy.ALL,
            ack_policy=AckPolicy.EXPLICIT, filter_subject=pattern, max_ack_pending=1)
        holder: list[_NatsSubscription] = []

        async def on_msg(msg: Any) -> None:
            sub = holder[0]
            sub.in_flight += 1
            try:
                event = Event.model_validate_json(msg.data)
                if after_seq is None or event.seq > after_seq:
                    await handler(Message(subject=msg.subject, seq=event.seq, event=event))
                await msg.ack()
            except Exception:
                # Not acked: JetStream redelivers after ack_wait; the consumer is idempotent.
                log.exception("bus handler for %s failed on %s", pattern, msg.subject)
            finally:
                sub.in_flight -= 1

        raw = await js.subscribe(pattern, cb=on_msg, config=config, stream=self.stream,
                                 manual_ack=True)
        sub = _NatsSubscription(raw)
        holder.append(sub)
        self._subs.append(sub)
        return sub

    async def close(self) -> None:
        for sub in self._subs:
            await sub.close()
        self._subs.clear()
        if self._nc is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._nc.drain(), timeout=5)
            self._nc = None
            self._js = None
