"""Checkpoint sessions (จุดตรวจ): planned by the station, logged by the officers on them
(once per Idempotency-Key), corrected from the console, summed per Bangkok day; station
scope, hostile input."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from safetyzone.audit.models import AuditEntry
from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from safetyzone.ops.models import FeedEntry
from safetyzone.patrol import plans
from safetyzone.patrol.plan_models import CheckpointEntry
from support.plans import EVENING, centre, make_unit
from support.world import World

CHECKPOINTS = "/api/v1/patrol/checkpoints"
OFFICER = "/api/v1/officer/checkpoints"


@pytest.fixture
def evening(clock: ManualClock) -> ManualClock:
    clock.advance(EVENING - clock.now())  # 19:00 Bangkok, 1 January 2026
    return clock


def session_body(station: str = "ST-A", **extra: Any) -> dict[str, Any]:
    lat, lon = centre(station)
    return {"station_code": station, "name_th": "จุดตรวจ ปากซอย 5", "name_en": "Soi 5 mouth",
            "lat": lat, "lon": lon, "starts_at": EVENING.isoformat(),
            "ends_at": (EVENING + timedelta(hours=3)).isoformat(),
            "staff": ["a.patrol", "ส.ต.อ. สมชาย"], **extra}


def create(client: TestClient, headers: dict[str, str], **extra: Any) -> dict[str, Any]:
    response = client.post(CHECKPOINTS, headers=headers, json=session_body(**extra))
    assert response.status_code == 201, response.text
    made: dict[str, Any] = response.json()
    return made


def log(client: TestClient, headers: dict[str, str], checkpoint: str, key: str | None,
        **counts: Any) -> Any:
    body = {"vehicles": 12, "persons": 15, "arrests": 1, "note": "ยาบ้า 20 เม็ด", **counts}
    extra = {} if key is None else {"Idempotency-Key": key}
    return client.post(f"{OFFICER}/{checkpoint}/log", headers={**headers, **extra}, json=body)


def test_a_session_sums_the_officers_log_and_the_consoles_corrections(
        client: TestClient, world: World, db: Database, evening: ManualClock) -> None:
    operator = world.headers(client, "a.operator")
    officer = world.headers(client, "a.patrol")
    made = create(client, operator)
    assert (made["status"], made["vehicles_checked"], made["entries"]) == ("planned", 0, 0)
    first = log(client, officer, made["id"], "key-0001-abcd")
    assert first.status_code == 201, first.text
    entry = first.json()
    assert (entry["username"], entry["vehicles"], entry["note"]) == ("a.patrol", 12,
                                                                     "ยาบ้า 20 เม็ด")
    # The phone's retry with the same key: the same entry, nothing added.
    again = log(client, officer, made["id"], "key-0001-abcd")
    assert again.status_code == 201 and again.json()["id"] == entry["id"]
    second = log(client, officer, made["id"], "key-0002-abcd", vehicles=8, persons=9,
                 arrests=0, note=None)
    assert second.status_code == 201
    detail = client.get(f"{CHECKPOINTS}/{made['id']}", headers=operator).json()
    assert (detail["status"], detail["vehicles_checked"], detail["persons_checked"],
            detail["arrests"], detail["entries"]) == ("active", 20, 24, 1, 2)
    assert [e["vehicles"] for e in detail["log"]] == [12, 8]
    # The station corrects a total: the log stays, later entries still add.
    fixed = client.patch(f"{CHECKPOINTS}/{made['id']}", headers=operator, json={
        "vehicles_checked": 25, "seized_note": "ยาบ้า 20 เม็ด, มีด 1 เล่ม"})
    assert fixed.status_code == 200, fixed.text
    assert (fixed.json()["vehicles_checked"], fixed.json()["persons_checked"]) == (25, 24)
    log(client, officer, made["id"], "key-0003-abcd", vehicles=5, persons=5, arrests=1)
    done = client.patch(f"{CHECKPOINTS}/{made['id']}", headers=operator,
                        json={"status": "done"}).json()
    assert (done["vehicles_checked"], done["persons_checked"], done["arrests"]) == (30, 29, 2)
    # Done: officers no longer log; the station may still correct it.
    late = log(client, officer, made["id"], "key-0004-abcd")
    assert late.status_code == 409
    assert client.patch(f"{CHECKPOINTS}/{made['id']}", headers=operator,
                        json={"arrests": 3}).json()["arrests"] == 3
    assert client.patch(f"{CHECKPOINTS}/{made['id']}", headers=operator,
                        json={"status": "active"}).status_code == 409
    with db.read() as s:
        assert s.scalar(select(func.count(CheckpointEntry.id))) == 3
        actions = list(s.scalars(select(AuditEntry.action).where(
            AuditEntry.entity == "patrol_checkpoint")))
        told = s.scalar(select(func.count(FeedEntry.seq)).where(
            FeedEntry.type == "patrol.checkpoint"))
    assert actions.count("patrol.checkpoint.log") == 3
    assert actions.count("patrol.checkpoint.update") == 3
    assert told == 1 + 3 + 3  # created, each entry, each correction


def test_the_days_figures_for_the_station_panel(
        client: TestClient, world: World, evening: ManualClock) -> None:
    operator = world.headers(client, "a.operator")
    officer = world.headers(client, "a.patrol")
    one = create(client, operator)
    create(client, operator, name_th="จุดตรวจ 2",
           starts_at=(EVENING + timedelta(hours=20)).isoformat(),  # 15:00 the next day
           ends_at=(EVENING + timedelta(hours=22)).isoformat())
    gone = create(client, operator, name_th="ยกเลิก")
    log(client, officer, one["id"], "key-aaaa-0001")
    log(client, officer, gone["id"], "key-aaaa-0002")
    client.patch(f"{CHECKPOINTS}/{gone['id']}", headers=operator, json={"status": "cancelled"})
    today = client.get(f"{CHECKPOINTS}/totals", headers=operator,
                       params={"station_code": "ST-A"}).json()
    assert today == {"station_code": "ST-A", "day": "2026-01-01", "sessions": 1,
                     "vehicles_checked": 12, "persons_checked": 15, "arrests": 1}
    tomorrow = client.get(CHECKPOINTS, headers=operator, params={
        "station_code": "ST-A", "day": "2026-01-02"}).json()
    assert [c["name_th"] for c in tomorrow] == ["จุดตรวจ 2"]
    listed = client.get(CHECKPOINTS, headers=world.headers(client, "a.viewer"),
                        params={"day": "2026-01-01"}).json()
    assert {c["status"] for c in listed} == {"active", "cancelled"}
    # The other station sees none of it.
    other = world.headers(client, "b.operator")
    assert client.get(CHECKPOINTS, headers=other).json() == []
    assert client.get(f"{CHECKPOINTS}/totals", headers=other,
                      params={"station_code": "ST-A"}).status_code == 404
    assert client.get(f"{CHECKPOINTS}/{one['id']}", headers=other).status_code == 404
    assert client.patch(f"{CHECKPOINTS}/{one['id']}", headers=other,
                        json={"arrests": 9}).status_code == 404
    assert client.post(CHECKPOINTS, headers=other, json=session_body()).status_code == 404


def test_only_the_officers_on_a_session_log_it(
        client: TestClient, world: World, db: Database, evening: ManualClock,
        monkeypatch: pytest.MonkeyPatch) -> None:
    operator = world.headers(client, "a.operator")
    admin = world.headers(client, "admin")
    unit = make_unit(client, admin, "ST-A", "C11")
    made = create(client, operator, staff=["someone.else"], unit_ids=[unit])
    officer = world.headers(client, "a.patrol")
    assert log(client, officer, made["id"], "key-bbbb-0001").status_code == 403
    listed = client.get(OFFICER, headers=officer).json()
    assert [(c["id"], c["mine"]) for c in listed] == [(made["id"], False)]
    # On shift with the session's unit (H1's shifts decide; stood in for here).
    monkeypatch.setattr(plans, "caller_unit", lambda session, scope: uuid.UUID(unit))
    assert client.get(OFFICER, headers=officer).json()[0]["mine"] is True
    entry = log(client, officer, made["id"], "key-bbbb-0002")
    assert entry.status_code == 201 and entry.json()["unit_id"] == unit
    # Not a duty for operators and viewers; another station's officer sees nothing.
    assert log(client, operator, made["id"], "key-bbbb-0003").status_code == 403
    assert client.get(OFFICER, headers=world.headers(client, "a.viewer")).status_code == 403
    with db.read() as s:
        assert s.scalar(select(func.count(CheckpointEntry.id))) == 1


def test_another_stations_session_looks_missing_to_an_officer(
        client: TestClient, world: World, evening: ManualClock) -> None:
    made = create(client, world.headers(client, "b.operator"), station="ST-B",
                  staff=["a.patrol"])
    officer = world.headers(client, "a.patrol")
    assert log(client, officer, made["id"], "key-cccc-0001").status_code == 404
    assert client.get(OFFICER, headers=officer).json() == []
    assert log(client, officer, str(uuid.uuid4()), "key-cccc-0002").status_code == 404


@pytest.mark.parametrize(("key", "counts"), [
    (None, {}),
    ("short", {}),
    ("has space in it", {}),
    ("k" * 65, {}),
    ("key-dddd-0001", {"vehicles": -1}),
    ("key-dddd-0001", {"vehicles": 10_001}),
    ("key-dddd-0001", {"arrests": 1.5}),
    ("key-dddd-0001", {"note": "x" * 1001}),
    ("key-dddd-0001", {"note": "bad\x1b[31m"}),
    ("key-dddd-0001", {"plates": ["1กข1234"]}),
])
def test_garbage_log_entries_are_refused(client: TestClient, world: World, db: Database,
                                         evening: ManualClock, key: str | None,
                                         counts: dict[str, Any]) -> None:
    made = create(client, world.headers(client, "a.operator"))
    response = log(client, world.headers(client, "a.patrol"), made["id"], key, **counts)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    with db.read() as s:
        assert s.scalar(select(func.count(CheckpointEntry.id))) == 0


@pytest.mark.parametrize(("change", "fragment"), [
    ({"ends_at": EVENING.isoformat()}, "ends_at"),
    ({"ends_at": (EVENING + timedelta(hours=25)).isoformat()}, "ends_at"),
    ({"starts_at": "2026-01-01T12:00:00"}, "starts_at"),
    ({"lat": 100.47, "lon": 13.73}, "lat"),
    ({"asset_id": str(uuid.uuid4())}, "asset_id"),
    ({"unit_ids": [str(uuid.uuid4())]}, "unit_ids"),
    ({"staff": ["x" * 65]}, "staff"),
    ({"name_th": ""}, "name_th"),
    ({"status": "done"}, "status"),
])
def test_garbage_sessions_are_refused(client: TestClient, world: World, evening: ManualClock,
                                      change: dict[str, Any], fragment: str) -> None:
    operator = world.headers(client, "a.operator")
    response = client.post(CHECKPOINTS, headers=operator, json=session_body(**change))
    assert response.status_code == 422, response.text
    assert fragment in response.text
    assert client.get(CHECKPOINTS, headers=operator).json() == []


def test_corrections_are_bounded_and_a_cancelled_session_stays_cancelled(
        client: TestClient, world: World, evening: ManualClock) -> None:
    operator = world.headers(client, "a.operator")
    made = create(client, operator)
    path = f"{CHECKPOINTS}/{made['id']}"
    for body in ({"vehicles_checked": -1}, {"arrests": 100_001}, {"status": "paused"},
                 {"vehicles_checked": None}, {"entries": 3}):
        assert client.patch(path, headers=operator, json=body).status_code == 422, body
    assert client.patch(path, headers=world.headers(client, "a.patrol"),
                        json={"arrests": 1}).status_code == 403
    assert client.patch(path, headers=operator, json={"status": "cancelled"}).status_code == 200
    assert client.patch(path, headers=operator, json={"arrests": 1}).status_code == 409
    assert client.patch(path, headers=operator, json={"status": "active"}).status_code == 409
    assert datetime.fromisoformat(client.get(path, headers=operator).json()[
        "starts_at"].replace("Z", "+00:00")) == EVENING.astimezone(UTC)
