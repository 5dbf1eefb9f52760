"""The asset registry over HTTP: create, page, filter, update, and every kind of bad input."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from support.world import World


def sos_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "station_code": "ST-A", "zone_code": "Z-ST-A", "kind": "sos_point",
        "code": "ST-A-SOS-NEW", "name_th": "จุดกดขอความช่วยเหลือ ตลาดน้ำ",
        "name_en": "Floating market SOS", "lat": 13.7305, "lon": 100.4702,
        "owner_class": "police", "has_speaker": True,
        "bound_camera_codes": ["ST-A-POLICE-P1-C1", "ST-A-SHOP-P1-C1"],
    }
    body.update(overrides)
    return body


def count(client: TestClient, headers: dict[str, str]) -> int:
    total: int = client.get("/api/v1/assets", headers=headers).json()["total"]
    return total


def test_create_read_update_delete_an_sos_point(client: TestClient, world: World) -> None:
    headers = world.headers(client, "a.commander")
    created = client.post("/api/v1/assets", json=sos_body(), headers=headers)
    assert created.status_code == 201, created.text
    asset = created.json()
    assert asset["name_th"] == "จุดกดขอความช่วยเหลือ ตลาดน้ำ"
    assert len(asset["bound_camera_ids"]) == 2
    got = client.get(f"/api/v1/assets/{asset['id']}", headers=headers).json()
    assert got["bound_camera_ids"] == asset["bound_camera_ids"]
    patched = client.patch(f"/api/v1/assets/{asset['id']}",
                           json={"status": "maintenance", "bound_camera_codes": []},
                           headers=headers)
    assert patched.status_code == 200
    assert patched.json()["status"] == "maintenance"
    assert patched.json()["bound_camera_ids"] == []
    assert client.delete(f"/api/v1/assets/{asset['id']}", headers=headers).status_code == 204
    assert client.get(f"/api/v1/assets/{asset['id']}", headers=headers).status_code == 404


def test_paging_and_filters(client: TestClient, world: World) -> None:
    headers = world.headers(client, "admin")
    page = client.get("/api/v1/assets", params={"limit": 2, "offset": 0}, headers=headers).json()
    assert len(page["items"]) == 2
    assert page["total"] == 9  # 3 stations x (2 camera points + 1 SOS point)
    rest = client.get("/api/v1/assets", params={"limit": 100, "offset": 2},
                      headers=headers).json()
    assert len(rest["items"]) == 7
    ids = {a["id"] for a in page["items"]} | {a["id"] for a in rest["items"]}
    assert len(ids) == 9
    sos = client.get("/api/v1/assets", params={"kind": "sos_point"}, headers=headers).json()
    assert sos["total"] == 3
    st_b = client.get("/api/v1/assets", params={"station_code": "ST-B"}, headers=headers).json()
    assert {a["code"][:4] for a in st_b["items"]} == {"ST-B"}
    private = client.get("/api/v1/cameras", params={"owner_class": "private_business"},
                         headers=headers).json()
    assert private["total"] == 3
    found = client.get("/api/v1/assets", params={"q": "SOS1"}, headers=headers).json()
    assert found["total"] == 3


def test_camera_sharing_expires(client: TestClient, world: World) -> None:
    headers = world.headers(client, "a.commander")
    camera = client.post("/api/v1/cameras", headers=headers, json={
        "station_code": "ST-A", "point_code": "ST-A-SHOP-P1", "code": "ST-A-SHOP-P1-C2",
        "name_th": "กล้องหน้าร้าน", "sharing_level": "live_always",
        "sharing_until": "2025-12-31T23:59:59+07:00"})
    assert camera.status_code == 201, camera.text
    body = camera.json()
    assert body["owner_class"] == "private_business"  # inherited from the point
    assert body["sharing_level"] == "live_always"
    assert body["effective_sharing_level"] == "registry_only"  # the test clock is in 2026
    assert body["has_stream"] is False


@pytest.mark.parametrize(("override", "status", "fragment"), [
    ({"lat": 100.4702, "lon": 13.7305}, 422, "swapped"),
    ({"lat": 51.5, "lon": -0.12}, 422, "outside Thailand"),
    ({"lat": 13.80, "lon": 100.60}, 422, "outside zone"),
    ({"owner_class": "martian"}, 422, "owner_class"),
    ({"kind": "teleporter"}, 422, "kind"),
    ({"code": "ST-A-SOS1"}, 409, "already used"),
    ({"code": "bad code with spaces"}, 422, "code"),
    ({"bound_camera_codes": ["NO-SUCH-CAM"]}, 422, "no camera"),
    ({"station_code": "ST-B", "zone_code": None}, 404, "no station"),
    ({"zone_code": "Z-ST-B"}, 404, "no zone"),
    ({"lat": "NaN"}, 422, "lat"),
    ({"extra_field": 1}, 422, "extra_field"),
])
def test_bad_assets_are_refused_and_change_nothing(
    client: TestClient, world: World, override: dict[str, Any], status: int, fragment: str
) -> None:
    headers = world.headers(client, "a.commander")
    before = count(client, headers)
    response = client.post("/api/v1/assets", json=sos_body(**override), headers=headers)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == status
    assert fragment.lower() in (problem["detail"] + str(problem.get("problems"))).lower()
    assert count(client, headers) == before


@pytest.mark.parametrize("body", [b"{not json", b"\xff\xfe\x00garbage", b"[]", b"null", b""])
def test_garbage_bodies_get_problem_json(client: TestClient, world: World, body: bytes) -> None:
    headers = {**world.headers(client, "a.commander"), "Content-Type": "application/json"}
    before = count(client, headers)
    response = client.post("/api/v1/assets", content=body, headers=headers)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert count(client, headers) == before


def test_oversize_body_is_refused_before_parsing(client: TestClient, world: World) -> None:
    headers = world.headers(client, "a.commander")
    before = count(client, headers)
    huge = sos_body(note="ก" * 2_000_000)
    response = client.post("/api/v1/assets", json=huge, headers=headers)
    assert response.status_code == 413
    assert response.json()["code"] == "payload-too-large"
    assert count(client, headers) == before


def test_oversize_body_without_content_length(client: TestClient, world: World) -> None:
    headers = {**world.headers(client, "a.commander"), "Content-Type": "application/json"}

    def chunks() -> Any:
        yield b'{"note": "'
        for _ in range(300):
            yield b"x" * 8192
        yield b'"}'

    response = client.post("/api/v1/assets", content=chunks(), headers=headers)
    assert response.status_code == 413


def test_operations_endpoints(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ready"
    client.get("/api/v1/zones")
    local = TestClient(client.app, client=("127.0.0.1", 50000))  # /metrics: loopback only
    metrics = local.get("/metrics").text
    assert 'ssz_http_requests_total{method="GET",route="/api/v1/zones",status="401"}' in metrics
    openapi = client.get("/openapi.json").json()
    assert "/api/v1/auth/token" in openapi["paths"]
    assert openapi["paths"]["/api/v1/assets"]["get"]["operationId"].startswith("list_assets")
