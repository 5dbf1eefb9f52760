"""Coverage over HTTP on both backends: real figures for a station, scope (station A cannot
read station B, partners read none), private areas drawn and imported all-or-nothing."""

from __future__ import annotations

import math
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from safetyzone.core.security import system_scope
from safetyzone.org.models import Landmark, Zone
from safetyzone.patrol import riskspots
from safetyzone.patrol.plan_schemas import RiskSpotCreate
from support.world import STATIONS, World

_, LAT, LON = STATIONS["ST-A"]
CAM_LAT = LAT + 0.001  # the world's police and shop cameras stand here, facing east, 60°


def east_of_camera(metres: float) -> tuple[float, float]:
    return CAM_LAT, LON + metres / (111_320.0 * math.cos(math.radians(CAM_LAT)))


def _places(db: Database, clock: ManualClock) -> None:
    scope = system_scope()
    with db.write() as s:
        lat, lon = east_of_camera(30)
        riskspots.create_spot(s, scope=scope, clock=clock, data=RiskSpotCreate(
            station_code="ST-A", code="RS-SEEN", name_th="ซอยเห็น", lat=lat, lon=lon,
            risk_score=0.5))
        riskspots.create_spot(s, scope=scope, clock=clock, data=RiskSpotCreate(
            station_code="ST-A", code="RS-DARK", name_th="ซอยมืด", lat=LAT - 0.003, lon=LON,
            risk_score=0.9))
        zone = s.scalar(select(Zone).where(Zone.code == "Z-ST-A"))
        assert zone is not None
        s.add(Landmark(zone_id=zone.id, name_th="วัด", name_en="Temple", kind="temple",
                       lat=LAT + 0.002, lon=LON - 0.002))


def _coverage(client: TestClient, headers: dict[str, str], **params: Any) -> Any:
    response = client.get("/api/v1/coverage", headers=headers, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_the_station_report_counts_what_no_camera_sees(
        client: TestClient, world: World, db: Database, clock: ManualClock) -> None:
    _places(db, clock)
    operator = world.headers(client, "a.operator")
    body = _coverage(client, operator)  # one station: no need to name it
    assert body["station_code"] == "ST-A" and body["utm_epsg"] == 32647
    assert body["counts"]["risk_spot"] == {"total": 2, "covered": 1, "uncovered": 1}
    assert body["counts"]["sos_point"] == {"total": 1, "covered": 0, "uncovered": 1}
    assert body["counts"]["landmark"] == {"total": 1, "covered": 0, "uncovered": 1}
    assert body["counts"]["red_box"] == {"total": 0, "covered": 0, "uncovered": 0}
    seen = next(p for p in body["places"] if p["code"] == "RS-SEEN")
    # The shop's camera faces it too, but a shop camera's assumed range is 25 m: not seen.
    assert seen["covered"] and seen["seen_by"] == ["ST-A-POLICE-P1-C1"]
    assert body["places"][0]["covered"] is False  # uncovered first
    police = next(c for c in body["cameras"] if c["code"] == "ST-A-POLICE-P1-C1")
    assert police["direction_known"] and police["range_assumed"] and police["range_m"] == 50
    assert police["cone"]["type"] == "Polygon" and police["ptz"] is False
    assert body["cameras_direction_unknown"] == 0 and body["cameras_at_private_space"] == 0


def test_no_heading_is_direction_unknown_and_never_covers(
        client: TestClient, world: World, db: Database, clock: ManualClock) -> None:
    _places(db, clock)
    admin = world.headers(client, "admin")
    for cam in client.get("/api/v1/cameras", headers=admin,
                          params={"station_code": "ST-A"}).json()["items"]:
        response = client.patch(f"/api/v1/cameras/{cam['id']}", headers=admin,
                                json={"heading_deg": None, "purposes": ["patrol"]})
        assert response.status_code == 200, response.text
        assert response.json()["purposes"] == ["patrol"]
    body = _coverage(client, admin, station_code="ST-A")
    assert body["cameras_direction_unknown"] == 2
    seen = next(p for p in body["places"] if p["code"] == "RS-SEEN")
    assert not seen["covered"] and seen["perhaps_by"] == ["ST-A-POLICE-P1-C1"]
    assert body["counts"]["risk_spot"]["covered"] == 0


def test_purposes_and_range_are_checked(client: TestClient, world: World) -> None:
    admin = world.headers(client, "admin")
    cam = client.get("/api/v1/cameras", headers=admin,
                     params={"station_code": "ST-A"}).json()["items"][0]
    for bad in ({"purposes": ["traffic", "traffic"]}, {"purposes": ["spying"]},
                {"range_m": -5}, {"range_m": 1e9}, {"purposes": None}):
        response = client.patch(f"/api/v1/cameras/{cam['id']}", headers=admin, json=bad)
        assert response.status_code == 422, (bad, response.text)
    response = client.patch(f"/api/v1/cameras/{cam['id']}", headers=admin,
                            json={"range_m": 120, "purposes": ["traffic", "investigation"]})
    assert response.json()["purposes"] == ["investigation", "traffic"]
    body = _coverage(client, admin, station_code="ST-A")
    row = next(c for c in body["cameras"] if c["id"] == cam["id"])
    assert row["range_m"] == 120 and row["range_assumed"] is False


def _plot(north_m: float, east_m: float, half_m: float) -> dict[str, Any]:
    dlat, dlon = half_m / 110_610, half_m / (111_320 * math.cos(math.radians(CAM_LAT)))
    clat, clon = CAM_LAT + north_m / 110_610, LON + east_m / (
        111_320 * math.cos(math.radians(CAM_LAT)))
    ring = [[clon - dlon, clat - dlat], [clon + dlon, clat - dlat], [clon + dlon, clat + dlat],
            [clon - dlon, clat + dlat], [clon - dlon, clat - dlat]]
    return {"type": "Polygon", "coordinates": [ring]}


def test_private_areas_flag_cameras_and_stay_in_their_station(
        client: TestClient, world: World) -> None:
    commander = world.headers(client, "a.commander")
    response = client.post("/api/v1/private-areas", headers=commander, json={
        "station_code": "ST-A", "name": "บ้านเลขที่ 12", "kind": "home",
        "boundary": _plot(0, 25, 25)})
    assert response.status_code == 201, response.text
    area = response.json()
    body = _coverage(client, commander, station_code="ST-A")
    assert body["cameras_at_private_space"] == 2
    assert all(c["private_share"] > body["private_limit"] for c in body["cameras"])
    assert [a["name"] for a in body["private_areas"]] == ["บ้านเลขที่ 12"]
    lenient = _coverage(client, commander, station_code="ST-A", private_limit=0.995)
    assert lenient["private_limit"] == 0.995
    assert [c["at_private_space"] for c in lenient["cameras"]] == [
        c["private_share"] > 0.995 for c in lenient["cameras"]]
    # Station B's operator neither sees nor deletes it.
    other = world.headers(client, "b.operator")
    assert client.get("/api/v1/coverage", headers=other,
                      params={"station_code": "ST-A"}).status_code == 404
    assert client.get("/api/v1/private-areas", headers=other,
                      params={"station_code": "ST-A"}).status_code == 404
    assert _coverage(client, other)["private_areas"] == []
    assert client.delete(f"/api/v1/private-areas/{area['id']}",
                         headers=world.headers(client, "a.operator")).status_code == 403
    assert client.delete(f"/api/v1/private-areas/{area['id']}",
                         headers=commander).status_code == 204
    assert _coverage(client, commander)["cameras_at_private_space"] == 0


def test_import_is_all_or_nothing(client: TestClient, world: World) -> None:
    admin = world.headers(client, "admin")

    def feature(name: Any, geometry: Any, kind: str = "yard") -> dict[str, Any]:
        return {"type": "Feature", "properties": {"name": name, "kind": kind},
                "geometry": geometry}

    good = feature("สนามหลังบ้าน", _plot(100, 0, 10))
    bad = [feature("", _plot(0, 0, 5)), feature("x", {"type": "Point", "coordinates": [1, 2]}),
           feature("y", _plot(0, 0, 5), kind="castle"), feature("z", _plot(0, 0, 800)),
           feature("w", {"type": "Polygon", "coordinates": [[[LAT, LON], [LAT, LON + 1e-3],
                                                            [LAT + 1e-3, LON], [LAT, LON]]]})]
    response = client.post("/api/v1/private-areas/import", headers=admin, json={
        "station_code": "ST-A", "type": "FeatureCollection", "features": [good, *bad]})
    assert response.status_code == 422, response.text
    assert len(response.json()["problems"]) == len(bad)
    assert client.get("/api/v1/private-areas", headers=admin,
                      params={"station_code": "ST-A"}).json() == []
    response = client.post("/api/v1/private-areas/import", headers=admin, json={
        "station_code": "ST-A", "features": [good, good]})
    assert response.status_code == 201 and len(response.json()) == 2


def test_who_may_read(client: TestClient, world: World) -> None:
    partner = world.headers(client, "a.shop")
    assert client.get("/api/v1/coverage", headers=partner).status_code == 403
    region = world.headers(client, "reg1.commander")
    response = client.get("/api/v1/coverage", headers=region)
    assert response.status_code == 422 and "station" in response.text
    assert _coverage(client, region, station_code="ST-B")["station_code"] == "ST-B"
    assert client.get("/api/v1/coverage", headers=region,
                      params={"station_code": "ST-C"}).status_code == 404
    assert client.get("/api/v1/coverage").status_code == 401
