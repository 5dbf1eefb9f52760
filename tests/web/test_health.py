"""/metrics: only for the configured addresses or the scrape token."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from safetyzone.config import Settings
from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from safetyzone.web.app import create_app

TOKEN = "scrape-token-for-the-test-0123456789"


def peer(client: TestClient, address: str) -> TestClient:
    return TestClient(client.app, client=(address, 50000))


def test_loopback_by_default_everyone_else_403(client: TestClient) -> None:
    for address in ("127.0.0.1", "::1", "::ffff:127.0.0.1"):
        response = peer(client, address).get("/metrics")
        assert response.status_code == 200, address
        assert "ssz_http_requests_total" in response.text
    for address in ("10.1.2.3", "testclient", "2001:db8::1"):
        refused = peer(client, address).get("/metrics")
        assert refused.status_code == 403, address
        assert refused.headers["content-type"] == "application/problem+json"
    # A bearer token means nothing when no scrape token is configured.
    assert peer(client, "10.1.2.3").get(
        "/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 403


def test_configured_networks_and_scrape_token(db: Database, clock: ManualClock,
                                              settings: Settings) -> None:
    configured = Settings(**{**settings.model_dump(), "metrics_allow": "10.20.0.0/24, 192.0.2.7",
                             "metrics_token": TOKEN})
    app = create_app(configured, db, clock)
    assert TestClient(app, client=("10.20.0.99", 1)).get("/metrics").status_code == 200
    assert TestClient(app, client=("192.0.2.7", 1)).get("/metrics").status_code == 200
    assert TestClient(app, client=("127.0.0.1", 1)).get("/metrics").status_code == 401
    outside = TestClient(app, client=("203.0.113.5", 1))
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN},
                    {"Authorization": f"Basic {TOKEN}"}):
        refused = outside.get("/metrics", headers=headers)
        assert refused.status_code == 401, headers
        assert refused.headers["www-authenticate"] == "Bearer"
    assert outside.get("/metrics",
                       headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200


@pytest.mark.parametrize("value", ["10.0.0.0/33", "not-an-address", "10.0.0.1,,x"])
def test_bad_allow_list_is_refused_at_start(value: str) -> None:
    with pytest.raises(ValueError, match="not an address"):
        Settings(metrics_allow=value)
