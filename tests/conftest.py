"""Shared fixtures: a real database per test (SQLite and a throwaway PostgreSQL), the app,
a client, and a small two-station world to test scope against.

Every test that takes ``db`` runs twice, once per backend. ``--backend sqlite`` (or
``postgres``) narrows that while iterating locally; CI runs both.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from argon2 import profiles as argon2_profiles
from fastapi.testclient import TestClient
from sqlalchemy import create_engine

from safetyzone import migrations
from safetyzone.config import Settings
from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from safetyzone.org import auth
from safetyzone.web.app import create_app
from support import routes
from support.postgres import PostgresServer, throwaway_postgres_or_skip
from support.world import WORLD_USERS, World, build_world

SECRET = "test-secret-key-that-is-long-enough-0123456789"


def pytest_configure(config: pytest.Config) -> None:
    """Passwords hashed and checked in this process use argon2's profile made for tests,
    and the apps the tests build share their route handlers.

    The real cost (64 MiB, 3 passes: about 120 ms a hash here) is what keeps a stolen hash
    from being guessed; the suite logs in some thousands of times, and at that cost spent
    minutes on it. Servers the tests start as processes (the demo, the browser journeys)
    keep the real cost, and ``tests/org/test_password_cost.py`` checks the shipped default.
    """
    auth._hasher = PasswordHasher.from_parameters(argon2_profiles.CHEAPEST)
    auth._DUMMY_HASH = auth._hasher.hash("not-a-real-password")
    # Most tests build an app around their own database: its routes' handlers are built
    # once per process and shared (support/routes.py says why that is sound).
    routes.install()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--backend", action="append", choices=["sqlite", "postgres"],
                     help="database backends to run db tests on (default: both)")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames:
        backends = metafunc.config.getoption("backend") or ["sqlite", "postgres"]
        metafunc.parametrize("backend", backends, scope="session")


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    with throwaway_postgres_or_skip() as server:
        yield server


def _fill(url: str, with_world: bool) -> None:
    engine = create_engine(url)
    migrations.upgrade(engine)
    engine.dispose()
    if with_world:
        database = Database(url)
        build_world(database, ManualClock(), _settings(Path("/nonexistent")))
        database.dispose()


@pytest.fixture(scope="session")
def pg_templates(pg_server: PostgresServer) -> dict[bool, str]:
    """Migrated databases (empty, and with the test world) that tests clone cheaply."""
    names = {False: "ssz_template_empty", True: "ssz_template_world"}
    for with_world, name in names.items():
        _fill(pg_server.create_database(name), with_world)
    return names


@pytest.fixture(scope="session")
def sqlite_templates(tmp_path_factory: pytest.TempPathFactory) -> dict[bool, Path]:
    paths = {}
    for with_world in (False, True):
        path = tmp_path_factory.mktemp("template") / f"world-{with_world}.db"
        _fill(f"sqlite:///{path}", with_world)
        paths[with_world] = path
    return paths


def fresh_db_url(backend: str, request: pytest.FixtureRequest, directory: Path,
                 with_world: bool) -> str:
    """A fresh migrated database, with the test world in it when asked.

    Building the world (argon2 hashes, a few hundred service calls) once per session and
    cloning it keeps each test at milliseconds.
    """
    if backend == "sqlite":
        path = directory / f"ssz-{uuid.uuid4().hex[:8]}.db"
        shutil.copy(request.getfixturevalue("sqlite_templates")[with_world], path)
        return f"sqlite:///{path}"
    server: PostgresServer = request.getfixturevalue("pg_server")
    template: str = request.getfixturevalue("pg_templates")[with_world]
    name = f"t_{uuid.uuid4().hex[:12]}"
    with server.connect() as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    return server.url(name)


@pytest.fixture
def db_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database for one test: the test world in it if the test asks for ``world``."""
    return fresh_db_url(backend, request, tmp_path, "world" in request.fixturenames)


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = Database(db_url)
    yield database
    database.dispose()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


def _settings(data_dir: Path) -> Settings:
    # No camera prober in the background of every test (its world's cameras have made-up
    # addresses): tests/video/test_prober.py turns it on where it is the subject.
    return Settings(environment="test", data_dir=data_dir, secret_key=SECRET,
                    camera_probe_interval_s=0)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return _settings(tmp_path)


@pytest.fixture
def world(db: Database, settings: Settings) -> World:
    """The test world (see support.world), already in ``db``: cloned from a template."""
    return World(settings=settings, users=dict(WORLD_USERS))


@pytest.fixture
def client(db: Database, clock: ManualClock, settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings, db, clock)) as test_client:
        yield test_client
