"""The monthly archive's sweep: from the 2nd of a month (Bangkok) it renders last month's
report of the country, each region and each station once; it goes on where a pass (or a
crash) stopped; it never stores one twice; a pass with nothing due costs one query, and a
pass before the day none."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import event, select

from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from safetyzone.measure.monthly import archive
from safetyzone.measure.monthly.archive import Archive
from safetyzone.measure.monthly.models import MonthlyReport
from safetyzone.measure.monthly.period import Month
from safetyzone.org import service as org
from safetyzone.org.models import UnitKind
from safetyzone.org.schemas import OrgUnitCreate
from support.monthly import ADMIN, FONTS, known_month, pdf_pages, station_id
from support.world import World

DAY_1 = datetime(2026, 10, 31, 17, 30, tzinfo=UTC)  # 00:30 on 1 November in Bangkok
DAY_2 = datetime(2026, 11, 1, 17, 30, tzinfo=UTC)  # 00:30 on 2 November in Bangkok
ORDER = ["HQ", "REG-1", "REG-2", "ST-A", "ST-B", "ST-C"]


@contextmanager
def counted(db: Database) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(*args: Any) -> None:
        if str(args[2]).split()[0].upper() not in {"BEGIN", "COMMIT", "ROLLBACK"}:
            statements.append(str(args[2]))  # SQLite's explicit BEGIN is not a query

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def stored(db: Database) -> list[tuple[str, str, str]]:
    with db.read() as session:
        rows = session.execute(select(MonthlyReport.unit_id, MonthlyReport.month,
                                      MonthlyReport.lang))
        codes = {u.id: u.code for u in org.list_units(session, scope=ADMIN)}
        return sorted((codes[unit], month, lang) for unit, month, lang in rows)


def test_nothing_before_the_day_and_not_even_a_query(db: Database, world: World) -> None:
    with counted(db) as statements:
        assert Archive(fonts_dir=FONTS).sweep(db, ManualClock(DAY_1)) == 0
    assert statements == []
    assert stored(db) == []


def test_each_due_report_is_rendered_once_and_the_next_pass_goes_on(
        db: Database, world: World) -> None:
    known_month(db)
    clock = ManualClock(DAY_2)
    assert Archive(fonts_dir=FONTS, limit=2).sweep(db, clock) == 2
    assert stored(db) == [("HQ", "2026-10", "th"), ("REG-1", "2026-10", "th")]
    # The next pass (or the next process after a crash) takes what is left, in order.
    assert Archive(fonts_dir=FONTS).sweep(db, clock) == 4
    assert [code for code, _, _ in stored(db)] == sorted(ORDER)
    with counted(db) as statements:
        assert Archive(fonts_dir=FONTS).sweep(db, clock) == 0
    assert len(statements) == 1, statements  # nothing due: one query, no drawing
    # Never twice, even asked directly (a second node that found it due a moment ago).
    assert archive.archive_one(db, clock, unit_id=station_id(db, "ST-A"),
                               month=Month(2026, 10), fonts_dir=FONTS) is None
    assert len(stored(db)) == 6
    with db.read() as session:
        row = session.scalars(select(MonthlyReport).where(
            MonthlyReport.unit_id == station_id(db, "ST-A"))).one()
        pdf, body = row.pdf, row.csv
        assert row.created_by == "monthly-report" and row.pdf_bytes == len(pdf)
    text = " ".join(pdf_pages(pdf, "archived-st-a"))
    assert "ตุลาคม 2569" in text and "รายงานประจำเดือนของสถานี" in text
    assert body.startswith("\ufeff".encode()) and b"groups,property" in body


def test_a_unit_that_fails_does_not_stop_the_others_and_is_tried_after_a_restart(
        db: Database, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = ManualClock(DAY_2)
    real = archive.service.build
    broken = station_id(db, "ST-B")

    def build(session: Any, **kw: Any) -> Any:
        if kw["subject"].unit_id == broken:
            raise RuntimeError("a section broke")
        return real(session, **kw)

    monkeypatch.setattr(archive.service, "build", build)
    sweeper = Archive(fonts_dir=FONTS)
    assert sweeper.sweep(db, clock) == 5
    assert "ST-B" not in [code for code, _, _ in stored(db)]
    assert sweeper.sweep(db, clock) == 0  # not retried each minute by this process
    monkeypatch.setattr(archive.service, "build", real)
    assert Archive(fonts_dir=FONTS).sweep(db, clock) == 1  # a restart tries it again
    assert [code for code, _, _ in stored(db)] == sorted(ORDER)


def test_a_unit_created_after_the_month_is_not_due(db: Database, world: World) -> None:
    clock = ManualClock(DAY_2)
    with db.write() as session:
        org.create_unit(session, scope=ADMIN, clock=clock, data=OrgUnitCreate(
            code="ST-NEW", kind=UnitKind.STATION, parent_code="PROV-1", name_th="ใหม่",
            name_en="New", station_type="provincial", lat=13.7, lon=100.5))
    with db.read() as session:
        due = [code for _, code, _ in archive.due(session, Month(2026, 10))]
    assert due == ORDER
