"""Zones keep the figures they are given, and say loudly when those figures disagree."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from safetyzone.core.db import Database
from support.world import World, square


def zone_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "code": "RYG-TEST", "station_code": "ST-C", "name_th": "เขตทดสอบระยอง",
        "name_en": "Rayong test zone", "boundary": square(12.68, 101.28, 0.0095),
        "declared_area_km2": 4.4, "households": 8053,
        # Seed 001's figures, which do not add up (7,994 + 7,757 = 15,751).
        "population_total": 15151, "population_male": 7994, "population_female": 7757,
        "landmarks": [{"name_th": "ตลาดเทศบาล", "kind": "market", "lat": 12.681,
                       "lon": 101.281}],
        "selection": {"risk": ["สถิติแจ้งเหตุ 191 สูง"], "landmark": ["ตลาด"],
                      "economic": ["ย่านการค้า"]},
    }
    body.update(overrides)
    return body


def test_inconsistent_population_is_stored_and_flagged(
    client: TestClient, world: World, db: Database
) -> None:
    headers = world.headers(client, "admin")
    response = client.post("/api/v1/zones", json=zone_body(), headers=headers)
    assert response.status_code == 201, response.text
    zone = response.json()
    assert zone["population_total"] == 15151  # kept as given, never "fixed"
    codes = [w["code"] for w in zone["warnings"]]
    assert codes == ["population-sum-mismatch"]
    assert "15,751" in zone["warnings"][0]["message_en"]
    assert "ไม่ตรงกับจำนวนรวม" in zone["warnings"][0]["message_th"]
    assert zone["area_km2"] == pytest.approx(4.4, rel=0.1)
    again = client.get(f"/api/v1/zones/{zone['id']}", headers=headers).json()
    assert again["warnings"] == zone["warnings"]


def test_declared_area_far_from_polygon_is_flagged(client: TestClient, world: World) -> None:
    body = zone_body(declared_area_km2=40.0, population_male=7394)
    response = client.post("/api/v1/zones", json=body, headers=world.headers(client, "admin"))
    assert response.status_code == 201
    assert [w["code"] for w in response.json()["warnings"]] == ["area-mismatch"]


def test_fixing_figures_clears_the_warning(client: TestClient, world: World) -> None:
    headers = world.headers(client, "admin")
    zone = client.post("/api/v1/zones", json=zone_body(), headers=headers).json()
    response = client.patch(f"/api/v1/zones/{zone['id']}", json={"population_male": 7394},
                            headers=headers)
    assert response.status_code == 200
    assert response.json()["warnings"] == []


@pytest.mark.parametrize(("override", "fragment"), [
    ({"boundary": {"type": "Polygon", "coordinates": [[[101.27, 12.67], [101.29, 12.69],
                                                        [101.29, 12.67], [101.27, 12.69],
                                                        [101.27, 12.67]]]}}, "self-intersect"),
    ({"boundary": {"type": "Polygon", "coordinates": [[[12.67, 101.27], [12.69, 101.27],
                                                        [12.69, 101.29], [12.67, 101.27]]]}},
     "swapped"),
    ({"boundary": {"type": "Polygon", "coordinates": [[[2.3, 48.8], [2.4, 48.8],
                                                        [2.4, 48.9], [2.3, 48.8]]]}},
     "outside Thailand"),
    ({"boundary": "not geojson"}, "GeoJSON"),
    ({"landmarks": [{"name_th": "วัด", "lat": 13.9, "lon": 100.9}]}, "outside the zone"),
    ({"code": "Z-ST-A"}, "already exists"),
    ({"station_code": "NOPE"}, "no station"),
    ({"population_total": -5}, "greater than or equal"),
])
def test_bad_zones_are_refused_and_change_nothing(
    client: TestClient, world: World, override: dict[str, Any], fragment: str
) -> None:
    headers = world.headers(client, "admin")
    before = client.get("/api/v1/zones", headers=headers).json()["total"]
    response = client.post("/api/v1/zones", json=zone_body(**override), headers=headers)
    assert response.status_code in {404, 409, 422}
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert fragment.lower() in (problem["detail"] + str(problem.get("problems"))).lower()
    assert client.get("/api/v1/zones", headers=headers).json()["total"] == before


def test_operator_cannot_create_zones(client: TestClient, world: World) -> None:
    response = client.post("/api/v1/zones", json=zone_body(station_code="ST-A"),
                           headers=world.headers(client, "a.operator"))
    assert response.status_code == 403
    assert response.json()["code"] == "permission-denied"
