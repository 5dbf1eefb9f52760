"""Open311 GeoReport v2: a municipality's platform sends and follows non-emergency reports,
sees its stations' public-space reports without personal data, and nothing else."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from safetyzone.audit.models import AuditEntry
from safetyzone.citizen.models import CitizenItem
from safetyzone.citizen.open311 import BANGKOK
from safetyzone.citizen.taxonomy import CONSENT_VERSION, term
from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from support.citizen import A_LAT, A_LON, B_LAT, B_LON, OFFICER, items, new_key, report, send
from support.world import World

GEO = "/open311/v2"


def issue_key(client: TestClient, world: World, partner: str = "SHOP-ST-A",
              user: str = "admin") -> str:
    response = client.post("/api/v1/open311/clients", headers=world.headers(client, user),
                           json={"partner_code": partner, "label": "เทศบาลนคร"})
    assert response.status_code == 201, response.text
    key: str = response.json()["api_key"]
    return key


def post(client: TestClient, key: str | None, **fields: Any) -> Any:
    form = {"service_code": "street_light", "lat": str(A_LAT + 0.001), "long": str(A_LON),
            "description": "ไฟถนนดับหน้าโรงเรียน", "first_name": "สมศรี", "last_name": "ดีใจ",
            "phone": "0891234567", **fields}
    if key is not None:
        form["api_key"] = key
    return client.post(f"{GEO}/requests.json", data={k: v for k, v in form.items()
                                                      if v is not None})


def count(db: Database) -> int:
    with db.read() as session:
        return session.scalar(select(func.count(CitizenItem.id))) or 0


def test_services_are_the_report_categories_in_thai_and_english(client: TestClient) -> None:
    thai = client.get(f"{GEO}/services.json").json()
    assert {s["service_code"] for s in thai} >= {"street_light", "abandoned_plot", "theft"}
    light = next(s for s in thai if s["service_code"] == "street_light")
    assert light["service_name"] == term("category", "street_light").th
    assert light["metadata"] is False and light["type"] == "realtime"
    english = client.get(f"{GEO}/services.json", params={"lang": "en"}).json()
    assert next(s for s in english if s["service_code"] == "street_light")[
        "service_name"].isascii()
    discovery = client.get(f"{GEO}/discovery.json").json()
    assert discovery["endpoints"][0]["url"].endswith("/open311/v2")


def test_a_request_is_a_report_at_the_station_and_a_retry_is_the_same(
        client: TestClient, world: World, db: Database) -> None:
    key = issue_key(client, world)
    response = post(client, key)
    assert response.status_code == 201, response.text
    code = response.json()[0]["service_request_id"]
    assert post(client, key).json()[0]["service_request_id"] == code  # same request again
    assert count(db) == 1
    row = next(r for r in items(client, world.headers(client, "a.operator"))
               if r["code"] == code)
    assert row["channel"] == "open311" and row["category"] == "street_light"
    detail = client.get(f"{OFFICER}/items/{row['id']}",
                        headers=world.headers(client, "a.operator")).json()
    assert detail["contact"] == {"name": "สมศรี ดีใจ", "phone": "0891234567"}
    mine = client.get(f"{GEO}/requests/{code}.json", params={"api_key": key}).json()
    assert mine[0]["status"] == "open" and mine[0]["description"] == "ไฟถนนดับหน้าโรงเรียน"
    assert mine[0]["agency_responsible"] and mine[0]["requested_datetime"].endswith("+07:00")


def test_refused_requests_answer_georeport_errors_and_store_nothing(
        client: TestClient, world: World, db: Database) -> None:
    key = issue_key(client, world)
    cases = [
        (None, {}, 401),  # no key
        ("o311_" + "x" * 43, {}, 401),  # unknown key
        (key, {"service_code": "fireworks"}, 400),
        (key, {"service_code": None}, 400),
        (key, {"lat": "not-a-number"}, 400),
        (key, {"lat": "NaN"}, 400),
        (key, {"description": ""}, 400),
        (key, {"description": "x" * 4001}, 400),
        (key, {"phone": "<script>"}, 400),
        (key, {"description": "bad\x00byte"}, 400),
        (key, {"lat": str(B_LAT), "long": str(B_LON)}, 400),  # another station's ground
        (key, {"lat": "0", "long": "0"}, 400),  # not in Thailand
    ]
    for api_key, fields, status in cases:
        response = post(client, api_key, **fields)
        assert response.status_code == status, (fields, response.text)
        body = response.json()
        assert isinstance(body, list) and body[0]["code"] == status, body
        assert body[0]["description"], body
    assert count(db) == 0


def test_a_revoked_key_opens_nothing(client: TestClient, world: World, db: Database) -> None:
    key = issue_key(client, world)
    clients = client.get("/api/v1/open311/clients", headers=world.headers(client, "admin"))
    listed = clients.json()
    assert len(listed) == 1 and "api_key" not in listed[0]
    assert key.startswith(listed[0]["key_prefix"])
    response = client.delete(f"/api/v1/open311/clients/{listed[0]['id']}",
                             headers=world.headers(client, "admin"))
    assert response.status_code == 200 and response.json()["revoked_at"]
    assert post(client, key).status_code == 401
    assert client.get(f"{GEO}/requests.json", params={"api_key": key}).status_code == 401
    assert count(db) == 0
    with db.read() as session:
        actions = set(session.scalars(select(AuditEntry.action)))
    assert {"open311.client.issue", "open311.client.revoke"} <= actions


def test_keys_are_police_business_within_their_scope(client: TestClient, world: World) -> None:
    assert client.post("/api/v1/open311/clients", headers=world.headers(client, "a.operator"),
                       json={"partner_code": "SHOP-ST-A", "label": "x"}).status_code == 403
    assert client.post("/api/v1/open311/clients", headers=world.headers(client, "a.shop"),
                       json={"partner_code": "SHOP-ST-A", "label": "x"}).status_code == 403
    # A station commander issues keys for its own partners only.
    issue_key(client, world, user="a.commander")
    assert client.post("/api/v1/open311/clients", headers=world.headers(client, "a.commander"),
                       json={"partner_code": "SHOP-ST-B", "label": "x"}).status_code == 404


def test_the_platform_sees_its_own_and_its_stations_public_space_reports_only(
        client: TestClient, world: World) -> None:
    key = issue_key(client, world)
    own = post(client, key, service_code="theft", description="ขโมยจักรยาน").json()[0][
        "service_request_id"]
    light = send(client, "/reports", report(new_key(), A_LAT, A_LON + 0.002))["code"]
    theft = send(client, "/reports", report(new_key(), A_LAT, A_LON + 0.003,
                                            category="theft"))["code"]
    other_station = send(client, "/reports", report(new_key(), B_LAT, B_LON))["code"]
    send(client, "/emergencies", {"client_key": new_key(), "location": {
        "lat": A_LAT, "lon": A_LON}, "location_source": "gps",
        "consent": {"purposes": ["emergency"], "version": CONSENT_VERSION}})
    seen = {r["service_request_id"]: r for r in client.get(
        f"{GEO}/requests.json", params={"api_key": key}).json()}
    assert set(seen) == {own, light}
    assert seen[own]["description"] == "ขโมยจักรยาน"
    assert seen[light]["description"] is None  # the citizen's words stay with the police
    for hidden in (theft, other_station):
        response = client.get(f"{GEO}/requests/{hidden}.json", params={"api_key": key})
        assert response.status_code == 404 and response.json()[0]["code"] == 404
    assert {r["service_request_id"] for r in client.get(
        f"{GEO}/requests.json", params={"api_key": key, "service_code": "theft"}).json()} == {own}
    assert {r["service_request_id"] for r in client.get(
        f"{GEO}/requests.json", params={"api_key": key, "service_request_id":
                                        f"{light},{theft}"}).json()} == {light}


def test_closing_with_a_disposition_reaches_the_platform_in_thai(
        client: TestClient, world: World) -> None:
    key = issue_key(client, world)
    code = post(client, key).json()[0]["service_request_id"]
    operator = world.headers(client, "a.operator")
    row = next(r for r in items(client, operator) if r["code"] == code)
    response = client.post(f"{OFFICER}/items/{row['id']}/close", headers=operator,
                           json={"disposition": "referred"})
    assert response.status_code == 200, response.text
    shown = client.get(f"{GEO}/requests/{code}.json", params={"api_key": key}).json()[0]
    assert shown["status"] == "closed" and shown["status_notes"]
    assert not shown["status_notes"].isascii()  # Thai
    closed = client.get(f"{GEO}/requests.json", params={"api_key": key, "status": "closed"})
    assert [r["service_request_id"] for r in closed.json()] == [code]
    assert client.get(f"{GEO}/requests.json",
                      params={"api_key": key, "status": "open"}).json() == []



def test_plain_dates_read_as_bangkok_time(client: TestClient, world: World,
                                         clock: ManualClock) -> None:
    key = issue_key(client, world)
    code = post(client, key).json()[0]["service_request_id"]
    today = clock.now().astimezone(BANGKOK).date()
    for params, found in (({"start_date": today.isoformat()}, [code]),
                          ({"start_date": f"{today.isoformat()}T00:00:00"}, [code]),
                          ({"end_date": "2020-01-01"}, []),
                          ({"start_date": "not a date"}, None)):
        response = client.get(f"{GEO}/requests.json", params={"api_key": key, **params})
        if found is None:
            assert response.status_code == 400 and response.json()[0]["code"] == 400
        else:
            assert response.status_code == 200, response.text
            assert [r["service_request_id"] for r in response.json()] == found
