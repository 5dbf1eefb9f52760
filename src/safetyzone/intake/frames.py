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
class FrameLog:
    per_device: int = 20
    max_devices: int = 2000
    max_bytes: int = 1024
    per_second: float = 5.0
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
