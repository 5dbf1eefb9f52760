"""Red boxes, officers on shift and the phone's check-in requests, for the red box tests."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlparse

from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import select

from safetyzone.assets import service as assets
from safetyzone.assets.models import AssetKind
from safetyzone.assets.schemas import AssetCreate
from safetyzone.config import Settings
from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from safetyzone.core.secretbox import SecretBox
from safetyzone.core.security import Role, Scope, system_scope
from safetyzone.ops import units
from safetyzone.ops.models import UnitKind
from safetyzone.ops.schemas import UnitCreate
from safetyzone.org import auth
from safetyzone.org.models import OwnerClass, User
from safetyzone.org.schemas import UserCreate
from safetyzone.patrol import redbox_codes as codes
from safetyzone.patrol import shifts
from safetyzone.patrol.redbox_models import RedBoxKey
from support.world import PASSWORD, STATIONS, World

METRE_LAT = 1 / 111_195  # degrees of latitude per metre (haversine's earth radius)


def box_position(station: str) -> tuple[float, float]:
    _, lat, lon = STATIONS[station]
    return lat + 0.002, lon + 0.002


class OnShift:
    """Start and end officers' shifts through the shift service, as the phone's routes do."""

    def __init__(self, db: Database, clock: ManualClock) -> None:
        self.db, self.clock = db, clock

    def start(self, scope: Scope, unit_id: uuid.UUID, station_id: uuid.UUID) -> None:
        with self.db.write() as session:
            shifts.start_shift(session, scope=scope, clock=self.clock, unit_id=unit_id)

    def end(self, scope: Scope) -> None:
        with self.db.write() as session:
            shifts.end_shift(session, scope=scope, clock=self.clock)


@dataclass
class Officer:
    scope: Scope
    headers: dict[str, str]
    unit_id: uuid.UUID
    station_id: uuid.UUID


@dataclass
class Desk:
    """A station's red boxes and officers, driven through the API like the phone does."""

    client: TestClient
    db: Database
    clock: ManualClock
    world: World
    settings: Settings
    shifts: OnShift
    admin: dict[str, str] = field(default_factory=dict)
    _n: int = 0

    def __post_init__(self) -> None:
        self.admin = self.world.headers(self.client, "admin")

    def box(self, station: str = "ST-A", code: str | None = None,
            name_th: str = "ตู้แดงหน้าตลาดสด", name_en: str = "Red box, fresh market"
            ) -> uuid.UUID:
        self._n += 1
        lat, lon = box_position(station)
        with self.db.write() as session:
            asset = assets.create_asset(session, scope=system_scope(), clock=self.clock,
                                        data=AssetCreate(
                station_code=station, zone_code=f"Z-{station}", kind=AssetKind.RED_BOX,
                code=code or f"{station}-RB{self._n:02d}", name_th=name_th,
                name_en=name_en, lat=lat, lon=lon, owner_class=OwnerClass.POLICE))
            return asset.id

    def key(self, asset_id: uuid.UUID, mode: str = "printed",
            headers: dict[str, str] | None = None) -> dict[str, Any]:
        response = self.client.post(f"/api/v1/red-boxes/{asset_id}/key", json={"mode": mode},
                                    headers=headers or self.admin)
        assert response.status_code == 200, response.text
        answer: dict[str, Any] = response.json()
        return answer

    def printed(self, asset_id: uuid.UUID) -> str:
        """The text of the box's printed QR now (what the sheet carries)."""
        secret, code, station, version = self._secret(asset_id)
        return codes.printed_payload(secret, code, station, version)

    def rotating(self, asset_id: uuid.UUID, at: datetime) -> str:
        """The text the box's screen shows at ``at``."""
        secret, code, station, _ = self._secret(asset_id)
        return codes.rotating_payload(secret, code, station,
                                      self.settings.patrol_totp_step_s, at)

    def _secret(self, asset_id: uuid.UUID) -> tuple[str, str, str, int]:
        from safetyzone.assets.models import Asset
        from safetyzone.org.models import OrgUnit

        with self.db.read() as session:
            key = session.get(RedBoxKey, asset_id)
            asset = session.get(Asset, asset_id)
            assert key is not None and asset is not None
            station = session.get(OrgUnit, asset.station_id)
            assert station is not None
            secret = SecretBox(self.settings.secret_key.get_secret_value()).open(
                key.secret_sealed)
            return secret, asset.code, station.code, key.version

    def officer(self, username: str, station: str = "ST-A", *, on_shift: bool = True
                ) -> Officer:
        """A patrol officer of ``station`` with a unit of their own (made if new)."""
        with self.db.write() as session:
            user = session.scalar(select(User).where(User.username == username))
            if user is None:
                user = auth.create_user(session, scope=system_scope(), clock=self.clock,
                                        data=UserCreate(
                    username=username, display_name=username, password=PASSWORD,
                    role=Role.PATROL_OFFICER, org_unit_codes=[station]))
            scope = auth.scope_for(session, user)
            self._n += 1
            unit = units.create_unit(session, scope=system_scope(), clock=self.clock,
                                     data=UnitCreate(station_code=station,
                                                     code=f"U{self._n:03d}",
                                                     callsign=f"สายตรวจ {self._n}",
                                                     kind=UnitKind.CAR))
            unit_id, station_id = unit.id, unit.station_id
        officer = Officer(scope, self.world.headers(self.client, username), unit_id,
                          station_id)
        if on_shift:
            self.shifts.start(scope, unit_id, station_id)
        return officer

    def checkin(self, officer: Officer, code: str, *, at: datetime | None = None,
                metres_north: float = 8.0, accuracy_m: float = 6.0, station: str = "ST-A",
                key: str | None = None) -> Response:
        lat, lon = box_position(station)
        self._n += 1
        headers = {**officer.headers, "Idempotency-Key": key or f"ck-{uuid.uuid4().hex}"}
        return self.client.post("/api/v1/officer/checkins", headers=headers, json={
            "code": code, "scanned_at": (at or self.clock.now()).isoformat(),
            "lat": lat + metres_north * METRE_LAT, "lon": lon, "accuracy_m": accuracy_m})


def otp_secret(uri: str) -> str:
    """The secret inside an otpauth URI (what a box's screen is provisioned with)."""
    return parse_qs(urlparse(uri).query)["secret"][0]


def refused(response: Response, reason: str) -> dict[str, Any]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["reason"] == reason, body
    assert body["code"] == "checkin-refused"
    assert body["message_th"] and body["message_en"]
    uuid.UUID(body["checkin_id"])
    return body


def later(clock: ManualClock, minutes: float) -> datetime:
    return clock.now() + timedelta(minutes=minutes)
