"""Volunteer service posts end to end: posts with hours and a roster, a volunteer taking a
citizen report and a consultation request at the post into the same flows, refused off
roster or out of hours with a reason, and everything a volunteer may not reach."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from safetyzone.audit.models import AuditEntry
from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from safetyzone.services import posts as posts_service
from safetyzone.services.posts_models import PostIntake
from support import citizen as phone
from support.consult import CONSULT, POSTS, PUBLIC, booking, consultant, new_key, ok, post, slot
from support.world import World

# The test clock starts 2026-01-01 00:00 UTC: Thursday (weekday 3) 07:00 in Bangkok.
THURSDAY_MORNING = [{"weekday": 3, "opens": "06:00", "closes": "12:00"}]
WEEKENDS = [{"weekday": 5, "opens": "09:00", "closes": "17:00"},
            {"weekday": 6, "opens": "09:00", "closes": "17:00"}]


def report_at_post(key: str | None = None, **extra: Any) -> dict[str, Any]:
    return {"client_key": key or new_key(), "category": "theft",
            "description": "กระเป๋าสตางค์ถูกล้วงในตลาดน้ำ", "consent": phone.consent("report"),
            "contact": {"name": "สมชาย ใจดี", "phone": "0812345678"}} | extra


@pytest.fixture
def admin(client: TestClient, world: World) -> dict[str, str]:
    return world.headers(client, "admin")


@pytest.fixture
def staffed(client: TestClient, admin: dict[str, str]) -> dict[str, Any]:
    """A post at ST-A open Thursday mornings, a.volunteer on its roster."""
    made = post(client, admin, hours=THURSDAY_MORNING)
    return ok(client.post(f"{POSTS}/{made['id']}/roster", headers=admin,
                          json={"username": "a.volunteer"}), 201)


def test_a_post_has_hours_a_roster_and_shows_on_the_station_card(
        client: TestClient, admin: dict[str, str], staffed: dict[str, Any]) -> None:
    assert staffed["hours_th"] == "พฤ. 06:00-12:00 น." and staffed["open_now"] is True
    assert [r["username"] for r in staffed["roster"]] == ["a.volunteer"]
    card = ok(client.get(f"{phone.PUBLIC}/stations/locate",
                         params={"lat": phone.A_LAT, "lon": phone.A_LON}))
    assert ("จุดบริการตลาดน้ำ", "Thu 06:00-12:00") in [
        (p["name_th"], p["hours_en"]) for p in card["posts"]]
    changed = ok(client.put(f"{POSTS}/{staffed['id']}/hours", headers=admin,
                            json={"hours": WEEKENDS}))
    assert changed["hours_th"] == "ส. อา. 09:00-17:00 น." and changed["open_now"] is False


@pytest.mark.parametrize(("hours", "field"), [
    ([{"weekday": 1, "opens": "10:00", "closes": "09:00"}], "closes"),
    ([{"weekday": 1, "opens": "08:00", "closes": "12:00"},
      {"weekday": 1, "opens": "11:00", "closes": "13:00"}], "overlaps"),
    ([{"weekday": 7, "opens": "08:00", "closes": "12:00"}], "weekday"),
    ([{"weekday": 1, "opens": "25:00", "closes": "26:00"}], "opens"),
    ([{"weekday": 1, "opens": "8", "closes": "12:00"}], "opens"),
])
def test_garbage_hours_are_refused(client: TestClient, admin: dict[str, str],
                                   staffed: dict[str, Any], hours: list[dict[str, Any]],
                                   field: str) -> None:
    response = client.put(f"{POSTS}/{staffed['id']}/hours", headers=admin,
                          json={"hours": hours})
    assert response.status_code == 422 and field in response.text, response.text
    again = ok(client.get(POSTS, headers=admin, params={"station_code": "ST-A"}))
    assert [p["hours_th"] for p in again if p["id"] == staffed["id"]] == ["พฤ. 06:00-12:00 น."]


def test_roster_takes_volunteers_of_the_station_once(
        client: TestClient, admin: dict[str, str], staffed: dict[str, Any]) -> None:
    def add(username: str) -> int:
        return client.post(f"{POSTS}/{staffed['id']}/roster", headers=admin,
                           json={"username": username}).status_code

    assert add("a.volunteer") == 409
    assert add("a.viewer") == 422  # a viewer does not work a post
    assert add("b.operator") == 422  # not of ST-A (and not a roster role)
    assert add("a.patrol") == 201  # police may staff a post too
    assert client.post(POSTS, headers=admin, json={
        "station_code": "ST-A", "name_th": "จุดบริการตลาดน้ำ", "name_en": "x", "lat": 13.73,
        "lon": 100.47}).status_code == 409  # two posts of one name


def test_a_volunteer_takes_a_report_at_the_post_into_the_citizen_flow(
        client: TestClient, world: World, db: Database, staffed: dict[str, Any]) -> None:
    volunteer = world.headers(client, "a.volunteer")
    mine = ok(client.get(f"{POSTS}/mine", headers=volunteer))
    assert [(p["id"], p["open_now"]) for p in mine["posts"]] == [(staffed["id"], True)]
    key = new_key()
    taken = ok(client.post(f"{POSTS}/{staffed['id']}/reports", headers=volunteer,
                           json=report_at_post(key)), 201)
    assert taken["code"].startswith("R-") and taken["station_code"] == "ST-A"
    again = ok(client.post(f"{POSTS}/{staffed['id']}/reports", headers=volunteer,
                           json=report_at_post(key)), 200)
    assert again["code"] == taken["code"]  # a retry is the same report
    # The station sees it in its citizen queue like any other report, channel "post".
    row = phone.item_by_code(client, world.headers(client, "a.operator"), taken["code"])
    assert row["channel"] == "post" and row["category"] == "theft"
    # The citizen follows it with the key, like a report from the app.
    assert phone.ticket(client, taken["code"], key)["code"] == taken["code"]
    with db.read() as s:
        logged = list(s.scalars(select(PostIntake)))
        audit = s.scalar(select(AuditEntry).where(AuditEntry.action == "post.intake.report"))
    assert [(i.code, i.username) for i in logged] == [(taken["code"], "a.volunteer")]
    assert audit is not None and audit.username == "a.volunteer"
    assert [t["code"] for t in ok(client.get(f"{POSTS}/mine", headers=volunteer))["taken"]] == [
        taken["code"]]
    # The station sees what was taken at each post, and by whom.
    station = ok(client.get(POSTS, headers=world.headers(client, "a.commander"),
                            params={"station_code": "ST-A"}))
    [shown] = [p["taken"] for p in station if p["id"] == staffed["id"]]
    assert [(t["kind"], t["code"], t["username"]) for t in shown] == [
        ("report", taken["code"], "a.volunteer")]


def test_a_volunteer_takes_a_consultation_request_at_the_post(
        client: TestClient, world: World, admin: dict[str, str], clock: ManualClock,
        staffed: dict[str, Any]) -> None:
    who = consultant(client, admin, "a.operator")
    free = slot(client, admin, who, clock.now() + timedelta(days=1), channels=("post",))
    volunteer = world.headers(client, "a.volunteer")
    key = new_key()
    made = ok(client.post(f"{POSTS}/{staffed['id']}/consult-requests", headers=volunteer,
                          json=booking(free["id"], key, channel="post")), 201)
    row = ok(client.get(f"{CONSULT}/requests", headers=admin))[0]
    assert (row["code"], row["post_id"], row["taken_by"], row["channel"]) == (
        made["code"], staffed["id"], "a.volunteer", "post")
    page = ok(client.get(f"{PUBLIC}/requests/{made['code']}", headers={"X-Caller-Key": key}))
    assert page["post"]["name_th"] == "จุดบริการตลาดน้ำ"
    # The volunteer cannot then read it back at the station's side.
    assert client.get(f"{CONSULT}/requests/{row['id']}", headers=volunteer).status_code == 403


def test_off_roster_or_out_of_hours_is_refused_with_the_reason(
        client: TestClient, world: World, admin: dict[str, str], db: Database,
        clock: ManualClock, staffed: dict[str, Any]) -> None:
    volunteer = world.headers(client, "a.volunteer")
    other = post(client, admin, name="จุดบริการหน้าวัด", hours=THURSDAY_MORNING)
    refused = client.post(f"{POSTS}/{other['id']}/reports", headers=volunteer,
                          json=report_at_post())
    assert refused.status_code == 403 and "ไม่ได้อยู่ในรายชื่อ" in refused.text
    assert "roster" in refused.text
    foreign = post(client, admin, station="ST-B", name="จุด B")
    assert client.post(f"{POSTS}/{foreign['id']}/reports", headers=volunteer,
                       json=report_at_post()).status_code == 404
    clock.advance(timedelta(hours=6))  # Thursday 13:00 in Bangkok: closed
    volunteer = world.headers(client, "a.volunteer")
    closed = client.post(f"{POSTS}/{staffed['id']}/reports", headers=volunteer,
                         json=report_at_post())
    assert closed.status_code == 409, closed.text
    assert "ปิดอยู่" in closed.text and "06:00-12:00" in closed.text
    mine = ok(client.get(f"{POSTS}/mine", headers=volunteer))["posts"][0]
    assert mine["open_now"] is False and mine["reason_en"].startswith("the post is closed")
    # Removed from the roster: refused even in hours.
    clock.advance(timedelta(days=7) - timedelta(hours=6))
    admin = world.headers(client, "admin")
    volunteer = world.headers(client, "a.volunteer")
    user_id = staffed["roster"][0]["user_id"]
    assert client.delete(f"{POSTS}/{staffed['id']}/roster/{user_id}",
                         headers=admin).status_code == 204
    assert client.post(f"{POSTS}/{staffed['id']}/reports", headers=volunteer,
                       json=report_at_post()).status_code == 403
    with db.read() as s:
        assert list(s.scalars(select(PostIntake))) == []


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/api/v1/incidents"), ("GET", "/api/v1/citizen/items"), ("GET", "/api/v1/units"),
    ("GET", "/api/v1/assets"), ("GET", "/api/v1/audit"), ("GET", "/api/v1/org-units"),
    ("GET", CONSULT + "/requests"), ("GET", CONSULT + "/slots"), ("GET", POSTS),
    ("POST", POSTS), ("GET", "/api/v1/patrol/plans"), ("GET", "/api/v1/officer/me"),
])
def test_a_volunteer_reaches_nothing_else(client: TestClient, world: World, method: str,
                                          path: str) -> None:
    body = {"station_code": "ST-A", "name_th": "x", "name_en": "x", "lat": 13.73, "lon": 100.47}
    response = client.request(method, path, headers=world.headers(client, "a.volunteer"),
                              json=body if method == "POST" else None)
    assert response.status_code == 403, (path, response.text)


def test_garbage_reports_at_a_post_change_nothing(
        client: TestClient, world: World, db: Database, staffed: dict[str, Any]) -> None:
    volunteer = world.headers(client, "a.volunteer")
    for change in ({"category": "ufo"}, {"description": ""}, {"consent": {"purposes": [],
                   "version": "x"}}, {"client_key": "short"}, {"extra": True},
                   {"location": {"lat": 51.5, "lon": -0.1}}, {"description": "x" * 4001}):
        response = client.post(f"{POSTS}/{staffed['id']}/reports", headers=volunteer,
                               json=report_at_post() | change)
        assert response.status_code == 422, (change, response.text)
    with db.read() as s:
        assert list(s.scalars(select(PostIntake))) == []


def test_the_intake_log_has_its_own_retention(
        client: TestClient, world: World, db: Database, clock: ManualClock,
        staffed: dict[str, Any]) -> None:
    ok(client.post(f"{POSTS}/{staffed['id']}/reports",
                   headers=world.headers(client, "a.volunteer"), json=report_at_post()), 201)
    with db.write() as s:
        assert posts_service.forget_before(s, clock.now() - timedelta(days=1)) == 0
    with db.write() as s:
        assert posts_service.forget_before(s, clock.now() + timedelta(seconds=1)) == 1
    with db.read() as s:
        assert list(s.scalars(select(PostIntake))) == []
        assert s.scalar(select(AuditEntry).where(
            AuditEntry.action == "post.intake.retention_delete")) is not None


@pytest.mark.parametrize(("units", "status"), [(["ST-A"], 201), (["PROV-1"], 422),
                                               (["HQ"], 422)])
def test_a_volunteer_account_belongs_to_stations_only(
        client: TestClient, admin: dict[str, str], units: list[str], status: int) -> None:
    response = client.post("/api/v1/users", headers=admin, json={
        "username": "v.somsak", "display_name": "อาสา สมศักดิ์", "password": "long enough pw",
        "role": "volunteer", "org_unit_codes": units})
    assert response.status_code == status, response.text


def test_station_b_sees_none_of_station_a_posts(client: TestClient, world: World,
                                                staffed: dict[str, Any]) -> None:
    other = world.headers(client, "b.operator")
    assert [p["station_code"] for p in ok(client.get(POSTS, headers=other))] == []
    assert client.get(POSTS, headers=other,
                      params={"station_code": "ST-A"}).status_code == 404
    assert client.put(f"{POSTS}/{staffed['id']}/hours", headers=world.headers(
        client, "a.commander"), json={"hours": WEEKENDS}).status_code == 200
    national = ok(client.get(POSTS, headers=world.headers(client, "hq.viewer")))
    assert [p["id"] for p in national] == [staffed["id"]]
