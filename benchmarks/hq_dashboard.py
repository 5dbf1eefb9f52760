"""HQ's program view over 1,480 stations, against the per-station loop it replaces and a plain
numpy baseline, in the same run.

    .venv/bin/python benchmarks/hq_dashboard.py [--stations N] [--incidents-per-station K]
                                                [--postgres URL] [--json PATH]

The country: 9 regions, 77 provinces, N stations (1,480 by default, about the number of
police stations in Thailand), each with a zone, a camera point and 20 cameras (three in four
online), two operators, a population figure for two in three, a start for the first 115 (the
15 pilots and the next 100) and somebody on duty at one in two; K incidents per station over
the last 60 days (200 by default: 296,000 rows), one in ten still open. Fixed seed. Phases,
each timed (best of ``--repeat``):

* **ours**: ``measure.program.overview`` for a national scope, what ``GET /api/v1/program``
  runs: a fixed handful of grouped queries whatever the scope;
* **per-station loop**: the same figures asked station by station (nine queries each), what
  a dashboard built on the one-station reads would do;
* **numpy**: the incident counts alone from the raw ``station_id`` and ``opened_at`` columns
  fetched once and counted with ``np.unique``: the least the largest figure can cost when the
  database only hands over rows.

The three must agree on every station's figures (checked). Prints a table, then the figures
as JSON on the last line. Not a test: asserts nothing about time.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import create_engine, func, insert, select

from safetyzone import migrations
from safetyzone.assets.models import Asset, AssetKind, AssetStatus, Camera, SharingLevel
from safetyzone.core.db import Database
from safetyzone.core.security import Role, system_scope
from safetyzone.measure import program
from safetyzone.measure.models import Fact, FactStatus
from safetyzone.measure.rollout_models import StationRollout
from safetyzone.ops.incidents import OPEN_STATES
from safetyzone.ops.models import Incident, IncidentState
from safetyzone.ops.shiftlog_models import DutyShift
from safetyzone.org.models import OrgUnit, OwnerClass, UnitKind, User, UserScope, Zone
from safetyzone.video.models import CameraHealth, CameraState

NOW = datetime(2026, 12, 1, 5, tzinfo=UTC)
CHUNK = 20_000


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    best, out = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def _bulk(session: Any, model: Any, rows: list[dict[str, Any]]) -> None:
    for i in range(0, len(rows), CHUNK):
        session.execute(insert(model), rows[i:i + CHUNK])


def build(db: Database, n_stations: int, per_station: int) -> list[uuid.UUID]:
    """The country above, inserted in bulk (the services would take minutes for 300,000
    incidents; the shapes are the tables' own)."""
    rnd = random.Random(1480)
    ids: list[uuid.UUID] = []
    with db.write() as s:
        def unit(code: str, kind: UnitKind, parent: uuid.UUID | None, **kw: Any) -> uuid.UUID:
            uid = uuid.uuid4()
            s.execute(insert(OrgUnit), [{"id": uid, "code": code, "kind": kind,
                                         "parent_id": parent, "name_th": f"หน่วย {code}",
                                         "name_en": f"Unit {code}", "created_at": NOW, **kw}])
            return uid
        hq = unit("RTP", UnitKind.NATIONAL, None)
        regions = [unit(f"R{r}", UnitKind.REGION, hq) for r in range(1, 10)]
        provinces = [unit(f"P{p:02d}", UnitKind.PROVINCE, regions[p % 9]) for p in range(77)]
        stations, zones, points, cameras, health, users, scopes, facts, starts, duty = (
            [], [], [], [], [], [], [], [], [], [])
        for i in range(n_stations):
            sid = uuid.uuid4()
            ids.append(sid)
            lat, lon = rnd.uniform(6, 20), rnd.uniform(98, 105)
            stations.append({"id": sid, "code": f"S{i:04d}", "kind": UnitKind.STATION,
                             "parent_id": provinces[i % 77], "name_th": f"สภ. {i}",
                             "name_en": f"Station {i}", "created_at": NOW, "lat": lat,
                             "lon": lon, "pilot_phase": 1 if i < 15 else 2 if i < 115 else 4})
            zones.append({"id": uuid.uuid4(), "code": f"Z{i:04d}", "station_id": sid,
                          "name_th": "โซน", "name_en": "zone", "boundary": {}, "area_km2": 2.0,
                          "created_at": NOW, "updated_at": NOW})
            point = uuid.uuid4()
            points.append({"id": point, "station_id": sid, "kind": AssetKind.CAMERA_POINT,
                           "code": f"S{i:04d}-P", "name_th": "จุด", "lat": lat, "lon": lon,
                           "owner_class": OwnerClass.POLICE, "status": AssetStatus.ACTIVE,
                           "created_at": NOW, "updated_at": NOW})
            for c in range(20):
                cid = uuid.uuid4()
                cameras.append({"id": cid, "station_id": sid, "point_id": point,
                                "code": f"S{i:04d}-C{c}", "name_th": "กล้อง",
                                "owner_class": OwnerClass.POLICE, "lat": lat, "lon": lon,
                                "sharing_level": SharingLevel.LIVE_ON_ALARM,
                                "status": AssetStatus.ACTIVE, "created_at": NOW,
                                "updated_at": NOW})
                health.append({"camera_id": cid, "station_id": sid, "since": NOW,
                               "state": CameraState.ONLINE if c % 4 else CameraState.OFFLINE})
            for o in range(2):
                uid = uuid.uuid4()
                users.append({"id": uid, "username": f"op{i}-{o}", "display_name": "op",
                              "password_hash": "x", "role": Role.OPERATOR, "is_active": True,
                              "token_generation": 0, "created_at": NOW})
                scopes.append({"user_id": uid, "org_unit_id": sid})
            if i % 3:
                facts.append({"id": uuid.uuid4(), "station_id": sid, "key": "population",
                              "value_num": float(rnd.randint(20_000, 300_000)),
                              "status": FactStatus.EXACT, "updated_at": NOW,
                              "updated_by": "bench"})
            if i < 115:
                starts.append({"station_id": sid, "started_on": date(2021, 9, 21),
                               "source": "bench", "updated_at": NOW, "updated_by": "bench"})
            if i % 2:
                duty.append({"id": uuid.uuid4(), "station_id": sid, "user_id": uuid.uuid4(),
                             "username": "op", "display_name": "op", "role": "operator",
                             "started_at": NOW - timedelta(hours=3), "ended_at": None})
        for model, rows in ((OrgUnit, stations), (Zone, zones), (Asset, points),
                            (Camera, cameras), (CameraHealth, health), (User, users),
                            (UserScope, scopes), (Fact, facts), (StationRollout, starts),
                            (DutyShift, duty)):
            _bulk(s, model, rows)
    with db.write() as s:
        batch: list[dict[str, Any]] = []
        for sid in ids:
            for _ in range(per_station):
                at = NOW - timedelta(seconds=rnd.uniform(0, 60 * 86400))
                batch.append({"id": uuid.uuid4(), "station_id": sid, "kind": "sos",
                              "priority": 1, "title_th": "เหตุ", "title_en": "event",
                              "state": (IncidentState.NEW if rnd.random() < 0.1
                                        else IncidentState.CLOSED),
                              "device_time": at, "opened_at": at, "last_event_at": at,
                              "updated_at": at, "event_count": 1, "escalation_level": 0,
                              "cameras": [], "detail": {}, "version": 1})
                if len(batch) >= CHUNK:
                    _bulk(s, Incident, batch)
                    batch = []
        _bulk(s, Incident, batch)
    return ids


def per_station_loop(db: Database, since: datetime, until: datetime) -> dict[uuid.UUID, tuple]:
    """The same figures, one station at a time."""
    out = {}
    with db.read() as s:
        ids = s.scalars(select(OrgUnit.id).where(OrgUnit.kind == UnitKind.STATION)).all()
        for sid in ids:
            def count(query: Any) -> int:
                return int(s.scalar(query) or 0)
            incidents = count(select(func.count()).select_from(Incident).where(
                Incident.station_id == sid, Incident.opened_at >= since,
                Incident.opened_at < until))
            open_now = count(select(func.count()).select_from(Incident).where(
                Incident.station_id == sid, Incident.state.in_(OPEN_STATES)))
            zones = count(select(func.count()).select_from(Zone).where(Zone.station_id == sid))
            cameras = count(select(func.count()).select_from(Camera)
                            .where(Camera.station_id == sid))
            online = count(select(func.count()).select_from(CameraHealth).where(
                CameraHealth.station_id == sid, CameraHealth.state == CameraState.ONLINE))
            operators = count(select(func.count()).select_from(UserScope)
                              .join(User, User.id == UserScope.user_id)
                              .where(UserScope.org_unit_id == sid, User.role == Role.OPERATOR))
            on_duty = count(select(func.count()).select_from(DutyShift).where(
                DutyShift.station_id == sid, DutyShift.ended_at.is_(None)))
            s.scalar(select(Fact.value_num).where(Fact.station_id == sid,
                                                  Fact.key == "population"))
            s.get(StationRollout, sid)
            out[sid] = (incidents, open_now, zones, cameras, online, operators, on_duty > 0)
    return out


def numpy_counts(db: Database, since: datetime, until: datetime) -> dict[uuid.UUID, int]:
    with db.read() as s:
        rows = s.execute(select(Incident.station_id, Incident.opened_at)).all()
    station = np.array([r[0].int for r in rows], dtype=object)
    opened = np.array([r[1].timestamp() for r in rows])
    keep = (opened >= since.timestamp()) & (opened < until.timestamp())
    values, counts = np.unique(station[keep], return_counts=True)
    return {uuid.UUID(int=int(v)): int(c) for v, c in zip(values, counts, strict=True)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stations", type=int, default=1480)
    parser.add_argument("--incidents-per-station", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--postgres", help="a PostgreSQL URL to use instead of a temp SQLite")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.postgres or f"sqlite:///{tmp}/hq.db"
        engine = create_engine(url)
        migrations.upgrade(engine)
        engine.dispose()
        db = Database(url)
        t_build, ids = timed(lambda: build(db, args.stations, args.incidents_per_station), 1)
        scope = system_scope("bench")

        def ours() -> program.ProgramOverview:
            with db.read() as s:
                return program.overview(s, scope=scope, now=NOW)

        t_ours, view = timed(ours, args.repeat)
        since, until = view.since, view.until
        t_loop, loop = timed(lambda: per_station_loop(db, since, until), args.repeat)
        t_np, counts = timed(lambda: numpy_counts(db, since, until), args.repeat)
        for row in view.stations:  # the three agree, station by station
            r = row.rollout
            assert loop[row.station_id] == (row.incidents, row.open_now, r.zones, r.cameras,
                                            r.cameras_online, r.operators, r.staffed)
            assert counts.get(row.station_id, 0) == row.incidents
        payload = len(view.model_dump_json())
        db.dispose()
    n_inc = args.stations * args.incidents_per_station
    figures = {
        "backend": "postgresql" if args.postgres else "sqlite", "stations": args.stations,
        "incidents": n_inc, "build_s": round(t_build, 1), "ours_s": round(t_ours, 3),
        "per_station_loop_s": round(t_loop, 3), "numpy_counts_only_s": round(t_np, 3),
        "loop_vs_ours": round(t_loop / t_ours, 1), "ours_vs_numpy": round(t_ours / t_np, 2),
        "response_bytes": payload,
        "incidents_in_period": sum(r.incidents for r in view.stations),
        "stations_complete": sum(r.rollout.complete for r in view.stations),
        "median_incidents_per_station": statistics.median(r.incidents for r in view.stations),
    }
    print(f"{'phase':<34}{'seconds':>10}")
    print(f"{'ours (grouped queries)':<34}{t_ours:>10.3f}")
    print(f"{'per-station loop':<34}{t_loop:>10.3f}   x{t_loop / t_ours:.1f} ours")
    print(f"{'numpy (incident counts only)':<34}{t_np:>10.3f}   ours = x{t_ours / t_np:.2f}")
    print(f"{len(ids)} stations, {n_inc:,} incidents, response {payload:,} bytes of JSON")
    line = json.dumps(figures)
    if args.json:
        args.json.write_text(line + "\n")
    print(line)


if __name__ == "__main__":
    main()
