"""A citizen's emergency: a P1 incident at once, presses merged, a trail that never moves
the incident, and the citizen's page following the incident through ack and dispatch."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from safetyzone.citizen import status as citizen_status
from safetyzone.citizen.models import CitizenFix, CitizenItem
from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from safetyzone.ops.models import FeedEntry, Incident, IncidentLog
from support.citizen import (
    A_LAT,
    A_LON,
    B_LAT,
    B_LON,
    OFFICER,
    emergency,
    item_by_code,
    new_key,
    send,
    ticket,
)
from support.live import Devices
from support.world import World


def _incidents(db: Database) -> list[Incident]:
    with db.read() as s:
        return list(s.scalars(select(Incident).where(Incident.kind == "citizen_emergency")))


def _log(db: Database, incident: Incident) -> list[IncidentLog]:
    with db.read() as s:
        return list(s.scalars(select(IncidentLog).where(
            IncidentLog.incident_id == incident.id).order_by(IncidentLog.id)))


def test_emergency_opens_a_p1_incident_at_its_station_at_once(
        client: TestClient, world: World, db: Database) -> None:
    # 50 m east of ST-B's police camera, which looks east (support.world).
    lat, lon = B_LAT + 0.001, B_LON + 0.0005
    answer = send(client, "/emergencies", emergency(new_key(), lat, lon, message="ช่วยด้วย"))
    assert answer["code"].startswith("E-") and answer["status"] == "new"
    assert answer["merged"] is False
    [incident] = _incidents(db)
    assert incident.priority == 1 and incident.state.value == "new"
    assert (incident.lat, incident.lon) == (lat, lon)
    assert incident.ack_deadline == incident.opened_at + timedelta(seconds=60)
    assert incident.detail["ticket"] == answer["code"]
    assert answer["code"] in incident.title_en
    with db.read() as s:
        item = s.scalar(select(CitizenItem).where(CitizenItem.code == answer["code"]))
        assert item is not None and item.incident_id == incident.id
        assert item.station_id == incident.station_id
        types = set(s.scalars(select(FeedEntry.type)))
    assert {"incident.created", "citizen.created"} <= types
    # The station whose zone holds the point got it: B's operator sees it, A's does not.
    b = world.headers(client, "b.operator")
    assert item_by_code(client, b, answer["code"])["station_code"] == "ST-B"
    a_rows = client.get(f"{OFFICER}/items", headers=world.headers(client, "a.operator")).json()
    assert answer["code"] not in {r["code"] for r in a_rows}
    # The incident docked the station's nearest cameras, as an SOS pole's would.
    assert [c["code"] for c in incident.cameras][:1] == ["ST-B-POLICE-P1-C1"]


def test_pressing_again_merges_and_never_opens_a_second_incident(
        client: TestClient, world: World, db: Database) -> None:
    key = new_key()
    first = send(client, "/emergencies", emergency(key))
    for _ in range(2):
        again = send(client, "/emergencies", emergency(key), status=200)
        assert again == {**first, "merged": True}
    [incident] = _incidents(db)
    assert incident.event_count == 3
    assert [e.entry for e in _log(db, incident)] == ["created", "merged", "merged"]
    row = item_by_code(client, world.headers(client, "a.operator"), first["code"])
    assert row["press_count"] == 3
    # Another phone (another key) at the same place is another caller: its own ticket.
    other = send(client, "/emergencies", emergency(new_key()))
    assert other["code"] != first["code"]
    assert len(_incidents(db)) == 2


def test_a_closed_emergency_is_not_reopened_by_its_key(
        client: TestClient, world: World, db: Database) -> None:
    key = new_key()
    first = send(client, "/emergencies", emergency(key))
    [incident] = _incidents(db)
    headers = world.headers(client, "a.operator")
    response = client.post(f"/api/v1/incidents/{incident.id}/transition", headers=headers,
                           json={"to": "closed", "disposition": "false_alarm"})
    assert response.status_code == 200, response.text
    second = send(client, "/emergencies", emergency(key))
    assert second["code"] != first["code"] and second["merged"] is False
    assert len(_incidents(db)) == 2


def test_fixes_are_a_trail_and_never_move_the_incident(
        client: TestClient, world: World, db: Database, clock: ManualClock) -> None:
    key = new_key()
    code = send(client, "/emergencies", emergency(key))["code"]
    fixes = [{"lat": A_LAT + 0.0005 * i, "lon": A_LON, "accuracy_m": 8,
              "at": (clock.now() + timedelta(seconds=10 * i)).isoformat()} for i in (1, 2)]
    assert send(client, f"/emergencies/{code}/fixes", {"fixes": fixes}, status=200,
                key=key) == {"accepted": 2}
    # A retry of the same fixes adds nothing.
    assert send(client, f"/emergencies/{code}/fixes", {"fixes": fixes}, status=200,
                key=key) == {"accepted": 0}
    [incident] = _incidents(db)
    assert (incident.lat, incident.lon) == (A_LAT, A_LON)
    trail = [e for e in _log(db, incident) if e.entry == "trail"]
    assert len(trail) == 1 and len(trail[0].detail["fixes"]) == 2
    with db.read() as s:
        item = s.scalar(select(CitizenItem).where(CitizenItem.code == code))
        assert item is not None and (item.lat, item.lon) == (A_LAT, A_LON)
        assert s.scalar(select(func.count(CitizenFix.id))) == 2
    detail = client.get(f"{OFFICER}/items/{item.id}",
                        headers=world.headers(client, "a.operator")).json()
    assert [f["lat"] for f in detail["fixes"]] == [A_LAT + 0.0005, A_LAT + 0.001]
    # Someone else's key, or none, cannot add to the trail; garbage changes nothing.
    assert client.post(f"/api/v1/public/emergencies/{code}/fixes", json={"fixes": fixes},
                       headers={"X-Caller-Key": new_key()}).status_code == 404
    assert client.post(f"/api/v1/public/emergencies/{code}/fixes",
                       json={"fixes": fixes}).status_code == 422
    late = [{**fixes[0], "at": (clock.now() + timedelta(hours=2)).isoformat()}]
    assert client.post(f"/api/v1/public/emergencies/{code}/fixes", json={"fixes": late},
                       headers={"X-Caller-Key": key}).status_code == 422
    with db.read() as s:
        assert s.scalar(select(func.count(CitizenFix.id))) == 2


def test_the_citizen_follows_ack_dispatch_and_arrival(
        client: TestClient, world: World, db: Database, clock: ManualClock) -> None:
    devices = Devices(client, world, clock)
    unit_id, unit_token = devices.unit("ST-A", "CAR-9", lat=A_LAT + 0.009, lon=A_LON)
    key = new_key()
    code = send(client, "/emergencies", emergency(key))["code"]
    [incident] = _incidents(db)
    headers = world.headers(client, "a.operator")
    assert ticket(client, code)["status"] == "new"

    clock.advance(timedelta(seconds=20))
    item_id = item_by_code(client, headers, code)["id"]
    response = client.post(f"{OFFICER}/items/{item_id}/acknowledge", headers=headers)
    assert response.status_code == 200, response.text
    page = ticket(client, code)
    assert (page["status"], page["status_th"]) == ("acknowledged", "เจ้าหน้าที่รับเรื่องแล้ว")
    assert page["unit"] is None

    clock.advance(timedelta(seconds=20))
    response = client.post(f"/api/v1/incidents/{incident.id}/dispatch", headers=headers,
                           json={"unit_id": unit_id})
    assert response.status_code == 200, response.text
    page = ticket(client, code)
    assert page["status"] == "dispatched"
    unit = page["unit"]
    assert unit["callsign"] == "สายตรวจ CAR-9"
    assert 990 < unit["distance_m"] < 1010  # 0.009 degrees of latitude
    # ETA: 1 km x 1.3 detour at a car's 8.3 m/s is 157 s: 3 minutes, rounded up.
    assert unit["eta_min"] == 3
    assert [s["status"] for s in page["steps"]] == ["new", "acknowledged", "dispatched"]

    response = client.post(f"/api/v1/units/{unit_id}/status", headers=headers,
                           json={"status": "on_scene"})
    assert response.status_code == 200, response.text
    page = ticket(client, code)
    assert page["status"] == "on_scene" and page["unit"]["eta_min"] == 0
    # The page never shows where the caller is, nor who they are.
    assert not {"lat", "lon", "contact", "description"} & set(page)

    # The sweeper brings the item itself (console filters, feed, LINE) in step.
    assert citizen_status.sync_all(db, clock) == 1
    assert citizen_status.sync_all(db, clock) == 0
    assert item_by_code(client, headers, code)["state"] == "on_scene"
    assert unit_token
