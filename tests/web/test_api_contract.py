"""The API keeps its OpenAPI contract: schemathesis calls every operation with generated
input, as an admin and as a partner, and every answer must be a non-5xx status the
schema lists, with the content type and body shape it documents.

Runs in-process on the SQLite test world (one app and database per role, shared by all
operations: the run is about the contract, not about isolation between operations).
Examples are bounded and derandomized so the run is repeatable and takes about a minute.
The WebSocket feed (``/api/v1/stream``) is not in the OpenAPI document and cannot be
driven by schemathesis; tests/web/test_stream.py covers it.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from safetyzone.config import Settings
from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from safetyzone.web.app import create_app
from support.world import PASSWORD

SECRET = "test-secret-key-that-is-long-enough-0123456789"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
ROLES = ["admin", "a.shop"]  # an admin sees everything; a partner is refused most of it


def _schema() -> Any:
    """The app's own OpenAPI document (building it touches no database)."""
    database = Database("sqlite://")
    try:
        document = create_app(Settings(environment="test", data_dir=Path("/nonexistent"),
                                       secret_key=SECRET), database).openapi()
    finally:
        database.dispose()
    loaded = schemathesis.openapi.from_dict(document)
    loaded.config.generation.update(max_examples=10, deterministic=True, no_shrink=True)
    # The coverage phase sends hundreds of boundary cases per operation (minutes per role);
    # the bounds it would probe are asserted in test_contract.py and test_input_rules.py.
    loaded.config.phases.coverage.enabled = False
    return loaded


schema = _schema()


@pytest.fixture(scope="module")
def apps(sqlite_templates: dict[bool, Path], tmp_path_factory: pytest.TempPathFactory
         ) -> Iterator[dict[str, tuple[TestClient, dict[str, str]]]]:
    """One running app per role over its own copy of the test world, and its token."""
    out: dict[str, tuple[TestClient, dict[str, str]]] = {}
    databases = []
    clients = []
    for username in ROLES:
        path = tmp_path_factory.mktemp("contract") / f"{uuid.uuid4().hex[:8]}.db"
        shutil.copy(sqlite_templates[True], path)
        database = Database(f"sqlite:///{path}")
        databases.append(database)
        settings_ = Settings(environment="test", data_dir=path.parent, secret_key=SECRET)
        client = TestClient(create_app(settings_, database, ManualClock()),
                            raise_server_exceptions=False)
        client.__enter__()
        clients.append(client)
        answer = client.post("/api/v1/auth/token",
                             data={"username": username, "password": PASSWORD})
        assert answer.status_code == 200, answer.text
        out[username] = (client, {"Authorization": f"Bearer {answer.json()['access_token']}"})
    yield out
    for client in clients:
        client.__exit__(None, None, None)
    for database in databases:
        database.dispose()


def _send(client: TestClient, case: Any, headers: dict[str, str]) -> Any:
    """Send the case through the app's own test client (its lifespan is running)."""
    kwargs = case.as_transport_kwargs(base_url="http://testserver", headers=headers)
    data = kwargs.pop("data", None)
    if isinstance(data, bytes | str):
        kwargs["content"] = data
    elif data is not None:
        kwargs["data"] = data
    kwargs.pop("verify", None)
    kwargs.pop("timeout", None)
    kwargs.pop("allow_redirects", None)
    if kwargs.get("files"):  # generated "files" can be any JSON value: send them as bytes
        kwargs["files"] = [(name, _as_file(value)) for name, value in _items(kwargs["files"])]
    response = client.request(**kwargs, follow_redirects=False)
    response.request.read()  # a multipart upload streams; schemathesis reads the request back
    return response


def _items(files: Any) -> list[tuple[str, Any]]:
    return list(files.items()) if isinstance(files, dict) else list(files)


def _as_file(value: Any) -> Any:
    if isinstance(value, tuple):
        return (value[0], _as_file(value[1]), *value[2:])
    return value if isinstance(value, bytes | str) else str(value).encode()


@pytest.mark.parametrize("username", ROLES)
@schema.parametrize()
@settings(max_examples=10, derandomize=True, deadline=None, database=None,
          phases=[Phase.explicit, Phase.generate],
          suppress_health_check=list(HealthCheck))
def test_every_operation_keeps_the_contract(
    case: Any, username: str, apps: dict[str, tuple[TestClient, dict[str, str]]]
) -> None:
    client, headers = apps[username]
    response = _send(client, case, headers)
    case.validate_response(response, checks=CHECKS)
