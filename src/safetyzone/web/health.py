"""Liveness, readiness and Prometheus metrics: what operators already run."""

from __future__ import annotations

import hmac
import ipaddress
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from safetyzone import migrations
from safetyzone.config import Settings
from safetyzone.core.errors import AuthenticationFailed, DatabaseNotReady, PermissionDenied
from safetyzone.web.deps import ContextDep, RuntimeDep
from safetyzone.web.runtime import UP_STATES

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
    "status": {"type": "string", "enum": ["ready", "not ready"]},
    "database": {"type": "string"},
    "checks": {"type": "object", "additionalProperties": {"type": "string"}}},
    "required": ["status", "checks"]}


@router.get("/readyz", responses={
    200: {"content": {"application/json": {"schema": READY}}},
    503: {"description": "Not ready", "content": {"application/json": {"schema": READY}}}})
def read_readiness(ctx: ContextDep, runtime: RuntimeDep) -> JSONResponse:
    """Ready when the database answers with the right schema and every enabled receiver,
    the MQTT bridge and the bus are up; 503 naming what is down otherwise.

    A load balancer or an operator's monitor reads this: a bridge that is reconnecting may
    hold SOS presses at the broker, so it is "not ready", not a silent "ready".
    """
    checks: dict[str, str] = {}
    try:
        with ctx.db.engine.connect() as conn:
            conn.execute(text("select 1"))
    except Exception as err:
        checks["database"] = type(err).__name__
    else:
        checks["database"] = "ok"
        try:
            migrations.check(ctx.db.engine)
            checks["schema"] = "ok"
        except DatabaseNotReady as err:
            checks["schema"] = err.detail
        except Exception as err:
            checks["schema"] = type(err).__name__
    parts = runtime.checks()
    ready = (checks.get("database") == "ok" and checks.get("schema") == "ok"
             and all(state in UP_STATES for state in parts.values()))
    return JSONResponse({"status": "ready" if ready else "not ready",
                         "database": ctx.db.engine.dialect.name, "checks": checks | parts},
                        status_code=200 if ready else 503)


def _peer_allowed(settings: Settings, peer: str) -> bool:
    try:
        address = ipaddress.ip_address(peer)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return any(address in network for network in settings.metrics_allow)


def metrics_access(
    ctx: ContextDep, request: Request, authorization: Annotated[str | None, Header()] = None
) -> None:
    """Metrics name routes, receivers and error rates: for the station's monitoring only.

    Served to the addresses in SSZ_METRICS_ALLOW (loopback by default), or to anyone who
    presents SSZ_METRICS_TOKEN as a bearer token; otherwise 401 (a token is configured) or
    403 (it is not).
    """
    settings = ctx.settings
    if _peer_allowed(settings, request.client.host if request.client else ""):
        return
    if settings.metrics_token is None:
        raise PermissionDenied("/metrics is served only to the addresses in SSZ_METRICS_ALLOW")
    scheme, _, value = (authorization or "").partition(" ")
    expected = settings.metrics_token.get_secret_value().encode()
    if scheme.lower() != "bearer" or not hmac.compare_digest(value.strip().encode(), expected):
        raise AuthenticationFailed("send 'Authorization: Bearer <SSZ_METRICS_TOKEN>'")


@router.get("/metrics", response_class=Response, dependencies=[Depends(metrics_access)],
            responses={200: {"content": {CONTENT_TYPE_LATEST: {"schema": {"type": "string"}}}}})
def read_metrics() -> Response:
    """Prometheus metrics, for the configured addresses or the scrape token."""
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
