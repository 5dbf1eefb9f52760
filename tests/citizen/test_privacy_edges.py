"""Where a public reader could learn more than they should, and what a deleted ticket
still takes: found by trying the public API as an outsider."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from safetyzone.citizen.line_models import LineChannel, LineTicket
from safetyzone.citizen.models import CitizenFix, CitizenItem, CitizenMessage
from safetyzone.core.db import Database
from support.citizen import (
    A_LAT,
    A_LON,
    PUBLIC,
    emergency,
    item_by_code,
    new_key,
    photo,
    report,
    send,
)
from support.world import World


def similar(client: TestClient, category: str, lat: float, lon: float) -> list[dict[str, Any]]:
    response = client.get(f"{PUBLIC}/reports/similar",
                          params={"category": category, "lat": lat, "lon": lon})
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()
    return found


def test_crime_reports_are_never_offered_as_similar(client: TestClient, world: World) -> None:
    """Anyone may ask for similar reports; a grid of questions must not find the home a drug
    report was sent from. Public-space reports are offered, distances in 10 m steps."""
    for category in ("drugs", "gambling", "suspicious_person", "theft", "other"):
        send(client, "/reports", report(new_key(), category=category))
        assert similar(client, category, A_LAT + 0.0001, A_LON) == []
    send(client, "/reports", report(new_key(), category="street_light"))
    [light] = similar(client, "street_light", A_LAT + 0.0001, A_LON)  # 11 m away
    assert light["distance_m"] == 20


def test_a_join_must_be_the_same_thing_at_the_same_place(client: TestClient, world: World,
                                                        db: Database) -> None:
    target = send(client, "/reports", report(new_key()))["code"]  # a street light
    drugs = send(client, "/reports", report(new_key(), category="drugs"))["code"]
    for body in (report(new_key(), A_LAT + 0.01, A_LON, join=target),  # 1.1 km away
                 report(new_key(), category="traffic", join=target),  # another thing
                 report(new_key(), category="drugs", join=drugs)):  # never shareable
        response = client.post(f"{PUBLIC}/reports", json=body)
        assert response.status_code == 409, response.text
    with db.read() as session:
        assert session.scalar(select(func.count(CitizenItem.id))) == 2
    joined = send(client, "/reports", report(new_key(), A_LAT + 0.0002, A_LON, join=target))
    assert joined["joined_to"] == target


def test_deleting_my_data_takes_my_words_and_trail_off_the_incident(
        client: TestClient, world: World) -> None:
    key = new_key()
    code = send(client, "/emergencies", emergency(key, message="บ้านเลขที่ 12/3 มีคนบุกรุก"))[
        "code"]
    fixes = [{"lat": A_LAT + 0.0004, "lon": A_LON, "accuracy_m": 8,
              "at": "2026-01-01T00:00:00+00:00"}]
    headers = world.headers(client, "a.operator")
    incident_id = item_by_code(client, headers, code)["incident_id"]
    send(client, f"/emergencies/{code}/fixes",
         {"fixes": [{**fixes[0], "at": _recent(client, headers, incident_id)}]},
         status=200, key=key)
    before = client.get(f"/api/v1/incidents/{incident_id}", headers=headers).json()
    assert before["detail"]["message"] and _trail(before)
    response = client.delete(f"{PUBLIC}/my-data/{code}", headers={"X-Caller-Key": key})
    assert response.status_code == 200, response.text
    after = client.get(f"/api/v1/incidents/{incident_id}", headers=headers).json()
    assert after["detail"]["message"] == "" and _trail(after) == []
    assert (after["lat"], after["lon"]) == (before["lat"], before["lon"])  # the police record


def test_a_ticket_whose_data_was_deleted_takes_nothing_more(client: TestClient, world: World,
                                                            db: Database) -> None:
    key = new_key()
    code = send(client, "/emergencies", emergency(key))["code"]
    assert client.delete(f"{PUBLIC}/my-data/{code}",
                         headers={"X-Caller-Key": key}).status_code == 200
    headers = {"X-Caller-Key": key}
    fix = {"lat": A_LAT, "lon": A_LON, "accuracy_m": 5, "at": "2030-01-01T00:00:00+00:00"}
    assert client.post(f"{PUBLIC}/tickets/{code}/messages", headers=headers,
                       json={"text": "ข้อมูลใหม่"}).status_code == 409
    assert client.post(f"{PUBLIC}/emergencies/{code}/fixes", headers=headers,
                       json={"fixes": [fix]}).status_code in {409, 422}
    assert client.post(f"{PUBLIC}/tickets/{code}/media", headers=headers,
                       files={"file": ("p.jpg", photo(), "image/jpeg")}).status_code == 409
    with db.read() as session:
        assert session.scalar(select(func.count(CitizenMessage.id))) == 0
        assert session.scalar(select(func.count(CitizenFix.id))) == 0
    # Pressing again is still help: a new emergency, never merged into the erased one.
    again = send(client, "/emergencies", emergency(key, message="ยังต้องการความช่วยเหลือ"))
    assert again["code"] != code and again["merged"] is False


def _trail(incident: dict[str, Any]) -> list[Any]:
    return [f for e in incident["timeline"] if e["entry"] == "trail"
            for f in e["detail"]["fixes"]]


def _recent(client: TestClient, headers: dict[str, str], incident_id: str) -> str:
    opened: str = client.get(f"/api/v1/incidents/{incident_id}", headers=headers).json()[
        "opened_at"]
    return opened


def test_a_place_shared_in_line_comes_from_line_only(client: TestClient, world: World,
                                                     db: Database) -> None:
    for path, body in (("/emergencies", emergency(new_key(), location_source="line")),
                       ("/reports", report(new_key(), location_source="line"))):
        response = client.post(f"{PUBLIC}{path}", json=body)
        assert response.status_code == 422, response.text
        assert response.json()["problems"][0]["field"] == "location_source"
    with db.read() as session:
        assert session.scalar(select(func.count(CitizenItem.id))) == 0


def test_deleting_my_data_stops_news_to_my_line_chat(client: TestClient, world: World,
                                                     db: Database) -> None:
    key = new_key()
    code = send(client, "/reports", report(key))["code"]
    with db.write() as session:
        station = session.scalar(select(CitizenItem.station_id).where(CitizenItem.code == code))
        channel = LineChannel(station_id=station, name="สภ.ทดสอบ", line_channel_id="1650000001",
                              secret_sealed="x", token_sealed="x", created_by="test",
                              created_at=datetime.now(UTC))
        session.add(channel)
        session.flush()
        session.add(LineTicket(channel_id=channel.id, user_hash="u" * 64, code=code,
                               kind="report", created_at=datetime.now(UTC)))
    assert client.delete(f"{PUBLIC}/my-data/{code}",
                         headers={"X-Caller-Key": key}).status_code == 200
    with db.read() as session:
        assert session.scalar(select(func.count(LineTicket.id))) == 0
