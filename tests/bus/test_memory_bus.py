"""The in-process bus: NATS-style subject patterns, ordered delivery, replay from a cursor."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import pytest

from safetyzone.bus.base import Message, subject_matches
from safetyzone.bus.memory import MemoryBus
from safetyzone.core.events import Event, EventKind, SosPayload

STATION = uuid.uuid4()


def event(seq: int, kind: EventKind = EventKind.SOS_PRESS) -> Event:
    now = datetime.now(UTC)
    return Event(id=uuid.uuid4(), seq=seq, kind=kind, station_id=STATION,
                 device_id=uuid.uuid4(), device_event_id=str(seq), event_time=now,
                 received_at=now, payload=SosPayload())


@pytest.mark.parametrize(("pattern", "subject", "expected"), [
    ("ssz.>", "ssz.st.sos.press", True),
    ("ssz.*.sos.press", "ssz.st.sos.press", True),
    ("ssz.*.sos.*", "ssz.st.sos.press", True),
    ("ssz.*.alarm", "ssz.st.sos.press", False),
    ("ssz.st", "ssz.st.sos.press", False),
    ("ssz.st.sos.press.x", "ssz.st.sos.press", False),
    (">", "anything.at.all", True),
    ("ssz.>", "ssz", False),
])
def test_subject_matching(pattern: str, subject: str, expected: bool) -> None:
    assert subject_matches(pattern, subject) is expected


def test_delivery_in_order_by_pattern_and_replay_from_cursor() -> None:
    async def scenario() -> tuple[list[int], list[int], list[int]]:
        bus = MemoryBus()
        everything: list[int] = []
        sos_only: list[int] = []

        async def on_all(m: Message) -> None:
            everything.append(m.seq)

        async def on_sos(m: Message) -> None:
            sos_only.append(m.seq)

        await bus.subscribe("ssz.>", on_all)
        await bus.subscribe(f"ssz.{STATION}.sos.press", on_sos)
        for seq in range(1, 11):
            await bus.publish(event(seq, EventKind.SOS_PRESS if seq % 2 else EventKind.ALARM))
        replayed: list[int] = []

        async def on_replay(m: Message) -> None:
            replayed.append(m.seq)

        await bus.subscribe("ssz.>", on_replay, after_seq=7)
        await asyncio.sleep(0.05)
        await bus.close()
        return everything, sos_only, replayed

    everything, sos_only, replayed = asyncio.run(scenario())
    assert everything == list(range(1, 11))
    assert sos_only == [1, 3, 5, 7, 9]
    assert replayed == [8, 9, 10]


def test_a_failing_or_slow_handler_does_not_block_others() -> None:
    async def scenario() -> tuple[list[int], list[int]]:
        bus = MemoryBus()
        fast: list[int] = []
        flaky: list[int] = []
        gate = asyncio.Event()

        async def on_fast(m: Message) -> None:
            fast.append(m.seq)

        async def on_flaky(m: Message) -> None:
            await gate.wait()
            if m.seq == 2:
                raise RuntimeError("boom")
            flaky.append(m.seq)

        await bus.subscribe("ssz.>", on_fast)
        await bus.subscribe("ssz.>", on_flaky)
        for seq in (1, 2, 3):
            await bus.publish(event(seq))
        await asyncio.sleep(0.05)
        assert fast == [1, 2, 3]  # not waiting for the slow one
        gate.set()
        await asyncio.sleep(0.05)
        await bus.close()
        return fast, flaky

    fast, flaky = asyncio.run(scenario())
    assert fast == [1, 2, 3]
    assert flaky == [1, 3]
