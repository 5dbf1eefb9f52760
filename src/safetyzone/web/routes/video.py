"""Camera pictures through the app (never the camera's address) and camera health."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request, Response
from starlette.requests import HTTPConnection

from safetyzone.org import service as org
from safetyzone.video import service as video
from safetyzone.video.schemas import CameraHealthRead
from safetyzone.video.snapshots import SnapshotDesk
from safetyzone.video.sources import SnapshotUnavailable, Unavailable
from safetyzone.web.deps import ContextDep, ScopeDep
from safetyzone.web.problems import problem_response, problem_responses

router = APIRouter(prefix="/api/v1", tags=["video"])
STATE_HEADER = "X-Camera-State"
# One answer for every failed fetch: different errors for open and closed ports would make
# the snapshot route a port scanner.
UNAVAILABLE_CODE = "camera-unavailable"
UNAVAILABLE_DETAIL = "camera picture unavailable"
JPEG: dict[int | str, dict[str, Any]] = {
    200: {"content": {"image/jpeg": {}, "image/*": {}},
          "description": "The picture (JPEG from most cameras), never cached."},
    **problem_responses(502, 504)}


def desk_of(request: HTTPConnection) -> SnapshotDesk:
    desk: SnapshotDesk = request.app.state.snapshots
    return desk


@router.get("/cameras/{camera_id}/snapshot", response_class=Response, responses=JPEG)
async def read_camera_snapshot(request: Request, scope: ScopeDep, camera_id: uuid.UUID
                               ) -> Response:
    """The camera's picture now, fetched by the server within the owner's sharing terms.

    ``X-Camera-State`` says online or frozen. A camera that gives no picture, for whatever
    reason (timeout, refusal, an address outside the camera networks, not an image), gives
    the same 502 ``camera-unavailable`` with ``X-Camera-State: offline`` within about 3
    seconds; why is on the camera's health record for admins and commanders. The first view
    of a camera in a session is audited (``camera.view``), not each refresh.
    """
    try:
        shown = await desk_of(request).show(scope, camera_id)
    except SnapshotUnavailable as err:
        headers = {"Cache-Control": "no-store"}
        if err.reason is Unavailable.NO_SNAPSHOT_URL:  # configuration, not a fetch: say so
            return problem_response(502, code=err.code, detail=err.detail,
                                    instance=request.url.path, headers=headers)
        headers[STATE_HEADER] = "offline"
        return problem_response(502, code=UNAVAILABLE_CODE, detail=UNAVAILABLE_DETAIL,
                                instance=request.url.path, headers=headers)
    return Response(shown.snapshot.content, media_type=shown.snapshot.media_type,
                    headers={"Cache-Control": "no-store", STATE_HEADER: shown.state.value})


@router.get("/camera-health", response_model=list[CameraHealthRead])
def list_camera_health(ctx: ContextDep, scope: ScopeDep, station_code: str | None = None
                       ) -> list[CameraHealthRead]:
    """Every camera in your scope with its last known state: online, offline, frozen.

    ``detail`` (why a camera gives no picture, e.g. a refused address) is shown to admins
    and commanders only: they set camera addresses; others see it empty.
    """
    with ctx.db.read() as session:
        station_id = (org.get_station(session, scope=scope, code=station_code).id
                      if station_code else None)
        return video.list_health(session, scope=scope, station_id=station_id)
