"""A consultant's notes are private to the consultants of the request's station: an admin,
another station's consultant, a volunteer or the citizen read none; every read and write is
an audit row; a refusal changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from safetyzone.audit.models import AuditEntry
from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from safetyzone.services.consult_models import ConsultNote
from support.consult import CONSULT, PUBLIC, booking, consultant, new_key, ok, slot
from support.world import World

SECRET_ADVICE = "แนะนำให้รวบรวมหลักฐานการโอนเงินแล้วแจ้งความที่สถานี"


@pytest.fixture
def booked(client: TestClient, world: World, clock: ManualClock) -> tuple[str, str, str]:
    """(request id, code, key) of a booking with a.operator, ST-A's consultant."""
    admin = world.headers(client, "admin")
    who = consultant(client, admin, "a.operator")
    consultant(client, admin, "b.operator", station="ST-B")
    open_slot = slot(client, admin, who, clock.now() + timedelta(days=1))
    key = new_key()
    code = ok(client.post(f"{PUBLIC}/requests", json=booking(open_slot["id"], key)), 201)["code"]
    rows = ok(client.get(f"{CONSULT}/requests", headers=admin))
    return rows[0]["id"], code, key


def _audits(db: Database, action: str) -> list[str]:
    with db.read() as s:
        return [a.username for a in s.scalars(select(AuditEntry).where(
            AuditEntry.action == action).order_by(AuditEntry.id))]


def test_the_consultant_writes_and_reads_and_each_is_audited(
        client: TestClient, world: World, db: Database, booked: tuple[str, str, str]) -> None:
    request_id, code, key = booked
    mine = world.headers(client, "a.operator")
    note = ok(client.post(f"{CONSULT}/requests/{request_id}/notes", headers=mine,
                          json={"text": SECRET_ADVICE}), 201)
    assert note["author"] == "a.operator" and note["text"] == SECRET_ADVICE
    for _ in range(2):
        assert [n["text"] for n in ok(client.get(f"{CONSULT}/requests/{request_id}/notes",
                                                 headers=mine))] == [SECRET_ADVICE]
    assert _audits(db, "consult.note.add") == ["a.operator"]
    assert _audits(db, "consult.notes.read") == ["a.operator", "a.operator"]
    # Sealed at rest: the table never holds the words.
    with db.read() as s:
        stored = s.scalar(select(ConsultNote.text_sealed))
        assert stored is not None and SECRET_ADVICE not in stored
    # Neither the station's request view nor the citizen's page carries notes.
    assert SECRET_ADVICE not in client.get(f"{CONSULT}/requests/{request_id}",
                                           headers=mine).text
    assert SECRET_ADVICE not in client.get(f"{PUBLIC}/requests/{code}",
                                           headers={"X-Caller-Key": key}).text


@pytest.mark.parametrize(("username", "status"), [
    ("admin", 403),  # not a consultant: the role half alone opens nothing
    ("a.commander", 403),
    ("a.viewer", 403),
    ("a.investigator", 403),
    ("a.volunteer", 403),  # no consult.notes at all
    ("a.shop", 403),
    ("b.operator", 404),  # a consultant, of another station
])
def test_nobody_else_reads_or_writes_the_notes(
        client: TestClient, world: World, db: Database, booked: tuple[str, str, str],
        username: str, status: int) -> None:
    request_id, _, _ = booked
    ok(client.post(f"{CONSULT}/requests/{request_id}/notes",
                   headers=world.headers(client, "a.operator"), json={"text": "x"}), 201)
    headers = world.headers(client, username)
    with db.read() as s:
        before = s.scalar(select(func.count()).select_from(AuditEntry))
    assert client.get(f"{CONSULT}/requests/{request_id}/notes",
                      headers=headers).status_code == status
    assert client.post(f"{CONSULT}/requests/{request_id}/notes", headers=headers,
                       json={"text": "y"}).status_code == status
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(AuditEntry)) == before
        assert s.scalar(select(func.count()).select_from(ConsultNote)) == 1
    assert client.get(f"{CONSULT}/requests/{request_id}/notes").status_code == 401


def test_flagging_a_viewer_as_consultant_opens_the_notes(
        client: TestClient, world: World, booked: tuple[str, str, str]) -> None:
    request_id, _, _ = booked
    viewer = world.headers(client, "a.viewer")
    assert client.get(f"{CONSULT}/requests/{request_id}/notes", headers=viewer).status_code == 403
    consultant(client, world.headers(client, "admin"), "a.viewer")
    assert ok(client.get(f"{CONSULT}/requests/{request_id}/notes", headers=viewer)) == []
    # Removed again: closed again.
    admin = world.headers(client, "admin")
    mine = next(c for c in ok(client.get(f"{CONSULT}/consultants", headers=admin))
                if c["username"] == "a.viewer")
    ok(client.delete(f"{CONSULT}/consultants/{mine['id']}", headers=admin))
    assert client.get(f"{CONSULT}/requests/{request_id}/notes", headers=viewer).status_code == 403


@pytest.mark.parametrize("text", ["", "x" * 4001, "a\x00b"])
def test_garbage_notes_are_refused(client: TestClient, world: World,
                                   booked: tuple[str, str, str], text: str) -> None:
    request_id, _, _ = booked
    assert client.post(f"{CONSULT}/requests/{request_id}/notes",
                       headers=world.headers(client, "a.operator"),
                       json={"text": text}).status_code == 422
