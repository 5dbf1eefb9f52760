"""Logging in, tokens that expire, are forged, or are revoked."""

from __future__ import annotations

from datetime import timedelta

import jwt
from fastapi.testclient import TestClient
from sqlalchemy import select

from safetyzone.audit.models import AuditEntry
from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from support.world import PASSWORD, World


def login(client: TestClient, username: str, password: str = PASSWORD) -> dict[str, object]:
    response = client.post("/api/v1/auth/token", data={"username": username,
                                                        "password": password})
    result: dict[str, object] = {"status": response.status_code, **response.json()}
    return result


def test_login_and_me(client: TestClient, world: World) -> None:
    tokens = login(client, "a.operator")
    assert tokens["status"] == 200
    assert tokens["token_type"] == "bearer"
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    me = client.get("/api/v1/auth/me", headers=headers)
    assert me.status_code == 200
    body = me.json()
    assert body["role"] == "operator"
    assert "asset.stream_secret.read" in body["permissions"]
    assert len(body["station_ids"]) == 1


def test_wrong_password_and_unknown_user_look_the_same(
    client: TestClient, world: World, db: Database
) -> None:
    wrong = login(client, "a.operator", "not the password")
    unknown = login(client, "nobody.here", "not the password")
    assert wrong["status"] == unknown["status"] == 401
    assert wrong["detail"] == unknown["detail"] == "wrong username or password"
    with db.read() as s:
        failed = s.scalars(select(AuditEntry.username)
                           .where(AuditEntry.action == "auth.login_failed")).all()
    assert sorted(failed) == ["a.operator", "nobody.here"]


def test_access_token_expires_and_refresh_renews(
    client: TestClient, world: World, clock: ManualClock
) -> None:
    tokens = login(client, "a.operator")
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200
    clock.advance(timedelta(minutes=16))
    expired = client.get("/api/v1/auth/me", headers=headers)
    assert expired.status_code == 401
    assert "expired" in expired.json()["detail"]
    assert expired.headers["www-authenticate"] == "Bearer"
    renewed = client.post("/api/v1/auth/refresh",
                          json={"refresh_token": tokens["refresh_token"]})
    assert renewed.status_code == 200
    new_headers = {"Authorization": f"Bearer {renewed.json()['access_token']}"}
    assert client.get("/api/v1/auth/me", headers=new_headers).status_code == 200
    clock.advance(timedelta(hours=13))
    too_late = client.post("/api/v1/auth/refresh",
                           json={"refresh_token": tokens["refresh_token"]})
    assert too_late.status_code == 401


def test_forged_and_garbage_tokens_are_refused(client: TestClient, world: World) -> None:
    real = jwt.decode(str(login(client, "a.operator")["access_token"]),
                      options={"verify_signature": False})
    forged = jwt.encode(real, "another-secret-that-is-long-enough-to-sign-0123",
                        algorithm="HS256")
    unsigned = jwt.encode(real, None, algorithm="none")
    for token in (forged, unsigned, "garbage", "a.b.c", ""):
        response = client.get("/api/v1/assets", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, token
        assert response.headers["content-type"] == "application/problem+json"


def test_refresh_token_is_not_an_access_token(client: TestClient, world: World) -> None:
    tokens = login(client, "a.operator")
    response = client.get("/api/v1/auth/me",
                          headers={"Authorization": f"Bearer {tokens['refresh_token']}"})
    assert response.status_code == 401


def test_deactivated_user_loses_every_token(client: TestClient, world: World) -> None:
    tokens = login(client, "a.viewer")
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    admin = world.headers(client, "admin")
    me = client.get("/api/v1/auth/me", headers=headers).json()
    assert client.post(f"/api/v1/users/{me['id']}/deactivate", headers=admin).status_code == 200
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401
    assert client.post("/api/v1/auth/refresh",
                       json={"refresh_token": tokens["refresh_token"]}).status_code == 401
    assert login(client, "a.viewer")["status"] == 401


def test_no_token_at_all(client: TestClient, world: World) -> None:
    response = client.get("/api/v1/zones")
    assert response.status_code == 401
    assert "not logged in" in response.json()["detail"]
