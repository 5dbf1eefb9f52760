"""Red box 4.0 check-ins as the officer's phone sends them: what counts, what is refused
and why (in Thai), that every attempt is on record, and that station A stays out of B."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from safetyzone.audit.models import AuditEntry
from safetyzone.config import Settings
from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from safetyzone.ops.models import FeedEntry
from safetyzone.patrol import redbox
from safetyzone.patrol.redbox_models import CheckIn
from support.redbox import Desk, OnShift, later, otp_secret, refused
from support.world import World


@pytest.fixture
def desk(client: TestClient, db: Database, clock: ManualClock, world: World,
         settings: Settings) -> Desk:
    return Desk(client, db, clock, world, settings, OnShift(db, clock))


def _rows(db: Database) -> list[CheckIn]:
    with db.read() as session:
        return list(session.scalars(select(CheckIn).order_by(CheckIn.received_at)))


def test_printed_qr_checks_in_and_is_on_record(desk: Desk, db: Database) -> None:
    box = desk.box(name_th="ตู้แดงหน้าวัดพระศรีมหาธาตุ")
    assert desk.key(box) == {"mode": "printed", "version": 1, "otpauth_uri": None,
                             "payload_prefix": None}
    officer = desk.officer("a.patrol")
    response = desk.checkin(officer, desk.printed(box), metres_north=12)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["accepted"] is True
    assert body["box"]["name_th"] == "ตู้แดงหน้าวัดพระศรีมหาธาตุ"
    assert body["distance_m"] == pytest.approx(12, abs=0.2)
    assert body["message_th"] == "ลงชื่อที่ตู้แดงเรียบร้อย (ห่าง 12 ม.)"
    [row] = _rows(db)
    assert (row.accepted, row.unit_id, row.asset_id, row.code_digest) == (
        True, officer.unit_id, box, None)
    with db.read() as session:
        feed = session.scalars(select(FeedEntry).where(FeedEntry.type == "patrol.checkin")).all()
        assert [f.payload["box"]["id"] for f in feed] == [str(box)]
        audit = session.scalars(select(AuditEntry).where(
            AuditEntry.action == "patrol.checkin")).all()
        assert [a.detail["accepted"] for a in audit] == [True]


def test_rotating_code_checks_in_within_one_step(desk: Desk, clock: ManualClock) -> None:
    box = desk.box()
    issued = desk.key(box, "rotating")
    assert issued["otpauth_uri"].startswith("otpauth://totp/")
    assert "digits=8" in issued["otpauth_uri"]
    assert issued["payload_prefix"] == "SSZRB1:R:ST-A-RB01:ST-A:"
    officer = desk.officer("a.patrol")
    step = timedelta(seconds=desk.settings.patrol_totp_step_s)
    # The screen showed the previous step's code as the officer scanned: still good.
    code = desk.rotating(box, clock.now() - step)
    assert code.startswith(issued["payload_prefix"])
    assert desk.checkin(officer, code).status_code == 201
    # The secret in the URI is the one the server checks with (the box screen's view).
    assert otp_secret(issued["otpauth_uri"])


def test_rotating_code_outside_its_window_is_expired(desk: Desk, clock: ManualClock) -> None:
    box = desk.box()
    desk.key(box, "rotating")
    officer = desk.officer("a.patrol")
    old = desk.rotating(box, clock.now() - timedelta(minutes=5))
    body = refused(desk.checkin(officer, old), "expired")
    assert "หมดอายุ" in body["message_th"]


def test_new_key_retires_the_printed_sheet(desk: Desk) -> None:
    box = desk.box()
    desk.key(box)
    officer = desk.officer("a.patrol")
    sheet_v1 = desk.printed(box)
    assert desk.key(box)["version"] == 2
    body = refused(desk.checkin(officer, sheet_v1), "expired")
    assert body["message_th"].startswith("QR นี้ถูกยกเลิกแล้ว (รุ่น 1 ปัจจุบันรุ่น 2)")
    assert desk.checkin(officer, desk.printed(box)).status_code == 201
    # A printed sheet is worthless once the box shows rotating codes instead.
    desk.key(box, "rotating")
    refused(desk.checkin(officer, desk.printed(box)), "forged")


def test_too_far_says_how_far_in_thai(desk: Desk) -> None:
    box = desk.box()
    desk.key(box)
    body = refused(desk.checkin(desk.officer("a.patrol"), desk.printed(box),
                                metres_north=120), "too_far")
    assert body["message_th"] == "อยู่ห่างจากตู้แดง 120 ม. ต้องอยู่ภายใน 50 ม."
    assert body["message_en"] == "You are 120 m from the red box; you must be within 50 m."


def test_poor_accuracy_is_refused_before_distance(desk: Desk) -> None:
    box = desk.box()
    desk.key(box)
    body = refused(desk.checkin(desk.officer("a.patrol"), desk.printed(box), accuracy_m=80,
                                metres_north=300), "poor_accuracy")
    assert "คลาดเคลื่อน 80 ม. ต้องไม่เกิน 50 ม." in body["message_th"]


def test_a_rotating_code_counts_once_per_box(desk: Desk, db: Database) -> None:
    box = desk.box()
    desk.key(box, "rotating")
    first, second = desk.officer("a.patrol"), desk.officer("a.patrol2")
    code = desk.rotating(box, desk.clock.now())
    assert desk.checkin(first, code).status_code == 201
    refused(desk.checkin(second, code), "replayed")
    refused(desk.checkin(first, code), "replayed")
    with db.read() as session:
        assert session.scalar(select(func.count()).where(CheckIn.accepted.is_(True))) == 1


def test_same_unit_again_within_the_repeat_window(desk: Desk, clock: ManualClock) -> None:
    box = desk.box()
    desk.key(box)
    officer = desk.officer("a.patrol")
    code = desk.printed(box)
    assert desk.checkin(officer, code, at=later(clock, -11)).status_code == 201
    body = refused(desk.checkin(officer, code, at=later(clock, -5)), "repeat")
    assert "6 นาทีก่อน" in body["message_th"]
    assert desk.checkin(officer, code).status_code == 201  # 11 minutes after the first
    # Another unit at the same box is not a repeat.
    assert desk.checkin(desk.officer("a.patrol2"), code).status_code == 201


def test_off_shift_officer_is_refused_and_recorded(desk: Desk, db: Database) -> None:
    box = desk.box()
    desk.key(box)
    officer = desk.officer("a.patrol", on_shift=False)
    body = refused(desk.checkin(officer, desk.printed(box)), "off_shift")
    assert body["message_th"].startswith("ท่านยังไม่ได้เข้าเวร")
    [row] = _rows(db)
    assert (row.accepted, row.reason, row.unit_id, row.asset_id) == (
        False, "off_shift", None, box)


@pytest.mark.parametrize("tamper", ["mac", "garbage", "huge", "version", "station",
                                    "lowercase", "no key"])
def test_forged_codes(desk: Desk, db: Database, tamper: str) -> None:
    box = desk.box()
    unkeyed = desk.box()
    desk.key(box)
    good = desk.printed(box)
    code = {
        "mac": good[:-1] + ("A" if good[-1] != "A" else "B"),
        "garbage": "https://example.com/not-a-red-box",
        "huge": "SSZRB1:P:" + "X" * 10_240,
        "version": good.replace(":1:", ":7:"),
        "station": good.replace(":ST-A:", ":ST-B:"),
        "lowercase": good.lower(),
        "no key": f"SSZRB1:R:ST-A-RB{2:02d}:ST-A:12345678",
    }[tamper]
    assert unkeyed  # the "no key" box exists but was never given one
    officer = desk.officer("a.patrol")
    refused(desk.checkin(officer, code), "forged")
    [row] = _rows(db)
    assert row.accepted is False and row.station_id == officer.station_id


def test_another_stations_box_is_forged_for_me(desk: Desk, db: Database) -> None:
    b_box = desk.box("ST-B")
    desk.key(b_box)
    officer = desk.officer("a.patrol")
    body = refused(desk.checkin(officer, desk.printed(b_box), station="ST-B"), "forged")
    [row] = _rows(db)
    # Recorded at the officer's own station, naming no box of B's.
    assert (row.station_id, row.asset_id, row.distance_m) == (officer.station_id, None, None)
    assert str(row.id) == body["checkin_id"]


def test_stale_and_future_scans(desk: Desk, clock: ManualClock) -> None:
    box = desk.box()
    desk.key(box)
    officer = desk.officer("a.patrol")
    body = refused(desk.checkin(officer, desk.printed(box), at=later(clock, -61)), "stale")
    assert "นานเกิน 60 นาที" in body["message_th"]
    body = refused(desk.checkin(officer, desk.printed(box), at=later(clock, 5)), "stale")
    assert "เร็วไป 5 นาที" in body["message_th"]
    # Queued in a dead spot for 50 minutes: still counts.
    assert desk.checkin(officer, desk.printed(box), at=later(clock, -50)).status_code == 201


def test_rotating_code_with_a_wrong_phone_clock_is_stale(desk: Desk, clock: ManualClock
                                                         ) -> None:
    box = desk.box()
    desk.key(box, "rotating")
    officer = desk.officer("a.patrol")
    # The code is the screen's code now, but the phone says it scanned 3 hours later.
    refused(desk.checkin(officer, desk.rotating(box, clock.now()), at=later(clock, 180)),
            "stale")


def test_a_retry_gets_the_first_answer_once(desk: Desk, db: Database) -> None:
    box = desk.box()
    desk.key(box)
    officer = desk.officer("a.patrol")
    first = desk.checkin(officer, desk.printed(box), key="queued-checkin-0001")
    again = desk.checkin(officer, desk.printed(box), key="queued-checkin-0001")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    far = desk.checkin(officer, desk.printed(box), key="queued-checkin-0002", metres_north=90)
    far_again = desk.checkin(officer, desk.printed(box), key="queued-checkin-0002",
                             metres_north=90)
    assert far_again.json() == refused(far, "too_far")
    assert len(_rows(db)) == 2


def test_no_key_no_duty_no_record(desk: Desk, db: Database) -> None:
    box = desk.box()
    desk.key(box)
    officer = desk.officer("a.patrol")
    response = desk.client.post("/api/v1/officer/checkins", headers=officer.headers, json={
        "code": desk.printed(box), "scanned_at": desk.clock.now().isoformat(), "lat": 13.7,
        "lon": 100.5, "accuracy_m": 5})
    assert response.status_code == 422
    assert response.json()["problems"][0]["field"] == "Idempotency-Key"
    operator = desk.world.headers(desk.client, "a.operator")
    response = desk.client.post("/api/v1/officer/checkins", headers={
        **operator, "Idempotency-Key": "operator-try-1"}, json={
        "code": desk.printed(box), "scanned_at": desk.clock.now().isoformat(), "lat": 13.7,
        "lon": 100.5, "accuracy_m": 5})
    assert response.status_code == 403
    assert _rows(db) == []


def test_station_a_does_not_read_station_b(desk: Desk) -> None:
    a_box, b_box = desk.box("ST-A"), desk.box("ST-B")
    desk.key(a_box)
    desk.key(b_box)
    a, b = desk.officer("a.patrol"), desk.officer("b.patrol", "ST-B")
    assert desk.checkin(a, desk.printed(a_box)).status_code == 201
    assert desk.checkin(b, desk.printed(b_box), station="ST-B").status_code == 201
    mine = desk.client.get("/api/v1/checkins", headers=a.headers).json()
    assert [row["box"]["code"] for row in mine] == ["ST-A-RB01"]
    assert desk.client.get("/api/v1/checkins", params={"station_code": "ST-B"},
                           headers=a.headers).status_code == 404
    boxes = desk.client.get("/api/v1/red-boxes", headers=a.headers).json()
    assert [box["code"] for box in boxes] == ["ST-A-RB01"]
    everything = desk.client.get("/api/v1/checkins", headers=desk.admin).json()
    assert {row["station_code"] for row in everything} == {"ST-A", "ST-B"}


def test_accepted_checkins_for_compliance(desk: Desk, db: Database, clock: ManualClock
                                          ) -> None:
    box = desk.box()
    desk.key(box)
    officer = desk.officer("a.patrol")
    assert desk.checkin(officer, desk.printed(box), at=later(clock, -30)).status_code == 201
    refused(desk.checkin(officer, desk.printed(box), metres_north=400), "too_far")
    assert desk.checkin(officer, desk.printed(box)).status_code == 201
    with db.read() as session:
        found = redbox.accepted_checkins(session, station_id=officer.station_id,
                                         since=later(clock, -20), until=later(clock, 1))
        assert [(c.asset_id, c.accepted) for c in found] == [(box, True)]
        assert len(redbox.accepted_checkins(session, station_id=officer.station_id,
                                            since=later(clock, -60), until=later(clock, 1))) == 2


def test_a_racing_twin_of_a_rotating_code_is_replayed(desk: Desk, db: Database,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    box = desk.box()
    desk.key(box, "rotating")
    first, second = desk.officer("a.patrol"), desk.officer("a.patrol2")
    code = desk.rotating(box, desk.clock.now())
    assert desk.checkin(first, code).status_code == 201
    # The twin's check ran before the first one committed: the unique index catches it.
    monkeypatch.setattr(redbox, "_used", lambda session, case: False)
    refused(desk.checkin(second, code), "replayed")
    rows = _rows(db)
    assert [(r.accepted, r.reason) for r in rows] == [(True, None), (False, "replayed")]
    assert rows[0].code_digest == rows[1].code_digest is not None
