"""Partners propose camera addresses; admins and commanders of the station decide.

Why not let a partner set its own camera's address: the server connects there, so the
address is a lever on the server's network position (SSRF). The fetch-time guard
(``core.outbound``) is the real protection; this keeps a person in the loop who knows the
station's camera networks. Every step is an audit row: proposed, approved, rejected.
"""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from safetyzone.assets import service as assets
from safetyzone.assets import url_rules
from safetyzone.assets.models import Camera, CameraUrlProposal, ProposalState
from safetyzone.assets.schemas import UrlProposalCreate, UrlProposalRead
from safetyzone.audit import service as audit
from safetyzone.core.clock import Clock
from safetyzone.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied, Problem
from safetyzone.core.secretbox import SecretBox
from safetyzone.core.security import Permission, Role, Scope


def propose(session: Session, *, scope: Scope, clock: Clock, secrets: SecretBox,
            camera_id: uuid.UUID, data: UrlProposalCreate) -> CameraUrlProposal:
    """A partner's proposed address or credentials for its own camera; replaces a pending one."""
    scope.require(Permission.ASSET_WRITE)
    if scope.role is not Role.PARTNER or scope.partner_id is None:
        if url_rules.may_set_camera_urls(scope):
            raise PermissionDenied("admins and commanders set a camera's address directly "
                                   "(PATCH /api/v1/cameras/{camera_id}); proposals are for "
                                   "partners")
        raise PermissionDenied("only a camera's partner owner proposes its address")
    camera = assets.get_camera(session, scope=scope, camera_id=camera_id)
    if camera.owner_partner_id != scope.partner_id:
        raise PermissionDenied("partners may only manage their own assets")
    values = data.model_dump(exclude_unset=True, exclude={"note"})
    if not values:
        raise InvalidInput("propose at least one of: " + ", ".join(url_rules.URL_FIELDS),
                           [Problem("nothing proposed", "stream_url")])
    url_rules.check_camera_url(values.get("stream_url"))
    now = clock.now()
    for old in session.scalars(select(CameraUrlProposal).where(
            CameraUrlProposal.camera_id == camera.id,
            CameraUrlProposal.state == ProposalState.PENDING)):
        old.state, old.decided_at, old.decided_by = ProposalState.SUPERSEDED, now, scope.username
    proposal = CameraUrlProposal(
        camera_id=camera.id, station_id=camera.station_id, partner_id=scope.partner_id,
        fields=sorted(values), note=data.note, state=ProposalState.PENDING,
        proposed_by=scope.username, proposed_at=now,
        **{f"{key}_sealed": secrets.seal(value) if value else None
           for key, value in values.items()})
    session.add(proposal)
    session.flush()
    audit.record(session, actor=scope, at=now, action="camera.url_proposal.create",
                 entity="camera", entity_id=camera.id, station_id=camera.station_id,
                 detail={"proposal_id": str(proposal.id), "fields": proposal.fields})
    return proposal


def list_proposals(session: Session, *, scope: Scope, state: ProposalState | None = None,
                   station_id: uuid.UUID | None = None, limit: int = 100, offset: int = 0
                   ) -> tuple[list[CameraUrlProposal], int]:
    """Proposals in the caller's scope (a partner: its own), newest first."""
    scope.require(Permission.ASSET_READ)
    query = select(CameraUrlProposal).where(scope.station_filter(CameraUrlProposal.station_id))
    if scope.role is Role.PARTNER:
        query = query.where(CameraUrlProposal.partner_id == scope.partner_id)
    if state is not None:
        query = query.where(CameraUrlProposal.state == state)
    if station_id is not None:
        query = query.where(CameraUrlProposal.station_id == station_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(CameraUrlProposal.proposed_at.desc(),
                                          CameraUrlProposal.id).limit(limit).offset(offset))
    return list(rows), total


def get_proposal(session: Session, *, scope: Scope, proposal_id: uuid.UUID
                 ) -> CameraUrlProposal:
    scope.require(Permission.ASSET_READ)
    query = select(CameraUrlProposal).where(
        CameraUrlProposal.id == proposal_id,
        scope.station_filter(CameraUrlProposal.station_id))
    if scope.role is Role.PARTNER:
        query = query.where(CameraUrlProposal.partner_id == scope.partner_id)
    proposal: CameraUrlProposal | None = session.scalar(query)
    if proposal is None:
        raise NotFound("no such camera address proposal in your scope")
    return proposal


def _pending_for_decision(session: Session, scope: Scope, proposal_id: uuid.UUID
                          ) -> tuple[CameraUrlProposal, Camera]:
    proposal = get_proposal(session, scope=scope, proposal_id=proposal_id)
    if not url_rules.may_set_camera_urls(scope):
        raise PermissionDenied("only admins and commanders of the station decide camera "
                               "address proposals")
    if proposal.state is not ProposalState.PENDING:
        raise Conflict(f"this proposal is already {proposal.state.value}")
    return proposal, assets.get_camera(session, scope=scope, camera_id=proposal.camera_id)


def approve(session: Session, *, scope: Scope, clock: Clock, proposal_id: uuid.UUID,
            reason: str | None) -> CameraUrlProposal:
    """Put the proposed (still sealed) values on the camera."""
    return _decide(session, scope, clock, proposal_id, ProposalState.APPROVED, reason)


def reject(session: Session, *, scope: Scope, clock: Clock, proposal_id: uuid.UUID,
           reason: str | None) -> CameraUrlProposal:
    """Refuse the proposal; the camera keeps its address."""
    return _decide(session, scope, clock, proposal_id, ProposalState.REJECTED, reason)


def _decide(session: Session, scope: Scope, clock: Clock, proposal_id: uuid.UUID,
            state: ProposalState, reason: str | None) -> CameraUrlProposal:
    """One decision on a pending proposal, applied (if approved) and audited."""
    proposal, camera = _pending_for_decision(session, scope, proposal_id)
    now = clock.now()
    if state is ProposalState.APPROVED:
        for key in proposal.fields:
            setattr(camera, f"{key}_sealed", getattr(proposal, f"{key}_sealed"))
        camera.updated_at = now
    proposal.state, proposal.decided_by = state, scope.username
    proposal.decided_at, proposal.decision_reason = now, reason
    verb = "approve" if state is ProposalState.APPROVED else "reject"
    audit.record(session, actor=scope, at=now, action=f"camera.url_proposal.{verb}",
                 entity="camera", entity_id=camera.id, station_id=camera.station_id,
                 reason=reason, detail={"proposal_id": str(proposal.id),
                                        "fields": proposal.fields,
                                        "proposed_by": proposal.proposed_by})
    return proposal


def proposal_read(session: Session, *, scope: Scope, secrets: SecretBox,
                  proposal: CameraUrlProposal) -> UrlProposalRead:
    """The proposal as the caller may see it: the address only for deciders and its author."""
    shows_url = url_rules.may_set_camera_urls(scope) or (
        scope.role is Role.PARTNER and scope.partner_id == proposal.partner_id)
    url = (secrets.open(proposal.stream_url_sealed)
           if shows_url and proposal.stream_url_sealed else None)
    code = session.scalar(select(Camera.code).where(Camera.id == proposal.camera_id)) or ""
    return UrlProposalRead(
        id=proposal.id, camera_id=proposal.camera_id, camera_code=code,
        station_id=proposal.station_id, partner_id=proposal.partner_id, state=proposal.state,
        fields=list(proposal.fields), proposed_url=url, note=proposal.note,
        proposed_by=proposal.proposed_by, proposed_at=proposal.proposed_at,
        decided_by=proposal.decided_by, decided_at=proposal.decided_at,
        decision_reason=proposal.decision_reason)
