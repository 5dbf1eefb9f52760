"""How long the officer's phone leaves things behind (PDPA): the photos officers took at
incidents, and the stored answers that make the phone's retries safe.

A photo shows people and places; it is kept for ``patrol_retain_photo_days`` and then its
row and file go (the incident's timeline keeps the line that a photo was taken). An
action's stored answer only has to outlive the phone's retries, which stop within hours.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from safetyzone.citizen.media import MediaStore
from safetyzone.core.clock import Clock
from safetyzone.core.db import Database
from safetyzone.patrol import actions
from safetyzone.patrol.models import OfficerPhoto

log = logging.getLogger(__name__)
BATCH = 500
# A phone retries an action for hours at most; a week is far past any retry.
ACTION_ANSWERS_KEPT = timedelta(days=7)


@dataclass
class Swept:
    photos: int = 0
    answers: int = 0
    files: list[str] = field(default_factory=list)


def sweep(session: Session, *, now: datetime, photo_days: int) -> Swept:
    """Rows past their period go; the files no row references any more, to delete after."""
    out = Swept(answers=actions.forget_before(session, before=now - ACTION_ANSWERS_KEPT))
    old = list(session.scalars(select(OfficerPhoto).where(
        OfficerPhoto.at <= now - timedelta(days=photo_days)).limit(BATCH)))
    if old:
        session.execute(delete(OfficerPhoto).where(OfficerPhoto.id.in_([p.id for p in old])))
        paths = {p.path for p in old}
        # Identical photos share one file: keep a file another (newer) photo still names.
        shared = set(session.scalars(select(OfficerPhoto.path).where(
            OfficerPhoto.path.in_(paths))))
        out.files = sorted(paths - shared)
        out.photos = len(old)
    return out


def run(db: Database, clock: Clock, *, store: MediaStore, photo_days: int) -> Swept:
    """One pass: the deletions in one transaction, then the files they freed."""
    with db.write() as session:
        swept = sweep(session, now=clock.now(), photo_days=photo_days)
    for path in swept.files:
        store.delete(path)
    if swept.photos or swept.answers:
        log.info("patrol retention: %d officer photos and %d stored answers removed",
                 swept.photos, swept.answers)
    return swept
