"""Footage requests, the owning partner's side: read what is addressed to it (marked seen),
upload files, grant access for the window, or decline with a reason.

Partners are outsiders (DESIGN.md): a partner account (``footage.reply``) reaches only the
requests addressed to its own partner; any other looks missing (404), whichever station it
belongs to. A request past its deadline unanswered, declined, expired or closed takes no
more answers (409).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from safetyzone.core.clock import Clock, as_utc
from safetyzone.core.errors import Conflict, InvalidInput, NotFound, Problem
from safetyzone.core.security import Permission, Scope
from safetyzone.video.footage import (
    ANSWERABLE,
    MISSING,
    WAITING,
    S,
    audit_step,
    check_version,
    log_event,
    touch,
)
from safetyzone.video.footage_models import FootageCamera, FootageFile, FootageRequest
from safetyzone.video.footage_schemas import DeclineIn, GrantIn
from safetyzone.video.footage_store import Stored


def _partner_id(scope: Scope) -> uuid.UUID | None:
    scope.require(Permission.FOOTAGE_REPLY)
    return scope.partner_id


def _mark_seen(session: Session, scope: Scope, request: FootageRequest, now: datetime) -> None:
    if request.status is not S.SENT:
        return
    request.status, request.seen_at = S.SEEN, now
    touch(request, now)
    log_event(session, request, at=now, action="seen", side="partner", username=scope.username)
    audit_step(session, scope, request, "seen", now)


def partner_requests(session: Session, *, scope: Scope, limit: int = 200
                     ) -> list[FootageRequest]:
    """The caller's own partner's requests, open first (a read: ``mark_seen`` after)."""
    partner_id = _partner_id(scope)
    if partner_id is None:
        return []
    rows = list(session.scalars(select(FootageRequest).where(
        FootageRequest.partner_id == partner_id).order_by(
        FootageRequest.created_at.desc(), FootageRequest.code).limit(limit)))
    return sorted(rows, key=lambda r: r.status not in ANSWERABLE)


def mark_seen(session: Session, *, scope: Scope, clock: Clock,
              request_ids: list[uuid.UUID]) -> None:
    """The requests just shown to the partner that were delivered and not yet seen become
    seen (the page polls: only a new request costs a write)."""
    now = clock.now()
    for request_id in request_ids:
        _mark_seen(session, scope, partner_request(session, scope=scope,
                                                   request_id=request_id), now)


def partner_request(session: Session, *, scope: Scope, request_id: uuid.UUID,
                    for_update: bool = False) -> FootageRequest:
    """One of the caller's own partner's requests; anyone else's looks missing."""
    partner_id = _partner_id(scope)
    query = select(FootageRequest).where(FootageRequest.id == request_id)
    request = session.scalar(query.with_for_update() if for_update else query)
    if request is None or partner_id is None or request.partner_id != partner_id:
        raise NotFound(MISSING)
    return request


def read_own(session: Session, *, scope: Scope, clock: Clock,
             request_id: uuid.UUID) -> FootageRequest:
    request = partner_request(session, scope=scope, request_id=request_id)
    _mark_seen(session, scope, request, clock.now())
    return request


def check_answerable(request: FootageRequest, now: datetime) -> None:
    """Refuse an answer to a request that takes none (before any byte of a file is read)."""
    if request.status not in ANSWERABLE:
        raise Conflict(f"footage request {request.code} is {request.status.value}: it takes "
                       "no more answers", code="footage-state")
    if request.status in WAITING and as_utc(request.due_at) <= now:
        raise Conflict(f"the deadline of footage request {request.code} has passed",
                       code="footage-expired")


def open_for_upload(session: Session, *, scope: Scope, clock: Clock,
                    request_id: uuid.UUID) -> None:
    """The check before an upload's body is read: the caller's own, still answerable."""
    check_answerable(partner_request(session, scope=scope, request_id=request_id),
                     clock.now())


def add_file(session: Session, *, scope: Scope, clock: Clock, request_id: uuid.UUID,
             stored: Stored, name: str) -> tuple[FootageFile, bool]:
    """Name a stored file on the request: ``(file, True)`` when new; the same bytes sent
    again are answered with the first row, ``(file, False)``, and change nothing."""
    request = partner_request(session, scope=scope, request_id=request_id, for_update=True)
    held = session.scalar(select(FootageFile).where(FootageFile.request_id == request.id,
                                                    FootageFile.sha256 == stored.sha256))
    if held is not None:
        return held, False
    now = clock.now()
    check_answerable(request, now)
    row = FootageFile(request_id=request.id, station_id=request.station_id,
                      sha256=stored.sha256, size=stored.size, kind=stored.kind,
                      content_type=stored.content_type, name=name, path=stored.path,
                      uploaded_by=scope.username, uploaded_at=now)
    try:
        with session.begin_nested():  # two uploads of the same bytes at once: one row
            session.add(row)
    except IntegrityError:
        again = session.scalar(select(FootageFile).where(
            FootageFile.request_id == request.id, FootageFile.sha256 == stored.sha256))
        if again is None:
            raise
        return again, False
    request.status = S.UPLOADED
    touch(request, now)
    log_event(session, request, at=now, action="uploaded", side="partner",
              username=scope.username, note=f"{name} · SHA-256 {stored.sha256}")
    audit_step(session, scope, request, "upload", now, name=name, sha256=stored.sha256,
               size=stored.size)
    return row, True


def stored_elsewhere(session: Session, *, path: str) -> bool:
    """Whether any request names the stored file at ``path`` (the same bytes are kept once
    for every request that received them)."""
    return session.scalar(select(FootageFile.id).where(FootageFile.path == path).limit(1)
                          ) is not None


def grant(session: Session, *, scope: Scope, clock: Clock, request_id: uuid.UUID,
          data: GrantIn) -> FootageRequest:
    """Make the window's footage of some or all the cameras available to the police."""
    request = partner_request(session, scope=scope, request_id=request_id)
    check_version(request, data.version)
    now = clock.now()
    check_answerable(request, now)
    rows = {c.camera_code: c for c in session.scalars(
        select(FootageCamera).where(FootageCamera.request_id == request.id))}
    codes = list(dict.fromkeys(data.camera_codes or rows))
    unknown = [code for code in codes if code not in rows]
    if unknown:
        raise InvalidInput("only the cameras this request asks about can be granted",
                           [Problem(f"'{code}' is not on this request", "camera_codes")
                            for code in unknown])
    for code in codes:
        if rows[code].granted_at is None:
            rows[code].granted_at, rows[code].granted_by = now, scope.username
    request.status = S.GRANTED
    touch(request, now)
    log_event(session, request, at=now, action="granted", side="partner",
              username=scope.username, note=", ".join(codes) + (
                  f" · {data.note}" if data.note else ""))
    audit_step(session, scope, request, "grant", now, reason=data.note, cameras=codes)
    return request


def decline(session: Session, *, scope: Scope, clock: Clock, request_id: uuid.UUID,
            data: DeclineIn) -> FootageRequest:
    """Refuse, saying why (the recorder overwrote it, the camera was off ...)."""
    request = partner_request(session, scope=scope, request_id=request_id)
    check_version(request, data.version)
    now = clock.now()
    check_answerable(request, now)
    if request.status not in WAITING:
        raise Conflict(f"footage request {request.code} is answered already "
                       f"({request.status.value})", code="footage-state")
    request.status, request.decline_reason = S.DECLINED, data.reason
    touch(request, now)
    log_event(session, request, at=now, action="declined", side="partner",
              username=scope.username, note=data.reason)
    audit_step(session, scope, request, "decline", now, reason=data.reason)
    return request
