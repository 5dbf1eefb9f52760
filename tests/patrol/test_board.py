"""The unit board: what a duty officer sees of every unit and does to units from the CCOC.

Progress heard on the radio is entered for the unit and the timeline says so; a unit that
still holds an incident is never taken out of service, off duty or made available without
being released; a reassignment moves a unit in one step.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from safetyzone.ops.models import Assignment
from support import changes
from support.live import Devices, wait_for
from support.world import World


def new_incident(devices: Devices, station: str = "ST-A") -> str:
    """An SOS press at the station's pole: an incident in state new."""
    token = devices.credential(station, "asset", devices.asset_id(f"{station}-SOS1"), "pole")
    before = {i["id"] for i in devices.incidents(station_code=station)}
    assert devices.post(token, devices.sos()).status_code == 200
    found: str = wait_for(lambda: next((i["id"] for i in devices.incidents(station_code=station)
                                        if i["id"] not in before), None))
    return found


def board(client: TestClient, headers: dict[str, str], **params: Any) -> dict[str, Any]:
    response = client.get("/api/v1/unit-board", headers=headers, params=params)
    assert response.status_code == 200, response.text
    return {row["code"]: row for row in response.json()}


def set_status(client: TestClient, headers: dict[str, str], unit_id: str, status: str,
               **extra: Any) -> Any:
    return client.post(f"/api/v1/unit-board/{unit_id}/status", headers=headers,
                       json={"status": status, **extra})


def test_the_board_shows_every_unit_with_its_fix_age_and_what_it_holds(
    client: TestClient, world: World, clock: ManualClock,
) -> None:
    devices = Devices(client, world, clock)
    car, _ = devices.unit("ST-A", "A-CAR-1", lat=13.731, lon=100.470)
    foot, _ = devices.unit("ST-A", "A-FOOT-1")
    devices.unit("ST-B", "B-CAR-1", lat=13.761, lon=100.550)
    operator = world.headers(client, "a.operator")
    incident = new_incident(devices)
    dispatched = client.post(f"/api/v1/incidents/{incident}/dispatch", headers=operator,
                             json={"unit_id": car})
    assert dispatched.status_code == 200, dispatched.text
    clock.advance(timedelta(minutes=11))
    rows = board(client, operator)
    assert set(rows) == {"A-CAR-1", "A-FOOT-1"}  # B's units are not in A's scope
    assert rows["A-CAR-1"]["status"] == "dispatched"
    assert rows["A-CAR-1"]["assignments"][0]["incident_id"] == incident
    assert rows["A-CAR-1"]["fix_age_s"] >= 660 and rows["A-CAR-1"]["stale_fix"]
    assert rows["A-FOOT-1"]["fix_age_s"] is None and rows["A-FOOT-1"]["assignments"] == []
    everyone = board(client, world.headers(client, "admin"))
    assert {"A-CAR-1", "B-CAR-1"} <= set(everyone)
    assert everyone["B-CAR-1"]["station_code"] == "ST-B"
    assert set(board(client, world.headers(client, "admin"), station_code="ST-B")) == {
        "B-CAR-1"}
    assert foot


def test_progress_heard_on_the_radio_is_entered_on_the_unit_s_behalf(
    client: TestClient, world: World, clock: ManualClock,
) -> None:
    devices = Devices(client, world, clock)
    car, _ = devices.unit("ST-A", "A-CAR-1", lat=13.731, lon=100.470)
    operator = world.headers(client, "a.operator")
    incident = new_incident(devices)
    client.post(f"/api/v1/incidents/{incident}/dispatch", headers=operator,
                json={"unit_id": car})
    for status in ("en_route", "on_scene", "cleared"):
        response = set_status(client, operator, car, status)
        assert response.status_code == 200, (status, response.text)
    detail = client.get(f"/api/v1/incidents/{incident}", headers=operator).json()
    assert detail["state"] == "cleared"
    behalf = [(e["to_state"], e["username"]) for e in detail["timeline"]
              if e["detail"].get("on_behalf_of") == "สายตรวจ A-CAR-1"]
    assert behalf == [("en_route", "a.operator"), ("on_scene", "a.operator"),
                      ("cleared", "a.operator")]
    assert board(client, operator)["A-CAR-1"]["status"] == "available"


def test_a_unit_holding_an_incident_is_not_taken_away_from_it_silently(
    client: TestClient, world: World, clock: ManualClock, db: Database,
) -> None:
    devices = Devices(client, world, clock)
    car, _ = devices.unit("ST-A", "A-CAR-1", lat=13.731, lon=100.470)
    operator = world.headers(client, "a.operator")
    incident = new_incident(devices)
    client.post(f"/api/v1/incidents/{incident}/dispatch", headers=operator,
                json={"unit_id": car})
    changes.install(db)
    before = changes.mark(db)
    for status in ("unavailable", "off_duty", "available"):
        response = set_status(client, operator, car, status, reason="ยางแตก")
        assert response.status_code == 409, (status, response.text)
        assert "release or reassign" in response.json()["detail"]
    assert set_status(client, operator, car, "unavailable").status_code == 409
    garbage = [{"status": "teleported"}, {"status": "unavailable", "reason": ""},
               {"status": "on_scene", "extra": 1}, {"status": "unavailable", "reason": "x" * 301}]
    for body in garbage:
        response = client.post(f"/api/v1/unit-board/{car}/status", headers=operator, json=body)
        assert response.status_code == 422, (body, response.text)
    assert not changes.since(db, before)
    # Released, it may go out of service, with a reason (audited).
    released = client.post(f"/api/v1/incidents/{incident}/units/{car}/release",
                           headers=operator)
    assert released.status_code == 200, released.text
    no_reason = set_status(client, operator, car, "unavailable")
    assert no_reason.status_code == 422 and no_reason.json()["problems"][0]["field"] == "reason"
    out = set_status(client, operator, car, "unavailable", reason="ยางแตก รอเปลี่ยน")
    assert out.status_code == 200 and out.json()["status"] == "unavailable"
    audit = client.get("/api/v1/audit", params={"action": "unit.out_of_service"},
                       headers=world.headers(client, "a.commander")).json()
    assert audit["items"][0]["reason"] == "ยางแตก รอเปลี่ยน"
    # A unit with nothing assigned cannot be "on scene".
    assert set_status(client, operator, car, "on_scene").status_code == 409


def test_a_unit_is_reassigned_in_one_step(client: TestClient, world: World,
                                          clock: ManualClock, db: Database) -> None:
    devices = Devices(client, world, clock)
    car, _ = devices.unit("ST-A", "A-CAR-1", lat=13.731, lon=100.470)
    operator = world.headers(client, "a.operator")
    first = new_incident(devices)
    client.post(f"/api/v1/incidents/{first}/dispatch", headers=operator, json={"unit_id": car})
    clock.advance(timedelta(minutes=10))  # past the SOS merge window: a second incident
    second = new_incident(devices)
    moved = client.post(f"/api/v1/unit-board/{car}/reassign", headers=operator,
                        json={"incident_id": second})
    assert moved.status_code == 200, moved.text
    assert moved.json()["assigned_unit_ids"] == [car]
    with db.read() as session:
        open_ones = list(session.scalars(select(Assignment.incident_id).where(
            Assignment.released_at.is_(None))))
    assert [str(i) for i in open_ones] == [second]
    old = client.get(f"/api/v1/incidents/{first}", headers=operator).json()
    assert old["state"] == "acknowledged"  # no unit left: back to waiting for one
    again = client.post(f"/api/v1/unit-board/{car}/reassign", headers=operator,
                        json={"incident_id": second})
    assert again.status_code == 409


@pytest.mark.parametrize("username", ["a.viewer", "a.patrol", "a.investigator"])
def test_only_those_who_act_on_incidents_change_units_from_the_board(
    client: TestClient, world: World, clock: ManualClock, username: str,
) -> None:
    devices = Devices(client, world, clock)
    car, _ = devices.unit("ST-A", "A-CAR-1", lat=13.731, lon=100.470)
    headers = world.headers(client, username)
    assert set_status(client, headers, car, "unavailable", reason="x").status_code == 403
    assert board(client, headers)["A-CAR-1"]["status"] == "available"
