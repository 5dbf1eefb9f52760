"""Database engine, sessions and the single write path.

SQLite is the embedded default: WAL so readers never block the writer, a busy timeout so
a second process waits instead of failing, foreign keys on, and ``BEGIN IMMEDIATE`` for
every write transaction behind one process-wide lock. That is the "one writer path": two
threads never race to upgrade a read lock, which is what produces "database is locked".
PostgreSQL needs none of this and gets plain transactions.

A database that is down, unreachable or busy is not a bug in the request: every read
session and write transaction turns such failures into ``DatabaseUnavailable`` (503 with
``Retry-After`` at the edge), so devices retry instead of treating the answer as final. The
PostgreSQL pool pings connections before use, so it recovers by itself once the server is
back.
"""

from __future__ import annotations

import contextlib
import enum
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, Engine, Enum, MetaData, create_engine, event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.types import TypeDecorator

from safetyzone.core.errors import DatabaseUnavailable

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base for every table; naming convention keeps migrations portable."""

    metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on both SQLite (which drops offsets) and PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: store UTC with a time zone")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def str_enum(cls: type[enum.Enum], name: str) -> Enum:
    """An enum column stored as plain strings, so SQLite and PostgreSQL share one migration."""
    return Enum(
        cls, name=name, native_enum=False, create_constraint=True, length=32,
        values_callable=lambda e: [m.value for m in e],
    )


def new_id() -> uuid.UUID:
    """Random ids, so stations can later merge into a national store without clashes."""
    return uuid.uuid4()


def _sqlite_pragmas(dbapi_conn: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # FULL: an acknowledged SOS must survive a power cut, not only a process crash. Group
    # commit in the inbox writer amortises the fsync this costs.
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


# SQLite reports schema and SQL mistakes as OperationalError too: only these mean "busy or
# the disk is in trouble", which another try may get past.
_SQLITE_TRANSIENT = ("database is locked", "database table is locked", "database is busy",
                     "disk i/o error", "unable to open database file",
                     "database or disk is full")
PG_CONNECT_TIMEOUT_S = 5
"""A server that drops packets must not hold a request for the OS TCP timeout (minutes)."""


def is_unavailable(err: BaseException) -> bool:
    """Whether ``err`` means the database is down, unreachable or busy (retry later), as
    opposed to a refused value or a bug (which another try would not fix)."""
    if isinstance(err, sa_exc.TimeoutError):  # no pooled connection came free in time
        return True
    if not isinstance(err, sa_exc.DBAPIError):
        return False
    if err.connection_invalidated or isinstance(err, sa_exc.InterfaceError):
        return True
    if not isinstance(err, sa_exc.OperationalError):
        return False
    if isinstance(err.orig, sqlite3.OperationalError):
        message = str(err.orig).lower()
        return any(part in message for part in _SQLITE_TRANSIENT)
    # psycopg reports syntax and schema errors as ProgrammingError; OperationalError is the
    # connection, the server shutting down, lock and statement time-outs, a full disk.
    return True


def unavailable(err: BaseException) -> DatabaseUnavailable:
    """The one error every caller sees for ``is_unavailable`` failures (cause chained)."""
    first_line = str(err).splitlines()[0] if str(err) else type(err).__name__
    return DatabaseUnavailable(
        "the database is unavailable; nothing was changed, try again shortly",
        code="database-unavailable", cause=first_line[:300])


@contextmanager
def translate_unavailable() -> Iterator[None]:
    """Re-raise database outages inside the block as ``DatabaseUnavailable``."""
    try:
        yield
    except sa_exc.SQLAlchemyError as err:
        if is_unavailable(err):
            raise unavailable(err) from err
        raise


def make_engine(url: str) -> Engine:
    """Create an engine tuned for the backend in ``url``."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "isolation_level": None}
        )
        event.listen(engine, "connect", _sqlite_pragmas)

        @event.listens_for(engine, "begin")
        def _begin(conn: Any) -> None:
            # The driver's own transaction handling is off (isolation_level=None), so
            # SQLAlchemy's begin maps to an explicit BEGIN. Writers take SQLite's write
            # lock up front: upgrading a read lock mid-transaction is what fails with
            # "database is locked" under concurrent writers.
            immediate = conn.get_execution_options().get("ssz_write", False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    connect_args: dict[str, Any] = {}
    if url.startswith("postgresql") and "connect_timeout" not in url:
        connect_args["connect_timeout"] = PG_CONNECT_TIMEOUT_S
    # pre-ping: after a server restart every pooled connection is dead; each is replaced
    # on checkout instead of failing one request apiece.
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20,
                         connect_args=connect_args)


class FairLock:
    """A FIFO lock: writers are served in the order they asked.

    ``threading.Lock`` lets the thread that just released it take it straight back, so the
    engine committing batch after batch starved the inbox writer, and devices waited seconds
    for their ACK. Tickets make the writers alternate.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._next_ticket = 0
        self._serving = 0

    def __enter__(self) -> None:
        with self._cond:
            ticket = self._next_ticket
            self._next_ticket += 1
            while ticket != self._serving:
                self._cond.wait()

    def __exit__(self, *_exc: object) -> None:
        with self._cond:
            self._serving += 1
            self._cond.notify_all()


class Database:
    """Owns the engine and hands out read sessions and write transactions."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        self._factory = sessionmaker(self.engine, expire_on_commit=False)
        self._write_lock = FairLock()
        self.after_commit: list[Callable[[dict[str, Any]], None]] = []

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for queries; anything it writes is discarded.

        Closing (not rolling back) keeps loaded objects readable after the block, so a
        route can build its response from them.
        """
        with translate_unavailable(), self._factory() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A write transaction, committed on success, rolled back on any error.

        After the commit, every hook in ``after_commit`` sees the session's ``info``: that is
        how work queued during the transaction (live feed entries) leaves only once durable.
        """
        lock = self._write_lock if self.is_sqlite else contextlib.nullcontext()
        with translate_unavailable(), lock, self._factory() as session:
            if self.is_sqlite:
                session.connection(execution_options={"ssz_write": True})
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise
            info = dict(session.info)
        for hook in self.after_commit:
            hook(info)

    def dispose(self) -> None:
        self.engine.dispose()
