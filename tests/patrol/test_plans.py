"""Risk spots and patrol plans: the weighting formula, CRUD with station scope and audit,
automatic and explicit plans, units, cancelling, the plan a unit works to, hostile input."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from safetyzone.audit.models import AuditEntry
from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from safetyzone.ops.models import FeedEntry
from safetyzone.patrol import plans, weighting
from support.plans import EVENING, centre, make_plan, make_red_box, make_spot, make_unit, offset
from support.world import World

PLANS = "/api/v1/patrol/plans"
SPOTS = "/api/v1/patrol/risk-spots"
NIGHT = [20, 21, 22, 23, 0, 1]


def bkk(hour: int, day: int = 1) -> datetime:
    """Bangkok ``hour`` o'clock on January ``day`` 2026, in UTC."""
    return datetime(2026, 1, day, 0, tzinfo=UTC) + timedelta(hours=hour - 7)


# --- the formula --------------------------------------------------------------------------


def test_the_weighting_is_the_documented_formula() -> None:
    # The module docstring's example: 18:00-02:00, risk 0.8, risky 20-02.
    ask = weighting.ask_for_spot(starts_at=bkk(18), ends_at=bkk(26), risk_score=0.8,
                                 high_risk_hours=NIGHT)
    assert ask.overlap == pytest.approx(0.75)
    assert (ask.target_visits, ask.target_minutes) == (3, 39)
    # A day shift outside the risky hours: risk alone, 5 minutes a visit.
    day = weighting.ask_for_spot(starts_at=bkk(6), ends_at=bkk(14), risk_score=0.8,
                                 high_risk_hours=NIGHT)
    assert (day.overlap, day.target_visits, day.target_minutes) == (0.0, 2, 10)
    # Never less than one visit; half-hours of a plan count by minutes.
    low = weighting.ask_for_spot(starts_at=bkk(6), ends_at=bkk(8), risk_score=0.0,
                                 high_risk_hours=[])
    assert (low.target_visits, low.target_minutes) == (1, 5)
    assert weighting.overlap_share(bkk(19, 1) + timedelta(minutes=30), bkk(21),
                                   [20]) == pytest.approx(2 / 3)
    # Red boxes: check-ins, no minutes; risk 0.5 unless the asset says otherwise.
    box = weighting.ask_for_red_box(starts_at=bkk(18), ends_at=bkk(30))
    assert (box.target_visits, box.target_minutes) == (2, 0)  # 12 h / 4 * 0.5 = 1.5 -> 2
    assert weighting.ask_for_red_box(starts_at=bkk(18), ends_at=bkk(26),
                                     risk_score=1.0).target_visits == 2


def test_a_run_of_risky_hours_starts_where_it_started() -> None:
    assert weighting.risky_stretch_start(bkk(23) + timedelta(minutes=10), NIGHT) == bkk(20)
    assert weighting.risky_stretch_start(bkk(25, 1) + timedelta(minutes=30), NIGHT) == bkk(20)
    assert weighting.risky_stretch_start(bkk(19), NIGHT) is None
    every = list(range(24))
    assert weighting.risky_stretch_start(bkk(12), every) == bkk(12) - timedelta(hours=23)


# --- risk spots -----------------------------------------------------------------------------


def test_risk_spots_are_kept_per_station_and_audited(
        client: TestClient, world: World, db: Database) -> None:
    operator = world.headers(client, "a.operator")
    spot = make_spot(client, operator, "ST-A", "RS-1", north_m=100, hours=[22, 20, 21])
    assert spot["station_code"] == "ST-A" and spot["source"] == "manual"
    assert spot["high_risk_hours"] == [20, 21, 22] and spot["synthetic"] is False
    changed = client.patch(f"{SPOTS}/{spot['id']}", headers=operator, json={
        "risk_score": 0.3, "zone_code": "Z-ST-A", "note": "ร้านปิด 24.00 น."})
    assert changed.status_code == 200, changed.text
    assert changed.json()["risk_score"] == 0.3 and changed.json()["zone_code"] == "Z-ST-A"
    viewer = world.headers(client, "a.viewer")
    listed = client.get(SPOTS, headers=viewer, params={"station_code": "ST-A"}).json()
    assert [s["code"] for s in listed] == ["RS-1"]
    # Station B sees nothing of it, and cannot touch it or write at station A.
    other = world.headers(client, "b.operator")
    assert client.get(SPOTS, headers=other).json() == []
    assert client.get(SPOTS, headers=other, params={"station_code": "ST-A"}).status_code == 404
    assert client.patch(f"{SPOTS}/{spot['id']}", headers=other,
                        json={"risk_score": 1}).status_code == 404
    assert client.delete(f"{SPOTS}/{spot['id']}", headers=other).status_code == 404
    assert client.post(SPOTS, headers=other, json={
        "station_code": "ST-A", "code": "X", "name_th": "x", "lat": 13.73, "lon": 100.47,
        "risk_score": 0.5}).status_code == 404
    # Readers read, only planners write.
    assert client.patch(f"{SPOTS}/{spot['id']}", headers=viewer,
                        json={"risk_score": 1}).status_code == 403
    assert client.delete(f"{SPOTS}/{spot['id']}", headers=operator).status_code == 204
    assert client.get(SPOTS, headers=operator).json() == []
    with db.read() as s:
        actions = list(s.scalars(select(AuditEntry.action).where(
            AuditEntry.entity == "patrol_risk_spot").order_by(AuditEntry.id)))
    assert actions == ["patrol.risk_spot.create", "patrol.risk_spot.update",
                       "patrol.risk_spot.delete"]


@pytest.mark.parametrize(("change", "field"), [
    ({"high_risk_hours": [24]}, "high_risk_hours"),
    ({"high_risk_hours": [20, 20]}, "high_risk_hours"),
    ({"high_risk_hours": list(range(25))}, "high_risk_hours"),
    ({"risk_score": 1.5}, "risk_score"),
    ({"risk_score": -0.1}, "risk_score"),
    ({"radius_m": 5}, "radius_m"),
    ({"lat": 100.47, "lon": 13.73}, "lat"),
    ({"lat": 51.5, "lon": -0.12}, "lat"),
    ({"name_th": "x\x00y"}, "name_th"),
    ({"name_th": "ก" * 201}, "name_th"),
    ({"code": "has space"}, "code"),
    ({"zone_code": "Z-ST-B"}, "zone_code"),
    ({"colour": "red"}, "colour"),
    ({"source": "guess"}, "source"),
])
def test_garbage_risk_spots_are_refused(client: TestClient, world: World, db: Database,
                                        change: dict[str, Any], field: str) -> None:
    body = {"station_code": "ST-A", "code": "RS-9", "name_th": "จุดเสี่ยง", "lat": 13.73,
            "lon": 100.47, "risk_score": 0.5, **change}
    response = client.post(SPOTS, headers=world.headers(client, "a.operator"), json=body)
    assert response.status_code == 422, response.text
    assert field in response.text
    with db.read() as s:
        assert s.scalar(select(AuditEntry.id).where(
            AuditEntry.entity == "patrol_risk_spot")) is None


def test_a_duplicate_code_and_a_nulled_name_are_refused(client: TestClient,
                                                        world: World) -> None:
    operator = world.headers(client, "a.operator")
    spot = make_spot(client, operator, "ST-A", "RS-1")
    again = client.post(SPOTS, headers=operator, json={
        "station_code": "ST-A", "code": "RS-1", "name_th": "x", "lat": 13.73, "lon": 100.47,
        "risk_score": 0.5})
    assert again.status_code == 409
    assert client.patch(f"{SPOTS}/{spot['id']}", headers=operator,
                        json={"name_th": None}).status_code == 422
    assert client.patch(f"{SPOTS}/{uuid.uuid4()}", headers=operator,
                        json={"risk_score": 0.1}).status_code == 404


# --- plans ----------------------------------------------------------------------------------


@pytest.fixture
def evening(clock: ManualClock) -> ManualClock:
    clock.advance(EVENING - clock.now())  # 19:00 Bangkok
    return clock


def test_an_automatic_plan_weights_boxes_and_spots(
        client: TestClient, world: World, db: Database, evening: ManualClock) -> None:
    operator = world.headers(client, "a.operator")
    box = make_red_box(client, world.headers(client, "admin"), "ST-A", "RB-1", east_m=150)
    spot = make_spot(client, operator, "ST-A", "RS-1", north_m=120, risk=0.8, hours=NIGHT)
    quiet = make_spot(client, operator, "ST-A", "RS-2", north_m=-120, risk=0.2, hours=[])
    client.patch(f"{SPOTS}/{make_spot(client, operator, 'ST-A', 'RS-OFF')['id']}",
                 headers=operator, json={"active": False})
    make_spot(client, world.headers(client, "b.operator"), "ST-B", "RS-B")  # not ours
    unit = make_unit(client, world.headers(client, "admin"), "ST-A", "C11")
    plan = make_plan(client, operator, "ST-A", bkk(18), bkk(26), auto=True, unit_ids=[unit])
    assert plan["state"] == "active" and plan["auto"] is True and plan["unit_ids"] == [unit]
    by_ref = {t["ref_id"]: t for t in plan["targets"]}
    assert set(by_ref) == {box["id"], spot["id"], quiet["id"]}
    assert (by_ref[box["id"]]["kind"], by_ref[box["id"]]["target_visits"],
            by_ref[box["id"]]["target_minutes"]) == ("red_box", 1, 0)
    assert (by_ref[spot["id"]]["target_visits"], by_ref[spot["id"]]["target_minutes"]) == (3, 39)
    assert (by_ref[quiet["id"]]["target_visits"], by_ref[quiet["id"]]["target_minutes"]) == (
        1, 5)  # 8 / 4 * 0.2 = 0.4 -> at least one
    assert all(t["status"] == "pending" and t["visits"] == 0 for t in plan["targets"])
    assert plan["summary"] == {"visited": 0, "pending": 3, "missed": 0, "total": 3,
                               "percent": 0}
    # The spot changes later: the plan keeps what it was made with.
    client.patch(f"{SPOTS}/{spot['id']}", headers=operator, json={"name_th": "ชื่อใหม่"})
    again = client.get(f"{PLANS}/{plan['id']}", headers=world.headers(client, "a.viewer"))
    assert again.status_code == 200
    assert {t["name_th"] for t in again.json()["targets"]} >= {"หน้าร้านสะดวกซื้อ RS-1"}
    with db.read() as s:
        feed = list(s.scalars(select(FeedEntry).where(FeedEntry.type == "patrol.plan")))
        audit = s.scalar(select(AuditEntry).where(AuditEntry.action == "patrol.plan.create"))
    assert [f.payload["event"] for f in feed] == ["created"]
    assert audit is not None and audit.detail["targets"] == 3


def test_explicit_targets_take_their_place_from_what_they_name(
        client: TestClient, world: World, evening: ManualClock) -> None:
    operator = world.headers(client, "a.operator")
    spot = make_spot(client, operator, "ST-A", "RS-1", north_m=120)
    lat, lon = offset(*centre("ST-A"), east_m=-200)
    plan = make_plan(client, operator, "ST-A", bkk(18), bkk(22), targets=[
        {"kind": "risk_spot", "ref_id": spot["id"], "target_visits": 2, "target_minutes": 20,
         "alert_after_min": 30},
        {"kind": "point", "name_th": "ซอยเปลี่ยว", "lat": lat, "lon": lon, "radius_m": 80,
         "target_visits": 1, "target_minutes": 0}])
    first, second = plan["targets"]
    assert (first["name_th"], first["high_risk_hours"], first["alert_after_min"]) == (
        spot["name_th"], sorted(NIGHT), 30)
    assert first["lat"] == spot["lat"] and first["radius_m"] == spot["radius_m"]
    assert (second["kind"], second["radius_m"], second["ref_id"]) == ("point", 80, None)


@pytest.mark.parametrize(("body", "fragment"), [
    ({"targets": []}, "auto"),
    ({"auto": True, "ends_at": bkk(17).isoformat()}, "ends_at"),
    ({"auto": True, "ends_at": bkk(19, 2).isoformat()}, "ends_at"),
    ({"auto": True, "starts_at": bkk(10).isoformat(), "ends_at": bkk(18).isoformat()},
     "future"),
    ({"auto": True, "starts_at": "2026-01-01T18:00:00"}, "starts_at"),
    ({"auto": True, "unit_ids": ["not-a-uuid"]}, "unit_ids"),
    ({"auto": True, "name": ""}, "name"),
    ({"auto": True, "extra": 1}, "extra"),
    ({"targets": [{"kind": "point", "target_visits": 1, "target_minutes": 0}]}, "name_th"),
    ({"targets": [{"kind": "red_box", "target_visits": 1, "target_minutes": 0}]}, "ref_id"),
    ({"targets": [{"kind": "castle", "target_visits": 1, "target_minutes": 0}]}, "kind"),
    ({"targets": [{"kind": "point", "name_th": "x", "lat": 13.73, "lon": 100.47,
                   "target_visits": 51, "target_minutes": 0}]}, "target_visits"),
    ({"targets": [{"kind": "point", "name_th": "x", "lat": 13.73, "lon": 100.47,
                   "target_visits": 1, "target_minutes": 0, "alert_after_min": 1}]},
     "alert_after_min"),
    ({"targets": [{"kind": "point", "name_th": "x", "lat": 1.0, "lon": 1.0,
                   "target_visits": 1, "target_minutes": 0}]}, "Thailand"),
])
def test_garbage_plans_are_refused(client: TestClient, world: World, evening: ManualClock,
                                   body: dict[str, Any], fragment: str) -> None:
    operator = world.headers(client, "a.operator")
    make_spot(client, operator, "ST-A", "RS-1")
    response = client.post(PLANS, headers=operator, json={
        "station_code": "ST-A", "name": "แผน", "starts_at": bkk(18).isoformat(),
        "ends_at": bkk(26).isoformat(), **body})
    assert response.status_code == 422, response.text
    assert fragment in response.text
    assert client.get(PLANS, headers=operator).json() == []


def test_a_plan_names_only_its_own_stations_things(
        client: TestClient, world: World, evening: ManualClock) -> None:
    operator = world.headers(client, "a.operator")
    other = world.headers(client, "b.operator")
    foreign_spot = make_spot(client, other, "ST-B", "RS-B")
    foreign_box = make_red_box(client, world.headers(client, "admin"), "ST-B", "RB-B")
    foreign_unit = make_unit(client, world.headers(client, "admin"), "ST-B", "B11")
    make_spot(client, operator, "ST-A", "RS-1")
    base = {"station_code": "ST-A", "name": "แผน", "starts_at": bkk(18).isoformat(),
            "ends_at": bkk(26).isoformat()}
    for body in ({"targets": [{"kind": "risk_spot", "ref_id": foreign_spot["id"],
                               "target_visits": 1, "target_minutes": 0}]},
                 {"targets": [{"kind": "red_box", "ref_id": foreign_box["id"],
                               "target_visits": 1, "target_minutes": 0}]},
                 {"auto": True, "unit_ids": [foreign_unit]}):
        response = client.post(PLANS, headers=operator, json={**base, **body})
        assert response.status_code == 422, response.text
    # Station B may not plan for station A, nor read its plans.
    assert client.post(PLANS, headers=other, json={**base, "auto": True}).status_code == 404
    plan = make_plan(client, operator, "ST-A", bkk(18), bkk(26), auto=True)
    assert client.get(f"{PLANS}/{plan['id']}", headers=other).status_code == 404
    assert client.get(PLANS, headers=other).json() == []
    assert client.get(PLANS, headers=other, params={"station_code": "ST-A"}).status_code == 404
    assert client.post(f"{PLANS}/{plan['id']}/cancel", headers=other).status_code == 404
    # Patrol officers and viewers read plans; they do not make them.
    assert client.post(PLANS, headers=world.headers(client, "a.patrol"),
                       json={**base, "auto": True}).status_code == 403
    assert client.get(f"{PLANS}/{plan['id']}",
                      headers=world.headers(client, "a.patrol")).status_code == 200


def working(session: Any, unit: str, at: datetime) -> str | None:
    plan = plans.plan_for_unit(session, unit_id=uuid.UUID(unit), at=at)
    return None if plan is None else str(plan.id)


def test_units_a_plan_and_the_plan_a_unit_works_to(
        client: TestClient, world: World, db: Database, evening: ManualClock) -> None:
    operator = world.headers(client, "a.operator")
    make_spot(client, operator, "ST-A", "RS-1")
    c11 = make_unit(client, world.headers(client, "admin"), "ST-A", "C11")
    c12 = make_unit(client, world.headers(client, "admin"), "ST-A", "C12")
    station_wide = make_plan(client, operator, "ST-A", bkk(18), bkk(26), auto=True)
    theirs = make_plan(client, operator, "ST-A", bkk(18), bkk(22), auto=True, unit_ids=[c11])
    now = evening.now()
    with db.read() as s:
        assert working(s, c11, now) == theirs["id"]
        assert working(s, c12, now) == (
            station_wide["id"])
        later = bkk(23)  # c11's plan is over by then: back to the station's
        assert working(s, c11, later) == (
            station_wide["id"])
        assert plans.plan_for_unit(s, unit_id=uuid.UUID(c11), at=bkk(3, 2)) is None
        assert plans.plan_for_unit(s, unit_id=uuid.uuid4(), at=now) is None
        targets = plans.unit_targets(s, unit_id=uuid.UUID(c12), at=now)
    assert [t.kind for t in targets] == ["risk_spot"]
    moved = client.put(f"{PLANS}/{theirs['id']}/units", headers=operator,
                       json={"unit_ids": [c12, c12]})
    assert moved.status_code == 200 and moved.json()["unit_ids"] == [c12]
    with db.read() as s:
        assert working(s, c12, now) == theirs["id"]
    cancelled = client.post(f"{PLANS}/{theirs['id']}/cancel", headers=operator)
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
    assert client.post(f"{PLANS}/{theirs['id']}/cancel", headers=operator).status_code == 409
    assert client.put(f"{PLANS}/{theirs['id']}/units", headers=operator,
                      json={"unit_ids": []}).status_code == 409
    with db.read() as s:
        assert working(s, c12, now) == (
            station_wide["id"])
    listed = client.get(PLANS, headers=operator, params={"station_code": "ST-A",
                                                         "at": bkk(23).isoformat()}).json()
    assert [p["id"] for p in listed] == [station_wide["id"]]
    assert client.get(PLANS, headers=operator,
                      params={"at": "2026-01-01T20:00:00"}).status_code == 422


def test_the_officer_sees_the_plan_of_the_unit_on_shift(
        client: TestClient, world: World, evening: ManualClock,
        monkeypatch: pytest.MonkeyPatch) -> None:
    operator = world.headers(client, "a.operator")
    make_spot(client, operator, "ST-A", "RS-1")
    c11 = make_unit(client, world.headers(client, "admin"), "ST-A", "C11")
    make_plan(client, operator, "ST-A", bkk(18), bkk(26), auto=True, unit_ids=[c11])
    officer = world.headers(client, "a.patrol")
    off_shift = client.get("/api/v1/officer/plan", headers=officer)
    assert off_shift.status_code == 200
    assert off_shift.json() == {"unit_id": None, "plan": None, "targets": []}
    # On shift with C11 (H1's shifts decide who is; stood in for here).
    monkeypatch.setattr(plans, "caller_unit", lambda session, scope: uuid.UUID(c11))
    mine = client.get("/api/v1/officer/plan", headers=officer).json()
    assert mine["unit_id"] == c11 and mine["plan"]["state"] == "active"
    assert [t["name_th"] for t in mine["targets"]] == ["หน้าร้านสะดวกซื้อ RS-1"]
    # Operators do not hold a duty of their own.
    assert client.get("/api/v1/officer/plan", headers=operator).status_code == 403
