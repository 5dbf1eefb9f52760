"""Protocol gateways served on the main port (devices identified by their protocol id)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from safetyzone.web.deps import RuntimeDep

router = APIRouter(prefix="/api/v1/gateways", tags=["gateways"])


@router.get("/osmand")
async def receive_osmand_fix(request: Request, runtime: RuntimeDep) -> Response:
    """OsmAnd protocol (Traccar Client): ``?id=...&lat=...&lon=...&timestamp=...``.

    The device id must be registered as an ``osmand`` device; unknown ids get 403.
    """
    return await runtime.osmand.handle(request)


@router.post("/osmand")
async def receive_osmand_fix_posted(request: Request, runtime: RuntimeDep) -> Response:
    """The same fix as a form body or Traccar Client 9's JSON body."""
    return await runtime.osmand.handle(request)
