"""The CCOC engine: the one consumer that turns inbox events into incidents and moves units.

Exactly once: for each event, the inbox row is marked processed in the SAME transaction as
the effects (an incident opened, a unit moved). A redelivered event finds the mark and is
skipped; an event whose transaction never committed is still unmarked and is replayed on
the next start. Events are handled in batches on one thread, so SQLite sees one writer and
the bus task never blocks on the database.

Database outages: a batch that fails because the database is unavailable is retried with
growing pauses until it goes through (or the engine stops), never dropped. As a safety net,
the engine also looks every few seconds for stored events that are neither processed nor
waiting in its queue (a failed event, a lost bus message) and queues them again, so nothing
acknowledged waits for a restart.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import queue
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from safetyzone.assets import service as assets
from safetyzone.assets.models import Asset
from safetyzone.bus.base import Bus, Message
from safetyzone.core.clock import Clock
from safetyzone.core.db import Database
from safetyzone.core.drain import drain
from safetyzone.core.errors import DatabaseUnavailable
from safetyzone.core.events import Event, EventKind, GpsPayload, Location
from safetyzone.intake import service as intake
from safetyzone.intake.models import InboxEvent
from safetyzone.lpr import service as lpr
from safetyzone.ops import incidents, plates, rules, units
from safetyzone.ops.backlog import Backlog
from safetyzone.ops.cameras import CameraIndexCache, link_cameras
from safetyzone.ops.models import DeviceHealth, Incident, Unit

log = logging.getLogger(__name__)
SUBJECT_ALL = "ssz.>"
STOP = 2  # sorts after every urgency level, so a stop drains the queue first
OUTAGE_RETRY_FIRST_S = 0.25  # pause before retrying a batch the database did not take
OUTAGE_RETRY_MAX_S = 2.0  # short: an SOS must not wait long once the database is back
REPLAY_SCAN = 10_000  # unprocessed seqs looked at per pass (oldest first)
# Called with the events a batch claimed, in its transaction, after units moved. Layers above
# ops (patrol's tracks) follow the engine this way: the runtime passes them in.
Observer = Callable[[Session, list[Event], datetime], None]


@dataclass(frozen=True)
class Outcome:
    event_id: uuid.UUID
    incident_id: uuid.UUID | None = None
    opened: bool = False


def _source(session: Session, event: Event) -> tuple[rules.Source, Asset | None, Unit | None]:
    asset = session.get(Asset, event.source_asset_id) if event.source_asset_id else None
    unit = session.get(Unit, event.source_unit_id) if event.source_unit_id else None
    if asset is not None:
        site = asset.attributes.get("site_kind") if asset.attributes else None
        return (rules.Source(asset.name_th, asset.name_en or asset.name_th, asset.kind.value,
                             str(site) if site else None), asset, None)
    if unit is not None:
        return rules.Source(unit.callsign, unit.callsign, "unit"), None, unit
    return rules.Source("อุปกรณ์", "device"), None, None


def _heard(session: Session, event: Event) -> None:
    row = session.get(DeviceHealth, event.device_id)
    if row is None:
        session.add(DeviceHealth(device_id=event.device_id, station_id=event.station_id,
                                 source_asset_id=event.source_asset_id,
                                 last_seen_at=event.received_at))
    elif row.last_seen_at < event.received_at:
        row.last_seen_at, row.silent_since = event.received_at, None


@dataclass
class BatchContext:
    """What one engine transaction reads once instead of once per event."""

    now: datetime
    rules_by_station: dict[uuid.UUID, list[rules.RuleRead]] = field(default_factory=dict)
    moved: dict[uuid.UUID, Unit] = field(default_factory=dict)

    def station_rules(self, session: Session, station_id: uuid.UUID) -> list[rules.RuleRead]:
        if station_id not in self.rules_by_station:
            self.rules_by_station[station_id] = rules.effective_rules(session, station_id)
        return self.rules_by_station[station_id]


def claim(session: Session, events: list[Event], now: datetime) -> set[int]:
    """Mark these events processed, in one statement; returns the seqs this call won.

    Done in the same transaction as the effects, so an event is processed exactly once: a
    redelivery finds it already marked, a rolled-back batch leaves it unmarked for replay.
    """
    if not events:
        return set()
    won = session.execute(
        update(InboxEvent).where(InboxEvent.seq.in_([e.seq for e in events]),
                                 InboxEvent.processed_at.is_(None))
        .values(processed_at=now).returning(InboxEvent.seq),
        execution_options={"synchronize_session": False})
    return set(won.scalars())


def process_batch(session: Session, events: list[Event], *, cameras: CameraIndexCache,
                  now: datetime, observers: Sequence[Observer] = ()) -> list[Outcome]:
    """Apply events in order; each unit that moved is published once, at its last fix; then
    the observers see the events this call claimed (a redelivery reaches none of them)."""
    claimed = claim(session, events, now)
    context = BatchContext(now)
    applied = [event for event in events if event.seq in claimed]
    outcomes = [_apply(session, event, cameras=cameras, context=context) for event in applied]
    for unit in context.moved.values():
        incidents.publish_unit(session, unit, now)
    for observer in observers if applied else ():
        observer(session, applied, now)
    return outcomes


def process_event(session: Session, event: Event, *, cameras: CameraIndexCache,
                  now: datetime, observers: Sequence[Observer] = ()) -> Outcome | None:
    """Apply one event; ``None`` when it was already processed (a redelivery)."""
    outcomes = process_batch(session, [event], cameras=cameras, now=now, observers=observers)
    return outcomes[0] if outcomes else None


def _apply(session: Session, event: Event, *, cameras: CameraIndexCache,
           context: BatchContext) -> Outcome:
    now = context.now
    _heard(session, event)
    source, asset, unit = _source(session, event)
    if unit is not None and event.kind is EventKind.GPS_POSITION and units.apply_fix(
            session, unit=unit, event=event, now=now):
        context.moved[unit.id] = unit
    if event.kind is EventKind.PLATE_READ:  # hotlists decide, not the rule table
        hits = plates.on_plate_read(session, event, asset=asset, source=source,
                                    cameras=cameras, now=now)
        return Outcome(event.id, hits[0].id if hits else None, bool(hits))
    rule = rules.first_match(context.station_rules(session, event.station_id), event, source)
    if rule is None:
        return Outcome(event.id)
    category = rules.category_of(event)
    lat = event.location.lat if event.location else asset.lat if asset else None
    lon = event.location.lon if event.location else asset.lon if asset else None
    bound = assets.bound_camera_ids(session, asset.id) if asset and rule.action.dock_bound else []
    docked = link_cameras(
        cameras.get(session), lat=lat, lon=lon, bound=bound, nearest=rule.action.dock_nearest,
        radius_m=rule.action.dock_radius_m, station_id=event.station_id, now=now)
    if event.location is None and lat is not None and lon is not None:
        event = event.model_copy(update={"location": Location(lat=lat, lon=lon)})
    incident, opened = incidents.open_or_merge(
        session, event=event, rule_name=rule.name, action=rule.action, source=source,
        title_th=rules.render(rule.action.title_th, source, category, "th"),
        title_en=rules.render(rule.action.title_en, source, category, "en"),
        cameras=docked, now=now)
    return Outcome(event.id, incident.id, opened)


def urgency(event: Event) -> int:
    """0 for what a person is waiting on (SOS, alarms, an officer's SOS), 1 for the rest.

    The engine's queue is ordered by this first: an SOS never waits behind a backlog of
    patrol-car positions.
    """
    if event.kind in {EventKind.SOS_PRESS, EventKind.ALARM, EventKind.CITIZEN_REPORT}:
        return 0
    if isinstance(event.payload, GpsPayload) and event.payload.alarm:
        return 0
    return 1


class Engine:
    """Subscribes to the bus, processes events in batches on its own thread."""

    def __init__(self, db: Database, clock: Clock, bus: Bus,
                 cameras: CameraIndexCache | None = None, max_batch: int = 200, *,
                 replay_interval_s: float = 2.0, replay_after_s: float = 4.0,
                 observers: Sequence[Observer] = ()) -> None:
        self._db = db
        self._observers = tuple(observers)
        self._clock = clock
        self._bus = bus
        self._cameras = cameras or CameraIndexCache()
        self._max_batch = max_batch
        self._replay_interval_s = replay_interval_s
        self.backlog = Backlog(replay_after_s)
        # (urgency, seq, event): urgent first, then inbox order; the stop marker sorts last.
        self._queue: queue.PriorityQueue[tuple[int, int, Event | None]] = queue.PriorityQueue()
        self._thread: threading.Thread | None = None
        self._subscription: Any = None
        self._replayer: asyncio.Task[None] | None = None
        self._stopping = threading.Event()
        self.processed = 0
        self.requeued = 0

    async def start(self) -> None:
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name="ccoc-engine", daemon=True)
        self._thread.start()
        self._subscription = await self._bus.subscribe(SUBJECT_ALL, self._on_message)
        self._replayer = asyncio.create_task(self._replay_loop(), name="engine-replay")

    async def replay_unprocessed(self) -> int:
        """Queue every stored-but-unprocessed event (after a crash) in inbox order."""
        total, after = 0, 0
        while True:
            batch = await asyncio.to_thread(self._unprocessed, after)
            if not batch:
                return total
            for event in batch:
                self._put(event)
            total += len(batch)
            after = batch[-1].seq

    def _unprocessed(self, after: int) -> list[Event]:
        with self._db.read() as session:
            return intake.unprocessed(session, after_seq=after)

    async def _replay_loop(self) -> None:
        outage = False
        while True:
            await asyncio.sleep(self._replay_interval_s)
            try:
                await asyncio.to_thread(self.requeue_stale)
                outage = False
            except DatabaseUnavailable:
                if not outage:
                    log.warning("engine: database unavailable; will look for unprocessed "
                                "events again every %.0f s", self._replay_interval_s)
                outage = True
            except Exception:
                log.exception("engine: looking for unprocessed events failed")

    def requeue_stale(self) -> int:
        """Queue again the stored events that stayed unprocessed and unqueued for
        ``replay_after_s`` (their processing failed, or their bus message never came)."""
        with self._db.read() as session:
            due = self.backlog.stale(intake.unprocessed_seqs(session, limit=REPLAY_SCAN))
        if not due:
            return 0
        count = 0
        for start in range(0, len(due), 500):
            chunk = due[start:start + 500]
            with self._db.read() as session:
                events = intake.unprocessed(session, seqs=chunk, limit=len(chunk))
            for event in events:
                self._put(event)
            count += len(events)
        self.requeued += count
        log.warning("engine: queued again %d stored events left unprocessed", count)
        return count

    def _put(self, event: Event) -> None:
        if self.backlog.take(event.seq):  # else already waiting or in hand: a redelivery
            self._queue.put((urgency(event), event.seq, event))

    async def _on_message(self, message: Message) -> None:
        self._put(message.event)

    async def stop(self) -> None:
        self._stopping.set()
        if self._replayer is not None:
            self._replayer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._replayer
            self._replayer = None
        if self._subscription is not None:
            await self._subscription.close()
        if self._thread is not None:
            self._queue.put((STOP, 0, None))
            await asyncio.to_thread(self._thread.join)
            self._thread = None

    def _run(self) -> None:
        drain(self._queue, self._handle, limit=self._max_batch, unwrap=_queued_event)

    def _handle(self, batch: list[Event]) -> None:
        try:
            self._process(batch)
        finally:
            self.backlog.done(e.seq for e in batch)

    def _process(self, batch: list[Event]) -> None:
        try:
            if not self._write(lambda s: process_batch(
                    s, batch, cameras=self._cameras, now=self._clock.now(),
                    observers=self._observers)):
                return
            self.processed += len(batch)
        except Exception:
            # Leave the batch unmarked: one at a time, so one bad event cannot hold back the
            # others; a failing one stays unprocessed and is queued again later (back-off).
            log.exception("engine batch of %d failed; retrying one by one", len(batch))
            for event in batch:
                try:
                    if not self._write(functools.partial(self._process_one, event)):
                        return
                    self.processed += 1
                except Exception:
                    retry_in = self.backlog.failed(event.seq)
                    log.exception("event %s (seq %s) failed; trying again in %.0f s",
                                  event.id, event.seq, retry_in)

    def _process_one(self, event: Event, session: Session) -> None:
        process_event(session, event, cameras=self._cameras, now=self._clock.now(),
                      observers=self._observers)

    def _write(self, work: Callable[[Session], object]) -> bool:
        """Run ``work`` in one write transaction, waiting out database outages.

        False when the engine is told to stop before the database is back: the events stay
        unprocessed in the inbox and are replayed on the next start.
        """
        pause = OUTAGE_RETRY_FIRST_S
        while True:
            try:
                with self._db.write() as session:
                    work(session)
                return True
            except DatabaseUnavailable as err:
                log.warning("engine: database unavailable (%s); retrying in %.2f s",
                            err.cause, pause)
                if self._stopping.wait(pause):
                    return False
                pause = min(pause * 2, OUTAGE_RETRY_MAX_S)


def _queued_event(item: tuple[int, int, Event | None]) -> Event | None:
    return item[2]


def sweep(db: Database, clock: Clock, *, escalation_step_s: int = 60,
          data_dir: Path | None = None) -> dict[str, int]:
    """Periodic work: escalate overdue incidents, raise "device silent" alerts, forget
    plate reads past their station's retention (and their pictures under ``data_dir``)."""
    with db.write() as session:
        now = clock.now()
        escalated = incidents.escalate_overdue(session, now=now,
                                               step=timedelta(seconds=escalation_step_s))
        silent = _silent_devices(session, now)
        forgotten = lpr.sweep_reads(session, now=now)
    if data_dir is not None:
        plates.remove_pictures(data_dir, forgotten)
    return {"escalated": len(escalated), "silent": silent, "plate_reads_deleted": len(forgotten)}


def _silent_devices(session: Session, now: datetime) -> int:
    count = 0
    rows = session.scalars(select(DeviceHealth).where(DeviceHealth.silent_since.is_(None)))
    rule_cache: dict[uuid.UUID, list[rules.RuleRead]] = {}
    for row in rows:
        if row.source_asset_id is None:
            continue
        asset = session.get(Asset, row.source_asset_id)
        if asset is None:
            continue
        station_rules = rule_cache.setdefault(
            row.station_id, rules.effective_rules(session, row.station_id))
        source = rules.Source(asset.name_th, asset.name_en or asset.name_th, asset.kind.value,
                              None)
        for rule in station_rules:
            trig = rule.trigger
            if not rule.enabled or trig.event_kind != rules.SILENT or trig.silent_after_s is None:
                continue
            if trig.asset_kinds is not None and source.asset_kind not in trig.asset_kinds:
                continue
            if now - row.last_seen_at < timedelta(seconds=trig.silent_after_s):
                break
            row.silent_since = now
            _open_silent(session, row, asset, rule, source, now)
            count += 1
            break
    return count


def _open_silent(session: Session, row: DeviceHealth, asset: Asset, rule: rules.RuleRead,
                 source: rules.Source, now: datetime) -> Incident:
    return incidents.open_alert(
        session, station_id=row.station_id, kind=rule.action.incident_kind,
        priority=rule.action.priority,
        title_th=rules.render(rule.action.title_th, source, "silent", "th"),
        title_en=rules.render(rule.action.title_en, source, "silent", "en"),
        lat=asset.lat, lon=asset.lon, now=now, ack_timeout_s=None,
        source_th=source.name_th, source_en=source.name_en,
        detail={"last_seen_at": row.last_seen_at.isoformat()}, rule_name=rule.name,
        source_asset_id=asset.id, source_device_id=row.device_id,
        device_time=row.last_seen_at)
