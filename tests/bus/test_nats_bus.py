"""The JetStream backend against a real nats-server started for the test."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from safetyzone.bus.base import Message
from safetyzone.bus.nats import NatsBus, NatsUnavailable
from safetyzone.core.events import Event, EventKind, SosPayload
from support.nats import NatsServer, throwaway_nats
from support.postgres import free_loopback_port

STATION = uuid.uuid4()


@pytest.fixture(scope="module")
def nats_server() -> Iterator[NatsServer]:
    with throwaway_nats() as server:
        yield server


def event(seq: int, kind: EventKind = EventKind.SOS_PRESS) -> Event:
    now = datetime.now(UTC)
    return Event(id=uuid.uuid4(), seq=seq, kind=kind, station_id=STATION,
                 device_id=uuid.uuid4(), device_event_id=str(seq), event_time=now,
                 received_at=now, payload=SosPayload(message="ช่วยด้วย"))


async def collect(bus: NatsBus, pattern: str, after: int | None, into: list[Message]) -> None:
    async def handler(m: Message) -> None:
        into.append(m)

    await bus.subscribe(pattern, handler, after_seq=after)


def test_publish_subscribe_replay_and_dedup(nats_server: NatsServer) -> None:
    async def scenario() -> tuple[list[int], list[int], list[int], str]:
        bus = NatsBus(nats_server.url, stream=f"T{uuid.uuid4().hex[:8]}")
        await bus.connect()
        everything: list[Message] = []
        sos: list[Message] = []
        await collect(bus, "ssz.>", None, everything)
        await collect(bus, f"ssz.{STATION}.sos.press", None, sos)
        events = [event(s, EventKind.SOS_PRESS if s % 2 else EventKind.ALARM)
                  for s in range(1, 7)]
        for e in events:
            await bus.publish(e)
        await bus.publish(events[0])  # a relay replay after a crash: same Nats-Msg-Id
        replayed: list[Message] = []
        await collect(bus, "ssz.>", 4, replayed)
        for _ in range(100):
            if len(everything) >= 6 and len(replayed) >= 2:
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.2)
        await bus.close()
        text = everything[0].event.payload.message if everything else ""
        return ([m.seq for m in everything], [m.seq for m in sos],
                [m.seq for m in replayed], str(text))

    everything, sos, replayed, text = asyncio.run(scenario())
    assert everything == [1, 2, 3, 4, 5, 6]  # the duplicate was not stored again
    assert sos == [1, 3, 5]
    assert replayed == [5, 6]
    assert text == "ช่วยด้วย"


def test_unreachable_server_is_a_clear_error() -> None:
    async def scenario() -> None:
        await NatsBus(f"nats://127.0.0.1:{free_loopback_port()}").connect()

    with pytest.raises(NatsUnavailable, match="cannot reach NATS"):
        asyncio.run(scenario())


def test_connected_says_whether_the_bus_can_take_a_publish() -> None:
    async def scenario(url: str) -> list[bool]:
        bus = NatsBus(url)  # a server of its own: the default stream's subjects are free
        states = [bus.connected]
        await bus.connect()
        states.append(bus.connected)
        await bus.close()
        return [*states, bus.connected]

    with throwaway_nats() as server:
        assert asyncio.run(scenario(server.url)) == [False, True, False]
