"""Outbound fetches go only where allowed: the snapshot fetcher refuses loopback, link-local,
metadata and any address outside the camera networks, pins the checked IP for the
connection, follows no redirect, and answers the browser the same way whatever failed.

Cameras here are servers on loopback. With the default settings loopback is refused; the
tests that need a reachable camera list 127.0.0.0/8 as a camera network on purpose.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from fastapi.testclient import TestClient

from safetyzone.assets.models import Camera
from safetyzone.config import Settings
from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from safetyzone.core.outbound import IPAddress, parse_networks, system_resolve
from safetyzone.core.secretbox import SecretBox
from safetyzone.web.app import create_app
from support.world import World

JPEG = b"\xff\xd8\xff\xe0fake-jpeg\xff\xd9"
UNIFORM = (502, "camera-unavailable", "camera picture unavailable", "offline")


class Counting(BaseHTTPRequestHandler):
    """A camera that counts what reached it; ``/redirect`` points at ``target``."""

    hits: ClassVar[list[tuple[str, str | None]]] = []
    target: ClassVar[str] = ""

    def do_GET(self) -> None:
        type(self).hits.append((self.path, self.headers.get("Host")))
        if self.path.startswith("/redirect"):
            self.send_response(302)
            self.send_header("Location", self.target)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body, kind = ((b"<html>admin console</html>", "text/html") if self.path == "/text"
                      else (JPEG, "image/jpeg"))
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@dataclass
class LocalServer:
    port: int
    handler: type[Counting]

    @property
    def hits(self) -> list[tuple[str, str | None]]:
        return self.handler.hits


def _serve() -> Iterator[LocalServer]:
    handler = type("Handler", (Counting,), {"hits": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LocalServer(server.server_address[1], handler)
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def camera() -> Iterator[LocalServer]:
    """An HTTP camera on loopback (``/text`` stands for an internal service's page)."""
    yield from _serve()


@pytest.fixture
def internal() -> Iterator[LocalServer]:
    """A second loopback server standing for an internal service a redirect points at."""
    yield from _serve()


@pytest.fixture
def closed_port() -> int:
    """A port nothing listens on (bound, then closed)."""
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port: int = probe.getsockname()[1]
    probe.close()
    return port


class FakeResolver:
    """Answers for test names; anything else goes to the system resolver (``localhost``)."""

    def __init__(self) -> None:
        self.names: dict[str, list[str]] = {}
        self.asked: list[str] = []

    async def __call__(self, host: str, port: int) -> list[IPAddress]:
        self.asked.append(host)
        if host in self.names:
            return [ipaddress.ip_address(a) for a in self.names[host]]
        return await system_resolve(host, port)


@pytest.fixture
def networks() -> str | None:
    """Camera networks for the test; None keeps the default (the private ranges)."""
    return None


@pytest.fixture
def settings(settings: Settings, networks: str | None) -> Settings:
    if networks is None:
        return settings
    return settings.model_copy(update={"camera_networks": parse_networks(networks.split(","))})


@pytest.fixture
def resolver() -> FakeResolver:
    return FakeResolver()


@pytest.fixture
def client(db: Database, clock: ManualClock, settings: Settings, resolver: FakeResolver
           ) -> Iterator[TestClient]:
    app = create_app(settings, db, clock)
    app.state.snapshots.resolve = resolver
    with TestClient(app) as test_client:
        yield test_client


def add_camera(client: TestClient, world: World, code: str, url: str,
               point: str = "ST-A-POLICE-P1") -> str:
    response = client.post("/api/v1/cameras", headers=world.headers(client, "admin"), json={
        "station_code": "ST-A", "point_code": point, "code": code, "name_th": code,
        "sharing_level": "live_always", "stream_url": url})
    assert response.status_code == 201, response.text
    camera_id: str = response.json()["id"]
    return camera_id


def store_url(db: Database, settings: Settings, camera_id: str, url: str) -> None:
    """Put an address on a camera past the set-time check, as rows saved before it had."""
    box = SecretBox(settings.secret_key.get_secret_value())
    with db.write() as session:
        camera = session.get(Camera, uuid.UUID(camera_id))
        assert camera is not None
        camera.stream_url_sealed = box.seal(url)


def answer(response: Any) -> tuple[object, ...]:
    body = response.json()
    return (response.status_code, body["code"], body["detail"],
            response.headers.get("x-camera-state"))


def snapshot(client: TestClient, world: World, camera_id: str, who: str = "a.operator") -> Any:
    return client.get(f"/api/v1/cameras/{camera_id}/snapshot", headers=world.headers(client, who))


def health_detail(client: TestClient, world: World, code: str, who: str = "admin") -> Any:
    rows = client.get("/api/v1/camera-health", headers=world.headers(client, who)).json()
    return next(row["detail"] for row in rows if row["code"] == code)


def test_the_default_camera_networks_are_the_private_ranges_without_loopback(
    tmp_path: Path,
) -> None:
    networks = Settings(environment="development", data_dir=tmp_path).camera_networks
    assert [str(n) for n in networks] == ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",
                                          "100.64.0.0/10", "fc00::/7"]
    for address in ("127.0.0.1", "::1", "169.254.169.254", "8.8.8.8"):
        ip = ipaddress.ip_address(address)
        assert not any(ip in n for n in networks if n.version == ip.version)


def test_camera_networks_come_from_a_comma_separated_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SSZ_CAMERA_NETWORKS", "10.20.0.0/16, fd12::/16")
    assert [str(n) for n in Settings(environment="development", data_dir=tmp_path).camera_networks
            ] == ["10.20.0.0/16", "fd12::/16"]
    monkeypatch.setenv("SSZ_CAMERA_NETWORKS", "10.20.0.1/16")  # host bits: a typo, refused
    with pytest.raises(ValueError, match="host bits"):
        Settings(environment="development", data_dir=tmp_path)
    monkeypatch.setenv("SSZ_CAMERA_NETWORKS", "127.0.0.0/8")
    with pytest.raises(ValueError, match="loopback"):
        Settings(environment="production", data_dir=tmp_path, secret_key="x" * 40)


@pytest.mark.parametrize("template", [
    "http://127.0.0.1:{port}/snap.jpg",
    "http://[::1]:{port}/snap.jpg",
    "http://127.1:{port}/snap.jpg",
    "http://2130706433:{port}/snap.jpg",  # 127.0.0.1 as one decimal number
    "http://0177.0.0.1:{port}/snap.jpg",  # octal
    "http://0x7f.0.0.1:{port}/snap.jpg",  # hex
    "http://localhost:{port}/snap.jpg",
    "http://camera.test:{port}/snap.jpg",  # a name that resolves to loopback
    "http://rebind.test:{port}/snap.jpg",  # one allowed address, one loopback
    "http://[::ffff:127.0.0.1]:{port}/snap.jpg",  # IPv4-mapped IPv6
    "http://0.0.0.0:{port}/snap.jpg",
    "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
    "http://[fd00:ec2::254]/latest/meta-data/",  # inside fc00::/7, still metadata
    "http://[fe80::1]:{port}/",
    "http://224.0.0.1:{port}/",
    "http://203.0.113.7:{port}/snap.jpg",  # a public address outside the camera networks
])
def test_a_refused_address_is_never_fetched_and_looks_like_any_failure(
    client: TestClient, world: World, db: Database, settings: Settings, resolver: FakeResolver,
    camera: LocalServer, template: str,
) -> None:
    resolver.names["camera.test"] = ["127.0.0.1"]
    resolver.names["rebind.test"] = ["10.1.2.3", "127.0.0.1"]
    camera_id = add_camera(client, world, "SSRF-1", "sim://placeholder")
    store_url(db, settings, camera_id, template.format(port=camera.port))
    response = snapshot(client, world, camera_id)
    assert answer(response) == UNIFORM
    assert str(camera.port) not in response.text and "127.0.0.1" not in response.text
    assert camera.hits == []  # nothing reached the local server
    assert "refused" in health_detail(client, world, "SSRF-1")  # for admins: why


def test_addresses_that_can_never_be_cameras_are_refused_when_set(
    client: TestClient, world: World,
) -> None:
    admin = world.headers(client, "admin")
    for url in ("http://2130706433/", "http://127.1/", "http://0x7f.0.0.1/",
                "http://169.254.169.254/", "http://[::ffff:169.254.169.254]/",
                "http://0.0.0.0/", "http://viewer:pw@10.0.0.5/snap.jpg",
                "http://10.0.0.5@127.0.0.1/", "file:///etc/passwd", "gopher://10.0.0.5/",
                "http://cam\\@127.0.0.1/"):
        response = client.post("/api/v1/cameras", headers=admin, json={
            "station_code": "ST-A", "point_code": "ST-A-POLICE-P1", "code": "BAD-1",
            "name_th": "bad", "stream_url": url})
        assert response.status_code == 422, (url, response.text)
    camera_id = add_camera(client, world, "OK-1", "rtsp://10.0.0.5:554/stream1")
    patched = client.patch(f"/api/v1/cameras/{camera_id}", headers=admin,
                           json={"stream_url": "http://169.254.169.254/"})
    assert patched.status_code == 422
    assert "metadata" in patched.json()["detail"]


@pytest.mark.parametrize("networks", ["127.0.0.0/8"])
def test_open_closed_silent_and_wrong_ports_give_the_identical_answer(
    client: TestClient, world: World, camera: LocalServer, closed_port: int,
) -> None:
    listener = socket.socket()  # accepts, never answers
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    try:
        urls = {"OPEN-TEXT": f"http://127.0.0.1:{camera.port}/text",
                "CLOSED": f"http://127.0.0.1:{closed_port}/",
                "SILENT": f"http://127.0.0.1:{listener.getsockname()[1]}/",
                "REFUSED": f"http://[::1]:{camera.port}/"}  # loopback, but not listed
        answers = {code: answer(snapshot(client, world, add_camera(client, world, code, url)))
                   for code, url in urls.items()}
    finally:
        listener.close()
    assert set(answers.values()) == {UNIFORM}, answers
    details = {code: health_detail(client, world, code) for code in urls}
    assert len(set(details.values())) == len(urls)  # admins still learn which is which
    for who in ("a.operator", "a.commander"):
        shown = {code: health_detail(client, world, code, who) for code in urls}
        assert (set(shown.values()) == {None}) is (who == "a.operator")


@pytest.mark.parametrize("networks", ["127.0.0.0/8"])
def test_a_camera_on_an_allowed_network_works_and_is_reached_at_the_checked_ip(
    client: TestClient, world: World, resolver: FakeResolver, camera: LocalServer,
) -> None:
    # camera.test exists only in the test resolver: the connection can only have gone to
    # the address that was checked, with the camera's name in the Host header.
    resolver.names["camera.test"] = ["127.0.0.1"]
    camera_id = add_camera(client, world, "GOOD-1", f"http://camera.test:{camera.port}/s.jpg")
    response = snapshot(client, world, camera_id)
    assert response.status_code == 200, response.text
    assert response.content == JPEG
    assert camera.hits == [("/s.jpg", f"camera.test:{camera.port}")]
    assert resolver.asked == ["camera.test"]


@pytest.mark.parametrize("networks", ["127.0.0.0/8"])
def test_a_redirect_is_not_followed_anywhere(
    client: TestClient, world: World, camera: LocalServer, internal: LocalServer,
) -> None:
    for i, target in enumerate((f"http://127.0.0.1:{internal.port}/internal",
                                f"http://localhost:{internal.port}/",
                                "http://169.254.169.254/latest/meta-data/")):
        camera.handler.target = target
        camera_id = add_camera(client, world, f"REDIR-{i}",
                               f"http://127.0.0.1:{camera.port}/redirect")
        assert answer(snapshot(client, world, camera_id)) == UNIFORM
        assert "HTTP 302" in health_detail(client, world, f"REDIR-{i}")
    assert len(camera.hits) == 3
    assert internal.hits == []
