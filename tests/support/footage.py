"""Footage requests in tests: a second owning partner at ST-A with its own camera and
account, a real video (the committed fixture and ffmpeg remuxes of it), and the calls the
console and the partner page make."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from safetyzone.assets import service as assets
from safetyzone.assets.models import AssetKind, SharingLevel
from safetyzone.assets.schemas import AssetCreate, CameraCreate
from safetyzone.core.clock import Clock
from safetyzone.core.db import Database
from safetyzone.core.secretbox import SecretBox
from safetyzone.core.security import Role, system_scope
from safetyzone.org import auth
from safetyzone.org import service as org
from safetyzone.org.models import OwnerClass
from safetyzone.org.schemas import PartnerCreate, UserCreate
from support.world import PASSWORD, STATIONS

REQUESTS = "/api/v1/footage-requests"
PARTNER = "/api/v1/partner/footage-requests"
VIDEO = Path(__file__).resolve().parents[1] / "fixtures" / "footage" / "shopfront.mp4"
_, LAT, LON = STATIONS["ST-A"]


def video() -> bytes:
    return VIDEO.read_bytes()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def ffmpeg(*args: str, out: Path) -> bytes:
    """Run the real ffmpeg (a test needs it: missing, it fails, never skips)."""
    binary = shutil.which("ffmpeg")
    assert binary, "ffmpeg is not installed (scripts/install-system-deps)"
    subprocess.run([binary, "-hide_banner", "-loglevel", "error", "-y", *args, str(out)],
                   check=True)
    return out.read_bytes()


def mkv_of_fixture(directory: Path) -> bytes:
    """The fixture's video stream remuxed into Matroska: other bytes, the same picture."""
    return ffmpeg("-i", str(VIDEO), "-c", "copy", out=directory / "shopfront.mkv")


def second_partner(db: Database, clock: Clock, secret: str, *, code: str = "CONDO-ST-A",
                   username: str = "b.condo") -> str:
    """A second owning partner of ST-A (a condominium) with a camera 60 m from the shop's
    and an account; returns its camera code."""
    scope = system_scope("test-footage")
    point = f"{code}-P1"
    with db.write() as s:
        org.create_partner(s, scope=scope, clock=clock, data=PartnerCreate(
            code=code, org_unit_code="ST-A", name_th="นิติบุคคลอาคารชุด",
            name_en="Condominium", owner_class=OwnerClass.PRIVATE_BUSINESS))
        assets.create_asset(s, scope=scope, clock=clock, data=AssetCreate(
            station_code="ST-A", zone_code="Z-ST-A", kind=AssetKind.CAMERA_POINT, code=point,
            name_th="หน้าอาคาร", lat=LAT + 0.0015, lon=LON,
            owner_class=OwnerClass.PRIVATE_BUSINESS, owner_partner_code=code))
        assets.create_camera(s, scope=scope, clock=clock, secrets=SecretBox(secret),
                             data=CameraCreate(station_code="ST-A", point_code=point,
                                               code=f"{point}-C1", name_th="กล้องทางเข้า",
                                               sharing_level=SharingLevel.FOOTAGE_ON_REQUEST))
        auth.create_user(s, scope=scope, clock=clock, data=UserCreate(
            username=username, display_name="นิติฯ", password=PASSWORD, role=Role.PARTNER,
            org_unit_codes=["ST-A"], partner_code=code))
    return f"{point}-C1"


def window(now: datetime, *, hours_ago: float = 3, length_min: int = 30) -> dict[str, str]:
    start = now - timedelta(hours=hours_ago)
    return {"window_start": start.isoformat(),
            "window_end": (start + timedelta(minutes=length_min)).isoformat()}


def ask(client: TestClient, headers: dict[str, str], now: datetime, *, status: int = 201,
        key: str | None = None, **body: Any) -> Any:
    data = {"station_code": "ST-A", "case_number": "123/2569",
            "reason": "ลักทรัพย์หน้าร้าน ขอภาพช่วงเกิดเหตุ", **window(now), **body}
    response = client.post(REQUESTS, json=data, headers={
        **headers, "Idempotency-Key": key or uuid.uuid4().hex})
    assert response.status_code == status, response.text
    return response.json()


def upload(client: TestClient, headers: dict[str, str], request_id: str, data: bytes, *,
           name: str = "shopfront.mp4", status: int = 201, **extra: str) -> Any:
    response = client.post(f"{PARTNER}/{request_id}/files", params={"filename": name},
                           content=data, headers={**headers, **extra,
                                                  "Content-Type": "application/octet-stream"})
    assert response.status_code == status, response.text
    return response.json()
