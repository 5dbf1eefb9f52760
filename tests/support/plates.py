"""Helpers for plate-reader tests: register an LPR camera, build real camera posts."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

from safetyzone.core.clock import BANGKOK
from support.live import Devices

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "lpr"
PLATE_PID = "FU64608246132164921310"  # licensePlatePicture's pId in hikvision_thai_isapi.xml
JPEG = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4 + b"\xff\xd9"
BOUNDARY = "----hikboundary7e3"


def register_lpr_camera(devices: Devices, protocol: str, external_id: str,
                        code: str = "ST-A-LPR1", station: str = "ST-A") -> str:
    """A plate camera as an asset beside the station's police camera, plus its device.

    Only SOS points have bound cameras; a plate camera docks the nearest ones (that one).
    """
    point = devices.client.get("/api/v1/assets", params={"q": f"{station}-POLICE-P1"},
                               headers=devices.admin).json()["items"][0]
    asset = devices.client.post("/api/v1/assets", headers=devices.admin, json={
        "station_code": station, "zone_code": f"Z-{station}", "kind": "camera_point",
        "code": code, "name_th": "กล้องอ่านป้ายทะเบียน ทางเข้าตลาด",
        "name_en": "Plate camera, market entrance", "lat": point["lat"], "lon": point["lon"],
        "owner_class": "police"})
    assert asset.status_code == 201, asset.text
    response = devices.client.post("/api/v1/devices", headers=devices.admin, json={
        "station_code": station, "subject_kind": "asset", "subject_id": asset.json()["id"],
        "label": "plate camera", "protocol": protocol, "external_id": external_id})
    assert response.status_code == 201, response.text
    asset_id: str = asset.json()["id"]
    return asset_id


def hikvision_xml(now: datetime, name: str = "hikvision_thai_isapi.xml",
                  plate: str | None = None, uuid: str | None = None) -> bytes:
    """A real Thai camera's alert with its time moved to ``now`` (the inbox refuses old ones)."""
    text = FIXTURES.joinpath(name).read_text("utf-8")
    stamp = now.astimezone(BANGKOK).isoformat(timespec="milliseconds")
    text = re.sub(r"<dateTime>[^<]*</dateTime>", f"<dateTime>{stamp}</dateTime>", text)
    if plate is not None:
        text = re.sub(r"<licensePlate>[^<]*</licensePlate>",
                      f"<licensePlate>{plate}</licensePlate>", text)
    if uuid is not None:
        text = re.sub(r"<UUID>[^<]*</UUID>", f"<UUID>{uuid}</UUID>", text)
    return text.encode("utf-8")


def hikvision_multipart(xml: bytes, picture: bytes = JPEG) -> tuple[bytes, str]:
    """The body a Hikvision camera posts: the XML part, then the plate picture by pId."""
    b = BOUNDARY.encode()
    parts = [
        (b'Content-Disposition: form-data; name="anpr.xml"; filename="anpr.xml"\r\n'
         b"Content-Type: application/xml", xml),
        (f'Content-Disposition: form-data; name="{PLATE_PID}"; '
         f'filename="licensePlatePicture.jpg"\r\nContent-Type: image/jpeg'.encode(), picture),
    ]
    body = b"".join(b"--" + b + b"\r\n" + head + b"\r\n\r\n" + data + b"\r\n"
                    for head, data in parts) + b"--" + b + b"--\r\n"
    return body, f"multipart/form-data; boundary={BOUNDARY}"


def generic_read(now: datetime, **overrides: Any) -> bytes:
    """The generic JSON fixture with its time moved to ``now``."""
    body = json.loads(FIXTURES.joinpath("generic_thai_full.json").read_text("utf-8"))
    body["event_time"] = now.astimezone(BANGKOK).isoformat()
    body.update(overrides)
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


def add_hotlist(devices: Devices, headers: dict[str, str], plate: str, **extra: Any
                ) -> dict[str, Any]:
    response = devices.client.post("/api/v1/hotlists", headers=headers, json={
        "station_code": "ST-A", "plate": plate, "reason": "รถถูกโจรกรรม / stolen car",
        "priority": 1, **extra})
    assert response.status_code == 201, response.text
    entry: dict[str, Any] = response.json()
    return entry
