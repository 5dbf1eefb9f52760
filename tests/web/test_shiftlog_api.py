"""The shift over HTTP: a duty officer's day (on duty, a note, a notable event, a handover
with a camera down, acknowledged by the next); garbage refused with 422 changing nothing;
the commander's daily report reads back in Thai (B.E.) and in English (Gregorian), renders
on white paper, and each print is audited."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from safetyzone.ops import incidents
from safetyzone.ops.models import Incident
from safetyzone.video.models import CameraHealth, CameraState
from support import changes
from support.history import HOSTILE, Past, build_past
from support.lostdocs import pdf_text
from support.world import World

BASE = "/api/v1/stations/ST-A/shift"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "shift"


def call(client: TestClient, world: World, user: str, method: str, path: str,
         **kw: Any) -> Any:
    return client.request(method, path, headers=world.headers(client, user), **kw)


@pytest.fixture
def day(db: Database, clock: ManualClock, world: World, client: TestClient) -> Past:
    """1 Jan 2026 at ST-A, from 09:00 Bangkok: the incidents of support.history, then the
    shift: a.operator on duty, a note, a notable event, a handover with a camera down;
    a.commander on duty acknowledges; the overdue incidents escalate."""
    clock.advance(timedelta(hours=2))  # 09:00 in Bangkok: the 08:00 duty day of 1 Jan
    past = build_past(db, clock)
    cameras = call(client, world, "admin", "GET", "/api/v1/cameras",
                   params={"station_code": "ST-A"}).json()["items"]
    with db.write() as s:
        # The SOS came from a pole (one event): its times count in the response times.
        pressed = s.get(Incident, past.ids["sos"])
        assert pressed is not None
        pressed.event_count = 1
        s.add(CameraHealth(camera_id=uuid.UUID(cameras[0]["id"]),
                           station_id=uuid.UUID(cameras[0]["station_id"]),
                           state=CameraState.OFFLINE, since=clock.now(), detail=None))

    def ok(user: str, method: str, path: str, status: int = 200, **kw: Any) -> Any:
        response = call(client, world, user, method, path, **kw)
        assert response.status_code == status, response.text
        return response.json()

    ok("a.operator", "POST", f"{BASE}/on-duty", 201)
    clock.advance(timedelta(minutes=10))
    ok("a.operator", "POST", f"{BASE}/log", 201,
       json={"kind": "note", "text": "ประสานการไฟฟ้าเรื่องไฟดับซอยวัดน้ำ"})
    ok("a.operator", "POST", f"{BASE}/log", 201,
       json={"kind": "event", "text": "ผู้กำกับการตรวจเยี่ยมศูนย์ฯ " + HOSTILE,
             "incident_id": str(past.ids["percent"])})
    clock.advance(timedelta(minutes=10))
    handover = ok("a.operator", "POST", f"{BASE}/handovers", 201,
                  json={"notes": "ฝากติดตามสัญญาณกันขโมยร้านทอง"})
    ok("a.commander", "POST", f"{BASE}/on-duty", 201)
    clock.advance(timedelta(minutes=5))
    ok("a.commander", "POST", f"/api/v1/shift-handovers/{handover['id']}/acknowledge",
       json={"note": "รับทราบ"})
    ok("a.operator", "POST", f"{BASE}/off-duty", json={})
    with db.write() as s:
        incidents.escalate_overdue(s, now=clock.now(), step=timedelta(minutes=1))
    past.ids["handover"] = handover["id"]
    changes.install(db)
    return past


def test_the_shift_as_the_console_reads_it(client: TestClient, world: World, day: Past
                                          ) -> None:
    shift = call(client, world, "a.viewer", "GET", BASE).json()
    assert [d["username"] for d in shift["on_duty"]] == ["a.commander"]
    assert shift["today"]["day"] == "2026-01-01"
    assert shift["today"]["starts_at"].startswith("2026-01-01T08:00:00+07:00")
    assert shift["pending_handovers"] == []
    [handover] = shift["handovers_today"]
    assert handover["acknowledged_by"] == "a.commander"
    carried = handover["carried"]
    # The covert hit is never carried over, even from its owner's handover.
    assert {i["title_th"] for i in carried["incidents"]} == {
        "สัญญาณกันขโมย ลด 100% ร้านทอง", "กล้อง cam_a_b ดับ",
        "=HYPERLINK(\"http://evil.example\",\"คลิก\")"}
    assert [c["state"] for c in carried["cameras_down"]] == ["offline"]
    assert [c["state"] for c in shift["open_items"]["cameras_down"]] == ["offline"]
    log = call(client, world, "a.patrol", "GET", f"{BASE}/log", params={"day": "2026-01-01"})
    kinds = [e["kind"] for e in log.json()["entries"]]
    assert kinds[0] == "incident_opened" and kinds.count("incident_escalated") == 3
    assert [k for k in kinds if not k.startswith("incident")] == [
        "on_duty", "note", "event", "handover", "on_duty", "handover_ack", "off_duty"]
    event = next(e for e in log.json()["entries"] if e["kind"] == "event")
    assert event["incident_title_th"] == "สัญญาณกันขโมย ลด 100% ร้านทอง"
    for user, status in (("b.operator", 404), ("a.shop", 403), ("a.volunteer", 403)):
        assert call(client, world, user, "GET", BASE).status_code == status
        assert call(client, world, user, "GET", f"{BASE}/log").status_code == status
    assert client.get(BASE).status_code == 401


@pytest.mark.parametrize(("method", "path", "body", "params"), [
    ("POST", f"{BASE}/log", {"kind": "handover", "text": "x"}, None),
    ("POST", f"{BASE}/log", {"kind": "note", "text": ""}, None),
    ("POST", f"{BASE}/log", {"kind": "note", "text": "ก" * 2001}, None),
    ("POST", f"{BASE}/log", {"kind": "note", "text": "x\x00y"}, None),
    ("POST", f"{BASE}/log", {"kind": "note", "text": "x", "by": "admin"}, None),
    ("POST", f"{BASE}/log", {"kind": "event", "text": "x", "incident_id": "nope"}, None),
    ("POST", f"{BASE}/log", ["note"], None),
    ("POST", f"{BASE}/handovers", {}, None),
    ("POST", f"{BASE}/handovers", {"notes": "ก" * 4001}, None),
    ("POST", f"{BASE}/off-duty", {"username": ""}, None),
    ("POST", "/api/v1/shift-handovers/not-an-id/acknowledge", {}, None),
    ("POST", "/api/v1/shift-handovers/{handover}/acknowledge", {"note": "\x1b"}, None),
    ("GET", f"{BASE}/log", None, {"day": "2026-13-01"}),
    ("GET", f"{BASE}/log", None, {"day": "2026-01-02"}),  # not started yet
    ("GET", f"{BASE}/report.pdf", None, {"day": "2027-01-01"}),
    ("GET", f"{BASE}/report.pdf", None, {"lang": "fr"}),
])
def test_garbage_is_refused_and_changes_nothing(
        client: TestClient, world: World, day: Past, method: str, path: str, body: Any,
        params: Any) -> None:
    headers = world.headers(client, "a.commander")
    before = changes.mark(client.app.state.ctx.db)  # type: ignore[attr-defined]
    response = client.request(method, path.replace("{handover}", str(day.ids["handover"])),
                              json=body, params=params, headers=headers)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert changes.since(client.app.state.ctx.db, before) == []  # type: ignore[attr-defined]


def test_duplicates_answer_409_and_change_nothing(client: TestClient, world: World, day: Past
                                                  ) -> None:
    db = client.app.state.ctx.db  # type: ignore[attr-defined]
    headers = {u: world.headers(client, u) for u in ("a.commander", "a.operator", "admin")}
    before = changes.mark(db)
    for user, path, body, code in (
            ("a.commander", f"{BASE}/on-duty", None, "already-on-duty"),
            ("a.operator", f"{BASE}/off-duty", {}, "not-on-duty"),
            ("admin", f"/api/v1/shift-handovers/{day.ids['handover']}/acknowledge", {},
             "handover-acknowledged"),
            ("a.operator", f"{BASE}/handovers", {"notes": "x"}, "not-on-duty")):
        response = client.post(path, json=body, headers=headers[user])
        assert response.status_code == 409, response.text
        assert response.json()["code"] == code
    assert changes.since(db, before) == []


def _page(pdf: bytes, name: str, index: int = 0) -> Image.Image:
    document = pdfium.PdfDocument(pdf)
    try:
        image: Image.Image = document[index].render(scale=1.5).to_pil()
    finally:
        document.close()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    image.save(ARTIFACTS / name)  # to look at: test-artifacts/shift/
    return image


def test_the_daily_report_reads_back_in_thai_and_english(client: TestClient, world: World,
                                                         day: Past) -> None:
    path = f"{BASE}/report.pdf"
    response = call(client, world, "a.viewer", "GET", path, params={"day": "2026-01-01"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["cache-control"] == "no-store"
    assert 'filename="daily-ST-A-2026-01-01.pdf"' in response.headers["content-disposition"]
    text = pdf_text(response.content)
    flat = " ".join(text.split())
    for expected in (
        "รายงานประจำวันสำหรับผู้บังคับบัญชา Commander's daily report",
        "หน่วย ST-A (ST-A) · ห้วงเวร Duty day 1 ม.ค. 2569 08:00:00 – 2 ม.ค. 2569 08:00:00",
        "สัญญาณเตือนภัย 0 2 0 0 2",
        "กดปุ่ม SOS 1 0 0 0 1",
        "รวม Total 1 2 1 2 6",
        "รับเรื่อง 1 1 นาที 00 วินาที 1 นาที 00 วินาที",
        "ประสานการไฟฟ้าเรื่องไฟดับซอยวัดน้ำ",
        "ฝากติดตามสัญญาณกันขโมยร้านทอง",
        "รับทราบ",
        "a.commander (a.commander)",
        "พิมพ์เมื่อ Printed",
    ):
        assert expected in flat, (expected, flat)
    squashed = "".join(text.split())
    for expected in ("ผู้กำกับการตรวจเยี่ยมศูนย์ฯ" + HOSTILE, "ยกระดับ",
                     "เหตุของวันนี้ที่ยังไม่ปิด", "รับเรื่อง"):
        assert "".join(expected.split()) in squashed, expected
    assert "ทะเบียนเฝ้าระวัง ลับ" not in flat  # the covert hit is its owner's alone
    assert "\ufffd" not in text and "\u25cc" not in text
    for page in range(1, len(pdfium.PdfDocument(response.content))):
        _page(response.content, f"daily-th-{page + 1}.png", page)
    grey = _page(response.content, "daily-th.png").convert("L")
    dark = sum(grey.histogram()[:128])
    assert 0.005 < dark / (grey.width * grey.height) < 0.3  # text on white paper
    english = call(client, world, "a.commander", "GET", path,
                   params={"day": "2026-01-01", "lang": "en"})
    assert english.status_code == 200
    words = " ".join(pdf_text(english.content).split())
    assert "Commander's daily report" in words
    assert "Duty day 01 Jan 2026 08:00:00 – 02 Jan 2026 08:00:00" in words
    assert "2569" not in words and "รายงานประจำวัน" not in words
    _page(english.content, "daily-en.png")
    # The day before holds nothing of this day; a day not started yet is refused.
    empty = call(client, world, "a.viewer", "GET", path, params={"day": "2025-12-31"})
    assert "ไม่มีเหตุในห้วงเวรนี้" in " ".join(pdf_text(empty.content).split())
    for user, status in (("b.operator", 404), ("a.shop", 403), ("a.volunteer", 403)):
        assert call(client, world, user, "GET", path).status_code == status
    audit = call(client, world, "admin", "GET", "/api/v1/audit", params={"action": "shift.print"})
    assert [a["username"] for a in audit.json()["items"]] == [
        "a.viewer", "a.commander", "a.viewer"]
