"""Running numbers: one per report, per station and Buddhist Era year, without gaps or
duplicates when officers issue at the same moment from separate connections (SQLite's
BEGIN IMMEDIATE, PostgreSQL's row lock), starting again at 1 on 1 January in Bangkok."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from safetyzone.config import Settings
from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from safetyzone.core.secretbox import SecretBox
from safetyzone.core.security import Scope
from safetyzone.org import auth
from safetyzone.org.models import User
from safetyzone.services import lostdocs, lostdocs_station
from safetyzone.services.lostdocs_models import LostDocReport
from safetyzone.services.lostdocs_schemas import LostDocIn
from support.lostdocs import declaration, thai_id
from support.world import World

REVIEW = lostdocs.Defaults(auto_issue=False, repeat_days=30)
WORKERS = 6
REPORTS = 18


def _operator(db: Database, username: str = "a.operator") -> Scope:
    with db.read() as s:
        user = s.scalar(select(User).where(User.username == username))
        assert user is not None
        return auth.scope_for(s, user)


def _pending(db: Database, clock: ManualClock, settings: Settings, n: int,
             station: str = "ST-A", seed: int = 100) -> list[uuid.UUID]:
    keys = lostdocs.LostDocKeys(settings.secret_key.get_secret_value())
    box = SecretBox(settings.secret_key.get_secret_value())
    out = []
    with db.write() as s:
        for i in range(n):
            report, _ = lostdocs.create_report(
                s, clock=clock, box=box, keys=keys, defaults=REVIEW,
                data=LostDocIn.model_validate(declaration(
                    national_id=thai_id(seed + i), station=station, lost_on="2025-12-01")))
            out.append(report.id)
    return out


def test_concurrent_issues_get_distinct_numbers(db: Database, db_url: str, world: World,
                                                 clock: ManualClock,
                                                 settings: Settings) -> None:
    ids = _pending(db, clock, settings, REPORTS)
    scope = _operator(db)
    start = threading.Barrier(WORKERS)

    def work(part: list[uuid.UUID]) -> list[int]:
        own = Database(db_url)  # its own connection pool: real concurrent transactions
        try:
            start.wait()
            numbers = []
            for report_id in part:
                with own.write() as s:
                    row = lostdocs_station.issue(s, scope=scope, clock=clock,
                                                 report_id=report_id)
                    assert row.record_no is not None
                    numbers.append(int(row.record_no.split("/")[1]))
            return numbers
        finally:
            own.dispose()

    with ThreadPoolExecutor(WORKERS) as pool:
        parts = [ids[i::WORKERS] for i in range(WORKERS)]
        results = list(pool.map(work, parts))
    numbers = sorted(n for part in results for n in part)
    assert numbers == list(range(1, REPORTS + 1))
    with db.read() as s:
        stored = sorted((r.be_year, r.number) for r in s.scalars(select(LostDocReport)))
    assert stored == [(2569, n) for n in range(1, REPORTS + 1)]


def test_each_station_counts_apart(db: Database, world: World, clock: ManualClock,
                                   settings: Settings) -> None:
    a = _pending(db, clock, settings, 2)
    b = _pending(db, clock, settings, 1, station="ST-B", seed=200)
    with db.write() as s:
        got = [lostdocs_station.issue(s, scope=_operator(db), clock=clock, report_id=i
                                      ).record_no for i in a]
        got.append(lostdocs_station.issue(s, scope=_operator(db, "b.operator"), clock=clock,
                                          report_id=b[0]).record_no)
    assert got == ["ST-A/1/2569", "ST-A/2/2569", "ST-B/1/2569"]


def test_numbers_start_again_in_the_new_buddhist_year(db: Database, world: World,
                                                      settings: Settings) -> None:
    # 16:59 UTC on 31 Dec 2026 is 23:59 in Bangkok, still 2569; two minutes later it is
    # 1 Jan 2570 in Bangkok while UTC is still in 2026.
    clock = ManualClock(datetime(2026, 12, 31, 16, 59, tzinfo=UTC))
    ids = _pending(db, clock, settings, 3)
    scope = _operator(db)
    with db.write() as s:
        first = lostdocs_station.issue(s, scope=scope, clock=clock, report_id=ids[0])
    clock.advance(timedelta(minutes=2))
    with db.write() as s:
        later = [lostdocs_station.issue(s, scope=scope, clock=clock, report_id=i).record_no
                 for i in ids[1:]]
    assert first.record_no == "ST-A/1/2569"
    assert later == ["ST-A/1/2570", "ST-A/2/2570"]
