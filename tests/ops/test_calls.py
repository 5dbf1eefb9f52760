"""Incidents entered by hand: a phone call, a 191 transfer, a walk-in, the radio, the counter.

Each goes through the HTTP API as the console sends it (``tests/fixtures/calls`` holds the
bodies), then through the same flows as a device's incident: dispatch, on scene, cleared,
closed. Bad input is refused whole: nothing is written, not even half an incident.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from safetyzone.ops import calls
from safetyzone.ops.models import FeedEntry, Incident, IncidentCall
from support.world import World

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "calls"


def body(name: str, **changes: Any) -> dict[str, Any]:
    """A sample body the console sends, with some fields changed (None removes one)."""
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text("utf-8"))
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def post(client: TestClient, headers: dict[str, str], data: dict[str, Any],
         key: str | None = None) -> Any:
    return client.post("/api/v1/calls", json=data,
                       headers={**headers, "Idempotency-Key": key or uuid.uuid4().hex})


def counts(db: Database) -> tuple[int, int, int]:
    with db.read() as session:
        return (session.scalar(select(func.count()).select_from(Incident)) or 0,
                session.scalar(select(func.count()).select_from(IncidentCall)) or 0,
                session.scalar(select(func.count()).select_from(FeedEntry)) or 0)


def test_the_form_offers_call_types_sources_the_notice_and_real_addresses(
    client: TestClient, world: World,
) -> None:
    operator = world.headers(client, "a.operator")
    catalog = client.get("/api/v1/calls/catalog", headers=operator).json()
    assert {s["key"] for s in catalog["sources"]} == {
        "transfer_191", "phone", "walk_in", "radio", "counter"}
    assert {g["key"] for g in catalog["groups"]} == {
        "life_body", "property", "sexual", "drugs", "weapons", "public_order", "traffic",
        "other"}
    assert {t["group"] for t in catalog["types"]} == {g["key"] for g in catalog["groups"]}
    assert "PDPA" not in catalog["notice_th"] and "90 วัน" in catalog["notice_th"]
    provinces = client.get("/api/v1/places/thai-address", headers=operator).json()["names"]
    assert len(provinces) == 77 and "พิษณุโลก" in provinces and "กรุงเทพมหานคร" in provinces
    districts = client.get("/api/v1/places/thai-address", headers=operator,
                           params={"province": "พิษณุโลก"}).json()["names"]
    assert "เมืองพิษณุโลก" in districts and len(districts) == 9
    subs = client.get("/api/v1/places/thai-address", headers=operator, params={
        "province": "พิษณุโลก", "district": "เมืองพิษณุโลก"}).json()["sub_districts"]
    assert {"name": "ในเมือง", "postcodes": ["65000"]} in subs
    missing = client.get("/api/v1/places/thai-address", headers=operator,
                         params={"province": "แอตแลนติส"})
    assert missing.status_code == 404
    assert client.get("/api/v1/places/thai-address", headers=operator,
                      params={"province": "ก" * 101}).status_code == 422
    partner = world.headers(client, "a.shop")
    assert client.get("/api/v1/calls/catalog", headers=partner).status_code == 403


def test_a_phone_call_opens_an_incident_taken_by_the_operator_and_keeps_the_caller_apart(
    client: TestClient, world: World, db: Database, clock: ManualClock,
) -> None:
    operator = world.headers(client, "a.operator")
    received = clock.now() - timedelta(minutes=3)
    response = post(client, operator, body("phone", received_at=received.isoformat()))
    assert response.status_code == 201, response.text
    incident, call = response.json()["incident"], response.json()["call"]
    assert incident["state"] == "acknowledged"
    assert incident["acknowledged_by"] == "a.operator"
    assert incident["kind"] == "fight" and incident["priority"] == 2  # the type's default
    assert incident["title_th"] == "ทะเลาะวิวาท · ต.ในเมือง อ.เมืองพิษณุโลก"
    assert datetime.fromisoformat(incident["device_time"]) == received  # the clock ran from then
    assert incident["detail"]["address"]["postcode"] == "65000"
    assert incident["detail"]["source_th"] == "โทรศัพท์"
    assert call["caller_name"] == "สมชาย ใจดี" and call["caller_phone"] == "0812345678"
    assert call["notice_version"] == calls.NOTICE_VERSION
    # The feed every console in scope follows (viewers too) never carries the caller.
    with db.read() as session:
        payloads = [e.payload for e in session.scalars(select(FeedEntry).where(
            FeedEntry.entity_id == uuid.UUID(incident["id"])))]
    assert payloads and "0812345678" not in json.dumps(payloads, ensure_ascii=False)
    # The description is the first line of the timeline, by the operator.
    detail = client.get(f"/api/v1/incidents/{incident['id']}", headers=operator).json()
    first = detail["timeline"][0]
    assert first["entry"] == "created" and first["username"] == "a.operator"
    assert first["text"] == body("phone")["description"]
    # Who acts sees the caller (an audited read); a viewer sees the call without them.
    seen = client.get(f"/api/v1/incidents/{incident['id']}/call", headers=operator).json()
    assert seen["caller_phone"] == "0812345678"
    viewer = world.headers(client, "a.viewer")
    hidden = client.get(f"/api/v1/incidents/{incident['id']}/call", headers=viewer).json()
    assert hidden["caller_name"] is None and hidden["caller_phone"] is None
    assert hidden["source"] == "phone"
    commander = world.headers(client, "a.commander")
    reads = client.get("/api/v1/audit", params={"action": "incident.caller_read"},
                       headers=commander).json()
    assert reads["total"] == 1 and reads["items"][0]["username"] == "a.operator"
    other = world.headers(client, "b.operator")
    assert client.get(f"/api/v1/incidents/{incident['id']}/call",
                      headers=other).status_code == 404


def test_an_incident_entered_by_hand_goes_through_the_same_flows_as_a_device_s(
    client: TestClient, world: World,
) -> None:
    operator = world.headers(client, "a.operator")
    admin = world.headers(client, "admin")
    unit = client.post("/api/v1/units", headers=admin, json={
        "station_code": "ST-A", "code": "A-CAR-1", "callsign": "ปิง 1", "kind": "car",
        "status": "available"})
    assert unit.status_code == 201, unit.text
    unit_id = unit.json()["id"]
    created = post(client, operator, body("radio"))
    assert created.status_code == 201, created.text
    incident_id = created.json()["incident"]["id"]
    assert created.json()["incident"]["lat"] == pytest.approx(13.7305)
    listed = client.get("/api/v1/incidents", headers=operator,
                        params={"state": "acknowledged"}).json()
    assert incident_id in {i["id"] for i in listed}
    steps = [("dispatch", {"unit_id": unit_id}),
             ("transition", {"to": "on_scene"}), ("transition", {"to": "cleared"}),
             ("transition", {"to": "closed", "disposition": "resolved"})]
    for path, data in steps:
        answer = client.post(f"/api/v1/incidents/{incident_id}/{path}", headers=operator,
                             json=data)
        assert answer.status_code == 200, (path, data, answer.text)
    final = client.get(f"/api/v1/incidents/{incident_id}", headers=operator).json()
    assert final["state"] == "closed" and final["disposition"] == "resolved"
    assert [e["entry"] for e in final["timeline"]][:2] == ["created", "dispatched"]


def test_a_191_case_number_is_one_incident_however_often_it_is_sent(
    client: TestClient, world: World, db: Database,
) -> None:
    operator = world.headers(client, "a.operator")
    no_ref = post(client, operator, body("transfer_191", external_ref=None))
    assert no_ref.status_code == 422
    assert no_ref.json()["problems"][0]["field"] == "external_ref"
    first = post(client, operator, body("transfer_191"))
    assert first.status_code == 201, first.text
    before = counts(db)
    again = post(client, operator, body("transfer_191"))  # a new key: a second transfer
    assert again.status_code == 409
    assert again.json()["code"] == "duplicate-call"
    assert first.json()["incident"]["id"] in again.json()["detail"]
    assert counts(db) == before
    # Another station's 191 case with the same number is its own case.
    other = post(client, world.headers(client, "b.operator"),
                 body("transfer_191", station_code="ST-B"))
    assert other.status_code == 201, other.text


def test_a_retried_submit_opens_one_incident(client: TestClient, world: World,
                                             db: Database) -> None:
    operator = world.headers(client, "a.operator")
    key = uuid.uuid4().hex
    first = post(client, operator, body("phone"), key=key)
    assert first.status_code == 201
    before = counts(db)
    retry = post(client, operator, body("phone"), key=key)
    assert retry.status_code == 201
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert retry.json()["incident"]["id"] == first.json()["incident"]["id"]
    assert counts(db) == before
    keyless = client.post("/api/v1/calls", json=body("phone"), headers=operator)
    assert keyless.status_code == 422
    assert counts(db) == before


def test_a_landmark_point_gives_the_place_and_docks_its_cameras(
    client: TestClient, world: World,
) -> None:
    operator = world.headers(client, "a.operator")
    response = post(client, operator, body("walk_in"))
    assert response.status_code == 201, response.text
    incident = response.json()["incident"]
    assert (incident["lat"], incident["lon"]) == (13.73, pytest.approx(100.4710))
    assert "ST-A-POLICE-P1-C1" in [c["code"] for c in incident["cameras"]]
    assert incident["title_th"].endswith("· จุด SOS")
    assert incident["priority"] == 1  # the operator's choice over the type's default (3)


def _hostile() -> list[tuple[str, dict[str, Any], str]]:
    now = datetime.now(UTC)
    caller = body("phone")["caller"]
    return [
        ("unknown type", body("phone", call_type="alien_invasion"), "call_type"),
        ("nowhere", body("phone", address=None), "say where"),
        ("lat without lon", body("phone", address=None, lat=13.7), "both lat and lon"),
        ("outside Thailand", body("phone", lat=51.5, lon=-0.12), "lat"),
        ("district of another province", body("phone", address={
            "province": "พิษณุโลก", "district": "บางรัก", "sub_district": "สีลม"}),
         "address.district"),
        ("sub-district of another district", body("phone", address={
            "province": "พิษณุโลก", "district": "นครไทย", "sub_district": "ในเมือง"}),
         "address.sub_district"),
        ("unknown province", body("phone", address={
            "province": "Atlantis", "district": "x", "sub_district": "y"}), "address.province"),
        ("no notice", body("phone", caller={**caller, "notice_given": False}),
         "caller.notice_given"),
        ("anonymous with a name", body("phone", caller={"anonymous": True, "name": "ก"}),
         "anonymous"),
        ("not a phone", body("phone", caller={**caller, "phone": "1-800-FLOWERS"}),
         "caller.phone"),
        ("from the future", body("phone", received_at=(now + timedelta(hours=1)).isoformat()),
         "received_at"),
        ("two days old", body("phone", received_at=(now - timedelta(days=2)).isoformat()),
         "received_at"),
        ("no time zone", body("phone", received_at="2026-12-01T10:00:00"), "time zone"),
        ("control characters", body("phone", description="ตีกัน\x1b[31m"), "control"),
        ("an extra field", body("phone", state="closed"), "state"),
        ("oversize", body("phone", description="ก" * 2001), "description"),
        ("priority 0", body("phone", priority=0), "priority"),
        ("another station's point", body("walk_in", landmark_asset_code="ST-B-SOS1"),
         "landmark_asset_code"),
        ("a 191 ref with spaces", body("transfer_191", external_ref="191 X"), "external_ref"),
    ]


def test_bad_calls_are_refused_whole_and_say_why(
    client: TestClient, world: World, db: Database,
) -> None:
    operator = world.headers(client, "a.operator")
    before = counts(db)
    for name, data, fragment in _hostile():
        response = post(client, operator, data)
        assert response.status_code == 422, (name, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert fragment in response.text, (name, response.text)
    garbage = client.post("/api/v1/calls", content=b"\xff{not json",
                          headers={**operator, "Idempotency-Key": uuid.uuid4().hex,
                                   "Content-Type": "application/json"})
    assert garbage.status_code == 400  # not JSON at all: the app's answer to any such body
    assert counts(db) == before


def test_only_those_who_act_on_incidents_log_calls_and_only_at_their_stations(
    client: TestClient, world: World, db: Database,
) -> None:
    before = counts(db)
    for username in ("a.viewer", "a.patrol", "a.shop", "a.volunteer"):
        response = post(client, world.headers(client, username), body("phone"))
        assert response.status_code == 403, (username, response.text)
    other = post(client, world.headers(client, "b.operator"), body("phone"))
    assert other.status_code == 404  # station A does not exist for B's operator
    assert counts(db) == before


def test_a_caller_is_erased_90_days_after_the_incident_closes(
    client: TestClient, world: World, db: Database, clock: ManualClock,
) -> None:
    operator = world.headers(client, "a.operator")
    created = post(client, operator, body("phone"))
    incident_id = created.json()["incident"]["id"]
    open_one = post(client, operator, body("radio")).json()["incident"]["id"]
    closed = client.post(f"/api/v1/incidents/{incident_id}/transition", headers=operator,
                         json={"to": "closed", "disposition": "resolved"})
    assert closed.status_code == 200, closed.text
    clock.advance(timedelta(days=89))
    assert calls.erase_callers(db, clock) == 0
    clock.advance(timedelta(days=2))
    assert calls.erase_callers(db, clock) == 1
    assert calls.erase_callers(db, clock) == 0  # once
    operator = world.headers(client, "a.operator")
    call = client.get(f"/api/v1/incidents/{incident_id}/call", headers=operator).json()
    assert call["caller_name"] is None and call["caller_phone"] is None
    assert call["caller_erased_at"] is not None
    incident = client.get(f"/api/v1/incidents/{incident_id}", headers=operator).json()
    assert incident["timeline"][0]["text"]  # the incident itself stays
    still = client.get(f"/api/v1/incidents/{open_one}/call", headers=operator).json()
    assert still["caller_erased_at"] is None
