"""Legal consultation's sweeper: one reminder to each citizen before their slot, and the
erasure of personal data when its retention period is over (PDPA).

Run by the runtime's sweeper (``run_sweep``); each reminder goes through ``citizen.notify``
after the commit like every other notice, and each erasure is an audit row.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from safetyzone.audit import service as audit
from safetyzone.core.clock import Clock, as_utc
from safetyzone.core.db import Database
from safetyzone.services import consult_notes, posts
from safetyzone.services.consult_booking import notice_citizen
from safetyzone.services.consult_models import (
    ConsultNote,
    ConsultRequest,
    ConsultSlot,
    RequestState,
)

log = logging.getLogger(__name__)
BATCH = 500


def remind_due(session: Session, *, now: datetime, before: timedelta) -> int:
    """Remind each booking once when its slot is ``before`` away (not one booked inside
    that window: its confirmation just said when)."""
    rows = session.execute(select(ConsultRequest, ConsultSlot.starts_at).join(
        ConsultSlot, ConsultSlot.id == ConsultRequest.slot_id).where(
        ConsultRequest.state == RequestState.BOOKED, ConsultRequest.reminded_at.is_(None),
        ConsultSlot.starts_at > now, ConsultSlot.starts_at <= now + before,
    ).order_by(ConsultSlot.starts_at).limit(BATCH)).all()
    sent = 0
    for request, starts_at in rows:
        request.reminded_at = now  # also marks the ones booked late: looked at once
        if as_utc(request.created_at) < as_utc(starts_at) - before:
            notice_citizen(session, request, "reminder", now, starts_at)
            sent += 1
    return sent


def forget_before(session: Session, cutoff: datetime, *, now: datetime | None = None) -> int:
    """Erase the personal data (name, phone, question, notes) of requests whose slot ended
    before ``cutoff``; the booking's record (code, time, topic, state) stays."""
    at = now or datetime.now(UTC)
    due = list(session.scalars(select(ConsultRequest).join(
        ConsultSlot, ConsultSlot.id == ConsultRequest.slot_id).where(
        ConsultSlot.ends_at < cutoff, ConsultRequest.erased_at.is_(None)).limit(BATCH)))
    for request in due:
        request.contact_sealed = request.question_sealed = None
        request.erased_at = at
        session.execute(delete(ConsultNote).where(ConsultNote.request_id == request.id))
        audit.record(session, actor=None, username="retention", at=at,
                     action="consult.retention_erase", entity="consult_request",
                     entity_id=request.id, station_id=request.station_id,
                     detail={"code": request.code})
    return len(due)


@dataclass(frozen=True)
class ServicesPolicy:
    """The sweeper's settings (``services_*`` in config)."""

    remind_before: timedelta = timedelta(hours=24)
    retain_requests: timedelta = timedelta(days=365)
    retain_notes: timedelta = timedelta(days=365)
    retain_intake: timedelta = timedelta(days=365)


@dataclass
class Swept:
    reminded: int = 0
    requests_erased: int = 0
    notes_deleted: int = 0
    intake_deleted: int = 0


def run_sweep(db: Database, clock: Clock, *, policy: ServicesPolicy) -> Swept:
    """One pass of the runtime's sweeper: reminders, then each data type's retention."""
    now = clock.now()
    with db.write() as session:
        out = Swept(
            reminded=remind_due(session, now=now, before=policy.remind_before),
            requests_erased=forget_before(session, now - policy.retain_requests, now=now),
            notes_deleted=consult_notes.forget_before(session, now - policy.retain_notes,
                                                      now=now),
            intake_deleted=posts.forget_before(session, now - policy.retain_intake, now=now))
    if out != Swept():
        log.info("station services: %s", out)
    return out
