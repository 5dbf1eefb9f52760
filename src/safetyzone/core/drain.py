"""The one loop behind SafetyZone's writer threads: wait for work, then take what else is
already waiting, and hand it over as one group.

Why groups: one transaction per group instead of per item is what lets a single SQLite
writer keep up (a commit costs an fsync); why "what is already waiting" and not "wait for
more": an SOS that arrives alone is handled at once, never held back to fill a group. The
inbox writer (``intake.service``) and the CCOC engine (``ops.engine``) both run it.
"""

from __future__ import annotations

import queue
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


def take_group(source: queue.Queue[Any], *, limit: int, unwrap: Callable[[Any], T | None],
               weight: Callable[[T], int] = lambda _: 1) -> tuple[list[T], bool]:
    """Block for one item, then take those already waiting while the group weighs less than
    ``limit``. Returns the group and whether the stop marker (an item that unwraps to None)
    was met; items queued after the marker stay queued."""
    first = unwrap(source.get())
    if first is None:
        return [], True
    group, size = [first], weight(first)
    while size < limit:
        try:
            item = unwrap(source.get_nowait())
        except queue.Empty:
            return group, False
        if item is None:
            return group, True
        group.append(item)
        size += weight(item)
    return group, False


def drain(source: queue.Queue[Any], handle: Callable[[list[T]], None], *, limit: int,
          unwrap: Callable[[Any], T | None], weight: Callable[[T], int] = lambda _: 1) -> None:
    """Hand groups to ``handle`` until the stop marker; the group before it is handled too."""
    while True:
        group, stop = take_group(source, limit=limit, unwrap=unwrap, weight=weight)
        if group:
            handle(group)
        if stop:
            return
