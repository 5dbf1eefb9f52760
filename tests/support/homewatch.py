"""What the public app sends for home watch (ฝากบ้าน 4.0), and the station's steps."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from safetyzone.core.clock import ManualClock
from safetyzone.services.homewatch_texts import CONSENT_VERSION
from support.citizen import A_LAT, A_LON, new_key

PUBLIC = "/api/v1/public/home-watch"
STATION = "/api/v1/home-watch"
OFFICER = "/api/v1/officer/home-watch"
# The house: about 15 m north-east of ST-A's zone centre.
HOUSE = (A_LAT + 0.0001, A_LON + 0.0001)


def body(key: str | None = None, *, clock: ManualClock, starts_in: timedelta = timedelta(0),
         days: float = 3, lat: float = HOUSE[0], lon: float = HOUSE[1],
         **extra: Any) -> dict[str, Any]:
    """A request as the form sends it: away from now (plus ``starts_in``) for ``days``."""
    start: datetime = clock.now() + starts_in
    return {"client_key": key or new_key(), "address": "99/1 ซอยสุขใจ ถนนพระราม 2 แขวงบางมด",
            "location": {"lat": lat, "lon": lon, "accuracy_m": 10},
            "away_from": start.isoformat(),
            "away_until": (start + timedelta(days=days)).isoformat(),
            "contacts": [{"name": "สมศรี ใจดี", "phone": "081-234-5678", "relation": "ลูก"}],
            "notes": "เปิดไฟหน้าบ้านตั้งเวลาไว้ มีสุนัขในบ้าน",
            "consent": {"accepted": True, "version": CONSENT_VERSION}, **extra}


def create(client: TestClient, data: dict[str, Any], status: int = 201) -> dict[str, Any]:
    response = client.post(PUBLIC, json=data)
    assert response.status_code == status, response.text
    answer: dict[str, Any] = response.json()
    return answer


def page(client: TestClient, code: str, key: str) -> dict[str, Any]:
    response = client.get(f"{PUBLIC}/{code}", headers={"X-Caller-Key": key})
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def request_id(client: TestClient, headers: dict[str, str], code: str) -> str:
    response = client.get(STATION, headers=headers)
    assert response.status_code == 200, response.text
    (found,) = [r["id"] for r in response.json() if r["code"] == code]
    return str(found)


def approve(client: TestClient, headers: dict[str, str], rid: str) -> dict[str, Any]:
    response = client.post(f"{STATION}/{rid}/approve", headers=headers)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def visit(lat: float = HOUSE[0], lon: float = HOUSE[1], *, accuracy_m: float = 8,
          finding: str = "normal", note: str | None = "ประตูรั้วล็อกเรียบร้อย"
          ) -> dict[str, Any]:
    return {"lat": lat, "lon": lon, "accuracy_m": accuracy_m, "finding": finding,
            "note": note}
