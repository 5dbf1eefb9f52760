"""Liveness, readiness and Prometheus metrics: what operators already run."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse, RedirectResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from safetyzone import migrations
from safetyzone.core.errors import DatabaseNotReady
from safetyzone.web.deps import ContextDep

router = APIRouter(tags=["operations"])


@router.get("/", include_in_schema=False)
def read_root() -> RedirectResponse:
    """Send a person who opens the bare URL to the operator console."""
    return RedirectResponse("/console")


@router.get("/healthz")
def read_health() -> dict[str, str]:
    """The process is up and serving."""
    return {"status": "ok"}


READY: dict[str, Any] = {"type": "object", "properties": {
    "status": {"type": "string"}, "database": {"type": "string"}, "detail": {"type": "string"}},
    "required": ["status"]}


@router.get("/readyz", responses={
    200: {"content": {"application/json": {"schema": READY}}},
    503: {"description": "Not ready", "content": {"application/json": {"schema": READY}}}})
def read_readiness(ctx: ContextDep) -> JSONResponse:
    """The database answers and its schema matches this code."""
    try:
        with ctx.db.engine.connect() as conn:
            conn.execute(text("select 1"))
        migrations.check(ctx.db.engine)
    except DatabaseNotReady as err:
        return JSONResponse({"status": "not-ready", "detail": err.detail}, status_code=503)
    except Exception as err:
        return JSONResponse({"status": "not-ready", "detail": type(err).__name__},
                            status_code=503)
    return JSONResponse({"status": "ready", "database": ctx.db.engine.dialect.name})


@router.get("/metrics", response_class=Response,
            responses={200: {"content": {CONTENT_TYPE_LATEST: {"schema": {"type": "string"}}}}})
def read_metrics() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
