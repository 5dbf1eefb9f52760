"""Helpers for legal consultation and volunteer posts tests: consultants, slots, bookings
and posts made through the real API."""

from __future__ import annotations

import json
import secrets
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from support.world import STATIONS

CONSULT = "/api/v1/consult"
PUBLIC = "/api/v1/public/consult"
POSTS = "/api/v1/posts"
FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "services" / "consult_booking.json"


def new_key() -> str:
    return secrets.token_urlsafe(24)


def booking(slot_id: str, key: str | None = None, **extra: Any) -> dict[str, Any]:
    """The public app's booking body (tests/fixtures/services), for this slot and key."""
    body: dict[str, Any] = {k: v for k, v in json.loads(FIXTURE.read_text("utf-8")).items()
                            if not k.startswith("_")}
    return body | {"slot_id": slot_id, "client_key": key or new_key()} | extra


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def consultant(client: TestClient, admin: dict[str, str], username: str,
               station: str = "ST-A", topics: list[str] | None = None) -> str:
    row = ok(client.post(f"{CONSULT}/consultants", headers=admin, json={
        "station_code": station, "username": username, "topics": topics or []}), 201)
    return str(row["id"])


def slot(client: TestClient, admin: dict[str, str], consultant_id: str, starts_at: datetime,
         minutes: int = 30, channels: tuple[str, ...] = ("station", "post", "phone", "video"),
         ) -> dict[str, Any]:
    body: dict[str, Any] = {
        "consultant_id": consultant_id, "starts_at": starts_at.isoformat(),
        "ends_at": (starts_at + timedelta(minutes=minutes)).isoformat(),
        "channels": list(channels)}
    if "video" in channels:
        body["video_url"] = "https://meet.police.invalid/room-1"
    answer: dict[str, Any] = ok(client.post(f"{CONSULT}/slots", headers=admin, json=body), 201)
    return answer


def post(client: TestClient, admin: dict[str, str], station: str = "ST-A",
         hours: list[dict[str, Any]] | None = None, name: str = "จุดบริการตลาดน้ำ"
         ) -> dict[str, Any]:
    """A volunteer post at the station's zone centre, open all week by default."""
    _, lat, lon = STATIONS[station]
    every_day = [{"weekday": d, "opens": "00:00", "closes": "24:00"} for d in range(7)]
    answer: dict[str, Any] = ok(client.post(POSTS, headers=admin, json={
        "station_code": station, "name_th": name, "name_en": "Floating market post",
        "lat": lat + 0.001, "lon": lon, "hours": every_day if hours is None else hours}), 201)
    return answer
