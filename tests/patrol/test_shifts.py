"""Shifts from the officer's phone: joining a unit, leaving it, crews, station scope, and the
once-only answers (``Idempotency-Key``) every officer action rides on."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from safetyzone.audit import service as audit
from safetyzone.audit.models import AuditEntry
from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from safetyzone.ops.models import FeedEntry, IncidentLog
from safetyzone.org import auth
from safetyzone.org.models import User
from safetyzone.patrol import shifts
from safetyzone.patrol.models import OfficerAction, PatrolShift
from safetyzone.web.idempotency import once, refusal
from support.live import Devices, wait_for
from support.officer import Phone, add_officer, create_unit
from support.world import World


@pytest.fixture
def devices(client: TestClient, world: World, clock: ManualClock) -> Devices:
    return Devices(client, world, clock)


@pytest.fixture
def unit_a(client: TestClient, devices: Devices) -> str:
    return create_unit(client, devices.admin, "ST-A", "A-21")


@pytest.fixture
def phone(client: TestClient, world: World, clock: ManualClock) -> Phone:
    return Phone(client, world, clock, "a.patrol")


def unit_status(client: TestClient, devices: Devices, unit_id: str) -> str:
    status: str = client.get(f"/api/v1/units/{unit_id}", headers=devices.admin).json()["status"]
    return status


def test_a_shift_brings_the_unit_on_duty_and_ending_it_takes_it_off(
        client: TestClient, devices: Devices, phone: Phone, unit_a: str, db: Database) -> None:
    units = phone.get("/units").json()
    assert [u["code"] for u in units] == ["A-21"]
    assert units[0] == {"id": unit_a, "code": "A-21", "callsign": "สายตรวจ A-21",
                        "kind": "car", "status": "off_duty", "station_code": "ST-A", "crew": []}
    shift = phone.start(unit_a)
    assert shift["unit"]["id"] == unit_a and shift["unit"]["status"] == "available"
    assert shift["station_code"] == "ST-A" and shift["crew"] == ["a.patrol"]
    assert shift["ended_at"] is None
    assert unit_status(client, devices, unit_a) == "available"
    me = phone.me()
    assert me["user"] == {"username": "a.patrol", "display_name": "a.patrol",
                          "role": "patrol_officer"}
    assert me["shift"]["id"] == shift["id"] and me["assignment"] is None
    assert phone.get("/units").json()[0]["crew"] == ["a.patrol"]

    ended = phone.end()
    assert ended["id"] == shift["id"] and ended["ended_at"] is not None
    assert ended["crew"] == [] and ended["unit"]["status"] == "off_duty"
    assert phone.me()["shift"] is None
    with db.read() as s:
        assert [e.action for e in s.scalars(select(AuditEntry).where(
            AuditEntry.action.like("patrol.shift.%")).order_by(AuditEntry.id))] == [
            "patrol.shift.start", "patrol.shift.end"]
        feed = [(e.type, e.payload.get("event")) for e in s.scalars(
            select(FeedEntry).where(FeedEntry.type == "patrol.shift").order_by(FeedEntry.seq))]
        assert feed == [("patrol.shift", "started"), ("patrol.shift", "ended")]


def test_two_officers_crew_one_unit_and_the_last_one_out_takes_it_off_duty(
        client: TestClient, world: World, clock: ManualClock, db: Database, devices: Devices,
        phone: Phone, unit_a: str) -> None:
    add_officer(db, clock, "a.patrol2", "ST-A")
    second = Phone(client, world, clock, "a.patrol2")
    phone.start(unit_a)
    clock.advance(timedelta(seconds=5))
    joined = second.start(unit_a)
    assert joined["crew"] == ["a.patrol", "a.patrol2"]
    with db.read() as s:
        assert shifts.crew(s, unit_id=uuid.UUID(joined["unit"]["id"])) == ["a.patrol", "a.patrol2"]
        assert shifts.unit_on_shift(s, unit_id=uuid.UUID(joined["unit"]["id"]))
        one, two = (s.scalars(select(PatrolShift).order_by(PatrolShift.started_at)).all())
        assert one.device_id == two.device_id  # one officer-app credential per unit
    assert phone.end()["crew"] == ["a.patrol2"]
    assert unit_status(client, devices, unit_a) == "available"
    assert second.end()["unit"]["status"] == "off_duty"
    with db.read() as s:
        assert not shifts.unit_on_shift(s, unit_id=uuid.UUID(joined["unit"]["id"]))


def test_an_officer_is_on_one_shift_at_a_time(
        client: TestClient, devices: Devices, phone: Phone, unit_a: str) -> None:
    other = create_unit(client, devices.admin, "ST-A", "A-22")
    phone.start(unit_a)
    refused = phone.post("/shift", {"unit_id": other})
    assert refused.status_code == 409
    assert refused.headers["content-type"] == "application/problem+json"
    body = refused.json()
    assert body["code"] == "already-on-shift" and "สายตรวจ A-21" in body["detail"]
    assert unit_status(client, devices, other) == "off_duty"
    assert phone.end(status=200)["ended_at"]
    assert phone.post("/shift/end", {}).json()["code"] == "off-shift"


def test_nobody_leaves_a_unit_alone_on_an_open_assignment(
        client: TestClient, world: World, clock: ManualClock, db: Database, devices: Devices,
        phone: Phone, unit_a: str) -> None:
    sos = devices.credential("ST-A", "asset", devices.asset_id("ST-A-SOS1"), "pole")
    phone.start(unit_a)
    assert devices.post(sos, devices.sos()).status_code == 200
    incident = wait_for(lambda: devices.incidents(kind="sos"))[0]
    operator = world.headers(client, "a.operator")
    assert client.post(f"/api/v1/incidents/{incident['id']}/dispatch", headers=operator,
                       json={"unit_id": unit_a}).status_code == 200
    refused = phone.post("/shift/end", {})
    assert refused.status_code == 409, refused.text
    assert refused.json()["code"] == "unit-busy"
    assert incident["id"] in refused.json()["detail"]
    # A second officer may join and the first may then leave the unit to them.
    add_officer(db, clock, "a.patrol2", "ST-A")
    second = Phone(client, world, clock, "a.patrol2")
    second.start(unit_a)
    assert phone.end()["crew"] == ["a.patrol2"]
    assert second.post("/shift/end", {}).status_code == 409


def test_a_station_a_officer_cannot_join_a_station_b_unit(
        client: TestClient, devices: Devices, phone: Phone, db: Database) -> None:
    unit_b = create_unit(client, devices.admin, "ST-B", "B-21")
    refused = phone.post("/shift", {"unit_id": unit_b})
    assert refused.status_code == 404
    assert "B-21" not in refused.text
    assert all(u["station_code"] == "ST-A" for u in phone.get("/units").json())
    missing = phone.post("/shift", {"unit_id": "00000000-0000-0000-0000-000000000001"})
    assert missing.status_code == 404
    with db.read() as s:
        assert s.scalar(select(func.count(PatrolShift.id))) == 0
        assert s.scalar(select(func.count(OfficerAction.id))) == 0  # raised: nothing kept
    assert unit_status(client, devices, unit_b) == "off_duty"


@pytest.mark.parametrize("username", ["a.viewer", "a.operator", "a.investigator", "a.shop"])
def test_only_patrol_duty_starts_a_shift(client: TestClient, world: World, clock: ManualClock,
                                         unit_a: str, username: str) -> None:
    caller = Phone(client, world, clock, username)
    assert caller.post("/shift", {"unit_id": unit_a}).status_code == 403
    assert caller.get("/me").status_code == 403
    assert client.post("/api/v1/officer/shift", json={"unit_id": unit_a},
                       headers={"Idempotency-Key": "abcdefgh12"}).status_code == 401


def test_a_retry_gets_the_first_answer_and_does_nothing_again(
        client: TestClient, devices: Devices, phone: Phone, unit_a: str, db: Database) -> None:
    first = phone.post("/shift", {"unit_id": unit_a}, key="shift-start-0001")
    assert first.status_code == 201 and "Idempotent-Replayed" not in first.headers
    again = phone.post("/shift", {"unit_id": unit_a}, key="shift-start-0001")
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    # The same key on another action is a client bug, said plainly.
    reused = phone.post("/shift/end", {}, key="shift-start-0001")
    assert reused.status_code == 409 and reused.json()["code"] == "idempotency-key-reused"
    # Refusals the action raised are not kept: the same key works once it can.
    ended = phone.post("/shift/end", {}, key="shift-end-0001")
    assert ended.status_code == 200
    late = phone.post("/shift/end", {}, key="shift-end-0002")
    assert late.status_code == 409
    assert phone.post("/shift/end", {}, key="shift-end-0002").status_code == 409
    with db.read() as s:
        assert s.scalar(select(func.count(PatrolShift.id))) == 1
        assert sorted(s.scalars(select(OfficerAction.key))) == [
            "shift-end-0001", "shift-start-0001"]
        assert s.scalar(select(func.count(IncidentLog.id))) == 0


@pytest.mark.parametrize("key", [None, "", "short", "x" * 65, "has space!",
                                 "ผิดรูปแบบ12".encode()])
def test_a_missing_or_malformed_key_is_refused(phone: Phone, unit_a: str, db: Database,
                                               key: str | bytes | None) -> None:
    headers: dict[str, str | bytes] = dict(phone.headers)
    if key is not None:
        headers["Idempotency-Key"] = key
    response = phone.client.post("/api/v1/officer/shift", json={"unit_id": unit_a},
                                 headers=headers)
    assert response.status_code == 422, response.text
    assert response.json()["problems"][0]["field"] == "Idempotency-Key"
    with db.read() as s:
        assert s.scalar(select(func.count(PatrolShift.id))) == 0


@pytest.mark.parametrize("body", [None, {}, {"unit_id": "not-a-uuid"}, [],
                                  {"unit_id": None}, {"unit_id": "x", "extra": 1}, "garbage"])
def test_garbage_shift_bodies_are_refused(phone: Phone, db: Database, body: object) -> None:
    response = phone.post("/shift", body)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    with db.read() as s:
        assert s.scalar(select(func.count(OfficerAction.id))) == 0


def test_the_officer_app_credential_sends_positions_only(
        client: TestClient, devices: Devices, phone: Phone, unit_a: str, db: Database) -> None:
    phone.start(unit_a)
    with db.read() as s:
        shift = shifts.active_shift(s, user_id=s.scalar(select(PatrolShift.user_id)))
        assert shift is not None
        identity = shifts.officer_identity(s, shift)
    assert [k.value for k in identity.kinds] == ["gps.position"]
    assert str(identity.subject_id) == unit_a and identity.label == "officer app"
    listed = client.get("/api/v1/devices", headers=devices.admin).json()
    assert [d["subject_id"] for d in listed if d["label"] == "officer app"] == [unit_a]


def test_once_keeps_a_refusal_the_action_returns_and_nothing_of_one_it_raises(
        client: TestClient, world: World, db: Database, clock: ManualClock) -> None:
    """What H2's check-ins rely on: a refused check-in is a recorded fact, replayed as such."""
    ctx = client.app.state.ctx  # type: ignore[attr-defined]
    with db.read() as s:
        user = s.scalar(select(User).where(User.username == "a.patrol"))
        assert user is not None
        scope = auth.scope_for(s, user)

    def refused(session: Session) -> tuple[int, dict[str, Any]]:
        audit.record(session, actor=scope, at=clock.now(), action="test.refusal",
                     entity="test")
        return refusal(422, code="too-far", detail="120 m from the box", reason="too_far",
                       message_th="ไกลเกินไป", checkin_id=uuid.uuid4())

    first = once(ctx, scope, "checkin-key-01", "test.checkin", refused)
    again = once(ctx, scope, "checkin-key-01", "test.checkin", refused)
    assert first.status_code == again.status_code == 422
    assert first.media_type == again.media_type == "application/problem+json"
    assert again.headers["Idempotent-Replayed"] == "true"
    assert json.loads(bytes(first.body)) == json.loads(bytes(again.body))
    assert json.loads(bytes(first.body))["reason"] == "too_far"

    def broken(session: Session) -> tuple[int, dict[str, Any]]:
        audit.record(session, actor=scope, at=clock.now(), action="test.broken",
                     entity="test")
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        once(ctx, scope, "checkin-key-02", "test.checkin", broken)
    with db.read() as s:
        assert [a.action for a in s.scalars(select(AuditEntry).where(
            AuditEntry.action.like("test.%")))] == ["test.refusal"]
        assert sorted(s.scalars(select(OfficerAction.key))) == ["checkin-key-01"]
