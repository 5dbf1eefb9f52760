"""Search and history over HTTP: the search answers pages in scope, refuses garbage with 422
and changes nothing; the CSV opens right in Excel (BOM, Thai, formulas made text) and is
audited; the PDF report's Thai reads back exactly and the page renders; each print audited.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from support import changes
from support.history import FORMULA, HOSTILE, NOTE, Past, build_past
from support.lostdocs import pdf_text
from support.world import World

SEARCH = "/api/v1/incidents/search"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "history"


@pytest.fixture
def past(db: Database, clock: ManualClock, world: World) -> Past:
    made = build_past(db, clock)
    changes.install(db)
    return made


def get(client: TestClient, world: World, user: str, path: str, **params: Any) -> Any:
    return client.get(path, params=params, headers=world.headers(client, user))


def test_search_pages_in_scope(client: TestClient, world: World, past: Past) -> None:
    page = get(client, world, "a.patrol", SEARCH, limit=2, offset=1, state="closed")
    assert page.status_code == 200, page.text
    body = page.json()
    assert (body["total"], body["limit"], body["offset"]) == (3, 2, 1)
    assert [r["id"] for r in body["items"]] == [str(past.ids["thousand"]), str(past.ids["sos"])]
    assert body["items"][1]["station_code"] == "ST-A"
    assert body["items"][1]["units"] == ["Alpha 11", "สายตรวจ 12"]
    # A closed incident of the other station is not there, and its station looks missing.
    found = get(client, world, "a.patrol", SEARCH, q="ตลาดน้ำอื่น").json()
    assert found["total"] == 0
    assert get(client, world, "a.patrol", SEARCH, station_code="ST-B").status_code == 404
    assert get(client, world, "admin", SEARCH, station_code="ST-B").json()["total"] == 1
    assert get(client, world, "a.shop", SEARCH).status_code == 403
    # Several values of one filter, as a browser's form sends them.
    many = client.get(f"{SEARCH}?kind=sos&kind=maintenance&priority=1&priority=4",
                      headers=world.headers(client, "a.commander")).json()
    assert many["total"] == 3


@pytest.mark.parametrize("params", [
    {"limit": 201}, {"limit": 0}, {"offset": -1}, {"offset": 2**70}, {"state": "gone"},
    {"kind": "SOS'--"}, {"priority": "high"}, {"priority": 0}, {"disposition": "whatever"},
    {"opened_from": "yesterday"}, {"opened_from": "2026-01-01T00:00:00"},
    {"opened_from": "2026-01-02T00:00:00Z", "opened_to": "2026-01-01T00:00:00Z"},
    {"q": "x" * 201}, {"q": "a b c d e f g h i"}, {"station_code": "x" * 65},
    {"unit": "u" * 65},
], ids=lambda p: ",".join(p))
def test_garbage_is_refused_and_changes_nothing(
        client: TestClient, world: World, db: Database, past: Past, params: dict[str, Any]
) -> None:
    headers = world.headers(client, "a.operator")
    before = changes.mark(db)
    paged = {"limit", "offset"} & set(params)  # the CSV has no pages: all matches or none
    for path in (SEARCH,) if paged else (SEARCH, f"{SEARCH}.csv"):
        response = client.get(path, params=params, headers=headers)
        assert response.status_code == 422, (path, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["problems"], response.text
    assert changes.since(db, before) == []  # and no export was audited


def _csv(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["cache-control"] == "no-store"
    assert response.content.startswith(b"\xef\xbb\xbf")  # Excel reads it as UTF-8
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_search_as_csv_is_safe_and_audited(client: TestClient, world: World,
                                               past: Past) -> None:
    response = get(client, world, "a.viewer", f"{SEARCH}.csv", q="ซอยวัดน้ำ")
    assert response.headers["content-disposition"] == 'attachment; filename="incidents.csv"'
    [row] = _csv(response)
    assert row["title_th"] == "'" + FORMULA
    assert row["kind_th"] == "แจ้งเหตุจากประชาชน"
    audit = get(client, world, "admin", "/api/v1/audit", action="incident.export").json()
    assert [(a["username"], a["detail"]["rows"]) for a in audit["items"]] == [("a.viewer", 1)]


def test_the_timeline_as_csv(client: TestClient, world: World, past: Past) -> None:
    path = f"/api/v1/incidents/{past.ids['axb']}/report.csv"
    rows = _csv(get(client, world, "a.operator", path))
    assert [r["entry"] for r in rows] == ["created", "note", "transition"]
    assert rows[1]["text"] == HOSTILE and rows[1]["username"] == "a.operator"
    assert rows[2]["to_state_th"] == "ปิดแล้ว"
    assert get(client, world, "b.operator", path).status_code == 404
    covert = f"/api/v1/incidents/{past.ids['covert']}/report.csv"
    assert get(client, world, "a.commander", covert).status_code == 404
    assert get(client, world, "a.operator", covert).status_code == 200
    audit = get(client, world, "admin", "/api/v1/audit", action="incident.export_timeline")
    assert [a["entity_id"] for a in audit.json()["items"]] == [
        str(past.ids["covert"]), str(past.ids["axb"])]


def _page(pdf: bytes, name: str) -> Image.Image:
    document = pdfium.PdfDocument(pdf)
    try:
        image: Image.Image = document[0].render(scale=1.5).to_pil()
    finally:
        document.close()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    image.save(ARTIFACTS / name)  # to look at: test-artifacts/history/
    return image


def test_the_report_pdf_reads_back_in_thai(client: TestClient, world: World,
                                          past: Past) -> None:
    path = f"/api/v1/incidents/{past.ids['sos']}/report.pdf"
    response = get(client, world, "a.viewer", path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["cache-control"] == "no-store"
    text = pdf_text(response.content)
    flat = " ".join(text.split())  # table cells wrap where the page is narrow
    for expected in (
        "รายงานเหตุ Incident report: กดปุ่ม SOS ที่ตลาดน้ำตลิ่งชัน",
        "สถานี Station หน่วย ST-A · Unit ST-A (ST-A)",
        "ประเภทเหตุ Kind กดปุ่ม SOS (sos)",
        "ความเร่งด่วน Priority P1",
        "แหล่งที่มา Source ตู้ SOS ตลาดน้ำตลิ่งชัน",
        "พิกัด Place (lat, lon) 13.730100, 100.470200",
        "ผลการปิดเหตุ Disposition ระงับเหตุแล้ว",
        "ใหม่ 1 ม.ค. 2569 07:00:00",  # 00:00 UTC, in Bangkok, B.E. 2569
        "รับเรื่องแล้ว 1 ม.ค. 2569 07:01:00 a.operator",
        "ปิดแล้ว 1 ม.ค. 2569 07:14:00",
        "Alpha 11 24 ม. 1 ม.ค. 2569 07:03:00 a.operator 1 ม.ค. 2569 07:05:00",
        "ST-A-CAM-1 กล้องหน้าตลาด",
        "a.operator ส่งสายตรวจ · สายตรวจ 12 · 24 ม.",
        "a.operator ถอนสายตรวจ · Alpha 11",
        "พิมพ์เมื่อ Printed",
    ):
        assert expected in flat, (expected, flat)
    # Long cells wrap at Thai word breaks: every character still reads back, in order.
    squashed = "".join(text.split())
    for expected in (f"a.operatorบันทึก{NOTE}", "a.operatorเปลี่ยนสถานะ·→ปิดแล้ว·ระงับเหตุแล้วปิดเหตุ"):
        assert "".join(expected.split()) in squashed, expected
    assert "\ufffd" not in text and "\u25cc" not in text
    grey = _page(response.content, "report-th.png").convert("L")
    dark = sum(grey.histogram()[:128])
    assert 0.005 < dark / (grey.width * grey.height) < 0.3  # text on white paper
    english = pdf_text(get(client, world, "a.viewer", path, lang="en").content)
    assert "Incident report: SOS at Taling Chan market" in english
    assert "New 01 Jan 2026 07:00:00" in " ".join(english.split())
    assert "2569" not in english
    assert "Resolved" in english and "รายงานเหตุ" not in english
    audit = get(client, world, "admin", "/api/v1/audit", action="incident.print").json()
    assert [a["username"] for a in audit["items"]] == ["a.viewer", "a.viewer"]


def test_the_report_shows_markup_as_text(client: TestClient, world: World,
                                         past: Past) -> None:
    response = get(client, world, "a.operator", f"/api/v1/incidents/{past.ids['axb']}/report.pdf")
    assert response.status_code == 200, response.text
    assert HOSTILE in pdf_text(response.content).replace("\r", "").replace("\n", "")
    _page(response.content, "report-hostile.png")
    for user in ("b.operator", "a.shop"):
        refused = get(client, world, user, f"/api/v1/incidents/{past.ids['axb']}/report.pdf")
        assert refused.status_code in {403, 404}
    assert get(client, world, "a.operator", f"/api/v1/incidents/{past.ids['axb']}/report.pdf",
               lang="fr").status_code == 422
