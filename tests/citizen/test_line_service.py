"""LINE through the citizen service, as the issue's "done when" reads: a signed webhook
produces a report the console sees (station scope), and the operator's answer and the
closing reach the LINE stand-in with the right token and body."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from safetyzone.config import Settings
from safetyzone.core.db import Database
from support.line_env import ITEMS, TOKEN, USER, LineEnv, fingerprint, line_env
from support.line_standin import sample_jpeg
from support.world import World


@pytest.fixture
def env(db: Database, settings: Settings, world: World) -> Iterator[LineEnv]:
    with line_env(db, settings, world) as built:
        yield built


def items(env: LineEnv, headers: dict[str, str], **params: Any) -> list[dict[str, Any]]:
    answer = env.client.get(ITEMS, headers=headers, params=params)
    assert answer.status_code == 200, answer.text
    found: list[dict[str, Any]] = answer.json()
    return found


def test_a_signed_text_becomes_a_report_the_station_sees(env: LineEnv, world: World) -> None:
    before = fingerprint(env.db)
    env.post(env.text("ไฟดับทั้งซอย"))  # no consent yet: nothing kept
    assert fingerprint(env.db) == before
    env.consent()
    env.post(env.text("ไฟดับทั้งซอย มืดมาก"))
    env.settle()
    operator = world.headers(env.client, "a.operator")
    (item,) = items(env, operator)
    assert (item["kind"], item["channel"], item["station_code"]) == ("report", "line", "ST-A")
    assert item["description"] == "ไฟดับทั้งซอย มืดมาก"
    assert item["code"] in env.replies()[-1]
    assert items(env, world.headers(env.client, "b.operator")) == []  # station scope
    ticket = env.client.get(f"/api/v1/public/tickets/{item['code']}")
    assert ticket.status_code == 200 and USER not in ticket.text


def test_photo_and_location_join_the_report(env: LineEnv, world: World) -> None:
    env.consent()
    env.standin.contents["p1"] = (sample_jpeg(), "image/jpeg")
    env.post(env.text("รถหาย"))
    env.post(env.image("p1"), env.location(13.7301, 100.4702))
    env.settle()
    operator = world.headers(env.client, "a.operator")
    (item,) = items(env, operator)
    assert len(item["media"]) == 1 and item["media"][0]["content_type"] == "image/jpeg"
    detail = env.client.get(f"{ITEMS}/{item['id']}", headers=operator).json()
    assert any("13.73010, 100.47020" in m["text"] for m in detail["messages"])


def test_the_operators_answer_and_the_closing_reach_the_user(env: LineEnv,
                                                             world: World) -> None:
    env.consent()
    env.post(env.text("มีคนแปลกหน้า"))
    env.settle()
    operator = world.headers(env.client, "a.operator")
    (item,) = items(env, operator)
    answer = env.client.post(f"{ITEMS}/{item['id']}/messages", headers=operator,
                             json={"text": "ช่วยบอกจุดที่เห็นด้วยครับ", "ask_info": True})
    assert answer.status_code == 201, answer.text
    env.settle()
    words, status = env.standin.sent("/v2/bot/message/push")  # in that order
    assert words.token == TOKEN and words.json["to"] == USER
    assert "ช่วยบอกจุดที่เห็นด้วยครับ" in words.json["messages"][0]["text"]
    assert "ขอข้อมูลเพิ่มเติม" in status.json["messages"][0]["text"]
    detail = env.client.get(f"{ITEMS}/{item['id']}", headers=operator).json()
    assert [m["delivery"] for m in detail["messages"] if m["direction"] == "to_citizen"] == [
        "sent"]
    env.post(env.text("หน้าร้านสะดวกซื้อ"))  # the answer joins the ticket
    env.settle()
    detail = env.client.get(f"{ITEMS}/{item['id']}", headers=operator).json()
    assert detail["messages"][-1]["text"] == "หน้าร้านสะดวกซื้อ"
    closed = env.client.post(f"{ITEMS}/{item['id']}/close", headers=operator,
                             json={"disposition": "patrol_increased"})
    assert closed.status_code == 200, closed.text
    env.settle()
    assert "เพิ่มการตรวจตราในพื้นที่แล้ว" in env.pushes()[-1]


def test_an_emergency_from_the_menu_opens_an_incident(env: LineEnv, world: World) -> None:
    env.consent()
    env.post(env.postback("action=emergency"))
    env.post(env.location(13.7301, 100.4702))
    env.settle()
    operator = world.headers(env.client, "a.operator")
    (item,) = items(env, operator, kind="emergency")
    assert item["incident_id"] is not None and item["code"] in env.replies()[-1]


def test_a_tip_is_anonymous(env: LineEnv, world: World) -> None:
    env.consent()
    env.post(env.postback("action=tip"))
    env.post(env.text("บ่อนพนันหลังตลาด"))
    env.settle()
    (item,) = items(env, world.headers(env.client, "a.operator"), kind="tip")
    assert item["anonymous"] is True and item["code"] in env.replies()[-1]


def test_my_tickets_shows_the_services_status(env: LineEnv) -> None:
    env.consent()
    env.post(env.text("เรื่องหนึ่ง"))
    env.post(env.postback("action=tickets"))
    env.settle()
    assert "รับแจ้งแล้ว / Received" in env.replies()[-1]


def test_an_oversize_photo_stores_nothing(env: LineEnv) -> None:
    env.consent()
    env.standin.contents["big"] = (b"\xff\xd8\xff" + bytes(env.gateway.outbox.photo_max_bytes),
                                   "image/jpeg")
    before = fingerprint(env.db)
    env.post(env.image("big"))
    env.settle()
    assert fingerprint(env.db) == before and env.stored_files() == []


def test_a_picture_the_service_refuses_opens_no_report(env: LineEnv, world: World) -> None:
    env.consent()
    env.standin.contents["fake"] = (b"GIF89a" + bytes(200), "image/jpeg")  # LINE says JPEG
    env.post(env.image("fake"))
    env.settle()
    assert items(env, world.headers(env.client, "a.operator")) == []
    assert env.stored_files() == []
    assert "JPEG" in env.replies()[-1]
