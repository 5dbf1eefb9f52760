"""Evidence clips of an incident: make, list, view, download, export (each act in the clip's
chain of custody and the audit log)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse
from starlette.background import BackgroundTask
from starlette.requests import HTTPConnection

from safetyzone.video.evidence import service as evidence
from safetyzone.video.evidence.desk import EvidenceDesk
from safetyzone.video.evidence.models import CustodyAction
from safetyzone.video.evidence.schemas import (
    ClipDetail,
    ClipRead,
    ClipRequest,
    ClipsMade,
    ExportRequest,
)
from safetyzone.web.deps import ContextDep, ScopeDep
from safetyzone.web.problems import problem_responses
from safetyzone.web.routes.auth import client_address

router = APIRouter(prefix="/api/v1", tags=["evidence"])
MP4: dict[int | str, dict[str, Any]] = {
    200: {"content": {"video/mp4": {}}, "description": "The clip, byte for byte."},
    **problem_responses(404, 409)}
ZIP: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/zip": {}}, "description": "The signed package."},
    **problem_responses(404, 409)}


def desk_of(request: HTTPConnection) -> EvidenceDesk:
    desk: EvidenceDesk = request.app.state.evidence
    return desk


@router.post("/incidents/{incident_id}/clips", response_model=ClipsMade, status_code=201,
             responses=problem_responses(404, 409, 502, 503))
async def create_clips(request: Request, scope: ScopeDep, incident_id: uuid.UUID,
                       data: ClipRequest) -> ClipsMade:
    """Cut a clip from T-x to T+y for the incident's docked cameras (and any named), with the
    watermark burned in; one per camera with footage. 409 ``no-footage`` when none has."""
    return await desk_of(request).make(scope, incident_id, data, client_address(request))


@router.get("/incidents/{incident_id}/clips", response_model=list[ClipRead],
            responses=problem_responses(404))
def list_clips(ctx: ContextDep, scope: ScopeDep, incident_id: uuid.UUID) -> list[ClipRead]:
    """The incident's clips with their SHA-256."""
    with ctx.db.read() as session:
        return evidence.list_clips(session, scope=scope, incident_id=incident_id)


@router.get("/clips/{clip_id}", response_model=ClipDetail, responses=problem_responses(404))
def read_clip(ctx: ContextDep, scope: ScopeDep, clip_id: uuid.UUID) -> ClipDetail:
    """A clip with its chain of custody (who made, viewed, downloaded, exported it)."""
    with ctx.db.read() as session:
        return evidence.detail(session, scope=scope, clip_id=clip_id)


@router.get("/clips/{clip_id}/view", response_class=FileResponse, responses=MP4)
async def view_clip(request: Request, scope: ScopeDep, clip_id: uuid.UUID) -> FileResponse:
    """Play the clip (custody ``viewed``); 409 ``evidence-tampered`` if its hash changed."""
    handed = await desk_of(request).hand_out(scope, clip_id, CustodyAction.VIEWED,
                                             client_address(request))
    return FileResponse(handed.path, media_type="video/mp4",
                        headers={"Cache-Control": "no-store"})


@router.get("/clips/{clip_id}/download", response_class=FileResponse, responses=MP4)
async def download_clip(request: Request, scope: ScopeDep, clip_id: uuid.UUID
                        ) -> FileResponse:
    """Download the clip (custody ``downloaded``); 409 if its hash changed."""
    handed = await desk_of(request).hand_out(scope, clip_id, CustodyAction.DOWNLOADED,
                                             client_address(request))
    return FileResponse(handed.path, media_type="video/mp4", filename=handed.name,
                        headers={"Cache-Control": "no-store"})


@router.post("/incidents/{incident_id}/evidence-export", response_class=FileResponse,
             responses=ZIP)
async def export_evidence(request: Request, scope: ScopeDep, incident_id: uuid.UUID,
                          data: ExportRequest) -> FileResponse:
    """The export package: the clips, manifest.json, SHA256SUMS and the Ed25519 signature
    (custody ``exported`` per clip). Check it with ``ssz evidence verify``."""
    handed = await desk_of(request).export(scope, incident_id, data.clip_ids,
                                           client_address(request))
    return FileResponse(handed.path, media_type="application/zip", filename=handed.name,
                        headers={"Cache-Control": "no-store"},
                        background=BackgroundTask(handed.path.unlink, missing_ok=True))
