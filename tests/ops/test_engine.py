"""The engine's batch path: one claim per batch, exactly once, urgent events first; after
a failure (a database outage, one bad event) nothing waits for a restart."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from safetyzone.bus.memory import MemoryBus
from safetyzone.config import Settings
from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from safetyzone.core.errors import DatabaseUnavailable
from safetyzone.core.events import Event, EventKind, GpsPayload, Location, SosIn, SosPayload
from safetyzone.core.security import system_scope
from safetyzone.intake import credentials
from safetyzone.intake.credentials import DeviceIdentity, SecretHasher
from safetyzone.intake.models import InboxEvent, SubjectKind
from safetyzone.intake.service import _Request, store
from safetyzone.ops import engine as engine_module
from safetyzone.ops.cameras import CameraIndexCache
from safetyzone.ops.engine import Engine, process_batch, urgency
from safetyzone.org import service as org
from support.live import wait_for
from support.world import build_world


def stored_events(db: Database, clock: ManualClock, settings: Settings) -> list[Event]:
    build_world(db, clock, settings)
    scope = system_scope()
    with db.write() as s:
        station = org.get_station(s, scope=scope, code="ST-A")
        issued = credentials.issue(s, scope=scope, clock=clock, hasher=SecretHasher("k" * 40),
                                   station_id=station.id, subject_kind=SubjectKind.GATEWAY,
                                   subject_id=None, label="pole")
        identity = DeviceIdentity(issued.credential.id, issued.credential.key_id, station.id,
                                  SubjectKind.GATEWAY, None, "pole")
        loop = asyncio.new_event_loop()
        presses = [SosIn(kind=EventKind.SOS_PRESS, device_event_id=f"p{i}",
                         event_time=clock.now()) for i in range(3)]
        events = store(s, [_Request(identity, presses, clock.now(), loop, loop.create_future())])
        loop.close()
    return events


def test_a_batch_from_one_new_device_is_processed_once(
    db: Database, clock: ManualClock, settings: Settings,
) -> None:
    events = stored_events(db, clock, settings)
    cameras = CameraIndexCache()
    with db.write() as s:
        first = process_batch(s, events, cameras=cameras, now=clock.now())
    assert len(first) == 3
    assert first[0].opened
    assert {o.incident_id for o in first} == {first[0].incident_id}  # presses merge
    with db.write() as s:
        again = process_batch(s, events, cameras=cameras, now=clock.now())
    assert again == []  # a redelivered batch is skipped: exactly once


def test_urgent_events_jump_the_queue() -> None:
    now = datetime.now(UTC)

    def event(kind: EventKind, payload: object, location: Location | None = None) -> Event:
        return Event(id=uuid.uuid4(), seq=1, kind=kind, station_id=uuid.uuid4(),
                     device_id=uuid.uuid4(), device_event_id="x", event_time=now,
                     received_at=now, location=location, payload=payload)  # type: ignore[arg-type]

    here = Location(lat=13.73, lon=100.47)
    assert urgency(event(EventKind.SOS_PRESS, SosPayload())) == 0
    assert urgency(event(EventKind.GPS_POSITION, GpsPayload(), here)) == 1
    assert urgency(event(EventKind.GPS_POSITION, GpsPayload(alarm="sos"), here)) == 0


def unprocessed_count(db: Database) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(InboxEvent)
                        .where(InboxEvent.processed_at.is_(None))) or 0


def run_engine(db: Database, clock: ManualClock, events: list[Event], **options: Any) -> Engine:
    """Start an engine, publish the events to it, wait until none is left unprocessed."""
    bus = MemoryBus()
    engine = Engine(db, clock, bus, **options)

    async def scenario() -> None:
        await bus.connect()
        await engine.start()
        try:
            for event in events:
                await bus.publish(event)
            await asyncio.to_thread(wait_for, lambda: unprocessed_count(db) == 0,
                                    seconds=60)
        finally:
            await engine.stop()
            await bus.close()

    asyncio.run(scenario())
    return engine


def test_a_batch_cut_by_a_database_outage_is_retried_not_dropped(
    db: Database, clock: ManualClock, settings: Settings, monkeypatch: pytest.MonkeyPatch,
) -> None:
    events = stored_events(db, clock, settings)
    real_write, refused = db.write, []

    @contextlib.contextmanager
    def flaky_write() -> Iterator[Session]:
        if len(refused) < 3:  # the database is away for the engine's first three tries
            refused.append(1)
            raise DatabaseUnavailable("the database is unavailable")
        with real_write() as session:
            yield session

    monkeypatch.setattr(db, "write", flaky_write)
    # No safety-net pass during the test: the batch itself must be retried.
    engine = run_engine(db, clock, events, replay_interval_s=3600)
    assert len(refused) == 3
    assert engine.processed == 3 and engine.requeued == 0


def test_an_event_whose_processing_failed_is_taken_up_again_without_a_restart(
    db: Database, clock: ManualClock, settings: Settings, monkeypatch: pytest.MonkeyPatch,
) -> None:
    events = stored_events(db, clock, settings)
    real_apply, failures = engine_module._apply, []

    def failing_apply(*args: Any, **kwargs: Any) -> engine_module.Outcome:
        if len(failures) < 4:  # the batch, then each event alone: all fail once
            failures.append(1)
            raise RuntimeError("a passing fault")
        return real_apply(*args, **kwargs)

    monkeypatch.setattr(engine_module, "_apply", failing_apply)
    engine = run_engine(db, clock, events, replay_interval_s=0.05, replay_after_s=0.1)
    assert len(failures) == 4
    assert engine.requeued >= 3  # the periodic look found them, not a restart
