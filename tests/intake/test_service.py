"""The inbox writer's group commit: strangers share a transaction, never a fate.

One request the database refuses must fail alone; the others in the same group are stored
exactly once and acknowledged. A database outage fails the group as a whole (all retry).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from conftest import fresh_db_url
from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from safetyzone.core.errors import DatabaseUnavailable, InvalidInput
from safetyzone.core.events import Event, EventKind, SosIn
from safetyzone.core.security import system_scope
from safetyzone.intake import credentials
from safetyzone.intake import service as intake
from safetyzone.intake.credentials import DeviceIdentity, SecretHasher
from safetyzone.intake.models import InboxEvent, SubjectKind
from safetyzone.intake.service import Ack, InboxWriter
from safetyzone.org import service as org
from support.world import World

SECRET = "writer-test-secret-key-long-enough-0123456789"
SOS_ONLY = frozenset({EventKind.SOS_PRESS})


def device(db: Database, clock: ManualClock, label: str) -> DeviceIdentity:
    scope = system_scope("writer-test")
    with db.write() as s:
        station = org.get_station(s, scope=scope, code="ST-A")
        issued = credentials.issue(s, scope=scope, clock=clock, hasher=SecretHasher(SECRET),
                                   station_id=station.id, subject_kind=SubjectKind.GATEWAY,
                                   subject_id=None, label=label)
    return DeviceIdentity(issued.credential.id, issued.credential.key_id, station.id,
                          SubjectKind.GATEWAY, None, label, kinds=SOS_ONLY, sender="a test pole")


def sos(clock: ManualClock, *ids: str) -> list[SosIn]:
    return [SosIn(kind=EventKind.SOS_PRESS, device_event_id=i, event_time=clock.now())
            for i in ids]


def one_group(db: Database, clock: ManualClock, monkeypatch: pytest.MonkeyPatch,
              requests: Sequence[tuple[DeviceIdentity, list[SosIn]]],
              ) -> tuple[list[list[Ack] | BaseException], list[int], list[Event]]:
    """Submit every request before the writer runs, so its first group holds them all.

    Returns each request's outcome, the size of every group ``store`` was given, and the
    events handed on after commits.
    """
    sizes: list[int] = []
    real_store = intake.store

    def counting_store(session: Any, group: Sequence[Any]) -> list[Event]:
        sizes.append(len(group))
        return real_store(session, group)

    monkeypatch.setattr(intake, "store", counting_store)
    committed: list[Event] = []
    writer = InboxWriter(db, clock, on_commit=committed.extend)

    async def run() -> list[list[Ack] | BaseException]:
        tasks = [asyncio.create_task(writer.submit(identity, events))
                 for identity, events in requests]
        await asyncio.sleep(0)  # each task runs up to its wait: every request is queued
        assert writer._queue.qsize() == len(requests)
        writer.start()
        try:
            return await asyncio.gather(*tasks, return_exceptions=True)
        finally:
            await asyncio.to_thread(writer.stop)

    return asyncio.run(run()), sizes, committed


def stored(db: Database, device_event_id: str) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(InboxEvent)
                        .where(InboxEvent.device_event_id == device_event_id)) or 0


def test_a_request_the_database_refuses_fails_alone_in_its_group(
    db: Database, world: World, clock: ManualClock, monkeypatch: pytest.MonkeyPatch,
) -> None:
    pole, panel = device(db, clock, "pole"), device(db, clock, "panel")
    # A credential deleted after its token was checked: its rows break a foreign key.
    ghost = DeviceIdentity(uuid.uuid4(), "ghost", pole.station_id, SubjectKind.GATEWAY,
                           None, "ghost", kinds=SOS_ONLY, sender="a test pole")
    outcomes, sizes, committed = one_group(db, clock, monkeypatch, [
        (pole, sos(clock, "p-1", "p-2")),
        (ghost, sos(clock, "g-1")),
        (panel, sos(clock, "x-1")),
        (pole, sos(clock, "p-2")),  # the device's retry, in the same group: one row
    ])
    assert sizes[0] == 4  # they really shared a group commit
    first, guilty, third, retry = outcomes
    assert isinstance(guilty, IntegrityError)
    assert isinstance(first, list) and isinstance(third, list) and isinstance(retry, list)
    assert [a.device_event_id for a in first] == ["p-1", "p-2"]
    assert not any(a.duplicate for a in first + third)
    assert retry[0].duplicate and retry[0].id == first[1].id
    for device_event_id in ("p-1", "p-2", "x-1"):
        assert stored(db, device_event_id) == 1
    assert stored(db, "g-1") == 0
    assert sorted(e.device_event_id for e in committed) == ["p-1", "p-2", "x-1"]


@pytest.mark.postgres
def test_a_nul_character_postgresql_refuses_is_a_422_for_its_request_only(
    request: pytest.FixtureRequest, tmp_path: Path, clock: ManualClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """PostgreSQL cannot store NUL in text (SQLite can): the edge refuses it, but should one
    slip through, only its own request fails, as invalid input rather than a server error."""
    db = Database(fresh_db_url("postgres", request, tmp_path, with_world=True))
    try:
        pole = device(db, clock, "pole")
        outcomes, sizes, committed = one_group(db, clock, monkeypatch, [
            (pole, sos(clock, "ok-1")),
            # Built past the edge check (SosIn refuses NUL itself), as if one slipped through.
            (pole, [SosIn.model_construct(kind=EventKind.SOS_PRESS, device_event_id="bad\x00id",
                                          event_time=clock.now())]),
            (pole, sos(clock, "ok-2")),
        ])
        assert sizes[0] == 3
        ok1, bad, ok2 = outcomes
        assert isinstance(bad, InvalidInput), bad
        assert "NUL" in bad.problems[0].reason
        assert isinstance(ok1, list) and isinstance(ok2, list)
        assert stored(db, "ok-1") == stored(db, "ok-2") == 1
        assert sorted(e.device_event_id for e in committed) == ["ok-1", "ok-2"]
    finally:
        db.dispose()


def test_an_outage_fails_the_whole_group_at_once_for_all_to_retry(
    db: Database, world: World, clock: ManualClock, monkeypatch: pytest.MonkeyPatch,
) -> None:
    pole, panel = device(db, clock, "pole"), device(db, clock, "panel")

    def outage(session: Any, group: Sequence[Any]) -> list[Event]:
        raise DatabaseUnavailable("the database is unavailable")

    monkeypatch.setattr(intake, "store", outage)
    outcomes, attempts, committed = one_group(db, clock, monkeypatch, [
        (pole, sos(clock, "o-1")), (panel, sos(clock, "o-2"))])
    assert all(isinstance(o, DatabaseUnavailable) for o in outcomes), outcomes
    assert attempts == [2]  # no one-by-one retries against a database that is down
    assert committed == []
    assert stored(db, "o-1") == stored(db, "o-2") == 0
