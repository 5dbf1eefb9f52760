"""What the engine holds and what it lost track of (see ops.backlog)."""

from __future__ import annotations

from safetyzone.ops.backlog import POISON_RETRY_MAX_S, Backlog


class Ticks:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_only_events_unqueued_for_a_while_are_queued_again() -> None:
    ticks = Ticks()
    backlog = Backlog(stale_after_s=4, monotonic=ticks)
    assert backlog.take(1) and backlog.take(2)
    assert not backlog.take(1)  # a redelivery of a queued event is skipped
    backlog.done([1])
    assert backlog.stale([1, 2, 3]) == []  # 2 is queued; 1 and 3 just noticed
    ticks.now += 3.9
    assert backlog.stale([1, 2, 3]) == []
    ticks.now += 0.1
    assert backlog.stale([1, 2, 3]) == [1, 3]
    assert backlog.take(3)
    assert backlog.stale([1, 2]) == [1]  # 3 queued again; processed ones drop out
    ticks.now += 10
    assert backlog.stale([]) == []  # nothing unprocessed: nothing remembered
    assert backlog.stale([1]) == []  # noticed anew, so it waits its turn again


def test_an_event_that_keeps_failing_is_retried_ever_more_rarely() -> None:
    ticks = Ticks()
    backlog = Backlog(stale_after_s=4, monotonic=ticks)
    backlog.take(7)
    assert backlog.failed(7) == 8
    backlog.done([7])
    backlog.stale([7])
    ticks.now += 5
    assert backlog.stale([7]) == []  # stale, but its pause is not over
    ticks.now += 3
    assert backlog.stale([7]) == [7]
    pauses = [backlog.failed(7) for _ in range(10)]
    assert pauses[0] == 16 and pauses[-1] == POISON_RETRY_MAX_S
