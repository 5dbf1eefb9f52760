"""Which stored events the engine holds, and which it has lost track of.

The bus hands the engine each event once. If processing fails (a database outage, a bug
hit by one event) or a message never arrives, the inbox row stays unprocessed, and before
this it waited for the next server start. ``Backlog`` remembers what is queued or in hand,
so a periodic look at the unprocessed rows can tell "still on its way" from "dropped", and
queue the dropped ones again: those unprocessed and unqueued for ``stale_after_s``.

An event that keeps failing on its own is retried with growing pauses (up to
``POISON_RETRY_MAX_S``) so a poison event cannot flood the log every few seconds.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable

POISON_RETRY_MAX_S = 600.0


class Backlog:
    """Thread-safe: the engine thread, the bus task and the replay task all use it."""

    def __init__(self, stale_after_s: float,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.stale_after_s = stale_after_s
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._queued: set[int] = set()  # in the engine's queue or being processed
        self._suspects: dict[int, float] = {}  # unprocessed and not queued, since when
        self._poisoned: dict[int, tuple[int, float]] = {}  # failures, not retried before

    def take(self, seq: int) -> bool:
        """Mark ``seq`` queued; False when it already is (a redelivery: skip it)."""
        with self._lock:
            if seq in self._queued:
                return False
            self._queued.add(seq)
            self._suspects.pop(seq, None)
            return True

    def done(self, seqs: Iterable[int]) -> None:
        """The engine is finished with these, processed or not."""
        with self._lock:
            self._queued.difference_update(seqs)

    def failed(self, seq: int) -> float:
        """Processing ``seq`` failed on its own; returns the pause before its next try."""
        with self._lock:
            failures = self._poisoned.get(seq, (0, 0.0))[0] + 1
            pause = min(self.stale_after_s * 2.0 ** failures, POISON_RETRY_MAX_S)
            self._poisoned[seq] = (failures, self._monotonic() + pause)
        return pause

    def stale(self, unprocessed: Iterable[int]) -> list[int]:
        """Of the seqs now unprocessed in the inbox, those to queue again."""
        now = self._monotonic()
        pending = set(unprocessed)
        with self._lock:
            self._poisoned = {q: v for q, v in self._poisoned.items() if q in pending}
            self._suspects = {q: self._suspects.get(q, now) for q in sorted(pending)
                              if q not in self._queued}
            return [q for q, since in self._suspects.items()
                    if now - since >= self.stale_after_s
                    and self._poisoned.get(q, (0, 0.0))[1] <= now]
