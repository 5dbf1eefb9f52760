"""PTZ over HTTP: a camera's settings (admins and commanders), its presets and moves (duty
operators and above, within the owner's sharing terms), each move audited. Rules live in
``video.ptz.service``; the camera is reached through ``video.ptz.desk``."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response
from starlette.requests import HTTPConnection

from safetyzone.assets import url_rules
from safetyzone.video.ptz import service
from safetyzone.video.ptz.client import PtzUnavailable
from safetyzone.video.ptz.desk import PtzDesk
from safetyzone.video.ptz.schemas import (
    MoveIn,
    PresetIn,
    PresetRead,
    PtzConfigIn,
    PtzDone,
    PtzRead,
)
from safetyzone.web.deps import ContextDep, ScopeDep
from safetyzone.web.problems import problem_response, problem_responses

router = APIRouter(prefix="/api/v1/cameras/{camera_id}/ptz", tags=["ptz"])
Token = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]
FAILED: dict[int | str, dict[str, Any]] = problem_responses(502)
# Why a camera did not move is for those who set its address; others get one sentence.
UNAVAILABLE = "the camera did not answer the PTZ command"


def desk_of(request: HTTPConnection) -> PtzDesk:
    desk: PtzDesk = request.app.state.ptz
    return desk


def _failed(request: Request, scope: Any, err: PtzUnavailable) -> Response:
    detail = err.detail if url_rules.may_set_camera_urls(scope) else UNAVAILABLE
    return problem_response(502, code="ptz-unavailable", detail=detail,
                            instance=request.url.path)


@router.get("", response_model=PtzRead)
def read_camera_ptz(ctx: ContextDep, scope: ScopeDep, camera_id: uuid.UUID) -> PtzRead:
    """Whether the camera has PTZ, and the presets the station knows with their headings."""
    with ctx.db.read() as session:
        return service.read(session, scope=scope, camera_id=camera_id)


@router.put("", response_model=PtzRead)
def set_camera_ptz(ctx: ContextDep, scope: ScopeDep, camera_id: uuid.UUID, body: PtzConfigIn
                   ) -> PtzRead:
    """Set where the camera's ONVIF service is (sealed; admins and commanders)."""
    with ctx.db.write() as session:
        service.configure(session, scope=scope, clock=ctx.clock, secrets=ctx.secrets,
                          camera_id=camera_id, data=body)
        return service.read(session, scope=scope, camera_id=camera_id)


@router.delete("", status_code=204)
def delete_camera_ptz(ctx: ContextDep, scope: ScopeDep, camera_id: uuid.UUID) -> Response:
    with ctx.db.write() as session:
        service.remove(session, scope=scope, clock=ctx.clock, camera_id=camera_id)
    return Response(status_code=204)


@router.get("/presets", response_model=list[PresetRead], responses=FAILED)
async def list_camera_presets(request: Request, scope: ScopeDep, camera_id: uuid.UUID
                              ) -> Any:
    """The presets on the device, with the heading each faces where known."""
    try:
        return await desk_of(request).presets(scope, camera_id)
    except PtzUnavailable as err:
        return _failed(request, scope, err)


@router.post("/move", response_model=PtzDone, responses=FAILED)
async def move_camera(request: Request, scope: ScopeDep, camera_id: uuid.UUID, body: MoveIn
                      ) -> Any:
    """A continuous move at the given velocities (-1..1); it stops by itself after about a
    second, so a held button repeats it. Audited."""
    try:
        return await desk_of(request).move(scope, camera_id, body)
    except PtzUnavailable as err:
        return _failed(request, scope, err)


@router.post("/stop", response_model=PtzDone, responses=FAILED)
async def stop_camera(request: Request, scope: ScopeDep, camera_id: uuid.UUID) -> Any:
    try:
        return await desk_of(request).stop(scope, camera_id)
    except PtzUnavailable as err:
        return _failed(request, scope, err)


@router.post("/presets/{token}/goto", response_model=PtzDone, responses=FAILED)
async def goto_camera_preset(request: Request, scope: ScopeDep, camera_id: uuid.UUID,
                             token: Token) -> Any:
    """Turn the camera to a preset; its heading (and so the coverage map) follows."""
    try:
        return await desk_of(request).goto(scope, camera_id, token)
    except PtzUnavailable as err:
        return _failed(request, scope, err)


@router.post("/presets", response_model=PtzDone, status_code=201, responses=FAILED)
async def create_camera_preset(request: Request, scope: ScopeDep, camera_id: uuid.UUID,
                               body: PresetIn) -> Any:
    """Store the camera's current view as a preset on the device."""
    try:
        return await desk_of(request).set_preset(scope, camera_id, body)
    except PtzUnavailable as err:
        return _failed(request, scope, err)
