"""Camera address proposals: a partner proposes, an admin or commander approves or rejects.

Only admins and commanders set where the server fetches a camera's picture from; a partner
that PATCHes those fields is pointed here.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from safetyzone.assets import url_proposals as proposals
from safetyzone.assets.models import ProposalState
from safetyzone.assets.schemas import UrlProposalCreate, UrlProposalDecision, UrlProposalRead
from safetyzone.core.paging import Page
from safetyzone.org import service as org
from safetyzone.web.deps import ContextDep, ScopeDep

router = APIRouter(prefix="/api/v1", tags=["assets"])
Limit = Annotated[int, Query(ge=1, le=1000)]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]


@router.post("/cameras/{camera_id}/url-proposals", response_model=UrlProposalRead,
             status_code=status.HTTP_201_CREATED)
def create_camera_url_proposal(ctx: ContextDep, scope: ScopeDep, camera_id: uuid.UUID,
                               body: UrlProposalCreate) -> UrlProposalRead:
    """Propose a new address or credentials for your own camera (partners).

    The values are sealed at once; an earlier pending proposal for the camera is superseded.
    """
    with ctx.db.write() as session:
        proposal = proposals.propose(session, scope=scope, clock=ctx.clock,
                                     secrets=ctx.secrets, camera_id=camera_id, data=body)
        return proposals.proposal_read(session, scope=scope, secrets=ctx.secrets,
                                       proposal=proposal)


@router.get("/camera-url-proposals", response_model=Page[UrlProposalRead])
def list_camera_url_proposals(
    ctx: ContextDep, scope: ScopeDep, state: ProposalState | None = None,
    station_code: Annotated[str | None, Query(max_length=64)] = None,
    limit: Limit = 100, offset: Offset = 0,
) -> Page[UrlProposalRead]:
    """Proposals in your scope, newest first (a partner sees its own)."""
    with ctx.db.read() as session:
        station_id = (org.get_station(session, scope=scope, code=station_code).id
                      if station_code else None)
        rows, total = proposals.list_proposals(session, scope=scope, state=state,
                                               station_id=station_id, limit=limit,
                                               offset=offset)
        return Page[UrlProposalRead](
            items=[proposals.proposal_read(session, scope=scope, secrets=ctx.secrets,
                                           proposal=p) for p in rows],
            total=total, limit=limit, offset=offset)


@router.get("/camera-url-proposals/{proposal_id}", response_model=UrlProposalRead)
def read_camera_url_proposal(ctx: ContextDep, scope: ScopeDep, proposal_id: uuid.UUID
                             ) -> UrlProposalRead:
    with ctx.db.read() as session:
        proposal = proposals.get_proposal(session, scope=scope, proposal_id=proposal_id)
        return proposals.proposal_read(session, scope=scope, secrets=ctx.secrets,
                                       proposal=proposal)


@router.post("/camera-url-proposals/{proposal_id}/approve", response_model=UrlProposalRead)
def approve_camera_url_proposal(ctx: ContextDep, scope: ScopeDep, proposal_id: uuid.UUID,
                                body: UrlProposalDecision) -> UrlProposalRead:
    """Put the proposed values on the camera (admins and commanders of the station)."""
    with ctx.db.write() as session:
        proposal = proposals.approve(session, scope=scope, clock=ctx.clock,
                                     proposal_id=proposal_id, reason=body.reason)
        return proposals.proposal_read(session, scope=scope, secrets=ctx.secrets,
                                       proposal=proposal)


@router.post("/camera-url-proposals/{proposal_id}/reject", response_model=UrlProposalRead)
def reject_camera_url_proposal(ctx: ContextDep, scope: ScopeDep, proposal_id: uuid.UUID,
                               body: UrlProposalDecision) -> UrlProposalRead:
    """Refuse the proposal; the camera keeps its address (admins and commanders)."""
    with ctx.db.write() as session:
        proposal = proposals.reject(session, scope=scope, clock=ctx.clock,
                                    proposal_id=proposal_id, reason=body.reason)
        return proposals.proposal_read(session, scope=scope, secrets=ctx.secrets,
                                       proposal=proposal)
