"""The LINE webhook end to end: signed bodies in, the LINE stand-in's calls out, and in
between the real citizen service: what the chat opened is read back as the station sees it
(``/api/v1/citizen/items``)."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from safetyzone.adapters.line import sign
from safetyzone.citizen import service
from safetyzone.citizen.line_models import (
    JobState,
    LineDelivery,
    LineJob,
    LineTicket,
    LineUser,
)
from safetyzone.citizen.models import CitizenMedia
from safetyzone.config import Settings
from safetyzone.core.db import Database
from safetyzone.core.errors import DatabaseUnavailable
from safetyzone.gateways.line import USER_RATE, UserLimiter
from support.line_env import ITEMS, OTHER_USER, TOKEN, USER, LineEnv, fingerprint, line_env
from support.line_standin import sample_jpeg
from support.live import wait_for
from support.world import World


@pytest.fixture
def env(db: Database, settings: Settings, world: World) -> Iterator[LineEnv]:
    with line_env(db, settings, world) as built:
        yield built


def count(env: LineEnv, model: type) -> int:
    with env.db.read() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_first_contact_gets_the_consent_text_and_nothing_is_kept(env: LineEnv) -> None:
    before = fingerprint(env.db)
    assert env.post(env.text("ไฟดับทั้งซอย")).status_code == 200
    assert fingerprint(env.db) == before
    assert env.items() == []
    (reply,) = env.standin.sent("/v2/bot/message/reply")
    (message,) = reply.json["messages"]
    assert "ยังไม่ได้ถูกเก็บไว้" in message["text"] and "not kept" in message["text"]
    actions = [i["action"] for i in message["quickReply"]["items"]]
    assert actions[0]["data"] == f"consent=accept&v={env.port.consent()[0]}"
    assert actions[1]["data"] == "consent=decline"
    assert reply.token == TOKEN  # the channel's own token


def test_accepting_stores_the_consent_record_then_a_text_becomes_a_report(
        env: LineEnv) -> None:
    env.consent()
    with env.db.read() as session:
        (user,) = session.scalars(select(LineUser))
        assert user.consent_version == env.port.consent()[0]
        assert USER not in user.user_hash and USER not in user.user_sealed
    assert "ขอบคุณ" in env.replies()[-1]
    assert env.post(env.text("ไฟดับทั้งซอย มืดมาก")).status_code == 200
    env.settle()
    ticket = env.the_item()
    assert (ticket["kind"], ticket["channel"], ticket["description"]) == (
        "report", "line", "ไฟดับทั้งซอย มืดมาก")
    assert (ticket["station_id"], ticket["location_source"], ticket["lat"]) == (
        env.channel["station_id"], "none", None)  # no place yet: the channel's station
    assert env.owned_by(ticket["code"], USER) and not env.owned_by(ticket["code"], OTHER_USER)
    reply = env.replies()[-1]
    assert ticket["code"] in reply
    assert f"https://ssz.example.go.th/citizen/t/{ticket['code']}" in reply
    (call,) = [c for c in env.standin.sent("/v2/bot/message/reply") if ticket["code"] in
               c.json["messages"][0]["text"]]
    assert call.token == TOKEN
    assert count(env, LineTicket) == 1


def test_declining_keeps_nothing(env: LineEnv) -> None:
    before = fingerprint(env.db)
    env.post(env.postback("consent=decline"))
    assert fingerprint(env.db) == before
    assert "191" in env.replies()[-1]


@pytest.mark.parametrize("signature", ["", "bm90IGEgc2lnbmF0dXJl",
                                       "/gg9a+LvFevTH1sd7XCQycD7tsWclCsInj7MhBHxN7k="])
def test_forged_or_missing_signatures_are_refused_and_nothing_is_kept(
        env: LineEnv, signature: str) -> None:
    env.consent()
    before, calls = fingerprint(env.db), len(env.standin.calls)
    answer = env.post(env.text("ปลอม"), signature=signature)
    assert answer.status_code == 401
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["code"] == "line-signature-invalid"
    no_header = env.client.post(env.path, content=env.body(env.text("ปลอม")),
                                headers={"Content-Type": "application/json"})
    assert no_header.status_code == 401
    wrong_secret = env.post(env.text("ปลอม"), signature=sign(env.body(), "f" * 32))
    assert wrong_secret.status_code == 401
    env.settle()
    assert fingerprint(env.db) == before
    assert len(env.standin.calls) == calls and env.items() == []


def test_a_body_signed_then_changed_is_refused(env: LineEnv) -> None:
    env.consent()
    body = env.body(env.text("ของจริง"))
    signature = sign(body, env.secret)
    tampered = body.replace("ของจริง".encode(), "ของปลอม".encode())
    assert env.post(raw=tampered, signature=signature).status_code == 401
    assert env.items() == []


def test_unknown_webhook_paths_are_404(env: LineEnv) -> None:
    before = fingerprint(env.db)
    assert env.post(env.text("x"), path="/line/webhook/ST-B").status_code == 404
    assert env.post(env.text("x"), path="/line/webhook/NO-SUCH").status_code == 404
    assert env.post(env.text("x"), path="/line/webhook").status_code == 404  # per_station
    assert fingerprint(env.db) == before


def test_oversize_bodies_are_refused_before_reading_them(env: LineEnv) -> None:
    env.consent()
    before = fingerprint(env.db)
    huge = env.text("ก" * 4000)
    big = env.body(*[huge] * 30)
    assert len(big) > 256 * 1024
    assert env.post(raw=big).status_code == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it streams
        for _ in range(40):
            yield b" " * 8192

    streamed = env.client.post(env.path, content=chunks(), headers={
        "Content-Type": "application/json", "X-Line-Signature": "x" * 44})
    assert streamed.status_code == 413
    assert fingerprint(env.db) == before and env.items() == []


def test_a_flood_from_one_user_is_refused_once_and_nothing_is_kept(env: LineEnv) -> None:
    now = [0.0]
    env.gateway.limiter = UserLimiter(USER_RATE, clock=lambda: now[0])
    env.consent()  # one of the burst
    first = [env.text(f"ข้อความ {i}") for i in range(USER_RATE.burst - 1)]
    assert env.post(*first).status_code == 200
    env.settle()
    code = env.the_item()["code"]
    kept = [f"ข้อความ {i}" for i in range(1, USER_RATE.burst - 1)]  # the first opened it
    assert env.from_citizen(code) == kept
    before, replies = fingerprint(env.db), len(env.replies())
    assert env.post(*[env.text(f"ท่วม {i}") for i in range(10)]).status_code == 200
    env.settle()
    assert fingerprint(env.db) == before
    assert env.from_citizen(code) == kept
    told = env.replies()[replies:]
    assert len(told) == 1 and "ถี่เกินไป" in told[0] and "Too many" in told[0]
    assert env.post(env.text("ยังท่วม")).status_code == 200  # told once only
    assert len(env.replies()) == replies + 1
    # Another user is not slowed by the first; and the first may go on after a while.
    env.consent(OTHER_USER)
    now[0] += 60
    env.post(env.text("กลับมาแล้ว"))
    env.settle()
    assert env.from_citizen(code) == [*kept, "กลับมาแล้ว"]


def test_a_redelivered_event_is_served_once(env: LineEnv) -> None:
    env.consent()
    event = env.text("มีคนแปลกหน้าเดินวนหน้าบ้าน")
    assert env.post(event).status_code == 200
    env.settle()
    again = {**event, "deliveryContext": {"isRedelivery": True},
             "replyToken": env.standin.reply_token()}
    assert env.post(again).status_code == 200
    env.settle()
    (item,) = env.items()
    assert env.from_citizen(item["code"]) == []
    assert sum(1 for r in env.replies() if "R-" in r) == 1
    assert count(env, LineDelivery) == 2  # the consent and this one


def test_a_photo_becomes_citizen_media_without_its_exif(env: LineEnv) -> None:
    env.consent()
    photo = sample_jpeg(13.7311, 100.4712)
    with Image.open(io.BytesIO(photo)) as sent:
        assert sent.getexif().get_ifd(0x8825)  # the phone's GPS position is in it
    env.standin.contents["p1"] = (photo, "image/jpeg")
    assert env.post(env.image("p1")).status_code == 200
    env.settle()
    ticket = env.the_item()
    assert ticket["code"] in env.replies()[-1]
    (media,) = ticket["media"]
    assert (media["kind"], media["content_type"]) == ("photo", "image/jpeg")
    stored = env.client.get(f"{ITEMS}/{ticket['id']}/media/{media['id']}",
                            headers=env.officer("a.operator"))
    assert stored.status_code == 200 and stored.content != photo
    with Image.open(io.BytesIO(stored.content)) as kept:
        assert kept.size == (320, 240) and not kept.getexif()  # EXIF stripped
    with env.db.read() as session:  # the position was read before it was stripped
        row = session.scalars(select(CitizenMedia)).one()
        assert (round(row.exif_lat or 0, 4), round(row.exif_lon or 0, 4)) == (13.7311, 100.4712)
    fetch = [c for c in env.standin.calls if c.path.endswith("/p1/content")]
    assert fetch[0].path == "/data/v2/bot/message/p1/content" and fetch[0].token == TOKEN
    assert count(env, LineJob) == 0
    assert len(env.stored_files()) == 2  # the photo and its thumbnail


def test_a_photo_whose_transaction_fails_leaves_no_file(env: LineEnv) -> None:
    """The media store writes the file before the commit; if the commit fails, the file
    goes (as on the public upload route), and LINE's photo is fetched again later."""
    env.consent()
    env.standin.contents["p9"] = (sample_jpeg(), "image/jpeg")
    seen: list[list[str]] = []

    def outage(session: Session) -> None:
        if session.info.get(service.FILES_KEY):  # the photo's transaction, file written
            seen.append([p.name for p in env.stored_files()])
            raise DatabaseUnavailable("the database went away at commit")

    event.listen(Session, "before_commit", outage)
    try:
        assert env.post(env.image("p9")).status_code == 200
        wait_for(lambda: seen)
        wait_for(lambda: env.stored_files() == [])
        assert len(seen[0]) == 2  # photo and thumbnail were written, then removed
        assert env.items() == [] and count(env, CitizenMedia) == 0
        with env.db.read() as session:  # the download waits to be tried again
            (job,) = session.scalars(select(LineJob))
            assert job.state is JobState.PENDING
    finally:
        event.remove(Session, "before_commit", outage)
    env.gateway.outbox.wake()
    env.settle()
    assert len(env.the_item()["media"]) == 1  # stored once, with the same files
    assert sorted(p.name for p in env.stored_files()) == sorted(seen[0])


def test_an_oversize_photo_is_refused_and_nothing_is_kept(env: LineEnv) -> None:
    env.consent()
    env.standin.contents["huge"] = (b"\xff\xd8\xff" + bytes(env.gateway.outbox.photo_max_bytes),
                                    "image/jpeg")
    before = fingerprint(env.db)
    assert env.post(env.image("huge")).status_code == 200
    env.settle()
    assert fingerprint(env.db) == before
    assert env.items() == [] and env.stored_files() == []
    assert "ใหญ่เกินไป" in env.replies()[-1] and "too large" in env.replies()[-1]


def test_an_external_photo_is_never_fetched(env: LineEnv) -> None:
    env.consent()
    before = fingerprint(env.db)
    env.post(env.event(message={"id": "x1", "type": "image", "quoteToken": "q",
                                "contentProvider": {"type": "external",
                                                    "originalContentUrl": "http://10.0.0.1/a"}}))
    assert fingerprint(env.db) == before
    assert not [c for c in env.standin.calls if "content" in c.path]


def test_messages_within_30_minutes_join_one_report(env: LineEnv) -> None:
    env.consent()
    env.standin.contents["p2"] = (sample_jpeg(), "image/jpeg")
    env.post(env.text("ขโมยรถจักรยานยนต์"))
    env.clock.advance(timedelta(minutes=10))
    env.post(env.location(13.7301, 100.4702), env.image("p2"))
    env.settle()
    ticket = env.the_item()
    assert ticket["description"] == "ขโมยรถจักรยานยนต์"
    (place,) = env.from_citizen(ticket["code"])
    assert "13.73010, 100.47020" in place and "ปากซอย" in place
    assert len(ticket["media"]) == 1
    assert env.replies()[-1].startswith(f"เพิ่มในเรื่อง {ticket['code']}")
    env.clock.advance(timedelta(minutes=31))
    env.post(env.text("อีกเรื่องหนึ่ง"))
    env.settle()
    assert len(env.items()) == 2


def test_a_closed_report_is_not_added_to(env: LineEnv) -> None:
    env.consent()
    env.post(env.text("เรื่องแรก"))
    first = env.the_item()
    env.act(first, "close", disposition="resolved")
    env.post(env.text("ต่อ"))
    env.settle()
    assert len(env.items()) == 2 and env.from_citizen(first["code"]) == []
    (second,) = env.items(state="new")
    assert second["description"] == "ต่อ"


def test_the_rich_menu_report_and_category(env: LineEnv) -> None:
    env.consent()
    env.post(env.postback("action=report"))
    env.settle()
    (call,) = [c for c in env.standin.sent("/v2/bot/message/reply")
               if "quickReply" in c.json["messages"][0]
               and "category=theft" in str(c.json["messages"][0]["quickReply"])]
    labels = [i["action"]["label"] for i in call.json["messages"][0]["quickReply"]["items"]]
    assert "ลักทรัพย์" in labels and all(len(label) <= 20 for label in labels)
    env.post(env.postback("category=theft"))
    env.post(env.text("กระเป๋าหาย"))
    env.settle()
    assert env.the_item()["category"] == "theft"


def test_my_tickets_lists_the_users_own(env: LineEnv) -> None:
    env.consent()
    env.consent(OTHER_USER)
    env.post(env.text("ของฉัน"))
    env.post(env.text("ของคนอื่น", user=OTHER_USER))
    env.settle()
    codes = {i["description"]: i["code"] for i in env.items()}
    mine, other = codes["ของฉัน"], codes["ของคนอื่น"]
    assert env.owned_by(mine, USER) and env.owned_by(other, OTHER_USER)
    env.post(env.postback("action=tickets"))
    listing = env.replies()[-1]
    assert mine in listing and other not in listing
    assert "รับแจ้งแล้ว / Received" in listing


def test_emergency_from_the_menu_and_a_location(env: LineEnv) -> None:
    env.consent()
    env.post(env.postback("action=emergency"))
    env.settle()
    assert "191" in env.replies()[-1]
    env.post(env.location(13.7302, 100.4703))
    env.post(env.location(13.7303, 100.4704))  # again: the same emergency
    env.settle()
    emergency = env.the_item()
    assert (emergency["kind"], emergency["press_count"]) == ("emergency", 2)
    assert emergency["incident_id"] is not None and emergency["station_code"] == "ST-A"
    assert (emergency["lat"], emergency["lon"]) == (13.7302, 100.4703)  # the first place
    assert emergency["code"] in env.replies()[-1]
    incident = env.client.get(f"/api/v1/incidents/{emergency['incident_id']}",
                              headers=env.officer("a.operator"))
    assert incident.status_code == 200 and incident.json()["priority"] == 1


def test_a_tip_keeps_no_link_to_the_line_user(env: LineEnv) -> None:
    env.consent()
    env.post(env.postback("action=tip"))
    env.post(env.text("มีการขายยาเสพติดที่บ้านหลังสุดท้าย"))
    env.settle()
    tip = env.the_item()
    assert (tip["kind"], tip["anonymous"], tip["channel"]) == ("tip", True, "line")
    assert not env.line_user_kept(tip["code"])
    assert count(env, LineTicket) == 0
    answer = env.replies()[-1]
    assert tip["code"] in answer
    (followup,) = set(re.findall(r"[0-9A-Z]{4}(?:-[0-9A-Z]{4}){3}", answer))
    asked = env.client.post(f"/api/v1/public/tips/{tip['code']}/followup",
                            json={"followup_code": followup, "text": "ยังขายอยู่"})
    assert asked.status_code == 200, asked.text  # the code in the chat is the real one


def test_station_card_from_a_location(env: LineEnv) -> None:
    env.consent()
    env.post(env.postback("action=station"))
    env.post(env.location(13.7301, 100.4702))
    env.settle()
    assert "หน่วย ST-A" in env.replies()[-1] and "Unit ST-A" in env.replies()[-1]
    assert env.items() == []


def test_unfollow_deletes_the_line_contact(env: LineEnv) -> None:
    env.consent()
    env.post(env.text("เรื่องหนึ่ง"))
    env.settle()
    env.post(env.event("unfollow"))
    assert count(env, LineUser) == 0 and count(env, LineTicket) == 0
    env.post(env.text("กลับมา"))
    assert "ยังไม่ได้ถูกเก็บไว้" in env.replies()[-1]


def test_group_chats_and_standby_events_are_not_served(env: LineEnv) -> None:
    env.consent()
    before = fingerprint(env.db)
    calls = len(env.standin.calls)
    group = env.text("ในกลุ่ม")
    group["source"] = {"type": "group", "groupId": "G" + "1" * 32, "userId": USER}
    standby = env.text("standby")
    standby["mode"] = "standby"
    assert env.post(group, standby).status_code == 200
    assert fingerprint(env.db) == before and len(env.standin.calls) == calls


def test_an_empty_verify_call_is_answered(env: LineEnv) -> None:
    assert env.post().status_code == 200  # LINE console's "Verify" button


def test_the_bot_user_id_is_learned(env: LineEnv) -> None:
    (channel,) = env.client.get("/api/v1/line/channels", headers=env.admin).json()
    assert channel["bot_user_id"] == "U" + "b" * 32
