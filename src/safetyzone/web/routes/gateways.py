"""Protocol gateways served on the main port (devices identified by their protocol id)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from safetyzone.web.deps import RuntimeDep
from safetyzone.web.problems import problem_responses

router = APIRouter(prefix="/api/v1/gateways", tags=["gateways"])
_TEXT = {"text/plain": {"schema": {"type": "string"}}}
# Traccar Client reads plain text; these answers are the device's, not problem+json.
OSMAND: dict[int | str, dict[str, Any]] = {
    200: {"description": "Stored", "content": _TEXT},
    400: {"description": "Not an OsmAnd request", "content": _TEXT},
    403: {"description": "Unknown device id", "content": _TEXT},
    413: {"description": "Body too large", "content": _TEXT}}
PLATE: dict[int | str, dict[str, Any]] = {
    200: {"description": "Stored, or ignored with the reason", "content": {"application/json": {
        "schema": {"type": "object", "properties": {"status": {"type": "string"}},
                   "required": ["status"]}}}},
    **problem_responses(400, 403, 413)}


@router.get("/osmand", response_class=Response, responses=OSMAND)
async def receive_osmand_fix(request: Request, runtime: RuntimeDep) -> Response:
    """OsmAnd protocol (Traccar Client): ``?id=...&lat=...&lon=...&timestamp=...``.

    The device id must be registered as an ``osmand`` device; unknown ids get 403.
    """
    return await runtime.osmand.handle(request)


@router.post("/osmand", response_class=Response, responses=OSMAND)
async def receive_osmand_fix_posted(request: Request, runtime: RuntimeDep) -> Response:
    """The same fix as a form body or Traccar Client 9's JSON body."""
    return await runtime.osmand.handle(request)


@router.post("/lpr/hikvision/{external_id}", response_class=Response, responses=PLATE)
async def receive_hikvision_plate(external_id: str, request: Request,
                                  runtime: RuntimeDep) -> Response:
    """Hikvision ISAPI ANPR alarm (XML, or multipart with the pictures, 2 MiB at most).

    The camera names itself by its registered ``lpr_hikvision`` external id; unknown: 403.
    """
    return await runtime.lpr.hikvision(request, external_id)


@router.post("/lpr/openalpr/{external_id}", response_class=Response, responses=PLATE)
async def receive_openalpr_plate(external_id: str, request: Request,
                                 runtime: RuntimeDep) -> Response:
    """OpenALPR agent / Rekor Scout webhook JSON, for an ``lpr_openalpr`` camera."""
    return await runtime.lpr.openalpr(request, external_id)


@router.post("/lpr/generic/{external_id}", response_class=Response, responses=PLATE)
async def receive_generic_plate(external_id: str, request: Request,
                                runtime: RuntimeDep) -> Response:
    """The generic plate-read JSON form, for an ``lpr_generic`` camera."""
    return await runtime.lpr.generic(request, external_id)
