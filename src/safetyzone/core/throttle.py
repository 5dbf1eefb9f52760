"""A token bucket: at most ``per_second`` on average, with bursts up to ``per_second``.

Raw-frame logging must never let a chatty or hostile device flood logs or memory; the
receiver's log and the per-device frame store both throttle through this one class.
"""

from __future__ import annotations

import time
from collections.abc import Callable


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
