"""A home-watch visit reaches its owner on LINE (through the LINE stand-in), end to end: the
request from the public app, the owner following it in the station's LINE chat with its code
and pin, the officer's approval and visit, the push; a wrong pin follows nothing; after the
retention period nobody follows it any more.

API-level, not in a browser: the chat is driven with webhook bodies signed as LINE signs
them, the station and the officer act on the real API, and the stand-in records the push."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from safetyzone.citizen.line_follow import follow_pin
from safetyzone.citizen.line_models import LineTicket
from safetyzone.config import Settings
from safetyzone.core.db import Database
from safetyzone.services import homewatch_sweep
from safetyzone.web.routes.homewatch import media
from support import homewatch as hw
from support.line_env import OTHER_USER, TOKEN, USER, LineEnv, line_env
from support.officer import Phone, create_unit
from support.world import World


@pytest.fixture
def env(db: Database, settings: Settings, world: World) -> Iterator[LineEnv]:
    with line_env(db, settings, world) as built:
        yield built


def test_a_visit_reaches_the_owner_on_line_as_it_happens(env: LineEnv) -> None:
    client, clock = env.client, env.clock
    data = hw.body(clock=clock)
    created = hw.create(client, data)
    code, pin = created["code"], created["follow_pin"]
    assert pin == hw.page(client, code, data["client_key"])["follow_pin"]
    env.consent()
    env.post(env.text(f"{code.lower()} {pin.replace('-', '')}"))  # as typed on a phone
    env.settle()
    assert f"{code}" in env.replies()[-1] and "ทาง LINE" in env.replies()[-1]
    operator = env.officer("a.operator")
    rid = hw.request_id(client, operator, code)
    hw.approve(client, operator, rid)
    env.settle()
    (approved,) = env.pushes()
    assert f"คำขอฝากบ้าน {code} ได้รับอนุมัติ" in approved and "is approved" in approved
    phone = Phone(client, env.world, clock, "a.patrol")
    phone.start(create_unit(client, env.admin, "ST-A", "HW-LINE"))
    clock.advance(timedelta(hours=5))
    phone.headers = env.officer("a.patrol")
    visit = phone.post(f"/home-watch/{rid}/visits", hw.visit(note="รดน้ำต้นไม้หน้าบ้านให้แล้ว"))
    assert visit.status_code == 201, visit.text
    env.settle()
    pushes = env.standin.sent("/v2/bot/message/push")
    told = pushes[-1]
    assert told.token == TOKEN and told.json["to"] == USER
    (text,) = [m["text"] for m in told.json["messages"]]
    assert f"ตำรวจแวะตรวจบ้านที่ฝากไว้ ({code})" in text and "เรียบร้อยดี" in text
    assert "Police checked your house" in text and "รดน้ำต้นไม้หน้าบ้านให้แล้ว" in text
    assert "2569" in text  # the Buddhist Era year
    # A refused visit tells nobody.
    far = phone.post(f"/home-watch/{rid}/visits", hw.visit(hw.HOUSE[0] + 0.01))
    assert far.status_code == 422
    env.settle()
    assert len(env.standin.sent("/v2/bot/message/push")) == len(pushes)
    # After the time away: closed, told; after retention: nobody follows it any more.
    clock.advance(timedelta(days=3))
    store = media(client.app.state.ctx)  # type: ignore[attr-defined]
    assert homewatch_sweep.run(env.db, clock, retain_days=90, store=store).closed == 1
    env.settle()
    assert f"ครบกำหนดฝากบ้าน {code} แล้ว" in env.pushes()[-1]
    clock.advance(timedelta(days=91))
    assert homewatch_sweep.run(env.db, clock, retain_days=90, store=store).erased == 1
    with env.db.read() as s:
        assert s.scalar(select(LineTicket).where(LineTicket.code == code)) is None


def test_a_wrong_pin_or_someone_elses_request_follows_nothing(env: LineEnv,
                                                              settings: Settings) -> None:
    data = hw.body(clock=env.clock)
    code = hw.create(env.client, data)["code"]
    env.consent()
    env.post(env.text(f"{code} AAAA-AAAA"))
    env.settle()
    assert "รหัสติดตามไม่ถูกต้อง" in env.replies()[-1]
    env.consent(OTHER_USER)
    pin = follow_pin(settings.secret_key.get_secret_value(), code)
    env.post(env.text(f"{code} {pin}", user=OTHER_USER))
    env.settle()
    assert "ทาง LINE" in env.replies()[-1]
    env.post(env.text(f"{code} {pin}"))  # the first follower keeps it
    env.settle()
    assert "รหัสติดตามไม่ถูกต้อง" in env.replies()[-1]
    with env.db.read() as s:
        rows = list(s.scalars(select(LineTicket).where(LineTicket.code == code)))
    assert len(rows) == 1 and rows[0].kind == "follow"
    assert env.item_count() == 0  # a follow code opened no report
