"""The officer's phone against a real runtime: positions and SOS through the inbox and the
engine, and a dispatch followed from the console's side to cleared."""

from __future__ import annotations

import io
import uuid
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import func, select

from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from safetyzone.intake.models import InboxEvent
from safetyzone.ops.models import IncidentLog
from safetyzone.patrol import officer
from safetyzone.patrol import retention as patrol_retention
from safetyzone.patrol.models import OfficerAction, OfficerPhoto
from support import citizen as citizen_phone
from support.live import Devices, wait_for
from support.officer import A_LAT, A_LON, Phone, add_officer, create_unit
from support.world import STATIONS, World

B_LAT, B_LON = STATIONS["ST-B"][1], STATIONS["ST-B"][2]


@pytest.fixture
def devices(client: TestClient, world: World, clock: ManualClock) -> Devices:
    return Devices(client, world, clock)


@pytest.fixture
def unit_a(client: TestClient, devices: Devices) -> str:
    return create_unit(client, devices.admin, "ST-A", "A-31")


@pytest.fixture
def phone(client: TestClient, world: World, clock: ManualClock) -> Phone:
    return Phone(client, world, clock, "a.patrol")


def read_unit(client: TestClient, devices: Devices, unit_id: str) -> dict[str, Any]:
    body: dict[str, Any] = client.get(f"/api/v1/units/{unit_id}", headers=devices.admin).json()
    return body


def inbox_count(db: Database) -> int:
    with db.read() as s:
        return int(s.scalar(select(func.count(InboxEvent.seq))) or 0)


def open_sos(devices: Devices) -> dict[str, Any]:
    """A citizen pressed the SOS pole of station A: a P1 incident to dispatch to."""
    token = devices.credential("ST-A", "asset", devices.asset_id("ST-A-SOS1"), "pole")
    assert devices.post(token, devices.sos()).status_code == 200
    incident: dict[str, Any] = wait_for(lambda: devices.incidents(kind="sos"))[0]
    return incident


def test_positions_move_the_unit_through_the_inbox(
        client: TestClient, devices: Devices, phone: Phone, unit_a: str, db: Database) -> None:
    refused = phone.post("/positions", {"fixes": [phone.fix()]}, key=None)
    assert refused.status_code == 409 and refused.json()["code"] == "off-shift"
    assert "ไม่ได้อยู่ในเวร" in refused.json()["detail"]
    assert inbox_count(db) == 0
    phone.start(unit_a)
    fixes = [phone.fix(A_LAT + 0.001 * i, A_LON, ago_s=30 - 10 * i, speed_mps=5,
                       heading_deg=90) for i in range(3)]
    stored = phone.post("/positions", {"fixes": fixes}, key=None)
    assert stored.status_code == 202, stored.text
    assert stored.json() == {"stored": 3, "duplicates": 0}
    unit = wait_for(lambda: (u := read_unit(client, devices, unit_a))["lat"] == fixes[2]["lat"]
                    and u)
    assert unit["lon"] == A_LON and unit["speed_mps"] == 5 and unit["heading_deg"] == 90
    # The phone lost the answer and sends the batch again, with one new fix; a fix repeated
    # inside one batch counts once.
    newer = phone.fix(A_LAT + 0.003, A_LON)
    again = phone.post("/positions", {"fixes": [*fixes, newer, newer]}, key=None)
    assert again.status_code == 202, again.text
    assert again.json() == {"stored": 1, "duplicates": 4}
    assert inbox_count(db) == 4
    wait_for(lambda: read_unit(client, devices, unit_a)["lat"] == newer["lat"])


@pytest.mark.parametrize("fix", [
    {"lat": A_LON, "lon": A_LAT},  # swapped
    {"lat": 51.5, "lon": -0.12},  # London
    {"lat": 91, "lon": A_LON},
    {"accuracy_m": -1}, {"accuracy_m": 10_001}, {"accuracy_m": "NaN"},
    {"at": "yesterday"}, {"at": "2026-01-01T00:00:00"},  # no time zone
    {"id": ""}, {"id": "x" * 65}, {"id": "bad id"}, {"speed_mps": 500},
    {"extra": True}])
def test_bad_fixes_store_nothing(phone: Phone, unit_a: str, db: Database,
                                 fix: dict[str, Any]) -> None:
    phone.start(unit_a)
    response = phone.post("/positions", {"fixes": [phone.fix(), {**phone.fix(), **fix}]},
                          key=None)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert inbox_count(db) == 0


def test_fix_times_are_held_to_the_intake_window(
        phone: Phone, unit_a: str, db: Database, clock: ManualClock) -> None:
    phone.start(unit_a)
    future = phone.fix()
    future["at"] = (clock.now() + timedelta(minutes=6)).isoformat()
    old = phone.fix(ago_s=8 * 86400)
    for fix, field in ((future, "fixes[1].at"), (old, "fixes[1].at")):
        response = phone.post("/positions", {"fixes": [phone.fix(), fix]}, key=None)
        assert response.status_code == 422, response.text
        assert [p["field"] for p in response.json()["problems"]] == [field]
    assert inbox_count(db) == 0
    for body in ({"fixes": []}, {"fixes": [phone.fix() for _ in range(101)]}, {}, [],
                 {"fixes": "x"}):
        assert phone.post("/positions", body, key=None).status_code == 422
    assert inbox_count(db) == 0


def test_an_sos_opens_a_p1_officer_in_danger_incident(
        client: TestClient, devices: Devices, phone: Phone, unit_a: str, db: Database,
        clock: ManualClock) -> None:
    sos = {"id": "sos-1", "at": clock.now().isoformat(), "lat": A_LAT, "lon": A_LON + 0.001,
           "accuracy_m": 6}
    refused = phone.post("/sos", sos, key=None)
    assert refused.status_code == 409
    assert "191" in refused.json()["detail"] and refused.json()["code"] == "off-shift"
    phone.start(unit_a)
    first = phone.post("/sos", sos, key=None)
    assert first.status_code == 202, first.text
    assert first.json()["duplicate"] is False
    incident = wait_for(lambda: devices.incidents(kind="officer_in_danger"))[0]
    assert incident["priority"] == 1 and incident["state"] == "new"
    assert "สายตรวจ A-31" in incident["title_th"]
    assert (incident["lat"], incident["lon"]) == (A_LAT, A_LON + 0.001)
    # The phone retries the alarm it sent: the same event, no second incident.
    retry = phone.post("/sos", sos, key=None)
    assert retry.json() == {"event_id": first.json()["event_id"], "duplicate": True}
    # Later fixes are the alarm's trail: the unit (and the console's map) follow them.
    clock.advance(timedelta(seconds=20))
    phone.post("/positions", {"fixes": [phone.fix(A_LAT, A_LON + 0.002)]}, key=None)
    wait_for(lambda: read_unit(client, devices, unit_a)["lon"] == A_LON + 0.002)
    assert len(devices.incidents(kind="officer_in_danger")) == 1
    assert inbox_count(db) == 2
    b_ops = devices.incidents("b.operator", kind="officer_in_danger")
    assert b_ops == []  # station B does not see station A's officer


def test_the_officer_says_safe_on_the_sos_incident_which_stays_open(
        client: TestClient, world: World, devices: Devices, phone: Phone, unit_a: str,
        clock: ManualClock) -> None:
    phone.start(unit_a)
    assert phone.post("/sos/safe", None, key="safe-too-early-1").status_code == 404
    phone.post("/sos", {"id": "sos-safe", "at": clock.now().isoformat(), "lat": A_LAT,
                        "lon": A_LON, "accuracy_m": 6}, key=None)
    incident = wait_for(lambda: devices.incidents(kind="officer_in_danger"))[0]
    first = phone.post("/sos/safe", None, key="safe-key-0001")
    assert first.status_code == 201, first.text
    again = phone.post("/sos/safe", None, key="safe-key-0001")  # the answer was lost: same key
    assert again.json() == first.json()
    operator = world.headers(client, "a.operator")
    detail = client.get(f"/api/v1/incidents/{incident['id']}", headers=operator).json()
    said = [e for e in detail["timeline"] if e["entry"] == "officer_safe"]
    assert len(said) == 1 and said[0]["username"] == "a.patrol"
    assert "ยืนยันทางวิทยุ" in said[0]["text"]
    assert detail["state"] == "new"  # never closed by the phone: the operator confirms


def test_an_sos_from_a_phone_with_a_wrong_clock_still_raises_the_alarm(
        devices: Devices, phone: Phone, unit_a: str, db: Database, clock: ManualClock) -> None:
    phone.start(unit_a)
    wrong = (clock.now() + timedelta(hours=7)).isoformat()  # local time sent as UTC
    sent = phone.post("/sos", {"id": "sos-clock", "at": wrong, "lat": A_LAT, "lon": A_LON,
                               "accuracy_m": 30}, key=None)
    assert sent.status_code == 202, sent.text
    incident = wait_for(lambda: devices.incidents(kind="officer_in_danger"))[0]
    assert incident["priority"] == 1
    with db.read() as s:
        row = s.scalar(select(InboxEvent))
        assert row is not None and row.event_time == clock.now()
        assert row.payload["attributes"] == {"phone_time": wrong}
    abroad = phone.post("/sos", {"id": "sos-abroad", "at": clock.now().isoformat(),
                                 "lat": 51.5, "lon": -0.12, "accuracy_m": 30}, key=None)
    assert abroad.status_code == 422 and "191" in abroad.json()["detail"]


def test_dispatch_to_cleared_from_the_phone_with_the_console_following(
        client: TestClient, world: World, devices: Devices, phone: Phone, unit_a: str,
        db: Database) -> None:
    phone.start(unit_a)
    incident = open_sos(devices)
    operator = world.headers(client, "a.operator")

    def console() -> dict[str, Any]:
        body: dict[str, Any] = client.get(f"/api/v1/incidents/{incident['id']}",
                                          headers=operator).json()
        return body

    assert phone.post("/incident/notes", {"text": "x"}).json()["code"] == "no-assignment"
    assert phone.post("/status", {"status": "en_route"}).json()["code"] == "no-assignment"
    dispatched = client.post(f"/api/v1/incidents/{incident['id']}/dispatch", headers=operator,
                             json={"unit_id": unit_a})
    assert dispatched.status_code == 200, dispatched.text
    me = phone.me()
    assignment = me["assignment"]
    assert assignment["id"] == incident["id"] and assignment["state"] == "dispatched"
    assert assignment["priority"] == 1 and assignment["kind"] == "sos"
    lat, lon = assignment["lat"], assignment["lon"]
    assert assignment["geo_uri"] == f"geo:{lat:.6f},{lon:.6f}?q={lat:.6f},{lon:.6f}"
    assert [c["code"] for c in assignment["cameras"]] == ["ST-A-POLICE-P1-C1"]
    assert me["shift"]["unit"]["status"] == "dispatched"
    # A unit on an assignment cannot declare itself free or walk away.
    assert phone.post("/status", {"status": "available"}).json()["code"] == "unit-busy"
    assert phone.post("/status", {"status": "cleared"}).status_code == 409  # not there yet

    en_route = phone.status("en_route")
    assert en_route["assignment"]["state"] == "en_route"
    assert console()["state"] == "en_route"
    on_scene = phone.status("on_scene")
    assert on_scene["assignment"]["state"] == "on_scene"
    assert on_scene["shift"]["unit"]["status"] == "on_scene"
    detail = console()
    assert detail["state"] == "on_scene" and detail["arrived_at"] is not None

    note = phone.post("/incident/notes", {"text": "ผู้แจ้งปลอดภัย รอรถพยาบาล"})
    assert note.status_code == 201, note.text
    assert note.json()["username"] == "a.patrol"
    timeline = console()["timeline"]
    entry = next(e for e in timeline if e["entry"] == "note")
    assert entry["text"] == "ผู้แจ้งปลอดภัย รอรถพยาบาล"
    assert entry["detail"]["via"] == "officer_app" and entry["username"] == "a.patrol"

    cleared = phone.status("cleared")
    assert cleared["assignment"] is None
    assert cleared["shift"]["unit"]["status"] == "available"
    after = console()
    assert after["state"] == "cleared" and after["assigned_unit_ids"] == []
    transitions = [(e["from_state"], e["to_state"], e["username"])
                   for e in after["timeline"] if e["entry"] == "transition"]
    assert transitions[-3:] == [("dispatched", "en_route", "a.patrol"),
                                ("en_route", "on_scene", "a.patrol"),
                                ("on_scene", "cleared", "a.patrol")]
    assert read_unit(client, devices, unit_a)["status"] == "available"
    assert phone.end()["unit"]["status"] == "off_duty"


def test_a_retried_note_is_written_once(client: TestClient, world: World, devices: Devices,
                                        phone: Phone, unit_a: str, db: Database) -> None:
    phone.start(unit_a)
    incident = open_sos(devices)
    client.post(f"/api/v1/incidents/{incident['id']}/dispatch",
                headers=world.headers(client, "a.operator"), json={"unit_id": unit_a})
    first = phone.post("/incident/notes", {"text": "ถึงแล้ว"}, key="note-key-0001")
    again = phone.post("/incident/notes", {"text": "ถึงแล้ว"}, key="note-key-0001")
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert again.json() == first.json()
    with db.read() as s:
        assert s.scalar(select(func.count(IncidentLog.id)).where(
            IncidentLog.entry == "note")) == 1
    assert len(phone.me()["assignment"]["notes"]) == 1
    for body in ({"text": ""}, {"text": "x" * 1001}, {"text": "bell\x07"}, {"note": "x"}, {}):
        assert phone.post("/incident/notes", body).status_code == 422


def test_photos_lose_their_exif_and_reach_the_console(
        client: TestClient, world: World, devices: Devices, phone: Phone, unit_a: str,
        db: Database) -> None:
    phone.start(unit_a)
    incident = open_sos(devices)
    client.post(f"/api/v1/incidents/{incident['id']}/dispatch",
                headers=world.headers(client, "a.operator"), json={"unit_id": unit_a})
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    out = io.BytesIO()
    Image.new("RGB", (80, 60), (200, 30, 30)).save(out, "JPEG", exif=exif.tobytes())
    sent = phone.post("/incident/photos", files={"file": ("scene.png", out.getvalue(),
                                                          "image/png")})
    assert sent.status_code == 201, sent.text
    created = sent.json()
    assert created["url"] == f"/api/v1/officer/incident/photos/{created['id']}"
    shown = client.get(created["url"], headers=world.headers(client, "a.operator"))
    assert shown.status_code == 200 and shown.headers["content-type"] == "image/jpeg"
    assert not Image.open(io.BytesIO(shown.content)).getexif()
    assert client.get(created["url"], params={"thumb": 1},
                      headers=world.headers(client, "a.viewer")).status_code == 200
    assert client.get(created["url"], headers=world.headers(client, "b.operator")
                      ).status_code == 404
    assert client.get(created["url"], headers=world.headers(client, "a.shop")
                      ).status_code == 403
    photos = phone.me()["assignment"]["photos"]
    assert [p["id"] for p in photos] == [created["id"]]
    timeline = client.get(f"/api/v1/incidents/{incident['id']}",
                          headers=devices.admin).json()["timeline"]
    assert any(e["entry"] == "photo" and e["detail"]["photo_id"] == created["id"]
               for e in timeline)


def test_bad_photos_are_refused_and_nothing_is_kept(
        client: TestClient, world: World, devices: Devices, phone: Phone, unit_a: str,
        db: Database, settings: Any) -> None:
    assert phone.post("/incident/photos", files={"file": (
        "a.jpg", citizen_phone.photo(), "image/jpeg")}).json()["code"] == "off-shift"
    phone.start(unit_a)
    no_job = phone.post("/incident/photos", files={"file": (
        "a.jpg", citizen_phone.photo(), "image/jpeg")})
    assert no_job.status_code == 409 and no_job.json()["code"] == "no-assignment"
    incident = open_sos(devices)
    client.post(f"/api/v1/incidents/{incident['id']}/dispatch",
                headers=world.headers(client, "a.operator"), json={"unit_id": unit_a})
    text = phone.post("/incident/photos", files={"file": ("a.jpg", b"not a photo",
                                                          "image/jpeg")})
    assert text.status_code == 415
    truncated = phone.post("/incident/photos", files={"file": (
        "a.jpg", citizen_phone.photo()[:200], "image/jpeg")})
    assert truncated.status_code == 422
    huge = phone.post("/incident/photos", files={"file": (
        "a.jpg", b"\xff" * (8 * 1024 * 1024 + 1), "image/jpeg")})
    assert huge.status_code == 413
    assert phone.post("/incident/photos", data={"x": "1"}).status_code == 422
    with db.read() as s:
        assert s.scalar(select(func.count(OfficerPhoto.id))) == 0
        assert s.scalar(select(func.count(OfficerAction.id)).where(
            OfficerAction.route == "officer.photo")) == 0
    media = settings.data_dir / "patrol-media"
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))
    missing = client.get(f"/api/v1/officer/incident/photos/{uuid.uuid4()}",
                         headers=devices.admin)
    assert missing.status_code == 404


def test_officer_routes_never_reach_another_station(
        client: TestClient, world: World, clock: ManualClock, db: Database, devices: Devices,
        phone: Phone, unit_a: str) -> None:
    add_officer(db, clock, "b.patrol", "ST-B")
    b_phone = Phone(client, world, clock, "b.patrol")
    unit_b = create_unit(client, devices.admin, "ST-B", "B-31")
    assert [u["code"] for u in b_phone.get("/units").json()] == ["B-31"]
    assert b_phone.post("/shift", {"unit_id": unit_a}).status_code == 404
    b_phone.start(unit_b)
    phone.start(unit_a)
    incident = open_sos(devices)  # station A's
    client.post(f"/api/v1/incidents/{incident['id']}/dispatch",
                headers=world.headers(client, "a.operator"), json={"unit_id": unit_a})
    assert b_phone.me()["assignment"] is None
    assert b_phone.post("/incident/notes", {"text": "x"}).json()["code"] == "no-assignment"
    # Station B's officer's fixes move station B's unit, nothing of station A's.
    b_phone.post("/positions", {"fixes": [b_phone.fix(B_LAT, B_LON)]}, key=None)
    wait_for(lambda: read_unit(client, devices, unit_b)["lat"] == B_LAT)
    assert read_unit(client, devices, unit_a)["lat"] is None


def test_a_photo_whose_transaction_fails_leaves_no_file(
        client: TestClient, world: World, devices: Devices, phone: Phone, unit_a: str,
        settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    phone.start(unit_a)
    incident = open_sos(devices)
    client.post(f"/api/v1/incidents/{incident['id']}/dispatch",
                headers=world.headers(client, "a.operator"), json={"unit_id": unit_a})

    def fail(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the timeline refused the entry")

    monkeypatch.setattr(officer.incidents, "unit_log", fail)
    with pytest.raises(RuntimeError):
        phone.post("/incident/photos", files={"file": ("a.jpg", citizen_phone.photo(3),
                                                       "image/jpeg")})
    media = settings.data_dir / "patrol-media"
    assert media.exists() and not any(p.is_file() for p in media.rglob("*"))


def test_retention_removes_old_photos_and_answers_and_keeps_shared_files(
        client: TestClient, world: World, devices: Devices, phone: Phone, unit_a: str,
        db: Database, clock: ManualClock, settings: Any) -> None:
    phone.start(unit_a)
    incident = open_sos(devices)
    client.post(f"/api/v1/incidents/{incident['id']}/dispatch",
                headers=world.headers(client, "a.operator"), json={"unit_id": unit_a})
    same = citizen_phone.photo(5)
    sent = [phone.post("/incident/photos", files={"file": (name, data, "image/jpeg")})
            for name, data in (("a.jpg", same), ("b.jpg", citizen_phone.photo(6)),
                               ("c.jpg", same))]
    assert [r.status_code for r in sent] == [201, 201, 201]
    old, other, twin = (uuid.UUID(r.json()["id"]) for r in sent)
    with db.write() as s:  # a and b were taken 400 days ago, c (the same bytes as a) today
        for photo in s.scalars(select(OfficerPhoto).where(OfficerPhoto.id.in_([old, other]))):
            photo.at -= timedelta(days=400)
    media = settings.data_dir / "patrol-media"
    files_before = {p for p in media.rglob("*") if p.is_file()}
    store = client.app.state.ctx.officer_media  # type: ignore[attr-defined]
    early = patrol_retention.run(db, clock, store=store, photo_days=500)
    assert (early.photos, early.answers) == (0, 0)

    clock.advance(timedelta(days=8))
    swept = patrol_retention.run(db, clock, store=store, photo_days=365)
    assert (swept.photos, swept.answers) == (2, 4)  # the shift's and the photos' answers
    operator = world.headers(client, "a.operator")
    assert client.get(f"/api/v1/officer/incident/photos/{old}", headers=operator
                      ).status_code == 404
    assert client.get(f"/api/v1/officer/incident/photos/{twin}", headers=operator
                      ).status_code == 200  # a's file stays: c names it
    left = {p for p in media.rglob("*") if p.is_file()}
    assert left < files_before and len(files_before - left) == 2  # b's photo and thumbnail
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(OfficerAction)) == 0
