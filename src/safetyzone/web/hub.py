"""Fan-out of committed feed entries to connected consoles.

Each console has its own bounded queue. ``publish`` never waits: a console that stops
reading fills its own queue and is disconnected (it resumes from its cursor when it comes
back), so one slow screen can never stall the others or the writers.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass, field
from typing import Any

from safetyzone.ops import covert
from safetyzone.ops.feed import committed_entries

log = logging.getLogger(__name__)
QUEUE_LIMIT = 2000


def visible_to(item: dict[str, Any], user_id: uuid.UUID | None) -> bool:
    """False for a feed entry about someone else's covert hit (``ops.covert``)."""
    data = item.get("data")
    return covert.may_see(data.get("detail") if isinstance(data, dict) else None, user_id)


@dataclass(eq=False)  # identity semantics: listeners live in a set
class Listener:
    station_ids: frozenset[uuid.UUID] | None
    user_id: uuid.UUID | None = None
    queue: asyncio.Queue[dict[str, Any]] = field(
        default_factory=lambda: asyncio.Queue(maxsize=QUEUE_LIMIT))
    overflowed: bool = False

    def offer(self, item: dict[str, Any]) -> None:
        if self.overflowed:
            return
        if self.station_ids is not None and uuid.UUID(item["station_id"]) not in self.station_ids:
            return
        if not visible_to(item, self.user_id):
            return
        try:
            self.queue.put_nowait(item)
        except asyncio.QueueFull:
            self.overflowed = True
            # Wake the sender so it notices and closes the connection.
            self.queue.get_nowait()
            self.queue.put_nowait({"type": "overflow"})


class Hub:
    def __init__(self) -> None:
        self._listeners: set[Listener] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self.published = 0

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    def add(self, listener: Listener) -> None:
        self._listeners.add(listener)

    def remove(self, listener: Listener) -> None:
        self._listeners.discard(listener)

    @property
    def listeners(self) -> int:
        return len(self._listeners)

    def after_commit(self, info: dict[str, Any]) -> None:
        """Database hook: runs in the committing thread, hands entries to the event loop."""
        entries = committed_entries(info)
        if not entries or self._loop is None:
            return
        items = [{"seq": e.seq, "type": e.type, "station_id": str(e.station_id),
                  "at": e.at.isoformat(), "entity_id": str(e.entity_id), "data": e.payload}
                 for e in entries]
        try:
            self._loop.call_soon_threadsafe(self._fanout, items)
        except RuntimeError:
            log.debug("event loop closed; %d feed entries not pushed", len(items))

    def _fanout(self, items: list[dict[str, Any]]) -> None:
        self.published += len(items)
        for listener in list(self._listeners):
            for item in items:
                listener.offer(item)
