"""One migration history for both backends, matching the models, refusing wrong schemas."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from safetyzone import migrations
from safetyzone.config import Settings
from safetyzone.core.db import Database
from safetyzone.core.errors import DatabaseNotReady
from safetyzone.migrations.metadata import metadata
from safetyzone.web.app import create_app


def test_migrations_match_the_models(db: Database) -> None:
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []


def test_migrated_database_is_current(db: Database) -> None:
    migrations.check(db.engine)
    assert migrations.current_revision(db.engine) == migrations.head_revision()


def test_empty_database_is_refused_with_instructions(tmp_path: object) -> None:
    engine = create_engine("sqlite://")
    with pytest.raises(DatabaseNotReady, match="ssz db upgrade"):
        migrations.check(engine)


def test_newer_database_is_refused(db: Database, settings: Settings) -> None:
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    with pytest.raises(DatabaseNotReady, match="newer version"):
        migrations.check(db.engine)
    app = create_app(settings, db)
    with pytest.raises(DatabaseNotReady), TestClient(app):
        pass


def test_audit_log_is_append_only(db: Database) -> None:
    with db.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO audit_log (at, username, action, entity, detail) "
            "VALUES (:at, 'u', 'a', 'e', '{}')"), {"at": datetime.now(UTC)})
    for statement in ("UPDATE audit_log SET action = 'forged'", "DELETE FROM audit_log"):
        with pytest.raises(Exception, match="append-only"), db.engine.begin() as conn:
            conn.execute(text(statement))
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT action FROM audit_log")).scalars().all() == ["a"]
