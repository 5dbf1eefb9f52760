"""The officer's patrol work on the phone (390x844) against a real server with the demo:
red box check-ins typed in (accepted at the box; the same rotating code again refused as
replayed; a forged code refused), each refusal's reason in Thai from the catalog with the
server's own message; the unit's patrol plan; a checkpoint session logged from the phone
and its totals on the station's side.

These need the red box and patrol plan routes (issue 10, other parts): without them the
module is skipped.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pyotp

from support.console import Field
from support.officer_app import STEP_SEEN_MS, Phone, jpeg


def red_box(field: Field, code: str) -> dict[str, Any]:
    """A red box of the station, beside the market's SOS pole."""
    pole = field.asset("PCR-KBL-SOS01")
    answer = field.http.post("/api/v1/assets", headers=field.admin, json={
        "station_code": field.station, "kind": "red_box", "code": code,
        "name_th": "ตู้แดงหน้าตลาด", "name_en": "Red box, market", "owner_class": "police",
        "lat": pole["lat"] + 0.0006, "lon": pole["lon"] + 0.0004})
    assert answer.status_code == 201, answer.text
    box: dict[str, Any] = answer.json()
    return box


def rotating_code(field: Field, box_id: str) -> str:
    """A new rotating key for the box (its secret comes back this once), and its code now."""
    answer = field.http.post(f"/api/v1/red-boxes/{box_id}/key", headers=field.admin,
                             json={"mode": "rotating"})
    assert answer.status_code == 200, answer.text
    issued = answer.json()
    totp = pyotp.parse_uri(issued["otpauth_uri"])
    assert isinstance(totp, pyotp.TOTP)
    code: str = issued["payload_prefix"] + totp.now()
    return code


def check_in(page: Any, code: str) -> None:
    page.fill("#checkin-code", code)
    page.click("#checkin-form button[type=submit]")


def test_red_box_check_ins_say_why_not_in_thai(phones: Callable[..., Phone],
                                                field: Field) -> None:
    box = red_box(field, "PCR-KBL-RB-T1")
    unit_id = field.unit("T-OFFICER-4", box["lat"] + 0.001, box["lon"])
    phone = phones((box["lat"], box["lon"]))
    page = phone.page
    phone.login()
    phone.start_shift(unit_id)
    page.click(".tabs a[data-go=checkin]")
    page.wait_for_selector("body[data-screen=checkin]")
    page.click("#checkin-typed summary")

    code = rotating_code(field, box["id"])
    check_in(page, code)
    first = page.locator("#checkin-list li").first
    page.wait_for_selector("#checkin-list li.accepted", timeout=STEP_SEEN_MS)
    assert box["name_th"] in first.inner_text() and "ห่างตู้" in first.inner_text()

    # A photo of the box goes with the accepted check-in (through the outbox).
    page.set_input_files("#checkin-list li.accepted input[type=file]", files=[
        {"name": "box.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}])
    page.wait_for_selector("#checkin-list li.accepted .photo-state.sent", timeout=STEP_SEEN_MS)

    check_in(page, code)  # the same screen code again: a replay
    page.wait_for_selector("#checkin-list li.refused[data-reason=replayed]",
                           timeout=STEP_SEEN_MS)
    replay = page.locator("#checkin-list li").first
    assert "รหัสนี้ถูกใช้ไปแล้ว" in replay.inner_text()
    check_in(page, "SSZRB1.P.NOT-A-BOX.MPB-PHASI-CHAROEN.1.AAAAAAAAAAAA")
    page.wait_for_selector("#checkin-list li.refused[data-reason=forged]",
                           timeout=STEP_SEEN_MS)
    forged = page.locator("#checkin-list li").first
    assert "รหัสไม่ถูกต้อง" in forged.inner_text()
    page.click("#checkin-typed summary")  # folded again: the answers fill the screen
    phone.shot("checkin", docs=True)

    since = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    rows = field.get("/api/v1/checkins", station_code=field.station, since=since)
    mine = sorted((r for r in rows if r["username"] == "pcr.patrol"),
                  key=lambda r: r["received_at"])
    assert [(r["accepted"], r["reason"]) for r in mine] == [
        (True, None), (False, "replayed"), (False, "forged")]
    assert mine[0]["photo_url"] and not mine[1]["photo_url"]

    page.click("#lang-switch")
    page.wait_for_function("() => document.documentElement.lang === 'en'")
    assert "Code already used" in page.locator("#checkin-list li").nth(1).inner_text()
    page.click("#lang-switch")
    page.wait_for_function("() => document.documentElement.lang === 'th'")
    page.click(".tabs a[data-go=home]")
    page.click("#shift-end")
    page.click("#end-confirm-yes")
    page.wait_for_selector("body[data-screen=shift]")


def test_the_plan_and_a_checkpoint_log_from_the_phone(phones: Callable[..., Phone],
                                                      field: Field) -> None:
    box = red_box(field, "PCR-KBL-RB-T2")
    unit_id = field.unit("T-OFFICER-5", box["lat"] + 0.001, box["lon"])
    now = datetime.now(UTC)
    plan = field.http.post("/api/v1/patrol/plans", headers=field.admin, json={
        "station_code": field.station, "name": "เวรดึก ภาษีเจริญ",
        "starts_at": (now - timedelta(hours=1)).isoformat(),
        "ends_at": (now + timedelta(hours=7)).isoformat(), "unit_ids": [unit_id],
        "auto": True})
    assert plan.status_code == 201, plan.text
    checkpoint = field.http.post("/api/v1/patrol/checkpoints", headers=field.admin, json={
        "station_code": field.station, "name_th": "จุดตรวจหน้าตลาด",
        "lat": box["lat"], "lon": box["lon"],
        "starts_at": (now - timedelta(minutes=30)).isoformat(),
        "ends_at": (now + timedelta(hours=2)).isoformat(),
        "staff": ["pcr.patrol"], "unit_ids": [unit_id]})
    assert checkpoint.status_code == 201, checkpoint.text
    checkpoint_id = checkpoint.json()["id"]

    phone = phones((box["lat"], box["lon"]))
    page = phone.page
    phone.login()
    phone.start_shift(unit_id)
    page.click(".tabs a[data-go=plan]")
    page.wait_for_selector("#plan-list li.target")
    assert page.locator("#plan-name").inner_text().startswith("เวรดึก ภาษีเจริญ")
    assert page.locator("#plan-list li[data-kind=red_box]").count() >= 1
    form = page.locator(f"form[data-checkpoint='{checkpoint_id}']")
    form.locator("input[name=vehicles]").fill("12")
    form.locator("input[name=persons]").fill("15")
    form.locator("input[name=arrests]").fill("1")
    form.locator("textarea[name=note]").fill("ยาบ้า 3 เม็ด")
    form.locator("button[type=submit]").click()
    page.wait_for_function(
        "(id) => document.querySelector(`li.checkpoint[data-id='${id}']`)"
        "?.innerText.includes('รถ 12')", arg=checkpoint_id, timeout=STEP_SEEN_MS)
    phone.shot("plan", docs=True)
    detail = field.get(f"/api/v1/patrol/checkpoints/{checkpoint_id}")
    assert (detail["vehicles_checked"], detail["persons_checked"], detail["arrests"]) == \
        (12, 15, 1)
    assert len(detail["log"]) == 1 and detail["log"][0]["username"] == "pcr.patrol"
    page.click(".tabs a[data-go=home]")
    page.click("#shift-end")
    page.click("#end-confirm-yes")
    page.wait_for_selector("body[data-screen=shift]")
