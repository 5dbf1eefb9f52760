"""The live loop end to end in one process: device intake -> inbox -> bus -> engine ->
incidents with docked cameras and recommended units -> people acting on them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from safetyzone.intake.models import InboxEvent
from safetyzone.ops.engine import sweep
from support.live import Devices, wait_for
from support.world import STATIONS, World

A_LAT, A_LON = STATIONS["ST-A"][1], STATIONS["ST-A"][2]


@pytest.fixture
def devices(client: TestClient, world: World, clock: ManualClock) -> Devices:
    return Devices(client, world, clock)


@pytest.fixture
def sos_token(devices: Devices) -> str:
    return devices.credential("ST-A", "asset", devices.asset_id("ST-A-SOS1"), "SOS pole 1")


def inbox_count(db: Database) -> int:
    with db.read() as s:
        return int(s.scalar(select(func.count(InboxEvent.seq))) or 0)


def test_sos_press_opens_a_p1_incident_with_cameras_and_units(
    devices: Devices, sos_token: str, client: TestClient, world: World,
) -> None:
    unit_id, _ = devices.unit("ST-A", "A-11", lat=A_LAT + 0.002, lon=A_LON)
    response = devices.post(sos_token, devices.sos())
    assert response.status_code == 200, response.text
    ack = response.json()
    assert ack["status"] == "accepted" and ack["seq"] > 0
    incident = wait_for(lambda: devices.incidents(kind="sos"))[0]
    assert incident["priority"] == 1
    assert incident["state"] == "new"
    assert incident["title_th"] == "กดปุ่ม SOS ที่ จุด SOS"
    cameras = incident["cameras"]
    assert cameras[0]["code"] == "ST-A-POLICE-P1-C1" and cameras[0]["reason"] == "bound"
    assert {c["code"] for c in cameras} <= {"ST-A-POLICE-P1-C1", "ST-A-SHOP-P1-C1"}
    assert all(c["live"] for c in cameras)  # live on alarm: an incident opens them
    detail = client.get(f"/api/v1/incidents/{incident['id']}", headers=devices.admin).json()
    assert [u["unit_id"] for u in detail["recommended_units"]] == [unit_id]
    # The SOS point stands 0.001° east of the zone centre, the car 0.002° north: ~247 m.
    assert detail["recommended_units"][0]["distance_m"] == pytest.approx(247, abs=3)
    assert detail["timeline"][0]["entry"] == "created"
    # Station B's operator does not see it; station A's does.
    assert devices.incidents("b.operator") == []
    assert [i["id"] for i in devices.incidents("a.operator")] == [incident["id"]]


def test_retry_gets_the_first_answer_and_stores_nothing_twice(
    devices: Devices, sos_token: str, db: Database,
) -> None:
    body = devices.sos()
    first = devices.post(sos_token, body)
    again = devices.post(sos_token, body)
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert inbox_count(db) == 1
    incident = wait_for(lambda: devices.incidents(kind="sos"))[0]
    assert incident["event_count"] == 1


def test_repeated_presses_merge_into_one_incident(devices: Devices, sos_token: str) -> None:
    for _ in range(3):
        assert devices.post(sos_token, devices.sos()).status_code == 200
    merged = wait_for(lambda: [i for i in devices.incidents(kind="sos")
                               if i["event_count"] == 3])
    assert len(devices.incidents(kind="sos")) == 1
    assert merged[0]["event_count"] == 3


@pytest.mark.parametrize(("body", "fragment"), [
    ({"kind": "sos.press"}, "device_event_id"),
    ({"kind": "teleport", "device_event_id": "x", "event_time": "2026-01-01T00:00:00Z"}, "kind"),
    ({"kind": "sos.press", "device_event_id": "x", "event_time": "yesterday"}, "event_time"),
    ({"kind": "sos.press", "device_event_id": "x", "event_time": "2026-01-01T00:00:00"},
     "timezone"),
    ({"kind": "gps.position", "device_event_id": "x", "event_time": "2026-01-01T00:00:00Z",
      "location": {"lat": 95.0, "lon": 100.0}}, "lat"),
    ({"kind": "gps.position", "device_event_id": "x", "event_time": "2026-01-01T00:00:00Z",
      "location": {"lat": 100.47, "lon": 13.73}}, "swapped"),
    ({"kind": "sos.press", "device_event_id": "x", "event_time": "2026-01-01T01:00:00Z"},
     "future"),
    ({"kind": "sos.press", "device_event_id": "x", "event_time": "2025-11-01T00:00:00Z"},
     "days old"),
    ({"kind": "sos.press", "device_event_id": "x", "event_time": "2026-01-01T00:00:00Z",
      "station_id": "00000000-0000-0000-0000-000000000000"}, "station_id"),
    ({"kind": "alarm", "device_event_id": "x", "event_time": "2026-01-01T00:00:00Z",
      "payload": {"category": "alien", "code": "ZZ", "protocol": "http"}}, "category"),
])
def test_bad_events_are_refused_and_change_nothing(
    devices: Devices, sos_token: str, db: Database, body: dict[str, Any], fragment: str,
) -> None:
    response = devices.post(sos_token, body)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert fragment in str(response.json())
    assert inbox_count(db) == 0


@pytest.mark.parametrize("raw", [b"{not json", b"", b"[]", b"\x00\xff" * 10, b"null"])
def test_garbage_bodies(devices: Devices, sos_token: str, db: Database, raw: bytes) -> None:
    response = devices.client.post("/api/v1/intake/events", content=raw, headers={
        "Authorization": f"Bearer {sos_token}", "Content-Type": "application/json"})
    assert response.status_code == 422
    assert inbox_count(db) == 0


def test_oversize_batch_is_refused(devices: Devices, sos_token: str, db: Database) -> None:
    events = [devices.sos(payload={"message": "ก" * 400}) for _ in range(1000)]
    response = devices.client.post("/api/v1/intake/events/batch", json={"events": events},
                                   headers={"Authorization": f"Bearer {sos_token}"})
    assert response.status_code == 413
    assert inbox_count(db) == 0


def test_batch_is_all_or_nothing(devices: Devices, sos_token: str, db: Database) -> None:
    good = [devices.sos() for _ in range(3)]
    bad = devices.sos(event_time=devices.at(timedelta(hours=2)))
    headers = {"Authorization": f"Bearer {sos_token}"}
    refused = devices.client.post("/api/v1/intake/events/batch",
                                  json={"events": [*good, bad]}, headers=headers)
    assert refused.status_code == 422
    assert refused.json()["problems"][0]["field"] == "events[3].event_time"
    assert inbox_count(db) == 0
    accepted = devices.client.post("/api/v1/intake/events/batch", json={"events": good},
                                   headers=headers)
    assert accepted.status_code == 200
    assert [a["device_event_id"] for a in accepted.json()["acks"]] == [
        e["device_event_id"] for e in good]
    assert inbox_count(db) == 3
    doubled = devices.client.post("/api/v1/intake/events/batch",
                                  json={"events": [good[0], good[0]]}, headers=headers)
    assert doubled.status_code == 422


def test_device_credentials_unknown_revoked_rotated(
    devices: Devices, sos_token: str, client: TestClient,
) -> None:
    for token in ("ssz_dev_0000000000000000.nope", "garbage", ""):
        response = devices.post(token, devices.sos())
        assert response.status_code == 401
    wrong_secret = sos_token.rsplit(".", 1)[0] + ".not-the-secret"
    assert devices.post(wrong_secret, devices.sos()).status_code == 401
    credential = client.get("/api/v1/devices", headers=devices.admin).json()[0]
    rotated = client.post(f"/api/v1/devices/{credential['id']}/rotate", headers=devices.admin)
    assert rotated.status_code == 200
    new_token = rotated.json()["token"]
    assert devices.post(new_token, devices.sos()).status_code == 200
    assert devices.post(sos_token, devices.sos()).status_code == 200  # grace period
    devices.clock.advance(timedelta(hours=25))
    assert devices.post(sos_token, devices.sos()).status_code == 401
    assert devices.post(new_token, devices.sos()).status_code == 200
    revoked = client.post(f"/api/v1/devices/{credential['id']}/revoke", headers=devices.admin)
    assert revoked.status_code == 200
    assert devices.post(new_token, devices.sos()).status_code == 401


def test_credentials_are_scoped(devices: Devices, client: TestClient, world: World) -> None:
    asset_b = devices.asset_id("ST-B-SOS1")
    a_commander = world.headers(client, "a.commander")
    response = client.post("/api/v1/devices", headers=a_commander, json={
        "station_code": "ST-A", "subject_kind": "asset", "subject_id": asset_b, "label": "x"})
    assert response.status_code == 404
    viewer = client.post("/api/v1/devices", headers=world.headers(client, "a.viewer"), json={
        "station_code": "ST-A", "subject_kind": "gateway", "label": "x"})
    assert viewer.status_code == 403


def test_incident_lifecycle_and_response_times(
    devices: Devices, sos_token: str, client: TestClient, world: World, clock: ManualClock,
) -> None:
    unit_id, _ = devices.unit("ST-A", "A-11", lat=A_LAT + 0.002, lon=A_LON)
    devices.post(sos_token, devices.sos(event_time=devices.at(timedelta(seconds=-2))))
    incident = wait_for(lambda: devices.incidents(kind="sos"))[0]
    path = f"/api/v1/incidents/{incident['id']}"
    op = world.headers(client, "a.operator")
    patrol = world.headers(client, "a.patrol")

    def act(suffix: str, body: dict[str, Any] | None = None,
            headers: dict[str, str] = op) -> dict[str, Any]:
        response = client.post(f"{path}/{suffix}", json=body, headers=headers)
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    illegal = client.post(f"{path}/transition", json={"to": "on_scene"}, headers=op)
    assert illegal.status_code == 409
    assert "cannot go from new to on_scene" in illegal.json()["detail"]
    clock.advance(timedelta(seconds=10))
    assert act("acknowledge")["acknowledged_by"] == "a.operator"
    second = client.post(f"{path}/acknowledge", headers=world.headers(client, "a.commander"))
    assert second.status_code == 409
    assert "already acknowledged by a.operator" in second.json()["detail"]
    clock.advance(timedelta(seconds=20))
    dispatched = act("dispatch", {"unit_id": unit_id})
    assert dispatched["state"] == "dispatched"
    assert dispatched["assigned_unit_ids"] == [unit_id]
    busy = client.post(f"{path}/dispatch", json={"unit_id": unit_id}, headers=op)
    assert busy.status_code == 409
    clock.advance(timedelta(seconds=60))
    status = client.post(f"/api/v1/units/{unit_id}/status", json={"status": "en_route"},
                         headers=patrol)
    assert status.status_code == 200
    clock.advance(timedelta(seconds=150))
    client.post(f"/api/v1/units/{unit_id}/status", json={"status": "on_scene"}, headers=patrol)
    assert client.get(path, headers=op).json()["state"] == "on_scene"
    clock.advance(timedelta(seconds=600))
    stale = client.post(f"{path}/transition", json={"to": "cleared", "expected_version": 1},
                        headers=op)
    assert stale.status_code == 409
    cleared = act("transition", {"to": "cleared", "note": "ผู้แจ้งปลอดภัย"})
    assert cleared["assigned_unit_ids"] == []
    assert client.get(f"/api/v1/units/{unit_id}", headers=op).json()["status"] == "available"
    no_reason = client.post(f"{path}/transition", json={"to": "closed"}, headers=op)
    assert no_reason.status_code == 422
    closed = act("transition", {"to": "closed", "disposition": "assisted"})
    assert closed["state"] == "closed"
    reopen = client.post(f"{path}/transition", json={"to": "acknowledged"}, headers=op)
    assert reopen.status_code == 409
    timeline = [e["entry"] for e in client.get(path, headers=op).json()["timeline"]]
    assert timeline[:3] == ["created", "transition", "dispatched"]
    times = client.get("/api/v1/stations/ST-A/response-times", params={
        "since": "2025-12-31T00:00:00Z"}, headers=op).json()
    receive = times["by_receive_time"]
    assert receive["acknowledge"] == {"count": 1, "p50_s": 10.0, "p90_s": 10.0}
    assert receive["dispatch"]["p50_s"] == 30.0
    assert receive["arrive"]["p50_s"] == 240.0
    assert receive["clear"]["p50_s"] == 840.0
    assert times["by_device_time"]["acknowledge"]["p50_s"] == 12.0
    viewer = client.post(f"{path}/notes", json={"text": "x"},
                         headers=world.headers(client, "a.viewer"))
    assert viewer.status_code == 403


def test_close_with_a_disposition_from_any_open_state_releases_units_and_is_audited(
    devices: Devices, sos_token: str, client: TestClient, world: World, clock: ManualClock,
) -> None:
    """"Acknowledge, dispatch, then close with a disposition": three acts, not seven."""
    unit_a, _ = devices.unit("ST-A", "A-11", lat=A_LAT + 0.002, lon=A_LON)
    unit_b, _ = devices.unit("ST-A", "A-12", lat=A_LAT - 0.002, lon=A_LON)
    devices.post(sos_token, devices.sos())
    incident = wait_for(lambda: devices.incidents(kind="sos"))[0]
    path = f"/api/v1/incidents/{incident['id']}"
    op = world.headers(client, "a.operator")
    assert client.post(f"{path}/acknowledge", headers=op).status_code == 200
    for unit in (unit_a, unit_b):
        response = client.post(f"{path}/dispatch", json={"unit_id": unit}, headers=op)
        assert response.status_code == 200, response.text
    clock.advance(timedelta(seconds=90))
    no_reason = client.post(f"{path}/transition", json={"to": "closed"}, headers=op)
    assert no_reason.status_code == 422
    assert client.get(path, headers=op).json()["state"] == "dispatched"  # changed nothing
    closed = client.post(f"{path}/transition", headers=op,
                         json={"to": "closed", "disposition": "false_alarm"})
    assert closed.status_code == 200, closed.text
    body = closed.json()
    assert body["state"] == "closed" and body["disposition"] == "false_alarm"
    assert body["assigned_unit_ids"] == []
    assert body["closed_at"] is not None and body["cleared_at"] == body["closed_at"]
    for unit in (unit_a, unit_b):
        assert client.get(f"/api/v1/units/{unit}", headers=op).json()["status"] == "available"
    timeline = client.get(path, headers=op).json()["timeline"]
    assert sorted(e["detail"]["unit_id"] for e in timeline if e["entry"] == "released") == \
        sorted([unit_a, unit_b])
    audit = client.get("/api/v1/audit", params={"action": "incident.closed"},
                       headers=world.headers(client, "a.commander")).json()["items"]
    assert len(audit) == 1
    assert audit[0]["username"] == "a.operator"
    assert audit[0]["detail"]["from"] == "dispatched"
    assert audit[0]["detail"]["disposition"] == "false_alarm"
    assert sorted(audit[0]["detail"]["released_unit_ids"]) == sorted([unit_a, unit_b])
    again = client.post(f"{path}/transition", headers=op,
                        json={"to": "closed", "disposition": "resolved"})
    assert again.status_code == 409


@pytest.mark.parametrize("reached", ["en_route", "on_scene"])
def test_an_incident_a_unit_is_working_on_closes_in_one_step(
    devices: Devices, sos_token: str, client: TestClient, world: World, reached: str,
) -> None:
    unit_id, _ = devices.unit("ST-A", "A-11", lat=A_LAT + 0.002, lon=A_LON)
    devices.post(sos_token, devices.sos())
    incident = wait_for(lambda: devices.incidents(kind="sos"))[0]
    path = f"/api/v1/incidents/{incident['id']}"
    op = world.headers(client, "a.operator")
    assert client.post(f"{path}/dispatch", json={"unit_id": unit_id}, headers=op).status_code \
        == 200
    status = client.post(f"/api/v1/units/{unit_id}/status", json={"status": reached},
                         headers=world.headers(client, "a.patrol"))
    assert status.status_code == 200, status.text
    assert client.get(path, headers=op).json()["state"] == reached
    closed = client.post(f"{path}/transition", headers=op,
                         json={"to": "closed", "disposition": "resolved"})
    assert closed.status_code == 200, closed.text
    assert closed.json()["state"] == "closed" and closed.json()["assigned_unit_ids"] == []
    assert client.get(f"/api/v1/units/{unit_id}", headers=op).json()["status"] == "available"


def test_unacknowledged_incident_escalates(
    devices: Devices, sos_token: str, db: Database, clock: ManualClock,
) -> None:
    devices.post(sos_token, devices.sos())
    incident = wait_for(lambda: devices.incidents(kind="sos"))[0]
    assert sweep(db, clock)["escalated"] == 0
    clock.advance(timedelta(seconds=61))
    assert sweep(db, clock)["escalated"] == 1
    escalated = devices.incidents(kind="sos")[0]
    assert escalated["escalation_level"] == 1 and escalated["id"] == incident["id"]
    assert sweep(db, clock)["escalated"] == 0  # not again before the next step
    clock.advance(timedelta(seconds=61))
    assert sweep(db, clock)["escalated"] == 1
    assert devices.incidents(kind="sos")[0]["escalation_level"] == 2


def test_gps_moves_units_flags_jumps_and_raises_officer_in_danger(
    devices: Devices, client: TestClient, clock: ManualClock,
) -> None:
    unit_id, token = devices.unit("ST-A", "A-12", lat=A_LAT, lon=A_LON)
    unit = lambda: client.get(f"/api/v1/units/{unit_id}", headers=devices.admin).json()  # noqa: E731
    clock.advance(timedelta(seconds=30))
    devices.post(token, devices.gps(A_LAT + 0.001, A_LON))
    wait_for(lambda: unit()["lat"] == A_LAT + 0.001)
    late = devices.gps(A_LAT - 0.003, A_LON, event_time=devices.at(timedelta(seconds=-20)))
    assert devices.post(token, late).status_code == 200
    clock.advance(timedelta(seconds=10))
    devices.post(token, devices.gps(A_LAT + 0.0015, A_LON))
    wait_for(lambda: unit()["lat"] == A_LAT + 0.0015)  # the late fix never moved it back
    clock.advance(timedelta(seconds=5))
    devices.post(token, devices.gps(18.79, 98.98))  # Chiang Mai in 5 seconds
    jumped = wait_for(lambda: unit() if unit()["position_suspect"] else None)
    assert jumped["lat"] == 18.79
    clock.advance(timedelta(seconds=5))
    devices.post(token, devices.gps(18.7901, 98.98, payload={"alarm": "sos"}))
    danger = wait_for(lambda: devices.incidents(kind="officer_in_danger"))[0]
    assert danger["priority"] == 1
    assert danger["source_unit_id"] == unit_id
    assert "สายตรวจ A-12" in danger["title_th"]


def test_bank_panic_names_the_bank(devices: Devices, client: TestClient) -> None:
    bank = client.post("/api/v1/assets", headers=devices.admin, json={
        "station_code": "ST-A", "zone_code": "Z-ST-A", "kind": "sos_point", "code": "BANK-1",
        "name_th": "ธนาคารกรุงไทย สาขาตลาดน้ำ", "name_en": "Krungthai Bank, market branch",
        "lat": A_LAT - 0.001, "lon": A_LON, "owner_class": "private_business",
        "attributes": {"site_kind": "bank"}})
    assert bank.status_code == 201
    token = devices.credential("ST-A", "asset", bank.json()["id"], "bank panel")
    response = devices.post(token, {"kind": "alarm", "device_event_id": "sia-1",
                                     "event_time": devices.at(), "payload": {
                                         "category": "hold_up", "code": "HA",
                                         "protocol": "SIA-DCS", "account": "1234"}})
    assert response.status_code == 200
    incident = wait_for(lambda: devices.incidents(kind="bank_alarm"))[0]
    assert incident["priority"] == 1
    assert incident["title_en"] == "Bank alarm at Krungthai Bank, market branch (hold_up)"


def test_silent_device_raises_a_maintenance_alert(
    devices: Devices, sos_token: str, db: Database, clock: ManualClock,
) -> None:
    devices.post(sos_token, devices.sos())
    wait_for(lambda: devices.incidents(kind="sos"))
    clock.advance(timedelta(minutes=59))
    assert sweep(db, clock)["silent"] == 0
    clock.advance(timedelta(minutes=2))
    assert sweep(db, clock)["silent"] == 1
    alert = devices.incidents(kind="maintenance")[0]
    assert alert["priority"] == 4
    assert alert["title_en"] == "Device silent: จุด SOS"  # the world's asset has no English name
    assert sweep(db, clock)["silent"] == 0  # once, until the device is heard again


def test_station_rules_are_data(devices: Devices, sos_token: str, client: TestClient,
                                world: World) -> None:
    headers = world.headers(client, "a.commander")
    defaults = client.get("/api/v1/stations/ST-A/rules", headers=headers).json()
    assert all(r["is_default"] for r in defaults)
    rule = {"name": "sos-p2", "position": 1, "trigger": {"event_kind": "sos.press"},
            "action": {"incident_kind": "sos", "priority": 2, "title_th": "ทดสอบ {source_th}",
                       "title_en": "Drill at {source_en}", "merge_window_s": 0}}
    saved = client.put("/api/v1/stations/ST-A/rules", json=[rule], headers=headers)
    assert saved.status_code == 200, saved.text
    assert [r["name"] for r in saved.json()] == ["sos-p2"]
    devices.post(sos_token, devices.sos())
    devices.clock.advance(timedelta(seconds=1))
    devices.post(sos_token, devices.sos())
    opened = wait_for(lambda: [i for i in devices.incidents(kind="sos")
                               if len(devices.incidents(kind="sos")) == 2])
    assert {i["priority"] for i in opened} == {2}
    assert client.put("/api/v1/stations/ST-B/rules", json=[rule],
                      headers=headers).status_code == 404
    bad = client.put("/api/v1/stations/ST-A/rules", headers=headers,
                     json=[{**rule, "action": {**rule["action"], "priority": 9}}])
    assert bad.status_code == 422
