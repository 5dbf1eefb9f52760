"""Lost-document reports end to end through the API: a citizen declares, the station
numbers it (at once or after review), repeats are flagged, officers revoke; garbage and
other stations' reports change nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from safetyzone.core.clock import ManualClock
from support.citizen import new_key
from support.lostdocs import PUBLIC, STATION, Counter, declaration, thai_id
from support.world import World


@pytest.fixture
def desk(client: TestClient, world: World) -> Counter:
    return Counter(client, world)


def _total(desk: Counter) -> int:
    response = desk.client.get(STATION, headers=desk.headers("admin"))
    assert response.status_code == 200
    total: int = response.json()["total"]
    return total


def test_a_declaration_is_numbered_at_once(desk: Counter) -> None:
    key = new_key()
    first = desk.declare(declaration(key))
    # The test clock: 1 Jan 2026 07:00 in Bangkok, the year 2569 of the Buddhist Era.
    assert first["status"] == "issued"
    assert first["record_no"] == "ST-A/1/2569"
    second = desk.declare(declaration(national_id=thai_id(2)))
    assert second["record_no"] == "ST-A/2/2569"
    other_station = desk.declare(declaration(national_id=thai_id(3), station="ST-B"))
    assert other_station["record_no"] == "ST-B/1/2569"
    # A retry with the same key is the same report (200), not a new number.
    again = desk.client.post(PUBLIC, json=declaration(key))
    assert again.status_code == 200
    assert again.json() == first
    mine = desk.mine(first["code"], key)
    assert mine["status"] == "issued"
    assert mine["masked_name"] == "น*** ผ***"
    assert [i["th"] for i in mine["items"]] == ["บัตรประจำตัวประชาชน", "สมุดบัญชีเงินฝากธนาคาร"]
    assert mine["items"][1]["detail"] == "ธนาคารกรุงไทย สาขาท่าน้ำนนท์"
    assert mine["station"]["code"] == "ST-A"
    assert mine["certificate_url"] == f"{PUBLIC}/{first['code']}/certificate.pdf"
    assert "national_id" not in mine and "phone" not in mine


def test_only_the_callers_key_reads_a_report(desk: Counter) -> None:
    key = new_key()
    code = desk.declare(declaration(key))["code"]
    for headers in ({"X-Caller-Key": new_key()}, {}):
        response = desk.client.get(f"{PUBLIC}/{code}", headers=headers)
        assert response.status_code in {404, 422}
        response = desk.client.get(f"{PUBLIC}/{code}/certificate.pdf", headers=headers)
        assert response.status_code in {404, 422}
    assert desk.client.get(f"{PUBLIC}/L-00000000",
                           headers={"X-Caller-Key": key}).status_code == 404


GARBAGE: list[tuple[str, dict[str, Any]]] = [
    ("checksum", {"national_id": thai_id(1)[:12] + str((int(thai_id(1)[12]) + 1) % 10)}),
    ("12 digits", {"national_id": thai_id(1)[:12]}),
    ("letters", {"national_id": "1ABCDEFGHIJKL"}),
    ("category 0", {"national_id": "0" + thai_id(1)[1:]}),
    ("unknown kind", {"items": [{"kind": "library_card"}]}),
    ("other without detail", {"items": [{"kind": "other"}]}),
    ("same kind twice", {"items": [{"kind": "passport"}, {"kind": "passport"}]}),
    ("no items", {"items": []}),
    ("nine items", {"items": [{"kind": "other", "detail": f"x{i}"} for i in range(9)]}),
    ("future", {"lost_on": "2026-01-02"}),
    ("long ago", {"lost_on": "2019-01-01"}),
    ("not a date", {"lost_on": "31/12/2568"}),
    ("bad time", {"lost_time": "25:00"}),
    ("unknown station", {"station_code": "ST-NOPE"}),
    ("a province is no station", {"station_code": "PROV-1"}),
    ("old consent", {"consent_version": "lostdoc-2020"}),
    ("extra field", {"id_photo": "x"}),
    ("control character", {"how": "ตก\x1b[31mหาย"}),
    ("oversize", {"how": "ก" * 2001}),
    ("blank name", {"name": "   "}),
    ("bad phone", {"phone": "call me"}),
    ("short key", {"client_key": "short"}),
]


@pytest.mark.parametrize(("why", "change"), GARBAGE, ids=[g[0] for g in GARBAGE])
def test_garbage_is_refused_and_changes_nothing(desk: Counter, why: str,
                                                change: dict[str, Any]) -> None:
    before = _total(desk)
    response = desk.client.post(PUBLIC, json=declaration(**change))
    assert response.status_code == 422, (why, response.text)
    assert response.headers["content-type"].startswith("application/problem+json")
    assert _total(desk) == before


def test_a_reviewing_station_waits_for_an_officer(desk: Counter) -> None:
    desk.set_auto(False)
    key = new_key()
    created = desk.declare(declaration(key))
    assert created == {"code": created["code"], "status": "pending", "record_no": None}
    assert desk.client.get(f"{PUBLIC}/{created['code']}/certificate.pdf",
                           headers={"X-Caller-Key": key}).status_code == 409
    row = desk.find(created["code"])
    for user, expected in (("a.viewer", 403), ("a.patrol", 403), ("b.operator", 404)):
        response = desk.client.post(f"{STATION}/{row['id']}/issue", headers=desk.headers(user))
        assert response.status_code == expected, user
    issued = desk.client.post(f"{STATION}/{row['id']}/issue", headers=desk.headers("a.operator"))
    assert issued.status_code == 200, issued.text
    assert issued.json()["record_no"] == "ST-A/1/2569"
    assert desk.client.post(f"{STATION}/{row['id']}/issue",
                            headers=desk.headers("a.operator")).status_code == 409
    assert desk.mine(created["code"], key)["record_no"] == "ST-A/1/2569"
    detail = desk.client.get(f"{STATION}/{row['id']}", headers=desk.headers("a.operator"))
    assert detail.json()["issued_by"] == "a.operator"


def test_settings_are_the_stations_own(desk: Counter) -> None:
    read = desk.client.get(f"{STATION}/settings", params={"station_code": "ST-A"},
                           headers=desk.headers("a.operator"))
    assert read.json() == {"station_code": "ST-A", "auto_issue": True, "repeat_days": 30,
                           "is_default": True}
    body = {"station_code": "ST-A", "auto_issue": False, "repeat_days": 14}
    # An operator reviews but does not change the station's policy; ST-B's commander
    # does not see ST-A.
    assert desk.client.put(f"{STATION}/settings", json=body,
                           headers=desk.headers("a.operator")).status_code == 403
    assert desk.client.put(f"{STATION}/settings", json={**body, "station_code": "ST-B"},
                           headers=desk.headers("a.commander")).status_code == 404
    assert desk.client.put(f"{STATION}/settings", json={**body, "repeat_days": 0},
                           headers=desk.headers("a.commander")).status_code == 422
    written = desk.client.put(f"{STATION}/settings", json=body,
                              headers=desk.headers("a.commander"))
    assert written.json() == {**body, "is_default": False}
    audit = desk.client.get("/api/v1/audit", params={"action": "lostdoc.settings"},
                            headers=desk.headers("admin")).json()
    assert audit["items"][0]["detail"]["after"] == {"auto_issue": False, "repeat_days": 14}


def test_the_same_id_declaring_the_same_kind_again_is_flagged(desk: Counter,
                                                              clock: ManualClock) -> None:
    person = thai_id(7)
    first = desk.declare(declaration(national_id=person, items=[{"kind": "id_card"}]))
    assert first["status"] == "issued"
    # Another kind only: no repeat. The same ID card again, even at another station and
    # with the ID typed with dashes: flagged, and it waits for an officer despite auto.
    passport = desk.declare(declaration(national_id=person, items=[{"kind": "passport"}]))
    assert passport["status"] == "issued"
    dashed = f"{person[0]}-{person[1:5]}-{person[5:10]}-{person[10:12]}-{person[12]}"
    again = desk.declare(declaration(national_id=dashed, station="ST-B",
                                     items=[{"kind": "id_card"}, {"kind": "atm_card"}]))
    assert again == {"code": again["code"], "status": "pending", "record_no": None}
    other_person = desk.declare(declaration(national_id=thai_id(8),
                                            items=[{"kind": "id_card"}]))
    assert other_person["status"] == "issued"
    flags = desk.client.get(f"{STATION}/flags", headers=desk.headers("admin")).json()
    assert [f["code"] for f in flags["items"]] == [again["code"]]
    [repeat] = flags["items"][0]["repeats"]
    assert repeat["code"] == first["code"]
    assert repeat["record_no"] == "ST-A/1/2569"
    assert repeat["kinds"] == ["id_card"]
    assert repeat["station_code"] == "ST-A"
    # ST-A's operator does not see ST-B's flag; ST-B's does.
    assert desk.client.get(f"{STATION}/flags", headers=desk.headers(
        "a.operator")).json()["items"] == []
    assert desk.client.get(f"{STATION}/flags", headers=desk.headers(
        "b.operator")).json()["total"] == 1
    # The officer decides: issue it anyway.
    issued = desk.client.post(f"{STATION}/{flags['items'][0]['id']}/issue",
                              headers=desk.headers("b.operator"))
    assert issued.json()["record_no"] == "ST-B/1/2569"
    # Past the window (30 days by default) the same card is a fresh report.
    clock.advance(timedelta(days=31))
    later = desk.declare(declaration(national_id=person, items=[{"kind": "id_card"}],
                                     lost_on="2026-01-30"))
    assert later["status"] == "issued"


def test_a_shorter_window_is_the_stations_choice(desk: Counter, clock: ManualClock) -> None:
    desk.set_auto(True, repeat_days=2)
    person = thai_id(9)
    desk.declare(declaration(national_id=person))
    clock.advance(timedelta(days=3))
    assert desk.declare(declaration(national_id=person))["status"] == "issued"


def test_an_officer_revokes_with_a_reason(desk: Counter) -> None:
    key = new_key()
    code = desk.declare(declaration(key))["code"]
    row = desk.find(code)
    url = f"{STATION}/{row['id']}/revoke"
    assert desk.client.post(url, json={"reason": "x"},
                            headers=desk.headers("a.operator")).status_code == 422
    assert desk.client.post(url, json={"reason": "แจ้งซ้ำ"},
                            headers=desk.headers("b.operator")).status_code == 404
    assert desk.client.post(url, json={"reason": "แจ้งซ้ำ"},
                            headers=desk.headers("a.viewer")).status_code == 403
    assert desk.find(code)["status"] == "issued"
    revoked = desk.client.post(url, json={"reason": "ผู้แจ้งพบเอกสารแล้ว"},
                               headers=desk.headers("a.operator"))
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["status"] == "revoked"
    assert revoked.json()["record_no"] == "ST-A/1/2569"  # the number stays taken
    assert desk.client.post(url, json={"reason": "อีกครั้ง"},
                            headers=desk.headers("a.operator")).status_code == 409
    mine = desk.mine(code, key)
    assert mine["status"] == "revoked"
    assert mine["revoke_reason"] == "ผู้แจ้งพบเอกสารแล้ว"
    assert mine["certificate_url"] is None
    assert desk.client.get(f"{PUBLIC}/{code}/certificate.pdf",
                           headers={"X-Caller-Key": key}).status_code == 409
    # The next report gets the next number: a revoked one is never given again.
    assert desk.declare(declaration(national_id=thai_id(11)))["record_no"] == "ST-A/2/2569"
    audit = desk.client.get("/api/v1/audit", params={"action": "lostdoc.revoke"},
                            headers=desk.headers("admin")).json()["items"]
    assert audit[0]["reason"] == "ผู้แจ้งพบเอกสารแล้ว"
    assert audit[0]["username"] == "a.operator"


def test_officers_read_the_identity_and_each_read_is_audited(desk: Counter) -> None:
    code = desk.declare(declaration(national_id=thai_id(12)))["code"]
    row = desk.find(code)
    assert row["masked_name"] == "น*** ผ***"
    assert "national_id" not in row
    detail = desk.client.get(f"{STATION}/{row['id']}", headers=desk.headers("a.operator"))
    assert detail.status_code == 200
    assert detail.headers["cache-control"] == "no-store"
    body = detail.json()
    assert body["name"] == "นางสาวน้ำฝน ผู้ใหญ่ยิ่ง"
    assert body["national_id"] == thai_id(12)
    assert body["phone"] == "081-234-5678"
    assert body["lost_where"] == "ตลาดน้ำตลิ่งชัน ใกล้ท่าเรือ"
    assert body["issued_by"] is None  # issued automatically
    reads = desk.client.get("/api/v1/audit", params={"action": "lostdoc.read"},
                            headers=desk.headers("admin")).json()["items"]
    assert [(r["username"], r["detail"]["code"]) for r in reads] == [("a.operator", code)]
    for user, expected in (("b.operator", 404), ("a.viewer", 403), ("a.shop", 403),
                           ("a.investigator", 403)):
        assert desk.client.get(f"{STATION}/{row['id']}",
                               headers=desk.headers(user)).status_code == expected, user


def test_lists_are_scoped_and_filtered(desk: Counter) -> None:
    a = desk.declare(declaration(national_id=thai_id(13)))["code"]
    b = desk.declare(declaration(national_id=thai_id(14), station="ST-B"))["code"]
    mine = desk.client.get(STATION, headers=desk.headers("a.operator")).json()
    assert [r["code"] for r in mine["items"]] == [a]
    everyone = desk.client.get(STATION, headers=desk.headers("admin"),
                               params={"station_code": "ST-B"}).json()
    assert [r["code"] for r in everyone["items"]] == [b]
    assert desk.client.get(STATION, headers=desk.headers("a.operator"),
                           params={"station_code": "ST-B"}).status_code == 404
    assert desk.client.get(STATION, headers=desk.headers("admin"),
                           params={"status": "pending"}).json()["total"] == 0
