"""Deleting footage: the pre-roll buffer, the continuous ring, the PDPA retention period and
the station's quota, never what a hold (an evidence clip, a case) keeps.

Each pass returns the files to remove; the rows go in the same transaction as one audit row
per station and reason (``recording.deleted``: how many, how many bytes, the time span), so
every deletion batch is on the record. The files are removed after the commit: a crash in
between leaves a file without a row (harmless, and found by a directory listing), never a
row pointing at nothing.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.orm import Session

from safetyzone.audit import service as audit
from safetyzone.core.clock import as_utc
from safetyzone.video.recording.models import (
    RecordingHold,
    RecordingMode,
    RecordingPolicy,
    RecordingQuota,
    RecordingSegment,
)

DEFAULT_RETAIN_DAYS = 30  # footage of a camera whose policy row is gone
QUOTA_BATCH = 500


@dataclass
class Pruned:
    """What one pass deleted: the files to remove, and counts per reason."""

    paths: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))


class Holds:
    """The hold windows per camera, checked against segments in memory (holds are few)."""

    def __init__(self, rows: Iterable[RecordingHold]) -> None:
        self._by_camera: dict[uuid.UUID, list[tuple[datetime, datetime]]] = defaultdict(list)
        for row in rows:
            self._by_camera[row.camera_id].append((as_utc(row.starts_at), as_utc(row.ends_at)))

    def holds(self, segment: RecordingSegment) -> bool:
        start, end = as_utc(segment.starts_at), as_utc(segment.ends_at)
        return any(s < end and start < e for s, e in self._by_camera.get(segment.camera_id, ()))


def _policy_due(policies: dict[uuid.UUID, RecordingPolicy], segment: RecordingSegment,
                now: datetime) -> str | None:
    """Why the policy deletes this segment now (None: the policy keeps it)."""
    policy = policies.get(segment.camera_id)
    retain = timedelta(days=policy.retain_days if policy else DEFAULT_RETAIN_DAYS)
    if as_utc(segment.starts_at) < now - retain:
        return "retention"
    if policy is None or segment.alarm:
        return None
    ended = as_utc(segment.ends_at)
    if policy.mode is RecordingMode.CONTINUOUS and ended < now - timedelta(
            hours=policy.ring_hours):
        return "ring"
    if policy.mode is RecordingMode.ON_ALARM and ended < now - timedelta(
            seconds=policy.pre_roll_s):
        return "pre_roll"
    return None


def prune(session: Session, *, now: datetime) -> Pruned:
    """One pass over every station: the policies' deletions, then the quotas'."""
    policies = {p.camera_id: p for p in session.scalars(select(RecordingPolicy))}
    holds = Holds(session.scalars(select(RecordingHold)))
    out = Pruned()
    batches: dict[tuple[uuid.UUID, str], list[RecordingSegment]] = defaultdict(list)
    # Candidates by SQL (old enough for some rule), the exact rule per row in Python.
    shortest = min([timedelta(seconds=p.pre_roll_s) for p in policies.values()
                    if p.mode is RecordingMode.ON_ALARM]
                   + [timedelta(hours=p.ring_hours) for p in policies.values()
                      if p.mode is RecordingMode.CONTINUOUS]
                   + [timedelta(days=min([p.retain_days for p in policies.values()]
                                         + [DEFAULT_RETAIN_DAYS]))])
    for segment in session.scalars(select(RecordingSegment).where(
            RecordingSegment.ends_at < now - shortest)):
        why = _policy_due(policies, segment, now)
        if why is not None and not holds.holds(segment):
            batches[(segment.station_id, why)].append(segment)
    for (station_id, why), segments in batches.items():
        _delete(session, station_id=station_id, reason=why, segments=segments, now=now,
                out=out)
    _quotas(session, policies=policies, holds=holds, now=now, out=out)
    return out


def _quotas(session: Session, *, policies: dict[uuid.UUID, RecordingPolicy], holds: Holds,
            now: datetime, out: Pruned) -> None:
    """Oldest unheld footage first, until each station is inside its quota."""
    for quota in session.scalars(select(RecordingQuota)):
        used = int(session.scalar(select(func.coalesce(func.sum(RecordingSegment.bytes), 0))
                                  .where(RecordingSegment.station_id == quota.station_id)) or 0)
        if used <= quota.max_bytes:
            continue
        doomed: list[RecordingSegment] = []
        forced = 0
        last: tuple[datetime, uuid.UUID] | None = None
        while used > quota.max_bytes:
            query = select(RecordingSegment).where(
                RecordingSegment.station_id == quota.station_id)
            if last is not None:
                query = query.where(or_(RecordingSegment.starts_at > last[0], and_(
                    RecordingSegment.starts_at == last[0], RecordingSegment.id > last[1])))
            page = list(session.scalars(query.order_by(
                RecordingSegment.starts_at, RecordingSegment.id).limit(QUOTA_BATCH)))
            if not page:
                break  # all that is left is held: over quota, and said so in the status
            for segment in page:
                last = (segment.starts_at, segment.id)
                if used <= quota.max_bytes:
                    break
                if holds.holds(segment):
                    continue
                doomed.append(segment)
                used -= segment.bytes
                if _policy_due(policies, segment, now) is None:
                    forced += segment.bytes
        if doomed:
            _delete(session, station_id=quota.station_id, reason="quota", segments=doomed,
                    now=now, out=out)
        if forced:
            quota.forced_at, quota.forced_bytes = now, forced


def _delete(session: Session, *, station_id: uuid.UUID, reason: str,
            segments: list[RecordingSegment], now: datetime, out: Pruned) -> None:
    ids = [s.id for s in segments]
    for start in range(0, len(ids), 500):
        session.execute(delete(RecordingSegment).where(
            RecordingSegment.id.in_(ids[start:start + 500]))
            .execution_options(synchronize_session=False))
    out.paths.extend(s.path for s in segments)
    out.counts[reason] += len(segments)
    audit.record(session, actor=None, username="system", at=now, action="recording.deleted",
                 entity="station", entity_id=station_id, station_id=station_id,
                 reason=reason, detail={
                     "reason": reason, "segments": len(segments),
                     "bytes": sum(s.bytes for s in segments),
                     "cameras": sorted({str(s.camera_id) for s in segments}),
                     "from": min(as_utc(s.starts_at) for s in segments).isoformat(),
                     "to": max(as_utc(s.ends_at) for s in segments).isoformat()})
