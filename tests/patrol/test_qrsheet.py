"""The printed QR sheet: Thai that reads back exactly, codes that scan to what the server
takes, data that stays text, and a sheet only for the station's own managers."""

from __future__ import annotations

import re
import uuid

import pypdfium2 as pdfium
import pytest
import segno
import zxingcpp
from fastapi.testclient import TestClient

from safetyzone.assets.models import Asset
from safetyzone.config import Settings
from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from safetyzone.patrol import qrsheet
from safetyzone.patrol.redbox_codes import KeyMode
from safetyzone.patrol.redbox_keys import SheetBox
from safetyzone.web.console.assets import find_node_modules
from support.redbox import Desk, OnShift
from support.world import World

# Names that break with a careless Thai pipeline: SARA AM with and without tone marks,
# stacked upper vowels and tone marks, lower vowels, descender-less forms, Thai digits.
NAMES = [
    ("ตู้แดงหน้าสถานีตำรวจภูธรเมือง", "Red box, police station front"),
    ("ตู้แดงซอยผู้ใหญ่ปั่น ๑๒", "Soi Phuyai Pan 12"),
    ("ตู้แดงน้ำพุสาธารณะ", "Public fountain"),
    ("ตู้แดงฐานทัพเรือ ญาติโยม", "Naval base, relatives' pavilion"),
    ("ตู้แดงซ้ำซ้อน ค่ำคืน ก๋วยเตี๋ยว", "Night noodle stall <script>&"),
]


@pytest.fixture
def desk(client: TestClient, db: Database, clock: ManualClock, world: World,
         settings: Settings) -> Desk:
    return Desk(client, db, clock, world, settings, OnShift(db, clock))


def _text(pdf: bytes) -> tuple[str, int]:
    document = pdfium.PdfDocument(pdf)
    try:
        pages = [document[i].get_textpage().get_text_range() for i in range(len(document))]
        return "\n".join(pages), len(document)
    finally:
        document.close()


def _sheet(desk: Desk, headers: dict[str, str] | None = None, station: str = "ST-A"
           ) -> bytes:
    response = desk.client.get("/api/v1/red-boxes/sheet.pdf", params={"station_code": station},
                               headers=headers or desk.admin)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["cache-control"] == "no-store"
    pdf: bytes = response.content
    return pdf


def test_thai_names_read_back_exactly(desk: Desk) -> None:
    boxes = [desk.box(name_th=th, name_en=en) for th, en in NAMES]
    for box in boxes:
        desk.key(box)
    rotating, unkeyed = desk.box(name_th="ตู้แดงจอดิจิทัล"), desk.box(name_th="ตู้แดงใหม่")
    desk.key(rotating, "rotating")
    pdf = _sheet(desk)
    text, pages = _text(pdf)
    lines = {line.strip() for line in text.splitlines()}
    assert pages == 2  # four cards a page, then the list of boxes without a printed QR
    for th, en in NAMES:
        assert th in lines, th
        assert en in lines, en
    for n in range(1, 6):
        assert f"ST-A-RB{n:02d}" in lines
    # The print date in the Buddhist Era (the test clock: 1 Jan 2026, 07:00 in Bangkok).
    assert "พิมพ์เมื่อ 1 ม.ค. 2569 07:00" in lines
    assert "หน่วย ST-A (ST-A) · รุ่นกุญแจ 1" in lines
    assert "เจ้าหน้าที่: สแกนด้วยแอป SafetyZone สำหรับเจ้าหน้าที่" in lines
    assert re.search(r"ST-A-RB06 ตู้แดงจอดิจิทัล ใช้รหัสหมุนเวียนบนจอ", text)
    assert re.search(r"ST-A-RB07 ตู้แดงใหม่ ยังไม่ได้ออกกุญแจ", text)
    assert unkeyed


def test_each_card_carries_its_boxs_current_code(desk: Desk) -> None:
    boxes = [desk.box(name_th=th, name_en=en) for th, en in NAMES[:3]]
    for box in boxes:
        desk.key(box)
    desk.key(boxes[0])  # version 2: the sheet carries the new code only
    expected = [desk.printed(box) for box in boxes]
    assert ":2:" in expected[0]
    html = qrsheet.render_html(
        qrsheet.Station("ST-A", "สถานี", "Station"),
        [SheetBox(_asset(desk, box), KeyMode.PRINTED, 1, code) for box, code in zip(
            boxes, expected, strict=True)],
        desk.clock.now(), find_node_modules() / "@fontsource" / "sarabun" / "files")
    # Each card's image is segno's QR of exactly that box's code, in card order.
    found = re.findall(r'src="(data:image/svg\+xml[^"]+)"', html)
    assert found == [segno.make(code, error="m").svg_data_uri(
        scale=4, border=4, dark="#000", light="#fff") for code in expected]
    # And what a scanner reads off the printed page (zxing-cpp).
    document = pdfium.PdfDocument(_sheet(desk))
    try:
        image = document[0].render(scale=2).to_pil()
    finally:
        document.close()
    decoded = sorted(r.text for r in zxingcpp.read_barcodes(image))
    assert decoded == sorted(expected)


def test_the_sheets_codes_check_in(desk: Desk) -> None:
    box = desk.box(name_th="ตู้แดงหน้าโรงเรียน")
    desk.key(box)
    document = pdfium.PdfDocument(_sheet(desk))
    try:
        [scanned] = [r.text for r in zxingcpp.read_barcodes(
            document[0].render(scale=2).to_pil())]
    finally:
        document.close()
    officer = desk.officer("a.patrol")
    assert desk.checkin(officer, scanned).status_code == 201


def test_sheet_is_for_the_stations_managers(desk: Desk) -> None:
    desk.key(desk.box("ST-B"))
    commander = desk.world.headers(desk.client, "a.commander")
    assert desk.client.get("/api/v1/red-boxes/sheet.pdf", params={"station_code": "ST-B"},
                           headers=commander).status_code == 404
    for user in ("a.operator", "a.patrol"):
        assert desk.client.get("/api/v1/red-boxes/sheet.pdf", params={"station_code": "ST-A"},
                               headers=desk.world.headers(desk.client, user)).status_code == 403
    text, _ = _text(_sheet(desk, commander))  # A's commander, A's sheet: no boxes yet
    assert "QR ตู้แดง 4.0" in text


def _asset(desk: Desk, asset_id: uuid.UUID) -> Asset:
    with desk.db.read() as session:
        asset: Asset | None = session.get(Asset, asset_id)
        assert asset is not None
        return asset


def test_the_renderer_fetches_nothing_but_data_uris() -> None:
    fetch = qrsheet._data_only_fetcher()
    for url in ("file:///etc/hostname", "http://169.254.169.254/latest/meta-data/",
                "https://tile.example.org/1/2/3.png"):
        with pytest.raises(ValueError, match=r"protocol|fetches nothing"):
            fetch(url)
