"""Requests a citizen's phone sends, and helpers to follow them through the API."""

from __future__ import annotations

import secrets
from typing import Any

from fastapi.testclient import TestClient

from safetyzone.citizen.taxonomy import CONSENT_VERSION
from support.world import STATIONS

PUBLIC = "/api/v1/public"
OFFICER = "/api/v1/citizen"
A_LAT, A_LON = STATIONS["ST-A"][1], STATIONS["ST-A"][2]
B_LAT, B_LON = STATIONS["ST-B"][1], STATIONS["ST-B"][2]


def new_key() -> str:
    """What the phone generates for a ticket (and keeps in localStorage)."""
    return secrets.token_urlsafe(24)


def consent(*purposes: str) -> dict[str, Any]:
    return {"purposes": list(purposes), "version": CONSENT_VERSION}


def emergency(key: str, lat: float = A_LAT, lon: float = A_LON, **extra: Any) -> dict[str, Any]:
    return {"client_key": key, "location": {"lat": lat, "lon": lon, "accuracy_m": 12},
            "location_source": "gps", "consent": consent("emergency"), **extra}


def report(key: str, lat: float = A_LAT, lon: float = A_LON, category: str = "street_light",
           **extra: Any) -> dict[str, Any]:
    return {"client_key": key, "category": category,
            "description": "ไฟถนนดับทั้งซอย มืดมาก", "location": {"lat": lat, "lon": lon},
            "location_source": "pin", "consent": consent("report"), **extra}


def tip(key: str, *, anonymous: bool, lat: float = A_LAT, lon: float = A_LON,
        **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"client_key": key, "anonymous": anonymous, "category": "drugs",
                            "text": "มีการซื้อขายยาเสพติดหลังตลาดทุกคืน",
                            "location": {"lat": lat, "lon": lon}, "consent": consent("tip")}
    if not anonymous:
        body |= {"name": "สมชาย ใจดี", "phone": "0812345678"}
    return body | extra


def send(client: TestClient, path: str, body: dict[str, Any], *, status: int = 201,
         key: str | None = None) -> dict[str, Any]:
    headers = {"X-Caller-Key": key} if key else {}
    response = client.post(f"{PUBLIC}{path}", json=body, headers=headers)
    assert response.status_code == status, response.text
    answer: dict[str, Any] = response.json()
    return answer


def ticket(client: TestClient, code: str, key: str | None = None) -> dict[str, Any]:
    headers = {"X-Caller-Key": key} if key else {}
    response = client.get(f"{PUBLIC}/tickets/{code}", headers=headers)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def items(client: TestClient, headers: dict[str, str], **params: Any) -> list[dict[str, Any]]:
    response = client.get(f"{OFFICER}/items", headers=headers, params=params)
    assert response.status_code == 200, response.text
    rows: list[dict[str, Any]] = response.json()
    return rows


def item_by_code(client: TestClient, headers: dict[str, str], code: str) -> dict[str, Any]:
    return next(i for i in items(client, headers, limit=500) if i["code"] == code)
