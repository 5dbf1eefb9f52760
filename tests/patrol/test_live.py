"""The engine's batch observer on its own: what it stores, what it trusts, crossings,
presence and its followers, with hand-made events (the intake path is in test_tracks.py)."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from safetyzone.core.events import Event, EventKind, GpsPayload, Location, SosPayload
from safetyzone.core.security import system_scope
from safetyzone.ops import units
from safetyzone.ops.models import FeedEntry, UnitKind, UnitStatus
from safetyzone.ops.schemas import UnitCreate
from safetyzone.org import zones
from safetyzone.org.models import Zone
from safetyzone.org.schemas import ZoneUpdate
from safetyzone.patrol import live, trackcodec, tracks, trackstore
from safetyzone.patrol.presence import cell_of
from safetyzone.patrol.track_models import GeofenceEvent, Presence, TrackChunk, UnitGeo
from support.world import STATIONS, World, square

A_LAT, A_LON = STATIONS["ST-A"][1], STATIONS["ST-A"][2]  # zone Z-ST-A: +-0.004 deg around it
OUT_LAT = A_LAT + 0.01  # ~1.1 km north: outside the zone
T0 = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)  # 08:00 in Bangkok
_seq = itertools.count(1)


class Unit:
    """A unit of ST-A and a way to feed its fixes to on_batch as the engine would."""

    def __init__(self, db: Database, clock: ManualClock, code: str = "A-1") -> None:
        self.db = db
        self.clock = clock
        with db.write() as s:
            unit = units.create_unit(s, scope=system_scope(), clock=clock, data=UnitCreate(
                station_code="ST-A", code=code, callsign=f"สายตรวจ {code}", kind=UnitKind.CAR,
                status=UnitStatus.AVAILABLE))
            self.id, self.station_id = unit.id, unit.station_id
        self.device = uuid.uuid4()

    def event(self, at: datetime, lat: float, lon: float, *, accuracy: float | None = 5.0,
              speed: float | None = None, alarm: str | None = None) -> Event:
        n = next(_seq)
        return Event(id=uuid.uuid4(), seq=n, kind=EventKind.GPS_POSITION,
                     station_id=self.station_id, device_id=self.device,
                     source_unit_id=self.id, device_event_id=f"f{n}", event_time=at,
                     received_at=at, location=Location(lat=lat, lon=lon, accuracy_m=accuracy),
                     payload=GpsPayload(speed_mps=speed, alarm=alarm))

    def feed(self, *events: Event, res: int = 9) -> None:
        with self.db.write() as s:
            live.on_batch(s, list(events), self.clock.now(), presence_res=res)

    def track(self, since: datetime = T0 - timedelta(days=1),
              until: datetime = T0 + timedelta(days=1)) -> list[tracks.TrackFix]:
        with self.db.read() as s:
            return tracks.fixes(s, unit_id=self.id, since=since, until=until)

    def chunks(self) -> list[TrackChunk]:
        with self.db.read() as s:
            return list(s.scalars(select(TrackChunk).where(TrackChunk.unit_id == self.id)
                                  .order_by(TrackChunk.start_at)))

    def crossings(self) -> list[tuple[str, str]]:
        with self.db.read() as s:
            return [(e.kind, e.zone_code) for e in s.scalars(
                select(GeofenceEvent).where(GeofenceEvent.unit_id == self.id)
                .order_by(GeofenceEvent.at, GeofenceEvent.id))]


@pytest.fixture
def unit(db: Database, world: World, clock: ManualClock) -> Unit:
    clock.advance(T0 + timedelta(hours=1) - clock.now())
    return Unit(db, clock)


def walk(unit: Unit, start: datetime, count: int, *, every_s: float = 5,
         lat: float = A_LAT, lon: float = A_LON, step: float = 0.00002) -> list[Event]:
    """Fixes every ``every_s`` seconds, moving ``step`` degrees east each (~2 m)."""
    return [unit.event(start + timedelta(seconds=every_s * i), lat, lon + step * i)
            for i in range(count)]


def test_fixes_are_stored_in_time_order_in_half_hour_chunks(unit: Unit) -> None:
    events = walk(unit, T0, 800)  # 66 minutes
    unit.feed(*events[:400][::-1])  # one batch, in reverse: sorted before storing
    unit.feed(*events[400:])
    track = unit.track()
    assert [f.at for f in track] == [e.event_time for e in events]
    assert track[0].lat == A_LAT and track[10].lon == pytest.approx(A_LON + 0.0002)
    assert track[0].accuracy_m == 5.0 and not any(f.suspect for f in track)
    chunks = unit.chunks()
    assert [c.fixes for c in chunks] == [360, 360, 80]  # 30 min of 5 s fixes each
    assert all(c.end_at - c.start_at < trackstore.CHUNK_SPAN for c in chunks)
    with unit.db.read() as s:
        geo = s.get(UnitGeo, unit.id)
        assert geo is not None and geo.chunk_id == chunks[-1].id
        assert geo.latest_at == events[-1].event_time


def test_an_append_writes_what_a_whole_encoding_would(unit: Unit) -> None:
    events = walk(unit, T0, 30)
    for i in range(0, 30, 7):  # batches of 7, appended without decoding
        unit.feed(*events[i:i + 7])
    (chunk,) = unit.chunks()
    fixes = trackstore.decode_chunk(chunk)
    assert trackcodec.encode_chunk(fixes)[0] == chunk.data
    assert len(chunk.data) / chunk.fixes < 8


def test_a_window_reads_only_its_fixes(unit: Unit) -> None:
    unit.feed(*walk(unit, T0, 720))  # an hour
    since, until = T0 + timedelta(minutes=25), T0 + timedelta(minutes=35)
    window = unit.track(since, until)
    assert window[0].at == since and window[-1].at == until and len(window) == 121


def test_a_late_fix_is_put_in_its_place_and_a_repeat_is_dropped(unit: Unit) -> None:
    events = walk(unit, T0, 20)
    unit.feed(*[e for i, e in enumerate(events) if i != 7])
    unit.feed(events[7])  # from a dead spot, after fresher ones
    assert [f.at for f in unit.track()] == [e.event_time for e in events]
    again = unit.event(events[3].event_time, OUT_LAT, A_LON)  # same millisecond
    unit.feed(again)
    assert unit.track()[3].lat == A_LAT
    (chunk,) = unit.chunks()
    assert chunk.fixes == 20
    # The chunk was re-encoded whole: appending from its row's state still works.
    unit.feed(unit.event(events[-1].event_time + timedelta(seconds=5), A_LAT, A_LON))
    assert len(unit.track()) == 21


def test_a_batch_with_a_late_fix_and_fresh_ones_keeps_the_open_chunk_whole(unit: Unit) -> None:
    events = walk(unit, T0, 30)
    unit.feed(*events[:10], *events[11:20])
    unit.feed(events[10], *events[20:])  # the late one re-encodes the open chunk first
    (chunk,) = unit.chunks()
    assert chunk.fixes == 30
    assert trackcodec.encode_chunk(trackstore.decode_chunk(chunk))[0] == chunk.data
    assert [f.at for f in unit.track()] == [e.event_time for e in events]


def test_late_fixes_in_a_gap_join_a_neighbour_or_start_their_own_chunk(unit: Unit) -> None:
    early = walk(unit, T0, 10)
    later = walk(unit, T0 + timedelta(hours=2), 10)
    unit.feed(*early, *later)
    gap = unit.event(T0 + timedelta(minutes=1), A_LAT, A_LON)  # just after early's end
    lone = unit.event(T0 + timedelta(hours=1), A_LAT, A_LON)  # far from both
    before = unit.event(T0 - timedelta(hours=1), A_LAT, A_LON)  # before anything
    unit.feed(gap, lone, before)
    assert [c.fixes for c in unit.chunks()] == [1, 11, 1, 10]
    assert [f.at for f in unit.track()] == sorted(
        e.event_time for e in (*early, *later, gap, lone, before))


def test_a_jump_is_kept_but_suspect_and_three_in_a_row_are_believed(unit: Unit) -> None:
    t = [T0 + timedelta(seconds=5 * i) for i in range(8)]
    far = A_LAT + 0.5  # 55 km in 5 s
    unit.feed(unit.event(t[0], A_LAT, A_LON), unit.event(t[1], far, A_LON),
              unit.event(t[2], A_LAT, A_LON + 0.0001))
    assert [f.suspect for f in unit.track()] == [False, True, False]
    assert unit.crossings() == [("enter", "Z-ST-A")]  # the glitch left no zone
    # The unit really moved (a wrong first fix, or a tow): believed on the third report.
    unit.feed(*[unit.event(t[i], far + 0.0001 * i, A_LON) for i in range(3, 6)])
    assert [f.suspect for f in unit.track()][3:] == [True, True, False]
    assert unit.crossings() == [("enter", "Z-ST-A"), ("exit", "Z-ST-A")]


def test_a_poor_fix_is_kept_but_moves_nothing(unit: Unit) -> None:
    unit.feed(unit.event(T0, A_LAT, A_LON),
              unit.event(T0 + timedelta(seconds=5), OUT_LAT, A_LON, accuracy=900))
    assert len(unit.track()) == 2
    assert unit.crossings() == [("enter", "Z-ST-A")]


def test_crossings_are_recorded_and_on_the_station_feed(unit: Unit, db: Database) -> None:
    t = [T0 + timedelta(minutes=i) for i in range(5)]
    unit.feed(unit.event(t[0], OUT_LAT, A_LON))  # starts outside: nothing to say
    unit.feed(unit.event(t[1], A_LAT, A_LON), unit.event(t[2], A_LAT + 0.001, A_LON))
    unit.feed(unit.event(t[3], OUT_LAT, A_LON), unit.event(t[4], A_LAT, A_LON))
    assert unit.crossings() == [("enter", "Z-ST-A"), ("exit", "Z-ST-A"), ("enter", "Z-ST-A")]
    with db.read() as s:
        entries = list(s.scalars(select(FeedEntry).where(FeedEntry.type == "patrol.geofence")
                                 .order_by(FeedEntry.seq)))
    assert [e.payload["kind"] for e in entries] == ["enter", "exit", "enter"]
    assert entries[1].payload == {
        "unit_id": str(unit.id), "callsign": "สายตรวจ A-1", "zone_code": "Z-ST-A",
        "kind": "exit", "at": t[3].isoformat(), "lat": OUT_LAT, "lon": A_LON}
    assert {e.station_id for e in entries} == {unit.station_id}


def test_a_redrawn_zone_is_used_from_the_next_batch(unit: Unit, db: Database,
                                                    clock: ManualClock) -> None:
    unit.feed(unit.event(T0, OUT_LAT, A_LON))
    with db.write() as s:
        zone = s.scalars(select(Zone).where(Zone.code == "Z-ST-A")).one()
        clock.advance(timedelta(seconds=1))
        zones.update_zone(s, scope=system_scope(), clock=clock, zone_id=zone.id,
                          data=ZoneUpdate(boundary=square(OUT_LAT, A_LON)))
    unit.feed(unit.event(T0 + timedelta(seconds=5), OUT_LAT, A_LON))
    assert unit.crossings() == [("enter", "Z-ST-A")]


def presence(db: Database) -> dict[tuple[str, str], float]:
    with db.read() as s:
        return {(str(p.day), p.cell): p.seconds for p in s.scalars(select(Presence))}


def test_presence_counts_short_intervals_for_the_earlier_cell(unit: Unit, db: Database) -> None:
    east = A_LON + 0.003  # another res-9 cell (~330 m east)
    unit.feed(unit.event(T0, A_LAT, A_LON), unit.event(T0 + timedelta(seconds=60), A_LAT, east))
    unit.feed(unit.event(T0 + timedelta(seconds=90), A_LAT, east))
    unit.feed(unit.event(T0 + timedelta(seconds=400), A_LAT, A_LON))  # 310 s gap: nothing
    here, there = (live_cell(A_LAT, A_LON), live_cell(A_LAT, east))
    assert here != there
    assert presence(db) == {("2026-11-30", here): 60.0, ("2026-11-30", there): 30.0}


def live_cell(lat: float, lon: float) -> str:
    return cell_of(lat, lon, 9)


def test_presence_belongs_to_the_bangkok_day_and_station(unit: Unit, db: Database) -> None:
    midnight = datetime(2026, 11, 30, 17, 0, tzinfo=UTC)  # 00:00 on 1 Dec in Bangkok
    unit.feed(unit.event(midnight - timedelta(seconds=30), A_LAT, A_LON),
              unit.event(midnight + timedelta(seconds=30), A_LAT, A_LON),
              unit.event(midnight + timedelta(seconds=60), A_LAT, A_LON))
    cell = live_cell(A_LAT, A_LON)
    assert presence(db) == {("2026-11-30", cell): 60.0, ("2026-12-01", cell): 30.0}
    with db.read() as s:
        assert {p.station_id for p in s.scalars(select(Presence))} == {unit.station_id}


def test_suspect_poor_and_late_fixes_count_no_presence(unit: Unit, db: Database) -> None:
    t = [T0 + timedelta(seconds=10 * i) for i in range(6)]
    unit.feed(unit.event(t[0], A_LAT, A_LON), unit.event(t[2], A_LAT, A_LON))
    unit.feed(unit.event(t[1], A_LAT, A_LON))  # late
    unit.feed(unit.event(t[3], A_LAT + 0.5, A_LON),  # a jump
              unit.event(t[4], A_LAT, A_LON, accuracy=400),  # poor
              unit.event(t[5], A_LAT, A_LON))
    # 0 -> 2: 20 s; 2 -> 5: 30 s (the jump and the poor fix in between change nothing).
    assert presence(db) == {("2026-11-30", live_cell(A_LAT, A_LON)): 50.0}


def test_followers_get_trusted_fresh_fixes_in_time_order(
    unit: Unit, monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[list[live.UnitFix]] = []
    monkeypatch.setattr(live, "follow", lambda s, fixes, now: seen.append(list(fixes)))
    t = [T0 + timedelta(seconds=5 * i) for i in range(5)]
    unit.feed(unit.event(t[2], A_LAT, A_LON, accuracy=8), unit.event(t[0], A_LAT, A_LON),
              unit.event(t[3], A_LAT + 0.5, A_LON), unit.event(t[4], A_LAT, A_LON, accuracy=999))
    unit.feed(unit.event(t[1], A_LAT, A_LON))  # late: nobody follows it
    assert seen == [[live.UnitFix(unit.id, unit.station_id, t[0], A_LAT, A_LON, 5.0),
                     live.UnitFix(unit.id, unit.station_id, t[2], A_LAT, A_LON, 8.0)]]


def test_what_is_not_a_unit_fix_is_left_alone(unit: Unit, db: Database) -> None:
    fix = unit.event(T0, A_LAT, A_LON)
    sos = fix.model_copy(update={"kind": EventKind.SOS_PRESS, "payload": SosPayload()})
    pole = fix.model_copy(update={"source_unit_id": None, "seq": next(_seq)})
    ghost = fix.model_copy(update={"source_unit_id": uuid.uuid4(), "seq": next(_seq)})
    unit.feed(sos, pole, ghost)
    unit.feed()
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(TrackChunk)) == 0
        assert s.scalar(select(func.count()).select_from(UnitGeo)) == 0
    # An officer's SOS from the phone is a fix like the others (its trail).
    unit.feed(unit.event(T0, A_LAT, A_LON, alarm="sos"))
    assert len(unit.track()) == 1


def test_units_of_one_batch_keep_their_own_tracks(db: Database, world: World,
                                                  clock: ManualClock) -> None:
    one, two = Unit(db, clock, "A-1"), Unit(db, clock, "A-2")
    events = [e for pair in zip(walk(one, T0, 50), walk(two, T0, 50, lat=OUT_LAT), strict=True)
              for e in pair]
    with db.write() as s:
        live.on_batch(s, events, clock.now())
    assert {f.lat for f in one.track()} == {A_LAT} and len(one.track()) == 50
    assert {f.lat for f in two.track()} == {OUT_LAT} and len(two.track()) == 50
    assert one.crossings() == [("enter", "Z-ST-A")] and two.crossings() == []


def test_retention_removes_tracks_crossings_and_presence_past_their_days(
    unit: Unit, db: Database,
) -> None:
    old, new = T0 - timedelta(days=91), T0 - timedelta(days=89)
    unit.feed(*walk(unit, old, 3), unit.event(old + timedelta(seconds=60), OUT_LAT, A_LON))
    unit.feed(*walk(unit, new, 3))
    assert unit.crossings() == [("enter", "Z-ST-A"), ("exit", "Z-ST-A"), ("enter", "Z-ST-A")]
    with db.write() as s:
        removed = trackstore.prune(s, now=T0, days=90)
    assert removed == 4  # the old chunk, two crossings, one cell-day of presence
    assert [f.at.date() for f in unit.track(T0 - timedelta(days=100), T0)] == [new.date()] * 3
    with db.read() as s:
        assert [e.at for e in s.scalars(select(GeofenceEvent))] == [new]
        assert {p.day.isoformat() for p in s.scalars(select(Presence))} == {"2026-09-02"}
    with db.write() as s:  # 100 days on, the open chunk goes too: the next fix starts anew
        assert trackstore.prune(s, now=T0 + timedelta(days=100), days=90) == 3
    unit.feed(*walk(unit, T0 + timedelta(days=100), 2))
    assert len(unit.track(T0, T0 + timedelta(days=101))) == 2
    assert len(unit.chunks()) == 1


def test_the_sweep_prunes_in_short_transactions(unit: Unit, db: Database, clock: ManualClock,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    for day in range(5):
        unit.feed(*walk(unit, T0 - timedelta(days=200 - day), 2))
    monkeypatch.setattr(trackstore, "PRUNE_BATCH", 2)
    calls: list[int] = []
    real: Callable[..., int] = trackstore.prune

    def counted(session: Any, **kw: Any) -> int:
        calls.append(1)
        return real(session, **{**kw, "limit": 2})

    monkeypatch.setattr(trackstore, "prune", counted)
    assert trackstore.sweep(db, clock, days=90) > 0
    assert len(calls) >= 3 and unit.chunks() == []
