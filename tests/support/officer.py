"""What the officer's phone sends (the /api/v1/officer routes), and a crew to send it."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import select

from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from safetyzone.core.security import Role, system_scope
from safetyzone.org import auth
from safetyzone.org.models import User
from safetyzone.org.schemas import UserCreate
from support.world import PASSWORD, STATIONS, World

OFFICER = "/api/v1/officer"
A_LAT, A_LON = STATIONS["ST-A"][1], STATIONS["ST-A"][2]


def new_key() -> str:
    """What the phone generates for each queued action."""
    return secrets.token_urlsafe(16)


def add_officer(db: Database, clock: ManualClock, username: str, station: str) -> None:
    """Another patrol officer (the test world has one, ``a.patrol``)."""
    with db.write() as s:
        if s.scalar(select(User.id).where(User.username == username)) is None:
            auth.create_user(s, scope=system_scope(), clock=clock, data=UserCreate(
                username=username, display_name=f"ด.ต. {username}", password=PASSWORD,
                role=Role.PATROL_OFFICER, org_unit_codes=[station]))


def create_unit(client: TestClient, admin: dict[str, str], station: str, code: str,
                status: str = "off_duty") -> str:
    response = client.post("/api/v1/units", headers=admin, json={
        "station_code": station, "code": code, "callsign": f"สายตรวจ {code}", "kind": "car",
        "status": status})
    assert response.status_code == 201, response.text
    unit_id: str = response.json()["id"]
    return unit_id


class Phone:
    """One officer's phone: logged in, sending with fresh idempotency keys."""

    def __init__(self, client: TestClient, world: World, clock: ManualClock,
                 username: str) -> None:
        self.client = client
        self.clock = clock
        self.username = username
        self.headers = world.headers(client, username)
        self._n = 0

    def post(self, path: str, json: Any = None, *, key: str | None = "new",
             **kwargs: Any) -> httpx.Response:
        headers = dict(self.headers)
        if key is not None:
            headers["Idempotency-Key"] = new_key() if key == "new" else key
        return self.client.post(f"{OFFICER}{path}", json=json, headers=headers, **kwargs)

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.client.get(f"{OFFICER}{path}", headers=self.headers, **kwargs)

    def start(self, unit_id: str, status: int = 201) -> dict[str, Any]:
        response = self.post("/shift", {"unit_id": unit_id})
        assert response.status_code == status, response.text
        body: dict[str, Any] = response.json()
        return body

    def end(self, status: int = 200) -> dict[str, Any]:
        response = self.post("/shift/end", {})
        assert response.status_code == status, response.text
        body: dict[str, Any] = response.json()
        return body

    def me(self) -> dict[str, Any]:
        response = self.get("/me")
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def status(self, value: str, status: int = 200) -> dict[str, Any]:
        response = self.post("/status", {"status": value})
        assert response.status_code == status, response.text
        body: dict[str, Any] = response.json()
        return body

    def fix(self, lat: float = A_LAT, lon: float = A_LON, *, ago_s: float = 0,
            **extra: Any) -> dict[str, Any]:
        self._n += 1
        at = self.clock.now() - timedelta(seconds=ago_s)
        return {"id": f"fix-{self._n}", "at": at.isoformat(), "lat": lat, "lon": lon,
                "accuracy_m": 8, **extra}
