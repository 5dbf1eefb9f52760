"""Camera pictures through the app: sharing terms, sources (sim, HTTP, RTSP), health
(online, offline, frozen) and the audit of who looked.

The test cameras are servers on loopback, which the default camera networks refuse (see
test_sources.py): here, and only here, the settings allow 127.0.0.0/8.
"""

from __future__ import annotations

import base64
import io
import socket
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from safetyzone.config import Settings
from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from safetyzone.core.outbound import parse_networks
from safetyzone.video.sources import TIMEOUT_S
from safetyzone.web.app import create_app
from support.live import Devices, wait_for
from support.world import World

JPEG = base64.b64decode(  # a 1x1 JPEG
    "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/wAALCAABAAEBAREA/8QAFAABAAAAAAAAAAAAAAAAAAAACf/EABQQAQAAAAAAAAAAAAAAAAAAAAD/2gAIAQEAAD8AKp//2Q==")


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The test settings, with loopback as a camera network (never the default)."""
    return settings.model_copy(update={"camera_networks": parse_networks(["127.0.0.0/8"])})


class Camera(BaseHTTPRequestHandler):
    """A camera's HTTP snapshot endpoint that wants basic auth viewer:pw."""

    frames: ClassVar[list[bytes]] = [JPEG]

    def do_GET(self) -> None:
        expected = "Basic " + base64.b64encode(b"viewer:pw").decode()
        if self.headers.get("Authorization") != expected:
            self.send_response(401)
            self.end_headers()
            return
        body = self.frames[0]
        self.send_response(200)
        self.send_header("Content-Type", "image/jpeg")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def http_camera() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Camera)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/snapshot.jpg"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def silent_camera() -> Iterator[str]:
    """Accepts connections, never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/snapshot.jpg"
    finally:
        listener.close()


def add_camera(client: TestClient, admin: dict[str, str], code: str, url: str | None,
               sharing: str = "live_always", **extra: Any) -> str:
    body = {"station_code": "ST-A", "point_code": "ST-A-POLICE-P1", "code": code,
            "name_th": f"กล้อง {code}", "sharing_level": sharing, **extra}
    if url:
        body["stream_url"] = url
    response = client.post("/api/v1/cameras", json=body, headers=admin)
    assert response.status_code == 201, response.text
    camera_id: str = response.json()["id"]
    return camera_id


def snapshot(client: TestClient, headers: dict[str, str], camera_id: str) -> Any:
    return client.get(f"/api/v1/cameras/{camera_id}/snapshot", headers=headers)


def test_a_simulated_camera_gives_a_marked_moving_picture(
    client: TestClient, world: World, clock: ManualClock,
) -> None:
    admin = world.headers(client, "admin")
    camera_id = add_camera(client, admin, "SIM-1", "sim://sim-1")
    operator = world.headers(client, "a.operator")
    first = snapshot(client, operator, camera_id)
    assert first.status_code == 200, first.text
    assert first.headers["content-type"] == "image/jpeg"
    assert first.headers["x-camera-state"] == "online"
    assert first.headers["cache-control"] == "no-store"
    assert Image.open(io.BytesIO(first.content)).size == (640, 360)
    clock.advance(timedelta(seconds=2))
    second = snapshot(client, operator, camera_id)
    assert second.content != first.content  # the clock and the car moved


def test_an_http_camera_is_fetched_by_the_server_with_its_credentials(
    client: TestClient, world: World, http_camera: str,
) -> None:
    admin = world.headers(client, "admin")
    camera_id = add_camera(client, admin, "HTTP-1", http_camera, stream_username="viewer",
                           stream_password="pw")
    response = snapshot(client, world.headers(client, "a.operator"), camera_id)
    assert response.status_code == 200, response.text
    assert response.content == JPEG
    assert "127.0.0.1" not in str(response.headers) and "pw" not in str(response.headers)
    wrong = add_camera(client, admin, "HTTP-2", http_camera, stream_username="viewer",
                       stream_password="wrong")
    refused = snapshot(client, world.headers(client, "a.operator"), wrong)
    assert refused.status_code == 502
    assert refused.json()["code"] == "camera-unavailable"
    assert refused.json()["detail"] == "camera picture unavailable"
    assert refused.headers["x-camera-state"] == "offline"


def test_the_same_picture_again_and_again_is_frozen(
    client: TestClient, world: World, clock: ManualClock, http_camera: str,
) -> None:
    admin = world.headers(client, "admin")
    camera_id = add_camera(client, admin, "FROZEN-1", http_camera, stream_username="viewer",
                           stream_password="pw")
    operator = world.headers(client, "a.operator")
    states = []
    for _ in range(3):  # three identical pictures in a row, spanning 10 s: frozen
        states.append(snapshot(client, operator, camera_id).headers["x-camera-state"])
        clock.advance(timedelta(seconds=5))
    assert states == ["online", "online", "frozen"]
    health = {h["code"]: h for h in client.get("/api/v1/camera-health", headers=operator).json()}
    assert health["FROZEN-1"]["state"] == "frozen"
    Camera.frames = [JPEG + b"\x00"]  # a new picture: online again
    try:
        assert snapshot(client, operator, camera_id).headers["x-camera-state"] == "online"
    finally:
        Camera.frames = [JPEG]


def test_a_camera_that_does_not_answer_is_offline_within_seconds(
    client: TestClient, world: World, silent_camera: str,
) -> None:
    camera_id = add_camera(client, world.headers(client, "admin"), "SILENT-1", silent_camera)
    operator = world.headers(client, "a.operator")
    response = snapshot(client, operator, camera_id)
    assert response.status_code == 502  # the same answer as every other failure
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "camera-unavailable"
    assert response.headers["x-camera-state"] == "offline"
    health = {h["code"]: h for h in client.get("/api/v1/camera-health", headers=operator).json()}
    assert health["SILENT-1"]["state"] == "offline"
    assert health["SILENT-1"]["detail"] is None  # the reason is for admins and commanders
    assert health["ST-A-SHOP-P1-C1"]["state"] is None  # nobody looked at it yet
    commander = world.headers(client, "a.commander")
    health = {h["code"]: h for h in client.get("/api/v1/camera-health", headers=commander).json()}
    # The fetch gave up after the source's own short timeout, not the client's or the OS's.
    assert f"did not answer within {TIMEOUT_S:g} s" in health["SILENT-1"]["detail"]


@pytest.mark.parametrize(("sharing", "fragment"), [
    ("registry_only", "registry only"), ("footage_on_request", "footage on request"),
    ("live_on_alarm", "live on alarm")])
def test_sharing_terms_decide_who_sees_a_picture(
    client: TestClient, world: World, sharing: str, fragment: str,
) -> None:
    camera_id = add_camera(client, world.headers(client, "admin"), "TERMS-1", "sim://t",
                           sharing=sharing)
    response = snapshot(client, world.headers(client, "a.operator"), camera_id)
    assert response.status_code == 403
    assert fragment in response.json()["detail"]


def test_live_on_alarm_opens_while_an_incident_docks_the_camera(
    client: TestClient, world: World, clock: ManualClock,
) -> None:
    operator = world.headers(client, "a.operator")
    cameras = client.get("/api/v1/cameras", headers=operator).json()["items"]
    bound = next(c["id"] for c in cameras if c["code"] == "ST-A-POLICE-P1-C1")
    assert snapshot(client, operator, bound).status_code == 403  # live on alarm, no alarm
    devices = Devices(client, world, clock)
    token = devices.credential("ST-A", "asset", devices.asset_id("ST-A-SOS1"), "SOS pole")
    assert devices.post(token, devices.sos()).status_code == 200
    incident = wait_for(lambda: devices.incidents(kind="sos"))[0]
    # Now it may be seen, but this camera has an RTSP stream only: said plainly, at once.
    response = snapshot(client, operator, bound)
    assert response.status_code == 502
    assert response.json()["detail"] == "no snapshot URL for this camera"
    assert "x-camera-state" not in response.headers  # not the camera's fault
    client.post(f"/api/v1/incidents/{incident['id']}/transition", headers=operator,
                json={"to": "closed", "disposition": "test"})
    assert snapshot(client, operator, bound).status_code == 403


def test_a_viewing_session_is_audited_once_not_every_refresh(
    client: TestClient, world: World, clock: ManualClock,
) -> None:
    camera_id = add_camera(client, world.headers(client, "admin"), "AUDIT-1", "sim://a")
    operator = world.headers(client, "a.operator")
    for _ in range(5):
        assert snapshot(client, operator, camera_id).status_code == 200
        clock.advance(timedelta(seconds=2))
    commander = world.headers(client, "a.commander")

    def views() -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = client.get(
            "/api/v1/audit", params={"action": "camera.view", "entity_id": camera_id},
            headers=commander).json()["items"]
        return rows

    assert [r["username"] for r in views()] == ["a.operator"]
    clock.advance(timedelta(minutes=5))
    assert snapshot(client, operator, camera_id).status_code == 200
    assert len(views()) == 2


def test_another_station_cannot_see_the_picture(client: TestClient, world: World) -> None:
    camera_id = add_camera(client, world.headers(client, "admin"), "SCOPE-1", "sim://s")
    assert snapshot(client, world.headers(client, "b.operator"), camera_id).status_code == 404
    assert client.get(f"/api/v1/cameras/{camera_id}/snapshot").status_code == 401


def test_with_the_prober_on_a_snapshot_gives_only_a_new_cameras_first_state(
    db: Database, clock: ManualClock, settings: Settings, world: World, http_camera: str,
) -> None:
    """The prober keeps the record (one writer: no flapping history), but a camera added a
    moment ago and opened at once is not left "not checked" until the next sweep."""
    probing = settings.model_copy(update={"camera_probe_interval_s": 3600})
    with TestClient(create_app(probing, db, clock)) as client:
        admin = world.headers(client, "admin")
        camera_id = add_camera(client, admin, "NEW-1", http_camera, stream_username="viewer",
                               stream_password="pw")
        operator = world.headers(client, "a.operator")
        assert snapshot(client, operator, camera_id).status_code == 200

        def state() -> str | None:
            rows = client.get("/api/v1/camera-health", headers=operator).json()
            found: str | None = next(h["state"] for h in rows if h["code"] == "NEW-1")
            return found

        assert state() == "online"  # the first word
        seen = []
        for _ in range(2):  # the same picture twice more, over 10 s: frozen, to the desk
            clock.advance(timedelta(seconds=5))
            seen.append(snapshot(client, operator, camera_id).headers["x-camera-state"])
        assert seen == ["online", "frozen"]
        assert state() == "online"  # later changes are the prober's to write
