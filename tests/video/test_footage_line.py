"""A footage request reaches its owner's LINE: the partner account links its LINE with a
one-time code sent to the station's LINE account (as commanders do), and each request
addressed to its partner is pushed there through the outbox; another owner's LINE hears
nothing. Against the LINE stand-in (a real HTTP server checking LINE's rules)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from conftest import SECRET
from safetyzone.config import Settings
from safetyzone.core.db import Database
from support import footage as fr
from support.line_env import OTHER_USER, USER, LineEnv, line_env
from support.live import wait_for
from support.world import World


@pytest.fixture
def env(db: Database, settings: Settings, world: World) -> Iterator[LineEnv]:
    with line_env(db, settings, world) as built:
        yield built


def link(env: LineEnv, username: str, user: str) -> str:
    code = env.client.post("/api/v1/auth/me/line-link", headers=env.officer(username))
    assert code.status_code == 200, code.text
    before = len(env.replies())
    assert env.post(env.text(f"SSZ {code.json()['code']}", user=user)).status_code == 200
    env.settle()
    reply: str = wait_for(lambda: env.replies()[before:] or None)[-1]
    return reply


def test_a_linked_owner_hears_its_request_on_line_and_no_other(env: LineEnv,
                                                               db: Database) -> None:
    condo_camera = fr.second_partner(db, env.clock, SECRET)
    assert "ขอภาพจากกล้อง" in link(env, "a.shop", USER)  # the partner's own wording
    assert "footage requests" in link(env, "b.condo", OTHER_USER)
    operator = env.officer("a.operator")
    made = fr.ask(env.client, operator, env.clock.now(), camera_codes=["ST-A-SHOP-P1-C1"])
    env.settle()
    pushed = wait_for(lambda: [p for p in env.pushes() if made[0]["code"] in p] or None)
    assert len(pushed) == 1 and "ST-A-SHOP-P1-C1" in pushed[0]
    assert "123/2569" not in pushed[0]  # the case number stays with the police
    assert env.standin.sent("/v2/bot/message/push")[-1].json["to"] == USER
    assert made[0]["history"][-1]["note"] == "partner page + LINE (1)"
    # The condominium's own request goes to its LINE only.
    theirs = fr.ask(env.client, operator, env.clock.now(), camera_codes=[condo_camera])
    env.settle()
    wait_for(lambda: [p for p in env.pushes() if theirs[0]["code"] in p] or None)
    tos = [m.json["to"] for m in env.standin.sent("/v2/bot/message/push")
           if theirs[0]["code"] in str(m.json)]
    assert tos == [OTHER_USER]
