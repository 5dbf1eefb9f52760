"""Throttles on the public side: token buckets per client address and route class, and a
failure limiter on anonymous tips' follow-up codes.

Route classes are apart so a flood of page reads cannot use up a caller's emergency press:
``emergency`` (pressing help), ``write`` (reports, tips, messages, fixes, media, deleting
one's data) and ``read`` (catalog, station, similar reports, ticket pages). Every refusal is
429 with ``Retry-After``. Memory is bounded (``max_keys`` per class).

Follow-up codes are guessable only by trying, so failures count per client address and per
ticket: from the 5th wrong code in 15 minutes each key waits 1, 2, 4 ... s, and the 10th
locks it for 15 minutes. The state is in memory like the login limiter's (``org.login``).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Literal

from safetyzone.core.errors import TooManyRequests
from safetyzone.core.throttle import Backoff, FailureLimiter, KeyedRateLimiter, Rate

RouteClass = Literal["emergency", "write", "read"]
FOLLOWUP = Backoff(delay_after=5, lock_after=10, lock_s=15 * 60, window_s=15 * 60)


class PublicGuard:
    def __init__(self, rates: dict[RouteClass, Rate], *, max_keys: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.limiters = {name: KeyedRateLimiter(rate, max_keys=max_keys, clock=clock)
                         for name, rate in rates.items()}
        self.followups = FailureLimiter(FOLLOWUP, clock=clock)

    def check(self, route_class: RouteClass, address: str) -> None:
        """Spend a token of ``address`` in ``route_class``, or refuse with 429."""
        wait = self.limiters[route_class].take(address)
        if wait > 0:
            raise TooManyRequests("too many requests from your address: wait and try again",
                                  retry_after_s=max(1, math.ceil(wait)))

    def check_followup(self, address: str, code: str) -> None:
        wait = max(self.followups.retry_after(f"addr:{address}"),
                   self.followups.retry_after(f"code:{code.upper()}"))
        if wait > 0:
            raise TooManyRequests("too many wrong follow-up codes: wait and try again",
                                  retry_after_s=max(1, math.ceil(wait)))

    def followup_failed(self, address: str, code: str) -> None:
        self.followups.fail(f"addr:{address}")
        self.followups.fail(f"code:{code.upper()}")

    def followup_succeeded(self, address: str) -> None:
        self.followups.succeed(f"addr:{address}")


def rates(*, emergency_per_min: int, write_per_min: int, read_per_min: int
          ) -> dict[RouteClass, Rate]:
    """Per-minute rates from the settings; the burst is what one minute allows."""
    return {"emergency": Rate(emergency_per_min, emergency_per_min),
            "write": Rate(write_per_min, write_per_min),
            "read": Rate(read_per_min, read_per_min)}
