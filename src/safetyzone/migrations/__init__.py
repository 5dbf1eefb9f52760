"""Alembic migrations, kept inside the package so an installed SafetyZone can migrate itself.

One history runs on SQLite and PostgreSQL. ``upgrade`` applies it; ``check`` refuses a
database that is unmigrated, behind, or ahead of this code, with words an operator can act on.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from safetyzone.core.errors import DatabaseNotReady

HERE = Path(__file__).parent


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(HERE))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


@cache
def _history() -> tuple[str, frozenset[str]]:
    """This code's head revision and every revision it knows.

    Read from the migration scripts once per process: ``check`` runs at every start and on
    every /readyz probe, and the code that runs is the code that was loaded, whatever is put
    on the disk meanwhile.
    """
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    head = script.get_current_head()
    assert head is not None
    return head, frozenset(rev.revision for rev in script.walk_revisions())


def head_revision() -> str:
    return _history()[0]


def upgrade(engine: Engine) -> None:
    """Apply every migration up to head, on the given engine's database."""
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def check(engine: Engine) -> None:
    """Raise :class:`DatabaseNotReady` unless the database is at this code's head."""
    head, known = _history()
    current = current_revision(engine)
    if current == head:
        return
    if current is None:
        raise DatabaseNotReady(
            "the database has no SafetyZone schema yet: run 'ssz db upgrade' first"
        )
    if current not in known:
        raise DatabaseNotReady(
            f"the database is at revision {current}, which this version of SafetyZone does "
            "not know (it was migrated by a newer version): upgrade SafetyZone"
        )
    raise DatabaseNotReady(
        f"the database is at revision {current} but this code needs {head}: "
        "run 'ssz db upgrade'"
    )
