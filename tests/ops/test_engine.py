"""The engine's batch path: one claim per batch, exactly once, urgent events first."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

from safetyzone.config import Settings
from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from safetyzone.core.events import Event, EventKind, GpsPayload, Location, SosIn, SosPayload
from safetyzone.core.security import system_scope
from safetyzone.intake import credentials
from safetyzone.intake.credentials import DeviceIdentity, SecretHasher
from safetyzone.intake.models import SubjectKind
from safetyzone.intake.service import _Request, store
from safetyzone.ops.cameras import CameraIndexCache
from safetyzone.ops.engine import process_batch, urgency
from safetyzone.org import service as org
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
