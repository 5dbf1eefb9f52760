"""Home watch (ฝากบ้าน 4.0) end to end through the API on a real database: the citizen's
request (garbage, retries, photos), the station's decision, the house in the patrol plans,
the officer's visits (out of radius, another station's officer, retries), the incident on a
problem, and the closing and retention sweeps."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from safetyzone.audit.models import AuditEntry
from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from safetyzone.ops.models import Incident
from safetyzone.patrol.plan_models import PlanTarget, StandingTarget
from safetyzone.services import homewatch_sweep
from safetyzone.services.homewatch_models import HomeWatchPhoto, HomeWatchRequest, HomeWatchVisit
from safetyzone.web.routes.homewatch import media
from support import homewatch as hw
from support.citizen import photo
from support.officer import Phone, add_officer, create_unit
from support.plans import make_plan, make_spot
from support.world import World

Json = dict[str, Any]


def counts(db: Database) -> tuple[int, ...]:
    """Requests, photos and visits stored."""
    with db.read() as s:
        return tuple(int(s.scalar(select(func.count()).select_from(t)) or 0)
                     for t in (HomeWatchRequest, HomeWatchPhoto, HomeWatchVisit))


def approved(client: TestClient, world: World, clock: ManualClock,
             **extra: Any) -> tuple[Json, str, str]:
    """A request made now for three days and approved by ST-A's operator: (created, key, id)."""
    data = hw.body(clock=clock, **extra)
    created = hw.create(client, data)
    operator = world.headers(client, "a.operator")
    rid = hw.request_id(client, operator, created["code"])
    hw.approve(client, operator, rid)
    return created, data["client_key"], rid


def on_shift(client: TestClient, world: World, clock: ManualClock, username: str = "a.patrol",
             station: str = "ST-A", unit: str = "HW-1") -> Phone:
    admin = world.headers(client, "admin")
    phone = Phone(client, world, clock, username)
    phone.start(create_unit(client, admin, station, unit))
    return phone


def test_a_request_goes_to_the_station_of_its_pin_and_a_retry_is_the_same(
        client: TestClient, world: World, clock: ManualClock, db: Database) -> None:
    data = hw.body(clock=clock)
    created = hw.create(client, data)
    assert created["code"].startswith("H-") and created["status"] == "pending"
    assert created["station"]["code"] == "ST-A"
    assert len(created["follow_pin"]) == 9
    again = hw.create(client, data, status=200)
    assert again == created and counts(db) == (1, 0, 0)
    mine = hw.page(client, created["code"], data["client_key"])
    assert mine["status"] == "pending" and mine["status_th"] == "รอเจ้าหน้าที่พิจารณา"
    assert "address" not in mine and mine["visits"] == []
    wrong = client.get(f"{hw.PUBLIC}/{created['code']}", headers={"X-Caller-Key": "x" * 30})
    assert wrong.status_code == 404
    # The station reads the personal data; another station and a viewer do not.
    operator = world.headers(client, "a.operator")
    rid = hw.request_id(client, operator, created["code"])
    row = client.get(f"{hw.STATION}/{rid}", headers=operator).json()
    assert row["address"] == data["address"] and row["contacts"][0]["phone"] == "081-234-5678"
    assert row["consent"]["version"] == data["consent"]["version"] and row["consent"]["at"]
    assert client.get(f"{hw.STATION}/{rid}",
                      headers=world.headers(client, "b.operator")).status_code == 404
    assert client.get(hw.STATION, headers=world.headers(client, "a.viewer")).status_code == 403
    terms = client.get(f"{hw.PUBLIC}/terms").json()
    assert terms["consent_version"] == data["consent"]["version"] and "ฝากบ้าน" in terms[
        "consent_th"] and terms["max_days"] == 30


@pytest.mark.parametrize(("change", "field"), [
    ({"consent": None}, "consent"),
    ({"consent": {"accepted": False, "version": "hw-2026-12"}}, "consent"),
    ({"consent": {"accepted": True, "version": "old"}}, "consent.version"),
    ({"away_until": "2025-12-31T00:00:00+00:00"}, "away_until"),
    ({"away_from": "2025-12-01T00:00:00+00:00"}, "away_from"),
    ({"away_from": "2026-01-01T00:00:00"}, "away_from"),  # no offset
    ({"location": {"lat": 51.5, "lon": -0.12}}, "location"),
    ({"contacts": []}, "contacts"),
    ({"contacts": [{"name": "ก", "phone": "<script>"}]}, "contacts"),
    ({"address": "x"}, "address"),
    ({"address": "บ้าน\u0000เลขที่ 9"}, "address"),
    ({"notes": "ก" * 1001}, "notes"),
    ({"client_key": "short"}, "client_key"),
    ({"admin": True}, "admin"),
])
def test_garbage_is_refused_and_nothing_is_stored(
        client: TestClient, clock: ManualClock, db: Database, world: World, change: Json,
        field: str) -> None:
    data = {**hw.body(clock=clock), **change}
    if change.get("consent", 1) is None:
        del data["consent"]
    response = client.post(hw.PUBLIC, json=data)
    assert response.status_code == 422, response.text
    assert field.split(".")[0] in response.text
    assert counts(db) == (0, 0, 0)


def test_the_time_away_is_bounded(client: TestClient, clock: ManualClock, db: Database,
                                  world: World) -> None:
    too_long = client.post(hw.PUBLIC, json=hw.body(clock=clock, days=31))
    assert too_long.status_code == 422 and "at most 30 days" in too_long.text
    backwards = client.post(hw.PUBLIC, json=hw.body(clock=clock, days=-1))
    assert backwards.status_code == 422 and "must be after away_from" in backwards.text
    assert counts(db) == (0, 0, 0)
    hw.create(client, hw.body(clock=clock, starts_in=timedelta(minutes=-30), days=30))


def test_photos_of_the_house_are_checked_bounded_and_retried_safely(
        client: TestClient, clock: ManualClock, db: Database, world: World) -> None:
    data = hw.body(clock=clock)
    code, key = hw.create(client, data)["code"], data["client_key"]
    url = f"{hw.PUBLIC}/{code}/photos"
    headers = {"X-Caller-Key": key}

    def send(content: bytes, name: str = "h.jpg", kind: str = "image/jpeg") -> Any:
        return client.post(url, headers=headers, files={"file": (name, content, kind)})

    first = send(photo(1))
    assert first.status_code == 201, first.text
    assert send(photo(1)).json() == first.json()  # a retry: the same photo
    assert send(photo(2)).status_code == 201 and send(photo(3)).status_code == 201
    full = send(photo(4))
    assert full.status_code == 409 and "3 photos" in full.text
    assert counts(db) == (1, 3, 0)
    limit = client.app.state.ctx.settings.citizen_media_max_bytes  # type: ignore[attr-defined]
    other = hw.create(client, hw.body(clock=clock))
    other_url = f"{hw.PUBLIC}/{other['code']}/photos"
    big = client.post(other_url, headers={"X-Caller-Key": "k" * 22},
                      files={"file": ("big.jpg", b"\xff" * (limit + 10), "image/jpeg")})
    assert big.status_code == 413
    wrong = client.post(other_url, headers=headers, files={"file": ("h.jpg", photo(5),
                                                                    "image/jpeg")})
    assert wrong.status_code == 404
    assert counts(db) == (2, 3, 0)
    not_a_photo = send(b"%PDF-1.4 not a picture", "x.pdf", "application/pdf")
    assert not_a_photo.status_code in (409, 415, 422)
    # The station and its officers see them; the file is the cleaned copy.
    operator = world.headers(client, "a.operator")
    rid = hw.request_id(client, operator, code)
    photo_url = client.get(f"{hw.STATION}/{rid}", headers=operator).json()["photo_urls"][0]
    got = client.get(photo_url, headers=operator)
    assert got.status_code == 200 and got.headers["content-type"] == "image/jpeg"
    assert client.get(photo_url, headers=world.headers(client, "b.operator")).status_code == 404


def test_an_oversize_photo_is_refused_before_it_is_read(client: TestClient, clock: ManualClock,
                                                        db: Database, world: World) -> None:
    data = hw.body(clock=clock)
    code = hw.create(client, data)["code"]
    limit = client.app.state.ctx.settings.citizen_media_max_bytes  # type: ignore[attr-defined]
    big = client.post(f"{hw.PUBLIC}/{code}/photos", headers={"X-Caller-Key": data["client_key"]},
                      files={"file": ("big.jpg", b"\xff\xd8" + b"\0" * limit, "image/jpeg")})
    assert big.status_code == 413
    assert counts(db) == (1, 0, 0)


def test_approval_puts_the_house_in_every_plan_over_its_dates(
        client: TestClient, world: World, clock: ManualClock, db: Database) -> None:
    admin = world.headers(client, "admin")
    for station in ("ST-A", "ST-B"):
        make_spot(client, admin, station, f"SPOT-{station}")
    now = clock.now()
    before = make_plan(client, admin, "ST-A", now, now + timedelta(hours=8), auto=True)
    created, _, rid = approved(client, world, clock)
    after = make_plan(client, admin, "ST-A", now + timedelta(days=1),
                      now + timedelta(days=1, hours=8), auto=True)
    outside = make_plan(client, admin, "ST-A", now + timedelta(days=4),
                        now + timedelta(days=4, hours=8), auto=True)
    elsewhere = make_plan(client, admin, "ST-B", now, now + timedelta(hours=8), auto=True)

    def houses(plan: Json) -> list[Json]:
        detail = client.get(f"/api/v1/patrol/plans/{plan['id']}", headers=admin).json()
        return [t for t in detail["targets"] if t["kind"] == "home_watch"]

    (target,) = houses(before)
    assert target["ref_id"] == rid and created["code"] in target["name_th"]
    assert target["target_visits"] == 1 and target["radius_m"] == 50
    assert len(houses(after)) == 1
    assert houses(outside) == [] and houses(elsewhere) == []
    # Deciding twice, or someone else deciding, changes nothing.
    operator = world.headers(client, "a.operator")
    assert client.post(f"{hw.STATION}/{rid}/approve", headers=operator).status_code == 409
    assert client.post(f"{hw.STATION}/{rid}/decline", headers=operator,
                       json={"reason": "ซ้ำ"}).status_code == 409
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(StandingTarget)) == 1
        actions = set(s.scalars(select(AuditEntry.action).where(
            AuditEntry.entity == "homewatch_request")))
    assert {"homewatch.create", "homewatch.approve"} <= actions


def test_a_declined_request_says_why_and_others_cannot_decide(
        client: TestClient, world: World, clock: ManualClock) -> None:
    data = hw.body(clock=clock)
    code = hw.create(client, data)["code"]
    operator = world.headers(client, "a.operator")
    rid = hw.request_id(client, operator, code)
    for who, status in (("b.operator", 404), ("a.viewer", 403), ("a.patrol", 403)):
        answer = client.post(f"{hw.STATION}/{rid}/approve", headers=world.headers(client, who))
        assert answer.status_code == status, (who, answer.text)
    assert client.post(f"{hw.STATION}/{rid}/decline", headers=operator,
                       json={"reason": ""}).status_code == 422
    declined = client.post(f"{hw.STATION}/{rid}/decline", headers=operator,
                           json={"reason": "อยู่นอกเขตที่สถานีรับฝากบ้าน"})
    assert declined.status_code == 200 and declined.json()["state"] == "declined"
    mine = hw.page(client, code, data["client_key"])
    assert mine["status"] == "declined" and mine["decline_reason"] == "อยู่นอกเขตที่สถานีรับฝากบ้าน"


def test_visits_are_checked_logged_once_and_told_to_the_owner(
        client: TestClient, world: World, clock: ManualClock, db: Database) -> None:
    created, key, rid = approved(client, world, clock)
    phone = Phone(client, world, clock, "a.patrol")
    off = phone.post(f"/home-watch/{rid}/visits", hw.visit())
    assert off.status_code == 422 and off.json()["reason"] == "off_shift"
    phone.start(create_unit(client, world.headers(client, "admin"), "ST-A", "HW-1"))
    (house,) = phone.get("/home-watch").json()
    assert house["code"] == created["code"] and house["address"].startswith("99/1")
    assert house["visits_today"] == 0 and house["radius_m"] == 50
    # Both dates of the time away: the phone shows them to the officer.
    assert house["away_from"] < house["away_until"]
    # 120 m north of the house: refused, with the distance, in Thai and English.
    far = phone.post(f"/home-watch/{rid}/visits", hw.visit(hw.HOUSE[0] + 0.00108))
    assert far.status_code == 422, far.text
    refusal = far.json()
    assert refusal["reason"] == "too_far" and 115 < refusal["distance_m"] < 125
    assert "ต้องอยู่ภายใน 50 ม." in refusal["message_th"]
    assert "within 50 m" in refusal["message_en"]
    coarse = phone.post(f"/home-watch/{rid}/visits", hw.visit(accuracy_m=200))
    assert coarse.status_code == 422 and coarse.json()["reason"] == "poor_accuracy"
    assert counts(db)[2] == 0
    # Accepted; the phone's retry (same key) is the same answer and no second visit.
    key_header = "visit-0001-abcdef"
    first = phone.post(f"/home-watch/{rid}/visits", hw.visit(), key=key_header)
    assert first.status_code == 201, first.text
    again = phone.post(f"/home-watch/{rid}/visits", hw.visit(), key=key_header)
    assert again.status_code == 201 and again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert counts(db)[2] == 1
    mine = hw.page(client, created["code"], key)
    assert [v["finding"] for v in mine["visits"]][:1] == ["normal"]
    assert mine["visits"][0]["note"] == "ประตูรั้วล็อกเรียบร้อย"
    # A photo of the visit: one, the same again answered the same, the owner sees it.
    visit_id = first.json()["id"]
    shot = phone.post(f"/home-watch/visits/{visit_id}/photo", key=None,
                      files={"file": ("v.jpg", photo(6), "image/jpeg")})
    assert shot.status_code == 201, shot.text
    assert phone.post(f"/home-watch/visits/{visit_id}/photo", key=None, files={
        "file": ("v.jpg", photo(6), "image/jpeg")}).status_code == 201
    assert phone.post(f"/home-watch/visits/{visit_id}/photo", key=None, files={
        "file": ("w.jpg", photo(7), "image/jpeg")}).status_code == 409
    owner = client.get(f"{hw.PUBLIC}/{created['code']}/visits/{visit_id}/photo",
                       headers={"X-Caller-Key": key})
    assert owner.status_code == 200 and owner.headers["content-type"] == "image/jpeg"
    assert client.get(f"{hw.PUBLIC}/{created['code']}/visits/{visit_id}/photo",
                      headers={"X-Caller-Key": "z" * 24}).status_code == 404


def test_an_officer_of_another_station_cannot_log_a_visit(
        client: TestClient, world: World, clock: ManualClock, db: Database) -> None:
    _, _, rid = approved(client, world, clock)
    add_officer(db, clock, "b.patrol", "ST-B")
    phone = on_shift(client, world, clock, "b.patrol", "ST-B", "HW-B")
    answer = phone.post(f"/home-watch/{rid}/visits", hw.visit())
    assert answer.status_code == 404, answer.text
    assert phone.get("/home-watch").json() == []
    # A commander of both stations on a unit of ST-B: refused with the reason.
    commander = on_shift(client, world, clock, "reg1.commander", "ST-B", "HW-B2")
    other = commander.post(f"/home-watch/{rid}/visits", hw.visit())
    assert other.status_code == 422 and other.json()["reason"] == "other_station"
    assert counts(db)[2] == 0


def test_a_house_not_yet_approved_or_not_yet_left_is_not_visited(
        client: TestClient, world: World, clock: ManualClock, db: Database) -> None:
    data = hw.body(clock=clock, starts_in=timedelta(days=2))
    code = hw.create(client, data)["code"]
    operator = world.headers(client, "a.operator")
    rid = hw.request_id(client, operator, code)
    phone = on_shift(client, world, clock)
    pending = phone.post(f"/home-watch/{rid}/visits", hw.visit())
    assert pending.status_code == 422 and pending.json()["reason"] == "not_watched"
    hw.approve(client, operator, rid)
    early = phone.post(f"/home-watch/{rid}/visits", hw.visit())
    assert early.status_code == 422 and early.json()["reason"] == "not_watched"
    assert phone.get("/home-watch").json() == []
    assert counts(db)[2] == 0


def test_a_visit_that_finds_something_wrong_opens_an_incident(
        client: TestClient, world: World, clock: ManualClock, db: Database) -> None:
    created, key, rid = approved(client, world, clock)
    phone = on_shift(client, world, clock)
    answer = phone.post(f"/home-watch/{rid}/visits", hw.visit(
        finding="problem", note="หน้าต่างด้านหลังถูกงัด"))
    assert answer.status_code == 201, answer.text
    incident_id = answer.json()["incident_id"]
    with db.read() as s:
        incident = s.scalar(select(Incident).where(Incident.kind == "home_watch_problem"))
        assert incident is not None and str(incident.id) == incident_id
        assert created["code"] in incident.title_th and incident.priority == 2
        assert incident.detail["note"] == "หน้าต่างด้านหลังถูกงัด"
    incidents = client.get("/api/v1/incidents", headers=world.headers(client, "a.operator"),
                           params={"station_code": "ST-A"})
    assert incident_id in incidents.text
    assert hw.page(client, created["code"], key)["visits"][0]["finding"] == "problem"


def test_the_request_closes_after_its_time_and_its_data_goes_after_retention(
        client: TestClient, world: World, clock: ManualClock, db: Database) -> None:
    created, key, rid = approved(client, world, clock)
    code = created["code"]
    assert client.post(f"{hw.PUBLIC}/{code}/photos", headers={"X-Caller-Key": key},
                       files={"file": ("h.jpg", photo(1), "image/jpeg")}).status_code == 201
    phone = on_shift(client, world, clock)
    visit = phone.post(f"/home-watch/{rid}/visits", hw.visit())
    assert visit.status_code == 201
    assert phone.post(f"/home-watch/visits/{visit.json()['id']}/photo", key=None, files={
        "file": ("v.jpg", photo(2), "image/jpeg")}).status_code == 201
    store = media(client.app.state.ctx)  # type: ignore[attr-defined]
    root = client.app.state.ctx.settings.data_dir / "homewatch-media"  # type: ignore[attr-defined]
    assert len([p for p in root.rglob("*.jpg") if ".thumb." not in p.name]) == 2
    clock.advance(timedelta(hours=12))
    swept = homewatch_sweep.run(db, clock, retain_days=90, store=store)
    assert swept.closed == 0 and swept.erased == 0
    clock.advance(timedelta(days=3))
    swept = homewatch_sweep.run(db, clock, retain_days=90, store=store)
    assert swept.closed == 1 and swept.erased == 0
    mine = hw.page(client, code, key)
    assert mine["status"] == "closed" and mine["status_en"] == "Home watch ended"
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(StandingTarget)) == 0
    # Nearly the retention period: kept. Past it: erased, the police record stays.
    clock.advance(timedelta(days=89))
    assert homewatch_sweep.run(db, clock, retain_days=90, store=store).erased == 0
    clock.advance(timedelta(days=2))
    swept = homewatch_sweep.run(db, clock, retain_days=90, store=store)
    assert swept.erased == 1 and len(swept.files) == 2
    assert [p for p in root.rglob("*") if p.is_file()] == []
    row = client.get(f"{hw.STATION}/{rid}", headers=world.headers(client, "a.operator")).json()
    assert row["address"] is None and row["contacts"] == [] and row["notes"] is None
    assert row["lat"] is None and row["photo_urls"] == []
    assert row["state"] == "closed" and len(row["visits"]) == 1
    assert row["visits"][0]["note"] is None and row["visits"][0]["photo_url"] is None
    assert row["visits"][0]["finding"] == "normal"
    with db.read() as s:
        for target in s.scalars(select(PlanTarget).where(PlanTarget.kind == "home_watch")):
            assert round(target.lat, 3) == target.lat
        assert s.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "homewatch.retention_erase")) == 1
    assert homewatch_sweep.run(db, clock, retain_days=90, store=store).erased == 0


def test_the_owner_may_cancel_and_the_house_leaves_the_plans_to_come(
        client: TestClient, world: World, clock: ManualClock, db: Database) -> None:
    admin = world.headers(client, "admin")
    make_spot(client, admin, "ST-A", "SPOT-A")
    tomorrow = clock.now() + timedelta(days=1)
    plan = make_plan(client, admin, "ST-A", tomorrow, tomorrow + timedelta(hours=8), auto=True)
    created, key, _ = approved(client, world, clock)
    detail = client.get(f"/api/v1/patrol/plans/{plan['id']}", headers=admin).json()
    assert [t["kind"] for t in detail["targets"]].count("home_watch") == 1
    cancelled = client.post(f"{hw.PUBLIC}/{created['code']}/cancel",
                            headers={"X-Caller-Key": key})
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    detail = client.get(f"/api/v1/patrol/plans/{plan['id']}", headers=admin).json()
    assert [t["kind"] for t in detail["targets"]].count("home_watch") == 0
    assert client.post(f"{hw.PUBLIC}/{created['code']}/cancel",
                       headers={"X-Caller-Key": key}).status_code == 409


def test_the_runtime_runs_the_home_watch_sweep(client: TestClient, world: World,
                                               clock: ManualClock, db: Database) -> None:
    created, key, _ = approved(client, world, clock)
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    (sweep,) = [s for s in runtime.sweeps if getattr(s, "func", None) is homewatch_sweep.run]
    sweep(db, clock)
    assert hw.page(client, created["code"], key)["status"] == "approved"
    clock.advance(timedelta(days=3, minutes=1))
    sweep(db, clock)
    assert hw.page(client, created["code"], key)["status"] == "closed"
