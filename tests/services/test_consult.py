"""Legal consultation end to end through the API: consultants, slots, booking by a citizen,
retries, double booking, cancelling by either side, reminders, retention and scope."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from safetyzone.audit.models import AuditEntry
from safetyzone.citizen import notify
from safetyzone.citizen.models import CitizenItem, CitizenMessage
from safetyzone.config import Settings
from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from safetyzone.services import consult_sweep
from safetyzone.services.consult_models import ConsultRequest
from safetyzone.web.app import create_app
from support.consult import CONSULT, PUBLIC, booking, consultant, new_key, ok, slot
from support.world import World


class Recorder:
    """A notifier that remembers what each citizen would have been told."""

    def __init__(self) -> None:
        self.heard: list[tuple[str, str, str]] = []

    def changed(self, item: CitizenItem, what: str) -> None:
        self.heard.append(("changed", item.code, what))

    def message(self, item: CitizenItem, message: CitizenMessage) -> None:
        self.heard.append(("message", item.code, message.text))

    def service(self, notice: notify.ServiceNotice) -> None:
        self.heard.append((notice.code, notice.what, notice.th))


def sweep(db: Database, clock: ManualClock, **policy: timedelta) -> consult_sweep.Swept:
    return consult_sweep.run_sweep(db, clock, policy=consult_sweep.ServicesPolicy(**policy))


@pytest.fixture
def admin(client: TestClient, world: World) -> dict[str, str]:
    return world.headers(client, "admin")


@pytest.fixture
def open_slot(client: TestClient, admin: dict[str, str], clock: ManualClock) -> dict[str, Any]:
    who = consultant(client, admin, "a.operator")
    return slot(client, admin, who, clock.now() + timedelta(days=2))


@pytest.fixture
def recorder(client: TestClient) -> Recorder:
    heard = Recorder()
    client.app.state.ctx.notices.notifier = heard  # type: ignore[attr-defined]
    return heard


def test_a_citizen_books_a_free_slot_and_is_told(client: TestClient, open_slot: dict[str, Any],
                                                 recorder: Recorder) -> None:
    page = ok(client.get(f"{PUBLIC}/slots", params={"station_code": "ST-A"}))
    assert [s["id"] for s in page["slots"]] == [open_slot["id"]]
    assert "consultant" not in page["slots"][0]  # no officer's name on the public list
    assert page["topics"][0]["th"] and page["consent"]["version"] == "consult-2026-1"
    key = new_key()
    made = ok(client.post(f"{PUBLIC}/requests", json=booking(open_slot["id"], key)), 201)
    assert made["code"].startswith("C-") and made["state"] == "booked"
    # A retry with the same key is the same booking, not a second one.
    again = ok(client.post(f"{PUBLIC}/requests", json=booking(open_slot["id"], key)), 200)
    assert again["code"] == made["code"]
    assert recorder.heard == [(made["code"], "confirmed", recorder.heard[0][2])]
    assert "2569" in recorder.heard[0][2]  # Thai words, Buddhist Era year
    mine = ok(client.get(f"{PUBLIC}/requests/{made['code']}", headers={"X-Caller-Key": key}))
    assert mine["state"] == "booked" and mine["channel"]["key"] == "phone"
    assert [n["what"] for n in mine["notices"]] == ["confirmed"]
    assert mine["notices"][0]["th"].startswith("ยืนยันนัด")
    assert mine["video_url"] is None  # a phone consultation has no video room
    # Only with its key: another key, or none, finds nothing.
    assert client.get(f"{PUBLIC}/requests/{made['code']}",
                      headers={"X-Caller-Key": new_key()}).status_code == 404
    assert client.get(f"{PUBLIC}/requests/{made['code']}").status_code == 422
    # The slot is gone from the public list.
    assert ok(client.get(f"{PUBLIC}/slots", params={"station_code": "ST-A"}))["slots"] == []


def test_a_booked_slot_cannot_be_booked_again(client: TestClient, open_slot: dict[str, Any],
                                              db: Database) -> None:
    ok(client.post(f"{PUBLIC}/requests", json=booking(open_slot["id"])), 201)
    second = client.post(f"{PUBLIC}/requests", json=booking(open_slot["id"]))
    assert second.status_code == 409, second.text
    with db.read() as s:
        assert len(list(s.scalars(select(ConsultRequest)))) == 1


@pytest.mark.parametrize(("change", "status", "field"), [
    ({"consent": {"version": "old"}}, 422, "consent.version"),
    ({"topic": "astrology"}, 422, "topic"),
    ({"channel": "carrier_pigeon"}, 422, "channel"),
    ({"phone": "call me"}, 422, "phone"),
    ({"name": ""}, 422, "name"),
    ({"question": "x" * 2001}, 422, "question"),
    ({"name": "a\x00b"}, 422, "name"),
    ({"extra": 1}, 422, "extra"),
    ({"slot_id": "00000000-0000-0000-0000-000000000001"}, 404, "slot_id"),
    ({"channel": "post"}, 422, "post_id"),
])
def test_garbage_bookings_are_refused_and_change_nothing(
        client: TestClient, open_slot: dict[str, Any], db: Database, change: dict[str, Any],
        status: int, field: str) -> None:
    response = client.post(f"{PUBLIC}/requests", json=booking(open_slot["id"]) | change)
    assert response.status_code == status, response.text
    assert field in response.text
    with db.read() as s:
        assert list(s.scalars(select(ConsultRequest))) == []
    assert ok(client.get(f"{PUBLIC}/slots", params={"station_code": "ST-A"}))["slots"]


def test_slots_refuse_overlaps_bad_times_and_missing_video_rooms(
        client: TestClient, admin: dict[str, str], clock: ManualClock) -> None:
    who = consultant(client, admin, "a.operator")
    start = clock.now() + timedelta(days=1)
    slot(client, admin, who, start, minutes=60)

    def create(**body: Any) -> int:
        base = {"consultant_id": who, "starts_at": (start + timedelta(hours=3)).isoformat(),
                "ends_at": (start + timedelta(hours=4)).isoformat(), "channels": ["station"]}
        return client.post(f"{CONSULT}/slots", headers=admin, json=base | body).status_code

    assert create(starts_at=(start + timedelta(minutes=30)).isoformat(),
                  ends_at=(start + timedelta(minutes=90)).isoformat()) == 409
    assert create(starts_at=(clock.now() - timedelta(hours=1)).isoformat()) == 422
    assert create(ends_at=(start + timedelta(hours=3, minutes=5)).isoformat()) == 422
    assert create(ends_at=(start + timedelta(hours=9)).isoformat()) == 422
    assert create(starts_at=(start + timedelta(days=400)).isoformat(),
                  ends_at=(start + timedelta(days=400, hours=1)).isoformat()) == 422
    assert create(channels=["video"]) == 422
    assert create(channels=["video"], video_url="javascript:alert(1)") == 422
    assert create(channels=[]) == 422
    assert create(starts_at="2026-01-05T10:00:00") == 422  # no offset: whose 10:00?
    assert create() == 201  # back to back after the first is fine


def test_consultants_are_police_of_the_station(client: TestClient, admin: dict[str, str]
                                               ) -> None:
    def add(username: str, station: str = "ST-A") -> int:
        return client.post(f"{CONSULT}/consultants", headers=admin, json={
            "station_code": station, "username": username}).status_code

    assert add("a.operator") == 201
    assert add("a.operator") == 409  # twice
    assert add("a.shop") == 422  # a partner is an outsider
    assert add("a.volunteer") == 422  # volunteers take requests, they do not advise
    assert add("b.operator") == 422  # not of ST-A
    assert add("nobody") == 422
    listed = ok(client.get(f"{CONSULT}/consultants", headers=admin,
                           params={"station_code": "ST-A"}))
    assert [c["username"] for c in listed] == ["a.operator"]


def test_the_citizen_cancels_and_the_slot_is_offered_again(
        client: TestClient, open_slot: dict[str, Any], recorder: Recorder) -> None:
    key = new_key()
    code = ok(client.post(f"{PUBLIC}/requests", json=booking(open_slot["id"], key)), 201)["code"]
    page = ok(client.post(f"{PUBLIC}/requests/{code}/cancel", headers={"X-Caller-Key": key}))
    assert page["state"] == "cancelled_by_citizen"
    assert [n["what"] for n in page["notices"]] == ["confirmed", "cancelled"]
    assert client.post(f"{PUBLIC}/requests/{code}/cancel",
                       headers={"X-Caller-Key": key}).status_code == 409
    assert client.post(f"{PUBLIC}/requests/{code}/cancel",
                       headers={"X-Caller-Key": new_key()}).status_code == 404
    slots = ok(client.get(f"{PUBLIC}/slots", params={"station_code": "ST-A"}))["slots"]
    assert [s["id"] for s in slots] == [open_slot["id"]]
    assert ok(client.post(f"{PUBLIC}/requests", json=booking(open_slot["id"])), 201)
    assert [w for _, w, _ in recorder.heard] == ["confirmed", "cancelled", "confirmed"]


def test_the_station_cancels_with_a_reason_the_citizen_reads(
        client: TestClient, open_slot: dict[str, Any], world: World, db: Database) -> None:
    key = new_key()
    code = ok(client.post(f"{PUBLIC}/requests", json=booking(open_slot["id"], key)), 201)["code"]
    operator = world.headers(client, "a.operator")
    rows = ok(client.get(f"{CONSULT}/requests", headers=operator))
    assert [(r["code"], r["name"], r["phone"]) for r in rows] == [
        (code, "สมหญิง ใจงาม", "081 234 5678")]
    assert rows[0]["question"].startswith("โอนเงิน")
    # Another station's operator does not see it, nor can act on it.
    other = world.headers(client, "b.operator")
    assert ok(client.get(f"{CONSULT}/requests", headers=other)) == []
    assert client.post(f"{CONSULT}/requests/{rows[0]['id']}/cancel", headers=other,
                       json={"reason": "x"}).status_code == 404
    assert client.post(f"{CONSULT}/requests/{rows[0]['id']}/cancel", headers=operator,
                       json={"reason": ""}).status_code == 422
    done = ok(client.post(f"{CONSULT}/requests/{rows[0]['id']}/cancel", headers=operator,
                          json={"reason": "ผู้ให้คำปรึกษาติดราชการ"}))
    assert done["state"] == "cancelled_by_station"
    page = ok(client.get(f"{PUBLIC}/requests/{code}", headers={"X-Caller-Key": key}))
    assert "ผู้ให้คำปรึกษาติดราชการ" in page["notices"][-1]["th"]
    with db.read() as s:
        actions = [a.action for a in s.scalars(select(AuditEntry).where(
            AuditEntry.entity == "consult_request").order_by(AuditEntry.id))]
    assert actions == ["consult.request.create", "consult.request.cancel"]


def test_withdrawing_a_booked_slot_cancels_its_booking(
        client: TestClient, open_slot: dict[str, Any], admin: dict[str, str]) -> None:
    key = new_key()
    code = ok(client.post(f"{PUBLIC}/requests", json=booking(open_slot["id"], key)), 201)["code"]
    withdrawn = ok(client.post(f"{CONSULT}/slots/{open_slot['id']}/cancel", headers=admin,
                               json={"reason": "งดให้บริการวันหยุดราชการ"}))
    assert withdrawn["state"] == "cancelled" and withdrawn["request_code"] is None
    page = ok(client.get(f"{PUBLIC}/requests/{code}", headers={"X-Caller-Key": key}))
    assert page["state"] == "cancelled_by_station"
    assert ok(client.get(f"{PUBLIC}/slots", params={"station_code": "ST-A"}))["slots"] == []


def test_closing_waits_for_the_slot(client: TestClient, open_slot: dict[str, Any],
                                    world: World, clock: ManualClock) -> None:
    ok(client.post(f"{PUBLIC}/requests", json=booking(open_slot["id"])), 201)
    operator = world.headers(client, "a.operator")
    request_id = ok(client.get(f"{CONSULT}/requests", headers=operator))[0]["id"]
    assert client.post(f"{CONSULT}/requests/{request_id}/close", headers=operator,
                       json={"outcome": "held"}).status_code == 409
    clock.advance(timedelta(days=2, minutes=5))
    operator = world.headers(client, "a.operator")  # a fresh login: tokens are short-lived
    assert client.post(f"{CONSULT}/requests/{request_id}/close", headers=operator,
                       json={"outcome": "booked"}).status_code == 422
    assert ok(client.post(f"{CONSULT}/requests/{request_id}/close", headers=operator,
                          json={"outcome": "held"}))["state"] == "held"


def test_one_reminder_before_the_slot(client: TestClient, open_slot: dict[str, Any],
                                      db: Database, clock: ManualClock,
                                      recorder: Recorder) -> None:
    key = new_key()
    code = ok(client.post(f"{PUBLIC}/requests", json=booking(open_slot["id"], key)), 201)["code"]
    assert sweep(db, clock).reminded == 0
    clock.advance(timedelta(hours=25))  # the slot is 23 hours away now
    assert sweep(db, clock).reminded == 1
    assert sweep(db, clock).reminded == 0
    assert [w for c, w, _ in recorder.heard if c == code] == ["confirmed", "reminder"]
    page = ok(client.get(f"{PUBLIC}/requests/{code}", headers={"X-Caller-Key": key}))
    assert page["notices"][-1]["th"].startswith("เตือนความจำ")


def test_a_booking_inside_the_reminder_window_gets_no_reminder(
        client: TestClient, admin: dict[str, str], db: Database, clock: ManualClock) -> None:
    who = consultant(client, admin, "a.operator")
    soon = slot(client, admin, who, clock.now() + timedelta(hours=3))
    ok(client.post(f"{PUBLIC}/requests", json=booking(soon["id"])), 201)
    assert sweep(db, clock).reminded == 0


def test_retention_erases_the_citizens_data_and_keeps_the_record(
        client: TestClient, open_slot: dict[str, Any], world: World, db: Database,
        clock: ManualClock) -> None:
    key = new_key()
    code = ok(client.post(f"{PUBLIC}/requests", json=booking(open_slot["id"], key)), 201)["code"]
    clock.advance(timedelta(days=2 + 30))
    assert sweep(db, clock, retain_requests=timedelta(days=30)).requests_erased == 0
    clock.advance(timedelta(days=1))
    assert sweep(db, clock, retain_requests=timedelta(days=30)).requests_erased == 1
    row = ok(client.get(f"{CONSULT}/requests", headers=world.headers(client, "a.operator")))[0]
    assert (row["code"], row["name"], row["phone"], row["question"], row["erased"]) == (
        code, None, None, None, True)
    with db.read() as s:
        entry = s.scalar(select(AuditEntry).where(
            AuditEntry.action == "consult.retention_erase"))
        assert entry is not None and entry.detail == {"code": code}


def test_public_routes_are_throttled(db: Database, world: World, clock: ManualClock,
                                     settings: Settings) -> None:
    tight = settings.model_copy(update={"citizen_read_per_minute": 2,
                                        "citizen_write_per_minute": 2})
    with TestClient(create_app(tight, db, clock)) as client:
        reads = [client.get(f"{PUBLIC}/slots", params={"station_code": "ST-A"}).status_code
                 for _ in range(3)]
        writes = [client.post(f"{PUBLIC}/requests/C-AAAAAAAA/cancel",
                              headers={"X-Caller-Key": new_key()}).status_code
                  for _ in range(3)]
    assert reads == [200, 200, 429] and writes == [404, 404, 429]


def test_station_b_sees_none_of_station_a_consultations(
        client: TestClient, open_slot: dict[str, Any], world: World) -> None:
    ok(client.post(f"{PUBLIC}/requests", json=booking(open_slot["id"])), 201)
    other = world.headers(client, "b.operator")
    for path in ("/consultants", "/slots", "/requests"):
        assert ok(client.get(f"{CONSULT}{path}", headers=other)) == [], path
        assert client.get(f"{CONSULT}{path}", headers=other,
                          params={"station_code": "ST-A"}).status_code == 404
    assert client.post(f"{CONSULT}/slots/{open_slot['id']}/cancel", headers=other,
                       json={"reason": "x"}).status_code == 404
    assert client.post(f"{CONSULT}/slots", headers=other, json={
        "consultant_id": open_slot["consultant_id"], "starts_at": open_slot["ends_at"],
        "ends_at": "2027-01-01T00:00:00+00:00", "channels": ["phone"]}).status_code == 404
    mine = ok(client.get(f"{CONSULT}/slots", headers=world.headers(client, "a.viewer")))
    assert [(s["id"], s["state"]) for s in mine] == [(open_slot["id"], "booked")]
    assert mine[0]["request_code"] is not None


def test_the_video_room_is_shown_only_to_its_citizen_while_booked(
        client: TestClient, open_slot: dict[str, Any]) -> None:
    key = new_key()
    code = ok(client.post(f"{PUBLIC}/requests", json=booking(open_slot["id"], key,
                                                             channel="video")), 201)["code"]
    page = ok(client.get(f"{PUBLIC}/requests/{code}", headers={"X-Caller-Key": key}))
    assert page["video_url"] == "https://meet.police.invalid/room-1"
    assert "meet.police" not in client.get(f"{PUBLIC}/slots",
                                           params={"station_code": "ST-A"}).text
    page = ok(client.post(f"{PUBLIC}/requests/{code}/cancel", headers={"X-Caller-Key": key}))
    assert page["video_url"] is None


def test_removing_a_consultant_closes_open_slots_and_keeps_bookings(
        client: TestClient, admin: dict[str, str], clock: ManualClock) -> None:
    who = consultant(client, admin, "a.operator")
    booked = slot(client, admin, who, clock.now() + timedelta(days=1))
    free = slot(client, admin, who, clock.now() + timedelta(days=2))
    ok(client.post(f"{PUBLIC}/requests", json=booking(booked["id"])), 201)
    assert ok(client.delete(f"{CONSULT}/consultants/{who}", headers=admin))["active"] is False
    assert client.delete(f"{CONSULT}/consultants/{who}", headers=admin).status_code == 409
    states = {s["id"]: s["state"] for s in ok(client.get(f"{CONSULT}/slots", headers=admin))}
    assert states == {booked["id"]: "booked", free["id"]: "cancelled"}
    assert client.post(f"{CONSULT}/slots", headers=admin, json={
        "consultant_id": who, "starts_at": (clock.now() + timedelta(days=3)).isoformat(),
        "ends_at": (clock.now() + timedelta(days=3, hours=1)).isoformat(),
        "channels": ["phone"]}).status_code == 409
    # Added again: the same row comes back, and may offer times again.
    assert consultant(client, admin, "a.operator") == who


@pytest.mark.parametrize("code", ["", "x" * 65, "ST-A'--", "ST-Z"])
def test_public_slots_of_an_unknown_station(client: TestClient, code: str) -> None:
    assert client.get(f"{PUBLIC}/slots", params={"station_code": code}).status_code in {404, 422}
