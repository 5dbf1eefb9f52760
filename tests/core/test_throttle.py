"""The token bucket that throttles raw-frame logging."""

from __future__ import annotations

import pytest

from safetyzone.core.throttle import KeyedRateLimiter, Rate, TokenBucket


def test_bursts_up_to_the_rate_then_refills_with_time() -> None:
    now = [0.0]
    bucket = TokenBucket(3, clock=lambda: now[0])
    assert [bucket.take() for _ in range(5)] == [True, True, True, False, False]
    assert bucket.suppressed == 2
    now[0] = 0.5  # half a second buys 1.5 tokens
    assert [bucket.take() for _ in range(2)] == [True, False]
    now[0] = 100.0  # a long pause never banks more than one second's worth
    assert sum(bucket.take() for _ in range(10)) == 3


def test_failure_limiter_delays_double_then_lock_and_forget_after_the_window() -> None:
    from safetyzone.core.throttle import Backoff, FailureLimiter

    now = [0.0]
    limiter = FailureLimiter(Backoff(delay_after=2, lock_after=4, lock_s=60, window_s=100),
                             clock=lambda: now[0])
    assert limiter.fail("k") is None
    first = limiter.fail("k")
    assert first is not None and not first.locked and limiter.retry_after("k") == 1
    assert limiter.retry_after("other") == 0
    second = limiter.fail("k")
    assert second is not None and limiter.retry_after("k") == 2
    lock = limiter.fail("k")
    assert lock is not None and lock.locked and limiter.retry_after("k") == 60
    assert [b.key for b in limiter.blocked()] == ["k"]
    now[0] = 200.0  # past the lock and the window: counting starts again
    assert limiter.retry_after("k") == 0 and limiter.blocked() == []
    assert limiter.fail("k") is None


def test_failure_limiter_is_bounded_and_keeps_locks_when_evicting() -> None:
    from safetyzone.core.throttle import Backoff, FailureLimiter

    now = [0.0]
    limiter = FailureLimiter(Backoff(delay_after=1, lock_after=1, lock_s=60, window_s=100,
                                     max_keys=3), clock=lambda: now[0])
    limiter.fail("locked")
    limiter.policy = Backoff(delay_after=5, lock_after=9, lock_s=60, window_s=100, max_keys=3)
    for n in range(10):
        now[0] += 1
        limiter.fail(f"guess{n}")
    assert len(limiter._entries) <= 3
    assert limiter.retry_after("locked") > 0
    assert limiter.clear("locked") is not None and limiter.clear("locked") is None


def test_keyed_rate_limiter_refills_and_tells_how_long_to_wait() -> None:
    now = [0.0]
    limiter = KeyedRateLimiter(Rate(per_minute=6, burst=2), clock=lambda: now[0])
    assert [limiter.take("a"), limiter.take("a")] == [0.0, 0.0]
    wait = limiter.take("a")
    assert wait == pytest.approx(10.0)  # 6 a minute: one token every 10 s
    assert limiter.take("b") == 0.0  # keys are apart
    now[0] += 10.0
    assert limiter.take("a") == 0.0
    assert limiter.take("a") > 0


def test_keyed_rate_limiter_memory_is_bounded() -> None:
    now = [0.0]
    limiter = KeyedRateLimiter(Rate(per_minute=60, burst=1), max_keys=100,
                               clock=lambda: now[0])
    for i in range(1000):
        limiter.take(f"10.0.{i // 256}.{i % 256}")
        assert len(limiter) <= 100
    # The most recent key is remembered (it must still wait); evicted ones start full.
    assert limiter.take("10.0.3.231") > 0
    assert limiter.take("10.0.0.0") == 0.0
