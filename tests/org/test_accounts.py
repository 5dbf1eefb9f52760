"""Accounts: no admin locks itself or the station out; a deactivated user can come back."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from safetyzone.audit.models import AuditEntry
from safetyzone.core.db import Database
from support.world import PASSWORD, World


def user_id(client: TestClient, headers: dict[str, str], username: str) -> str:
    users = client.get("/api/v1/users", headers=headers).json()
    found: str = next(u["id"] for u in users if u["username"] == username)
    return found


def test_admin_cannot_deactivate_itself_nor_the_last_admin(
    client: TestClient, world: World
) -> None:
    admin = world.headers(client, "admin")
    me = user_id(client, admin, "admin")
    refused = client.post(f"/api/v1/users/{me}/deactivate", headers=admin)
    assert refused.status_code == 409
    assert refused.headers["content-type"] == "application/problem+json"
    assert "yourself" in refused.json()["detail"]
    # A second admin may deactivate the first; then it is the last one, and stays.
    created = client.post("/api/v1/users", headers=admin, json={
        "username": "second.admin", "display_name": "Second", "password": PASSWORD,
        "role": "admin", "org_unit_codes": ["HQ"]})
    assert created.status_code == 201, created.text
    second = {"Authorization": "Bearer " + client.post("/api/v1/auth/token", data={
        "username": "second.admin", "password": PASSWORD}).json()["access_token"]}
    assert client.post(f"/api/v1/users/{me}/deactivate", headers=second).status_code == 200
    last = client.post(f"/api/v1/users/{created.json()['id']}/deactivate", headers=second)
    assert last.status_code == 409 and "yourself" in last.json()["detail"]


def test_last_active_admin_is_refused_even_by_name(client: TestClient, world: World,
                                                   db: Database) -> None:
    """The only admin cannot be deactivated through another route either (service rule)."""
    from safetyzone.core.clock import ManualClock
    from safetyzone.core.errors import Conflict
    from safetyzone.core.security import system_scope
    from safetyzone.org import auth
    from safetyzone.org.models import User

    with db.read() as s:
        only_admin = s.scalar(select(User.id).where(User.username == "admin"))
    assert only_admin is not None
    with pytest.raises(Conflict, match="last active admin"), db.write() as s:
        auth.deactivate_user(s, scope=system_scope("test"), clock=ManualClock(),
                             user_id=only_admin)


def test_reactivate_brings_a_user_back_audited(
    client: TestClient, world: World, db: Database
) -> None:
    admin = world.headers(client, "admin")
    viewer = user_id(client, admin, "a.viewer")
    old = world.headers(client, "a.viewer")
    assert client.post(f"/api/v1/users/{viewer}/deactivate", headers=admin).status_code == 200
    login = {"username": "a.viewer", "password": PASSWORD}
    assert client.post("/api/v1/auth/token", data=login).status_code == 401
    back = client.post(f"/api/v1/users/{viewer}/reactivate", headers=admin)
    assert back.status_code == 200 and back.json()["is_active"] is True
    assert client.post("/api/v1/auth/token", data=login).status_code == 200
    assert client.get("/api/v1/auth/me", headers=old).status_code == 401  # old tokens stay dead
    again = client.post(f"/api/v1/users/{viewer}/reactivate", headers=admin)
    assert again.status_code == 409
    operator = world.headers(client, "a.operator")
    assert client.post(f"/api/v1/users/{viewer}/reactivate",
                       headers=operator).status_code == 403
    missing = "00000000-0000-0000-0000-00000000abcd"
    assert client.post(f"/api/v1/users/{missing}/reactivate", headers=admin).status_code == 404
    assert client.post("/api/v1/users/not-a-uuid/reactivate", headers=admin).status_code == 422
    with db.read() as s:
        rows = s.scalars(select(AuditEntry.action).where(
            AuditEntry.entity_id == viewer, AuditEntry.action.like("user.%"))).all()
    assert rows == ["user.create", "user.deactivate", "user.reactivate"]
