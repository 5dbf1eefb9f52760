"""In-process bus: asyncio queues, a bounded retained log for replay, one task per subscriber.

A slow subscriber only delays itself: each has its own queue and task, and ``publish``
never waits for handlers. Durability does not live here: after a restart the outbox relay
replays the inbox, and consumers skip what they already processed.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque

from safetyzone.bus.base import Handler, Message, subject_matches
from safetyzone.core.events import Event

log = logging.getLogger(__name__)


class _Subscription:
    def __init__(self, bus: MemoryBus, pattern: str, handler: Handler) -> None:
        self.pattern = pattern
        self._bus = bus
        self._handler = handler
        self._queue: asyncio.Queue[Message | None] = asyncio.Queue()
        self._task = asyncio.create_task(self._run(), name=f"bus-sub:{pattern}")

    @property
    def pending(self) -> int:
        return self._queue.qsize()

    def offer(self, message: Message) -> None:
        self._queue.put_nowait(message)

    async def _run(self) -> None:
        while True:
            message = await self._queue.get()
            if message is None:
                return
            try:
                await self._handler(message)
            except Exception:
                # A failing handler must not kill delivery for the messages after it; the
                # consumer owns retries (its cursor did not advance, replay brings it back).
                log.exception("bus handler for %s failed on seq %s", self.pattern, message.seq)

    async def close(self) -> None:
        self._bus._subs.discard(self)
        self._queue.put_nowait(None)
        await self._task


class MemoryBus:
    def __init__(self, retain: int = 100_000) -> None:
        self._subs: set[_Subscription] = set()
        self._log: deque[Message] = deque(maxlen=retain)
        self._connected = False

    async def connect(self) -> None:
        """Nothing to reach: the bus lives in this process."""
        self._connected = True

    @property
    def connected(self) -> bool:
        return self._connected

    async def publish(self, event: Event) -> None:
        message = Message(subject=event.subject, seq=event.seq, event=event)
        self._log.append(message)
        for sub in list(self._subs):
            if subject_matches(sub.pattern, message.subject):
                sub.offer(message)

    async def subscribe(
        self, pattern: str, handler: Handler, *, after_seq: int | None = None
    ) -> _Subscription:
        sub = _Subscription(self, pattern, handler)
        if after_seq is not None:
            for message in list(self._log):
                if message.seq > after_seq and subject_matches(pattern, message.subject):
                    sub.offer(message)
        self._subs.add(sub)
        return sub

    async def close(self) -> None:
        self._connected = False
        for sub in list(self._subs):
            await sub.close()
