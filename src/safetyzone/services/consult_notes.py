"""A consultant's notes on a consultation: private to the consultants of the request's
station, sealed at rest, every read and every write audited.

Two halves, like a tipster's identity: the role holds ``CONSULT_NOTES`` (police roles, no
partner or volunteer) AND the caller is an active consultant of the station. An admin who is
no consultant reads none. A refused attempt changes nothing (and is not recorded, so a
refusal cannot be used to write into the trail).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from safetyzone.audit import service as audit
from safetyzone.core.clock import Clock
from safetyzone.core.errors import Conflict, NotFound, PermissionDenied
from safetyzone.core.secretbox import SecretBox
from safetyzone.core.security import Permission, Scope
from safetyzone.services import consult
from safetyzone.services.consult_models import ConsultNote, ConsultRequest
from safetyzone.services.consult_schemas import NoteRead


def require_notes_reader(session: Session, *, scope: Scope, request: ConsultRequest) -> None:
    """The notes' two halves: the role holds CONSULT_NOTES and the caller is an active
    consultant of the request's station."""
    scope.require(Permission.CONSULT_NOTES)
    if not consult.is_consultant(session, scope=scope, station_id=request.station_id):
        raise PermissionDenied("only the station's consultants read and write these notes")


def _request(session: Session, *, scope: Scope, request_id: uuid.UUID) -> ConsultRequest:
    found = session.get(ConsultRequest, request_id)
    if found is None or not scope.sees_station(found.station_id):
        raise NotFound("no such consultation request in your scope")
    require_notes_reader(session, scope=scope, request=found)
    return found


def read_notes(session: Session, *, scope: Scope, clock: Clock, box: SecretBox,
               request_id: uuid.UUID) -> list[NoteRead]:
    """The request's notes, oldest first; the read itself is an audit row."""
    request = _request(session, scope=scope, request_id=request_id)
    notes = list(session.scalars(select(ConsultNote).where(
        ConsultNote.request_id == request.id).order_by(ConsultNote.id)))
    audit.record(session, actor=scope, at=clock.now(), action="consult.notes.read",
                 entity="consult_request", entity_id=request.id,
                 station_id=request.station_id,
                 detail={"code": request.code, "notes": [n.id for n in notes]})
    return [NoteRead(id=n.id, author=n.author, at=n.at, text=box.open(n.text_sealed))
            for n in notes]


def add_note(session: Session, *, scope: Scope, clock: Clock, box: SecretBox,
             request_id: uuid.UUID, text: str) -> NoteRead:
    request = _request(session, scope=scope, request_id=request_id)
    if request.erased_at is not None:
        raise Conflict("this request's personal data was erased: it takes no notes")
    now = clock.now()
    note = ConsultNote(request_id=request.id, station_id=request.station_id,
                       author_id=scope.user_id, author=scope.username, at=now,
                       text_sealed=box.seal(text))
    session.add(note)
    session.flush()
    audit.record(session, actor=scope, at=now, action="consult.note.add",
                 entity="consult_request", entity_id=request.id,
                 station_id=request.station_id, detail={"code": request.code, "note": note.id})
    return NoteRead(id=note.id, author=note.author, at=note.at, text=text)


def forget_before(session: Session, cutoff: datetime, *, now: datetime | None = None) -> int:
    """Delete notes written before ``cutoff`` (their own retention period), audited."""
    gone = list(session.scalars(select(ConsultNote).where(ConsultNote.at < cutoff).limit(500)))
    for note in gone:
        audit.record(session, actor=None, username="retention", at=now or cutoff,
                     action="consult.note.retention_delete", entity="consult_request",
                     entity_id=note.request_id, station_id=note.station_id,
                     detail={"note": note.id})
    if gone:
        session.execute(delete(ConsultNote).where(ConsultNote.id.in_([n.id for n in gone])))
    return len(gone)
