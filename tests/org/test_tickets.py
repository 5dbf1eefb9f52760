"""One-time tickets open the live feed without a long-lived token in the URL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from safetyzone.core.clock import ManualClock
from support.world import PASSWORD, World


def ticket(client: TestClient, headers: dict[str, str]) -> str:
    response = client.post("/api/v1/stream/tickets", headers=headers)
    assert response.status_code == 201, response.text
    assert response.json()["expires_in"] == 30
    value: str = response.json()["ticket"]
    return value


def refused(client: TestClient, query: str) -> int:
    with pytest.raises(WebSocketDisconnect) as closed, \
            client.websocket_connect(f"/api/v1/stream?{query}") as ws:
        ws.receive_json()
    code: int = closed.value.code
    return code


def test_a_ticket_opens_the_feed_once(client: TestClient, world: World) -> None:
    headers = world.headers(client, "a.operator")
    value = ticket(client, headers)
    with client.websocket_connect(f"/api/v1/stream?ticket={value}") as ws:
        hello = ws.receive_json()
        assert hello["type"] == "hello" and hello["user"] == "a.operator"
    assert refused(client, f"ticket={value}") == 4401  # spent
    assert refused(client, "ticket=garbage") == 4401
    assert refused(client, "ticket=") == 4401
    assert client.post("/api/v1/stream/tickets").status_code == 401


def test_a_ticket_expires_after_30_seconds(
    client: TestClient, world: World, clock: ManualClock
) -> None:
    value = ticket(client, world.headers(client, "a.operator"))
    clock.advance(timedelta(seconds=31))
    assert refused(client, f"ticket={value}") == 4401


def test_a_ticket_of_a_revoked_login_is_refused(client: TestClient, world: World) -> None:
    pair = client.post("/api/v1/auth/token",
                       data={"username": "a.operator", "password": PASSWORD}).json()
    value = ticket(client, {"Authorization": f"Bearer {pair['access_token']}"})
    assert client.post("/api/v1/auth/refresh",
                       json={"refresh_token": pair["refresh_token"]}).status_code == 200
    # The spent refresh token comes back: the login's family is revoked, tickets too.
    assert client.post("/api/v1/auth/refresh",
                       json={"refresh_token": pair["refresh_token"]}).status_code == 401
    assert refused(client, f"ticket={value}") == 4401
