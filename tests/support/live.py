"""Helpers for tests of the live loop: devices with credentials, events, waiting for effects."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from fastapi.testclient import TestClient

from safetyzone.core.clock import ManualClock
from support.world import World

T = TypeVar("T")


def wait_for(probe: Callable[[], T | None], *, seconds: float = 15.0, every: float = 0.02) -> T:
    """Poll until ``probe`` returns something truthy: the engine works on its own thread."""
    deadline = time.monotonic() + seconds
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {seconds} s")
        time.sleep(every)


class Devices:
    """Registers devices through the API as an admin would, and posts their events."""

    def __init__(self, client: TestClient, world: World, clock: ManualClock) -> None:
        self.client = client
        self.world = world
        self.clock = clock
        self._n = 0
        self._admin: tuple[datetime, dict[str, str]] | None = None

    @property
    def admin(self) -> dict[str, str]:
        """Admin headers, logging in again when the test clock outran the access token."""
        now = self.clock.now()
        if self._admin is None or now - self._admin[0] > timedelta(minutes=10):
            self._admin = (now, self.world.headers(self.client, "admin"))
        return self._admin[1]

    def asset_id(self, code: str) -> str:
        items = self.client.get("/api/v1/assets", params={"q": code},
                                headers=self.admin).json()["items"]
        asset_id: str = next(a["id"] for a in items if a["code"] == code)
        return asset_id

    def credential(self, station: str, kind: str, subject_id: str | None,
                   label: str = "test device") -> str:
        response = self.client.post("/api/v1/devices", headers=self.admin, json={
            "station_code": station, "subject_kind": kind, "subject_id": subject_id,
            "label": label})
        assert response.status_code == 201, response.text
        token: str = response.json()["token"]
        return token

    def unit(self, station: str, code: str, *, lat: float | None = None,
             lon: float | None = None, kind: str = "car") -> tuple[str, str]:
        """A patrol unit on duty with a tracker; placed at (lat, lon) by a first GPS fix."""
        response = self.client.post("/api/v1/units", headers=self.admin, json={
            "station_code": station, "code": code, "callsign": f"สายตรวจ {code}",
            "kind": kind, "status": "available"})
        assert response.status_code == 201, response.text
        unit_id: str = response.json()["id"]
        token = self.credential(station, "unit", unit_id, f"tracker {code}")
        if lat is not None and lon is not None:
            self.post(token, self.gps(lat, lon))
            wait_for(lambda: self.client.get(f"/api/v1/units/{unit_id}",
                                             headers=self.admin).json()["lat"])
        return unit_id, token

    def next_id(self) -> str:
        self._n += 1
        return f"evt-{self._n}"

    def at(self, delta: timedelta = timedelta(0)) -> str:
        moment: datetime = self.clock.now() + delta
        return moment.isoformat()

    def sos(self, **overrides: Any) -> dict[str, Any]:
        return {"kind": "sos.press", "device_event_id": self.next_id(), "event_time": self.at(),
                **overrides}

    def gps(self, lat: float, lon: float, **overrides: Any) -> dict[str, Any]:
        return {"kind": "gps.position", "device_event_id": self.next_id(),
                "event_time": self.at(), "location": {"lat": lat, "lon": lon}, **overrides}

    def post(self, token: str, body: dict[str, Any]) -> Any:
        return self.client.post("/api/v1/intake/events", json=body,
                                headers={"Authorization": f"Bearer {token}"})

    def incidents(self, username: str = "admin", **params: Any) -> list[dict[str, Any]]:
        response = self.client.get("/api/v1/incidents", params=params,
                                   headers=self.world.headers(self.client, username)
                                   if username != "admin" else self.admin)
        assert response.status_code == 200, response.text
        items: list[dict[str, Any]] = response.json()
        return items
