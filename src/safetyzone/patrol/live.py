"""The engine's batch observer: units' GPS fixes become tracks, zone crossings and presence.

``on_batch`` runs inside the engine's batch transaction, after units moved (the runtime hands
it to the engine: ``ops`` never imports ``patrol``), and sees only the events this batch
claimed, so each fix counts exactly once; if it fails, the batch rolls back and the engine
retries event by event like any other failure.

What counts, decided here in one place:

* **Stored**: every fix with a position from a unit's device goes into its track (the
  ``trackstore`` keeps time order), marked ``suspect`` when it implies a speed above
  ``ops.units.MAX_PLAUSIBLE_MPS`` from the unit's last trusted fix. Nothing is thrown away: the
  replay and the summary skip suspect fixes where it matters (distance).
* **Trusted**: not suspect and not poor (accuracy worse than ``POOR_ACCURACY_M``). Only a
  trusted fix moves the unit's zone (geofence crossings), counts presence, and is handed to the
  followers below. ``BELIEVE_AFTER`` suspect fixes in a row are believed: the unit really is
  there, and the old trusted fix was the outlier (a first fix in the wrong place would
  otherwise make every later one suspect).
* **Late** (not newer than the newest fix stored for the unit, e.g. a phone's backlog sent
  after fresher fixes): stored in its place in the track, but it moves nothing, counts no
  presence and is not followed: those are about "now", and were already decided without it.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from safetyzone.core.events import Event, EventKind, GpsPayload
from safetyzone.core.geo import haversine_m
from safetyzone.ops.models import Unit
from safetyzone.ops.units import MAX_PLAUSIBLE_MPS
from safetyzone.patrol import compliance, trackstore
from safetyzone.patrol import trackcodec as codec
from safetyzone.patrol.geofence import Crossing, ZoneCache, ZoneIndex, record_crossing
from safetyzone.patrol.presence import Tally
from safetyzone.patrol.track_models import CHUNK_TABLE, GEO_TABLE
from safetyzone.patrol.trackstore import OpenChunk

DEFAULT_H3_RES = 9  # settings.patrol_presence_h3_res; the runtime passes the configured one
POOR_ACCURACY_M = 250.0  # a fix this vague cannot say which street, let alone which cell
BELIEVE_AFTER = 3

_zones = ZoneCache()
_GEO = GEO_TABLE


@dataclass(frozen=True)
class UnitFix:
    """A unit's trusted live fix, as the followers of ``on_batch`` get it."""

    unit_id: uuid.UUID
    station_id: uuid.UUID
    at: datetime
    lat: float
    lon: float
    accuracy_m: float | None


@dataclass(slots=True)
class _Geo:
    """A unit's ``patrol_unit_geo`` row while a batch works on it (plain: see trackstore)."""

    unit_id: uuid.UUID
    station_id: uuid.UUID
    chunk_id: int | None
    latest_at: datetime
    good_at: datetime | None
    good_lat: float | None
    good_lon: float | None
    suspect_run: int
    zone_id: uuid.UUID | None
    stored: bool  # the row exists

    def row(self, now: datetime) -> dict[str, Any]:
        """What a batch may change (``unit_id`` and ``station_id`` never change)."""
        return {"chunk_id": self.chunk_id, "latest_at": self.latest_at,
                "good_at": self.good_at, "good_lat": self.good_lat, "good_lon": self.good_lon,
                "suspect_run": self.suspect_run, "zone_id": self.zone_id, "updated_at": now}


def on_batch(session: Session, events: list[Event], now: datetime, *,
             presence_res: int = DEFAULT_H3_RES) -> None:
    """Store the batch's unit fixes, record zone crossings, add presence; see the module."""
    by_unit: dict[uuid.UUID, list[Event]] = defaultdict(list)
    for event in events:
        if (event.kind is EventKind.GPS_POSITION and event.source_unit_id is not None
                and event.location is not None):
            by_unit[event.source_unit_id].append(event)
    if not by_unit:
        return
    geos, chunks = _load(session, list(by_unit))
    batch = _Batch(session, _zones.get(session), Tally(presence_res))
    written: list[OpenChunk] = []
    for unit_id, unit_events in by_unit.items():
        geo = geos.get(unit_id)
        if geo is None:
            continue  # no such unit (any more): the engine has already logged the event
        touched = batch.unit_fixes(geo, chunks.get(unit_id), unit_events)
        written += touched
    trackstore.write_chunks(session, written)
    for chunk in written:  # the last one written for a unit is its open chunk
        geos[chunk.unit_id].chunk_id = chunk.id
    _write_geos(session, list(geos.values()), now)
    if batch.crossings:
        callsigns = dict(session.execute(select(Unit.id, Unit.callsign).where(
            Unit.id.in_({c.unit_id for c in batch.crossings}))).all())
        for crossing in batch.crossings:
            record_crossing(session, crossing, callsign=callsigns[crossing.unit_id], now=now)
    batch.tally.upsert(session)
    if batch.followed:
        follow(session, batch.followed, now)


def follow(session: Session, fixes: list[UnitFix], now: datetime) -> None:
    """Hand units' trusted live fixes (time order per unit) to the parts that follow them,
    in the same transaction. THE one place to add a follower, one line each, e.g. patrol
    plans' visits: ``compliance.on_fixes(session, fixes, now)``."""
    compliance.on_fixes(session, fixes, now)


def _load(session: Session, unit_ids: list[uuid.UUID]
          ) -> tuple[dict[uuid.UUID, _Geo], dict[uuid.UUID, OpenChunk]]:
    """The units' geo state with their open chunks (one query), and a fresh state for a
    unit's first fix. Units that do not exist are left out."""
    chunk = CHUNK_TABLE
    rows = session.execute(
        select(_GEO.c.unit_id, _GEO.c.station_id, _GEO.c.chunk_id, _GEO.c.latest_at,
               _GEO.c.good_at, _GEO.c.good_lat, _GEO.c.good_lon, _GEO.c.suspect_run,
               _GEO.c.zone_id, *trackstore.STATE_COLUMNS)
        .select_from(_GEO.outerjoin(chunk, chunk.c.id == _GEO.c.chunk_id))
        .where(_GEO.c.unit_id.in_(unit_ids)))
    geos: dict[uuid.UUID, _Geo] = {}
    chunks: dict[uuid.UUID, OpenChunk] = {}
    for row in rows:
        unit_id, station_id = row[0], row[1]
        geos[unit_id] = _Geo(unit_id, station_id, *row[2:9], True)
        if row[9] is not None:  # (retention may have removed it: a new one starts)
            chunks[unit_id] = trackstore.open_chunk(unit_id, station_id, row[9:])
    first = [u for u in unit_ids if u not in geos]
    if first:
        for unit_id, station_id in session.execute(
                select(Unit.id, Unit.station_id).where(Unit.id.in_(first))):
            geos[unit_id] = _Geo(unit_id, station_id, None, codec.EPOCH, None, None, None, 0,
                                 None, False)
    return geos, chunks


def _write_geos(session: Session, geos: list[_Geo], now: datetime) -> None:
    fresh = [{"unit_id": g.unit_id, "station_id": g.station_id, **g.row(now)}
             for g in geos if not g.stored]
    if fresh:
        session.execute(insert(_GEO), fresh)
    known = [{"b_unit_id": g.unit_id, **{f"b_{k}": v for k, v in g.row(now).items()}}
             for g in geos if g.stored]
    if known:
        columns = known[0].keys() - {"b_unit_id"}
        session.execute(update(_GEO).where(_GEO.c.unit_id == bindparam("b_unit_id")).values(
            {name[2:]: bindparam(name) for name in columns}), known)


class _Batch:
    """One engine batch's pass over its units: judging, crossings, presence, followers."""

    def __init__(self, session: Session, zones: ZoneIndex, tally: Tally) -> None:
        self.session = session
        self.zones = zones
        self.tally = tally
        self.crossings: list[Crossing] = []
        self.followed: list[UnitFix] = []

    def unit_fixes(self, geo: _Geo, chunk: OpenChunk | None,
                   events: list[Event]) -> list[OpenChunk]:
        """One unit's fixes of this batch; the chunks appended to, its open chunk last."""
        newest = codec.to_ms(geo.latest_at)
        seen: set[int] = set()
        late: list[codec.Fix] = []
        fresh: list[codec.Fix] = []
        for event in sorted(events, key=lambda e: (e.event_time, e.seq)):
            assert event.location is not None
            payload = event.payload if isinstance(event.payload, GpsPayload) else None
            fix = codec.quantize(event.event_time, event.location.lat, event.location.lon,
                                 payload.speed_mps if payload else None,
                                 event.location.accuracy_m)
            if fix.t in seen:
                continue  # two fixes in one millisecond: the first one stands
            seen.add(fix.t)
            if fix.t <= newest:
                late.append(fix)
            else:
                fresh.append(self._judge(geo, event, fix))
        if late:
            chunk = self._late(geo, chunk, late)
        if not fresh:
            return []
        geo.latest_at = codec.from_ms(fresh[-1].t)
        return trackstore.append_in_order(unit_id=geo.unit_id, station_id=geo.station_id,
                                          chunk=chunk, fixes=fresh)

    def _late(self, geo: _Geo, chunk: OpenChunk | None, late: list[codec.Fix]
              ) -> OpenChunk | None:
        """Late fixes into their places; the open chunk again if one of them went there."""
        merged = {trackstore.insert_late(self.session, unit_id=geo.unit_id,
                                         station_id=geo.station_id, fix=fix) for fix in late}
        self.session.flush()
        if chunk is None or chunk.id is None or not any(c is not None and c.id == chunk.id
                                                        for c in merged):
            return chunk
        return trackstore.load_open(self.session, geo.unit_id, geo.station_id, chunk.id)

    def _judge(self, geo: _Geo, event: Event, fix: codec.Fix) -> codec.Fix:
        """Suspect, poor or trusted; a trusted fix moves the unit's zone and counts presence."""
        assert event.location is not None
        at, lat, lon = event.event_time, event.location.lat, event.location.lon
        accuracy = event.location.accuracy_m
        believed = False
        if geo.good_at is not None and geo.good_lat is not None and geo.good_lon is not None:
            seconds = (at - geo.good_at).total_seconds()
            metres = haversine_m(geo.good_lat, geo.good_lon, lat, lon)
            if seconds <= 0 or metres / seconds > MAX_PLAUSIBLE_MPS:
                geo.suspect_run += 1
                if geo.suspect_run < BELIEVE_AFTER:
                    return fix._replace(suspect=True)
                believed = True
        if accuracy is not None and accuracy > POOR_ACCURACY_M:
            return fix
        if geo.good_at is not None and geo.good_lat is not None and geo.good_lon is not None \
                and not believed:
            self.tally.add(station_id=geo.station_id, since=geo.good_at, until=at,
                           lat=geo.good_lat, lon=geo.good_lon)
        self._cross(geo, at, lat, lon)
        geo.good_at, geo.good_lat, geo.good_lon, geo.suspect_run = at, lat, lon, 0
        self.followed.append(UnitFix(geo.unit_id, geo.station_id, at, lat, lon, accuracy))
        return fix

    def _cross(self, geo: _Geo, at: datetime, lat: float, lon: float) -> None:
        zone = self.zones.zone_at(geo.station_id, lat, lon)
        now_in = zone.id if zone is not None else None
        if now_in == geo.zone_id:
            return
        left = self.zones.by_id.get(geo.zone_id) if geo.zone_id is not None else None
        if left is not None:  # (a zone since removed has nothing left to leave)
            self.crossings.append(Crossing(geo.unit_id, geo.station_id, left, "exit", at, lat,
                                           lon))
        if zone is not None:
            self.crossings.append(Crossing(geo.unit_id, geo.station_id, zone, "enter", at, lat,
                                           lon))
        geo.zone_id = now_in
