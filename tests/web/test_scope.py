"""Station scope: every data route goes through the one scope check, and it holds.

Station A cannot see station B; a region commander sees its region; a partner sees only
its own assets; stream secrets are hidden from viewers and every read is audited.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.routing import APIRoute, APIWebSocketRoute
from fastapi.testclient import TestClient

from safetyzone.web.app import ROUTERS
from safetyzone.web.deps import get_device, get_scope
from support.world import World

# Routes that must work without a scope: logging in, and the operator endpoints.
PUBLIC = {"/", "/api/v1/auth/token", "/api/v1/auth/refresh", "/healthz", "/readyz", "/metrics"}
# The console's HTML pages hold no data: the browser fetches it with the user's token.
PUBLIC |= {"/console", "/console/", "/login"}
# The API documentation pages (Swagger UI, ReDoc) hold no data either: the schema is public.
PUBLIC |= {"/docs", "/redoc"}


def _calls(dependant: Any) -> set[Any]:
    found = {dependant.call}
    for sub in dependant.dependencies:
        found |= _calls(sub)
    return found


# Device intake authenticates devices, not people: those routes must take DeviceDep instead.
DEVICE = {"/api/v1/intake/events", "/api/v1/intake/events/batch"}
# Protocol gateways identify a device by its registered protocol id (OsmAnd has no secret,
# like Traccar); tests/gateways/test_gateways.py proves unknown ids are refused.
GATEWAY = {"/api/v1/gateways/osmand", "/api/v1/gateways/lpr/hikvision/{external_id}",
           "/api/v1/gateways/lpr/openalpr/{external_id}",
           "/api/v1/gateways/lpr/generic/{external_id}"}
# WebSockets resolve the scope from a query token (browsers cannot set headers on them);
# tests/web/test_stream.py proves that route's scoping.
WEBSOCKET = {"/api/v1/stream"}


def test_every_data_route_takes_the_scope_dependency() -> None:
    checked = 0
    for router in ROUTERS:
        for route in router.routes:
            if isinstance(route, APIWebSocketRoute):
                assert route.path in WEBSOCKET, f"unreviewed websocket {route.path}"
                continue
            assert isinstance(route, APIRoute)
            if route.path in PUBLIC or route.path in GATEWAY:
                continue
            if route.path in DEVICE:
                assert get_device in _calls(route.dependant), f"{route.path} skips DeviceDep"
                assert get_scope not in _calls(route.dependant)
                continue
            assert get_scope in _calls(route.dependant), f"{route.path} skips ScopeDep"
            checked += 1
    assert checked >= 30


def _codes(client: TestClient, headers: dict[str, str], path: str) -> set[str]:
    response = client.get(path, headers=headers, params={"limit": 500})
    assert response.status_code == 200, response.text
    return {item["code"] for item in response.json()["items"]}


def test_station_a_cannot_read_station_b(client: TestClient, world: World) -> None:
    a = world.headers(client, "a.operator")
    b = world.headers(client, "b.operator")
    a_assets = _codes(client, a, "/api/v1/assets")
    assert a_assets
    assert all(code.startswith("ST-A") for code in a_assets)
    assert all(code.startswith("ST-A") for code in _codes(client, a, "/api/v1/cameras"))
    assert _codes(client, a, "/api/v1/zones") == {"Z-ST-A"}
    # B's rows by id look exactly like rows that do not exist.
    b_asset = client.get("/api/v1/assets", headers=b).json()["items"][0]
    b_camera = client.get("/api/v1/cameras", headers=b).json()["items"][0]
    b_zone = client.get("/api/v1/zones", headers=b).json()["items"][0]
    for path in (f"/api/v1/assets/{b_asset['id']}", f"/api/v1/cameras/{b_camera['id']}",
                 f"/api/v1/zones/{b_zone['id']}"):
        response = client.get(path, headers=a)
        assert response.status_code == 404, path
        assert response.headers["content-type"] == "application/problem+json"
    assert client.patch(f"/api/v1/assets/{b_asset['id']}", json={"name_th": "x"},
                        headers=world.headers(client, "a.commander")).status_code == 404
    # Filters naming B's station say "not found", not "empty".
    response = client.get("/api/v1/assets", params={"station_code": "ST-B"}, headers=a)
    assert response.status_code == 404


def test_region_commander_sees_its_region_only(client: TestClient, world: World) -> None:
    headers = world.headers(client, "reg1.commander")
    assert _codes(client, headers, "/api/v1/zones") == {"Z-ST-A", "Z-ST-B"}
    units = {u["code"] for u in client.get("/api/v1/org-units", headers=headers).json()}
    assert {"HQ", "REG-1", "PROV-1", "ST-A", "ST-B"} <= units
    assert "ST-C" not in units
    assert "REG-2" not in units


def test_national_viewer_sees_everything_and_changes_nothing(
    client: TestClient, world: World
) -> None:
    headers = world.headers(client, "hq.viewer")
    assert _codes(client, headers, "/api/v1/zones") == {"Z-ST-A", "Z-ST-B", "Z-ST-C"}
    asset = client.get("/api/v1/assets", headers=headers).json()["items"][0]
    response = client.patch(f"/api/v1/assets/{asset['id']}", json={"name_th": "x"},
                            headers=headers)
    assert response.status_code == 403


def test_partner_sees_only_its_own_assets(client: TestClient, world: World) -> None:
    headers = world.headers(client, "a.shop")
    assert _codes(client, headers, "/api/v1/assets") == {"ST-A-SHOP-P1"}
    assert _codes(client, headers, "/api/v1/cameras") == {"ST-A-SHOP-P1-C1"}
    police_cam = next(c for c in client.get(
        "/api/v1/cameras", headers=world.headers(client, "a.operator")).json()["items"]
        if c["code"] == "ST-A-POLICE-P1-C1")
    assert client.get(f"/api/v1/cameras/{police_cam['id']}", headers=headers).status_code == 404
    # ...and may set its own sharing terms, but not someone else's.
    own = client.get("/api/v1/cameras", headers=headers).json()["items"][0]
    response = client.patch(f"/api/v1/cameras/{own['id']}",
                            json={"sharing_level": "live_always"}, headers=headers)
    assert response.status_code == 200
    assert response.json()["sharing_level"] == "live_always"
    assert client.patch(f"/api/v1/cameras/{police_cam['id']}",
                        json={"sharing_level": "live_always"},
                        headers=headers).status_code == 404
    partners = client.get("/api/v1/partners", headers=headers).json()
    assert [p["code"] for p in partners] == ["SHOP-ST-A"]


def _camera_id(client: TestClient, headers: dict[str, str]) -> str:
    items = client.get("/api/v1/cameras", headers=headers).json()["items"]
    camera_id: str = next(c["id"] for c in items if "POLICE" in c["code"])
    return camera_id


@pytest.mark.parametrize("username", ["a.viewer", "a.patrol", "a.shop", "hq.viewer"])
def test_stream_secret_hidden_from_roles_without_the_right(
    client: TestClient, world: World, username: str
) -> None:
    camera_id = _camera_id(client, world.headers(client, "a.operator"))
    headers = world.headers(client, username)
    camera = client.get(f"/api/v1/cameras/{camera_id}", headers=headers)
    if camera.status_code == 200:
        assert "rtsp" not in camera.text
        assert "pw-" not in camera.text
    response = client.post(f"/api/v1/cameras/{camera_id}/stream-secret",
                           json={"reason": "checking the market"}, headers=headers)
    assert response.status_code in {403, 404}


def test_stream_secret_read_needs_a_reason_and_is_audited(
    client: TestClient, world: World
) -> None:
    operator = world.headers(client, "a.operator")
    camera_id = _camera_id(client, operator)
    assert "rtsp" not in client.get(f"/api/v1/cameras/{camera_id}", headers=operator).text
    no_reason = client.post(f"/api/v1/cameras/{camera_id}/stream-secret", json={},
                            headers=operator)
    assert no_reason.status_code == 422
    response = client.post(f"/api/v1/cameras/{camera_id}/stream-secret",
                           json={"reason": "SOS at the market, need the live view"},
                           headers=operator)
    assert response.status_code == 200
    secret = response.json()
    assert secret["stream_url"] == "rtsp://st-a-police-p1.cam.invalid/1"
    assert secret["stream_password"] == "pw-st-a-police-p1"
    audit = client.get("/api/v1/audit", params={"action": "camera.stream_secret.read"},
                       headers=world.headers(client, "a.commander")).json()
    assert audit["total"] == 1
    entry = audit["items"][0]
    assert entry["username"] == "a.operator"
    assert entry["entity_id"] == camera_id
    assert entry["reason"] == "SOS at the market, need the live view"


def test_audit_is_scoped_too(client: TestClient, world: World) -> None:
    a = world.headers(client, "a.commander")
    stations = {e["station_id"] for e in client.get(
        "/api/v1/audit", params={"limit": 1000}, headers=a).json()["items"]}
    me = client.get("/api/v1/auth/me", headers=a).json()
    assert stations <= {*me["station_ids"], None}
    assert client.get("/api/v1/audit", headers=world.headers(client, "a.operator")
                      ).status_code == 403


def test_users_grant_scope_only_inside_their_own(client: TestClient, world: World) -> None:
    admin = world.headers(client, "admin")
    body = {"username": "c.operator", "display_name": "C", "password": "long enough pw",
            "role": "operator", "org_unit_codes": ["ST-C"]}
    assert client.post("/api/v1/users", json=body, headers=admin).status_code == 201
    again = client.post("/api/v1/users", json=body, headers=admin)
    assert again.status_code == 409
    bad_role = client.post("/api/v1/users", json={**body, "username": "x.y", "role": "king"},
                           headers=admin)
    assert bad_role.status_code == 422
    assert client.post("/api/v1/users", json={**body, "username": "z.z"},
                       headers=world.headers(client, "a.commander")).status_code == 403
