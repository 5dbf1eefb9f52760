"""Recording policies, quotas and what is recorded (the recorder runs in the server)."""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import APIRouter, Query, Request, Response
from starlette.requests import HTTPConnection

from safetyzone.video.recording import holds
from safetyzone.video.recording import service as recording
from safetyzone.video.recording.recorder import Recorder
from safetyzone.video.recording.schemas import (
    HoldIn,
    HoldRead,
    PolicyIn,
    PolicyRead,
    QuotaIn,
    SegmentRead,
    StationRecording,
)
from safetyzone.web.deps import ContextDep, ScopeDep
from safetyzone.web.problems import problem_responses

router = APIRouter(prefix="/api/v1", tags=["recordings"])


def running_of(request: HTTPConnection) -> dict[uuid.UUID, recording.Running]:
    recorder: Recorder | None = request.app.state.recorder
    return recorder.running() if recorder is not None else {}


@router.get("/cameras/{camera_id}/recording", response_model=PolicyRead,
            responses=problem_responses(404))
def read_recording_policy(ctx: ContextDep, scope: ScopeDep, camera_id: uuid.UUID
                          ) -> PolicyRead:
    """The camera's recording policy (``none`` when it has never been set)."""
    with ctx.db.read() as session:
        return recording.get_policy(session, scope=scope, camera_id=camera_id)


@router.put("/cameras/{camera_id}/recording", response_model=PolicyRead,
            responses=problem_responses(404, 409))
def set_recording_policy(ctx: ContextDep, scope: ScopeDep, camera_id: uuid.UUID,
                         data: PolicyIn) -> PolicyRead:
    """Set what the camera records (admins and commanders; audited ``recording.policy``).

    409 ``recording-not-allowed`` where the owner's terms forbid it: "registry only" and
    "footage on request" cameras are never recorded, "live on alarm" ones on alarm only.
    """
    with ctx.db.write() as session:
        return recording.set_policy(session, scope=scope, clock=ctx.clock, camera_id=camera_id,
                                    data=data)


@router.get("/cameras/{camera_id}/segments", response_model=list[SegmentRead],
            responses=problem_responses(404))
def list_recording_segments(ctx: ContextDep, scope: ScopeDep, camera_id: uuid.UUID,
                            since: datetime | None = None, until: datetime | None = None,
                            limit: int = Query(500, ge=1, le=5000)) -> list[SegmentRead]:
    """The camera's recorded segments (time, size, SHA-256) overlapping a time span."""
    with ctx.db.read() as session:
        return recording.list_segments(session, scope=scope, camera_id=camera_id,
                                       since=since, until=until, limit=limit)


@router.get("/stations/{station_code}/recordings", response_model=StationRecording,
            responses=problem_responses(404))
def read_station_recordings(request: Request, ctx: ContextDep, scope: ScopeDep,
                            station_code: str) -> StationRecording:
    """The station's recordings: quota and use, a warning when the quota deleted footage the
    policies would keep, and each camera's state (why it stopped: admins and commanders)."""
    with ctx.db.read() as session:
        return recording.station_status(session, scope=scope, station_code=station_code,
                                        running=running_of(request), now=ctx.clock.now())


@router.put("/stations/{station_code}/recording-quota", response_model=StationRecording,
            responses=problem_responses(404))
def set_recording_quota(request: Request, ctx: ContextDep, scope: ScopeDep, station_code: str,
                        data: QuotaIn) -> StationRecording:
    """Set the bytes the station's recordings may take (audited ``recording.quota``); over
    it, the oldest footage no hold keeps is deleted first."""
    with ctx.db.write() as session:
        return recording.set_quota(session, scope=scope, clock=ctx.clock,
                                   station_code=station_code, max_bytes=data.max_bytes,
                                   running=running_of(request))


@router.get("/incidents/{incident_id}/footage-holds", response_model=list[HoldRead],
            responses=problem_responses(404))
def list_footage_holds(ctx: ContextDep, scope: ScopeDep, incident_id: uuid.UUID
                       ) -> list[HoldRead]:
    """The holds on footage for the incident: its clips' and its case's."""
    with ctx.db.read() as session:
        return holds.list_holds(session, scope=scope, incident_id=incident_id)


@router.post("/incidents/{incident_id}/footage-holds", response_model=list[HoldRead],
             status_code=201, responses=problem_responses(404, 409))
def create_footage_holds(ctx: ContextDep, scope: ScopeDep, incident_id: uuid.UUID,
                         data: HoldIn) -> list[HoldRead]:
    """Keep the incident's cameras' footage between two times for the case (audited
    ``recording.hold``): no ring, quota or retention deletes it until it is released."""
    with ctx.db.write() as session:
        return holds.hold_for_case(session, scope=scope, clock=ctx.clock,
                                   incident_id=incident_id, data=data)


@router.delete("/footage-holds/{hold_id}", status_code=204, response_class=Response,
               responses=problem_responses(404, 409))
def release_footage_hold(ctx: ContextDep, scope: ScopeDep, hold_id: uuid.UUID) -> Response:
    """Release a case's hold (audited ``recording.hold.release``); a clip's hold stays."""
    with ctx.db.write() as session:
        holds.release_hold(session, scope=scope, clock=ctx.clock, hold_id=hold_id)
    return Response(status_code=204)
