"""The writer threads' loop: groups of what is already waiting, never waiting to fill one."""

from __future__ import annotations

import queue
import threading

from safetyzone.core.drain import drain, take_group


def same(item: int | None) -> int | None:
    return item


def test_a_group_is_what_is_waiting_up_to_the_limit_by_weight() -> None:
    source: queue.Queue[int | None] = queue.Queue()
    for n in (3, 4, 5, 6):
        source.put(n)
    group, stop = take_group(source, limit=8, unwrap=same, weight=lambda n: n)
    assert (group, stop) == ([3, 4, 5], False)  # 3 + 4 < 8, so 5 joins; 12 >= 8 stops it
    assert take_group(source, limit=8, unwrap=same) == ([6], False)


def test_one_item_alone_is_handed_at_once_and_the_stop_marker_ends_the_loop() -> None:
    source: queue.Queue[tuple[int, int | None]] = queue.Queue()
    handled: list[list[int]] = []
    worker = threading.Thread(target=drain, args=(source, handled.append),
                              kwargs={"limit": 100, "unwrap": lambda item: item[1]})
    worker.start()
    source.put((0, 1))
    for _ in range(1000):  # the lone item is handled without anything else arriving
        if handled:
            break
        threading.Event().wait(0.01)
    assert handled == [[1]]
    source.put((0, 2))
    source.put((0, 3))
    source.put((9, None))
    source.put((0, 4))  # after the marker: stays queued
    worker.join()
    assert [n for group in handled for n in group] == [1, 2, 3]
    assert source.get_nowait() == (0, 4)


def test_a_marker_first_stops_without_a_group() -> None:
    source: queue.Queue[int | None] = queue.Queue()
    source.put(None)
    assert take_group(source, limit=5, unwrap=same) == ([], True)
