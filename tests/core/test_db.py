"""The store itself: time zones, the single SQLite writer path under concurrency."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import SQLAlchemyError

from safetyzone.audit.models import AuditEntry
from safetyzone.core.db import Database
from safetyzone.core.errors import DatabaseUnavailable


def test_datetimes_come_back_as_utc(db: Database) -> None:
    bangkok_time = datetime(2026, 11, 25, 19, 0, tzinfo=timezone(timedelta(hours=7)))
    with db.write() as s:
        s.add(AuditEntry(at=bangkok_time, username="t", action="x", entity="y", detail={}))
    with db.read() as s:
        stored = s.scalar(select(AuditEntry.at))
    assert stored == bangkok_time
    assert stored is not None
    assert stored.utcoffset() == timedelta(0)


def test_naive_datetimes_are_refused(db: Database) -> None:
    with pytest.raises(Exception, match="naive datetime"), db.write() as s:
        s.add(AuditEntry(at=datetime(2026, 1, 1), username="t", action="x", entity="y",
                         detail={}))
        s.flush()


def test_concurrent_writers_never_see_database_locked(db: Database) -> None:
    """Eight threads each committing 25 read-then-write transactions; all rows must land."""
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(25):
                with db.write() as s:
                    s.scalar(select(AuditEntry.id).limit(1))  # read first: the risky pattern
                    s.add(AuditEntry(at=datetime.now(UTC), username=f"w{n}", action="x",
                                     entity="y", entity_id=str(i), detail={}))
        except BaseException as err:
            errors.append(err)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with db.read() as s:
        assert len(s.scalars(select(AuditEntry.id)).all()) == 200


def test_failed_write_changes_nothing(db: Database) -> None:
    with pytest.raises(RuntimeError), db.write() as s:
        s.add(AuditEntry(at=datetime.now(UTC), username="t", action="x", entity="y", detail={}))
        s.flush()
        raise RuntimeError("boom")
    with db.read() as s:
        assert s.scalars(select(AuditEntry.id)).all() == []


def test_an_unreachable_database_is_unavailable_not_an_error(tmp_path: Path) -> None:
    """Reads and writes against a server that is not there raise the one retry-later error
    (503 at the edge), with the driver's message kept for the log."""
    (tmp_path / "not-a-file.db").mkdir()  # SQLite cannot open a directory as its file
    missing = Database(f"sqlite:///{tmp_path}/not-a-file.db")
    try:
        with pytest.raises(DatabaseUnavailable) as read_err, missing.read() as s:
            s.execute(text("select 1"))
        assert "unable to open database file" in read_err.value.cause
        with pytest.raises(DatabaseUnavailable), missing.write() as s:
            s.execute(text("select 1"))
    finally:
        missing.dispose()


def test_mistakes_in_sql_stay_errors_not_outages(db: Database) -> None:
    """A missing table or bad SQL is a bug to see, not a 503 that hides it."""
    with pytest.raises(SQLAlchemyError), db.read() as s:  # not DatabaseUnavailable
        s.execute(text("select * from no_such_table"))
