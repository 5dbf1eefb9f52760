"""The raw frames of each device's last messages, in memory, for admins chasing a field bug.

Gateways call :meth:`FrameLog.record` with what crossed the wire (``rx`` from the device,
``tx`` our reply) under the device's protocol id. Only registered devices are recorded, so
a stranger cannot push real devices out. Bounds, so a chatty or hostile device costs little:

* ``per_device`` frames per device (oldest dropped first);
* ``max_devices`` devices in all (the device heard longest ago is dropped first);
* ``max_bytes`` per frame (longer frames are cut and marked ``truncated``);
* ``per_second`` frames per device and second (a token bucket; frames over it are counted
  in ``suppressed``, not kept).

Thread-safe: gateways record from the event loop, routes read from worker threads. Nothing
is written to the database: a restart forgets the frames, as a log rotation would.

:class:`DeviceProblems` (``FrameLog.problems``) keeps, beside the frames, what was wrong with
a device's input although it was answered: a panel clock that cannot be right, a tracker fix
the server did not use. One entry per kind, with a count and first/last seen, so an admin
sees "panel clock wrong, 212 times since Monday" on the health page instead of a log line.
The device's next bad frame raises it again after a restart.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from safetyzone.core.throttle import TokenBucket
from safetyzone.intake.directory import normalize
from safetyzone.intake.models import Protocol

Direction = Literal["rx", "tx"]


@dataclass(frozen=True)
class Frame:
    at: datetime
    direction: Direction
    peer: str
    data: bytes
    size: int  # on the wire, before any cut

    @property
    def truncated(self) -> bool:
        return self.size > len(self.data)


@dataclass
class _Device:
    frames: deque[Frame]
    bucket: TokenBucket


@dataclass
class DeviceProblem:
    """One kind of problem of one device: what, the last detail, when, how often."""

    kind: str
    detail: str
    first_seen: datetime
    last_seen: datetime
    count: int = 1


@dataclass
class DeviceProblems:
    """Maintenance notes per device (see the module docstring), bounded like the frames."""

    max_devices: int = 2000
    max_kinds: int = 16
    max_detail: int = 300
    _devices: OrderedDict[tuple[Protocol, str], dict[str, DeviceProblem]] = field(
        default_factory=OrderedDict, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def record(self, protocol: Protocol, external_id: str, kind: str, detail: str,
               at: datetime) -> None:
        """Note one occurrence of ``kind`` for a registered device."""
        key = (protocol, normalize(protocol, external_id))
        detail = detail[:self.max_detail]
        with self._lock:
            kinds = self._devices.get(key)
            if kinds is None:
                kinds = self._devices[key] = {}
                while len(self._devices) > self.max_devices:
                    self._devices.popitem(last=False)
            else:
                self._devices.move_to_end(key)
            problem = kinds.get(kind)
            if problem is not None:
                problem.detail, problem.last_seen = detail, at
                problem.count += 1
            elif len(kinds) < self.max_kinds:
                kinds[kind] = DeviceProblem(kind, detail, at, at)

    def current(self, protocol: Protocol, external_id: str) -> list[DeviceProblem]:
        """The device's problems, most recent first (copies: safe to read outside the lock)."""
        with self._lock:
            kinds = self._devices.get((protocol, normalize(protocol, external_id)), {})
            found = [DeviceProblem(p.kind, p.detail, p.first_seen, p.last_seen, p.count)
                     for p in kinds.values()]
        return sorted(found, key=lambda p: p.last_seen, reverse=True)


@dataclass
class FrameLog:
    per_device: int = 20
    max_devices: int = 2000
    max_bytes: int = 1024
    per_second: float = 5.0
    problems: DeviceProblems = field(default_factory=DeviceProblems)
    _devices: OrderedDict[tuple[Protocol, str], _Device] = field(
        default_factory=OrderedDict, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def record(self, protocol: Protocol, external_id: str, direction: Direction, peer: str,
               data: bytes, at: datetime) -> None:
        """Keep one frame of a registered device, unless its rate is spent."""
        key = (protocol, normalize(protocol, external_id))
        with self._lock:
            device = self._devices.get(key)
            if device is None:
                device = _Device(deque(maxlen=self.per_device), TokenBucket(self.per_second))
                self._devices[key] = device
                while len(self._devices) > self.max_devices:
                    self._devices.popitem(last=False)
            else:
                self._devices.move_to_end(key)
            if not device.bucket.take():
                return
            device.frames.append(Frame(at, direction, peer, bytes(data[:self.max_bytes]),
                                       len(data)))

    def recent(self, protocol: Protocol, external_id: str,
               limit: int | None = None) -> tuple[list[Frame], int]:
        """The device's last frames, oldest first, and how many were suppressed."""
        with self._lock:
            device = self._devices.get((protocol, normalize(protocol, external_id)))
            if device is None:
                return [], 0
            frames = list(device.frames)
            suppressed = device.bucket.suppressed
        return (frames[-limit:] if limit else frames), suppressed
