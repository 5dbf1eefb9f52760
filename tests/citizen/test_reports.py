"""Reports: routed to the station, duplicates suggested and joined, a public page without
personal data, and the station's answers, merges, incidents and closing."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from conftest import SECRET
from safetyzone.audit.models import AuditEntry
from safetyzone.citizen import service
from safetyzone.citizen.models import CitizenItem
from safetyzone.citizen.schemas import ReportIn
from safetyzone.citizen.taxonomy import LocationSource
from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from safetyzone.core.secretbox import SecretBox
from safetyzone.ops.models import Incident
from safetyzone.org import service as org
from support.citizen import (
    A_LAT,
    A_LON,
    OFFICER,
    PUBLIC,
    item_by_code,
    new_key,
    report,
    send,
    ticket,
)
from support.world import World


def _similar(client: TestClient, category: str, lat: float, lon: float) -> list[dict]:
    response = client.get(f"{PUBLIC}/reports/similar",
                          params={"category": category, "lat": lat, "lon": lon})
    assert response.status_code == 200, response.text
    rows: list[dict] = response.json()
    return rows


def test_similar_reports_and_joining_one(
        client: TestClient, world: World, clock: ManualClock, db: Database) -> None:
    first = send(client, "/reports", report(new_key(), contact={"name": "น้อย",
                                                                 "phone": "0899999999"}))
    assert first["status"] == "new" and first["joined_to"] is None
    near = A_LAT + 0.0003  # about 33 m north
    [found] = _similar(client, "street_light", near, A_LON)
    assert found["code"] == first["code"] and found["distance_m"] == 40  # 33 m, in 10 m steps
    assert found["joined"] == 0 and found["status"] == "new"
    # Another category, 60 m away, or too old: not suggested.
    assert _similar(client, "theft", near, A_LON) == []
    assert _similar(client, "street_light", A_LAT + 0.00055, A_LON) == []
    key = new_key()
    joined = send(client, "/reports", report(key, near, A_LON, join=first["code"]))
    assert joined["status"] == "merged" and joined["joined_to"] == first["code"]
    page = ticket(client, joined["code"], key)
    assert page["merged_into"] == first["code"] and page["status"] == "new"
    assert ticket(client, first["code"])["joined"] == 1
    assert _similar(client, "street_light", near, A_LON)[0]["joined"] == 1
    clock.advance(timedelta(hours=6, minutes=1))
    assert _similar(client, "street_light", near, A_LON) == []
    # Closing the original closes what the joined citizen sees too, in Thai.
    headers = world.headers(client, "a.operator")
    original = item_by_code(client, headers, first["code"])
    response = client.post(f"{OFFICER}/items/{original['id']}/close", headers=headers,
                           json={"disposition": "resolved", "note": "การไฟฟ้าซ่อมแล้ว"})
    assert response.status_code == 200, response.text
    page = ticket(client, joined["code"], key)
    assert page["status"] == "closed"
    assert page["disposition"] == {"key": "resolved", "th": "แก้ไขเรียบร้อยแล้ว",
                                   "en": "Resolved"}
    # A closed report cannot be joined.
    response = client.post(f"{PUBLIC}/reports", json=report(new_key(), join=first["code"]))
    assert response.status_code == 409
    with db.read() as s:
        assert s.scalar(select(func.count(CitizenItem.id))) == 2


def test_a_retried_report_is_the_same_ticket(client: TestClient, world: World,
                                            db: Database) -> None:
    key = new_key()
    first = send(client, "/reports", report(key))
    again = send(client, "/reports", report(key))
    assert again == first
    with db.read() as s:
        assert s.scalar(select(func.count(CitizenItem.id))) == 1


def test_a_web_report_needs_its_place(client: TestClient, world: World, db: Database) -> None:
    """Only a channel that belongs to one station (LINE) may leave the place out."""
    body = report(new_key())
    del body["location"]
    for source in ("pin", "none"):
        response = client.post(f"{PUBLIC}/reports", json={**body, "location_source": source})
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert "place" in response.json()["detail"]
        assert [p["field"] for p in response.json()["problems"]] == ["location"]
    placed_but_none = client.post(f"{PUBLIC}/reports",
                                  json=report(new_key(), location_source="none"))
    assert placed_but_none.status_code == 422, placed_but_none.text
    assert [p["field"] for p in placed_but_none.json()["problems"]] == ["location_source"]
    with db.read() as s:
        assert s.scalar(select(func.count(CitizenItem.id))) == 0


def test_a_channels_station_takes_a_report_without_a_place(
        db: Database, world: World, clock: ManualClock) -> None:
    box = SecretBox(SECRET)
    data = {**report(new_key()), "location": None, "location_source": "none"}
    with db.write() as s:
        b = org.get_unit_by_code(s, code="ST-B").id
        item, created = service.create_report(s, clock=clock, box=box,
                                              data=ReportIn.model_validate(data),
                                              channel="line", line_user="U" + "1" * 32,
                                              station_id=b)
        assert created and item.station_id == b and item.lat is None
        assert item.location_source is LocationSource.NONE
        # A place wins over the channel's station: it goes where the place is (ST-A).
        placed, _ = service.create_report(s, clock=clock, box=box,
                                          data=ReportIn.model_validate(
                                              report(new_key(), location_source="line")),
                                          channel="line", station_id=b)
        assert placed.station_id == org.get_unit_by_code(s, code="ST-A").id


def test_the_public_page_has_no_personal_data(client: TestClient, world: World) -> None:
    key = new_key()
    code = send(client, "/reports", report(key, contact={"name": "สมศรี มีสุข",
                                                         "phone": "0811111111"}))["code"]
    headers = world.headers(client, "a.operator")
    item = item_by_code(client, headers, code)
    client.post(f"{OFFICER}/items/{item['id']}/messages", headers=headers,
                json={"text": "ได้รับเรื่องแล้ว จะแจ้งการไฟฟ้า"})
    for page in (ticket(client, code), ticket(client, code, key)):
        text = str(page)
        for secret in ("สมศรี", "0811111111", "ไฟถนนดับ", str(A_LAT), str(A_LON)):
            assert secret not in text
    # Answers are for the citizen who asked: only with the ticket's key.
    assert ticket(client, code)["messages"] == []
    assert [m["text"] for m in ticket(client, code, key)["messages"]] == [
        "ได้รับเรื่องแล้ว จะแจ้งการไฟฟ้า"]
    # The station sees the contact; unknown codes answer 404.
    detail = client.get(f"{OFFICER}/items/{item['id']}", headers=headers).json()
    assert detail["contact"] == {"name": "สมศรี มีสุข", "phone": "0811111111"}
    assert client.get(f"{PUBLIC}/tickets/R-00000000").status_code == 404


def test_asking_for_information_and_the_answer(client: TestClient, world: World,
                                               db: Database) -> None:
    key = new_key()
    code = send(client, "/reports", report(key, category="drugs"))["code"]
    headers = world.headers(client, "a.operator")
    item = item_by_code(client, headers, code)
    response = client.post(f"{OFFICER}/items/{item['id']}/messages", headers=headers,
                           json={"text": "บ้านเลขที่เท่าไร", "ask_info": True})
    assert response.status_code == 201, response.text
    assert response.json()["delivery"] is None  # a web ticket: the page, not a push
    page = ticket(client, code, key)
    assert page["status"] == "info_requested" and page["messages"][0]["ask_info"] is True
    answer = send(client, f"/tickets/{code}/messages", {"text": "บ้านเลขที่ 12"}, key=key)
    assert answer["status"] == "acknowledged"
    row = item_by_code(client, headers, code)
    assert row["state"] == "acknowledged" and row["messages_waiting"] == 1
    assert [h["status"] for h in ticket(client, code, key)["steps"]] == [
        "new", "info_requested", "acknowledged"]
    with db.read() as s:
        actions = set(s.scalars(select(AuditEntry.action)))
    assert "citizen.reply" in actions
    # A viewer reads but may not answer.
    response = client.post(f"{OFFICER}/items/{item['id']}/messages",
                           headers=world.headers(client, "a.viewer"), json={"text": "x"})
    assert response.status_code == 403


def test_merge_and_turn_into_an_incident(client: TestClient, world: World,
                                         db: Database) -> None:
    headers = world.headers(client, "a.operator")
    one = item_by_code(client, headers, send(client, "/reports", report(new_key()))["code"])
    two = item_by_code(client, headers, send(client, "/reports", report(new_key()))["code"])
    response = client.post(f"{OFFICER}/items/{two['id']}/merge", headers=headers,
                           json={"into": one["id"]})
    assert response.status_code == 200, response.text
    assert response.json()["state"] == "merged"
    assert item_by_code(client, headers, one["code"])["joined"] == 1
    # Merging into itself, or twice, is refused.
    assert client.post(f"{OFFICER}/items/{one['id']}/merge", headers=headers,
                       json={"into": one["id"]}).status_code == 422
    assert client.post(f"{OFFICER}/items/{two['id']}/merge", headers=headers,
                       json={"into": one["id"]}).status_code == 409
    response = client.post(f"{OFFICER}/items/{one['id']}/incident", headers=headers,
                           json={"priority": 2})
    assert response.status_code == 200, response.text
    row = response.json()
    assert row["state"] == "in_progress" and row["incident_id"]
    with db.read() as s:
        incident = s.get(Incident, __import__("uuid").UUID(row["incident_id"]))
        assert incident is not None
        assert (incident.kind, incident.priority) == ("citizen_report", 2)
        assert one["code"] in incident.title_en
    assert client.post(f"{OFFICER}/items/{one['id']}/incident", headers=headers,
                       json={}).status_code == 409
    assert ticket(client, one["code"])["status"] == "in_progress"


def test_closing_needs_a_known_disposition(client: TestClient, world: World) -> None:
    headers = world.headers(client, "a.operator")
    row = item_by_code(client, headers, send(client, "/reports", report(new_key()))["code"])
    for body in ({}, {"disposition": "whatever"}):
        assert client.post(f"{OFFICER}/items/{row['id']}/close", headers=headers,
                           json=body).status_code == 422
    assert item_by_code(client, headers, row["code"])["state"] == "new"
