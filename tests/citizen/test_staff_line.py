"""Escalations reach a commander's LINE: linked by a one-time code sent to the station's LINE
account, pushed through the outbox once per incident and level, gone when the commander
blocks the account. Against the LINE stand-in (a real HTTP server checking LINE's rules)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from safetyzone.citizen.staff_line import StaffAlert, StaffLineLink
from safetyzone.config import Settings
from safetyzone.core.db import Database
from safetyzone.ops.engine import sweep
from support.line_env import OTHER_USER, USER, LineEnv, line_env
from support.live import Devices, wait_for
from support.world import World


@pytest.fixture
def env(db: Database, settings: Settings, world: World) -> Iterator[LineEnv]:
    with line_env(db, settings, world) as built:
        yield built


def code_for(env: LineEnv, username: str = "a.commander") -> str:
    response = env.client.post("/api/v1/auth/me/line-link", headers=env.officer(username))
    assert response.status_code == 200, response.text
    code: str = response.json()["code"]
    return code


def say(env: LineEnv, text: str, user: str = USER) -> str:
    before = len(env.replies())
    assert env.post(env.text(text, user=user)).status_code == 200
    env.settle()
    return wait_for(lambda: env.replies()[before:] or None)[-1]


def unacknowledged_sos(env: LineEnv) -> str:
    devices = Devices(env.client, env.world, env.clock)
    pole = devices.credential("ST-A", "asset", devices.asset_id("ST-A-SOS1"), "pole")
    assert devices.post(pole, devices.sos()).status_code == 200
    found: str = wait_for(lambda: next(iter(devices.incidents(station_code="ST-A")), None))["id"]
    return found


def alerts(db: Database) -> int:
    with db.read() as session:
        return int(session.scalar(select(func.count(StaffAlert.id))) or 0)


def test_a_linked_commander_hears_each_escalation_once(env: LineEnv, db: Database) -> None:
    assert "รหัสไม่ถูกต้อง" in say(env, "SSZ 000000")
    code = code_for(env)
    assert "ผูกบัญชี" in say(env, f"ssz {code}")
    assert "รหัสไม่ถูกต้อง" in say(env, f"SSZ {code}", user=OTHER_USER)  # spent by its use
    state = env.client.get("/api/v1/auth/me/line-link", headers=env.officer("a.commander"))
    assert [link["channel"] for link in state.json()["linked"]] == ["สภ.เอ"]

    incident = unacknowledged_sos(env)
    env.clock.advance(timedelta(seconds=61))  # past the SOS rule's 60 s to acknowledge
    sweep(env.db, env.clock)
    env.settle()
    pushed = wait_for(lambda: [p for p in env.pushes() if "ยกระดับครั้งที่ 1" in p] or None)
    assert len(pushed) == 1 and "P1" in pushed[0] and "Unacknowledged" in pushed[0]
    assert env.standin.sent("/v2/bot/message/push")[-1].json["to"] == USER
    # The sweep's catch-up finds it sent already: one alert per incident and level.
    app_escalations = [s for s in env.client.app.state.runtime.sweeps  # type: ignore[attr-defined]
                       if getattr(s, "__name__", "") == "sweep"]
    assert app_escalations and app_escalations[0](env.db, env.clock) == 0
    assert alerts(db) == 1
    env.clock.advance(timedelta(seconds=61))  # still nobody: the next level, a new push
    sweep(env.db, env.clock)
    env.settle()
    wait_for(lambda: [p for p in env.pushes() if "ยกระดับครั้งที่ 2" in p] or None)
    audit = env.client.get("/api/v1/audit", params={"action": "incident.escalation_alert"},
                           headers=env.officer("a.commander")).json()
    assert audit["total"] == 2 and audit["items"][0]["entity_id"] == incident


def test_only_commanders_link_and_a_block_unlinks(env: LineEnv, db: Database) -> None:
    for username in ("a.operator", "admin", "a.viewer"):
        refused = env.client.post("/api/v1/auth/me/line-link", headers=env.officer(username))
        assert refused.status_code == 403, (username, refused.text)
    no_line = env.client.post("/api/v1/auth/me/line-link",
                              headers=env.officer("reg1.commander"))
    assert no_line.status_code == 200  # region: ST-A's account is in scope
    code = code_for(env)
    say(env, f"SSZ-{code}")
    assert env.post(env.event("unfollow")).status_code == 200
    env.settle()
    with db.read() as session:
        assert session.scalar(select(func.count(StaffLineLink.id))) == 0
    unacknowledged_sos(env)
    env.clock.advance(timedelta(seconds=61))
    sweep(env.db, env.clock)
    env.settle()
    assert alerts(db) == 0
    assert not [p for p in env.pushes() if "ยกระดับ" in p]


def test_a_citizen_s_words_are_not_taken_for_a_code(env: LineEnv) -> None:
    """Only "SSZ" and six digits is a code; anything else is the citizen chat as before."""
    answer = say(env, "SSZ 12345 ช่วยด้วย")
    assert "ผูกบัญชี" not in answer and "รหัสไม่ถูกต้อง" not in answer
