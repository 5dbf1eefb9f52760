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


@router.post("/lpr/hikvision/{external_id}")
async def receive_hikvision_plate(external_id: str, request: Request,
                                  runtime: RuntimeDep) -> Response:
    """Hikvision ISAPI ANPR alarm (XML, or multipart with the pictures, 2 MiB at most).

    The camera names itself by its registered ``lpr_hikvision`` external id; unknown: 403.
    """
    return await runtime.lpr.hikvision(request, external_id)


@router.post("/lpr/openalpr/{external_id}")
async def receive_openalpr_plate(external_id: str, request: Request,
                                 runtime: RuntimeDep) -> Response:
    """OpenALPR agent / Rekor Scout webhook JSON, for an ``lpr_openalpr`` camera."""
    return await runtime.lpr.openalpr(request, external_id)


@router.post("/lpr/generic/{external_id}")
async def receive_generic_plate(external_id: str, request: Request,
                                runtime: RuntimeDep) -> Response:
    """The generic plate-read JSON form, for an ``lpr_generic`` camera."""
    return await runtime.lpr.generic(request, external_id)
