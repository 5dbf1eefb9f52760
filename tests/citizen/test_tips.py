"""Tips (ตาสับปะรด): a named tipster's identity reaches only the assigned investigator, every
read audited; an anonymous tipster follows up with one-time codes."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from safetyzone.audit.models import AuditEntry
from safetyzone.citizen.models import CitizenItem
from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from safetyzone.core.security import Role, system_scope
from safetyzone.org import auth
from safetyzone.org.schemas import UserCreate
from support.citizen import OFFICER, PUBLIC, item_by_code, new_key, send, ticket, tip
from support.world import PASSWORD, World


def _reads(db: Database) -> list[AuditEntry]:
    with db.read() as s:
        return list(s.scalars(select(AuditEntry).where(
            AuditEntry.action == "tip.identity.read")))


def _second_investigator(db: Database, clock: ManualClock) -> None:
    with db.write() as s:
        auth.create_user(s, scope=system_scope(), clock=clock, data=UserCreate(
            username="a.investigator2", display_name="x", password=PASSWORD,
            role=Role.INVESTIGATOR, org_unit_codes=["ST-A"]))


def test_only_the_assigned_investigator_sees_who_sent_a_tip(
        client: TestClient, world: World, db: Database, clock: ManualClock) -> None:
    _second_investigator(db, clock)
    answer = send(client, "/tips", tip(new_key(), anonymous=False))
    assert answer["followup_code"] is None
    operator = world.headers(client, "a.operator")
    row = item_by_code(client, operator, answer["code"])
    assert row["anonymous"] is False
    # Nothing of the tipster on the queue, in the detail, or on the public page.
    detail = client.get(f"{OFFICER}/items/{row['id']}", headers=operator).json()
    assert detail["contact"] is None
    assert "สมชาย" not in str(detail) and "0812345678" not in str(detail)
    assert ticket(client, answer["code"]) == {"code": answer["code"], "kind": "tip",
                                              "status": "new"}
    with db.read() as s:
        sealed = s.scalar(select(CitizenItem.contact_sealed).where(
            CitizenItem.code == answer["code"]))
    assert sealed and "0812345678" not in sealed
    identity = f"{OFFICER}/items/{row['id']}/identity"
    # Before it is assigned, nobody: not the admin, not the investigator.
    for who in ("admin", "a.commander", "a.operator", "a.investigator"):
        assert client.get(identity, headers=world.headers(client, who)).status_code == 403
    response = client.post(f"{OFFICER}/items/{row['id']}/assign", headers=operator,
                           json={"username": "a.investigator"})
    assert response.status_code == 200, response.text
    assert response.json()["assigned_to"] == "a.investigator"
    mine = world.headers(client, "a.investigator")
    for _ in range(2):
        response = client.get(identity, headers=mine)
        assert response.status_code == 200, response.text
        assert response.json() == {"code": answer["code"], "anonymous": False,
                                   "name": "สมชาย ใจดี", "phone": "0812345678"}
    reads = _reads(db)
    assert [(r.username, r.entity_id) for r in reads] == [("a.investigator", row["id"])] * 2
    # Another investigator of the same station, the admin: still no; and nothing audited.
    for who in ("a.investigator2", "admin"):
        assert client.get(identity, headers=world.headers(client, who)).status_code == 403
    assert len(_reads(db)) == 2
    # Tips go to investigators only, of the tip's station.
    for username in ("a.operator", "nobody", "b.operator"):
        assert client.post(f"{OFFICER}/items/{row['id']}/assign", headers=operator,
                           json={"username": username}).status_code == 422
    # Station B does not see station A's tip at all.
    b = world.headers(client, "b.operator")
    assert client.get(f"{OFFICER}/items/{row['id']}", headers=b).status_code == 404


def test_an_anonymous_tip_is_followed_up_with_one_time_codes(
        client: TestClient, world: World, db: Database) -> None:
    key = new_key()
    answer = send(client, "/tips", tip(key, anonymous=True))
    code, first = answer["code"], answer["followup_code"]
    assert first and len(first) == 19
    with db.read() as s:
        item = s.scalar(select(CitizenItem).where(CitizenItem.code == code))
        assert item is not None and item.contact_sealed is None
        assert item.followup_hash and first not in item.followup_hash
    operator = world.headers(client, "a.operator")
    row = item_by_code(client, operator, code)
    client.post(f"{OFFICER}/items/{row['id']}/messages", headers=operator,
                json={"text": "รถคันไหน สีอะไร", "ask_info": True})
    followup = send(client, f"/tips/{code}/followup",
                    {"followup_code": first, "text": "กระบะสีขาว"}, status=200)
    second = followup["next_followup_code"]
    assert second != first and followup["status"] == "acknowledged"
    assert [m["text"] for m in followup["messages"]] == ["รถคันไหน สีอะไร", "กระบะสีขาว"]
    # The spent code is refused (404, like a wrong one); the new one works once.
    response = client.post(f"{PUBLIC}/tips/{code}/followup", json={"followup_code": first})
    assert response.status_code == 404
    third = send(client, f"/tips/{code}/followup", {"followup_code": second},
                 status=200)["next_followup_code"]
    assert third not in {first, second}
    # The operator can see there is an anonymous tipster, never who.
    response = client.get(f"{OFFICER}/items/{row['id']}/identity",
                          headers=world.headers(client, "a.investigator"))
    assert response.status_code == 403
    # Retrying the tip with its key hands out a fresh code and spends the old one.
    again = send(client, "/tips", tip(key, anonymous=True))
    assert again["code"] == code and again["followup_code"] not in {first, second, third}
    assert client.post(f"{PUBLIC}/tips/{code}/followup",
                       json={"followup_code": third}).status_code == 404


def test_wrong_follow_up_codes_are_throttled(client: TestClient, world: World) -> None:
    code = send(client, "/tips", tip(new_key(), anonymous=True))["code"]
    statuses = [client.post(f"{PUBLIC}/tips/{code}/followup",
                            json={"followup_code": "AAAA-BBBB-CCCC-DDDD"}).status_code
                for _ in range(6)]
    assert statuses[:5] == [404] * 5
    assert statuses[5] == 429
    refused = client.post(f"{PUBLIC}/tips/{code}/followup",
                          json={"followup_code": "AAAA-BBBB-CCCC-DDDD"})
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1


def test_a_tip_needs_a_consistent_identity(client: TestClient, world: World) -> None:
    bad = [tip(new_key(), anonymous=True, name="ใคร"),
           {**tip(new_key(), anonymous=False), "name": None, "phone": None},
           {k: v for k, v in tip(new_key(), anonymous=True).items() if k != "location"}]
    for body in bad:
        assert client.post(f"{PUBLIC}/tips", json=body).status_code == 422, body
    # Without a location, the tipster names the station.
    body = {k: v for k, v in tip(new_key(), anonymous=True).items() if k != "location"}
    answer = send(client, "/tips", {**body, "station_code": "ST-B"})
    row = item_by_code(client, world.headers(client, "b.operator"), answer["code"])
    assert row["station_code"] == "ST-B" and row["lat"] is None
