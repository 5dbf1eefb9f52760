"""Refresh tokens rotate on every use; a spent one coming back revokes the whole login."""

from __future__ import annotations

from datetime import timedelta

import jwt
from fastapi.testclient import TestClient
from sqlalchemy import select

from safetyzone.audit.models import AuditEntry
from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from support.world import PASSWORD, World


def login(client: TestClient, username: str = "a.operator") -> dict[str, str]:
    response = client.post("/api/v1/auth/token",
                           data={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    pair: dict[str, str] = response.json()
    return pair


def refresh(client: TestClient, token: str, attempt: str | None = None
            ) -> tuple[int, dict[str, str]]:
    body = {"refresh_token": token} | ({"attempt": attempt} if attempt else {})
    response = client.post("/api/v1/auth/refresh", json=body)
    return response.status_code, response.json()


def me(client: TestClient, access: str) -> int:
    return client.get("/api/v1/auth/me",
                      headers={"Authorization": f"Bearer {access}"}).status_code


def test_refresh_rotates_and_reuse_revokes_the_family(
    client: TestClient, world: World, db: Database
) -> None:
    first = login(client)
    other_login = login(client)  # the same person on another console: a separate family
    status, second = refresh(client, first["refresh_token"])
    assert status == 200 and second["refresh_token"] != first["refresh_token"]
    status, third = refresh(client, second["refresh_token"])
    assert status == 200
    assert me(client, third["access_token"]) == 200
    # The first refresh token is spent: presenting it again revokes the whole family ...
    status, body = refresh(client, first["refresh_token"])
    assert status == 401 and "already used" in body["detail"]
    # ... so the newest refresh token and every access token of that login stop working.
    assert refresh(client, third["refresh_token"])[0] == 401
    assert me(client, third["access_token"]) == 401
    assert me(client, first["access_token"]) == 401
    # The other login is untouched.
    assert me(client, other_login["access_token"]) == 200
    assert refresh(client, other_login["refresh_token"])[0] == 200
    with db.read() as s:
        rows = s.scalars(select(AuditEntry).where(
            AuditEntry.action == "auth.token_family_revoked")).all()
    family = jwt.decode(first["refresh_token"], options={"verify_signature": False})["fam"]
    assert [(r.username, r.detail["family"]) for r in rows] == [("a.operator", family)]


def test_refresh_garbage_and_duplicates(client: TestClient, world: World) -> None:
    pair = login(client)
    for token in ("garbage", "a.b.c", pair["access_token"]):
        assert refresh(client, token)[0] == 401
    assert client.post("/api/v1/auth/refresh", json={"refresh_token": ""}).status_code == 422
    # A token without a family claim (issued before families existed) is refused.
    claims = jwt.decode(pair["refresh_token"], options={"verify_signature": False})
    del claims["fam"]
    old = jwt.encode(claims, world.settings.secret_key.get_secret_value(), algorithm="HS256")
    assert refresh(client, old)[0] == 401
    # The garbage did not spend the real token.
    assert refresh(client, pair["refresh_token"])[0] == 200


def test_a_refresh_whose_answer_was_lost_is_answered_again(
    client: TestClient, world: World, db: Database, clock: ManualClock,
) -> None:
    """A phone in a dead spot: the server spent the token, the answer never arrived. The
    same token with the same attempt key gets the same login back, not a revocation."""
    first = login(client, "a.patrol")
    attempt = "a" * 22
    status, lost = refresh(client, first["refresh_token"], attempt)
    assert status == 200  # ... but the phone never saw this answer
    clock.advance(timedelta(minutes=5))
    status, again = refresh(client, first["refresh_token"], attempt)
    assert status == 200 and me(client, again["access_token"]) == 200
    claims = [jwt.decode(t, options={"verify_signature": False})
              for t in (lost["refresh_token"], again["refresh_token"])]
    assert claims[0]["jti"] == claims[1]["jti"]  # the family honours one refresh token
    # The login goes on from the retried answer.
    status, later = refresh(client, again["refresh_token"], "b" * 22)
    assert status == 200 and me(client, later["access_token"]) == 200
    # Once the login has moved on, the old token is reuse again, attempt key or not.
    assert refresh(client, first["refresh_token"], attempt)[0] == 401
    assert me(client, later["access_token"]) == 401
    with db.read() as s:
        actions = [r.action for r in s.scalars(select(AuditEntry).where(
            AuditEntry.action.like("auth.%")).order_by(AuditEntry.at))]
    assert "auth.refresh_retried" in actions and actions[-1] == "auth.token_family_revoked"


def test_a_copied_token_without_the_attempt_key_is_still_reuse(
    client: TestClient, world: World,
) -> None:
    first = login(client, "a.patrol")
    assert refresh(client, first["refresh_token"], "k" * 22)[0] == 200
    # Another attempt key, or none: someone else holds the token.
    status, body = refresh(client, first["refresh_token"], "x" * 22)
    assert status == 401 and "already used" in body["detail"]


def test_a_retry_after_the_grace_is_reuse(
    client: TestClient, world: World, clock: ManualClock,
) -> None:
    first = login(client, "a.patrol")
    assert refresh(client, first["refresh_token"], "g" * 22)[0] == 200
    clock.advance(timedelta(minutes=31))
    assert refresh(client, first["refresh_token"], "g" * 22)[0] == 401


def test_attempt_keys_must_look_like_keys(client: TestClient, world: World) -> None:
    pair = login(client, "a.patrol")
    for bad in ("short", "x" * 65, "not a key with spaces!", 12345):
        response = client.post("/api/v1/auth/refresh",
                               json={"refresh_token": pair["refresh_token"], "attempt": bad})
        assert response.status_code == 422, bad
    assert refresh(client, pair["refresh_token"])[0] == 200  # nothing was spent
