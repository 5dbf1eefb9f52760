"""Helpers for patrol plan tests: places around the test stations, units, risk spots, red
boxes and plans made through the API, and GPS fixes as the engine's observer hands them."""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient

from support.world import STATIONS

# Evening in Bangkok (19:00): before the usual high-risk hours 20-02.
EVENING = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Fix:
    """What ``patrol.live`` hands to ``compliance.on_fixes`` (``UnitFix``)."""

    unit_id: uuid.UUID
    station_id: uuid.UUID
    at: datetime
    lat: float
    lon: float
    accuracy_m: float | None = 5.0


def centre(station: str) -> tuple[float, float]:
    _, lat, lon = STATIONS[station]
    return lat, lon


def offset(lat: float, lon: float, north_m: float = 0.0, east_m: float = 0.0
           ) -> tuple[float, float]:
    """A point some metres north and east of another."""
    return (lat + north_m / 111_320.0,
            lon + east_m / (111_320.0 * math.cos(math.radians(lat))))


def station_id(client: TestClient, headers: dict[str, str], code: str) -> uuid.UUID:
    units = client.get("/api/v1/org-units", headers=headers).json()
    return uuid.UUID(next(u["id"] for u in units if u["code"] == code))


def make_unit(client: TestClient, headers: dict[str, str], station: str, code: str) -> str:
    response = client.post("/api/v1/units", headers=headers, json={
        "station_code": station, "code": code, "callsign": f"สายตรวจ {code}", "kind": "car",
        "status": "available"})
    assert response.status_code == 201, response.text
    unit_id: str = response.json()["id"]
    return unit_id


def make_spot(client: TestClient, headers: dict[str, str], station: str, code: str, *,
              north_m: float = 0.0, east_m: float = 0.0, risk: float = 0.8,
              hours: list[int] | None = None, radius_m: float = 50.0) -> dict[str, Any]:
    lat, lon = offset(*centre(station), north_m, east_m)
    response = client.post("/api/v1/patrol/risk-spots", headers=headers, json={
        "station_code": station, "code": code, "name_th": f"หน้าร้านสะดวกซื้อ {code}",
        "name_en": f"Convenience store {code}", "lat": lat, "lon": lon, "radius_m": radius_m,
        "risk_score": risk, "high_risk_hours": [20, 21, 22, 23, 0, 1] if hours is None
        else hours})
    assert response.status_code == 201, response.text
    spot: dict[str, Any] = response.json()
    return spot


def make_red_box(client: TestClient, headers: dict[str, str], station: str, code: str, *,
                 north_m: float = 0.0, east_m: float = 0.0) -> dict[str, Any]:
    lat, lon = offset(*centre(station), north_m, east_m)
    response = client.post("/api/v1/assets", headers=headers, json={
        "station_code": station, "zone_code": f"Z-{station}", "kind": "red_box", "code": code,
        "name_th": f"ตู้แดง {code}", "name_en": f"Red box {code}", "lat": lat, "lon": lon,
        "owner_class": "police"})
    assert response.status_code == 201, response.text
    box: dict[str, Any] = response.json()
    return box


def make_plan(client: TestClient, headers: dict[str, str], station: str, starts: datetime,
              ends: datetime, **body: Any) -> dict[str, Any]:
    response = client.post("/api/v1/patrol/plans", headers=headers, json={
        "station_code": station, "name": "แผนตรวจ ผลัด 2", "starts_at": starts.isoformat(),
        "ends_at": ends.isoformat(), **body})
    assert response.status_code == 201, response.text
    plan: dict[str, Any] = response.json()
    return plan
