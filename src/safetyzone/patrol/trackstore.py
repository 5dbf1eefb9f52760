"""Writing tracks: append fixes to a unit's open chunk, put late fixes in their place, prune.

A chunk covers at most ``CHUNK_SPAN`` from its first fix and holds at most ``CHUNK_MAX_FIXES``
fixes (a 1 Hz tracker fills one in 17 minutes), so one chunk stays a few kilobytes and
replaying an 8-hour shift reads about 16 rows.

Tracks keep time order. A fix newer than every fix stored for the unit (the usual case) is
appended to the open chunk: encoded from the codec state kept on its row, the old bytes never
decoded, the row written back in one UPDATE executemany per batch (both databases rewrite a
row on any update, so sending it whole costs little more than an in-place append would).

A *late* fix (one a phone sent after newer ones, e.g. from a dead spot) goes into the chunk
that covers its time, which is decoded, merged and re-encoded whole (a few kilobytes; late
fixes are rare). When no chunk covers it, it joins the chunk just before (or just after) if
that one has room, else it starts a chunk of its own. A fix at the same millisecond as one
already stored is a repeat and is dropped (the inbox keeps every event as sent).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from safetyzone.core.clock import BANGKOK, Clock
from safetyzone.core.db import Database
from safetyzone.core.geo import haversine_m
from safetyzone.ops.units import MAX_PLAUSIBLE_MPS
from safetyzone.patrol import trackcodec as codec
from safetyzone.patrol.track_models import CHUNK_TABLE, GeofenceEvent, Presence, TrackChunk

CHUNK_SPAN = timedelta(minutes=30)
CHUNK_MAX_FIXES = 1024
_SPAN_MS = CHUNK_SPAN // codec.MS


def decode_chunk(chunk: TrackChunk) -> list[codec.Fix]:
    return codec.decode(chunk.data, codec.State.start(codec.to_ms(chunk.start_at)))


def has_room(chunk: TrackChunk, t: int) -> bool:
    """Whether a fix at ``t`` (ms) may still be appended to this chunk."""
    return chunk.fixes < CHUNK_MAX_FIXES and t - codec.to_ms(chunk.start_at) < _SPAN_MS


def _set(chunk: TrackChunk, data: bytes, state: codec.State, fixes: int) -> None:
    chunk.data, chunk.fixes, chunk.end_at = data, fixes, codec.from_ms(state.t)
    chunk.last_dt_ms, chunk.last_lat, chunk.last_lon = state.dt, state.lat, state.lon
    chunk.last_speed, chunk.last_acc = state.speed, state.acc


def new_chunk(session: Session, *, unit_id: uuid.UUID, station_id: uuid.UUID,
              fixes: Sequence[codec.Fix]) -> TrackChunk:
    data, state = codec.encode_chunk(fixes)
    chunk = TrackChunk(unit_id=unit_id, station_id=station_id,
                       start_at=codec.from_ms(fixes[0].t))
    _set(chunk, data, state, len(fixes))
    session.add(chunk)
    return chunk


# ------------------------------------------------------------------ the hot path: appends
# Every batch touches up to one open chunk per unit: plain objects and one executemany per
# kind of statement, not ORM objects (whose bookkeeping cost more than the work itself).

_TABLE = CHUNK_TABLE
STATE_COLUMNS = (_TABLE.c.id, _TABLE.c.start_at, _TABLE.c.fixes, _TABLE.c.data,
                  _TABLE.c.end_at, _TABLE.c.last_dt_ms, _TABLE.c.last_lat, _TABLE.c.last_lon,
                  _TABLE.c.last_speed, _TABLE.c.last_acc)


@dataclass(slots=True)
class OpenChunk:
    """A unit's chunk new fixes go into, as one batch holds it until it writes it."""

    unit_id: uuid.UUID
    station_id: uuid.UUID
    id: int | None  # None: not written yet
    start_ms: int
    fixes: int
    data: bytes
    state: codec.State

    @classmethod
    def begin(cls, unit_id: uuid.UUID, station_id: uuid.UUID, fix: codec.Fix) -> OpenChunk:
        data, state = codec.encode_chunk([fix])
        return cls(unit_id, station_id, None, fix.t, 1, data, state)

    def fits(self, t: int, pending: int = 0) -> bool:
        """Whether a fix at ``t`` may follow this chunk's fixes and ``pending`` more."""
        return self.fixes + pending < CHUNK_MAX_FIXES and t - self.start_ms < _SPAN_MS

    def add(self, fixes: Sequence[codec.Fix]) -> None:
        """Encode ``fixes`` (all newer than its last) after it, without decoding it."""
        data, self.state = codec.encode(fixes, self.state)
        self.data += data
        self.fixes += len(fixes)


def open_chunk(unit_id: uuid.UUID, station_id: uuid.UUID, row: Sequence[Any]) -> OpenChunk:
    """An open chunk from a row of ``STATE_COLUMNS``."""
    cid, start_at, fixes, data, end_at, dt, lat, lon, speed, acc = row
    return OpenChunk(unit_id, station_id, cid, codec.to_ms(start_at), fixes, bytes(data),
                     codec.State(codec.to_ms(end_at), dt, lat, lon, speed, acc))


def load_open(session: Session, unit_id: uuid.UUID, station_id: uuid.UUID,
              chunk_id: int) -> OpenChunk | None:
    """One open chunk, read again (retention may have removed it: then None)."""
    row = session.execute(select(*STATE_COLUMNS).where(_TABLE.c.id == chunk_id)).first()
    return open_chunk(unit_id, station_id, row) if row is not None else None


def append_in_order(*, unit_id: uuid.UUID, station_id: uuid.UUID, chunk: OpenChunk | None,
                    fixes: Sequence[codec.Fix]) -> list[OpenChunk]:
    """A unit's new fixes (in time order, newer than all stored) into its open chunk,
    starting a new chunk each time one fills; the chunks written to, the open one last."""
    touched: list[OpenChunk] = []
    run: list[codec.Fix] = []
    for fix in fixes:
        if chunk is not None and chunk.fits(fix.t, len(run)):
            run.append(fix)
            continue
        if chunk is not None and run:
            chunk.add(run)
            _note(touched, chunk)
        chunk, run = OpenChunk.begin(unit_id, station_id, fix), []
        _note(touched, chunk)
    if chunk is not None and run:
        chunk.add(run)
        _note(touched, chunk)
    return touched


def _note(touched: list[OpenChunk], chunk: OpenChunk) -> None:
    if not touched or touched[-1] is not chunk:
        touched.append(chunk)


def write_chunks(session: Session, chunks: list[OpenChunk]) -> None:
    """Write what a batch appended: one UPDATE executemany, one INSERT for new chunks
    (their ids are set on them)."""
    def values(c: OpenChunk) -> dict[str, Any]:
        st = c.state
        return {"b_data": c.data, "b_fixes": c.fixes, "b_end": codec.from_ms(st.t),
                "b_dt": st.dt, "b_lat": st.lat, "b_lon": st.lon, "b_speed": st.speed,
                "b_acc": st.acc}

    known = [{"b_id": c.id, **values(c)} for c in chunks if c.id is not None]
    if known:
        session.execute(update(_TABLE).where(_TABLE.c.id == bindparam("b_id")).values(
            data=bindparam("b_data"), fixes=bindparam("b_fixes"), end_at=bindparam("b_end"),
            last_dt_ms=bindparam("b_dt"), last_lat=bindparam("b_lat"),
            last_lon=bindparam("b_lon"), last_speed=bindparam("b_speed"),
            last_acc=bindparam("b_acc")), known)
    fresh = [c for c in chunks if c.id is None]
    if fresh:
        rows = [{"unit_id": c.unit_id, "station_id": c.station_id,
                 "start_at": codec.from_ms(c.start_ms), "data": c.data, "fixes": c.fixes,
                 "end_at": codec.from_ms(c.state.t), "last_dt_ms": c.state.dt,
                 "last_lat": c.state.lat, "last_lon": c.state.lon,
                 "last_speed": c.state.speed, "last_acc": c.state.acc} for c in fresh]
        ids = session.execute(insert(_TABLE).returning(_TABLE.c.id, sort_by_parameter_order=True),
                              rows).scalars().all()
        for chunk, cid in zip(fresh, ids, strict=True):
            chunk.id = cid


# ------------------------------------------------------------------ late fixes


def insert_late(session: Session, *, unit_id: uuid.UUID, station_id: uuid.UUID,
                fix: codec.Fix) -> TrackChunk | None:
    """Put one late fix where its time belongs; the chunk it went into, None for a repeat.

    (ORM objects: rare, and the merge decodes anyway. The caller flushes before reading the
    chunk's row again.)
    """
    at = codec.from_ms(fix.t)
    before = session.scalars(
        select(TrackChunk).where(TrackChunk.unit_id == unit_id, TrackChunk.start_at <= at)
        .order_by(TrackChunk.start_at.desc()).limit(1)).first()
    if before is not None and (at <= before.end_at or has_room(before, fix.t)):
        return _merge(before, fix)
    after = session.scalars(
        select(TrackChunk).where(TrackChunk.unit_id == unit_id, TrackChunk.start_at > at)
        .order_by(TrackChunk.start_at).limit(1)).first()
    if (after is not None and after.fixes < CHUNK_MAX_FIXES
            and codec.to_ms(after.end_at) - fix.t < _SPAN_MS):
        return _merge(after, fix)
    return new_chunk(session, unit_id=unit_id, station_id=station_id, fixes=[fix])


def _merge(chunk: TrackChunk, fix: codec.Fix) -> TrackChunk | None:
    """Decode the chunk, insert the fix in time order, encode it again from scratch."""
    fixes = decode_chunk(chunk)
    if any(f.t == fix.t for f in fixes):
        return None
    index = next((i for i, f in enumerate(fixes) if f.t > fix.t), len(fixes))
    before = next((f for f in reversed(fixes[:index]) if not f.suspect), None)
    fixes.insert(index, fix._replace(suspect=before is not None and _jump(before, fix)))
    data, state = codec.encode_chunk(fixes)
    chunk.start_at = codec.from_ms(fixes[0].t)
    _set(chunk, data, state, len(fixes))
    return chunk


def _jump(a: codec.Fix, b: codec.Fix) -> bool:
    """Whether going from ``a`` to ``b`` takes a speed no patrol unit reaches."""
    seconds = abs(b.t - a.t) / 1000
    metres = haversine_m(codec.degrees(a.lat), codec.degrees(a.lon),
                         codec.degrees(b.lat), codec.degrees(b.lon))
    return seconds <= 0 or metres / seconds > MAX_PLAUSIBLE_MPS


# ------------------------------------------------------------------ retention

PRUNE_BATCH = 5000  # rows a transaction: the engine and the inbox keep writing in between


def prune(session: Session, *, now: datetime, days: int, limit: int = PRUNE_BATCH) -> int:
    """Remove up to ``limit`` of each kind of row older than ``days``; how many went.

    Tracks, crossings and presence are the units' whereabouts: kept ``days`` (setting
    ``patrol_retain_track_days``), then gone. Call again until it returns 0.
    """
    cutoff = now - timedelta(days=days)
    removed = 0
    # A chunk spans less than CHUNK_SPAN: one that began before cutoff - CHUNK_SPAN has ended
    # before the cutoff (its start is indexed; its end changes with every append).
    for table, column, before in ((TrackChunk, TrackChunk.start_at, cutoff - CHUNK_SPAN),
                                  (GeofenceEvent, GeofenceEvent.at, cutoff)):
        ids = list(session.scalars(select(table.id).where(column < before).limit(limit)))
        if ids:
            session.execute(delete(table).where(table.id.in_(ids)))
            removed += len(ids)
    first_day = cutoff.astimezone(BANGKOK).date()
    removed += int(session.execute(  # small: cells x days, one statement
        delete(Presence).where(Presence.day < first_day)).rowcount or 0)  # type: ignore[attr-defined]
    return removed


def sweep(db: Database, clock: Clock, *, days: int) -> int:
    """The hourly retention pass: prune in short transactions until nothing is left."""
    total = 0
    while True:
        with db.write() as session:
            removed = prune(session, now=clock.now(), days=days)
        total += removed
        if removed < PRUNE_BATCH:
            return total
