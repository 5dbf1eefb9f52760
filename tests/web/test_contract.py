"""The OpenAPI document lists every problem a route can answer, as problem+json."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from safetyzone.config import Settings
from safetyzone.core.db import Database
from safetyzone.web.app import create_app

PROBLEM = {"$ref": "#/components/schemas/Problem"}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    database = Database("sqlite://")
    try:
        app = create_app(Settings(environment="test", data_dir=Path("/nonexistent"),
                                  secret_key="x" * 40), database)
        schema: dict[str, Any] = app.openapi()
        return schema
    finally:
        database.dispose()


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, method, op) for path, item in document["paths"].items()
            for method, op in item.items()]


def test_every_error_answer_is_a_documented_problem(document: dict[str, Any]) -> None:
    assert "Problem" in document["components"]["schemas"]
    assert "HTTPValidationError" not in document["components"]["schemas"]
    for path, method, op in operations(document):
        answers = op["responses"]
        if path.startswith("/open311/"):  # GeoReport v2 errors, a refused value is 400
            assert "400" in answers and "422" not in answers, (method, path)
            for status, answer in answers.items():
                if status.startswith(("4", "5")):
                    assert answer["content"] == {"application/json": {"schema": {
                        "type": "array", "items": {"$ref": "#/components/schemas/GeoReportError"}
                    }}}, (method, path, status)
            continue
        assert "422" in answers, (method, path)
        for status, answer in answers.items():
            if status.startswith(("4", "5")) and "/gateways/osmand" not in path \
                    and path != "/readyz":
                assert answer["content"] == {"application/problem+json": {"schema": PROBLEM}}, (
                    method, path, status)


def test_answers_follow_what_the_route_is(document: dict[str, Any]) -> None:
    paths = document["paths"]
    zone = paths["/api/v1/zones/{zone_id}"]
    assert {"401", "403", "404", "422", "503"} <= set(zone["get"]["responses"])
    assert {"409", "413"} <= set(zone["patch"]["responses"])
    assert "409" not in zone["get"]["responses"]
    assert {"401", "403", "413", "503"} <= set(paths["/api/v1/intake/events"]["post"]["responses"])
    assert {"401", "429"} <= set(paths["/api/v1/auth/token"]["post"]["responses"])
    assert set(paths["/healthz"]["get"]["responses"]) == {"200", "422"}
    assert paths["/metrics"]["get"]["responses"]["200"]["content"].keys() != {"application/json"}


def test_integer_parameters_are_bounded(document: dict[str, Any]) -> None:
    for path, method, op in operations(document):
        for parameter in op.get("parameters", []):
            schema = parameter["schema"]
            for option in schema.get("anyOf", [schema]):
                if option.get("type") == "integer":
                    assert "maximum" in option, (method, path, parameter["name"])


def _refs(node: Any, document: dict[str, Any], seen: set[str]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref not in seen:
            seen.add(ref)
            _refs(document["components"]["schemas"][ref.rsplit("/", 1)[1]], document, seen)
        for value in node.values():
            _refs(value, document, seen)
    elif isinstance(node, list):
        for value in node:
            _refs(value, document, seen)


def _integers(node: Any, where: str) -> list[str]:
    found: list[str] = []
    if isinstance(node, dict):
        if node.get("type") == "integer" and not {"maximum", "const", "enum"} & node.keys():
            found.append(where)
        for key, value in node.items():
            found += _integers(value, f"{where}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _integers(value, f"{where}[{i}]")
    return found


def test_integers_in_request_bodies_are_bounded(document: dict[str, Any]) -> None:
    seen: set[str] = set()
    for _, _, op in operations(document):
        _refs(op.get("requestBody", {}), document, seen)
    schemas = document["components"]["schemas"]
    unbounded = [where for ref in sorted(seen)
                 for where in _integers(schemas[ref.rsplit("/", 1)[1]], ref)
                 # free-form device attributes are kept as JSON, never in an integer column
                 if ".attributes." not in where]
    assert unbounded == []
