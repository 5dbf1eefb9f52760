"""The throwaway PostgreSQL harness really isolates, works and cleans up after itself.

Why test test infrastructure: every database test trusts it. If it silently used the
machine's own server (port 5432), leaked postmasters or temp dirs, or skipped in CI, the
damage would surface far from the cause (or not at all, as a green build with no DB tests).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa

import support.postgres as pg
from support.postgres import (
    BINDIR_ENV,
    PostgresServer,
    PostgresUnavailableError,
    postgres_unavailable_reason,
    process_is_running,
    require_or_skip,
    throwaway_postgres,
    throwaway_postgres_or_skip,
)


@pytest.fixture(scope="session")
def harness_server() -> Iterator[PostgresServer]:
    """One server for this module's checks; skips locally / fails in CI when unavailable."""
    with throwaway_postgres_or_skip() as server:
        yield server


@pytest.mark.postgres
def test_server_is_private_loopback_and_fast(harness_server: PostgresServer) -> None:
    """Never the system cluster; listens on loopback only, with the speed settings applied."""
    server = harness_server
    assert server.host == "127.0.0.1"
    assert server.port != 5432
    assert (server.socket_dir / f".s.PGSQL.{server.port}").exists()
    assert server.data_dir.is_relative_to(server.socket_dir)
    with server.connect() as conn:
        version = conn.execute("select version()").fetchone()
        assert version is not None
        assert str(version[0]).startswith("PostgreSQL")
        settings: dict[str, str] = dict(
            conn.execute(
                "select name, setting from pg_settings where name = any(%s)",
                (["port", "fsync", "server_encoding", "listen_addresses", "data_directory"],),
            ).fetchall()
        )
    assert settings["port"] == str(server.port)
    assert settings["fsync"] == "off"
    assert settings["server_encoding"] == "UTF8"
    assert settings["listen_addresses"] == "127.0.0.1"
    assert Path(settings["data_directory"]) == server.data_dir


@pytest.mark.postgres
def test_create_database_returns_a_working_sqlalchemy_url(
    harness_server: PostgresServer,
) -> None:
    """Each caller can get its own database and reach it through SQLAlchemy + psycopg 3."""
    url = harness_server.create_database("ssz_harness_probe")
    assert url.startswith("postgresql+psycopg://postgres@127.0.0.1:")
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            assert conn.execute(sa.text("select current_database()")).scalar_one() == (
                "ssz_harness_probe"
            )
            # Thai text must survive a round trip: the cluster is created as UTF-8.
            assert conn.execute(sa.text("select 'สถานีตำรวจ'")).scalar_one() == "สถานีตำรวจ"
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_server_and_files_are_gone_after_the_context_exits() -> None:
    """No postmaster or socket may outlive the ``with`` block; the files go right after (a
    detached ``rm -rf``: a worker's cluster holds gigabytes by the end of a run)."""
    with throwaway_postgres_or_skip() as server:
        assert process_is_running(server.pid)
        with server.connect() as conn:
            assert conn.execute("select 1").fetchone() == (1,)
        root = server.socket_dir
        assert root.name.startswith("ssz-pg-")
    assert not process_is_running(server.pid)
    assert not (root / f".s.PGSQL.{server.port}").exists()
    for _ in range(600):
        if not root.exists():
            break
        time.sleep(0.05)
    assert not root.exists()
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(server.conninfo(), connect_timeout=2).close()


@pytest.mark.postgres
def test_stop_and_start_keep_the_port_and_the_data() -> None:
    """Outage tests stop the server under a running app and start it again: the app's URL
    (same port) must work again and see the rows written before."""
    with throwaway_postgres_or_skip() as server:
        url = server.create_database("ssz_outage_probe")
        with server.connect("ssz_outage_probe") as conn:
            conn.execute("create table kept (n int)")
            conn.execute("insert into kept values (7)")
        first_pid = server.pid
        server.stop()
        assert not process_is_running(first_pid)
        with pytest.raises(psycopg.OperationalError):
            psycopg.connect(server.conninfo(), connect_timeout=2).close()
        server.stop()  # stopping a stopped server is harmless
        server.start()
        assert process_is_running(server.pid) and server.pid != first_pid
        engine = sa.create_engine(url)
        try:
            with engine.connect() as conn:
                assert conn.execute(sa.text("select n from kept")).scalar_one() == 7
        finally:
            engine.dispose()
    assert not process_is_running(server.pid)


@pytest.mark.postgres
def test_a_taken_port_is_never_mistaken_for_our_server(
    harness_server: PostgresServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the chosen port is already served (e.g. by the system cluster), retry elsewhere.

    Regression: the readiness poll once connected to whichever server held the port before
    our postmaster had noticed its bind failure, and handed the wrong server to the tests.
    """
    taken = iter([harness_server.port])
    real_free_port = pg.free_loopback_port
    monkeypatch.setattr(pg, "free_loopback_port", lambda: next(taken, None) or real_free_port())
    with throwaway_postgres_or_skip() as server, server.connect() as conn:
        assert server.port != harness_server.port
        row = conn.execute("show data_directory").fetchone()
        assert row is not None
        assert Path(str(row[0])) == server.data_dir


def test_missing_dependency_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    """In CI a missing server must turn the build red, not quietly skip the DB tests."""
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="no server here"):
        require_or_skip("no server here")


def test_missing_dependency_skips_outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    """On a developer machine the same situation is a skip that states the reason."""
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no server here"):
        require_or_skip("no server here")


def test_bindir_override_without_binaries_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    """A forced binary directory is used as is, and its absence is explained, not guessed around."""
    monkeypatch.setenv(BINDIR_ENV, "/nonexistent")
    reason = postgres_unavailable_reason()
    assert reason is not None
    assert "/nonexistent" in reason
    with pytest.raises(PostgresUnavailableError, match="initdb"), throwaway_postgres():
        pass  # pragma: no cover
