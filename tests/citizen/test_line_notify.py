"""Officers' answers and status changes reach the LINE user (through the stand-in), and the
outbox's retries, give-ups and reply-to-push fallback.

Everything starts where it does in service: an officer acts on the station's API
(``/api/v1/citizen/items/{id}/...``), the citizen service queues the notice, core's
NoticeDispatcher hands it to the LINE notifier after the commit, the outbox sends it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from safetyzone.citizen.line_models import JobState, LineJob, LineUser
from safetyzone.citizen.taxonomy import term
from safetyzone.config import Settings
from safetyzone.core.db import Database
from support.line_env import TOKEN, USER, LineEnv, line_env
from support.world import World


@pytest.fixture
def env(db: Database, settings: Settings, world: World) -> Iterator[LineEnv]:
    with line_env(db, settings, world) as built:
        yield built


def opened(env: LineEnv, text: str = "ไฟส่องสว่างดับ") -> dict[str, Any]:
    """A report opened in the chat, as the station lists it."""
    env.consent()
    env.post(env.text(text))
    env.settle()
    return env.the_item()


def deliveries(env: LineEnv, item: dict[str, Any]) -> list[str | None]:
    return [m["delivery"] for m in env.item(item["code"])["messages"]
            if m["direction"] == "to_citizen"]


def test_an_officers_answer_reaches_the_user_with_the_channel_token(env: LineEnv) -> None:
    item = opened(env)
    words = "เจ้าหน้าที่จะไปตรวจสอบคืนนี้ ช่วยบอกเลขที่บ้านด้วย"
    env.act(item, "messages", text=words, ask_info=True)
    env.settle()
    answer, status = env.standin.sent("/v2/bot/message/push")  # the words, then the status
    assert answer.token == TOKEN and status.token == TOKEN
    assert answer.headers["content-type"].startswith("application/json")
    assert answer.json["to"] == USER
    (text,) = [m["text"] for m in answer.json["messages"]]
    assert words in text and item["code"] in text and "ตอบกลับในแชตนี้" in text
    asked = term("status", "info_requested")
    assert asked.th in status.json["messages"][0]["text"]
    assert uuid.UUID(answer.headers["x-line-retry-key"])
    assert answer.headers["x-line-retry-key"] != status.headers["x-line-retry-key"]
    assert deliveries(env, item) == ["sent"]
    # The user's answer goes to that ticket, even past the 30 minutes of a draft.
    env.clock.advance(timedelta(hours=2))
    env.post(env.text("บ้านเลขที่ 12/3"))
    env.settle()
    assert env.from_citizen(item["code"]) == ["บ้านเลขที่ 12/3"]
    assert env.item(item["code"])["state"] == "acknowledged"  # the answer reopens it
    assert len(env.items()) == 1


def test_a_status_change_is_pushed(env: LineEnv) -> None:
    item = opened(env)
    env.act(item, "acknowledge")
    env.act(item, "close", disposition="maintenance_done")
    env.settle()
    acknowledged, closed = env.pushes()
    code = item["code"]
    seen = term("status", "acknowledged")
    assert f"เรื่อง {code}: {seen.th}" in acknowledged
    assert f"Ticket {code}: {seen.en}" in acknowledged
    done, outcome = term("status", "closed"), term("disposition", "maintenance_done")
    assert f"เรื่อง {code}: {done.th}" in closed and f"Ticket {code}: {done.en}" in closed
    assert outcome.th in closed and outcome.en in closed
    assert f"https://ssz.example.go.th/citizen/t/{code}" in closed


def test_items_not_from_line_and_users_who_left_are_not_pushed(env: LineEnv) -> None:
    item = opened(env)
    web = env.client.post("/api/v1/public/reports", json={
        "client_key": "web-phone-key-0123456789abcdef", "category": "street_light",
        "description": "ไฟดับ", "location": {"lat": 13.7301, "lon": 100.4702},
        "location_source": "pin", "consent": {"purposes": ["report"],
                                              "version": env.port.consent()[0]}})
    assert web.status_code == 201, web.text
    env.act(env.item(web.json()["code"]), "acknowledge")
    env.post(env.event("unfollow"))
    env.act(item, "acknowledge")
    env.act(item, "messages", text="ได้รับเรื่องแล้ว")
    env.settle()
    assert env.pushes() == []
    assert len(env.items()) == 2


def test_a_failed_push_is_tried_again_then_sent(env: LineEnv) -> None:
    item = opened(env)
    env.standin.fail_next("/v2/bot/message/push", 500, 429)
    env.act(item, "messages", text="ได้รับเรื่องแล้ว")
    env.settle()
    assert env.pushes() == []
    assert deliveries(env, item) == ["pending"]
    for _ in range(2):
        env.clock.advance(timedelta(minutes=3))
        env.gateway.outbox.wake()
        env.settle()
    words, status = env.pushes()  # the reply acknowledged the report: its status follows
    assert "ได้รับเรื่องแล้ว" in words and term("status", "acknowledged").en in status
    pushed = [c for c in env.standin.calls if c.path == "/v2/bot/message/push"]
    tries = [c for c in pushed if "ได้รับเรื่องแล้ว" in c.json["messages"][0]["text"]]
    assert [c.status for c in tries] == [500, 200]
    assert [c.status for c in pushed if c not in tries] == [429, 200]
    # One key for every try of a job: LINE delivers it once whatever happened before.
    assert len({c.headers["x-line-retry-key"] for c in tries}) == 1
    assert len({c.headers["x-line-retry-key"] for c in pushed}) == 2
    assert deliveries(env, item) == ["sent"]


def test_a_refused_push_fails_for_good_and_is_counted(env: LineEnv) -> None:
    item = opened(env)
    env.standin.fail_next("/v2/bot/message/push", 400)
    env.act(item, "messages", text="x")
    env.settle()
    with env.db.read() as session:
        (job,) = session.scalars(select(LineJob))
        assert job.state is JobState.FAILED and "400" in (job.last_error or "")
    assert deliveries(env, item) == ["failed"]
    (channel,) = env.client.get("/api/v1/line/channels", headers=env.admin).json()
    assert channel["failed_jobs"] == 1


def test_an_expired_reply_token_becomes_a_push(env: LineEnv) -> None:
    env.consent()
    event = env.text("เรื่องด่วน")
    env.standin.reply_tokens.discard(event["replyToken"])  # LINE no longer takes it
    env.post(event)
    env.settle()
    ticket = env.the_item()
    (text,) = env.pushes()
    assert ticket["code"] in text


def test_a_consented_user_is_asked_again_when_the_consent_text_changes(env: LineEnv) -> None:
    env.consent()
    with env.db.write() as session:  # they accepted an earlier text than the service's now
        session.execute(update(LineUser).values(consent_version="2025-01-01"))
    env.post(env.text("ข้อความใหม่"))
    assert "ยังไม่ได้ถูกเก็บไว้" in env.replies()[-1] and env.items() == []
    env.consent()
    with env.db.read() as session:
        (user,) = session.scalars(select(LineUser))
        assert user.consent_version == env.port.consent()[0]
    env.post(env.text("ข้อความใหม่"))
    env.settle()
    assert env.the_item()["description"] == "ข้อความใหม่"
