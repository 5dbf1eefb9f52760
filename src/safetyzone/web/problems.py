"""Every error leaves as RFC 9457 problem+json, built here and nowhere else."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException

from safetyzone.core import errors
from safetyzone.core.db import is_unavailable, unavailable
from safetyzone.core.throttle import TokenBucket

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
STATUS: dict[type[errors.SafetyZoneError], int] = {
    errors.InvalidInput: 422,
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.AuthenticationFailed: 401,
    errors.PermissionDenied: 403,
    errors.PayloadTooLarge: 413,
    errors.UnsupportedMediaType: 415,
    errors.TooManyRequests: 429,
    errors.UpstreamFailed: 502,
    errors.ServiceUnavailable: 503,
    errors.DatabaseNotReady: 503,
    errors.DatabaseUnavailable: 503,
}


HTTP_CODES = {400: "malformed-body", 404: "not-found", 405: "method-not-allowed",
              413: "payload-too-large", 415: "unsupported-media-type"}
# An outage fails every request at once: one log line a second tells the operator enough.
_outage_log = TokenBucket(1.0)


def _headers(exc: errors.SafetyZoneError, status: int) -> dict[str, str] | None:
    if status == 401:
        return {"WWW-Authenticate": "Bearer"}
    if isinstance(exc, errors.DatabaseUnavailable):
        if _outage_log.take():
            log.warning("database unavailable (%s); answering 503", exc.cause or exc.detail)
        return {"Retry-After": str(exc.retry_after_s)}
    if isinstance(exc, errors.TooManyRequests):
        return {"Retry-After": str(max(1, exc.retry_after_s))}
    return None


def domain_problem(exc: errors.SafetyZoneError, instance: str | None = None) -> JSONResponse:
    """The problem+json answer for one of our errors (also used outside the FastAPI app, by
    the OsmAnd port's own small server)."""
    status = next((s for cls, s in STATUS.items() if isinstance(exc, cls)), 500)
    if status == 500:
        log.error("unmapped error %s: %s", exc.code, exc.detail)
    return problem_response(status, code=exc.code, detail=exc.detail, instance=instance,
                            problems=[p.as_dict() for p in exc.problems],
                            headers=_headers(exc, status))


class ProblemItem(BaseModel):
    """One reason an input was refused: where (field, or line of an import) and why."""

    reason: str
    field: str | None = None
    line: int | None = None


class Problem(BaseModel):
    """RFC 9457 problem details: the body of every error this API answers."""

    type: str = Field(description="A URI naming the problem type; ends with ``code``.")
    title: str = Field(description="The HTTP status phrase.")
    status: int
    detail: str = Field(description="For people: what went wrong and what to do.")
    code: str = Field(description="A stable slug for programs, e.g. invalid-input.")
    instance: str | None = Field(None, description="The path that answered.")
    problems: list[ProblemItem] | None = Field(
        None, description="Each refused value: field or line, and reason.")


# Open311 GeoReport v2 clients read errors as the spec writes them, a list of
# {code, description}, and take a refused value as 400: those routes answer that way.
OPEN311_PREFIX = "/open311/"


class GeoReportError(BaseModel):
    """An Open311 GeoReport v2 error (the routes under /open311/ answer these)."""

    code: int
    description: str


def georeport_error(status: int, detail: str, problems: list[dict[str, Any]] | None = None,
                    headers: dict[str, str] | None = None) -> JSONResponse:
    status = 400 if status == 422 else status
    reasons = "; ".join(f"{p['field']}: {p['reason']}" if p.get("field") else str(p["reason"])
                        for p in problems or [])
    body = [GeoReportError(code=status, description=f"{detail} ({reasons})" if reasons
                           else detail).model_dump()]
    return JSONResponse(body, status_code=status, headers=headers)


def georeport_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {status: {"description": HTTPStatus(status).phrase, "content": {
        "application/json": {"schema": {
            "type": "array", "items": {"$ref": "#/components/schemas/GeoReportError"}}}}}
        for status in statuses}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for these statuses, each a problem+json ``Problem``."""
    return {status: {"description": HTTPStatus(status).phrase, "content": {
        PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
        for status in statuses}


def problem_body(status: int, *, code: str, detail: str, instance: str | None = None,
                 problems: list[dict[str, Any]] | None = None,
                 **extra: Any) -> dict[str, Any]:
    """The RFC 9457 body; ``extra`` members (RFC 9457 extensions) follow the standard ones."""
    body: dict[str, Any] = {
        "type": f"https://safetyzone.dev/problems/{code}",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "code": code,
    }
    if instance:
        body["instance"] = instance
    if problems:
        body["problems"] = problems
    body.update(extra)
    return body


def problem_response(
    status: int, *, code: str, detail: str, instance: str | None = None,
    problems: list[dict[str, Any]] | None = None, headers: dict[str, str] | None = None,
) -> JSONResponse:
    if instance is not None and instance.startswith(OPEN311_PREFIX):
        return georeport_error(status, detail, problems, headers)
    body = problem_body(status, code=code, detail=detail, instance=instance, problems=problems)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _location(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in {"body", "query", "path"}]
    return ".".join(parts) or "body"


def install(app: FastAPI) -> None:
    @app.exception_handler(errors.SafetyZoneError)
    async def _domain(request: Request, exc: errors.SafetyZoneError) -> JSONResponse:
        return domain_problem(exc, request.url.path)

    @app.exception_handler(SQLAlchemyError)
    async def _database(request: Request, exc: SQLAlchemyError) -> JSONResponse:
        """Database work outside ``Database.read``/``write`` (an engine used directly): an
        outage is still a 503 to retry, anything else stays a server error."""
        if not is_unavailable(exc):
            raise exc
        return domain_problem(unavailable(exc), request.url.path)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [{"field": _location(tuple(e.get("loc", ()))), "reason": e.get("msg", "")}
                    for e in exc.errors()]
        return problem_response(422, code="invalid-input", detail="the request is not valid",
                                instance=request.url.path, problems=problems)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = HTTP_CODES.get(exc.status_code, f"http-{exc.status_code}")
        return problem_response(exc.status_code, code=code,
                                detail=str(exc.detail), instance=request.url.path,
                                headers=dict(exc.headers) if exc.headers else None)
