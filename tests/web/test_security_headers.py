"""Every answer carries the browser security headers: a strict Content-Security-Policy (no
inline script, no eval, only this app plus the configured tile server), nosniff, no referrer,
no framing. Console pages, API answers (errors included), docs and static files alike."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from safetyzone.config import Settings
from safetyzone.core.db import Database
from safetyzone.web.apidocs import REDOC_STYLES
from safetyzone.web.app import create_app
from safetyzone.web.security_headers import content_security_policy, tile_source
from support.world import World


def directives(response_csp: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for part in response_csp.split(";"):
        name, *values = part.split()
        out[name] = values
    return out


def assert_strict(headers: Any, what: str, *, styles: tuple[str, ...] = (),
                  workers: tuple[str, ...] = ()) -> dict[str, list[str]]:
    csp = headers["content-security-policy"]
    policy = directives(csp)
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp, what
    assert policy["default-src"] == ["'self'"], what
    assert policy["script-src"] == ["'self'"], what
    assert policy["style-src"] == ["'self'", *styles], what
    assert policy["worker-src"] == ["'self'", *workers], what
    assert policy["connect-src"] == ["'self'"], what
    assert policy["object-src"] == ["'none'"], what
    assert policy["base-uri"] == ["'none'"], what
    assert policy["frame-ancestors"] == ["'none'"], what
    assert policy["form-action"] == ["'self'"], what
    assert headers["x-content-type-options"] == "nosniff", what
    assert headers["referrer-policy"] == "no-referrer", what
    assert headers["x-frame-options"] == "DENY", what
    return policy


def test_every_kind_of_answer_carries_the_headers(client: TestClient, world: World) -> None:
    admin = world.headers(client, "admin")
    answers = {
        "console": client.get("/console"),
        "login": client.get("/login"),
        "console redirect": client.get("/console/", follow_redirects=False),
        "console script": client.get("/console/static/js/app.js"),
        "leaflet": client.get("/vendor/leaflet/leaflet.css"),
        "api": client.get("/api/v1/zones", headers=admin),
        "api without token": client.get("/api/v1/zones"),
        "api not found": client.get("/api/v1/zones/no-such-zone", headers=admin),
        "unknown path": client.get("/no/such/page"),
        "too large": client.post("/api/v1/zones", headers={**admin, "content-length": "9999999"},
                                 content=b"x"),
        "health": client.get("/healthz"),
        "schema": client.get("/openapi.json"),
        "swagger ui": client.get("/docs"),
        "swagger bundle": client.get("/vendor/swagger-ui/swagger-ui-bundle.js"),
    }
    assert answers["api"].status_code == 200
    assert answers["api without token"].status_code == 401
    assert answers["too large"].status_code == 413
    for what, response in answers.items():
        policy = assert_strict(response.headers, what)
        assert policy["img-src"] == ["'self'", "data:", "blob:"], what
        assert policy["media-src"] == ["'self'", "blob:"], what  # a citizen's voice note


def test_redoc_alone_admits_its_own_style_elements_by_hash_and_blob_workers(
    client: TestClient,
) -> None:
    policy = assert_strict(client.get("/redoc").headers, "redoc",
                           styles=tuple(f"'{h}'" for h in REDOC_STYLES), workers=("blob:",))
    assert all(h.startswith("sha256-") for h in REDOC_STYLES)
    assert policy["img-src"] == ["'self'", "data:", "blob:"]
    assert "blob:" not in directives(client.get("/docs").headers["content-security-policy"])[
        "worker-src"]


def test_the_configured_tile_server_is_the_only_other_image_source(
    db: Database, tmp_path: Path,
) -> None:
    settings = Settings(environment="test", data_dir=tmp_path,
                        secret_key="test-secret-key-that-is-long-enough-0123456789",
                        tile_url="https://tiles.station.local:8443/{z}/{x}/{y}.png")
    with TestClient(create_app(settings, db)) as client:
        response = client.get("/console")
    policy = assert_strict(response.headers, "console with tiles")
    assert policy["img-src"] == ["'self'", "data:", "blob:", "https://tiles.station.local:8443"]


@pytest.mark.parametrize(("url", "source"), [
    ("https://tiles.example/{z}/{x}/{y}.png", "https://tiles.example"),
    ("http://10.0.0.5:8080/tiles/{z}/{x}/{y}.png", "http://10.0.0.5:8080"),
    ("https://{s}.tile.example.org/{z}/{x}/{y}.png", "https://*.tile.example.org"),
    ("https://user:pw@tiles.example/{z}/{x}/{y}.png", "https://tiles.example"),
    (None, None),
    ("", None),
    ("/tiles/{z}/{x}/{y}.png", None),  # same origin: 'self' covers it
    ("javascript:alert(1)", None),
    ("https://tiles.example;script-src *;/{z}.png", None),
    ("https://tiles.exa mple/{z}.png", None),
])
def test_the_tile_source_is_an_origin_or_nothing(url: str | None, source: str | None) -> None:
    assert tile_source(url) == source
    policy = directives(content_security_policy(url))
    assert policy["script-src"] == ["'self'"]
    assert policy["img-src"][3:] == ([source] if source else [])
