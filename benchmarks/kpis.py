"""Every KPI of many stations at once (an HQ scorecard), against asking station by station,
in the same run, on a fresh SQLite database.

    .venv/bin/python benchmarks/kpis.py [--stations 1480] [--region 100] [--json PATH]

The data: ``--stations`` stations under one HQ, each with 30 days of what a busy pilot
station records (per day: 5 incidents, 4 of them reached by a unit, 1 ended plan of 5
targets with their GPS stays, 8 presence cells; over the month: 20 cameras, 12 of them
changing state inside the period, 30 citizen reports, 3 watched houses, and one poll wave
of 60 answers). Phases, each timed:

* **grouped**: ``measure.kpis.kpis_for_stations`` for all of them (what a scorecard runs);
* **per station**: the same function called once per station, one id each (what a loop over
  station panels would cost): the baseline the grouped call must beat;
* the same two for a region's ``--region`` stations, and one station alone (the panel's
  call).

Each way runs once warm (statements compiled, pages cached) before it is timed; wall and
CPU seconds are both printed (the CPU figure is the steadier one on a shared machine).

The figures of both ways are compared station by station before anything is printed.
Prints a table, then the figures as JSON on the last line. Not a test: asserts nothing
about time.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import h3  # type: ignore[import-untyped]
from sqlalchemy import create_engine, insert

from safetyzone import migrations
from safetyzone.assets.models import Asset, AssetKind, AssetStatus, Camera, SharingLevel
from safetyzone.citizen.models import CitizenItem
from safetyzone.citizen.taxonomy import Channel, ItemKind, ItemState, LocationSource
from safetyzone.core.db import Database
from safetyzone.core.security import system_scope
from safetyzone.measure import kpis
from safetyzone.measure.kpi_common import Window
from safetyzone.ops.models import Incident, IncidentState
from safetyzone.org.models import OrgUnit, OwnerClass, StationType, UnitKind, Zone
from safetyzone.patrol.plan_models import PatrolPlan, PlanTarget, PlanVisit
from safetyzone.patrol.track_models import Presence
from safetyzone.poll import items as bank
from safetyzone.poll.models import Poll, PollResponse, PollStatus
from safetyzone.services.homewatch_models import HomeWatchRequest, HomeWatchVisit, WatchState
from safetyzone.video.models import CameraHealth, CameraHealthChange, CameraState

NOW = datetime(2026, 3, 1, tzinfo=UTC)
SINCE = NOW - timedelta(days=30)
DAYS = 30


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def cpu(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    """Wall and CPU seconds: on a shared machine the CPU figure is the steadier one."""
    wall, used = time.perf_counter(), time.process_time()
    out = fn()
    return time.perf_counter() - wall, time.process_time() - used, out


def square(lat: float, lon: float, half: float = 0.01) -> dict[str, Any]:
    ring = [[lon - half, lat - half], [lon + half, lat - half], [lon + half, lat + half],
            [lon - half, lat + half], [lon - half, lat - half]]
    return {"type": "Polygon", "coordinates": [ring]}


def seed(db: Database, stations: int, rng: random.Random) -> list[uuid.UUID]:
    """The country, bulk-inserted (one statement per table): the stations' ids."""
    rows: dict[type, list[dict[str, Any]]] = {t: [] for t in (
        OrgUnit, Zone, Asset, Camera, CameraHealth, CameraHealthChange, Incident, PatrolPlan,
        PlanTarget, PlanVisit,
        Presence, CitizenItem, HomeWatchRequest, HomeWatchVisit, Poll, PollResponse)}
    hq, region, province = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    for unit_id, code, kind, parent in ((hq, "HQ", UnitKind.NATIONAL, None),
                                        (region, "REG", UnitKind.REGION, hq),
                                        (province, "PROV", UnitKind.PROVINCE, region)):
        rows[OrgUnit].append({"id": unit_id, "code": code, "kind": kind, "parent_id": parent,
                              "name_th": code, "name_en": code, "created_at": SINCE})
    items = [i.as_json() for i in bank.STANDARD]
    ids = []
    for n in range(stations):
        sid, zid, point = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        ids.append(sid)
        lat, lon = 13.0 + (n % 40) * 0.1, 100.0 + (n // 40) * 0.05
        rows[OrgUnit].append({"id": sid, "code": f"ST-{n:04d}", "kind": UnitKind.STATION,
                              "parent_id": province, "name_th": "สถานี", "name_en": "Station",
                              "station_type": StationType.PROVINCIAL, "lat": lat, "lon": lon,
                              "created_at": SINCE})
        rows[Zone].append({"id": zid, "code": f"Z-{n:04d}", "station_id": sid, "name_th": "โซน",
                           "name_en": "Zone", "boundary": square(lat, lon), "area_km2": 4.8,
                           "municipalities": [], "selection": {}, "risk_statistics": [],
                           "warnings": [], "created_at": SINCE, "updated_at": SINCE})
        rows[Asset].append({"id": point, "station_id": sid, "zone_id": zid,
                            "kind": AssetKind.CAMERA_POINT, "code": f"P-{n}", "name_th": "จุด",
                            "lat": lat, "lon": lon, "owner_class": OwnerClass.POLICE,
                            "status": AssetStatus.ACTIVE, "attributes": {},
                            "created_at": SINCE, "updated_at": SINCE})
        for c in range(20):
            cid = uuid.uuid4()
            rows[Camera].append({
                "id": cid, "station_id": sid, "point_id": point, "code": f"C-{n}-{c}",
                "name_th": "กล้อง", "owner_class": list(OwnerClass)[c % 5], "lat": lat,
                "lon": lon + c * 0.0001, "sharing_level": SharingLevel.LIVE_ALWAYS,
                "status": AssetStatus.ACTIVE, "created_at": SINCE, "updated_at": SINCE})
            since = SINCE + timedelta(hours=rng.uniform(0, 24 * DAYS)) if c < 12 else SINCE
            state = rng.choice(list(CameraState))
            rows[CameraHealth].append({"camera_id": cid, "station_id": sid, "since": since,
                                       "state": state})
            # The history the uptime KPI counts: an earlier stretch online, then this state.
            if since > SINCE:
                rows[CameraHealthChange].append({
                    "id": uuid.uuid4(), "camera_id": cid, "station_id": sid,
                    "state": CameraState.ONLINE, "since": SINCE, "until": since})
            rows[CameraHealthChange].append({"id": uuid.uuid4(), "camera_id": cid,
                                             "station_id": sid, "state": state,
                                             "since": since, "until": None})
        cells = sorted(h3.grid_disk(h3.latlng_to_cell(lat, lon, 9), 1))[:8]
        for day in range(DAYS):
            start = SINCE + timedelta(days=day)
            for i in range(5):
                opened = start + timedelta(minutes=rng.uniform(0, 1440))
                rows[Incident].append({
                    "id": uuid.uuid4(), "station_id": sid, "kind": rng.choice(
                        ("sos", "fight", "theft", "noise")), "priority": 1 + i % 3,
                    "title_th": "เหตุ", "title_en": "incident", "state": IncidentState.CLOSED,
                    "lat": lat + rng.uniform(-0.02, 0.02), "lon": lon, "event_count": 1,
                    "device_time": opened, "opened_at": opened, "last_event_at": opened,
                    "arrived_at": opened + timedelta(minutes=rng.uniform(2, 30)) if i else None,
                    "escalation_level": 0, "cameras": [], "detail": {}, "version": 1,
                    "updated_at": opened})
            plan = uuid.uuid4()
            rows[PatrolPlan].append({"id": plan, "station_id": sid, "name": "แผน",
                                     "starts_at": start, "ends_at": start + timedelta(hours=8),
                                     "auto": True, "created_at": start, "created_by": "bench",
                                     "version": 1})
            for position in range(5):
                target = uuid.uuid4()
                rows[PlanTarget].append({
                    "id": target, "plan_id": plan, "position": position, "kind": "risk_spot",
                    "name_th": "จุด", "name_en": "", "lat": lat, "lon": lon, "radius_m": 50,
                    "target_visits": 1, "target_minutes": 0, "high_risk_hours": []})
                if rng.random() < 0.8:
                    at = start + timedelta(hours=position)
                    rows[PlanVisit].append({
                        "id": uuid.uuid4(), "plan_id": plan, "target_id": target,
                        "unit_id": uuid.uuid4(), "entered_at": at, "last_seen_at": at,
                        "left_at": at, "dwell_s": 120.0, "counted": True})
            for cell in cells:
                rows[Presence].append({"station_id": sid, "day": start.date(), "res": 9,
                                       "seconds": 1800.0, "cell": cell})
            created = start + timedelta(hours=9)
            rows[CitizenItem].append({
                "id": uuid.uuid4(), "code": f"R{n:04d}{day:02d}", "kind": ItemKind.REPORT,
                "channel": Channel.WEB, "station_id": sid, "zone_id": zid,
                "category": "street_light", "description": "",
                "location_source": LocationSource.NONE, "state": ItemState.CLOSED,
                "client_key_hash": uuid.uuid4().hex, "history": [], "consent": {},
                "press_count": 1, "anonymous": False, "created_at": created,
                "updated_at": created, "closed_at": created + timedelta(hours=rng.uniform(1, 99)),
                "retain_until": NOW + timedelta(days=365), "version": 1})
        for h in range(3):
            request = uuid.uuid4()
            away = SINCE + timedelta(days=5 + 7 * h)
            rows[HomeWatchRequest].append({
                "id": request, "code": f"H{n:04d}{h}", "station_id": sid, "zone_id": zid,
                "client_key_hash": uuid.uuid4().hex, "state": WatchState.CLOSED,
                "away_from": away, "away_until": away + timedelta(days=5), "consent": {},
                "created_at": away, "updated_at": away, "decided_at": away,
                "closed_at": away + timedelta(days=5), "version": 1})
            for d in range(0, 5, 2):
                rows[HomeWatchVisit].append({
                    "id": uuid.uuid4(), "request_id": request, "station_id": sid,
                    "at": away + timedelta(days=d, hours=10), "user_id": uuid.uuid4(),
                    "username": "officer", "unit_id": uuid.uuid4(), "accuracy_m": 5.0,
                    "distance_m": 3.0, "finding": "normal"})
        poll = uuid.uuid4()
        rows[Poll].append({"id": poll, "code": f"P-{n:08d}", "station_id": sid, "zone_id": zid,
                           "wave": 1, "wave_name": "1", "opens_at": SINCE,
                           "closes_at": SINCE + timedelta(days=14),
                           "status": PollStatus.CLOSED, "bank_version": bank.BANK_VERSION,
                           "items": items, "created_at": SINCE, "created_by": "bench"})
        for _ in range(60):
            rows[PollResponse].append({"id": uuid.uuid4(), "poll_id": poll, "answers": {
                "safe_dark": rng.randint(1, 5), "worry_burglary": rng.randint(1, 5),
                "confidence_police": rng.randint(1, 5)}})
    with db.write() as session:
        for table, values in rows.items():
            for at in range(0, len(values), 20_000):
                session.execute(insert(table), values[at:at + 20_000])
    return ids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stations", type=int, default=1480)
    parser.add_argument("--region", type=int, default=100)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/kpis.db"
        engine = create_engine(url)
        migrations.upgrade(engine)
        engine.dispose()
        db = Database(url)
        t_seed, ids = timed(lambda: seed(db, args.stations, random.Random(7)))
        window, scope = Window(SINCE, NOW, NOW), system_scope("bench")

        def grouped(some: list[uuid.UUID]) -> dict[uuid.UUID, Any]:
            with db.read() as session:
                return kpis.kpis_for_stations(session, scope=scope, station_ids=some,
                                              window=window)

        def one_by_one(some: list[uuid.UUID]) -> dict[uuid.UUID, Any]:
            out = {}
            with db.read() as session:
                for station in some:
                    out |= kpis.kpis_for_stations(session, scope=scope, station_ids=[station],
                                                  window=window)
            return out

        figures: dict[str, Any] = {"stations": args.stations, "days": DAYS,
                                   "seed_s": round(t_seed, 1)}
        lines = []
        for name, some in (("all", ids), ("region", ids[:args.region]), ("one", ids[:1])):
            grouped(some)  # statements compiled, pages cached: both ways start warm
            wall_g, cpu_g, a = cpu(lambda some=some: grouped(some))  # type: ignore[misc]
            wall_l, cpu_l, b = cpu(lambda some=some: one_by_one(some))  # type: ignore[misc]
            assert a == b, "the grouped figures differ from the per-station ones"
            figures |= {f"{name}_grouped_s": round(wall_g, 3),
                        f"{name}_grouped_cpu_s": round(cpu_g, 3),
                        f"{name}_per_station_s": round(wall_l, 3),
                        f"{name}_per_station_cpu_s": round(cpu_l, 3),
                        f"{name}_per_station_vs_grouped_cpu": round(cpu_l / cpu_g, 1)}
            lines.append(f"{name:>7} {len(some):>8} {wall_g:>9.3f} {cpu_g:>9.3f} "
                         f"{wall_l:>9.3f} {cpu_l:>9.3f} {cpu_l / cpu_g:>8.1f}x")
        db.dispose()
    print(f"seeded {args.stations} stations x {DAYS} days in {t_seed:.1f} s (SQLite)")
    print(f"{'':>7} {'stations':>8} {'grouped':>9} {'(cpu)':>9} {'per stn':>9} {'(cpu)':>9} "
          f"{'cpu ratio':>9}")
    print("\n".join(lines))
    if args.json:
        args.json.write_text(json.dumps(figures))
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
