"""Retention (PDPA): citizens' personal data is erased when its time is up, by a sweeper.

Each kind of data has its period in the settings, counted from when it was sent. The consent
texts promise "at most" 1 year (emergencies, reports) and 2 years (tips), so a setting can
shorten a period but never pass the promise (``config`` refuses it). Photos and voice notes,
and the trail of a caller's phone positions, usually go sooner.

What "erased" means is the same as a citizen's own delete (``privacy.erase``): contact, LINE
user, their words, media, trail and an emergency's position go; the police record (code,
category, station, states, the officers' answers, the incident) stays for the statistics.
Every erasure is audited as ``citizen.retention_erase``; files go after the commit.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, or_, select
from sqlalchemy.orm import Session

from safetyzone.citizen import privacy
from safetyzone.citizen.line_models import LineUser
from safetyzone.citizen.media import MediaStore
from safetyzone.citizen.models import CitizenFix, CitizenItem, CitizenMedia
from safetyzone.citizen.taxonomy import ItemKind
from safetyzone.core.clock import Clock
from safetyzone.core.db import Database

log = logging.getLogger(__name__)
BATCH = 500  # items erased per transaction: a backlog never holds the writer for long


# Not yet erased: every item has its text until erased (reports and tips need one), an
# emergency its caller's position; contact and LINE user may come with any.
HOLDS_PERSONAL_DATA = or_(
    CitizenItem.description != "", CitizenItem.contact_sealed.is_not(None),
    CitizenItem.line_user_sealed.is_not(None),
    and_(CitizenItem.kind == ItemKind.EMERGENCY, CitizenItem.lat.is_not(None)))


@dataclass(frozen=True)
class RetentionPolicy:
    emergency_days: int = 365
    report_days: int = 365
    tip_days: int = 730
    media_days: int = 180
    trail_days: int = 30

    def for_kind(self, kind: ItemKind) -> timedelta:
        return timedelta(days={ItemKind.EMERGENCY: self.emergency_days,
                               ItemKind.REPORT: self.report_days,
                               ItemKind.TIP: self.tip_days}[kind])


@dataclass
class Swept:
    items: int = 0
    media: int = 0
    fixes: int = 0
    line_users: int = 0
    files: list[str] = field(default_factory=list)


def sweep(session: Session, *, now: datetime, policy: RetentionPolicy) -> Swept:
    """Erase what is past its period; the files to delete once this commits."""
    out = Swept()
    for kind in ItemKind:
        due = session.scalars(select(CitizenItem).where(
            CitizenItem.kind == kind, CitizenItem.created_at <= now - policy.for_kind(kind),
            HOLDS_PERSONAL_DATA).order_by(CitizenItem.created_at).limit(BATCH))
        for item in list(due):
            out.files += privacy.erase(session, item, now=now,
                                       action="citizen.retention_erase", username="retention")
            out.items += 1
    # A LINE user's consent record (and open draft) goes when they have been silent for as
    # long as a report is kept; writing again asks for consent again.
    silent = list(session.scalars(select(LineUser.id).where(
        LineUser.last_seen_at <= now - policy.for_kind(ItemKind.REPORT)).limit(BATCH)))
    if silent:
        session.execute(delete(LineUser).where(LineUser.id.in_(silent)))
    out.line_users = len(silent)
    old_media = list(session.scalars(select(CitizenMedia).where(
        CitizenMedia.created_at <= now - timedelta(days=policy.media_days)).limit(BATCH)))
    if old_media:
        paths = [m.path for m in old_media]
        session.execute(delete(CitizenMedia).where(
            CitizenMedia.id.in_([m.id for m in old_media])))
        out.files += privacy.unused(session, paths)
        out.media = len(old_media)
    old_fixes = select(CitizenFix.id).where(
        CitizenFix.received_at <= now - timedelta(days=policy.trail_days)).limit(BATCH * 20)
    ids = list(session.scalars(old_fixes))
    if ids:
        session.execute(delete(CitizenFix).where(CitizenFix.id.in_(ids)))
    out.fixes = len(ids)
    return out


def run(db: Database, clock: Clock, *, policy: RetentionPolicy, store: MediaStore) -> Swept:
    """One pass: the erasures in one transaction, then the files they freed."""
    with db.write() as session:
        swept = sweep(session, now=clock.now(), policy=policy)
    for path in swept.files:
        store.delete(path)
    if swept.items or swept.media or swept.fixes:
        log.info("citizen retention: %d items erased, %d media and %d trail positions removed",
                 swept.items, swept.media, swept.fixes)
    return swept
