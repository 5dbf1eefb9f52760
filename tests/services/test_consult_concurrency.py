"""Double booking is impossible, and one consultant's slots never overlap, even when the
requests race: real threads on real databases (SQLite's one writer, PostgreSQL's rows)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import select

from safetyzone.config import Settings
from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from safetyzone.core.errors import Conflict
from safetyzone.core.secretbox import SecretBox
from safetyzone.core.security import system_scope
from safetyzone.services import consult, consult_booking
from safetyzone.services.consult_models import ConsultRequest, ConsultSlot, SlotState
from safetyzone.services.consult_schemas import BookingIn, ConsultantCreate, SlotCreate
from support.consult import booking
from support.world import World

RACERS = 8


def _consultant(db: Database, clock: ManualClock) -> str:
    with db.write() as s:
        return str(consult.add_consultant(s, scope=system_scope(), clock=clock,
                                          data=ConsultantCreate(station_code="ST-A",
                                                                username="a.operator")).id)


def _race(attempt: object) -> list[str]:
    barrier = threading.Barrier(RACERS)

    def run(i: int) -> str:
        barrier.wait()
        try:
            attempt(i)  # type: ignore[operator]
        except Conflict:
            return "conflict"
        return "ok"

    with ThreadPoolExecutor(RACERS) as pool:
        return sorted(pool.map(run, range(RACERS)))


def test_racing_citizens_book_one_slot_once(db: Database, world: World, clock: ManualClock,
                                            settings: Settings) -> None:
    box = SecretBox(settings.secret_key.get_secret_value())
    who = _consultant(db, clock)
    start = clock.now() + timedelta(days=1)
    with db.write() as s:
        slot_id = str(consult.create_slot(s, scope=system_scope(), clock=clock, data=SlotCreate(
            consultant_id=who, starts_at=start, ends_at=start + timedelta(minutes=30),
            channels=["phone"])).id)  # type: ignore[arg-type, list-item]

    def attempt(i: int) -> None:
        with db.write() as s:
            consult_booking.book(s, clock=clock, box=box,
                                 data=BookingIn.model_validate(booking(slot_id)))

    assert _race(attempt) == ["conflict"] * (RACERS - 1) + ["ok"]
    with db.read() as s:
        assert len(list(s.scalars(select(ConsultRequest)))) == 1
        slot = s.scalar(select(ConsultSlot))
        assert slot is not None and slot.state is SlotState.BOOKED


def test_racing_slot_offers_never_overlap(db: Database, world: World,
                                          clock: ManualClock) -> None:
    who = _consultant(db, clock)
    start = clock.now() + timedelta(days=1)

    def attempt(i: int) -> None:  # every offer overlaps every other one
        begins = start + timedelta(minutes=5 * i)
        with db.write() as s:
            consult.create_slot(s, scope=system_scope(), clock=clock, data=SlotCreate(
                consultant_id=who, starts_at=begins, ends_at=begins + timedelta(hours=1),
                channels=["station"]))  # type: ignore[arg-type, list-item]

    assert _race(attempt) == ["conflict"] * (RACERS - 1) + ["ok"]
    with db.read() as s:
        assert len(list(s.scalars(select(ConsultSlot)))) == 1
