"""Officers' answers and status changes reach the LINE user (through the stand-in), and the
outbox's retries, give-ups and reply-to-push fallback.

``Item`` and ``Message`` below have the attributes the notifier reads of citizen-core's
``CitizenItem`` and ``CitizenMessage``; at merge these tests drive the officer API
(``POST /api/v1/citizen/items/{id}/messages``, close) instead, through core's NoticeDispatcher.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from sqlalchemy import select

from safetyzone.citizen.line_models import JobState, LineJob, LineUser
from safetyzone.config import Settings
from safetyzone.core.db import Database
from support.line_env import TOKEN, USER, LineEnv, line_env
from support.world import World


@pytest.fixture
def env(db: Database, settings: Settings, world: World) -> Iterator[LineEnv]:
    with line_env(db, settings, world) as built:
        yield built


@dataclass(frozen=True)
class Item:
    code: str


@dataclass(frozen=True)
class Message:
    text: str
    ask_info: bool = False
    id: uuid.UUID = field(default_factory=uuid.uuid4)


def opened(env: LineEnv, text: str = "ไฟส่องสว่างดับ") -> str:
    env.consent()
    env.post(env.text(text))
    env.settle()
    (ticket,) = env.port.tickets.values()
    return ticket.code


def test_an_officers_answer_reaches_the_user_with_the_channel_token(env: LineEnv) -> None:
    code = opened(env)
    message = Message("เจ้าหน้าที่จะไปตรวจสอบคืนนี้ ช่วยบอกเลขที่บ้านด้วย", ask_info=True)
    env.gateway.notifier.message(Item(code), message)
    env.settle()
    (push,) = env.standin.sent("/v2/bot/message/push")
    assert push.token == TOKEN
    assert push.headers["content-type"].startswith("application/json")
    assert push.json["to"] == USER
    (text,) = [m["text"] for m in push.json["messages"]]
    assert message.text in text and code in text and "ตอบกลับในแชตนี้" in text
    assert uuid.UUID(push.headers["x-line-retry-key"])
    assert env.port.deliveries == {str(message.id): True}
    # The user's answer goes to that ticket, even past the 30 minutes of a draft.
    env.clock.advance(timedelta(hours=2))
    env.post(env.text("บ้านเลขที่ 12/3"))
    env.settle()
    assert env.port.tickets[code].messages == ["บ้านเลขที่ 12/3"]


def test_a_status_change_is_pushed(env: LineEnv) -> None:
    code = opened(env)
    ticket = env.port.tickets[code]
    ticket.state, ticket.disposition = "closed", ("ซ่อมบำรุงแล้ว", "Repaired")
    env.gateway.notifier.changed(Item(code), "closed")
    env.settle()
    (text,) = env.pushes()
    assert f"เรื่อง {code}: ปิดเรื่องแล้ว" in text and f"Ticket {code}: Closed" in text
    assert "ซ่อมบำรุงแล้ว" in text and "Repaired" in text
    assert f"https://ssz.example.go.th/citizen/t/{code}" in text


def test_items_not_from_line_and_users_who_left_are_not_pushed(env: LineEnv) -> None:
    code = opened(env)
    env.gateway.notifier.changed(Item("R-NOTLINE1"), "status")
    env.post(env.event("unfollow"))
    env.gateway.notifier.changed(Item(code), "status")
    env.settle()
    assert env.pushes() == []


def test_a_failed_push_is_tried_again_then_sent(env: LineEnv) -> None:
    code = opened(env)
    env.standin.fail_next("/v2/bot/message/push", 500, 429)
    message = Message("ได้รับเรื่องแล้ว")
    env.gateway.notifier.message(Item(code), message)
    env.settle()
    assert env.pushes() == []
    for _ in range(2):
        env.clock.advance(timedelta(minutes=3))
        env.gateway.outbox.wake()
        env.settle()
    (text,) = env.pushes()
    assert message.text in text
    retry_keys = {c.headers["x-line-retry-key"] for c in env.standin.calls
                  if c.path == "/v2/bot/message/push"}
    assert len(retry_keys) == 1  # one key: LINE delivers it once whatever happened before
    assert env.port.deliveries == {str(message.id): True}


def test_a_refused_push_fails_for_good_and_is_counted(env: LineEnv) -> None:
    code = opened(env)
    env.standin.fail_next("/v2/bot/message/push", 400)
    message = Message("x")
    env.gateway.notifier.message(Item(code), message)
    env.settle()
    with env.db.read() as session:
        (job,) = session.scalars(select(LineJob))
        assert job.state is JobState.FAILED and "400" in (job.last_error or "")
    assert env.port.deliveries == {str(message.id): False}
    (channel,) = env.client.get("/api/v1/line/channels", headers=env.admin).json()
    assert channel["failed_jobs"] == 1


def test_an_expired_reply_token_becomes_a_push(env: LineEnv) -> None:
    env.consent()
    event = env.text("เรื่องด่วน")
    env.standin.reply_tokens.discard(event["replyToken"])  # LINE no longer takes it
    env.post(event)
    env.settle()
    (ticket,) = env.port.tickets.values()
    (text,) = env.pushes()
    assert ticket.code in text


def test_a_consented_user_is_asked_again_when_the_consent_text_changes(env: LineEnv) -> None:
    env.consent()
    env.port.version = "2027-01-01"
    env.post(env.text("ข้อความใหม่"))
    assert "ยังไม่ได้ถูกเก็บไว้" in env.replies()[-1] and env.port.tickets == {}
    env.consent()
    with env.db.read() as session:
        (user,) = session.scalars(select(LineUser))
        assert user.consent_version == "2027-01-01"
