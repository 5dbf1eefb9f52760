"""The route handlers the tests' apps share (support.routes): built once per process, yet
each app answers from its own database and settings, and an app that overrides a
dependency gets its own handlers with the override applied."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import HTTPException
from fastapi.testclient import TestClient

from conftest import SECRET, fresh_db_url
from safetyzone.config import Settings
from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from safetyzone.web import contract
from safetyzone.web.app import create_app
from support import routes
from support.world import PASSWORD


def _login(client: TestClient) -> int:
    return client.post("/api/v1/auth/token",
                       data={"username": "admin", "password": PASSWORD}).status_code


def test_apps_share_handlers_and_keep_their_own_state(
        backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    for with_world in (True, False):
        (tmp_path / str(with_world)).mkdir()
    urls = {with_world: fresh_db_url(backend, request, tmp_path / str(with_world), with_world)
            for with_world in (True, False)}
    answers, built = {}, []
    for with_world, url in urls.items():
        settings = Settings(environment="test", data_dir=tmp_path / str(with_world),
                            secret_key=SECRET)
        with TestClient(create_app(settings, Database(url), ManualClock())) as client:
            answers[with_world] = _login(client)
            assert client.get("/api/v1/zones").status_code == 401
        built.append(routes.builds)
    assert 0 < built[0] == built[1]  # the second app built no handler: it used the first's
    # The world's admin logs in where the world is, and nowhere else: each its own database.
    assert answers == {True: 200, False: 401}


def test_an_app_that_overrides_a_dependency_has_its_own_handlers(
        tmp_path: Path, db: Database) -> None:
    def refuse() -> None:
        raise HTTPException(status_code=418)

    settings = Settings(environment="test", data_dir=tmp_path, secret_key=SECRET)
    with TestClient(create_app(settings, db, ManualClock())) as plain:
        assert plain.get("/healthz").status_code == 200
    odd = create_app(settings, db, ManualClock())
    odd.dependency_overrides[contract.storable_params] = refuse
    built = routes.builds
    with TestClient(odd) as client:
        assert client.get("/healthz").status_code == 418
    assert routes.builds > built
    with TestClient(create_app(settings, db, ManualClock())) as again:
        assert again.get("/healthz").status_code == 200  # the override stayed with its app
