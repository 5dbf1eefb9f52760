"""The in-memory ring of each device's last raw frames: bounded, throttled, thread-safe."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from safetyzone.intake.frames import FrameLog
from safetyzone.intake.models import Protocol

AT = datetime(2026, 1, 1, tzinfo=UTC)


def test_keeps_the_last_frames_per_device_oldest_first() -> None:
    log = FrameLog(per_device=3, per_second=1000)
    for n in range(5):
        log.record(Protocol.NMEA, "T1", "rx", "p", f"line {n}".encode(), AT)
    frames, suppressed = log.recent(Protocol.NMEA, "T1")
    assert [f.data for f in frames] == [b"line 2", b"line 3", b"line 4"]
    assert suppressed == 0
    assert [f.data for f in log.recent(Protocol.NMEA, "T1", limit=1)[0]] == [b"line 4"]
    assert log.recent(Protocol.NMEA, "T2") == ([], 0)
    assert log.recent(Protocol.OSMAND, "T1") == ([], 0)


def test_sia_accounts_match_in_any_case() -> None:
    log = FrameLog()
    log.record(Protocol.SIA_DC09, "1a2b", "rx", "p", b"x", AT)
    assert len(log.recent(Protocol.SIA_DC09, "1A2B")[0]) == 1


def test_bounded_in_total_and_per_frame() -> None:
    log = FrameLog(max_devices=2, max_bytes=4, per_second=1000)
    for device in ("A", "B", "C"):
        log.record(Protocol.OSMAND, device, "rx", "p", b"0123456789", AT)
    assert log.recent(Protocol.OSMAND, "A") == ([], 0)  # heard longest ago: dropped
    (frame,), _ = log.recent(Protocol.OSMAND, "C")
    assert frame.data == b"0123" and frame.size == 10 and frame.truncated


def test_a_chatty_device_is_throttled_and_counted() -> None:
    log = FrameLog(per_second=2)
    for _ in range(10):
        log.record(Protocol.NMEA, "T1", "rx", "p", b"x", AT)
    frames, suppressed = log.recent(Protocol.NMEA, "T1")
    assert len(frames) + suppressed == 10
    assert len(frames) <= 3 and suppressed >= 7


def test_many_threads_at_once() -> None:
    log = FrameLog(per_device=5, max_devices=50, per_second=1e9)

    def hammer(n: int) -> None:
        for i in range(500):
            log.record(Protocol.NMEA, f"T{(n * 7 + i) % 80}", "rx", "p", b"x", AT)
            log.recent(Protocol.NMEA, f"T{i % 80}")

    threads = [threading.Thread(target=hammer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    kept = [log.recent(Protocol.NMEA, f"T{i}")[0] for i in range(80)]
    assert sum(1 for frames in kept if frames) <= 50
    assert all(len(frames) <= 5 for frames in kept)
