"""The People Poll on the citizen's phone (issue 12.5), in a real Chromium at 390x844 against
a real server with the demo loaded; the station opens the poll through the API, as the
console would. A citizen opens the poll's link (the QR's), answers in Thai, is thanked; a
second try says already answered, from the phone's memory and, with that memory gone but the
phone's key kept, from the server (409), and nothing more is stored. The station's figures
count the one answer.
Screenshots: test-artifacts/citizen/citizen-poll-*.png.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from support.console import Field, Server

from .test_citizen_browser import Phone

STATION = "MPB-PHASI-CHAROEN"


@pytest.fixture
def phone(chromium: Any, server: Server, artifacts: Path) -> Iterator[Phone]:
    made = Phone(chromium, server, artifacts)
    yield made
    made.close()


def ok(response: Any, code: int = 200) -> Any:
    assert response.status_code == code, response.text
    return response.json()


def open_poll(field: Field) -> dict[str, Any]:
    zones = field.get("/api/v1/zones", station_code=STATION)
    zone = (zones["items"] if isinstance(zones, dict) else zones)[0]["code"]
    now = datetime.now(UTC)
    made = ok(field.http.post(f"/api/v1/stations/{STATION}/polls", headers=field.admin, json={
        "zone_code": zone, "wave": 1, "wave_name": "รอบที่ 1 ก่อนเริ่มโครงการ",
        "opens_at": (now - timedelta(hours=1)).isoformat(),
        "closes_at": (now + timedelta(days=14)).isoformat(),
        "custom_items": [{"key": "market_lights", "th": "ไฟส่องสว่างรอบตลาดเพียงพอ",
                          "en": "The market is lit well enough"}]}), 201)
    return ok(field.http.post(f"/api/v1/polls/{made['code']}/open", headers=field.admin))


def test_a_citizen_answers_once_and_is_thanked(phone: Phone, field: Field) -> None:
    poll = open_poll(field)
    code = poll["code"]
    assert poll["link"].endswith(f"/citizen/poll/{code}")
    page = phone.open(f"/citizen/poll/{code}")
    page.wait_for_selector("#poll-form")
    assert page.locator("#screen-poll h2").inner_text() == "แบบสอบถามความปลอดภัยของชุมชน"
    assert "ไม่ต้องระบุชื่อ" in page.locator("#screen-poll").inner_text()
    phone.shot("poll-form", top=True)
    page.locator("[data-item=safe_dark] label", has_text="2 · ค่อนข้างไม่ปลอดภัย").click()
    page.locator("[data-item=confidence_police] label", has_text="4 · มั่นใจมาก").click()
    page.locator("[data-item=needs] label", has_text="ไฟส่องสว่าง").click()
    page.locator("[data-item=needs] label", has_text="กล้องวงจรปิด").click()
    page.locator("[data-item=market_lights] label", has_text="5 · เห็นด้วยอย่างยิ่ง").click()
    page.get_by_role("button", name="ส่งคำตอบ").click()
    page.wait_for_selector("[data-poll-end=thanks]")
    assert "ขอบคุณที่ตอบแบบสอบถาม" in page.locator("#poll-view").inner_text()
    phone.shot("poll-thanks", top=True)

    # The same link again: this phone has answered this round.
    phone.open(f"/citizen/poll/{code}")
    page.wait_for_selector("[data-poll-end=already]")
    assert page.locator("#poll-form").count() == 0
    # The phone forgets that it answered but keeps its key: the server refuses (409).
    page.evaluate(f"""() => {{
        const name = 'ssz.citizen.poll.{code}';
        const kept = JSON.parse(localStorage.getItem(name));
        localStorage.setItem(name, JSON.stringify({{ ...kept, done: false }}));
    }}""")
    phone.open(f"/citizen/poll/{code}")
    page.wait_for_selector("#poll-form")
    page.locator("[data-item=safe_dark] label", has_text="5 · ปลอดภัยมาก").click()
    page.get_by_role("button", name="ส่งคำตอบ").click()
    page.wait_for_selector("[data-poll-end=already]")
    assert "ท่านตอบแบบสอบถามรอบนี้แล้ว" in page.locator("#poll-view").inner_text()
    phone.shot("poll-already", top=True)
    assert not phone.errors

    figures = field.get(f"/api/v1/polls/{code}/results")
    assert figures["responses"] == 1
    safe = figures["likert"][0]
    assert safe["key"] == "safe_dark" and safe["counts"] == [0, 1, 0, 0, 0]
    assert "small_sample" in safe["warnings"]
    assert {n["key"]: n["count"] for n in figures["needs"]}["cctv"] == 1
