"""Throttles: a token bucket, and a failure limiter with growing delays and a lock.

Raw-frame logging must never let a chatty or hostile device flood logs or memory; the
receiver's log and the per-device frame store both throttle through :class:`TokenBucket`.
Password guessing is slowed by :class:`FailureLimiter` (one per kind of key: account,
client address), see ``safetyzone.org.login``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


class TokenBucket:
    """Not thread-safe on its own: callers that share one hold their own lock."""

    def __init__(self, per_second: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_second = per_second
        self._clock = clock
        self._tokens = per_second
        self._refilled = clock()
        self.suppressed = 0

    def take(self) -> bool:
        """Spend one token if there is one; count a refusal in ``suppressed``."""
        now = self._clock()
        self._tokens = min(self.per_second,
                           self._tokens + (now - self._refilled) * self.per_second)
        self._refilled = now
        if self._tokens < 1:
            self.suppressed += 1
            return False
        self._tokens -= 1
        return True


@dataclass(frozen=True)
class Backoff:
    """When failures of one key start to cost time, and when they lock it.

    The ``delay_after``-th failure blocks the key for 1 s, each further one doubles that
    (2, 4, 8 ... s), and the ``lock_after``-th locks it for ``lock_s``. Failures older than
    ``window_s`` are forgotten. ``max_keys`` bounds memory when an attacker invents keys.
    """

    delay_after: int
    lock_after: int
    lock_s: float
    window_s: float
    max_keys: int = 10_000

    def block_for(self, failures: int) -> float:
        if failures >= self.lock_after:
            return self.lock_s
        if failures >= self.delay_after:
            return float(min(2 ** (failures - self.delay_after), self.lock_s))
        return 0.0


@dataclass(frozen=True)
class Blocked:
    """A key that is refused for now: delayed (``locked`` False) or locked."""

    key: str
    failures: int
    until: float
    locked: bool


@dataclass
class _Entry:
    failures: int = 0
    last_failure: float = 0.0
    until: float = 0.0
    locked: bool = False


class FailureLimiter:
    """Counts failures per key; refuses a key while its delay or lock runs. Thread-safe."""

    def __init__(self, policy: Backoff, clock: Callable[[], float] = time.monotonic) -> None:
        self.policy = policy
        self._clock = clock
        self._entries: dict[str, _Entry] = {}
        self._lock = threading.Lock()

    def retry_after(self, key: str) -> float:
        """Seconds until ``key`` may try again; 0 when it may try now."""
        with self._lock:
            entry = self._entries.get(key)
            return max(0.0, entry.until - self._clock()) if entry else 0.0

    def fail(self, key: str) -> Blocked | None:
        """Count one failure; the block it starts, if any (``locked`` says a lock began)."""
        now = self._clock()
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or now - entry.last_failure > self.policy.window_s:
                if entry is None and len(self._entries) >= self.policy.max_keys:
                    self._evict(now)
                entry = self._entries[key] = _Entry()
            entry.failures += 1
            entry.last_failure = now
            block = self.policy.block_for(entry.failures)
            if block <= 0:
                return None
            entry.until = now + block
            entry.locked = entry.failures >= self.policy.lock_after
            return Blocked(key, entry.failures, entry.until, entry.locked)

    def succeed(self, key: str) -> None:
        with self._lock:
            self._entries.pop(key, None)

    def clear(self, key: str) -> Blocked | None:
        """Lift a delay or lock (an admin's decision); what was lifted, if anything."""
        with self._lock:
            entry = self._entries.pop(key, None)
        if entry is None or entry.until <= self._clock():
            return None
        return Blocked(key, entry.failures, entry.until, entry.locked)

    def blocked(self) -> list[Blocked]:
        """Every key refused right now, longest block first."""
        now = self._clock()
        with self._lock:
            items = [Blocked(k, e.failures, e.until, e.locked)
                     for k, e in self._entries.items() if e.until > now]
        return sorted(items, key=lambda b: -b.until)

    def _evict(self, now: float) -> None:
        """Drop forgotten keys; if none, the oldest unblocked one (locks are kept)."""
        stale = [k for k, e in self._entries.items()
                 if now - e.last_failure > self.policy.window_s and e.until <= now]
        for key in stale:
            del self._entries[key]
        if len(self._entries) >= self.policy.max_keys:
            free = [(e.last_failure, k) for k, e in self._entries.items() if e.until <= now]
            victim = min(free)[1] if free else min(
                (e.last_failure, k) for k, e in self._entries.items())[1]
            del self._entries[victim]


@dataclass(frozen=True)
class Rate:
    """``per_minute`` requests a minute on average, up to ``burst`` at once."""

    per_minute: float
    burst: int

    @property
    def per_second(self) -> float:
        return self.per_minute / 60.0


@dataclass
class _Bucket:
    tokens: float
    refilled: float


class KeyedRateLimiter:
    """A token bucket per key (a client address, a LINE user), in bounded memory. Thread-safe.

    ``take`` answers 0 when the key may go ahead, else the seconds until it may. When
    ``max_keys`` buckets exist, the ones that have refilled completely are forgotten first
    (they would start full anyway), then the least recently used: an attacker inventing
    addresses costs memory up to the bound, never more.
    """

    def __init__(self, rate: Rate, *, max_keys: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.max_keys = max_keys
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        now = self._clock()
        with self._lock:
            bucket = self._buckets.pop(key, None)
            if bucket is None:
                if len(self._buckets) >= self.max_keys:
                    self._evict(now)
                bucket = _Bucket(tokens=float(self.rate.burst), refilled=now)
            else:
                bucket.tokens = min(float(self.rate.burst), bucket.tokens
                                    + (now - bucket.refilled) * self.rate.per_second)
                bucket.refilled = now
            self._buckets[key] = bucket  # re-inserted: dict order is least recent first
            if bucket.tokens >= 1:
                bucket.tokens -= 1
                return 0.0
            return (1 - bucket.tokens) / self.rate.per_second

    def __len__(self) -> int:
        return len(self._buckets)

    def _evict(self, now: float) -> None:
        full_after = self.rate.burst / self.rate.per_second
        for key in [k for k, b in self._buckets.items() if now - b.refilled >= full_after]:
            del self._buckets[key]
        while len(self._buckets) >= self.max_keys:
            del self._buckets[next(iter(self._buckets))]
