"""Every error leaves as RFC 9457 problem+json, built here and nowhere else."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from safetyzone.core import errors

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
STATUS: dict[type[errors.SafetyZoneError], int] = {
    errors.InvalidInput: 422,
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.AuthenticationFailed: 401,
    errors.PermissionDenied: 403,
    errors.PayloadTooLarge: 413,
    errors.TooManyRequests: 429,
    errors.DatabaseNotReady: 503,
}


HTTP_CODES = {404: "not-found", 405: "method-not-allowed", 413: "payload-too-large"}


def problem_response(
    status: int, *, code: str, detail: str, instance: str | None = None,
    problems: list[dict[str, Any]] | None = None, headers: dict[str, str] | None = None,
) -> JSONResponse:
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
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _location(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in {"body", "query", "path"}]
    return ".".join(parts) or "body"


def install(app: FastAPI) -> None:
    @app.exception_handler(errors.SafetyZoneError)
    async def _domain(request: Request, exc: errors.SafetyZoneError) -> JSONResponse:
        status = next((s for cls, s in STATUS.items() if isinstance(exc, cls)), 500)
        if status == 500:
            log.error("unmapped error %s: %s", exc.code, exc.detail)
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        if isinstance(exc, errors.TooManyRequests):
            headers = {"Retry-After": str(max(1, exc.retry_after_s))}
        return problem_response(status, code=exc.code, detail=exc.detail,
                                instance=request.url.path,
                                problems=[p.as_dict() for p in exc.problems], headers=headers)

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
