"""A citizen declaring lost documents, and the station's officers reviewing them."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

import pypdfium2 as pdfium
from fastapi.testclient import TestClient

from safetyzone.core.thaiid import check_digit
from safetyzone.services.lostdocs_texts import CONSENT_VERSION
from support.citizen import new_key
from support.world import World

PUBLIC = "/api/v1/public/lostdocs"
STATION = "/api/v1/lostdocs"


def thai_id(seed: int) -> str:
    """A national ID with a right check digit (category 1, digits from ``seed``)."""
    rng = random.Random(seed)
    first12 = "1" + "".join(rng.choice("0123456789") for _ in range(11))
    return first12 + str(check_digit(first12))


def declaration(key: str | None = None, *, national_id: str | None = None,
                station: str = "ST-A", items: list[dict[str, Any]] | None = None,
                **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "client_key": key or new_key(), "station_code": station,
        "name": "นางสาวน้ำฝน ผู้ใหญ่ยิ่ง", "national_id": national_id or thai_id(1),
        "phone": "081-234-5678",
        "items": items if items is not None else [
            {"kind": "id_card"},
            {"kind": "bank_book", "detail": "ธนาคารกรุงไทย สาขาท่าน้ำนนท์"}],
        "lost_on": "2025-12-31", "lost_time": "18:30",
        "lost_where": "ตลาดน้ำตลิ่งชัน ใกล้ท่าเรือ",
        "how": "กระเป๋าสตางค์ตกหายระหว่างเดินซื้อของ",
        "consent_version": CONSENT_VERSION}
    body.update(extra)
    return body


def pdf_text(pdf: bytes) -> str:
    document = pdfium.PdfDocument(pdf)
    try:
        return "\n".join(document[i].get_textpage().get_text_range()
                         for i in range(len(document)))
    finally:
        document.close()


@dataclass
class Counter:
    """The station's desk: officers' headers and the citizen's calls."""

    client: TestClient
    world: World

    def headers(self, username: str) -> dict[str, str]:
        return self.world.headers(self.client, username)

    def declare(self, body: dict[str, Any]) -> dict[str, Any]:
        response = self.client.post(PUBLIC, json=body)
        assert response.status_code == 201, response.text
        answer: dict[str, Any] = response.json()
        return answer

    def mine(self, code: str, key: str) -> dict[str, Any]:
        response = self.client.get(f"{PUBLIC}/{code}", headers={"X-Caller-Key": key})
        assert response.status_code == 200, response.text
        answer: dict[str, Any] = response.json()
        return answer

    def find(self, code: str, user: str = "a.operator") -> dict[str, Any]:
        response = self.client.get(STATION, headers=self.headers(user),
                                   params={"limit": 500})
        assert response.status_code == 200, response.text
        found: dict[str, Any] = next(r for r in response.json()["items"] if r["code"] == code)
        return found

    def set_auto(self, auto_issue: bool, repeat_days: int = 30, station: str = "ST-A",
                 user: str = "a.commander") -> None:
        response = self.client.put(f"{STATION}/settings", headers=self.headers(user),
                                   json={"station_code": station, "auto_issue": auto_issue,
                                         "repeat_days": repeat_days})
        assert response.status_code == 200, response.text
