"""Units' GPS tracks at scale: bytes per fix, append rate, replay time, against ceilings.

    .venv/bin/python benchmarks/tracks.py [--quick] [--units N] [--minutes M] [--json PATH]

The target load: 10,000 units reporting every 5 s for a day (172.8 million fixes, 2,000 a
second). A whole day does not fit a benchmark run, so the run measures a time slice of all
units (``--minutes``, default 5) and extrapolates to the day; the output says which figures
are measured and which are extrapolated.

For each backend (SQLite through the project's own ``Database``: WAL, synchronous=FULL; then
PostgreSQL: ``SSZ_BENCH_PG_URL`` if set, else a throwaway server as the tests start one):

* a migrated database with the test world (three stations with zones) and ``--units``
  patrol units spread over the stations, each driving its own random patrol (parked a third
  of the time, 3-14 m/s otherwise, GPS noise, accuracy 3-15 m, speed reported);
* **append rate**: the slice's fixes in inbox order (every unit once per 5 s tick, in random
  order), in batches of ``--batch`` (200: the engine's), each batch one write transaction
  through ``patrol.live.on_batch``, the engine's observer: judging, storage, zone crossings,
  presence. The engine's own work for the same events (claiming inbox rows, moving units) is
  not in it. Ceiling: the same fixes as one row each into a plain table with an index on
  (unit, time), ``executemany`` per batch, the same transactions (a second phase);
* **steady state**: before the slice, every unit's open chunk is written directly (not
  timed) already holding 1 to 359 fixes, as units that began their chunks at different times
  would have, so appends rewrite chunks of realistic size and chunks fill and close during the
  slice at the steady rate. The plain table starts empty (its ceiling is the kinder for it);
* **bytes per fix**: table + indexes of ``patrol_track_chunk`` (SQLite ``dbstat``;
  PostgreSQL ``pg_total_relation_size``, as left by the run, then after ``VACUUM FULL``:
  every append leaves a dead row version until vacuum) over the fixes stored, against the
  plain table; and, extrapolated, with every chunk full (the row and index overhead per chunk
  spread over 360 fixes at 5 s);
* **replay**: ``patrol.tracks.fixes`` for one unit's 8-hour shift (5,760 fixes) among the
  fleet's rows, median of repeated reads, against selecting the same fixes from the plain
  table.

Figures print as a table; the last stdout line is JSON (``--json PATH`` writes it too).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import math
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    Float,
    Index,
    MetaData,
    Table,
    Uuid,
    create_engine,
    insert,
    select,
    text,
)

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from safetyzone import migrations  # noqa: E402
from safetyzone.config import Settings  # noqa: E402
from safetyzone.core.clock import SystemClock  # noqa: E402
from safetyzone.core.db import Database, UTCDateTime  # noqa: E402
from safetyzone.core.events import Event, EventKind, GpsPayload, Location  # noqa: E402
from safetyzone.ops.models import Unit, UnitKind, UnitStatus  # noqa: E402
from safetyzone.org.models import OrgUnit  # noqa: E402
from safetyzone.patrol import live, tracks, trackstore  # noqa: E402
from safetyzone.patrol import trackcodec as codec  # noqa: E402
from safetyzone.patrol.track_models import CHUNK_TABLE, GEO_TABLE  # noqa: E402
from support.world import STATIONS, build_world  # noqa: E402

DAY_FIXES_PER_UNIT = 86_400 // 5
SHIFT = timedelta(hours=8)
T0 = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)  # the slice starts 08:00 in Bangkok
M_PER_DEG = 111_320.0
SECRET = "benchmark-only-secret-key-0123456789abcdef"  # noqa: S105 - a throwaway world's key

raw_meta = MetaData()
RAW = Table("raw_fix", raw_meta,
            Column("unit_id", Uuid, nullable=False), Column("at", UTCDateTime, nullable=False),
            Column("lat", Float, nullable=False), Column("lon", Float, nullable=False),
            Column("speed_mps", Float), Column("accuracy_m", Float),
            Index("ix_raw_fix_unit_at", "unit_id", "at"))


# --------------------------------------------------------------------------- the fleet


@dataclass
class Car:
    id: uuid.UUID
    station_id: uuid.UUID
    lat: float
    lon: float
    heading: float
    speed: float


class Fleet:
    """Units driving random patrols around their station: what their trackers send."""

    def __init__(self, cars: list[Car], seed: int = 7) -> None:
        self.cars = cars
        self.random = random.Random(seed)
        self.device = uuid.uuid4()
        self.seq = 0

    def tick(self, at: datetime, every_s: float = 5.0) -> list[Event]:
        """Every car's next fix, in the random order they reach the inbox in one tick."""
        rnd = self.random
        out: list[Event] = []
        for car in self.cars:
            if rnd.random() < 0.01:  # park, or drive off at a new speed
                car.speed = 0.0 if rnd.random() < 0.33 else rnd.uniform(3, 14)
            if rnd.random() < 0.05:
                car.heading += rnd.choice((-90, 90, 180, rnd.uniform(-30, 30)))
            step = car.speed * every_s
            car.lat += step * math.cos(math.radians(car.heading)) / M_PER_DEG
            car.lon += step * math.sin(math.radians(car.heading)) / (
                M_PER_DEG * math.cos(math.radians(car.lat)))
            noise = rnd.gauss(0, 3) / M_PER_DEG
            self.seq += 1
            out.append(Event.model_construct(
                id=uuid.uuid4(), seq=self.seq, kind=EventKind.GPS_POSITION,
                station_id=car.station_id, device_id=self.device, source_unit_id=car.id,
                source_asset_id=None, device_event_id=str(self.seq), event_time=at,
                received_at=at, schema_version=1,
                location=Location.model_construct(lat=car.lat + noise, lon=car.lon + noise,
                                                  accuracy_m=float(rnd.randint(3, 15))),
                payload=GpsPayload.model_construct(speed_mps=round(car.speed, 1), alarm=None,
                                                   heading_deg=None, altitude_m=None,
                                                   battery_pct=None, hdop=None,
                                                   attributes={})))
        rnd.shuffle(out)
        return out


def raw_rows(events: list[Event]) -> list[dict[str, Any]]:
    rows = []
    for e in events:
        assert e.location is not None and isinstance(e.payload, GpsPayload)
        rows.append({"unit_id": e.source_unit_id, "at": e.event_time, "lat": e.location.lat,
                     "lon": e.location.lon, "speed_mps": e.payload.speed_mps,
                     "accuracy_m": e.location.accuracy_m})
    return rows


# --------------------------------------------------------------------------- setup


def prepare(url: str, directory: Path, n_units: int) -> tuple[Database, list[Car]]:
    """Migrate, build the test world, add the units and the plain table."""
    engine = create_engine(url)
    migrations.upgrade(engine)
    raw_meta.create_all(engine)
    engine.dispose()
    db = Database(url)
    build_world(db, SystemClock(), Settings(environment="test", data_dir=directory,
                                            secret_key=SECRET))
    rnd = random.Random(11)
    now = datetime.now(UTC)
    with db.write() as s:
        stations = {o.code: o.id for o in s.scalars(select(OrgUnit).where(
            OrgUnit.code.in_(list(STATIONS))))}
        cars, rows = [], []
        for i in range(n_units):
            code = list(STATIONS)[i % len(STATIONS)]
            _, lat, lon = STATIONS[code]
            car = Car(uuid.uuid4(), stations[code], lat + rnd.uniform(-0.03, 0.03),
                      lon + rnd.uniform(-0.03, 0.03), rnd.uniform(0, 360),
                      0.0 if rnd.random() < 0.33 else rnd.uniform(3, 14))
            cars.append(car)
            rows.append({"id": car.id, "station_id": car.station_id, "code": f"B-{i:05d}",
                         "callsign": f"B {i}", "kind": UnitKind.CAR, "status": UnitStatus.AVAILABLE,
                         "position_suspect": False, "updated_at": now})
        for i in range(0, len(rows), 1000):
            s.execute(insert(Unit), rows[i:i + 1000])
    return db, cars


def prefill(db: Database, cars: list[Car], start: datetime, rnd: random.Random) -> int:
    """Every unit's open chunk as it stands at ``start`` in a steady state: units began their
    chunks at different times, so each already holds 1 to a full chunk's fixes, and its geo
    row (trusted position, zone) points at it. Written directly, not timed; how many fixes."""
    full = int(trackstore.CHUNK_SPAN.total_seconds() / 5)
    zones = live._zones
    chunks, last = [], []
    for car in cars:
        k = rnd.randrange(1, full)
        back = car.speed * 5 / M_PER_DEG
        fixes = [codec.quantize(start - timedelta(seconds=5 * (k - i)),
                                car.lat - back * (k - i) * math.cos(math.radians(car.heading)),
                                car.lon - back * (k - i) * math.sin(math.radians(car.heading)),
                                car.speed, 8.0) for i in range(k)]
        data, state = codec.encode_chunk(fixes)
        chunks.append({"unit_id": car.id, "station_id": car.station_id,
                       "start_at": codec.from_ms(fixes[0].t), "end_at": codec.from_ms(state.t),
                       "fixes": k, "data": data, "last_dt_ms": state.dt, "last_lat": state.lat,
                       "last_lon": state.lon, "last_speed": state.speed, "last_acc": state.acc})
        last.append(fixes[-1])
    with db.write() as s:
        index = zones.get(s)
        ids = s.execute(insert(CHUNK_TABLE).returning(CHUNK_TABLE.c.id,
                                                      sort_by_parameter_order=True),
                        chunks).scalars().all()
        geos = []
        for car, cid, fix in zip(cars, ids, last, strict=True):
            lat, lon = codec.degrees(fix.lat), codec.degrees(fix.lon)
            zone = index.zone_at(car.station_id, lat, lon)
            geos.append({"unit_id": car.id, "station_id": car.station_id, "chunk_id": cid,
                         "latest_at": codec.from_ms(fix.t), "good_at": codec.from_ms(fix.t),
                         "good_lat": lat, "good_lon": lon, "suspect_run": 0,
                         "zone_id": zone.id if zone else None, "updated_at": start})
        for i in range(0, len(geos), 1000):
            s.execute(insert(GEO_TABLE), geos[i:i + 1000])
    return sum(c["fixes"] for c in chunks)


# --------------------------------------------------------------------------- measuring


@dataclass
class Rates:
    fixes: int = 0
    track_s: float = 0.0
    raw_s: float = 0.0


def append_slice(db: Database, cars: list[Car], minutes: float, batch: int, *,
                 start: datetime = T0, progress: bool = True) -> Rates:
    """The slice through the track path, then the same fixes into the plain table.

    One phase after the other (not interleaved: each would pay the other's WAL checkpoints);
    the fleet is driven again from the same start with the same seed, so both phases write
    the very same fixes. Making the events is not timed.
    """
    rates = Rates()
    ticks = int(minutes * 60 / 5)
    for phase in ("track", "plain"):
        fleet = Fleet([dataclasses.replace(c) for c in cars])
        fixes = 0
        for n in range(ticks):
            events = fleet.tick(start + timedelta(seconds=5 * n))
            batches = [events[i:i + batch] for i in range(0, len(events), batch)]
            began = time.perf_counter()
            for part in batches:
                with db.write() as s:
                    if phase == "track":
                        live.on_batch(s, part, part[-1].event_time)
                    else:
                        s.execute(insert(RAW), raw_rows(part))
            spent = time.perf_counter() - began
            fixes += len(events)
            if phase == "track":
                rates.track_s += spent
                rates.fixes = fixes
            else:
                rates.raw_s += spent
            if progress and (n + 1) % max(1, ticks // 5) == 0:
                took = rates.track_s if phase == "track" else rates.raw_s
                print(f"    {phase}: {n + 1}/{ticks} ticks, {fixes:,} fixes, "
                      f"{fixes / took:,.0f}/s", file=sys.stderr)
    for car, moved in zip(cars, fleet.cars, strict=True):  # where the fleet is now
        car.lat, car.lon, car.heading, car.speed = moved.lat, moved.lon, moved.heading, \
            moved.speed
    return rates


def sizes(db: Database, table: str) -> dict[str, int]:
    """Bytes of a table with its indexes (and, on PostgreSQL, its TOAST)."""
    with db.read() as s:
        if db.is_sqlite:
            names = [table, *s.scalars(text(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = :t"),
                {"t": table})]
            total = sum(int(s.scalar(text("SELECT COALESCE(SUM(pgsize), 0) FROM dbstat "
                                          "WHERE name = :n"), {"n": n}) or 0) for n in names)
            return {"total": total}
        return {"total": int(s.scalar(text("SELECT pg_total_relation_size(:t)"), {"t": table}))}


def chunk_stats(db: Database) -> dict[str, float]:
    with db.read() as s:
        rows, fixes, data = s.execute(text(
            "SELECT COUNT(*), SUM(fixes), SUM(LENGTH(data)) FROM patrol_track_chunk")).one()
    return {"rows": int(rows), "fixes": int(fixes), "data": int(data)}


def vacuum_full(db: Database, table: str) -> None:
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f"VACUUM FULL {table}"))


def replay_times(db: Database, fleet_size: int, batch: int, rounds: int) -> dict[str, float]:
    """One unit's 8-hour shift: ``tracks.fixes`` against selecting the plain rows."""
    with db.read() as s:
        station = s.scalars(select(OrgUnit.id).where(OrgUnit.code == "ST-A")).one()
    car = Car(uuid.uuid4(), station, STATIONS["ST-A"][1], STATIONS["ST-A"][2], 0.0, 8.0)
    with db.write() as s:
        s.execute(insert(Unit), [{"id": car.id, "station_id": station, "code": "B-REPLAY",
                                  "callsign": "replay", "kind": UnitKind.CAR,
                                  "status": UnitStatus.AVAILABLE, "position_suspect": False,
                                  "updated_at": datetime.now(UTC)}])
    fleet = Fleet([car], seed=3)
    start = T0 - timedelta(days=1)
    events: list[Event] = []
    for n in range(int(SHIFT.total_seconds() / 5)):
        events += fleet.tick(start + timedelta(seconds=5 * n))
    for i in range(0, len(events), batch):
        with db.write() as s:
            live.on_batch(s, events[i:i + batch], events[i].event_time)
            s.execute(insert(RAW), raw_rows(events[i:i + batch]))
    until = start + SHIFT

    def track() -> int:
        with db.read() as s:
            return len(tracks.fixes(s, unit_id=car.id, since=start, until=until))

    def plain() -> int:
        with db.read() as s:
            return len(s.execute(select(RAW).where(
                RAW.c.unit_id == car.id, RAW.c.at >= start, RAW.c.at <= until)
                .order_by(RAW.c.at)).all())

    assert track() == plain() == len(events), (track(), plain(), len(events))
    return {"fixes": len(events), "track_s": _median(track, rounds),
            "raw_s": _median(plain, rounds)}


def _median(work: Callable[[], object], rounds: int) -> float:
    samples = []
    for _ in range(rounds):
        began = time.perf_counter()
        work()
        samples.append(time.perf_counter() - began)
    return statistics.median(samples)


def measure(name: str, url: str, directory: Path, args: argparse.Namespace) -> dict[str, Any]:
    print(f"{name}: preparing {args.units:,} units ...", file=sys.stderr)
    db, cars = prepare(url, directory, args.units)
    try:
        prefilled = prefill(db, cars, T0, random.Random(5))
        rates = append_slice(db, cars, args.minutes, args.batch)
        stats = chunk_stats(db)
        track_bytes = sizes(db, "patrol_track_chunk")["total"]
        raw_bytes = sizes(db, "raw_fix")["total"]
        out: dict[str, Any] = {
            "backend": name, "units": args.units, "minutes": args.minutes,
            "fixes": rates.fixes, "batch": args.batch, "prefilled_fixes": prefilled,
            "chunk_minutes": trackstore.CHUNK_SPAN.total_seconds() / 60,
            "append_fixes_per_s": rates.fixes / rates.track_s,
            "plain_fixes_per_s": rates.fixes / rates.raw_s,
            "chunks": stats["rows"], "data_bytes_per_fix": stats["data"] / stats["fixes"],
            "track_bytes_per_fix": track_bytes / stats["fixes"],
            "plain_bytes_per_fix": raw_bytes / rates.fixes,
        }
        if not db.is_sqlite:
            vacuum_full(db, "patrol_track_chunk")
            out["track_bytes_per_fix_vacuumed"] = sizes(db, "patrol_track_chunk")["total"] / \
                stats["fixes"]
        live_bytes = out.get("track_bytes_per_fix_vacuumed", out["track_bytes_per_fix"])
        overhead_per_chunk = (live_bytes - out["data_bytes_per_fix"]) * stats["fixes"] / \
            stats["rows"]
        full = trackstore.CHUNK_SPAN.total_seconds() / 5
        out["overhead_bytes_per_chunk"] = overhead_per_chunk
        out["track_bytes_per_fix_full_chunks"] = out["data_bytes_per_fix"] + \
            overhead_per_chunk / full
        replay = replay_times(db, args.units, args.batch, args.rounds)
        out.update({"replay_fixes": replay["fixes"], "replay_track_ms": replay["track_s"] * 1e3,
                    "replay_plain_ms": replay["raw_s"] * 1e3})
        return out
    finally:
        db.dispose()


# --------------------------------------------------------------------------- backends


@contextlib.contextmanager
def postgres_url() -> Iterator[str | None]:
    """SSZ_BENCH_PG_URL (a fresh database on it), else a throwaway server, else None."""
    given = os.environ.get("SSZ_BENCH_PG_URL")
    if given:
        yield given
        return
    try:
        from support.postgres import PostgresUnavailableError, throwaway_postgres
    except ImportError as err:  # psycopg missing
        print(f"PostgreSQL: not measured ({err})")
        yield None
        return
    try:
        with throwaway_postgres() as server:
            yield server.create_database("ssz_bench_tracks")
    except PostgresUnavailableError as err:
        print(f"PostgreSQL: NOT MEASURED, no server could start: {err}")
        yield None


def report(results: list[dict[str, Any]], args: argparse.Namespace) -> dict[str, Any]:
    day_fixes = args.units * DAY_FIXES_PER_UNIT
    need = args.units / 5
    print()
    print(f"Tracks: {args.units:,} units, a fix every 5 s = {day_fixes / 1e6:.1f} M fixes/day, "
          f"{need:,.0f} fixes/s. Measured: {args.minutes:g} min of all units "
          f"({args.units * args.minutes * 12:,.0f} fixes) in batches of {args.batch}; "
          "day figures EXTRAPOLATED from it.")
    out: dict[str, Any] = {"units": args.units, "minutes": args.minutes, "backends": {}}
    for r in results:
        ratio_bytes = r["track_bytes_per_fix_full_chunks"] / r["plain_bytes_per_fix"]
        ratio_rate = r["append_fixes_per_s"] / r["plain_fixes_per_s"]
        ratio_replay = r["replay_track_ms"] / r["replay_plain_ms"]
        gb = 1e9
        print(f"\n[{r['backend']}]")

        def line(label: str, value: str, note: str = "") -> None:
            print(f"  {label:<40}{value:>12}  {note}")

        full_note = f"(extrapolated: {r['overhead_bytes_per_chunk']:.0f} B row+index a chunk)"
        line("bytes/fix, codec data only", f"{r['data_bytes_per_fix']:.2f}", "(measured)")
        line("bytes/fix, chunk table + indexes", f"{r['track_bytes_per_fix']:.2f}",
             "(measured; the open chunks prefilled as in a steady state)")
        if "track_bytes_per_fix_vacuumed" in r:
            line("  after VACUUM FULL", f"{r['track_bytes_per_fix_vacuumed']:.2f}",
                 "(measured: live rows only)")
        line(f"bytes/fix, full {r['chunk_minutes']:g}-min chunks",
             f"{r['track_bytes_per_fix_full_chunks']:.2f}",
             full_note)
        line("bytes/fix, plain row a fix + index", f"{r['plain_bytes_per_fix']:.2f}",
             "(measured)")
        line("ratio bytes track/plain", f"{ratio_bytes:.3f}")
        track_day = day_fixes * r["track_bytes_per_fix_full_chunks"] / gb
        line("per day, track / plain",
             f"{track_day:.2f} / {day_fixes * r['plain_bytes_per_fix'] / gb:.2f} GB",
             f"(extrapolated; 90 days of tracks: {90 * track_day:.0f} GB)")
        line("append rate, live.on_batch", f"{r['append_fixes_per_s']:,.0f}/s",
             f"= {r['append_fixes_per_s'] / need:.1f} x the {need:,.0f}/s needed")
        line("plain executemany (ceiling)", f"{r['plain_fixes_per_s']:,.0f}/s")
        line("ratio rate track/plain", f"{ratio_rate:.3f}")
        line(f"replay 8 h ({r['replay_fixes']:,} fixes), tracks.fixes",
             f"{r['replay_track_ms']:.1f} ms", "(median)")
        line("replay 8 h, plain SELECT (ceiling)", f"{r['replay_plain_ms']:.1f} ms", "(median)")
        line("ratio replay track/plain", f"{ratio_replay:.3f}")
        out["backends"][r["backend"]] = {**{k: round(v, 3) if isinstance(v, float) else v
                                            for k, v in r.items()},
                                         "ratio_bytes": round(ratio_bytes, 4),
                                         "ratio_rate": round(ratio_rate, 4),
                                         "ratio_replay": round(ratio_replay, 4)}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="a smoke test: 500 units, 1 minute, 3 rounds")
    parser.add_argument("--units", type=int, default=10_000)
    parser.add_argument("--minutes", type=float, default=5.0,
                        help="the slice of the day measured, for all units (default 5)")
    parser.add_argument("--batch", type=int, default=200, help="fixes a transaction (engine: 200)")
    parser.add_argument("--rounds", type=int, default=15, help="replay reads (median)")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--chunk-minutes", type=float,
                        help="a what-if: chunks of this span instead of trackstore.CHUNK_SPAN")
    parser.add_argument("--dir", type=Path, help="where the SQLite file goes (a real disk)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    if args.quick:
        args.units, args.minutes, args.rounds = 500, 1.0, 3
    if args.chunk_minutes:
        trackstore.CHUNK_SPAN = tracks.CHUNK_SPAN = timedelta(minutes=args.chunk_minutes)
        trackstore._SPAN_MS = trackstore.CHUNK_SPAN // codec.MS
    directory = Path(tempfile.mkdtemp(prefix="ssz-bench-tracks-", dir=args.dir))
    print(f"tracks benchmark {datetime.now(UTC).isoformat(timespec='seconds')}, "
          f"load {os.getloadavg()[0]:.2f}, dir {directory}", file=sys.stderr)
    results = []
    try:
        results.append(measure("sqlite", f"sqlite:///{directory / 'tracks.db'}", directory, args))
        if not args.no_postgres:
            with postgres_url() as url:
                if url is not None:
                    results.append(measure("postgresql", url, directory, args))
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    out = report(results, args)
    encoded = json.dumps(out, ensure_ascii=False)
    if args.json:
        args.json.write_text(encoded + "\n")
    print(encoded)


if __name__ == "__main__":
    main()
