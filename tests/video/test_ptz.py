"""PTZ through the real ONVIF client (onvif-zeep-async) against the simulated ONVIF camera
over loopback HTTP, with WS-Security checked by the device: presets, moves, the audit, the
heading that coverage follows, who may move, sharing terms and refused addresses."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from conftest import SECRET
from safetyzone.audit.models import AuditEntry
from safetyzone.config import Settings
from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from safetyzone.core.outbound import parse_networks
from safetyzone.simulate.onvif_ptz import SimulatedPtzCamera
from safetyzone.web.app import create_app
from support.world import World

# The world's cameras use these stream credentials; the simulated camera checks them.
USER, PASSWORD = "viewer", "pw-st-a-police-p1"


@pytest.fixture
def device() -> Iterator[SimulatedPtzCamera]:
    with SimulatedPtzCamera(username=USER, password=PASSWORD) as cam:
        yield cam


@pytest.fixture
def loop_client(db: Database, clock: ManualClock, tmp_path: Path) -> Iterator[TestClient]:
    """The app allowed to reach loopback (where the simulated camera listens)."""
    settings = Settings(environment="test", data_dir=tmp_path, secret_key=SECRET,
                        camera_networks=parse_networks(["127.0.0.0/8"]))
    with TestClient(create_app(settings, db, clock)) as client:
        yield client


def _camera(client: TestClient, headers: dict[str, str], code: str = "ST-A-POLICE-P1-C1"
            ) -> dict[str, Any]:
    items = client.get("/api/v1/cameras", headers=headers,
                       params={"station_code": "ST-A"}).json()["items"]
    camera: dict[str, Any] = next(c for c in items if c["code"] == code)
    return camera


def _setup(client: TestClient, world: World, device: SimulatedPtzCamera,
           **config: Any) -> tuple[str, dict[str, str]]:
    admin = world.headers(client, "admin")
    camera = _camera(client, admin)
    assert client.patch(f"/api/v1/cameras/{camera['id']}", headers=admin,
                        json={"sharing_level": "live_always"}).status_code == 200
    response = client.put(f"/api/v1/cameras/{camera['id']}/ptz", headers=admin, json={
        "onvif_url": f"http://127.0.0.1:{device.port}", **config})
    assert response.status_code == 200, response.text
    assert response.json()["configured"] is True
    return camera["id"], world.headers(client, "a.operator")


def _heading(client: TestClient, headers: dict[str, str], camera_id: str) -> Any:
    body = client.get("/api/v1/coverage", headers=headers, params={"station_code": "ST-A"})
    return next(c for c in body.json()["cameras"] if c["id"] == camera_id)


def test_presets_and_goto_with_a_calibrated_camera(
        loop_client: TestClient, world: World, device: SimulatedPtzCamera, db: Database
) -> None:
    camera_id, operator = _setup(loop_client, world, device, pan_zero_heading_deg=10)
    response = loop_client.get(f"/api/v1/cameras/{camera_id}/ptz/presets", headers=operator)
    assert response.status_code == 200, response.text
    presets = {p["token"]: p for p in response.json()}
    assert presets["2"]["name"] == "ลานจอดรถ Car park"
    assert presets["2"]["heading_deg"] == pytest.approx(100)  # pan 0.5 = 90° right of 10°
    response = loop_client.post(f"/api/v1/cameras/{camera_id}/ptz/presets/2/goto",
                                headers=operator)
    assert response.status_code == 200, response.text
    assert response.json()["heading_deg"] == pytest.approx(100)
    assert device.state.pan_deg == 90
    row = _heading(loop_client, operator, camera_id)
    assert row["heading_deg"] == pytest.approx(100) and row["ptz"] is True
    # Every call carried the operator's camera credentials (WS-Security) and was accepted.
    assert {user for _, user in device.state.calls} == {USER}
    assert ("GotoPreset", USER) in device.state.calls
    with db.read() as s:
        rows = list(s.scalars(select(AuditEntry).where(AuditEntry.action.like("camera.ptz.%"))
                              .order_by(AuditEntry.id)))
    assert [(r.action, r.username) for r in rows] == [
        ("camera.ptz.configure", "admin"), ("camera.ptz.goto_preset", "a.operator")]
    assert rows[1].detail["preset"] == "2" and rows[1].detail["heading_before"] == 90
    assert rows[1].entity_id == camera_id


def test_moves_without_calibration_leave_the_direction_unknown(
        loop_client: TestClient, world: World, device: SimulatedPtzCamera) -> None:
    camera_id, operator = _setup(loop_client, world, device)
    response = loop_client.post(f"/api/v1/cameras/{camera_id}/ptz/move", headers=operator,
                                json={"pan": 0.5})
    assert response.status_code == 200, response.text
    assert response.json()["heading_deg"] is None
    assert loop_client.post(f"/api/v1/cameras/{camera_id}/ptz/stop",
                            headers=operator).status_code == 200
    assert [name for name, _ in device.state.calls if name in {"ContinuousMove", "Stop"}] == [
        "ContinuousMove", "Stop"]
    row = _heading(loop_client, operator, camera_id)
    assert row["direction_known"] is False and row["cone"] is None
    # An operator says where it points now and keeps that view as a preset.
    response = loop_client.post(f"/api/v1/cameras/{camera_id}/ptz/presets", headers=operator,
                                json={"name": "ทางม้าลาย Crossing", "heading_deg": 200})
    assert response.status_code == 201, response.text
    token = response.json()["preset_token"]
    assert device.state.presets[token].name == "ทางม้าลาย Crossing"
    assert _heading(loop_client, operator, camera_id)["heading_deg"] == 200
    loop_client.post(f"/api/v1/cameras/{camera_id}/ptz/presets/1/goto", headers=operator)
    assert _heading(loop_client, operator, camera_id)["direction_known"] is False
    response = loop_client.post(f"/api/v1/cameras/{camera_id}/ptz/presets/{token}/goto",
                                headers=operator)
    assert response.json()["heading_deg"] == 200
    stored = loop_client.get(f"/api/v1/cameras/{camera_id}/ptz", headers=operator).json()
    assert [(p["token"], p["heading_deg"]) for p in stored["presets"]] == [(token, 200)]


def test_a_calibrated_stop_reads_the_pan_back(
        loop_client: TestClient, world: World, device: SimulatedPtzCamera) -> None:
    camera_id, operator = _setup(loop_client, world, device, pan_zero_heading_deg=0)
    device.state.pan_deg = -45.0
    response = loop_client.post(f"/api/v1/cameras/{camera_id}/ptz/stop", headers=operator)
    assert response.json()["heading_deg"] == pytest.approx(315)


def test_who_may_move(loop_client: TestClient, world: World,
                      device: SimulatedPtzCamera) -> None:
    camera_id, _ = _setup(loop_client, world, device)
    path = f"/api/v1/cameras/{camera_id}/ptz/presets/1/goto"
    for user, status in (("a.patrol", 403), ("a.viewer", 403), ("a.investigator", 403),
                         ("a.shop", 403), ("b.operator", 404), ("a.commander", 200)):
        response = loop_client.post(path, headers=world.headers(loop_client, user))
        assert response.status_code == status, (user, response.text)
    assert loop_client.post(path).status_code == 401
    assert [n for n, _ in device.state.calls if n == "GotoPreset"] == ["GotoPreset"]
    # Settings are for admins and commanders only.
    response = loop_client.put(f"/api/v1/cameras/{camera_id}/ptz",
                               headers=world.headers(loop_client, "a.operator"),
                               json={"onvif_url": "http://10.1.2.3"})
    assert response.status_code == 403


@pytest.mark.parametrize(("level", "status"), [("footage_on_request", 403),
                                               ("registry_only", 403),
                                               ("live_on_alarm", 403), ("live_always", 200)])
def test_the_sharing_terms_decide(loop_client: TestClient, world: World,
                                  device: SimulatedPtzCamera, level: str, status: int) -> None:
    camera_id, operator = _setup(loop_client, world, device)
    admin = world.headers(loop_client, "admin")
    loop_client.patch(f"/api/v1/cameras/{camera_id}", headers=admin, json={"sharing_level": level})
    response = loop_client.post(f"/api/v1/cameras/{camera_id}/ptz/move", headers=operator,
                                json={"pan": 0.2})
    assert response.status_code == status, response.text
    assert any(n == "ContinuousMove" for n, _ in device.state.calls) is (status == 200)


def test_wrong_credentials_and_refused_addresses(
        loop_client: TestClient, client: TestClient, world: World,
        device: SimulatedPtzCamera) -> None:
    camera_id, operator = _setup(loop_client, world, device)
    admin = world.headers(loop_client, "admin")
    loop_client.patch(f"/api/v1/cameras/{camera_id}", headers=admin,
                      json={"stream_password": "wrong"})
    response = loop_client.post(f"/api/v1/cameras/{camera_id}/ptz/stop", headers=operator)
    assert response.status_code == 502
    assert response.json()["detail"] == "the camera did not answer the PTZ command"
    response = loop_client.post(f"/api/v1/cameras/{camera_id}/ptz/stop", headers=admin)
    assert "not Authorized" in response.json()["detail"]
    assert not any(n == "Stop" for n, _ in device.state.calls)
    # The default camera networks do not hold loopback: refused before any connection.
    response = client.post(f"/api/v1/cameras/{camera_id}/ptz/stop", headers=admin)
    assert response.status_code == 502 and "loopback" in response.json()["detail"]
    for url in ("http://169.254.169.254", "ftp://10.0.0.1", "http://user:pw@10.0.0.1"):
        response = loop_client.put(f"/api/v1/cameras/{camera_id}/ptz", headers=admin,
                                   json={"onvif_url": url})
        assert response.status_code == 422, url


def test_the_device_checks_ws_security(device: SimulatedPtzCamera) -> None:
    """Without a UsernameToken, or with a wrong password, the device answers a SOAP fault."""
    body = ('<?xml version="1.0"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/'
            'soap-envelope"><s:Body><GetPresets xmlns="http://www.onvif.org/ver20/ptz/wsdl">'
            '<ProfileToken>profile_1</ProfileToken></GetPresets></s:Body></s:Envelope>')
    url = f"http://127.0.0.1:{device.port}/onvif/ptz_service"
    response = httpx.post(url, content=body, headers={"Content-Type": "application/soap+xml"})
    assert response.status_code == 400 and "ter:NotAuthorized" in response.text
    text_token = body.replace("<s:Body>", (
        '<s:Header><Security xmlns="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-'
        'wssecurity-secext-1.0.xsd"><UsernameToken><Username>viewer</Username><Password>{}'
        "</Password></UsernameToken></Security></s:Header><s:Body>"))
    assert httpx.post(url, content=text_token.format("nope")).status_code == 400
    good = httpx.post(url, content=text_token.format(PASSWORD))
    assert good.status_code == 200 and "ลานจอดรถ" in good.text
    assert httpx.post(url, content=b"<not xml").status_code == 400
    assert device.state.calls == [("GetPresets", USER)]
