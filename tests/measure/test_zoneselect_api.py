"""Zone selection over HTTP: a commander adds candidates (once per Idempotency-Key), edits
the weights and the ranking follows, records a decision that no route can change, reads a
zone before and after; garbage, out-of-range and oversize input gets a clear 4xx and
changes nothing; another station's user is told it does not exist."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from support import changes
from support.world import World, square
from support.zoneselect import C1, C2, candidate, places_zone, plant

BASE = "/api/v1/stations/ST-A"
PROBLEM = "application/problem+json"


def key() -> dict[str, str]:
    return {"Idempotency-Key": f"zs-{uuid.uuid4().hex[:16]}"}


@pytest.fixture
def commander(client: TestClient, world: World) -> dict[str, str]:
    return world.headers(client, "a.commander")


def add(client: TestClient, headers: dict[str, str], body: dict[str, Any]) -> Any:
    made = client.post(f"{BASE}/zone-candidates", json=body, headers={**headers, **key()})
    assert made.status_code == 201, made.text
    return made.json()


def test_candidates_weights_and_ranking(client: TestClient, world: World, db: Database,
                                        clock: ManualClock, commander: dict[str, str]) -> None:
    when = clock.now() - timedelta(days=30)
    plant(db, clock, [(when + timedelta(hours=i), C1[0], C1[1] + 0.0001 * i, "ลักทรัพย์")
                      for i in range(12)])
    places_zone(db, clock, "Z-TEMPLES", C2, [("temple", "วัด 1"), ("temple", "วัด 2")])
    first = add(client, commander, candidate("ตลาด", C1, entered_counts=[{
        "criterion": "economic", "kind": "convenience_store", "count": 7,
        "source": "seed 002: ร้านสะดวกซื้อ รวมจำนวน 7 แห่ง"}]))
    second = add(client, commander, candidate("วัด", C2))
    assert first["area_km2"] == pytest.approx(0.77, abs=0.02)
    viewer = world.headers(client, "a.viewer")
    got = client.get(f"{BASE}/zone-candidates/ranking", headers=viewer).json()
    rows = {r["candidate_id"]: r for r in got["candidates"]}
    assert rows[first["id"]]["risk"]["count"] == 12
    assert rows[first["id"]]["economic"]["items"][0]["source"].startswith("seed 002")
    assert rows[second["id"]]["landmark"]["count"] == 2
    for row in got["candidates"]:
        parts = sum(row[c]["contribution"] for c in ("risk", "landmark", "economic"))
        assert row["score"] == pytest.approx(parts, abs=1e-5)
    put = client.put(f"{BASE}/zone-weights", headers=commander,
                     json={"risk": 0, "landmark": 1, "economic": 0})
    assert put.status_code == 200, put.text
    assert put.json()["normalized"] == {"risk": 0.0, "landmark": 1.0, "economic": 0.0}
    ranked = client.get(f"{BASE}/zone-candidates/ranking", headers=viewer).json()
    assert ranked["candidates"][0]["candidate_id"] == second["id"]
    client.put(f"{BASE}/zone-weights", headers=commander,
               json={"risk": 1, "landmark": 0, "economic": 0})
    ranked = client.get(f"{BASE}/zone-candidates/ranking", headers=viewer).json()
    assert ranked["candidates"][0]["candidate_id"] == first["id"]
    listed = client.get(f"{BASE}/zone-candidates", headers=viewer).json()
    assert sorted(c["name_th"] for c in listed) == ["ตลาด", "วัด"]
    one = client.get(f"{BASE}/zone-candidates/{first['id']}", headers=viewer).json()
    assert one["entered_counts"][0]["count"] == 7


def test_a_candidate_is_added_once_per_key(client: TestClient, world: World,
                                           commander: dict[str, str]) -> None:
    headers = {**commander, **key()}
    body = candidate("ตลาด", C1)
    made = client.post(f"{BASE}/zone-candidates", json=body, headers=headers)
    again = client.post(f"{BASE}/zone-candidates", json=body, headers=headers)
    assert (made.status_code, again.status_code) == (201, 201)
    assert again.json() == made.json() and again.headers["Idempotent-Replayed"] == "true"
    assert len(client.get(f"{BASE}/zone-candidates", headers=commander).json()) == 1
    missing = client.post(f"{BASE}/zone-candidates", json=body, headers=commander)
    assert missing.status_code == 422 and "Idempotency-Key" in missing.text


GARBAGE: dict[str, Any] = {
    "string": "not geojson",
    "feature": {"type": "Feature", "geometry": square(*C1)},
    "open-ring": {"type": "Polygon", "coordinates": [[[100.46, 13.72], [100.48, 13.72],
                                                      [100.48, 13.74], [100.46, 13.74]]]},
    "bow-tie": {"type": "Polygon", "coordinates": [[[100.46, 13.72], [100.48, 13.74],
                                                    [100.48, 13.72], [100.46, 13.74],
                                                    [100.46, 13.72]]]},
    "in-japan": square(35.68, 139.69),
    "nested-junk": {"type": "Polygon", "coordinates": [[[[1, 2]]]]},
}


def test_hostile_input_gets_a_clear_4xx_and_changes_nothing(
        client: TestClient, world: World, db: Database, commander: dict[str, str]) -> None:
    made = add(client, commander, candidate("ตลาด", C1))
    changes.install(db)
    before = changes.mark(db)

    def refused(response: Any, status: int = 422) -> dict[str, Any]:
        assert response.status_code == status, response.text
        assert response.headers["content-type"] == PROBLEM
        body: dict[str, Any] = response.json()
        return body

    for name, boundary in GARBAGE.items():
        body = refused(client.post(f"{BASE}/zone-candidates", headers={**commander, **key()},
                                   json=candidate("x", C1) | {"boundary": boundary}))
        assert any(p.get("field", "").startswith("boundary") for p in body["problems"]), name
    refused(client.patch(f"{BASE}/zone-candidates/{made['id']}", headers=commander,
                         json={"boundary": GARBAGE["bow-tie"]}))
    refused(client.patch(f"{BASE}/zone-candidates/{made['id']}", headers=commander,
                         json={"name_th": None}))
    for weights in ({"risk": 1.5, "landmark": 0, "economic": 0},
                    {"risk": -0.1, "landmark": 1, "economic": 0},
                    {"risk": "high", "landmark": 1, "economic": 0},
                    {"risk": 0, "landmark": 0, "economic": 0},
                    {"risk": 1, "landmark": 1, "economic": 1, "hotspot_share": 2},
                    {"risk": 1, "landmark": 1, "economic": 1, "surprise": 1}):
        refused(client.put(f"{BASE}/zone-weights", headers=commander, json=weights))
    refused(client.put(f"{BASE}/zone-weights", headers={
        **commander, "Content-Type": "application/json"},
        content=b'{"risk": NaN, "landmark": 1, "economic": 1}'))
    huge = json.dumps(candidate("x", C1) | {"note": "ก" * 400_000}).encode()
    refused(client.post(f"{BASE}/zone-candidates", content=huge, headers={
        **commander, **key(), "Content-Type": "application/json"}), 413)
    decision = {"meeting_on": "2025-06-01", "members": [{"name": "ก"}], "rationale": "x",
                "choices": [{"candidate_id": str(uuid.uuid4())}]}
    body = refused(client.post(f"{BASE}/zone-decisions", headers={**commander, **key()},
                               json=decision))
    assert body["problems"][0]["field"] == "choices[0].candidate_id"
    refused(client.post(f"{BASE}/zone-decisions", headers={**commander, **key()},
                        json=decision | {"members": []}))
    refused(client.get(f"{BASE}/zone-candidates/{uuid.uuid4()}", headers=commander), 404)
    refused(client.patch(f"{BASE}/zone-candidates/{uuid.uuid4()}", headers=commander,
                         json={"note": "x"}), 404)
    refused(client.get(f"{BASE}/zones/Z-ST-A/before-after", headers=commander,
                       params={"months": 0}))
    refused(client.get(f"{BASE}/zones/Z-ST-A/before-after", headers=commander))
    assert changes.since(db, before) == []


def test_decisions_over_http_are_never_changed(
        client: TestClient, world: World, commander: dict[str, str]) -> None:
    first = add(client, commander, candidate("ตลาด", C1))
    body = {"meeting_on": "2025-06-15", "rationale": "สถิติ 191 สูง",
            "members": [{"name": "พ.ต.อ. ก", "role": "ผู้กำกับการ", "agency": "สภ."},
                        {"name": "ร้านค้า", "partner_code": "SHOP-ST-A"}],
            "choices": [{"candidate_id": first["id"], "zone_code": "Z-ST-A"}],
            "launch_on": "2025-07-01"}
    headers = {**commander, **key()}
    made = client.post(f"{BASE}/zone-decisions", json=body, headers=headers)
    assert made.status_code == 201, made.text
    decision = made.json()
    assert decision["members"][1] == {"name": "ร้านค้า", "role": "", "agency": "ร้านค้า ST-A",
                                      "partner_code": "SHOP-ST-A", "big6_member": False}
    again = client.post(f"{BASE}/zone-decisions", json=body, headers=headers)
    assert again.json()["id"] == decision["id"]
    clash = client.post(f"{BASE}/zone-decisions", json=body, headers={**commander, **key()})
    assert clash.status_code == 409 and decision["id"] in clash.json()["detail"]
    url = f"{BASE}/zone-decisions/{decision['id']}"
    for method in ("PATCH", "PUT", "DELETE"):
        assert client.request(method, url, headers=commander, json={}).status_code == 405
    viewer = world.headers(client, "a.viewer")
    listed = client.get(f"{BASE}/zone-decisions", headers=viewer).json()
    assert [(d["number"], d["in_force"]) for d in listed] == [(1, True)]
    assert client.get(url, headers=viewer).json()["choices"][0]["zone_code"] == "Z-ST-A"
    compared = client.get(f"{BASE}/zones/Z-ST-A/before-after", headers=viewer,
                          params={"months": 3})
    assert compared.status_code == 200, compared.text
    assert (compared.json()["launch_from"], compared.json()["decision_number"]) == (
        "decision", 1)


def test_another_station_is_not_there_and_readers_cannot_write(
        client: TestClient, world: World, commander: dict[str, str]) -> None:
    made = add(client, commander, candidate("ตลาด", C1))
    other = world.headers(client, "b.operator")
    for path in ("/zone-candidates", "/zone-candidates/ranking", f"/zone-candidates/{made['id']}",
                 "/zone-weights", "/zone-decisions", "/zones/Z-ST-A/before-after"):
        assert client.get(f"{BASE}{path}", headers=other).status_code == 404, path
    # Naming ST-A's candidate under ST-B finds nothing either.
    admin = world.headers(client, "admin")
    assert client.get(f"/api/v1/stations/ST-B/zone-candidates/{made['id']}",
                      headers=admin).status_code == 404
    operator = world.headers(client, "a.operator")
    assert client.post(f"{BASE}/zone-candidates", json=candidate("x", C2),
                       headers={**operator, **key()}).status_code == 403
    assert client.put(f"{BASE}/zone-weights", headers=operator,
                      json={"risk": 1, "landmark": 1, "economic": 1}).status_code == 403
    assert client.get(f"{BASE}/zone-candidates/ranking",
                      headers=world.headers(client, "a.shop")).status_code == 403
    region = world.headers(client, "reg1.commander")
    assert client.get(f"{BASE}/zone-candidates/ranking", headers=region).status_code == 200
    assert client.get("/api/v1/stations/ST-C/zone-candidates/ranking",
                      headers=region).status_code == 404
