"""SQLite's own "busy" failure: another process holds the write lock past the busy timeout
(a long ``ssz`` import, a backup tool). The device is told to retry (503 problem+json with
Retry-After), not that the server broke (500); once the lock is gone the same event goes in.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event

from conftest import fresh_db_url
from safetyzone.config import Settings
from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from safetyzone.web.app import create_app
from support.live import Devices
from support.world import WORLD_USERS, World


@pytest.fixture
def sqlite_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    db = Database(fresh_db_url("sqlite", request, tmp_path, with_world=True))

    @event.listens_for(db.engine, "connect")
    def _short_busy_timeout(dbapi_conn: Any, _record: Any) -> None:
        # After the app's own pragmas: wait 50 ms, not 10 s, before "database is locked".
        dbapi_conn.execute("PRAGMA busy_timeout=50")

    yield db
    db.dispose()


def test_a_locked_sqlite_database_is_a_503_to_retry_not_a_500(
    sqlite_db: Database, settings: Settings, clock: ManualClock,
) -> None:
    path = sqlite_db.url.split("///", 1)[1]
    with TestClient(create_app(settings, sqlite_db, clock)) as client:
        devices = Devices(client, World(settings=settings, users=dict(WORLD_USERS)), clock)
        token = devices.credential("ST-A", "asset", devices.asset_id("ST-A-SOS1"))
        press = devices.sos()
        other = sqlite3.connect(path, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
            locked = devices.post(token, press)
            assert locked.status_code == 503, locked.text
            assert locked.headers["content-type"] == "application/problem+json"
            assert int(locked.headers["retry-after"]) > 0
            body = locked.json()
            assert body["code"] == "database-unavailable"
            assert "locked" not in body["detail"]  # driver messages stay in the log
        finally:
            other.execute("ROLLBACK")
            other.close()
        retried = devices.post(token, press)
        assert retried.status_code == 200, retried.text
        assert "Idempotent-Replayed" not in retried.headers  # the 503 stored nothing
