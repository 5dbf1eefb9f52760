"""Home watch's sweeper: requests close when their time away is over, and their personal
data is erased once they have been closed for ``services_retain_homewatch_days``.

Closing takes the house out of the plans still to come (``patrol.standing``) and tells the
owner. Erasing (``forget_before``) removes what identifies the owner and the house: address,
contacts, notes, the pin (and the officers' fixes at it), photos of the house and of the
visits, the visit notes and the LINE follower; past plans keep the house's place only to
about 100 m. The police record stays: code, station, dates, states, who visited when and
what they found, and any incident. Each erasure is audited as ``homewatch.retention_erase``;
files are deleted after the commit.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from safetyzone.audit import service as audit
from safetyzone.citizen import line_follow
from safetyzone.citizen.media import MediaStore
from safetyzone.core.clock import Clock
from safetyzone.core.db import Database
from safetyzone.patrol import standing
from safetyzone.services import homewatch
from safetyzone.services import homewatch_texts as texts
from safetyzone.services.homewatch_models import (
    OPEN_STATES,
    HomeWatchPhoto,
    HomeWatchRequest,
    WatchState,
)

log = logging.getLogger(__name__)
BATCH = 200  # requests per pass: a backlog never holds the writer for long


@dataclass
class Swept:
    closed: int = 0
    erased: int = 0
    files: list[str] = field(default_factory=list)


def close_due(session: Session, *, now: datetime) -> int:
    """Close every open request whose time away is over (an undecided one too)."""
    due = list(session.scalars(select(HomeWatchRequest).where(
        HomeWatchRequest.state.in_(OPEN_STATES), HomeWatchRequest.away_until <= now)
        .order_by(HomeWatchRequest.away_until).limit(BATCH)))
    for request in due:
        was = request.state
        homewatch.finish(session, request, WatchState.CLOSED, now)
        audit.record(session, actor=None, username="system", at=now,
                     action="homewatch.close", entity="homewatch_request",
                     entity_id=request.id, station_id=request.station_id,
                     detail={"was": was.value})
        homewatch.tell(session, request, "closed", texts.closed(request.code))
    return len(due)


def forget_before(session: Session, cutoff: datetime, *, now: datetime) -> list[str]:
    """Erase the personal data of requests closed before ``cutoff``; the files to delete
    once this commits."""
    return _forget(session, cutoff, now)[1]


def _forget(session: Session, cutoff: datetime, now: datetime) -> tuple[int, list[str]]:
    due = list(session.scalars(select(HomeWatchRequest).where(
        HomeWatchRequest.closed_at <= cutoff, HomeWatchRequest.erased_at.is_(None))
        .order_by(HomeWatchRequest.closed_at).limit(BATCH)))
    paths: list[str] = []
    for request in due:
        photos = homewatch.photos_of(session, request)
        paths += [p.path for p in photos]
        session.execute(delete(HomeWatchPhoto).where(HomeWatchPhoto.request_id == request.id))
        for visit in homewatch.visits_of(session, request):
            if visit.photo_path:
                paths.append(visit.photo_path)
            visit.photo_path = visit.note = visit.lat = visit.lon = None
        request.address_sealed = request.contacts_sealed = request.notes_sealed = None
        request.lat = request.lon = None
        request.erased_at, request.updated_at = now, now
        request.version += 1
        line_follow.forget(session, code=request.code)
        standing.blur(session, kind=homewatch.KIND, ref_id=request.id)
        audit.record(session, actor=None, username="retention", at=now,
                     action="homewatch.retention_erase", entity="homewatch_request",
                     entity_id=request.id, station_id=request.station_id,
                     detail={"photos": len(photos)})
    session.flush()
    return len(due), homewatch.unreferenced(session, paths) if paths else []


def sweep(session: Session, *, now: datetime, retain_days: int) -> Swept:
    closed = close_due(session, now=now)
    erased, files = _forget(session, now - timedelta(days=retain_days), now)
    return Swept(closed=closed, erased=erased, files=files)


def run(db: Database, clock: Clock, *, retain_days: int, store: MediaStore) -> Swept:
    """One pass in one transaction, then the files it freed."""
    with db.write() as session:
        swept = sweep(session, now=clock.now(), retain_days=retain_days)
    for path in swept.files:
        store.delete(path)
    if swept.closed or swept.erased:
        log.info("home watch: %d requests closed, %d erased", swept.closed, swept.erased)
    return swept
