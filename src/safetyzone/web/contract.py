"""The API contract in one place: the problems each route can answer, storable parameters.

Routes declare what they return on success. What they can answer otherwise follows from
what a route is: who may call it (a user token, a device token, anyone), whether it takes
a body, whether it reads the database. :func:`document` adds those RFC 9457 answers to the
OpenAPI document from the route itself, so no route copies them and a route added tomorrow
is covered the day it is added. FastAPI's own 422 entry (``HTTPValidationError`` as plain
JSON) is replaced by the problem+json that ``web.problems`` really sends.

:func:`storable_params` is the edge check for what bodies do not cover: path, query and
form values with text no backend can store (``core.text``) are refused with 422 before a
route runs, on every route.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from fastapi import FastAPI, params
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError, WebSocketRequestValidationError
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts
from starlette.requests import HTTPConnection, Request
from starlette.routing import BaseRoute

from safetyzone.core.text import text_problem
from safetyzone.web import deps, health
from safetyzone.web.problems import (
    OPEN311_PREFIX,
    GeoReportError,
    Problem,
    georeport_responses,
    problem_responses,
)

WRITES = {"POST", "PUT", "PATCH", "DELETE"}
WITH_BODY = {"POST", "PUT", "PATCH"}
NO_DATABASE = {"/healthz", "/metrics"}
THROTTLED_PREFIXES = ("/api/v1/auth/",)
# No login, throttled per client address; tickets by code (404 alike for a wrong key).
PUBLIC_PREFIX = "/api/v1/public/"


def _calls(dependant: Dependant) -> Iterator[object]:
    for sub in dependant.dependencies:
        yield sub.call
        yield from _calls(sub)


def statuses(route: RouteContext, method: str) -> set[int]:
    """The problem statuses ``route`` can answer to ``method``.

    400: its body cannot be parsed at all. 401/403: it takes a user or device token (or,
    for ``/metrics``, a scrape token or an allowed address).
    404: it reads objects in the caller's scope (by id or by code). 409: it changes them.
    413: it takes a body (bodies are capped).
    422: always (every parameter and every body is checked). 429: login and refresh are
    throttled, and so is every public (citizen) route, which also answers 404 for codes
    it does not know and 409 for closed tickets. 503: it needs the database (outage, or a
    schema that does not match).
    """
    path = route.path or ""
    if path.startswith(OPEN311_PREFIX):  # GeoReport errors; a refused value is 400
        return {400, 401, 404, 429, 503} | ({413} if method in WITH_BODY else set())
    calls = set(_calls(route.dependant))
    user = deps.get_scope in calls or health.metrics_access in calls  # token or address
    device = deps.get_device in calls
    out = {422}
    if path not in NO_DATABASE:
        out.add(503)
    if user or device:
        out |= {401, 403}
    if user:
        out.add(404)
        if method in WRITES:
            out.add(409)
    if method in WITH_BODY:
        out |= {400, 413}  # 400: a body that is not JSON (or form) at all
    if path.startswith(THROTTLED_PREFIXES):
        out |= {401, 429}
    if path.startswith(PUBLIC_PREFIX):
        out |= {404, 429}
        if method in WRITES:
            out.add(409)
        if path.endswith("/media"):
            out.add(415)  # bytes of no kind the ticket takes
    return out


def document(schema: dict[str, Any], routes: Sequence[BaseRoute]) -> dict[str, Any]:
    """Add every route's problem answers and the shared ``Problem`` schema to ``schema``."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(problem.pop("$defs", {}))
    components["Problem"] = problem
    components["GeoReportError"] = GeoReportError.model_json_schema()
    for route in iter_route_contexts(routes):  # the routes as included: prefixes applied
        if not isinstance(route.original_route, APIRoute) or not route.include_in_schema:
            continue
        for method in route.methods or ():
            operation = schema["paths"].get(route.path_format or "", {}).get(method.lower())
            if operation is None:
                continue
            answers = operation.setdefault("responses", {})
            if (route.path_format or "").startswith(OPEN311_PREFIX):
                answers.pop("422", None)
                errors = georeport_responses(*sorted(statuses(route, method)))
            else:
                errors = problem_responses(*sorted(statuses(route, method)))
            for status, entry in errors.items():
                if str(status) == "422" or str(status) not in answers:
                    answers[str(status)] = entry
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    return schema


def install(app: FastAPI) -> None:
    """Serve the documented schema (built once, on first request of /openapi.json)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document(FastAPI.openapi(app), app.routes)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _takes_form(connection: Request) -> bool:
    route = connection.scope.get("route")
    body = route.body_field if isinstance(route, APIRoute) else None
    return body is not None and isinstance(body.field_info, params.Form)


async def storable_params(connection: HTTPConnection) -> None:
    """Refuse path, query and form values holding text no backend can store (422)."""
    found: list[dict[str, Any]] = []

    def check(where: str, name: str, value: object) -> None:
        if isinstance(value, str):
            reason = text_problem(name) or text_problem(value)
            if reason:
                found.append({"loc": (where, name), "msg": reason, "type": "value_error"})

    for name, value in connection.path_params.items():
        check("path", name, value)
    for name, value in connection.query_params.multi_items():
        check("query", name, value)
    if isinstance(connection, Request) and _takes_form(connection):
        for name, value in (await connection.form()).multi_items():  # parsed and cached
            check("body", name, value)
    if found:
        if connection.scope["type"] == "websocket":
            raise WebSocketRequestValidationError(found)
        raise RequestValidationError(found)
