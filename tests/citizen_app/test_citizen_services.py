"""The station services on the citizen's phone (issue 11), in a real Chromium at 390x844
against a real server with the demo loaded; the station's side acts through the API, as the
console and the officer's phone would.

Two journeys, each with a refusal and the good path:
- from LINE's link (``/citizen?station=CODE#lostdoc``), a lost-document report: a national ID
  with a wrong check digit is refused on the phone in Thai and nothing is sent; a date the
  server refuses is said in Thai; then the report waits for review, the officer issues it,
  the page shows the record number (B.E.) and the certificate downloads as PDF. The same
  phone then books a legal consultation: the time it picked is taken by someone else first
  (409, said in Thai), it books another by video, sees the link, and cancels;
- from the home screen, a home-watch request with a pin, a contact and a photo: dates the
  wrong way round are refused on the phone; the station approves, a patrol officer visits
  with a photo, the owner's page shows the visit and its photo as it happens, and the owner
  cancels on coming back.

Screenshots: test-artifacts/citizen/citizen-svc-*.png (the docs' copies in docs/screenshots/
are refreshed on request, SSZ_TEST_DOCS_SCREENSHOTS=1).
"""

from __future__ import annotations

import io
import os
import secrets
import shutil
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from safetyzone.core.thaiid import check_digit
from support.console import Field, Server
from support.lostdocs import pdf_text

from .test_citizen_browser import Phone, pole

STATION = "MPB-PHASI-CHAROEN"
STATION_TH = "สน.ภาษีเจริญ"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
REFRESH_DOCS = os.environ.get("SSZ_TEST_DOCS_SCREENSHOTS") == "1"
# The ones README.md and docs/services.md show.
DOCS_SHOTS = {"home-services-entries", "lostdoc-wrong-id", "lostdoc-issued", "homewatch-form",
              "homewatch-visited", "consult-form", "consult-booked"}
BE_YEAR = datetime.now(UTC).year + 543


@pytest.fixture
def phones(chromium: Any, server: Server, artifacts: Path) -> Iterator[Callable[..., Phone]]:
    opened: list[Phone] = []

    def make(**options: Any) -> Phone:
        phone = Phone(chromium, server, artifacts, **options)
        opened.append(phone)
        return phone

    yield make
    for phone in opened:
        phone.close()


def shot(phone: Phone, name: str, **kwargs: Any) -> None:
    phone.shot(f"svc-{name}", **kwargs)
    if REFRESH_DOCS and name in DOCS_SHOTS:
        shutil.copy(phone.artifacts / f"citizen-svc-{name}.png", DOCS / f"citizen-svc-{name}.png")


def thai_id(first12: str) -> str:
    return first12 + str(check_digit(first12))


def wrong_check_digit(good: str) -> str:
    return good[:12] + str((int(good[12]) + 1) % 10)


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def jpeg(path: Path, shade: int) -> Path:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (shade, 120, 90)).save(buffer, "JPEG", quality=80)
    path.write_bytes(buffer.getvalue())
    return path


def error_text(page: Any, form: str) -> str:
    page.wait_for_function(
        f"() => document.querySelector('{form} > .error').textContent.length > 0")
    text: str = page.locator(f"{form} > .error").inner_text()
    return text


def test_lost_documents_from_line_then_a_legal_consultation(
    phones: Callable[..., Phone], field: Field, tmp_path: Path,
) -> None:
    http = field.http
    ok(http.put("/api/v1/lostdocs/settings", headers=field.admin, json={
        "station_code": STATION, "auto_issue": False, "repeat_days": 30}))
    lat, lon = pole(field)
    phone = phones(at=(lat, lon))
    page = phone.page
    sent: list[str] = []
    page.on("request", lambda r: sent.append(r.url) if r.method == "POST" else None)

    # LINE's link: the station is named in the address, the form opens by itself.
    phone.open(f"/citizen?station={STATION}#lostdoc")
    page.wait_for_selector(f"[data-station=lostdoc] .station-now:has-text('{STATION_TH}')")
    page.wait_for_selector("#lostdoc-kinds input[value=bank_book]", state="attached")
    good_id = thai_id("110370012345")
    page.fill("#lostdoc-name", "นางสาวน้ำฝน ผู้ใหญ่ยิ่ง")
    page.fill("#lostdoc-id", wrong_check_digit(good_id))
    page.fill("#lostdoc-phone", "081-234-5678")
    page.locator("label[for=lostdoc-kind-id_card]").click()
    page.locator("label[for=lostdoc-kind-bank_book]").click()
    page.fill("#lostdoc-kind-bank_book-detail", "ธนาคารกรุงไทย สาขาท่าน้ำนนท์")
    long_ago = (datetime.now(UTC) - timedelta(days=6 * 366)).date().isoformat()
    page.fill("#lostdoc-date", long_ago)
    page.fill("#lostdoc-time", "18:30")
    page.fill("#lostdoc-where", "ตลาดน้ำตลิ่งชัน ใกล้ท่าเรือ")
    page.fill("#lostdoc-how", "กระเป๋าสตางค์ตกหายระหว่างเดินซื้อของ")
    page.check("#lostdoc-consent-agree")
    # A wrong check digit: said in Thai at once, and nothing is sent.
    page.locator("#lostdoc-form button[type=submit]").click()
    assert error_text(page, "#lostdoc-form").startswith("เลขประจำตัวประชาชนไม่ถูกต้อง")
    assert page.locator("#lostdoc-id").get_attribute("aria-invalid") == "true"
    shot(phone, "lostdoc-wrong-id")
    assert not [u for u in sent if "/lostdocs" in u]
    # The server's own refusal (a loss over 5 years back) is said in Thai too.
    g = good_id  # typed as printed on the card, with dashes
    page.fill("#lostdoc-id", f"{g[0]}-{g[1:5]}-{g[5:10]}-{g[10:12]}-{g[12]}")
    page.locator("#lostdoc-form button[type=submit]").click()
    refused = error_text(page, "#lostdoc-form")
    assert refused.startswith("สถานีไม่รับข้อมูลนี้") and "วันที่หาย" in refused, refused
    assert field.get("/api/v1/lostdocs", station_code=STATION)["items"] == []

    page.fill("#lostdoc-date", datetime.now(UTC).date().isoformat())
    assert "2" in page.locator("[data-echo=lostdoc-date]").inner_text()
    assert str(BE_YEAR) in page.locator("[data-echo=lostdoc-date]").inner_text()
    shot(phone, "lostdoc-form", top=True)
    page.locator("#lostdoc-form button[type=submit]").click()
    code = phone.ticket_code()
    assert code.startswith("L-")
    page.wait_for_selector("#lostdoc-status[data-status=pending]")
    shot(phone, "lostdoc-pending")
    (row,) = field.get("/api/v1/lostdocs", station_code=STATION)["items"]
    assert row["code"] == code and sorted(row["kinds"]) == ["bank_book", "id_card"]
    ok(http.post(f"/api/v1/lostdocs/{row['id']}/issue", headers=field.admin))
    # The page sees the issue by itself: the record number in the Buddhist Era, the PDF.
    page.wait_for_selector("#lostdoc-status[data-status=issued]", timeout=30_000)
    record = page.locator(".record").inner_text()
    assert record == f"{STATION}/1/{BE_YEAR}"
    shot(phone, "lostdoc-issued")
    with page.expect_download() as download:
        page.locator("#lostdoc-download").click()
    pdf = Path(download.value.path()).read_bytes()
    assert pdf[:5] == b"%PDF-" and record in pdf_text(pdf)

    # The same phone books a legal consultation with the same station.
    page.locator(".tabs [data-go=home]").click()
    page.locator("#go-consult").click()
    page.wait_for_selector("#consult-slots:not([hidden])")
    assert STATION_TH in page.locator("[data-station=consult] .station-now").inner_text()
    page.select_option("#consult-topic", "fraud_online")
    page.locator("#consult-channels input[value=video] + span").click()
    first = page.locator("#consult-times input").first.get_attribute("value")
    page.locator("#consult-times label").first.click()
    page.fill("#consult-name", "สมชาย ใจดี")
    page.fill("#consult-phone", "0812345678")
    page.fill("#consult-question", "ถูกหลอกโอนเงินซื้อของออนไลน์ ต้องทำอย่างไร")
    page.check("#consult-consent-agree")
    shot(phone, "consult-form", top=True)
    # Someone else books that very time first: refused in Thai, the times reload.
    slots = ok(http.get("/api/v1/public/consult/slots", params={"station_code": STATION}))
    ok(http.post("/api/v1/public/consult/requests", json={
        "client_key": secrets.token_urlsafe(24), "slot_id": first, "topic": "family",
        "channel": "station", "name": "คนอื่น", "phone": "0899999999",
        "consent": {"version": slots["consent"]["version"]}}), 201)
    page.locator("#consult-form button[type=submit]").click()
    assert error_text(page, "#consult-form") == "เวลานี้มีผู้จองไปแล้ว โปรดเลือกเวลาอื่น"
    page.wait_for_function(
        f"() => !document.querySelector('#consult-times input[value=\"{first}\"]')")
    page.locator("#consult-times label").first.click()
    page.locator("#consult-form button[type=submit]").click()
    booking = phone.ticket_code()
    assert booking.startswith("C-")
    page.wait_for_selector("#consult-status[data-status=booked]")
    assert str(BE_YEAR) in page.locator("#consult-when").inner_text()
    assert page.locator("#consult-video").get_attribute("href") == (
        f"https://meet.example.org/ssz-{STATION.lower()}")
    page.wait_for_selector("#consult-notices li")
    shot(phone, "consult-booked")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#consult-cancel").click()
    page.wait_for_selector("#consult-status[data-status=cancelled_by_citizen]")
    assert page.locator("#consult-video").count() == 0

    # Both are kept on the phone, under my tickets, with their own words.
    page.locator(".tabs [data-go=tickets]").click()
    page.wait_for_selector(f".ticket-row[data-code='{code}']")
    assert "ออกใบรับแจ้งแล้ว" in page.locator(f".ticket-row[data-code='{code}']").inner_text()
    assert "ยกเลิก" in page.locator(f".ticket-row[data-code='{booking}']").inner_text()
    shot(phone, "tickets")


def test_home_watch_request_approved_visited_and_cancelled(
    phones: Callable[..., Phone], field: Field, tmp_path: Path,
) -> None:
    http = field.http
    lat, lon = pole(field)
    house = (lat + 0.0005, lon + 0.0005)
    phone = phones(at=house)
    page = phone.open()
    shot(phone, "home-services")
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    shot(phone, "home-services-entries")
    page.locator("#go-homewatch").click()
    page.wait_for_selector("#homewatch-consent input[name=consent]")
    page.fill("#homewatch-address", "99/1 ซอยเพชรเกษม 48 แขวงบางด้วน เขตภาษีเจริญ")
    page.locator("[data-place=homewatch] button").click()
    page.wait_for_selector("[data-place=homewatch] .leaflet-marker-icon")
    now = datetime.now(UTC) + timedelta(hours=7)  # the phone's clock, in Bangkok
    page.fill("#homewatch-from", (now + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("#homewatch-until", now.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#homewatch-contact-0-name", "สมศรี ใจดี")
    page.fill("#homewatch-contact-0-phone", "081-234-5678")
    page.fill("#homewatch-contact-0-relation", "ลูก")
    page.fill("#homewatch-notes", "เปิดไฟหน้าบ้านตั้งเวลาไว้ มีสุนัขในบ้าน")
    page.set_input_files("#homewatch-files", str(jpeg(tmp_path / "house.jpg", 200)))
    page.wait_for_selector("#homewatch-thumbs img")
    page.check("#homewatch-consent-agree")
    # Back before leaving: said on the phone, nothing sent.
    page.locator("#homewatch-form button[type=submit]").click()
    assert error_text(page, "#homewatch-form") == "วันที่กลับต้องหลังวันที่เริ่มไม่อยู่"
    assert field.get("/api/v1/home-watch", station_code=STATION) == []
    page.fill("#homewatch-from", now.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#homewatch-until", (now + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"))
    assert str(BE_YEAR) in page.locator("[data-echo=homewatch-until]").inner_text()
    shot(phone, "homewatch-form", top=True)
    page.locator("[data-place=homewatch]").scroll_into_view_if_needed()
    shot(phone, "homewatch-pin")
    page.locator("#homewatch-form button[type=submit]").click()
    code = phone.ticket_code()
    assert code.startswith("H-")
    page.wait_for_selector("#homewatch-status[data-status=pending]")
    (row,) = field.get("/api/v1/home-watch", station_code=STATION)
    assert row["code"] == code and len(row["photo_urls"]) == 1
    assert abs(row["lat"] - house[0]) < 1e-6 and row["contacts"][0]["relation"] == "ลูก"
    shot(phone, "homewatch-pending")

    ok(http.post(f"/api/v1/home-watch/{row['id']}/approve", headers=field.admin))
    page.wait_for_selector("#homewatch-status[data-status=approved]", timeout=30_000)
    # A patrol officer on shift visits the house with a photo; the page shows it by itself.
    officer = {"Authorization": f"Bearer {field.token('pcr.patrol')}"}
    unit = ok(http.post("/api/v1/units", headers=field.admin, json={
        "station_code": STATION, "code": "HW-CAR-1", "callsign": "สายตรวจ HW-CAR-1",
        "kind": "car", "status": "off_duty"}), 201)
    ok(http.post("/api/v1/officer/shift", json={"unit_id": unit["id"]},
                 headers={**officer, "Idempotency-Key": uuid.uuid4().hex}), 201)
    visit = ok(http.post(f"/api/v1/officer/home-watch/{row['id']}/visits", json={
        "lat": house[0], "lon": house[1], "accuracy_m": 8, "finding": "normal",
        "note": "ประตูรั้วล็อกเรียบร้อย"}, headers={**officer, "Idempotency-Key": uuid.uuid4().hex}),
        201)
    ok(http.post(f"/api/v1/officer/home-watch/visits/{visit['id']}/photo", headers=officer,
                 files={"file": ("v.jpg", jpeg(tmp_path / "v.jpg", 30).read_bytes(),
                                 "image/jpeg")}), 201)
    page.wait_for_selector("#homewatch-visits .visit[data-finding=normal]", timeout=30_000)
    assert "ประตูรั้วล็อกเรียบร้อย" in page.locator("#homewatch-visits").inner_text()
    page.wait_for_function(
        "() => { const i = document.querySelector('.visit-photo');"
        " return i && i.complete && i.naturalWidth === 320; }", timeout=30_000)
    page.locator("#homewatch-visits").scroll_into_view_if_needed()
    shot(phone, "homewatch-visited")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#homewatch-cancel").click()
    page.wait_for_selector("#homewatch-status[data-status=cancelled]")
    assert field.get(f"/api/v1/home-watch/{row['id']}")["state"] == "cancelled"
    # In English: the same page, Gregorian years.
    page.locator("#lang-switch").click()
    page.wait_for_selector("html[lang=en]")
    page.wait_for_selector("#homewatch-status:has-text('Cancelled')")
    assert str(datetime.now(UTC).year) in page.locator("#service-view").inner_text()
    shot(phone, "homewatch-cancelled-en", top=True)
