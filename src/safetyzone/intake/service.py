"""Accepting events: checks, idempotent durable storage with group commit, and the ACK.

Many devices post at once; committing each request alone would cost one fsync each. The
``InboxWriter`` thread takes every request waiting at that moment, stores them in ONE
transaction, and only then answers each. Throughput rises with load while every ACK still
follows its commit.

A group is all-or-nothing in the database, but its requests are strangers to each other: if
the group's commit fails, each request is committed again on its own, so only the request
at fault fails and the others are still stored and acknowledged. Only a database outage
(``DatabaseUnavailable``) fails the whole group at once, since a second try would fail too.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import insert, select, tuple_
from sqlalchemy.exc import DataError
from sqlalchemy.orm import Session

from safetyzone.core.clock import Clock
from safetyzone.core.db import Database, new_id
from safetyzone.core.drain import drain
from safetyzone.core.errors import DatabaseUnavailable, InvalidInput, Problem
from safetyzone.core.events import Event, EventIn, EventKind
from safetyzone.core.geo import position_problem
from safetyzone.intake import kinds
from safetyzone.intake.credentials import DeviceIdentity
from safetyzone.intake.models import DeviceCredential, InboxEvent, SubjectKind

log = logging.getLogger(__name__)

MAX_FUTURE = timedelta(minutes=5)  # device clocks drift; more than this is a wrong clock
MAX_PAST = timedelta(days=7)  # trackers buffer while offline, but not for weeks
MAX_BATCH = 1000
EVENT_IN = TypeAdapter(EventIn)


@dataclass(frozen=True)
class Ack:
    """The answer a device gets; a retry gets exactly the same one back."""

    id: uuid.UUID
    seq: int
    device_event_id: str
    received_at: datetime
    duplicate: bool = False


def check_events(events: Sequence[Any], *, now: datetime) -> list[Problem]:
    """Problems with the batch as a whole (time window, positions), by index."""
    problems: list[Problem] = []
    seen: set[str] = set()
    for i, event in enumerate(events):
        where = f"events[{i}]" if len(events) > 1 else "event"
        if event.event_time > now + MAX_FUTURE:
            problems.append(Problem(
                f"event_time {event.event_time.isoformat()} is in the future "
                f"(server time {now.isoformat()}): check the device clock", f"{where}.event_time"))
        elif event.event_time < now - MAX_PAST:
            problems.append(Problem(
                f"event_time {event.event_time.isoformat()} is more than "
                f"{MAX_PAST.days} days old", f"{where}.event_time"))
        if event.location is not None:
            problem = position_problem(event.location.lat, event.location.lon,
                                       f"{where}.location")
            if problem:
                problems.append(problem)
        if event.device_event_id in seen:
            problems.append(Problem("device_event_id repeated within one batch",
                                    f"{where}.device_event_id"))
        seen.add(event.device_event_id)
    return problems


def _row(identity: DeviceIdentity, event: Any, received_at: datetime) -> dict[str, Any]:
    loc = event.location
    return {
        "id": new_id(), "device_id": identity.device_id,
        "device_event_id": event.device_event_id, "station_id": identity.station_id,
        "source_asset_id": identity.subject_id
        if identity.subject_kind is SubjectKind.ASSET else None,
        "kind": event.kind.value, "event_time": event.event_time, "received_at": received_at,
        "lat": loc.lat if loc else None, "lon": loc.lon if loc else None,
        "accuracy_m": loc.accuracy_m if loc else None,
        "payload": event.payload.model_dump(mode="json"),
    }


ROW_FIELDS = ("seq", "id", "device_id", "device_event_id", "station_id", "source_asset_id",
              "kind", "event_time", "received_at", "lat", "lon", "accuracy_m", "payload")


def event_from_row(row: dict[str, Any], unit_id: uuid.UUID | None = None) -> Event:
    """Rebuild the typed Event from an inbox row (for publishing and for replay)."""
    lat, lon = row["lat"], row["lon"]
    event_in = EVENT_IN.validate_python({
        "kind": row["kind"], "device_event_id": row["device_event_id"],
        "event_time": row["event_time"], "payload": row["payload"],
        "location": ({"lat": lat, "lon": lon, "accuracy_m": row["accuracy_m"]}
                     if lat is not None and lon is not None else None),
    })
    return Event(
        id=row["id"], seq=row["seq"], kind=EventKind(row["kind"]), station_id=row["station_id"],
        device_id=row["device_id"], source_asset_id=row["source_asset_id"],
        source_unit_id=unit_id, device_event_id=row["device_event_id"],
        event_time=row["event_time"], received_at=row["received_at"],
        location=event_in.location, payload=event_in.payload,
    )


@dataclass
class _Request:
    identity: DeviceIdentity
    events: Sequence[Any]
    received_at: datetime
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[list[Ack]]
    acks: list[Ack | None] = field(default_factory=list)


def store(session: Session, requests: Sequence[_Request]) -> list[Event]:
    """Insert every new event of these requests; fill each request's acks. Returns new events."""
    keys = [(r.identity.device_id, e.device_event_id) for r in requests for e in r.events]
    existing: dict[tuple[uuid.UUID, str], Ack] = {}
    for start in range(0, len(keys), 500):
        chunk = keys[start:start + 500]
        rows = session.execute(
            select(InboxEvent.device_id, InboxEvent.device_event_id, InboxEvent.id,
                   InboxEvent.seq, InboxEvent.received_at)
            .where(tuple_(InboxEvent.device_id, InboxEvent.device_event_id).in_(chunk)))
        for device_id, dev_event_id, event_id, seq, received in rows:
            existing[(device_id, dev_event_id)] = Ack(event_id, seq, dev_event_id, received, True)
    new_rows: list[dict[str, Any]] = []
    first_row: dict[tuple[uuid.UUID, str], int] = {}
    # (request, position in its acks, row index, is a retry within this group)
    pending: list[tuple[_Request, int, int, bool]] = []
    for request in requests:
        request.acks = [None] * len(request.events)
        for i, event in enumerate(request.events):
            key = (request.identity.device_id, event.device_event_id)
            if key in existing:
                request.acks[i] = existing[key]
            elif key in first_row:
                pending.append((request, i, first_row[key], True))
            else:
                first_row[key] = len(new_rows)
                pending.append((request, i, len(new_rows), False))
                new_rows.append(_row(request.identity, event, request.received_at))
    if not new_rows:
        return []
    # A plain executemany: RETURNING with ordered parameters costs one INSERT per row on
    # SQLite. The seqs are read back by id afterwards, in the same transaction.
    session.execute(insert(InboxEvent), new_rows)
    by_id = {row["id"]: row for row in new_rows}
    ids = list(by_id)
    for start in range(0, len(ids), 500):
        for event_id, seq in session.execute(select(InboxEvent.id, InboxEvent.seq).where(
                InboxEvent.id.in_(ids[start:start + 500]))):
            by_id[event_id]["seq"] = seq
    for request, i, r, duplicate in pending:
        row = new_rows[r]
        request.acks[i] = Ack(row["id"], row["seq"], row["device_event_id"],
                              row["received_at"], duplicate)
    events: list[Event] = []
    for request in requests:
        unit = (request.identity.subject_id
                if request.identity.subject_kind is SubjectKind.UNIT else None)
        events.extend(_published(new_rows[r], request.events[i], unit)
                      for req, i, r, dup in pending if req is request and not dup)
    return events


def _published(row: dict[str, Any], event: Any, unit_id: uuid.UUID | None) -> Event:
    """The Event to publish, from input that was validated moments ago (no second pass)."""
    return Event.model_construct(
        id=row["id"], seq=row["seq"], kind=event.kind, station_id=row["station_id"],
        device_id=row["device_id"], source_asset_id=row["source_asset_id"],
        source_unit_id=unit_id, device_event_id=row["device_event_id"],
        event_time=row["event_time"], received_at=row["received_at"],
        location=event.location, payload=event.payload)


class InboxWriter:
    """The one thread that writes the inbox, in groups (see the module docstring)."""

    def __init__(self, db: Database, clock: Clock,
                 on_commit: Callable[[list[Event]], None] | None = None,
                 max_group: int = 2000) -> None:
        self._db = db
        self._clock = clock
        self._on_commit = on_commit
        self._max_group = max_group
        self._queue: queue.Queue[_Request | None] = queue.Queue()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="inbox-writer", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None

    async def submit(self, identity: DeviceIdentity, events: Sequence[Any]) -> list[Ack]:
        """Check and store events; returns after they are committed (or raises)."""
        if not events:
            raise InvalidInput("no events", [Problem("at least one event", "events")])
        if len(events) > MAX_BATCH:
            raise InvalidInput(f"at most {MAX_BATCH} events per request",
                               [Problem(f"{len(events)} events", "events")])
        kinds.check(identity.kinds, identity.sender, (event.kind for event in events))
        now = self._clock.now()
        problems = check_events(events, now=now)
        if problems:
            raise InvalidInput(f"{len(problems)} problem(s); nothing was stored", problems)
        loop = asyncio.get_running_loop()
        request = _Request(identity, events, now, loop, loop.create_future())
        self._queue.put(request)
        return await request.future

    def _run(self) -> None:
        drain(self._queue, self._commit, limit=self._max_group, unwrap=_itself,
              weight=_event_count)

    def _commit(self, group: list[_Request]) -> None:
        try:
            with self._db.write() as session:
                events = store(session, group)
        except DatabaseUnavailable as err:  # every waiting request must hear about it
            log.warning("inbox commit of %d requests failed: database unavailable (%s)",
                        len(group), err.cause)
            for request in group:
                request.loop.call_soon_threadsafe(_fail, request.future, err)
            return
        except Exception as err:
            if len(group) > 1:
                # One request's data can sink the whole transaction: commit each alone so
                # that only the guilty one fails.
                log.warning("inbox commit of %d requests failed (%s); committing each alone",
                            len(group), type(err).__name__)
                for request in group:
                    self._commit([request])
                return
            log.exception("inbox commit failed; request not acknowledged")
            group[0].loop.call_soon_threadsafe(_fail, group[0].future, _refusal(err))
            return
        for request in group:
            acks = [ack for ack in request.acks if ack is not None]
            request.loop.call_soon_threadsafe(_succeed, request.future, acks)
        if events and self._on_commit is not None:
            self._on_commit(events)


def _itself(request: _Request | None) -> _Request | None:
    return request


def _event_count(request: _Request) -> int:
    return len(request.events)


def _refusal(err: Exception) -> Exception:
    """A value the database itself refuses is the sender's to fix: 422, not a server error."""
    if isinstance(err, DataError):
        reason = str(err.orig).splitlines()[0] if err.orig is not None else "refused value"
        return InvalidInput("the database refused a value of this request; nothing was stored",
                            [Problem(reason[:200], "events")])
    return err


def _succeed(future: asyncio.Future[list[Ack]], acks: list[Ack]) -> None:
    if not future.done():
        future.set_result(acks)


def _fail(future: asyncio.Future[list[Ack]], err: Exception) -> None:
    if not future.done():
        future.set_exception(err)


def unprocessed(session: Session, *, after_seq: int = 0, limit: int = 1000,
                seqs: Sequence[int] | None = None) -> list[Event]:
    """Events stored but not yet processed, oldest first: what a restart replays (only
    those in ``seqs`` when given)."""
    query = (select(InboxEvent, DeviceCredential.subject_kind, DeviceCredential.subject_id)
             .join(DeviceCredential, DeviceCredential.id == InboxEvent.device_id)
             .where(InboxEvent.processed_at.is_(None), InboxEvent.seq > after_seq)
             .order_by(InboxEvent.seq).limit(limit))
    if seqs is not None:
        query = query.where(InboxEvent.seq.in_(list(seqs)))
    return [event_from_row({f: getattr(row, f) for f in ROW_FIELDS},
                           subject_id if kind is SubjectKind.UNIT else None)
            for row, kind, subject_id in session.execute(query)]


def unprocessed_seqs(session: Session, *, limit: int) -> list[int]:
    """The seqs of the oldest unprocessed events (the partial index answers it alone)."""
    return list(session.scalars(select(InboxEvent.seq).where(InboxEvent.processed_at.is_(None))
                                .order_by(InboxEvent.seq).limit(limit)))
