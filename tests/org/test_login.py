"""Login throttling: growing delays, a lock that is audited, seen and lifted by admins."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from safetyzone.audit.models import AuditEntry
from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from safetyzone.core.security import system_scope
from safetyzone.org import login as login_module
from support.world import PASSWORD, World

WRONG = "not the password at all"


def attempt(client: TestClient, username: str,
            password: str = WRONG) -> tuple[int, dict[str, str], dict[str, object]]:
    """One login from TestClient's peer address, "testclient"."""
    response = client.post("/api/v1/auth/token",
                           data={"username": username, "password": password})
    return response.status_code, dict(response.headers), response.json()


def test_failures_grow_into_429_with_retry_after_then_a_lock(
    client: TestClient, world: World, clock: ManualClock, db: Database
) -> None:
    statuses = [attempt(client, "a.operator")[0] for _ in range(5)]
    assert statuses == [401] * 5
    delays = []
    for _ in range(5):  # each wait served, the next failure doubles the delay: 1, 2, 4, 8, 16 s
        status, headers, body = attempt(client, "a.operator")
        assert status == 429
        assert headers["content-type"] == "application/problem+json"
        assert body["code"] == "too-many-requests"
        delays.append(int(headers["retry-after"]))
        clock.advance(timedelta(seconds=delays[-1]))
        assert attempt(client, "a.operator")[0] == 401
    assert delays == [1, 2, 4, 8, 16]
    # The 10th failure locked the account for 15 minutes: even the right password is refused.
    status, headers, _ = attempt(client, "a.operator", PASSWORD)
    assert status == 429
    assert 890 <= int(headers["retry-after"]) <= 900
    with db.read() as s:
        locks = s.scalars(select(AuditEntry).where(AuditEntry.action == "auth.lockout")).all()
    assert [(e.entity, e.entity_id, e.detail["kind"]) for e in locks] == [
        ("user", "a.operator", "account")]
    # Other accounts are unaffected; after the lock ends the right password works again.
    assert attempt(client, "a.viewer", PASSWORD)[0] == 200
    clock.advance(timedelta(minutes=15))
    assert attempt(client, "a.operator", PASSWORD)[0] == 200


def test_unknown_usernames_are_throttled_like_real_ones(
    client: TestClient, world: World
) -> None:
    real = [attempt(client, "a.viewer")[0] for _ in range(7)]
    unknown = [attempt(client, "nobody.here")[0] for _ in range(7)]
    assert real == unknown == [401] * 5 + [429] * 2


def test_admin_sees_and_clears_a_lock(
    client: TestClient, world: World, clock: ManualClock, db: Database
) -> None:
    guard = client.app.state.ctx.login  # type: ignore[attr-defined]
    for _ in range(10):
        guard.limiters["account"].fail("a.viewer")
    admin = world.headers(client, "admin")
    locks = client.get("/api/v1/auth/lockouts", headers=admin)
    assert locks.status_code == 200
    assert [(lk["kind"], lk["key"], lk["locked"], lk["failures"]) for lk in locks.json()] == [
        ("account", "a.viewer", True, 10)]
    # Not for anybody else: an operator is refused, a station admin is not national.
    operator = world.headers(client, "a.operator")
    assert client.get("/api/v1/auth/lockouts", headers=operator).status_code == 403
    assert client.delete("/api/v1/auth/lockouts/account/a.viewer",
                         headers=operator).status_code == 403
    assert attempt(client, "a.viewer", PASSWORD)[0] == 429
    cleared = client.delete("/api/v1/auth/lockouts/account/A.Viewer", headers=admin)
    assert cleared.status_code == 200, cleared.text
    assert client.get("/api/v1/auth/lockouts", headers=admin).json() == []
    assert attempt(client, "a.viewer", PASSWORD)[0] == 200
    again = client.delete("/api/v1/auth/lockouts/account/a.viewer", headers=admin)
    assert again.status_code == 404
    assert client.delete("/api/v1/auth/lockouts/nonsense/x", headers=admin).status_code == 422
    with db.read() as s:
        cleared_rows = s.scalars(select(AuditEntry).where(
            AuditEntry.action == "auth.lockout_cleared")).all()
    assert [(e.username, e.entity_id) for e in cleared_rows] == [("admin", "a.viewer")]


def test_per_address_limit_spans_accounts(
    client: TestClient, world: World, clock: ManualClock, db: Database
) -> None:
    """20 failures from one address over many names: the address waits, even for a good login."""
    for n in range(20):
        assert attempt(client, f"guess{n}")[0] == 401
    status, headers, _ = attempt(client, "a.viewer", PASSWORD)
    assert status == 429
    assert headers["retry-after"] == "1"
    admin_view = client.app.state.ctx.login.lockouts(  # type: ignore[attr-defined]
        scope=system_scope("test"))
    assert [(lk.kind, lk.key, lk.locked) for lk in admin_view] == [
        ("address", "testclient", False)]
    clock.advance(timedelta(seconds=1))
    assert attempt(client, "a.viewer", PASSWORD)[0] == 200


def test_address_lock_is_audited(client: TestClient, world: World, db: Database,
                                 clock: ManualClock) -> None:
    guard = client.app.state.ctx.login  # type: ignore[attr-defined]
    for _ in range(99):
        guard.limiters["address"].fail("testclient")
    clock.advance(timedelta(minutes=15))  # the 99th failure's delay (capped at 15 min) ran out
    assert attempt(client, "nobody.here")[0] == 401
    status, headers, _ = attempt(client, "a.viewer", PASSWORD)
    assert status == 429 and int(headers["retry-after"]) > 800
    with db.read() as s:
        rows = s.scalars(select(AuditEntry).where(AuditEntry.action == "auth.lockout")).all()
    assert [(e.entity, e.entity_id) for e in rows] == [("address", "testclient")]


def test_hashing_happens_outside_the_write_lock(
    client: TestClient, world: World, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A login whose hash is being verified must not hold the write lock meanwhile."""
    guard = client.app.state.ctx.login  # type: ignore[attr-defined]
    verifying = threading.Event()
    release = threading.Event()
    real_verify = login_module.auth.verify_password

    def slow_verify(stored: str | None, password: str) -> bool:
        verifying.set()
        assert release.wait(30)
        return real_verify(stored, password)

    monkeypatch.setattr(login_module.auth, "verify_password", slow_verify)
    results: list[object] = []
    worker = threading.Thread(target=lambda: results.append(guard.login(
        username="a.viewer", password=PASSWORD, address="10.0.0.9")))
    worker.start()
    try:
        assert verifying.wait(30)
        with db.write() as s:  # would wait for the login if it held the write lock
            s.add(AuditEntry(at=guard.clock.now(), username="probe", action="probe",
                             entity="test", detail={}))
    finally:
        release.set()
        worker.join(30)
    assert len(results) == 1


def test_a_blocked_address_is_answered_at_the_gate_before_any_login_work(
    client: TestClient, world: World, clock: ManualClock, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A flood's repeated 429s cost no form parsing, no thread and no login service call."""
    guard = client.app.state.ctx.login  # type: ignore[attr-defined]
    for n in range(20):
        assert attempt(client, f"flood{n}")[0] == 401
    calls: list[str] = []
    real_login = guard.login
    monkeypatch.setattr(guard, "login", lambda **kw: calls.append(kw["username"]) or
                        real_login(**kw))
    status, headers, body = attempt(client, "a.viewer", PASSWORD)
    assert (status, headers["retry-after"], calls) == (429, "1", [])
    assert headers["content-type"] == "application/problem+json"
    assert body["code"] == "too-many-requests"
    other = TestClient(client.app, client=("192.0.2.9", 1))  # another address is not held up
    assert other.post("/api/v1/auth/token", data={"username": "a.viewer",
                                                  "password": PASSWORD}).status_code == 200
