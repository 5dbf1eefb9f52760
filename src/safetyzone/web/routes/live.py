"""Live video through the app: a viewing session per person and camera, HLS inside it.

The browser never learns the camera's address or credentials: it gets a session token, and
the playlist and segments come from this server, which reads the camera with ffmpeg.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Path, Request, Response
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field
from starlette.requests import HTTPConnection

from safetyzone.video.live import IDLE_S, LiveDesk
from safetyzone.video.media import hls
from safetyzone.web.deps import ScopeDep
from safetyzone.web.problems import problem_responses

router = APIRouter(prefix="/api/v1", tags=["video"])
TOKEN = Path(pattern=r"^[A-Za-z0-9_-]{32}$", description="The viewing session's token.")
NAME = Path(pattern=hls.SERVED_NAME.pattern, description="live.m3u8, init.mp4 or a segment.")
HLS: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/vnd.apple.mpegurl": {}, "video/mp4": {},
                      "video/iso.segment": {}},
          "description": "The playlist, the initialisation segment or a media segment."},
    **problem_responses(404, 502)}


class LiveSession(BaseModel):
    session: str = Field(description="The viewing session's token (secret: it is in paths).")
    playlist: str = Field(description="The HLS playlist; ask it with your usual token.")
    camera_id: uuid.UUID
    code: str
    viewers: int = Field(description="People watching this camera now, you included.")
    max_viewers: int
    idle_timeout_s: float = Field(description="The session ends when the player asks "
                                              "nothing for this long.")


def desk_of(request: HTTPConnection) -> LiveDesk:
    desk: LiveDesk = request.app.state.live
    return desk


@router.post("/cameras/{camera_id}/live", response_model=LiveSession, status_code=201,
             responses=problem_responses(403, 404, 409, 429, 502, 503))
async def open_live(request: Request, scope: ScopeDep, camera_id: uuid.UUID) -> LiveSession:
    """Start watching a camera live (audited: ``camera.live.start``).

    The owner's sharing terms are checked now (403 when they refuse: footage on request,
    registry only, or live on alarm with no open incident docking the camera); 409 when
    the camera has no stream address, 429 when its viewer limit is reached, 503 when this
    server has no ffmpeg. Play ``playlist`` with any HLS player that sends your token.
    """
    ticket = await desk_of(request).open(scope, camera_id)
    return LiveSession(session=ticket.token, playlist=f"/api/v1/live/{ticket.token}/live.m3u8",
                       camera_id=ticket.camera_id, code=ticket.code, viewers=ticket.viewers,
                       max_viewers=ticket.max_viewers, idle_timeout_s=IDLE_S)


@router.get("/live/{token}/{name}", response_class=FileResponse, responses=HLS)
async def read_live_file(request: Request, scope: ScopeDep, token: str = TOKEN,
                         name: str = NAME) -> Response:
    """A file of your viewing session's stream; only you can read it."""
    path = await desk_of(request).file(scope, token, name)
    cache = "no-store" if name == hls.PLAYLIST else "private, max-age=60"
    return FileResponse(path, media_type=hls.media_type(name), headers={"Cache-Control": cache})


@router.delete("/live/{token}", status_code=204, response_class=Response,
               responses=problem_responses(404))
async def close_live(request: Request, scope: ScopeDep, token: str = TOKEN) -> Response:
    """Stop watching (audited: ``camera.live.end``); the stream stops when nobody watches."""
    await desk_of(request).close(scope, token)
    return Response(status_code=204)
