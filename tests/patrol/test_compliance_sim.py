"""Plan compliance driven by the simulator: patrol cars that follow the plan visit its risk
spot, compliance rises, and the spot nobody visits raises the missed-visit alert.

The simulation is the deterministic one of ``ssz simulate`` (a seed, ``advance_to``); its
GPS fixes go to the real app's public intake with each unit's token, the engine moves the
units and hands the fixes to ``compliance.on_fixes`` through the batch observer
(``patrol.live``). Where that observer is not there yet (before the tracks work is merged),
the test hands the same fixes over itself, and says so in its output.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from shapely.geometry import Point, shape
from sqlalchemy import func, select

from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from safetyzone.core.geo import haversine_m
from safetyzone.intake.models import InboxEvent
from safetyzone.ops.models import Incident
from safetyzone.patrol import compliance, missed
from safetyzone.simulate.devices import DevicesFile
from safetyzone.simulate.motion import Patrol
from safetyzone.simulate.plan import SimConfig, Simulation
from support.live import Devices, wait_for
from support.plans import EVENING, Fix, centre, make_plan, make_spot, offset, station_id
from support.world import World, square

SEED = 11
STEP_S = 60.0
CONFIG = SimConfig(rate=0.4, sos_per_minute=0, bank_alarm_per_minute=0,
                   officer_sos_per_minute=0, citizen_reports_per_minute=0, plate_share=0,
                   first_sos_after_s=None)  # GPS only: two cars, a fix every 5 s each


def test_a_patrol_heads_for_the_plans_places_and_stays() -> None:
    lat, lon = centre("ST-A")
    boundary = square(lat, lon)
    places = [offset(lat, lon, 300, 250), offset(lat, lon, -300, -300)]
    patrol = Patrol(boundary, lat, lon, "car", seed="visits", points=places)
    zone = shape(boundary)
    stays: dict[int, float] = defaultdict(float)
    for _ in range(4 * 3600 // 5):
        fix = patrol.step(5.0)
        assert zone.contains(Point(fix.lon, fix.lat))
        for i, (p_lat, p_lon) in enumerate(places):
            if haversine_m(fix.lat, fix.lon, p_lat, p_lon) <= 50:
                stays[i] += 5.0
    assert min(stays[0], stays[1]) >= 5 * 60  # both places, minutes each, in four hours
    # The same path however often it reports, places included.
    often = Patrol(boundary, lat, lon, "car", seed="visits", points=places)
    rarely = Patrol(boundary, lat, lon, "car", seed="visits", points=places)
    for _ in range(1200):
        often.step(1.0)
    for _ in range(40):
        rarely.step(30.0)
    assert often.position() == pytest.approx(rarely.position(), abs=1e-9)


def unprocessed(db: Database) -> int:
    with db.read() as s:
        return int(s.scalar(select(func.count(InboxEvent.seq)).where(
            InboxEvent.processed_at.is_(None))) or 0)


def test_compliance_rises_as_simulated_patrols_follow_the_plan(
        client: TestClient, world: World, db: Database, clock: ManualClock,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    clock.advance(EVENING - clock.now())  # 19:00 Bangkok
    devices = Devices(client, world, clock)
    operator = world.headers(client, "a.operator")
    cars = {code: devices.unit("ST-A", code) for code in ("C11", "C12")}
    visited = make_spot(client, operator, "ST-A", "RS-MARKET", north_m=150, east_m=100,
                        hours=[])
    forgotten = make_spot(client, operator, "ST-A", "RS-SOI", north_m=-250, east_m=-250,
                          hours=[19, 20])
    plan = make_plan(client, operator, "ST-A", EVENING, EVENING + timedelta(hours=2),
                     unit_ids=[unit for unit, _ in cars.values()], targets=[
                         {"kind": "risk_spot", "ref_id": visited["id"], "target_visits": 4,
                          "target_minutes": 12},
                         {"kind": "risk_spot", "ref_id": forgotten["id"], "target_visits": 1,
                          "target_minutes": 0, "alert_after_min": 30}])
    lat, lon = centre("ST-A")
    # The cars follow the plan to the market spot; nobody's plan takes them down the soi.
    devices_file = DevicesFile.model_validate({"version": 1, "stations": [{
        "station_code": "ST-A", "zone_code": "Z-ST-A", "boundary": square(lat, lon),
        "units": [{"code": code, "kind": "car", "token": token, "lat": lat, "lon": lon}
                  for code, (_, token) in cars.items()],
        "patrol_points": [{"code": "RS-MARKET", "lat": visited["lat"],
                           "lon": visited["lon"]}]}]})
    simulation = Simulation(devices_file, CONFIG, seed=SEED, start=clock.now(),
                            run_id="plan-sim")
    engine_calls = []
    original = compliance.on_fixes

    def counting(session: Any, fixes: Any, now: Any) -> None:
        engine_calls.append(len(fixes))
        original(session, fixes, now)

    monkeypatch.setattr(compliance, "on_fixes", counting)
    station = station_id(client, devices.admin, "ST-A")
    unit_ids = {code: uuid.UUID(unit) for code, (unit, _) in cars.items()}
    bridge: bool | None = None
    history: list[tuple[float, int, int, str]] = []
    for step in range(1, int(2 * 3600 / STEP_S) + 2):
        t = step * STEP_S
        planned = simulation.advance_to(t)
        clock.advance(EVENING + timedelta(seconds=t) - clock.now())
        by_device: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for event in planned:
            by_device[event.device_code].append(event.body)
        for code, bodies in by_device.items():
            response = client.post("/api/v1/intake/events/batch", json={"events": bodies},
                                   headers={"Authorization": f"Bearer {cars[code][1]}"})
            assert response.status_code == 200, response.text
        wait_for(lambda: unprocessed(db) == 0, seconds=30, every=0.01)
        if bridge is None:
            bridge = not engine_calls
        if bridge:  # the engine's observer is not there yet: hand the fixes over as it would
            fixes = [Fix(unit_ids[e.device_code], station, datetime.fromisoformat(
                e.body["event_time"]), e.body["location"]["lat"], e.body["location"]["lon"],
                e.body["location"]["accuracy_m"]) for e in planned]
            with db.write() as s:
                original(s, fixes, clock.now())
        missed.run(db, clock, default_after_min=60)
        detail = client.get(f"/api/v1/patrol/plans/{plan['id']}",
                            headers=devices.admin).json()
        market = next(x for x in detail["targets"] if x["ref_id"] == visited["id"])
        history.append((t / 60, market["visits"], detail["summary"]["percent"],
                        market["status"]))
    with capsys.disabled():
        print(f"\nplan compliance from the simulator ({'test bridge' if bridge else 'engine'}"
              f"): " + ", ".join(f"{m:.0f} min {v} visits {p}%" for m, v, p, _ in history[::15]))
    visits = [v for _, v, _, _ in history]
    percents = [p for _, _, p, _ in history]
    assert visits == sorted(visits) and percents == sorted(percents)  # compliance only rises
    assert visits[0] == 0 and percents[0] == 0
    assert visits[-1] >= 4 and history[-1][3] == "visited" and percents[-1] == 50
    final = client.get(f"/api/v1/patrol/plans/{plan['id']}", headers=devices.admin).json()
    soi = next(x for x in final["targets"] if x["ref_id"] == forgotten["id"])
    assert (soi["visits"], soi["status"]) == (0, "missed")
    assert final["summary"] == {"visited": 1, "pending": 0, "missed": 1, "total": 2,
                                "percent": 50}
    # The soi nobody visited raised one alert, 30 minutes into its risky hours.
    with db.read() as s:
        alerts = list(s.scalars(select(Incident).where(Incident.kind == "patrol_missed_visit")))
    assert len(alerts) == 1 and "RS-SOI" in alerts[0].title_th
    assert alerts[0].opened_at == EVENING + timedelta(minutes=30)
