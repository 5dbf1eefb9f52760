"""The token bucket that throttles raw-frame logging."""

from __future__ import annotations

from safetyzone.core.throttle import TokenBucket


def test_bursts_up_to_the_rate_then_refills_with_time() -> None:
    now = [0.0]
    bucket = TokenBucket(3, clock=lambda: now[0])
    assert [bucket.take() for _ in range(5)] == [True, True, True, False, False]
    assert bucket.suppressed == 2
    now[0] = 0.5  # half a second buys 1.5 tokens
    assert [bucket.take() for _ in range(2)] == [True, False]
    now[0] = 100.0  # a long pause never banks more than one second's worth
    assert sum(bucket.take() for _ in range(10)) == 3
