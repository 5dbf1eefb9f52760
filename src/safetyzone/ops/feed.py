"""The live feed: rows written in the same transaction as the change they describe, pushed to
connected consoles only after that transaction commits.

On PostgreSQL, sequence numbers are handed out at insert time, so two transactions could
commit out of order and a console resuming "after seq N" would miss the lower one. A
transaction-scoped advisory lock serializes feed appends, so seq order is commit order.
SQLite already has a single writer.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from safetyzone.ops.models import FeedEntry

FEED_KEY = "ssz.feed"
_PG_FEED_LOCK = 0x55A_FEED


def append(session: Session, *, station_id: uuid.UUID, at: datetime, type: str,
           entity_id: uuid.UUID, payload: dict[str, Any]) -> FeedEntry:
    postgres = session.get_bind().dialect.name == "postgresql"
    if postgres and not session.info.get("ssz.feed_locked"):
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_FEED_LOCK})
        session.info["ssz.feed_locked"] = True
    entry = FeedEntry(station_id=station_id, at=at, type=type, entity_id=entity_id,
                      payload=payload)
    session.add(entry)
    session.flush()
    session.info.setdefault(FEED_KEY, []).append(entry)
    return entry


def committed_entries(info: dict[str, Any]) -> list[FeedEntry]:
    entries: list[FeedEntry] = info.get(FEED_KEY, [])
    return entries


def entries_after(session: Session, *, after_seq: int, station_ids: frozenset[uuid.UUID] | None,
                  limit: int = 5000) -> list[FeedEntry]:
    """Feed entries after a cursor, within a scope, oldest first (for resuming consoles)."""
    query = select(FeedEntry).where(FeedEntry.seq > after_seq)
    if station_ids is not None:
        query = query.where(FeedEntry.station_id.in_(station_ids))
    return list(session.scalars(query.order_by(FeedEntry.seq).limit(limit)))


def last_seq(session: Session) -> int:
    return int(session.scalar(select(func.max(FeedEntry.seq))) or 0)
