"""The role x route matrix: docs/security/access.md is the table, this test holds the code
to it. It fails if a route of the app has no row, or if any role (or no login) gets more
than its cell grants. One parametrized test over (route, role), so a failure names the cell.

Each call is a plausible request on real objects: for ``station`` cells also on the other
station's objects (must look missing), for ``own`` cells on a police asset (must look
missing). Denied calls must answer 401/403/404 and change nothing in the database.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIWebSocketRoute
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import select
from starlette.routing import Mount
from starlette.websockets import WebSocketDisconnect

from conftest import SECRET, fresh_db_url
from safetyzone.assets import service as assets
from safetyzone.assets import url_proposals as proposals
from safetyzone.assets.models import AssetKind
from safetyzone.assets.schemas import AssetCreate, CameraCreate, UrlProposalCreate
from safetyzone.citizen import line_channels
from safetyzone.citizen.line_schemas import LineChannelCreate
from safetyzone.citizen.media import MediaKind, MediaStore
from safetyzone.config import Settings
from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from safetyzone.core.secretbox import SecretBox
from safetyzone.core.security import Role, Scope, system_scope
from safetyzone.lpr import service as lpr
from safetyzone.lpr.schemas import HotlistCreate
from safetyzone.measure.monthly import archive as monthly_archive
from safetyzone.measure.monthly.period import Month
from safetyzone.ops import shiftlog
from safetyzone.ops.models import Incident
from safetyzone.ops.shiftlog_schemas import HandoverIn
from safetyzone.org import auth
from safetyzone.org import service as org
from safetyzone.org import tokens as token_families
from safetyzone.org.models import OrgUnit, OwnerClass, User
from safetyzone.org.schemas import PartnerCreate, TokenPair, UserCreate
from safetyzone.patrol import redbox_checkins, redbox_keys
from safetyzone.patrol.models import OfficerPhoto
from safetyzone.patrol.redbox_codes import KeyMode
from safetyzone.patrol.redbox_models import CheckIn
from safetyzone.services.homewatch_models import Finding, HomeWatchRequest, HomeWatchVisit
from safetyzone.services.homewatch_texts import CONSENT_VERSION as HOMEWATCH_CONSENT
from safetyzone.services.lostdocs_signing import CertificateSigner, Claim
from safetyzone.video import footage_partner
from safetyzone.video.evidence import service as evidence
from safetyzone.video.footage_models import FootageRequest
from safetyzone.video.recording import service as recording
from safetyzone.video.recording.models import HoldReason
from safetyzone.web.app import create_app
from safetyzone.web.routes import footage as footage_routes
from safetyzone.web.routes import reports
from support import changes
from support import citizen as phone
from support import consult as consult_phone
from support import footage as footage_support
from support import lostdocs as lost
from support.basemap import write_street_map
from support.live import Devices, wait_for
from support.world import PASSWORD, STATIONS, World, square

DOC = Path(__file__).resolve().parents[2] / "docs" / "security" / "access.md"
ROLES = ("admin", "commander", "operator", "patrol_officer", "investigator", "partner", "viewer",
         "anonymous", "volunteer")
USERS = {"admin": "admin", "commander": "a.commander", "operator": "a.operator",
         "patrol_officer": "a.patrol", "investigator": "a.investigator", "partner": "a.shop",
         "viewer": "a.viewer", "volunteer": "a.volunteer"}
GRANTED = {"yes", "station", "own"}
DENIED = {"no", "device"}
DENIED_STATUS = {401, 403, 404}


def read_table() -> dict[str, dict[str, str]]:
    """The table in the docs: route -> role -> cell."""
    rows: dict[str, dict[str, str]] = {}
    header: list[str] | None = None
    for line in DOC.read_text("utf-8").splitlines():
        if not line.startswith("|") or set(line) <= {"|", "-", " "}:
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        if cells[0] == "route":
            header = cells[1:]
            assert tuple(header) == ROLES, header
            continue
        assert header is not None, "the table needs its header row first"
        assert cells[0] not in rows, f"two rows for {cells[0]}"
        assert all(c in GRANTED | DENIED for c in cells[1:]), line
        rows[cells[0]] = dict(zip(header, cells[1:], strict=True))
    return rows


TABLE = read_table()


def app_routes(items: Any) -> Iterator[str]:
    for route in items:
        if hasattr(route, "original_router"):  # FastAPI's included routers
            yield from app_routes(route.original_router.routes)
        elif isinstance(route, Mount):
            continue  # static files: no data
        elif isinstance(route, APIWebSocketRoute):
            yield f"WS {route.path}"
        else:
            for method in sorted(set(route.methods) - {"HEAD"}):
                yield f"{method} {route.path}"


@dataclass
class Targets:
    """Real objects of one station (and their station's code) that requests point at."""

    station: str
    zone: str = ""
    asset: str = ""
    camera: str = ""
    speaker: str = ""
    credential: str = ""
    unit: str = ""
    incident: str = ""
    hotlist: str = ""
    user: str = ""
    new_refresh: Callable[[], str] = lambda: ""  # a refresh token is spent by its first use
    extra: dict[str, str] = field(default_factory=dict)


@dataclass
class Call:
    path: str
    json: Any = None
    params: dict[str, Any] | None = None
    data: dict[str, str] | None = None
    content: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)


def _asset(t: Targets) -> dict[str, Any]:
    _, lat, lon = STATIONS[t.station]
    return {"station_code": t.station, "zone_code": f"Z-{t.station}", "kind": "camera_point",
            "code": f"{t.station}-MX-{t.extra['n']}", "name_th": "จุด", "lat": lat + 0.002,
            "lon": lon, "owner_class": "police"}


# A webhook body signed with no channel's secret: LINE's routes must refuse it to everyone.
LINE_BODY = b'{"destination":"U00000000000000000000000000000000","events":[]}'
LINE_FORGED = {"Content-Type": "application/json", "X-Line-Signature": "A" * 43 + "="}


def _multipart(name: str, filename: str, data: bytes, content_type: str) -> tuple[bytes, str]:
    boundary = "matrixboundary7MA4YWxkTrZu0gW"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; "
            f"filename=\"{filename}\"\r\nContent-Type: {content_type}\r\n\r\n").encode()
    return body + data + f"\r\n--{boundary}--\r\n".encode(), (
        f"multipart/form-data; boundary={boundary}")


def _photo(t: Targets) -> Call:
    content, ctype = _multipart("file", "p.jpg", phone.photo(), "image/jpeg")
    return Call(f"/api/v1/public/tickets/{t.extra['report_code']}/media", content=content,
                headers={"Content-Type": ctype, "X-Caller-Key": t.extra["report_key"]})


def _point(t: Targets) -> tuple[float, float]:
    _, lat, lon = STATIONS[t.station]
    return lat, lon


def _once(action: str, t: Targets | None = None) -> dict[str, str]:
    """An idempotency key (officer routes need one): one per action, so a call on the
    caller's own shift is the same for both stations (and tried once), and per station
    where the request names an object (the other station's must look missing)."""
    return {"Idempotency-Key": f"matrix-{action}-{t.station if t else 'own'}"}


def _week_ago(t: Targets) -> str:
    return (datetime.fromisoformat(t.extra["now"]) - timedelta(days=8)).isoformat()


def _officer_photo_upload(t: Targets) -> Call:
    content, ctype = _multipart("file", "p.jpg", phone.photo(), "image/jpeg")
    return Call("/api/v1/officer/incident/photos", content=content,
                headers={"Content-Type": ctype, **_once("photo")})


def _officer_photo(db: Database, store: MediaStore, clock: ManualClock, incident: str) -> str:
    """A photo an officer took at the station's incident (stored as the phone route does)."""
    stored = store.accept(phone.photo(7), declared_type="image/jpeg", allow={MediaKind.PHOTO})
    with db.write() as s:
        found = s.get(Incident, uuid.UUID(incident))
        assert found is not None
        photo = OfficerPhoto(station_id=found.station_id, incident_id=found.id,
                             unit_id=uuid.uuid4(), user_id=uuid.uuid4(), username="mx.officer",
                             at=clock.now(), path=stored.path, thumb_path=stored.thumb_path,
                             content_type=stored.content_type, size=stored.size,
                             sha256=stored.sha256)
        s.add(photo)
        s.flush()
        return str(photo.id)


def _checkin_photo(t: Targets) -> Call:
    content, ctype = _multipart("file", "box.jpg", phone.photo(3), "image/jpeg")
    return Call(f"/api/v1/officer/checkins/{t.extra['checkin']}/photo", content=content,
                headers={"Content-Type": ctype})


def _records_csv(station: str, n: int) -> bytes:
    """A one-row 191 file, unique per call (number and minute), placed at the station."""
    lat, lon = _point(Targets(station))
    return ("วันที่รับแจ้ง,เวลา,ประเภทเหตุ,สถานที่,ละติจูด,ลองจิจูด,เลขรับแจ้ง\n"
            f"15/03/2564,{n // 60 % 24:02d}:{n % 60:02d},ลักทรัพย์,ตลาด {n},{lat},{lon},"
            f"MX-{station}-{n}\n").encode()


def _records_upload(t: Targets) -> Call:
    content, ctype = _multipart("file", "calls.csv", _records_csv(t.station, int(t.extra["n"])),
                                "text/csv")
    return Call(f"/api/v1/stations/{t.station}/records/import", params={"source": "191"},
                content=content, headers={"Content-Type": ctype})


# One plausible request per route. A new route needs a row in the docs AND a recipe here.
REQUESTS: dict[str, Callable[[Targets], Call]] = {
    "GET /": lambda t: Call("/"),
    "GET /healthz": lambda t: Call("/healthz"),
    "GET /readyz": lambda t: Call("/readyz"),
    "GET /metrics": lambda t: Call("/metrics"),
    "GET /openapi.json": lambda t: Call("/openapi.json"),
    "GET /docs": lambda t: Call("/docs"),
    "GET /redoc": lambda t: Call("/redoc"),
    "GET /console": lambda t: Call("/console"),
    "GET /console/": lambda t: Call("/console/"),
    "GET /login": lambda t: Call("/login"),
    # The reader's first read: the header and root directory (a 206 to every login).
    "GET /api/v1/basemap.pmtiles": lambda t: Call("/api/v1/basemap.pmtiles",
                                                  headers={"Range": "bytes=0-16383"}),
    "GET /citizen": lambda t: Call("/citizen"),
    "GET /citizen/": lambda t: Call("/citizen/"),
    "GET /citizen/t/{code}": lambda t: Call("/citizen/t/R-7K3M9QXP"),
    "GET /citizen/poll": lambda t: Call("/citizen/poll", params={"station": t.station}),
    "GET /citizen/poll/{code}": lambda t: Call(f"/citizen/poll/{t.extra['poll']}"),
    "GET /api/v1/public/polls": lambda t: Call("/api/v1/public/polls",
                                               params={"station": t.station}),
    "GET /api/v1/public/polls/{code}": lambda t: Call(f"/api/v1/public/polls/{t.extra['poll']}"),
    "POST /api/v1/public/polls/{code}/responses": lambda t: Call(
        f"/api/v1/public/polls/{t.extra['poll']}/responses", json={"answers": {"safe_dark": 3}},
        headers={"X-Caller-Key": f"matrix-poll-token-{t.station}-0123456789"}),
    "GET /api/v1/stations/{station_code}/polls": lambda t: Call(
        f"/api/v1/stations/{t.station}/polls"),
    "POST /api/v1/stations/{station_code}/polls": lambda t: Call(
        f"/api/v1/stations/{t.station}/polls", json={
            "zone_code": f"Z-{t.station}", "wave": _poll_wave(t), "wave_name": "x",
            "opens_at": t.extra["now"], "closes_at": t.extra["plan_to"]}),
    "POST /api/v1/polls/{code}/open": lambda t: Call(f"/api/v1/polls/{t.extra['poll_draft']}/open"),
    "POST /api/v1/polls/{code}/close": lambda t: Call(f"/api/v1/polls/{t.extra['poll']}/close"),
    "GET /api/v1/polls/{code}/results": lambda t: Call(f"/api/v1/polls/{t.extra['poll']}/results"),
    "GET /api/v1/polls/{code}/results.csv": lambda t: Call(
        f"/api/v1/polls/{t.extra['poll']}/results.csv"),
    "GET /api/v1/polls/{code}/before-after": lambda t: Call(
        f"/api/v1/polls/{t.extra['poll']}/before-after"),
    "GET /api/v1/polls/{code}/qr.png": lambda t: Call(f"/api/v1/polls/{t.extra['poll']}/qr.png"),
    "GET /api/v1/polls/{code}/poster.pdf": lambda t: Call(
        f"/api/v1/polls/{t.extra['poll']}/poster.pdf"),
    "GET /citizen/sw.js": lambda t: Call("/citizen/sw.js"),
    "GET /citizen/manifest.webmanifest": lambda t: Call("/citizen/manifest.webmanifest"),
    "GET /officer": lambda t: Call("/officer"),
    "GET /officer/": lambda t: Call("/officer/"),
    "GET /officer/sw.js": lambda t: Call("/officer/sw.js"),
    "GET /officer/manifest.webmanifest": lambda t: Call("/officer/manifest.webmanifest"),
    "GET /partner": lambda t: Call("/partner"),
    "GET /partner/": lambda t: Call("/partner/"),
    "GET /partner/sw.js": lambda t: Call("/partner/sw.js"),
    "GET /partner/manifest.webmanifest": lambda t: Call("/partner/manifest.webmanifest"),
    "POST /api/v1/auth/token": lambda t: Call(
        "/api/v1/auth/token", data={"username": "a.viewer", "password": PASSWORD}),
    "POST /api/v1/auth/refresh": lambda t: Call("/api/v1/auth/refresh",
                                                json={"refresh_token": t.new_refresh()}),
    "GET /api/v1/auth/me": lambda t: Call("/api/v1/auth/me"),
    "GET /api/v1/auth/me/layout": lambda t: Call("/api/v1/auth/me/layout"),
    "PUT /api/v1/auth/me/layout": lambda t: Call("/api/v1/auth/me/layout", json={
        "wall_cameras": [t.camera], "layers": {"zones": True}, "windows": []}),
    "GET /api/v1/auth/me/line-link": lambda t: Call("/api/v1/auth/me/line-link"),
    "POST /api/v1/auth/me/line-link": lambda t: Call("/api/v1/auth/me/line-link"),
    "DELETE /api/v1/auth/me/line-link": lambda t: Call("/api/v1/auth/me/line-link"),
    "GET /api/v1/auth/lockouts": lambda t: Call("/api/v1/auth/lockouts"),
    "DELETE /api/v1/auth/lockouts/{kind}/{key}": lambda t: Call(
        "/api/v1/auth/lockouts/account/a.viewer"),
    "POST /api/v1/stream/tickets": lambda t: Call("/api/v1/stream/tickets"),
    "POST /api/v1/users/{user_id}/reactivate": lambda t: Call(
        f"/api/v1/users/{t.user}/reactivate"),
    "GET /api/v1/org-units": lambda t: Call("/api/v1/org-units"),
    "POST /api/v1/org-units": lambda t: Call("/api/v1/org-units", json={
        "code": f"ST-MX-{t.extra['n']}", "kind": "station", "parent_code": "PROV-1",
        "station_type": "provincial", "name_th": "x", "name_en": "x", "lat": 13.7,
        "lon": 100.5}),
    "GET /api/v1/zones": lambda t: Call("/api/v1/zones", params={"station_code": t.station}),
    "POST /api/v1/zones": lambda t: Call("/api/v1/zones", json={
        "code": f"Z-MX-{t.extra['n']}", "station_code": t.station, "name_th": "x",
        "name_en": "x", "boundary": {"type": "Polygon", "coordinates": [[
            [100.46, 13.72], [100.48, 13.72], [100.48, 13.74], [100.46, 13.72]]]}}),
    "GET /api/v1/zones/{zone_id}": lambda t: Call(f"/api/v1/zones/{t.zone}"),
    "PATCH /api/v1/zones/{zone_id}": lambda t: Call(f"/api/v1/zones/{t.zone}",
                                                    json={"name_en": "renamed"}),
    "GET /api/v1/partners": lambda t: Call("/api/v1/partners"),
    "POST /api/v1/partners": lambda t: Call("/api/v1/partners", json={
        "code": f"P-MX-{t.extra['n']}", "org_unit_code": t.station, "name_th": "x",
        "owner_class": "private_business"}),
    "GET /api/v1/users": lambda t: Call("/api/v1/users"),
    "POST /api/v1/users": lambda t: Call("/api/v1/users", json={
        "username": f"mx.{t.extra['n']}", "display_name": "x", "password": "long enough pw",
        "role": "viewer", "org_unit_codes": [t.station]}),
    "POST /api/v1/users/{user_id}/deactivate": lambda t: Call(
        f"/api/v1/users/{t.user}/deactivate"),
    "GET /api/v1/assets": lambda t: Call("/api/v1/assets", params={"station_code": t.station}),
    "POST /api/v1/assets": lambda t: Call("/api/v1/assets", json=_asset(t)),
    "GET /api/v1/assets/{asset_id}": lambda t: Call(f"/api/v1/assets/{t.asset}"),
    "PATCH /api/v1/assets/{asset_id}": lambda t: Call(f"/api/v1/assets/{t.asset}",
                                                      json={"name_en": "renamed"}),
    "DELETE /api/v1/assets/{asset_id}": lambda t: Call(f"/api/v1/assets/{t.extra['spare']}"),
    "GET /api/v1/cameras": lambda t: Call("/api/v1/cameras",
                                          params={"station_code": t.station}),
    "POST /api/v1/cameras": lambda t: Call("/api/v1/cameras", json={
        "station_code": t.station, "point_code": t.extra["point"],
        "code": f"{t.extra['point']}-MX{t.extra['n']}", "name_th": "x", "heading_deg": 0,
        "fov_deg": 60, "sharing_level": "live_always"}),
    "GET /api/v1/cameras/{camera_id}": lambda t: Call(f"/api/v1/cameras/{t.camera}"),
    "PATCH /api/v1/cameras/{camera_id}": lambda t: Call(
        f"/api/v1/cameras/{t.camera}", json={"sharing_level": "live_always"}),
    "POST /api/v1/cameras/{camera_id}/stream-secret": lambda t: Call(
        f"/api/v1/cameras/{t.camera}/stream-secret", json={"reason": "matrix test reason"}),
    "GET /api/v1/cameras/{camera_id}/snapshot": lambda t: Call(
        f"/api/v1/cameras/{t.camera}/snapshot"),
    "POST /api/v1/cameras/{camera_id}/live": lambda t: Call(
        f"/api/v1/cameras/{t.camera}/live"),
    "GET /api/v1/live/{token}/{name}": lambda t: Call(f"/api/v1/live/{'A' * 32}/live.m3u8"),
    "DELETE /api/v1/live/{token}": lambda t: Call(f"/api/v1/live/{'A' * 32}"),
    "GET /api/v1/cameras/{camera_id}/recording": lambda t: Call(
        f"/api/v1/cameras/{t.camera}/recording"),
    # "none": a policy that starts no ffmpeg under the matrix's app.
    "PUT /api/v1/cameras/{camera_id}/recording": lambda t: Call(
        f"/api/v1/cameras/{t.camera}/recording", json={"mode": "none", "retain_days": 20}),
    "GET /api/v1/cameras/{camera_id}/segments": lambda t: Call(
        f"/api/v1/cameras/{t.camera}/segments"),
    "GET /api/v1/stations/{station_code}/recordings": lambda t: Call(
        f"/api/v1/stations/{t.station}/recordings"),
    "PUT /api/v1/stations/{station_code}/recording-quota": lambda t: Call(
        f"/api/v1/stations/{t.station}/recording-quota",
        json={"max_bytes": 10**12 + int(t.extra["n"])}),
    # The station's SOS incident has no footage: a granted call answers 409 no-footage.
    "POST /api/v1/incidents/{incident_id}/clips": lambda t: Call(
        f"/api/v1/incidents/{t.incident}/clips", json={"before_s": 5, "after_s": 5}),
    "GET /api/v1/incidents/{incident_id}/clips": lambda t: Call(
        f"/api/v1/incidents/{t.incident}/clips"),
    "GET /api/v1/clips/{clip_id}": lambda t: Call(f"/api/v1/clips/{t.extra['clip']}"),
    "GET /api/v1/clips/{clip_id}/view": lambda t: Call(f"/api/v1/clips/{t.extra['clip']}/view"),
    "GET /api/v1/clips/{clip_id}/download": lambda t: Call(
        f"/api/v1/clips/{t.extra['clip']}/download"),
    "POST /api/v1/incidents/{incident_id}/evidence-export": lambda t: Call(
        f"/api/v1/incidents/{t.incident}/evidence-export", json={}),
    "GET /api/v1/incidents/{incident_id}/footage-holds": lambda t: Call(
        f"/api/v1/incidents/{t.incident}/footage-holds"),
    "POST /api/v1/incidents/{incident_id}/footage-holds": lambda t: Call(
        f"/api/v1/incidents/{t.incident}/footage-holds", json={
            "since": t.extra["now"], "until": t.extra["plan_to"], "camera_ids": [t.camera]}),
    # One case hold per station: the first granted call releases it, later ones find none.
    "DELETE /api/v1/footage-holds/{hold_id}": lambda t: Call(
        f"/api/v1/footage-holds/{t.extra['hold']}"),
    "POST /api/v1/cameras/{camera_id}/url-proposals": lambda t: Call(
        f"/api/v1/cameras/{t.camera}/url-proposals",
        json={"stream_url": "rtsp://10.1.2.3/matrix"}),
    "GET /api/v1/camera-url-proposals": lambda t: Call(
        "/api/v1/camera-url-proposals", params={"station_code": t.station}),
    "GET /api/v1/camera-url-proposals/{proposal_id}": lambda t: Call(
        f"/api/v1/camera-url-proposals/{t.extra['proposal']}"),
    "POST /api/v1/camera-url-proposals/{proposal_id}/approve": lambda t: Call(
        f"/api/v1/camera-url-proposals/{t.extra['proposal']}/approve", json={}),
    "POST /api/v1/camera-url-proposals/{proposal_id}/reject": lambda t: Call(
        f"/api/v1/camera-url-proposals/{t.extra['proposal']}/reject", json={}),
    "GET /api/v1/coverage": lambda t: Call("/api/v1/coverage",
                                           params={"station_code": t.station}),
    "GET /api/v1/private-areas": lambda t: Call("/api/v1/private-areas",
                                                params={"station_code": t.station}),
    "POST /api/v1/private-areas": lambda t: Call("/api/v1/private-areas", json={
        "station_code": t.station, "name": "บ้าน", "kind": "home", "boundary": square(
            *_point(t), half_deg=0.0001)}),
    "POST /api/v1/private-areas/import": lambda t: Call("/api/v1/private-areas/import", json={
        "station_code": t.station, "features": [{"type": "Feature", "properties": {
            "name": "สวน", "kind": "yard"}, "geometry": square(*_point(t), half_deg=0.0001)}]}),
    "DELETE /api/v1/private-areas/{area_id}": lambda t: Call(
        f"/api/v1/private-areas/{t.extra['private_area']}"),
    "GET /api/v1/cameras/{camera_id}/ptz": lambda t: Call(
        f"/api/v1/cameras/{t.extra['ptz_camera']}/ptz"),
    "PUT /api/v1/cameras/{camera_id}/ptz": lambda t: Call(
        f"/api/v1/cameras/{t.extra['ptz_camera']}/ptz", json={"onvif_url": PTZ_URL}),
    "DELETE /api/v1/cameras/{camera_id}/ptz": lambda t: Call(
        f"/api/v1/cameras/{t.extra['ptz_spare']}/ptz"),
    "GET /api/v1/cameras/{camera_id}/ptz/presets": lambda t: Call(
        f"/api/v1/cameras/{t.extra['ptz_camera']}/ptz/presets"),
    "POST /api/v1/cameras/{camera_id}/ptz/move": lambda t: Call(
        f"/api/v1/cameras/{t.extra['ptz_camera']}/ptz/move", json={"pan": 0.5}),
    "POST /api/v1/cameras/{camera_id}/ptz/stop": lambda t: Call(
        f"/api/v1/cameras/{t.extra['ptz_camera']}/ptz/stop"),
    "POST /api/v1/cameras/{camera_id}/ptz/presets/{token}/goto": lambda t: Call(
        f"/api/v1/cameras/{t.extra['ptz_camera']}/ptz/presets/1/goto"),
    "POST /api/v1/cameras/{camera_id}/ptz/presets": lambda t: Call(
        f"/api/v1/cameras/{t.extra['ptz_camera']}/ptz/presets", json={"name": "x"}),
    "GET /api/v1/camera-health": lambda t: Call("/api/v1/camera-health",
                                                params={"station_code": t.station}),
    "GET /api/v1/camera-health/uptime": lambda t: Call("/api/v1/camera-health/uptime",
                                                       params={"station_code": t.station}),
    "GET /api/v1/cameras/{camera_id}/health-history": lambda t: Call(
        f"/api/v1/cameras/{t.camera}/health-history"),
    "POST /api/v1/stations/{station_code}/assets/import": lambda t: Call(
        f"/api/v1/stations/{t.station}/assets/import", params={"format": "csv"},
        content=("kind,code,name_th,lat,lon,owner_class\ncamera_point,"
                 f"MX-IMP-{t.extra['n']},จุด,13.7300,100.4700,police\n").encode(),
        headers={"Content-Type": "text/csv"}),
    "GET /api/v1/stations/{station_code}/assets/export": lambda t: Call(
        f"/api/v1/stations/{t.station}/assets/export"),
    "GET /api/v1/stations/{station_code}/facts": lambda t: Call(
        f"/api/v1/stations/{t.station}/facts"),
    "PUT /api/v1/stations/{station_code}/facts/{key}": lambda t: Call(
        f"/api/v1/stations/{t.station}/facts/population", json={
            "value": 1000 + int(t.extra["n"]), "status": "approximate", "source": "matrix"}),
    "POST /api/v1/stations/{station_code}/records/import": _records_upload,
    "GET /api/v1/stations/{station_code}/record-imports": lambda t: Call(
        f"/api/v1/stations/{t.station}/record-imports"),
    "DELETE /api/v1/record-imports/{import_id}": lambda t: Call(
        f"/api/v1/record-imports/{t.extra['record_import']}"),
    "GET /api/v1/stations/{station_code}/records": lambda t: Call(
        f"/api/v1/stations/{t.station}/records", params={"group": "property"}),
    "GET /api/v1/stations/{station_code}/zone-candidates": lambda t: Call(
        f"/api/v1/stations/{t.station}/zone-candidates"),
    "POST /api/v1/stations/{station_code}/zone-candidates": lambda t: Call(
        f"/api/v1/stations/{t.station}/zone-candidates", json=_zone_candidate(t),
        headers=_once("zonecandidate", t)),
    "GET /api/v1/stations/{station_code}/zone-candidates/ranking": lambda t: Call(
        f"/api/v1/stations/{t.station}/zone-candidates/ranking"),
    "GET /api/v1/stations/{station_code}/zone-candidates/{candidate_id}": lambda t: Call(
        f"/api/v1/stations/{t.station}/zone-candidates/{t.extra['zone_candidate']}"),
    "PATCH /api/v1/stations/{station_code}/zone-candidates/{candidate_id}": lambda t: Call(
        f"/api/v1/stations/{t.station}/zone-candidates/{t.extra['zone_candidate']}",
        json={"note": f"matrix {t.extra['n']}"}),
    "GET /api/v1/stations/{station_code}/zone-weights": lambda t: Call(
        f"/api/v1/stations/{t.station}/zone-weights"),
    "PUT /api/v1/stations/{station_code}/zone-weights": lambda t: Call(
        f"/api/v1/stations/{t.station}/zone-weights", json={
            "risk": 1, "landmark": 0.5, "economic": int(t.extra["n"]) % 10 / 10}),
    "GET /api/v1/stations/{station_code}/zone-decisions": lambda t: Call(
        f"/api/v1/stations/{t.station}/zone-decisions"),
    # A decision in force is superseded by naming it; one that does not is a 409 to a
    # granted caller (not a 401/403), and looks missing at another station.
    "POST /api/v1/stations/{station_code}/zone-decisions": lambda t: Call(
        f"/api/v1/stations/{t.station}/zone-decisions", json=_zone_decision(t, t.extra[
            "zone_decision"]), headers=_once("zonedecision", t)),
    "GET /api/v1/stations/{station_code}/zone-decisions/{decision_id}": lambda t: Call(
        f"/api/v1/stations/{t.station}/zone-decisions/{t.extra['zone_decision']}"),
    "GET /api/v1/stations/{station_code}/zones/{zone_code}/before-after": lambda t: Call(
        f"/api/v1/stations/{t.station}/zones/Z-{t.station}/before-after",
        params={"months": 1}),
    "GET /api/v1/stations/{station_code}/kpis": lambda t: Call(
        f"/api/v1/stations/{t.station}/kpis"),
    "GET /api/v1/stations/{station_code}/zones/{zone_code}/kpis": lambda t: Call(
        f"/api/v1/stations/{t.station}/zones/Z-{t.station}/kpis"),
    "PUT /api/v1/stations/{station_code}/kpi-targets/{key}": lambda t: Call(
        f"/api/v1/stations/{t.station}/kpi-targets/response_p1", json={
            "value": 5 + int(t.extra["n"]) % 10, "note": "matrix"}),
    "GET /api/v1/audit": lambda t: Call("/api/v1/audit"),
    "POST /api/v1/devices": lambda t: Call("/api/v1/devices", json={
        "station_code": t.station, "subject_kind": "asset", "subject_id": t.speaker,
        "label": "matrix"}),
    "GET /api/v1/devices": lambda t: Call("/api/v1/devices"),
    "POST /api/v1/devices/{credential_id}/rotate": lambda t: Call(
        f"/api/v1/devices/{t.credential}/rotate"),
    "POST /api/v1/devices/{credential_id}/revoke": lambda t: Call(
        f"/api/v1/devices/{t.credential}/revoke"),
    "GET /api/v1/devices/{credential_id}/health": lambda t: Call(
        f"/api/v1/devices/{t.credential}/health"),
    "GET /api/v1/gateways/osmand": lambda t: Call(
        "/api/v1/gateways/osmand", params={"id": "unknown-phone", "lat": 13.73, "lon": 100.47}),
    "POST /api/v1/gateways/osmand": lambda t: Call(
        "/api/v1/gateways/osmand", data={"id": "unknown-phone", "lat": "13.73",
                                         "lon": "100.47"}),
    "POST /api/v1/gateways/lpr/hikvision/{external_id}": lambda t: Call(
        "/api/v1/gateways/lpr/hikvision/unknown", content=b"<x/>"),
    "POST /api/v1/gateways/lpr/openalpr/{external_id}": lambda t: Call(
        "/api/v1/gateways/lpr/openalpr/unknown", json={}),
    "POST /api/v1/gateways/lpr/generic/{external_id}": lambda t: Call(
        "/api/v1/gateways/lpr/generic/unknown", json={}),
    "POST /api/v1/intake/events": lambda t: Call("/api/v1/intake/events", json={
        "kind": "sos.press", "device_event_id": f"mx-{t.extra['n']}",
        "event_time": t.extra["now"]}),
    "POST /api/v1/intake/events/batch": lambda t: Call("/api/v1/intake/events/batch", json={
        "events": [{"kind": "sos.press", "device_event_id": f"mxb-{t.extra['n']}",
                    "event_time": t.extra["now"]}]}),
    "POST /line/webhook": lambda t: Call("/line/webhook", content=LINE_BODY,
                                         headers=LINE_FORGED),
    "POST /line/webhook/{station_code}": lambda t: Call(
        f"/line/webhook/{t.station}", content=LINE_BODY, headers=LINE_FORGED),
    "GET /api/v1/line/channels": lambda t: Call("/api/v1/line/channels"),
    "POST /api/v1/line/channels": lambda t: Call("/api/v1/line/channels", json={
        "station_code": t.station, "name": "x", "line_channel_id": f"17{t.extra['n']:0>8}",
        "channel_secret": "0123456789abcdef" * 2, "access_token": "matrix-token-" * 3}),
    "POST /api/v1/line/channels/{channel_id}/rotate": lambda t: Call(
        f"/api/v1/line/channels/{t.extra['line_channel']}/rotate",
        json={"access_token": "rotated-matrix-token-0123456789"}),
    "GET /api/v1/incidents": lambda t: Call("/api/v1/incidents",
                                            params={"station_code": t.station}),
    "GET /api/v1/incidents/{incident_id}": lambda t: Call(f"/api/v1/incidents/{t.incident}"),
    "POST /api/v1/incidents/{incident_id}/acknowledge": lambda t: Call(
        f"/api/v1/incidents/{t.incident}/acknowledge"),
    "POST /api/v1/incidents/{incident_id}/transition": lambda t: Call(
        f"/api/v1/incidents/{t.incident}/transition", json={"to": "acknowledged"}),
    "POST /api/v1/incidents/{incident_id}/dispatch": lambda t: Call(
        f"/api/v1/incidents/{t.incident}/dispatch", json={"unit_id": t.unit}),
    "POST /api/v1/incidents/{incident_id}/units/{unit_id}/release": lambda t: Call(
        f"/api/v1/incidents/{t.incident}/units/{t.unit}/release"),
    "POST /api/v1/incidents/{incident_id}/notes": lambda t: Call(
        f"/api/v1/incidents/{t.incident}/notes", json={"text": "matrix"}),
    "GET /api/v1/calls/catalog": lambda t: Call("/api/v1/calls/catalog"),
    "GET /api/v1/places/thai-address": lambda t: Call(
        "/api/v1/places/thai-address", params={"province": "พิษณุโลก"}),
    "POST /api/v1/calls": lambda t: Call("/api/v1/calls", json=_call_body(t.station),
                                         headers=_once("call", t)),
    "GET /api/v1/incidents/{incident_id}/call": lambda t: Call(
        f"/api/v1/incidents/{t.extra['call_incident']}/call"),
    "GET /api/v1/incidents/search": lambda t: Call(
        "/api/v1/incidents/search", params={"station_code": t.station, "state": "new"}),
    "GET /api/v1/incidents/search.csv": lambda t: Call(
        "/api/v1/incidents/search.csv", params={"station_code": t.station, "kind": "sos"}),
    "GET /api/v1/hotspots/cells": lambda t: Call(
        "/api/v1/hotspots/cells", params={"station_code": t.station, "method": "gi_star"}),
    "GET /api/v1/hotspots/h3": lambda t: Call(
        "/api/v1/hotspots/h3", params={"station_code": t.station, "resolution": 9}),
    "GET /api/v1/hotspots/knox": lambda t: Call(
        "/api/v1/hotspots/knox", params={"station_code": t.station, "distance_m": 200}),
    "GET /api/v1/hotspots/forecast": lambda t: Call(
        "/api/v1/hotspots/forecast", params={
            "station_code": t.station, "since": "2020-01-01T00:00:00Z",
            "split": "2021-01-01T00:00:00Z", "until": "2022-01-01T00:00:00Z"}),
    "GET /api/v1/incidents/{incident_id}/report.pdf": lambda t: Call(
        f"/api/v1/incidents/{t.incident}/report.pdf"),
    "GET /api/v1/incidents/{incident_id}/report.csv": lambda t: Call(
        f"/api/v1/incidents/{t.incident}/report.csv"),
    "GET /api/v1/units": lambda t: Call("/api/v1/units", params={"station_code": t.station}),
    "POST /api/v1/units": lambda t: Call("/api/v1/units", json={
        "station_code": t.station, "code": f"MX-{t.extra['n']}", "callsign": "x",
        "kind": "car", "status": "available"}),
    "GET /api/v1/units/{unit_id}": lambda t: Call(f"/api/v1/units/{t.unit}"),
    "GET /api/v1/unit-board": lambda t: Call("/api/v1/unit-board",
                                             params={"station_code": t.station}),
    "POST /api/v1/unit-board/{unit_id}/status": lambda t: Call(
        f"/api/v1/unit-board/{t.unit}/status", json={"status": "available"}),
    "POST /api/v1/unit-board/{unit_id}/reassign": lambda t: Call(
        f"/api/v1/unit-board/{t.unit}/reassign", json={"incident_id": t.incident}),
    "POST /api/v1/units/{unit_id}/status": lambda t: Call(
        f"/api/v1/units/{t.unit}/status", json={"status": "available"}),
    "GET /api/v1/units/{unit_id}/track": lambda t: Call(f"/api/v1/units/{t.unit}/track"),
    "GET /api/v1/units/{unit_id}/track/summary": lambda t: Call(
        f"/api/v1/units/{t.unit}/track/summary"),
    "GET /api/v1/patrol/geofence-events": lambda t: Call(
        "/api/v1/patrol/geofence-events", params={"station_code": t.station}),
    "GET /api/v1/patrol/presence": lambda t: Call(
        "/api/v1/patrol/presence", params={"station_code": t.station}),
    "GET /api/v1/stations/{station_code}/response-times": lambda t: Call(
        f"/api/v1/stations/{t.station}/response-times"),
    "GET /api/v1/stations/{station_code}/rules": lambda t: Call(
        f"/api/v1/stations/{t.station}/rules"),
    "PUT /api/v1/stations/{station_code}/rules": lambda t: Call(
        f"/api/v1/stations/{t.station}/rules", json=[]),
    "GET /api/v1/stations-rollup": lambda t: Call("/api/v1/stations-rollup"),
    "GET /api/v1/program": lambda t: Call("/api/v1/program"),
    "GET /api/v1/scorecard": lambda t: Call("/api/v1/scorecard"),
    "PUT /api/v1/stations/{station_code}/rollout": lambda t: Call(
        f"/api/v1/stations/{t.station}/rollout", json={
            "started_on": "2021-09-21", "phase": 1, "source": f"matrix {t.extra['n']}"}),
    "GET /api/v1/stations/{station_code}/reports/monthly": lambda t: Call(
        f"/api/v1/stations/{t.station}/reports/monthly",
        params={"month": "2025-12", "format": "csv"}),
    "GET /api/v1/reports/monthly": lambda t: Call(
        "/api/v1/reports/monthly", params={"month": "2025-12", "format": "csv"}),
    "GET /api/v1/reports/monthly/archive": lambda t: Call(
        "/api/v1/reports/monthly/archive", params={"unit_code": t.station}),
    "GET /api/v1/reports/monthly/archive/{report_id}": lambda t: Call(
        f"/api/v1/reports/monthly/archive/{t.extra['monthly_report']}"),
    "GET /api/v1/stations/{station_code}/panel": lambda t: Call(
        f"/api/v1/stations/{t.station}/panel"),
    "WS /api/v1/stream": lambda t: Call("/api/v1/stream", params={"station": t.station}),
    "GET /api/v1/stations/{station_code}/shift": lambda t: Call(
        f"/api/v1/stations/{t.station}/shift"),
    "POST /api/v1/stations/{station_code}/shift/on-duty": lambda t: Call(
        f"/api/v1/stations/{t.station}/shift/on-duty"),
    "GET /api/v1/stations/{station_code}/shift/log": lambda t: Call(
        f"/api/v1/stations/{t.station}/shift/log"),
    "POST /api/v1/stations/{station_code}/shift/log": lambda t: Call(
        f"/api/v1/stations/{t.station}/shift/log",
        json={"kind": "event", "text": "matrix", "incident_id": t.incident}),
    "POST /api/v1/stations/{station_code}/shift/handovers": lambda t: Call(
        f"/api/v1/stations/{t.station}/shift/handovers", json={"notes": "matrix"}),
    "POST /api/v1/shift-handovers/{handover_id}/acknowledge": lambda t: Call(
        f"/api/v1/shift-handovers/{t.extra['handover']}/acknowledge", json={}),
    "GET /api/v1/stations/{station_code}/shift/report.pdf": lambda t: Call(
        f"/api/v1/stations/{t.station}/shift/report.pdf"),
    "POST /api/v1/stations/{station_code}/shift/off-duty": lambda t: Call(
        f"/api/v1/stations/{t.station}/shift/off-duty", json={}),
    "GET /api/v1/speaker-messages": lambda t: Call("/api/v1/speaker-messages"),
    "POST /api/v1/assets/{asset_id}/commands": lambda t: Call(
        f"/api/v1/assets/{t.speaker}/commands", json={"type": "announce", "text": "matrix"}),
    "GET /api/v1/announce-groups": lambda t: Call(
        "/api/v1/announce-groups", params={"station_code": t.station}),
    "POST /api/v1/announce-groups": lambda t: Call("/api/v1/announce-groups", json={
        "station_code": t.station, "name": f"MX {t.extra['n']}",
        "asset_codes": [f"{t.station}-SOS1"]}),
    "GET /api/v1/announcements": lambda t: Call(
        "/api/v1/announcements", params={"station_code": t.station}),
    "POST /api/v1/announcements": lambda t: Call("/api/v1/announcements", json={
        "group_id": t.extra["announce_group"], "message_id": "speaker_test"}),
    "GET /api/v1/announce-schedules": lambda t: Call(
        "/api/v1/announce-schedules", params={"station_code": t.station}),
    "POST /api/v1/announce-schedules": lambda t: Call("/api/v1/announce-schedules", json={
        "group_id": t.extra["announce_group"], "message_id": "cctv_warning",
        "starts_at": t.extra["plan_to"], "ends_at": t.extra["plan_to_later"],
        "every_min": 60}),
    "POST /api/v1/announce-schedules/{schedule_id}/stop": lambda t: Call(
        f"/api/v1/announce-schedules/{t.extra['announce_schedule']}/stop"),
    "GET /api/v1/assets/{asset_id}/commands": lambda t: Call(
        f"/api/v1/assets/{t.speaker}/commands"),
    "POST /api/v1/hotlists": lambda t: Call("/api/v1/hotlists", json={
        "station_code": t.station, "plate": "กข 1234", "reason": "matrix test"}),
    "GET /api/v1/hotlists": lambda t: Call("/api/v1/hotlists",
                                           params={"station_code": t.station}),
    "DELETE /api/v1/hotlists/{entry_id}": lambda t: Call(f"/api/v1/hotlists/{t.hotlist}"),
    "GET /api/v1/plate-reads": lambda t: Call("/api/v1/plate-reads", params={
        "plate": "กข1234", "purpose": "matrix test purpose", "station_code": t.station}),
    "GET /api/v1/plate-reads/retention": lambda t: Call(
        "/api/v1/plate-reads/retention", params={"station_code": t.station}),
    "PUT /api/v1/plate-reads/retention": lambda t: Call(
        "/api/v1/plate-reads/retention", json={"station_code": t.station, "days": 30}),
    "GET /api/v1/citizen/items": lambda t: Call("/api/v1/citizen/items",
                                                params={"station": t.station}),
    "GET /api/v1/citizen/items/{item_id}": lambda t: Call(
        f"/api/v1/citizen/items/{t.extra['report']}"),
    "GET /api/v1/citizen/items/{item_id}/media/{media_id}": lambda t: Call(
        f"/api/v1/citizen/items/{t.extra['report']}/media/{t.extra['media']}"),
    "POST /api/v1/citizen/items/{item_id}/messages": lambda t: Call(
        f"/api/v1/citizen/items/{t.extra['report']}/messages", json={"text": "matrix"}),
    "POST /api/v1/citizen/items/{item_id}/acknowledge": lambda t: Call(
        f"/api/v1/citizen/items/{t.extra['report']}/acknowledge"),
    "POST /api/v1/citizen/items/{item_id}/merge": lambda t: Call(
        f"/api/v1/citizen/items/{t.extra['report2']}/merge", json={"into": t.extra['report']}),
    "POST /api/v1/citizen/items/{item_id}/incident": lambda t: Call(
        f"/api/v1/citizen/items/{t.extra['report']}/incident", json={"priority": 3}),
    "POST /api/v1/citizen/items/{item_id}/close": lambda t: Call(
        f"/api/v1/citizen/items/{t.extra['tip']}/close", json={"disposition": "no_trace"}),
    "POST /api/v1/citizen/items/{item_id}/assign": lambda t: Call(
        f"/api/v1/citizen/items/{t.extra['tip']}/assign", json={"username": "a.investigator"}),
    "GET /api/v1/citizen/items/{item_id}/identity": lambda t: Call(
        f"/api/v1/citizen/items/{t.extra['tip']}/identity"),
    "GET /api/v1/public/catalog": lambda t: Call("/api/v1/public/catalog"),
    "GET /api/v1/public/stations/locate": lambda t: Call(
        "/api/v1/public/stations/locate", params=dict(zip(("lat", "lon"), _point(t),
                                                          strict=True))),
    "POST /api/v1/public/emergencies": lambda t: Call(
        "/api/v1/public/emergencies", json=phone.emergency(phone.new_key(), *_point(t))),
    "POST /api/v1/public/emergencies/{code}/fixes": lambda t: Call(
        f"/api/v1/public/emergencies/{t.extra['emergency_code']}/fixes",
        headers={"X-Caller-Key": t.extra["emergency_key"]},
        json={"fixes": [{"lat": _point(t)[0], "lon": _point(t)[1], "at": t.extra["now"]}]}),
    "GET /api/v1/public/reports/similar": lambda t: Call(
        "/api/v1/public/reports/similar", params={
            "category": "street_light", "lat": _point(t)[0], "lon": _point(t)[1]}),
    "POST /api/v1/public/reports": lambda t: Call(
        "/api/v1/public/reports", json=phone.report(phone.new_key(), *_point(t))),
    "POST /api/v1/public/tickets/{code}/media": _photo,
    "GET /api/v1/public/tickets/{code}": lambda t: Call(
        f"/api/v1/public/tickets/{t.extra['report_code']}"),
    "POST /api/v1/public/tickets/{code}/messages": lambda t: Call(
        f"/api/v1/public/tickets/{t.extra['report_code']}/messages", json={"text": "matrix"},
        headers={"X-Caller-Key": t.extra["report_key"]}),
    "POST /api/v1/public/tips": lambda t: Call(
        "/api/v1/public/tips", json=phone.tip(phone.new_key(), anonymous=True,
                                              lat=_point(t)[0], lon=_point(t)[1])),
    "POST /api/v1/public/tips/{code}/followup": lambda t: Call(
        f"/api/v1/public/tips/{t.extra['tip_code']}/followup",
        json={"followup_code": "AAAA-BBBB-CCCC-DDDD"}),
    "GET /api/v1/public/my-data/{code}": lambda t: Call(
        f"/api/v1/public/my-data/{t.extra['report_code']}",
        headers={"X-Caller-Key": t.extra["report_key"]}),
    "DELETE /api/v1/public/my-data/{code}": lambda t: Call(
        f"/api/v1/public/my-data/{t.extra['report2_code']}",
        headers={"X-Caller-Key": t.extra["report2_key"]}),
    "GET /open311/v2/discovery.json": lambda t: Call("/open311/v2/discovery.json"),
    "GET /open311/v2/services.json": lambda t: Call("/open311/v2/services.json"),
    # Open311 clients authenticate with their api_key, never with a login: people are refused.
    "POST /open311/v2/requests.json": lambda t: Call("/open311/v2/requests.json", data={
        "service_code": "street_light", "lat": str(_point(t)[0]), "long": str(_point(t)[1]),
        "description": "matrix"}),
    "GET /open311/v2/requests.json": lambda t: Call("/open311/v2/requests.json"),
    "GET /open311/v2/requests/{code}.json": lambda t: Call(
        f"/open311/v2/requests/{t.extra['report_code']}.json"),
    "GET /api/v1/open311/clients": lambda t: Call("/api/v1/open311/clients"),
    "POST /api/v1/open311/clients": lambda t: Call("/api/v1/open311/clients", json={
        "partner_code": f"SHOP-{t.station}", "label": f"matrix {t.extra['n']}"}),
    "DELETE /api/v1/open311/clients/{client_id}": lambda t: Call(
        f"/api/v1/open311/clients/{t.extra['open311_client']}"),
    "GET /api/v1/officer/units": lambda t: Call("/api/v1/officer/units"),
    "POST /api/v1/officer/shift": lambda t: Call(
        "/api/v1/officer/shift", json={"unit_id": t.unit}, headers=_once("shift", t)),
    "POST /api/v1/officer/shift/end": lambda t: Call(
        "/api/v1/officer/shift/end", json={}, headers=_once("end")),
    "GET /api/v1/officer/me": lambda t: Call("/api/v1/officer/me"),
    "POST /api/v1/officer/status": lambda t: Call(
        "/api/v1/officer/status", json={"status": "available"}, headers=_once("status")),
    "POST /api/v1/officer/incident/notes": lambda t: Call(
        "/api/v1/officer/incident/notes", json={"text": "matrix"}, headers=_once("note")),
    "POST /api/v1/officer/incident/photos": _officer_photo_upload,
    "GET /api/v1/officer/incident/photos/{photo_id}": lambda t: Call(
        f"/api/v1/officer/incident/photos/{t.extra['officer_photo']}"),
    # Fixes a week old and an SOS from outside Thailand: refused (422, or 409 off shift)
    # after the access check, so no granted call leaves the engine working while a later
    # cell counts the rows (an SOS from a phone with a wrong clock is taken at server time).
    "POST /api/v1/officer/positions": lambda t: Call("/api/v1/officer/positions", json={
        "fixes": [{"id": "mx-fix", "at": _week_ago(t), "lat": STATIONS["ST-A"][1],
                   "lon": STATIONS["ST-A"][2], "accuracy_m": 10}]}),
    "POST /api/v1/officer/sos": lambda t: Call("/api/v1/officer/sos", json={
        "id": "mx-sos", "at": t.extra["now"], "lat": 51.5, "lon": -0.12, "accuracy_m": 10}),
    "POST /api/v1/officer/sos/safe": lambda t: Call("/api/v1/officer/sos/safe",
                                                    headers=_once("safe")),
    "POST /api/v1/officer/checkins": lambda t: Call("/api/v1/officer/checkins", json={
        "code": t.extra["redbox_code"], "scanned_at": t.extra["now"], "lat": _point(t)[0],
        "lon": _point(t)[1], "accuracy_m": 5},
        headers={"Idempotency-Key": f"matrix-checkin-{t.extra['n']}"}),
    "POST /api/v1/officer/checkins/{checkin_id}/photo": lambda t: _checkin_photo(t),
    "GET /api/v1/checkins": lambda t: Call("/api/v1/checkins",
                                           params={"station_code": t.station}),
    "GET /api/v1/checkins/{checkin_id}/photo": lambda t: Call(
        f"/api/v1/checkins/{t.extra['checkin_with_photo']}/photo"),
    "GET /api/v1/red-boxes": lambda t: Call("/api/v1/red-boxes",
                                            params={"station_code": t.station}),
    "GET /api/v1/red-boxes/sheet.pdf": lambda t: Call("/api/v1/red-boxes/sheet.pdf",
                                                      params={"station_code": t.station}),
    "POST /api/v1/red-boxes/{asset_id}/key": lambda t: Call(
        f"/api/v1/red-boxes/{t.extra['redbox']}/key", json={"mode": "printed"}),
    "GET /api/v1/patrol/risk-spots": lambda t: Call("/api/v1/patrol/risk-spots",
                                                    params={"station_code": t.station}),
    "POST /api/v1/patrol/risk-spots": lambda t: Call("/api/v1/patrol/risk-spots", json={
        "station_code": t.station, "code": f"MX-{t.extra['n']}", "name_th": "จุดเสี่ยง",
        "lat": _point(t)[0], "lon": _point(t)[1], "risk_score": 0.5}),
    "PATCH /api/v1/patrol/risk-spots/{spot_id}": lambda t: Call(
        f"/api/v1/patrol/risk-spots/{t.extra['risk_spot']}", json={"risk_score": 0.4}),
    "DELETE /api/v1/patrol/risk-spots/{spot_id}": lambda t: Call(
        f"/api/v1/patrol/risk-spots/{t.extra['risk_spot']}"),
    "GET /api/v1/patrol/plans": lambda t: Call("/api/v1/patrol/plans",
                                               params={"station_code": t.station}),
    "POST /api/v1/patrol/plans": lambda t: Call("/api/v1/patrol/plans", json={
        "station_code": t.station, "name": "แผน", "starts_at": t.extra["plan_from"],
        "ends_at": t.extra["plan_to"], "auto": True}),
    "GET /api/v1/patrol/plans/{plan_id}": lambda t: Call(
        f"/api/v1/patrol/plans/{t.extra['plan']}"),
    "PUT /api/v1/patrol/plans/{plan_id}/units": lambda t: Call(
        f"/api/v1/patrol/plans/{t.extra['plan']}/units", json={"unit_ids": [t.unit]}),
    "POST /api/v1/patrol/plans/{plan_id}/cancel": lambda t: Call(
        f"/api/v1/patrol/plans/{t.extra['plan']}/cancel"),
    "GET /api/v1/officer/plan": lambda t: Call("/api/v1/officer/plan"),
    "GET /api/v1/patrol/checkpoints": lambda t: Call("/api/v1/patrol/checkpoints",
                                                     params={"station_code": t.station}),
    "GET /api/v1/patrol/checkpoints/totals": lambda t: Call(
        "/api/v1/patrol/checkpoints/totals", params={"station_code": t.station}),
    "POST /api/v1/patrol/checkpoints": lambda t: Call("/api/v1/patrol/checkpoints", json={
        "station_code": t.station, "name_th": "จุดตรวจ", "lat": _point(t)[0],
        "lon": _point(t)[1], "starts_at": t.extra["plan_from"], "ends_at": t.extra["plan_to"]}),
    "GET /api/v1/patrol/checkpoints/{checkpoint_id}": lambda t: Call(
        f"/api/v1/patrol/checkpoints/{t.extra['checkpoint']}"),
    "PATCH /api/v1/patrol/checkpoints/{checkpoint_id}": lambda t: Call(
        f"/api/v1/patrol/checkpoints/{t.extra['checkpoint']}", json={"arrests": 1}),
    "GET /api/v1/officer/checkpoints": lambda t: Call("/api/v1/officer/checkpoints"),
    "POST /api/v1/officer/checkpoints/{checkpoint_id}/log": lambda t: Call(
        f"/api/v1/officer/checkpoints/{t.extra['checkpoint']}/log",
        json={"vehicles": 1, "persons": 1, "arrests": 0},
        headers={"Idempotency-Key": f"matrix-{t.extra['n']}"}),
    "GET /api/v1/public/lostdocs/catalog": lambda t: Call("/api/v1/public/lostdocs/catalog"),
    "POST /api/v1/public/lostdocs": lambda t: Call("/api/v1/public/lostdocs", json=lost.declaration(
        national_id=lost.thai_id(int(t.extra["n"])), station=t.station)),
    "GET /api/v1/public/lostdocs/verify-key": lambda t: Call(
        "/api/v1/public/lostdocs/verify-key"),
    "GET /api/v1/public/lostdocs/verify": lambda t: Call(
        f"/api/v1/public/lostdocs/verify?{t.extra['lostdoc_verify']}"),
    "GET /lostdocs/verify": lambda t: Call(f"/lostdocs/verify?{t.extra['lostdoc_verify']}"),
    "GET /lostdocs/verify.css": lambda t: Call("/lostdocs/verify.css"),
    "GET /api/v1/public/lostdocs/{code}": lambda t: Call(
        f"/api/v1/public/lostdocs/{t.extra['lostdoc_code']}",
        headers={"X-Caller-Key": t.extra["lostdoc_key"]}),
    "GET /api/v1/public/lostdocs/{code}/certificate.pdf": lambda t: Call(
        f"/api/v1/public/lostdocs/{t.extra['lostdoc_code']}/certificate.pdf",
        headers={"X-Caller-Key": t.extra["lostdoc_key"]}),
    "GET /api/v1/lostdocs": lambda t: Call("/api/v1/lostdocs",
                                           params={"station_code": t.station}),
    "GET /api/v1/lostdocs/flags": lambda t: Call("/api/v1/lostdocs/flags",
                                                 params={"station_code": t.station}),
    "GET /api/v1/lostdocs/settings": lambda t: Call("/api/v1/lostdocs/settings",
                                                    params={"station_code": t.station}),
    "PUT /api/v1/lostdocs/settings": lambda t: Call("/api/v1/lostdocs/settings", json={
        "station_code": t.station, "auto_issue": True, "repeat_days": 30}),
    "GET /api/v1/lostdocs/{report_id}": lambda t: Call(
        f"/api/v1/lostdocs/{t.extra['lostdoc']}"),
    "POST /api/v1/lostdocs/{report_id}/issue": lambda t: Call(
        f"/api/v1/lostdocs/{t.extra['lostdoc_pending']}/issue"),
    "POST /api/v1/lostdocs/{report_id}/revoke": lambda t: Call(
        f"/api/v1/lostdocs/{t.extra['lostdoc_revoke']}/revoke", json={"reason": "matrix"}),
    "GET /api/v1/lostdocs/{report_id}/certificate.pdf": lambda t: Call(
        f"/api/v1/lostdocs/{t.extra['lostdoc']}/certificate.pdf"),
    "GET /api/v1/public/home-watch/terms": lambda t: Call("/api/v1/public/home-watch/terms"),
    "POST /api/v1/public/home-watch": lambda t: Call("/api/v1/public/home-watch",
                                                     json=_homewatch_body(t)),
    "GET /api/v1/public/home-watch/{code}": lambda t: Call(
        f"/api/v1/public/home-watch/{t.extra['hw_code']}",
        headers={"X-Caller-Key": t.extra["hw_key"]}),
    "POST /api/v1/public/home-watch/{code}/photos": lambda t: _homewatch_photo(t),
    "GET /api/v1/public/home-watch/{code}/visits/{visit_id}/photo": lambda t: Call(
        f"/api/v1/public/home-watch/{t.extra['hw_code']}/visits/{t.extra['hw_visit']}/photo",
        headers={"X-Caller-Key": t.extra["hw_key"]}),
    "POST /api/v1/public/home-watch/{code}/cancel": lambda t: Call(
        f"/api/v1/public/home-watch/{t.extra['hw_cancel_code']}/cancel",
        headers={"X-Caller-Key": t.extra["hw_cancel_key"]}),
    "GET /api/v1/home-watch": lambda t: Call("/api/v1/home-watch",
                                             params={"station_code": t.station}),
    "GET /api/v1/home-watch/{request_id}": lambda t: Call(
        f"/api/v1/home-watch/{t.extra['hw']}"),
    "POST /api/v1/home-watch/{request_id}/approve": lambda t: Call(
        f"/api/v1/home-watch/{t.extra['hw_pending']}/approve"),
    "POST /api/v1/home-watch/{request_id}/decline": lambda t: Call(
        f"/api/v1/home-watch/{t.extra['hw_pending']}/decline",
        json={"reason": "นอกเขตที่รับฝากบ้าน"}),
    "GET /api/v1/home-watch/photos/{photo_id}": lambda t: Call(
        f"/api/v1/home-watch/photos/{t.extra['hw_photo']}"),
    "GET /api/v1/home-watch/visits/{visit_id}/photo": lambda t: Call(
        f"/api/v1/home-watch/visits/{t.extra['hw_visit']}/photo"),
    "GET /api/v1/officer/home-watch": lambda t: Call("/api/v1/officer/home-watch"),
    "POST /api/v1/officer/home-watch/{request_id}/visits": lambda t: Call(
        f"/api/v1/officer/home-watch/{t.extra['hw']}/visits", json={
            "lat": _point(t)[0], "lon": _point(t)[1], "accuracy_m": 8, "finding": "normal"},
        headers=_once("hwvisit", t)),
    "POST /api/v1/officer/home-watch/visits/{visit_id}/photo": lambda t: Call(
        f"/api/v1/officer/home-watch/visits/{t.extra['hw_visit']}/photo",
        content=_multipart("file", "v.jpg", phone.photo(9), "image/jpeg")[0],
        headers={"Content-Type": _multipart("file", "v.jpg", b"", "image/jpeg")[1]}),
    "GET /api/v1/consult/consultants": lambda t: Call(
        "/api/v1/consult/consultants", params={"station_code": t.station}),
    "POST /api/v1/consult/consultants": lambda t: Call("/api/v1/consult/consultants", json={
        "station_code": t.station, "username": f"mx.adviser2-{t.station.lower()}"}),
    "DELETE /api/v1/consult/consultants/{consultant_id}": lambda t: Call(
        f"/api/v1/consult/consultants/{t.extra['consultant_spare']}"),
    "GET /api/v1/consult/slots": lambda t: Call("/api/v1/consult/slots",
                                                params={"station_code": t.station}),
    "POST /api/v1/consult/slots": lambda t: Call("/api/v1/consult/slots", json={
        "consultant_id": t.extra["consultant"],
        "starts_at": _slot_time(t, 20, 35 * (int(t.extra["n"]) % 1000)),
        "ends_at": _slot_time(t, 20, 35 * (int(t.extra["n"]) % 1000) + 30),
        "channels": ["station"]}),
    "POST /api/v1/consult/slots/{slot_id}/cancel": lambda t: Call(
        f"/api/v1/consult/slots/{t.extra['slot_cancel']}/cancel", json={"reason": "matrix"}),
    "GET /api/v1/consult/requests": lambda t: Call("/api/v1/consult/requests",
                                                   params={"station_code": t.station}),
    "GET /api/v1/consult/requests/{request_id}": lambda t: Call(
        f"/api/v1/consult/requests/{t.extra['request']}"),
    "POST /api/v1/consult/requests/{request_id}/cancel": lambda t: Call(
        f"/api/v1/consult/requests/{t.extra['request_cancel']}/cancel", json={"reason": "mx"}),
    "POST /api/v1/consult/requests/{request_id}/close": lambda t: Call(
        f"/api/v1/consult/requests/{t.extra['request']}/close", json={"outcome": "held"}),
    "GET /api/v1/consult/requests/{request_id}/notes": lambda t: Call(
        f"/api/v1/consult/requests/{t.extra['request']}/notes"),
    "POST /api/v1/consult/requests/{request_id}/notes": lambda t: Call(
        f"/api/v1/consult/requests/{t.extra['request']}/notes", json={"text": "matrix"}),
    "GET /api/v1/public/consult/slots": lambda t: Call(
        "/api/v1/public/consult/slots", params={"station_code": t.station}),
    "POST /api/v1/public/consult/requests": lambda t: Call(
        "/api/v1/public/consult/requests", json=consult_phone.booking(t.extra["slot_public"])),
    "GET /api/v1/public/consult/requests/{code}": lambda t: Call(
        f"/api/v1/public/consult/requests/{t.extra['request_citizen_code']}",
        headers={"X-Caller-Key": t.extra["request_citizen_key"]}),
    "POST /api/v1/public/consult/requests/{code}/cancel": lambda t: Call(
        f"/api/v1/public/consult/requests/{t.extra['request_citizen_code']}/cancel",
        headers={"X-Caller-Key": t.extra["request_citizen_key"]}),
    "GET /api/v1/posts": lambda t: Call("/api/v1/posts", params={"station_code": t.station}),
    "POST /api/v1/posts": lambda t: Call("/api/v1/posts", json={
        "station_code": t.station, "name_th": f"จุด MX {t.extra['n']}", "name_en": "MX post",
        "lat": _point(t)[0], "lon": _point(t)[1]}),
    "PUT /api/v1/posts/{post_id}/hours": lambda t: Call(
        f"/api/v1/posts/{t.extra['post']}/hours", json={"hours": ALL_WEEK}),
    "POST /api/v1/posts/{post_id}/roster": lambda t: Call(
        f"/api/v1/posts/{t.extra['post']}/roster",
        json={"username": f"mx.vol2-{t.station.lower()}"}),
    "DELETE /api/v1/posts/{post_id}/roster/{user_id}": lambda t: Call(
        f"/api/v1/posts/{t.extra['post']}/roster/{t.extra['roster_spare']}"),
    "GET /api/v1/posts/mine": lambda t: Call("/api/v1/posts/mine"),
    "POST /api/v1/posts/{post_id}/reports": lambda t: Call(
        f"/api/v1/posts/{t.extra['post']}/reports", json={
            "client_key": phone.new_key(), "category": "theft", "description": "matrix",
            "consent": phone.consent("report")}),
    "POST /api/v1/posts/{post_id}/consult-requests": lambda t: Call(
        f"/api/v1/posts/{t.extra['post']}/consult-requests",
        json=consult_phone.booking(t.extra["slot_post"], channel="post")),
    "GET /api/v1/workorders": lambda t: Call("/api/v1/workorders",
                                             params={"station_code": t.station}),
    "POST /api/v1/workorders": lambda t: Call("/api/v1/workorders", json=_workorder_body(
        t.station), headers=_once("workorder", t)),
    "GET /api/v1/workorders/{order_id}": lambda t: Call(
        f"/api/v1/workorders/{t.extra['workorder']}"),
    "POST /api/v1/workorders/{order_id}/actions": lambda t: Call(
        f"/api/v1/workorders/{t.extra['workorder']}/actions",
        json={"action": "cancel", "note": "matrix"}),
    "POST /api/v1/citizen/items/{item_id}/workorder": lambda t: Call(
        f"/api/v1/citizen/items/{t.extra['lamp']}/workorder",
        json={"partner_code": f"SHOP-{t.station}", "description": "ไฟดับ ซ่อมด้วย"}),
    "POST /api/v1/incidents/{incident_id}/workorder": lambda t: Call(
        f"/api/v1/incidents/{t.incident}/workorder", json={"partner_code": f"SHOP-{t.station}"}),
    # A partner's own cells are tried on another partner's order (it must look missing).
    "GET /api/v1/partner/workorders": lambda t: Call("/api/v1/partner/workorders"),
    "GET /api/v1/partner/workorders/{order_id}": lambda t: Call(
        f"/api/v1/partner/workorders/{t.extra['workorder_other']}"),
    "POST /api/v1/partner/workorders/{order_id}/actions": lambda t: Call(
        f"/api/v1/partner/workorders/{t.extra['workorder_other']}/actions",
        json={"action": "accept"}),
    "GET /api/v1/footage-requests": lambda t: Call("/api/v1/footage-requests",
                                                   params={"station_code": t.station}),
    "POST /api/v1/footage-requests": lambda t: Call(
        "/api/v1/footage-requests", json=_footage_body(t.station, t.extra["now"]),
        headers=_once("footage", t)),
    "GET /api/v1/footage-requests/{request_id}": lambda t: Call(
        f"/api/v1/footage-requests/{t.extra['footage']}"),
    "POST /api/v1/footage-requests/{request_id}/close": lambda t: Call(
        f"/api/v1/footage-requests/{t.extra['footage']}/close", json={"note": "matrix"}),
    "GET /api/v1/footage-requests/{request_id}/files/{file_id}": lambda t: Call(
        f"/api/v1/footage-requests/{t.extra['footage']}/files/{t.extra['footage_file']}"),
    # A partner's own cells are tried on another partner's request (it must look missing).
    "GET /api/v1/partner/footage-requests": lambda t: Call("/api/v1/partner/footage-requests"),
    "GET /api/v1/partner/footage-requests/{request_id}": lambda t: Call(
        f"/api/v1/partner/footage-requests/{t.extra['footage_other']}"),
    "POST /api/v1/partner/footage-requests/{request_id}/files": lambda t: Call(
        f"/api/v1/partner/footage-requests/{t.extra['footage_other']}/files",
        content=footage_support.video(), headers={"Content-Type": "application/octet-stream"}),
    "POST /api/v1/partner/footage-requests/{request_id}/uploads": lambda t: Call(
        f"/api/v1/partner/footage-requests/{t.extra['footage_other']}/uploads",
        json={"size": 1000}),
    "GET /api/v1/partner/footage-requests/{request_id}/uploads/{upload_id}": lambda t: Call(
        f"/api/v1/partner/footage-requests/{t.extra['footage_other']}/uploads/"
        f"{t.extra['footage_upload']}"),
    "PATCH /api/v1/partner/footage-requests/{request_id}/uploads/{upload_id}": lambda t: Call(
        f"/api/v1/partner/footage-requests/{t.extra['footage_other']}/uploads/"
        f"{t.extra['footage_upload']}", content=footage_support.video()[:100],
        headers={"Content-Type": "application/octet-stream", "Upload-Offset": "0"}),
    "POST /api/v1/partner/footage-requests/{request_id}/grant": lambda t: Call(
        f"/api/v1/partner/footage-requests/{t.extra['footage_other']}/grant", json={}),
    "POST /api/v1/partner/footage-requests/{request_id}/decline": lambda t: Call(
        f"/api/v1/partner/footage-requests/{t.extra['footage_other']}/decline",
        json={"reason": "matrix decline"}),
}


def _footage_body(station: str, now: str, camera: str | None = None) -> dict[str, Any]:
    start = datetime.fromisoformat(now) - timedelta(hours=2)
    return {"station_code": station, "case_number": f"MX/{station}",
            "camera_codes": [camera or f"{station}-SHOP-P1-C1"],
            "window_start": start.isoformat(),
            "window_end": (start + timedelta(minutes=20)).isoformat(), "reason": "matrix"}


def _footage_targets(client: TestClient, admin: dict[str, str], db: Database,
                     clock: ManualClock, settings: Settings, station: str) -> dict[str, str]:
    """A footage request to the test partner's shop with a file on it (uploaded as its
    owner would), and one to another partner (a camera of its own)."""
    out: dict[str, str] = {}
    for name, camera in (("footage", None), ("footage_other", f"{station}-MXO-P1-C1")):
        made = client.post("/api/v1/footage-requests", json=_footage_body(
            station, clock.now().isoformat(), camera), headers={
            **admin, "Idempotency-Key": f"matrix-setup-{name}-{station}"})
        assert made.status_code == 201, made.text
        out[name] = made.json()[0]["id"]
    store = footage_routes.store_of(client.app.state.ctx)  # type: ignore[attr-defined]
    upload = store.begin()
    upload.write(footage_support.video())
    stored = upload.finish()
    with db.write() as s:
        request = s.get(FootageRequest, uuid.UUID(out["footage"]))
        assert request is not None
        owner = Scope(user_id=uuid.uuid4(), username="mx.owner", role=Role.PARTNER,
                      station_ids=frozenset({request.station_id}), org_unit_ids=frozenset(),
                      partner_id=request.partner_id)
        row, _ = footage_partner.add_file(s, scope=owner, clock=clock, request_id=request.id,
                                          stored=stored, name="matrix.mp4")
        out["footage_file"] = str(row.id)
        other = s.get(FootageRequest, uuid.UUID(out["footage_other"]))
        assert other is not None
        # An upload under way by the other request's own partner.
        out["footage_upload"] = footage_routes.resumable(
            client.app.state.ctx).start(  # type: ignore[attr-defined]
            request_id=other.id, partner_id=other.partner_id, username="mx.other",
            name="x.mp4", size=len(footage_support.video())).id
    return out


def _workorder_body(station: str) -> dict[str, Any]:
    lat, lon = _point(Targets(station))
    return {"station_code": station, "kind": "street_light", "partner_code": f"SHOP-{station}",
            "lat": lat, "lon": lon, "description": "ไฟถนนดับ 3 ดวง"}


def _workorder_targets(client: TestClient, admin: dict[str, str], station: str
                       ) -> dict[str, str]:
    """A work order to the test partner's shop, one to another partner (a camera of its
    own), and a citizen's report of a street light out to send on."""
    out: dict[str, str] = {}
    for name, body in (("workorder", _workorder_body(station)),
                       ("workorder_other", {"station_code": station,
                                            "camera_code": f"{station}-MXO-P1-C1",
                                            "description": "กล้องดับ"})):
        made = client.post("/api/v1/workorders", json=body, headers={
            **admin, "Idempotency-Key": f"matrix-setup-{name}-{station}"})
        assert made.status_code == 201, made.text
        out[name] = made.json()["id"]
    lat, lon = _point(Targets(station))
    code = phone.send(client, "/reports", phone.report(phone.new_key(), lat, lon))["code"]
    out["lamp"] = phone.item_by_code(client, admin, code)["id"]
    return out


def _homewatch_body(t: Targets, key: str | None = None) -> dict[str, Any]:
    """A home-watch request at the station's zone centre, from now for three days."""
    now = datetime.fromisoformat(t.extra["now"])
    lat, lon = _point(t)
    return {"client_key": key or f"matrix-hw-{t.station}-{t.extra.get('n', 'x')}-0123456789",
            "address": "บ้านเลขที่ 9 ซอยทดสอบ", "location": {"lat": lat, "lon": lon},
            "away_from": now.isoformat(), "away_until": (now + timedelta(days=3)).isoformat(),
            "contacts": [{"name": "ผู้ติดต่อ", "phone": "0812345678"}],
            "consent": {"accepted": True, "version": HOMEWATCH_CONSENT}}


def _homewatch_photo(t: Targets) -> Call:
    content, ctype = _multipart("file", "house.jpg", phone.photo(int(t.extra["n"]) % 50),
                                "image/jpeg")
    return Call(f"/api/v1/public/home-watch/{t.extra['hw_code']}/photos", content=content,
                headers={"Content-Type": ctype, "X-Caller-Key": t.extra["hw_key"]})


def _homewatch_targets(client: TestClient, admin: dict[str, str], db: Database,
                       clock: ManualClock, settings: Settings, station: str) -> dict[str, str]:
    """An approved request with a photo of the house and a visit with a photo (``a.patrol``'s
    own at ST-A, someone else's at ST-B), a pending one, and one its owner may cancel."""
    t = Targets(station, extra={"now": clock.now().isoformat()})
    out: dict[str, str] = {}
    for name in ("hw", "hw_pending", "hw_cancel"):
        key = f"matrix-{name}-{station}-0123456789abcdef"
        made = client.post("/api/v1/public/home-watch", json=_homewatch_body(t, key))
        assert made.status_code == 201, made.text
        code = made.json()["code"]
        listed = client.get("/api/v1/home-watch", headers=admin,
                            params={"station_code": station}).json()
        out[name] = next(r["id"] for r in listed if r["code"] == code)
        out[f"{name}_code"], out[f"{name}_key"] = code, key
        if name != "hw_pending":
            approved = client.post(f"/api/v1/home-watch/{out[name]}/approve", headers=admin)
            assert approved.status_code == 200, approved.text
    content, ctype = _multipart("file", "house.jpg", phone.photo(11), "image/jpeg")
    added = client.post(f"/api/v1/public/home-watch/{out['hw_code']}/photos", content=content,
                        headers={"Content-Type": ctype, "X-Caller-Key": out["hw_key"]})
    assert added.status_code == 201, added.text
    out["hw_photo"] = added.json()["photo_url"].rsplit("/", 1)[-1]
    store = MediaStore(settings.data_dir / "homewatch-media")
    stored = store.accept(phone.photo(12), declared_type="image/jpeg", allow={MediaKind.PHOTO})
    with db.write() as s:
        request = s.get(HomeWatchRequest, uuid.UUID(out["hw"]))
        owner = s.scalar(select(User).where(User.username == "a.patrol"))
        assert request is not None and owner is not None
        user_id = owner.id if station == "ST-A" else uuid.uuid4()
        visit = HomeWatchVisit(request_id=request.id, station_id=request.station_id,
                               at=clock.now(), user_id=user_id, username="a.patrol",
                               unit_id=uuid.uuid4(), lat=request.lat, lon=request.lon,
                               accuracy_m=5, distance_m=0, finding=Finding.NORMAL,
                               photo_path=stored.path)
        s.add(visit)
        s.flush()
        out["hw_visit"] = str(visit.id)
    return out


def _announce_targets(client: TestClient, admin: dict[str, str], station: str,
                      clock: ManualClock) -> dict[str, str]:
    """A group of the station's SOS pole (its speaker) and a schedule on it, far ahead."""
    made = client.post("/api/v1/announce-groups", headers=admin, json={
        "station_code": station, "name": "MX group", "asset_codes": [f"{station}-SOS1"]})
    assert made.status_code == 201, made.text
    later = clock.now() + timedelta(days=30)
    schedule = client.post("/api/v1/announce-schedules", headers=admin, json={
        "group_id": made.json()["id"], "message_id": "cctv_warning",
        "starts_at": later.isoformat(), "ends_at": (later + timedelta(days=1)).isoformat(),
        "every_min": 60})
    assert schedule.status_code == 201, schedule.text
    return {"announce_group": made.json()["id"], "announce_schedule": schedule.json()["id"],
            "plan_to_later": (clock.now() + timedelta(days=2)).isoformat()}


def _call_body(station: str) -> dict[str, Any]:
    lat, lon = _point(Targets(station))
    return {"station_code": station, "source": "phone", "call_type": "fight",
            "description": "ทะเลาะกัน", "lat": lat, "lon": lon,
            "caller": {"name": "ผู้แจ้ง", "phone": "0812345678", "notice_given": True}}


def _call_targets(client: TestClient, admin: dict[str, str], station: str) -> dict[str, str]:
    """An incident entered by hand from a phone call, with its caller."""
    created = client.post("/api/v1/calls", headers={**admin, "Idempotency-Key": (
        f"matrix-setup-call-{station}")}, json=_call_body(station))
    assert created.status_code == 201, created.text
    return {"call_incident": created.json()["incident"]["id"]}


def _shift_targets(db: Database, clock: ManualClock, station: str) -> dict[str, str]:
    """A handover waiting at the station, written by an operator on duty there (not one of
    the matrix's users, who go on duty, hand over and acknowledge in the rows' order)."""
    name = f"mx.outgoing-{station.lower()}"
    with db.write() as s:
        user = auth.create_user(s, scope=system_scope(), clock=clock, data=UserCreate(
            username=name, display_name="ผู้ส่งเวร", password=PASSWORD, role="operator",
            org_unit_codes=[station]))
        outgoing = auth.scope_for(s, user)
        shiftlog.go_on_duty(s, scope=outgoing, clock=clock, station_code=station)
        handover = shiftlog.write_handover(s, scope=outgoing, clock=clock, station_code=station,
                                           data=HandoverIn(notes="matrix"), cameras_down=[])
        return {"handover": str(handover.id)}


def _poll_targets(client: TestClient, admin: dict[str, str], station: str,
                  clock: ManualClock) -> dict[str, str]:
    """A People Poll taking answers and a draft of the next wave, in the station's zone."""
    out = {}
    for name, wave, open_it in (("poll", 1, True), ("poll_draft", 2, False)):
        made = client.post(f"/api/v1/stations/{station}/polls", headers=admin, json={
            "zone_code": f"Z-{station}", "wave": wave, "wave_name": "รอบ",
            "opens_at": clock.now().isoformat(),
            "closes_at": (clock.now() + timedelta(days=30)).isoformat()})
        assert made.status_code == 201, made.text
        out[name] = made.json()["code"]
        if open_it:
            assert client.post(f"/api/v1/polls/{out[name]}/open",
                               headers=admin).status_code == 200
    return out


def _zone_candidate(t: Targets) -> dict[str, Any]:
    return {"name_th": "พื้นที่ทดสอบ", "name_en": "matrix", "boundary": square(*_point(t))}


def _zone_decision(t: Targets, supersedes: str | None) -> dict[str, Any]:
    launch = datetime.fromisoformat(t.extra["now"]) - timedelta(days=60)
    return {"meeting_on": (launch - timedelta(days=30)).date().isoformat(),
            "members": [{"name": "ประธาน", "role": "ผู้กำกับการ", "agency": "สถานี"}],
            "choices": [{"candidate_id": t.extra["zone_candidate"],
                         "zone_code": f"Z-{t.station}"}],
            "rationale": "matrix", "launch_on": launch.date().isoformat(),
            "supersedes_id": supersedes}


def _zoneselect_targets(client: TestClient, admin: dict[str, str], station: str,
                        clock: ManualClock) -> dict[str, str]:
    """A candidate on the station's zone and a decision in force choosing it (its zone
    launched 60 days ago)."""
    t = Targets(station, extra={"now": clock.now().isoformat()})
    made = client.post(f"/api/v1/stations/{station}/zone-candidates", json=_zone_candidate(t),
                       headers={**admin, "Idempotency-Key": f"matrix-setup-zc-{station}"})
    assert made.status_code == 201, made.text
    t.extra["zone_candidate"] = made.json()["id"]
    decided = client.post(f"/api/v1/stations/{station}/zone-decisions",
                          json=_zone_decision(t, None),
                          headers={**admin, "Idempotency-Key": f"matrix-setup-zd-{station}"})
    assert decided.status_code == 201, decided.text
    return {"zone_candidate": t.extra["zone_candidate"], "zone_decision": decided.json()["id"]}
def _monthly_targets(db: Database, clock: ManualClock, station: str) -> dict[str, str]:
    """Last month's archived report of the station, as the sweep stores it."""
    with db.read() as s:
        unit = s.scalar(select(OrgUnit.id).where(OrgUnit.code == station))
    assert unit is not None
    row = monthly_archive.archive_one(db, clock, unit_id=unit, fonts_dir=reports.fonts_dir(),
                                      month=Month.of(clock.now()).previous())
    assert row is not None
    return {"monthly_report": str(row.id)}


def _evidence_targets(db: Database, settings: Settings, station: str, incident: str
                      ) -> dict[str, str]:
    """A clip of the station's incident, stored as the evidence desk stores one."""
    data = f"matrix clip {station}".encode()
    clip_id = uuid.uuid4()
    relative = f"{station}/{clip_id.hex}.mp4"
    (settings.data_dir / "evidence" / station).mkdir(parents=True, exist_ok=True)
    (settings.data_dir / "evidence" / relative).write_bytes(data)
    with db.write() as s:
        found = s.get(Incident, uuid.UUID(incident))
        assert found is not None
        at = found.opened_at
        plan = evidence.ClipPlan(found.id, found.station_id, station,
                                 evidence.incident_number(found), at, at, [])
        evidence.store_clips(s, scope=system_scope("matrix"), plan=plan, made=[
            evidence.MadeFile(clip_id, uuid.uuid4(), f"{station}-CAM", at,
                              at + timedelta(seconds=5), relative, len(data),
                              hashlib.sha256(data).hexdigest(), [])],
            at=at, address="127.0.0.1")
        hold = recording.add_hold(s, station_id=found.station_id, camera_id=uuid.uuid4(),
                                  since=at, until=at + timedelta(minutes=5),
                                  reason=HoldReason.CASE, at=at, username="matrix",
                                  incident_id=found.id)
        s.flush()
        return {"clip": str(clip_id), "hold": str(hold.id)}


def _poll_wave(t: Targets) -> int:
    return int(re.sub(r"\D", "", t.extra["n"]) or 0) % 89 + 10


def _patrol_targets(client: TestClient, admin: dict[str, str], station: str,
                    clock: ManualClock) -> dict[str, str]:
    """A risk spot, a plan on it and a checkpoint session whose staff is every test user."""
    lat, lon = _point(Targets(station))
    start, end = clock.now().isoformat(), (clock.now() + timedelta(hours=8)).isoformat()
    spot = client.post("/api/v1/patrol/risk-spots", headers=admin, json={
        "station_code": station, "code": "MX-SPOT", "name_th": "จุดเสี่ยง", "lat": lat,
        "lon": lon, "risk_score": 0.7, "high_risk_hours": [20, 21]})
    assert spot.status_code == 201, spot.text
    plan = client.post("/api/v1/patrol/plans", headers=admin, json={
        "station_code": station, "name": "แผน", "starts_at": start, "ends_at": end,
        "auto": True})
    assert plan.status_code == 201, plan.text
    checkpoint = client.post("/api/v1/patrol/checkpoints", headers=admin, json={
        "station_code": station, "name_th": "จุดตรวจ", "lat": lat, "lon": lon,
        "starts_at": start, "ends_at": end, "staff": list(USERS.values())})
    assert checkpoint.status_code == 201, checkpoint.text
    return {"risk_spot": spot.json()["id"], "plan": plan.json()["id"],
            "checkpoint": checkpoint.json()["id"], "plan_from": start, "plan_to": end}


def _lostdoc_targets(client: TestClient, admin: dict[str, str], station: str
                     ) -> dict[str, str]:
    """Lost-document reports: an issued one (with its key and signed QR query), one to
    revoke, and one waiting for review."""
    out: dict[str, str] = {}
    seed = 9000 + 100 * ord(station[-1])

    def declare(name: str, n: int) -> None:
        key = phone.new_key()
        body = lost.declaration(key, national_id=lost.thai_id(seed + n), station=station,
                                items=[{"kind": "passport", "detail": f"matrix {n}"}])
        response = client.post("/api/v1/public/lostdocs", json=body)
        assert response.status_code == 201, response.text
        code = response.json()["code"]
        rows = client.get("/api/v1/lostdocs", headers=admin,
                          params={"station_code": station}).json()["items"]
        out[name] = next(r["id"] for r in rows if r["code"] == code)
        out[f"{name}_code"], out[f"{name}_key"] = code, key
        if response.json()["record_no"]:
            claim = Claim(code, response.json()["record_no"], "2026-01-01")
            out[f"{name}_verify"] = (
                f"v=1&c={claim.code}&r={claim.record_no}&d={claim.issued_on}"
                f"&s={CertificateSigner(SECRET).sign(claim)}")

    declare("lostdoc", 1)
    declare("lostdoc_revoke", 2)
    settings = {"station_code": station, "auto_issue": False, "repeat_days": 30}
    assert client.put("/api/v1/lostdocs/settings", headers=admin,
                      json=settings).status_code == 200
    declare("lostdoc_pending", 3)
    assert client.put("/api/v1/lostdocs/settings", headers=admin,
                      json={**settings, "auto_issue": True}).status_code == 200
    return out


ALL_WEEK = [{"weekday": d, "opens": "00:00", "closes": "24:00"} for d in range(7)]


def _slot_time(t: Targets, hour: int, minutes: int = 0) -> str:
    """A consultation slot's time, hours after the matrix's start (one consultant each)."""
    start = datetime.fromisoformat(t.extra["now"]) + timedelta(days=1, hours=hour)
    return (start + timedelta(minutes=minutes)).isoformat()


def _services_targets(client: TestClient, admin: dict[str, str], db: Database,
                      clock: ManualClock, station: str) -> dict[str, str]:
    """Legal consultation and volunteer posts of the station: its operator as consultant,
    free slots, booked requests, a post open all week with a.volunteer (at ST-A) on it."""
    operator = "a.operator" if station == "ST-A" else "b.operator"
    low = station.lower()
    with db.write() as s:
        for name, role in ((f"mx.adviser-{low}", "viewer"), (f"mx.adviser2-{low}", "viewer"),
                           (f"mx.vol-{low}", "volunteer"), (f"mx.vol2-{low}", "volunteer"),
                           (f"mx.vol3-{low}", "volunteer")):
            auth.create_user(s, scope=system_scope(), clock=clock, data=UserCreate(
                username=name, display_name=name, password=PASSWORD, role=role,
                org_unit_codes=[station]))
    out: dict[str, str] = {"now": clock.now().isoformat()}
    t = Targets(station, extra=out)

    def post_json(path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = client.post(path, headers=admin, json=body)
        assert response.status_code == 201, response.text
        answer: dict[str, Any] = response.json()
        return answer

    out["consultant"] = post_json("/api/v1/consult/consultants", {
        "station_code": station, "username": operator})["id"]
    out["consultant_spare"] = post_json("/api/v1/consult/consultants", {
        "station_code": station, "username": f"mx.adviser-{low}"})["id"]
    slots = [post_json("/api/v1/consult/slots", {
        "consultant_id": out["consultant"], "starts_at": _slot_time(t, hour),
        "ends_at": _slot_time(t, hour, 30), "channels": ["station", "post", "phone"]})["id"]
        for hour in range(6)]
    out["slot_public"], out["slot_cancel"], out["slot_post"] = slots[:3]
    for name, slot_id in (("request", slots[3]), ("request_cancel", slots[4]),
                          ("request_citizen", slots[5])):
        body = consult_phone.booking(slot_id)
        out[f"{name}_code"] = post_json("/api/v1/public/consult/requests", body)["code"]
        out[f"{name}_key"] = body["client_key"]
    rows = client.get("/api/v1/consult/requests", headers=admin,
                      params={"station_code": station}).json()
    out.update({name: next(r["id"] for r in rows if r["code"] == out[f"{name}_code"])
                for name in ("request", "request_cancel", "request_citizen")})
    post = post_json("/api/v1/posts", {
        "station_code": station, "name_th": f"จุดบริการ {station}", "name_en": "Post",
        "lat": _point(t)[0], "lon": _point(t)[1], "hours": ALL_WEEK})
    out["post"] = post["id"]
    post_json(f"/api/v1/posts/{post['id']}/roster", {
        "username": "a.volunteer" if station == "ST-A" else f"mx.vol-{low}"})
    spare = post_json(f"/api/v1/posts/{post['id']}/roster", {"username": f"mx.vol3-{low}"})
    out["roster_spare"] = next(r["user_id"] for r in spare["roster"]
                               if r["username"] == f"mx.vol3-{low}")
    del out["now"]
    return out


def _citizen_targets(client: TestClient, admin: dict[str, str], station: str
                     ) -> dict[str, str]:
    """A report (with a photo), a second report, a named tip and an emergency."""
    _, lat, lon = STATIONS[station]
    out: dict[str, str] = {}
    for name, body in (("report", phone.report(phone.new_key(), lat, lon)),
                       ("report2", phone.report(phone.new_key(), lat, lon)),
                       ("tip", phone.tip(phone.new_key(), anonymous=False, lat=lat, lon=lon)),
                       ("emergency", phone.emergency(phone.new_key(), lat, lon))):
        path = {"report": "/reports", "report2": "/reports", "tip": "/tips"}.get(
            name, "/emergencies")
        code = phone.send(client, path, body)["code"]
        out[f"{name}_code"], out[f"{name}_key"] = code, body["client_key"]
        out[name] = phone.item_by_code(client, admin, code)["id"]
    call = _photo(Targets(station, extra=out))
    response = client.post(call.path, content=call.content, headers=call.headers)
    assert response.status_code == 201, response.text
    out["media"] = response.json()["id"]
    response = client.post("/api/v1/open311/clients", headers=admin,
                           json={"partner_code": f"SHOP-{station}", "label": "matrix"})
    assert response.status_code == 201, response.text
    out["open311_client"] = response.json()["id"]
    if station == "ST-A":  # the test investigator's station: the tip is theirs to read
        response = client.post(f"/api/v1/citizen/items/{out['tip']}/assign", headers=admin,
                               json={"username": "a.investigator"})
        assert response.status_code == 200, response.text
    return out


@dataclass
class Env:
    client: TestClient
    db: Database
    home: Targets
    foreign: Targets
    tokens: dict[str, str]
    n: int = 0

    def headers(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"} if role in self.tokens else {}

    def fresh(self, targets: Targets, devices: Devices, spare_asset: bool,
              spare_import: bool = False) -> Targets:
        """Per call: a unique number for codes, and a spare asset (or record import) to
        delete if asked."""
        self.n += 1
        if spare_import:
            upload = _records_upload(Targets(targets.station, extra={"n": str(self.n)}))
            made = self.client.post(upload.path, params=upload.params, content=upload.content,
                                    headers={**devices.admin, **upload.headers})
            assert made.status_code == 200, made.text
            return Targets(**{**targets.__dict__, "extra": {
                **targets.extra, "n": str(self.n), "record_import": made.json()["import_id"]}})
        if not spare_asset:
            return Targets(**{**targets.__dict__, "extra": {**targets.extra, "n": str(self.n)}})
        spare = self.client.post("/api/v1/assets", headers=devices.admin, json={
            **_asset(Targets(targets.station, extra={"n": f"S{self.n}"}))})
        assert spare.status_code == 201, spare.text
        return Targets(**{**targets.__dict__, "extra": {
            **targets.extra, "n": str(self.n), "spare": spare.json()["id"]}})

    def call(self, route: str, call: Call, headers: dict[str, str]) -> int:
        method = route.split(" ")[0]
        if method == "WS":
            params = "&".join(f"{k}={v}" for k, v in (call.params or {}).items())
            ticket = self.client.post("/api/v1/stream/tickets", headers=headers)
            if ticket.status_code == 201:
                params += f"&ticket={ticket.json()['ticket']}"
            try:
                with self.client.websocket_connect(f"{call.path}?{params}") as ws:
                    hello = ws.receive_json()
                    return 200 if hello["type"] == "hello" else 500
            except WebSocketDisconnect as closed:
                return {4401: 401, 4403: 403}.get(closed.code, closed.code)
        response = self.client.request(
            method, call.path, json=call.json, params=call.params, data=call.data,
            content=call.content, headers={**headers, **call.headers})
        return response.status_code


@pytest.fixture(scope="module")
def env(backend: str, request: pytest.FixtureRequest,
        tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    directory = tmp_path_factory.mktemp("matrix")
    db = Database(fresh_db_url(backend, request, directory, True))
    clock = ManualClock()
    # The matrix is about who may call what, not about throttling the public routes.
    settings = Settings(environment="test", data_dir=directory, secret_key=SECRET,
                        citizen_emergency_per_minute=10_000, citizen_write_per_minute=10_000,
                        citizen_read_per_minute=10_000,
                        tiles_file=write_street_map(directory / "streets.pmtiles", lat=13.73,
                                                    lon=100.46, zooms=range(12, 14)).path)
    with TestClient(create_app(settings, db, clock)) as client:
        world = World(settings=settings)
        devices = Devices(client, world, clock)
        ctx = client.app.state.ctx  # type: ignore[attr-defined]
        with db.write() as s:
            auth.create_user(s, scope=system_scope(), clock=clock, data=UserCreate(
                username="mx.target", display_name="x", password=PASSWORD, role="viewer",
                org_unit_codes=["ST-A"]))
        tokens: dict[str, str] = {}

        def login(username: str) -> TokenPair:
            with db.write() as s:
                user = s.scalar(select(User).where(User.username == username))
                assert user is not None
                return token_families.start_session(s, config=ctx.tokens, clock=clock,
                                                    user=user)

        for role, username in USERS.items():
            tokens[role] = login(username).access_token
        with db.read() as s:
            target = s.scalar(select(User).where(User.username == "mx.target"))
            assert target is not None
            target_id = str(target.id)

        def refresh() -> str:
            return login("a.viewer").refresh_token

        targets = []
        for station in ("ST-A", "ST-B"):
            t = Targets(station=station, user=target_id, new_refresh=refresh)
            zones = client.get("/api/v1/zones", params={"station_code": station},
                               headers=devices.admin).json()["items"]
            t.zone = zones[0]["id"]
            t.asset = devices.asset_id(f"{station}-POLICE-P1")
            t.speaker = devices.asset_id(f"{station}-SOS1")
            cameras = client.get("/api/v1/cameras", params={"station_code": station},
                                 headers=devices.admin).json()["items"]
            t.camera = next(c["id"] for c in cameras if "POLICE" in c["code"])
            t.extra = {"point": f"{station}-POLICE-P1", "now": clock.now().isoformat(),
                       "proposal": _foreign_partner_proposal(db, clock, station),
                       "line_channel": _line_channel(db, clock, station)}
            token = devices.credential(station, "asset", t.speaker, "matrix pole")
            t.credential = next(c["id"] for c in client.get(
                "/api/v1/devices", headers=devices.admin).json() if c["label"] == "matrix pole"
                and c["subject_id"] == t.speaker)
            t.unit, _ = devices.unit(station, f"MX-{station}")
            assert devices.post(token, devices.sos()).status_code == 200
            t.incident = wait_for(lambda st=station: devices.incidents(
                station_code=st))[0]["id"]
            # The station's operator owns the entry: it may remove it, and so may commanders.
            with db.write() as s:
                owner = s.scalar(select(User).where(User.username == (
                    "a.operator" if station == "ST-A" else "b.operator")))
                assert owner is not None
                t.hotlist = str(lpr.add_entry(s, scope=auth.scope_for(s, owner), clock=clock,
                                              data=HotlistCreate(station_code=station,
                                                                 plate="กข 1234",
                                                                 reason="matrix test")).id)
            # After t.incident is chosen: a citizen's emergency opens a P1 incident too, and
            # the incident routes must act on the SOS one (its item follows in the sweeper).
            t.extra.update(_citizen_targets(client, devices.admin, station))
            t.extra["officer_photo"] = _officer_photo(db, ctx.officer_media, clock, t.incident)
            t.extra.update(_redbox_targets(db, clock, settings, station))
            t.extra.update(_patrol_targets(client, devices.admin, station, clock))
            t.extra.update(_lostdoc_targets(client, devices.admin, station))
            t.extra.update(_homewatch_targets(client, devices.admin, db, clock, settings,
                                              station))
            t.extra.update(_services_targets(client, devices.admin, db, clock, station))
            t.extra.update(_call_targets(client, devices.admin, station))
            t.extra.update(_announce_targets(client, devices.admin, station, clock))
            t.extra.update(_shift_targets(db, clock, station))
            t.extra.update(_workorder_targets(client, devices.admin, station))
            t.extra.update(_footage_targets(client, devices.admin, db, clock, settings,
                                            station))
            t.extra.update(_poll_targets(client, devices.admin, station, clock))
            t.extra.update(_zoneselect_targets(client, devices.admin, station, clock))
            t.extra.update(_monthly_targets(db, clock, station))
            t.extra.update(_coverage_targets(client, devices.admin, station))
            t.extra.update(_evidence_targets(db, settings, station, t.incident))
            targets.append(t)
        # The runtime's minute sweeps (reminders of the consultations just booked ...) run
        # once now, so that their background pass never changes data under a test.
        for each in client.app.state.runtime.sweeps:  # type: ignore[attr-defined]
            each(db, clock)
        # ... and not again: a later pass would act on what a granted call made meanwhile
        # (the reminder of a consultation another cell's call just booked) and change data
        # under a denied call that must change nothing.
        client.app.state.runtime.sweeps = []  # type: ignore[attr-defined]
        changes.install(db)
        env = Env(client, db, targets[0], targets[1], tokens)
        env.devices = devices  # type: ignore[attr-defined]
        yield env
    db.dispose()


# A PTZ camera's ONVIF address that resolves nowhere: granted moves reach the client and
# fail there (502), and the matrix never sends a packet to a camera network.
PTZ_URL = "http://ptz.cam.invalid"


def _coverage_targets(client: TestClient, admin: dict[str, str], station: str
                      ) -> dict[str, str]:
    """A private area, and two PTZ cameras on the police point that share live always."""
    out: dict[str, str] = {}
    response = client.post("/api/v1/private-areas", headers=admin, json={
        "station_code": station, "name": "บ้าน", "kind": "home",
        "boundary": square(*_point(Targets(station)), half_deg=0.0002)})
    assert response.status_code == 201, response.text
    out["private_area"] = response.json()["id"]
    for name in ("ptz_camera", "ptz_spare"):
        response = client.post("/api/v1/cameras", headers=admin, json={
            "station_code": station, "point_code": f"{station}-POLICE-P1",
            "code": f"{station}-MX-{name.upper()}", "name_th": "กล้อง PTZ", "heading_deg": 0,
            "fov_deg": 60, "sharing_level": "live_always", "stream_username": "u",
            "stream_password": "p"})
        assert response.status_code == 201, response.text
        out[name] = response.json()["id"]
        response = client.put(f"/api/v1/cameras/{out[name]}/ptz", headers=admin,
                              json={"onvif_url": PTZ_URL})
        assert response.status_code == 200, response.text
    return out


def _foreign_partner_proposal(db: Database, clock: ManualClock, station: str) -> str:
    """A camera address proposal by a partner other than the test partner ``a.shop``.

    The partner's ``own`` cells are then tried on something that is not its own.
    """
    _, lat, lon = STATIONS[station]
    system = system_scope()
    box = SecretBox(SECRET)
    with db.write() as s:
        partner = org.create_partner(s, scope=system, clock=clock, data=PartnerCreate(
            code=f"MX-OTHER-{station}", org_unit_code=station, name_th="อื่น",
            owner_class=OwnerClass.PRIVATE_BUSINESS))
        point = f"{station}-MXO-P1"
        assets.create_asset(s, scope=system, clock=clock, data=AssetCreate(
            station_code=station, zone_code=f"Z-{station}", kind=AssetKind.CAMERA_POINT,
            code=point, name_th="จุด", lat=lat + 0.001, lon=lon,
            owner_class=OwnerClass.PRIVATE_BUSINESS, owner_partner_code=partner.code))
        camera = assets.create_camera(s, scope=system, clock=clock, secrets=box,
                                      data=CameraCreate(station_code=station, point_code=point,
                                                        code=f"{point}-C1", name_th="กล้อง"))
        owner = Scope(user_id=uuid.uuid4(), username="mx.other", role=Role.PARTNER,
                      station_ids=frozenset({camera.station_id}), org_unit_ids=frozenset(),
                      partner_id=partner.id)
        proposal = proposals.propose(s, scope=owner, clock=clock, secrets=box,
                                     camera_id=camera.id,
                                     data=UrlProposalCreate(stream_url="rtsp://10.9.9.9/1"))
        return str(proposal.id)


def _redbox_targets(db: Database, clock: ManualClock, settings: Settings, station: str
                    ) -> dict[str, str]:
    """A red box with a printed key, and two check-ins at it: one of ``a.patrol``'s own at
    ST-A (someone else's at ST-B), and one with a photo."""
    _, lat, lon = STATIONS[station]
    system = system_scope()
    box = SecretBox(SECRET)
    with db.write() as s:
        asset = assets.create_asset(s, scope=system, clock=clock, data=AssetCreate(
            station_code=station, zone_code=f"Z-{station}", kind=AssetKind.RED_BOX,
            code=f"{station}-MXRB", name_th="ตู้แดง", lat=lat, lon=lon,
            owner_class=OwnerClass.POLICE))
        redbox_keys.rotate_key(s, scope=system, clock=clock, box=box, asset_id=asset.id,
                               mode=KeyMode.PRINTED, step_s=settings.patrol_totp_step_s)
        code = redbox_keys.sheet_boxes(s, scope=system, clock=clock, box=box,
                                       station_code=station)[0].payload
        owner = s.scalar(select(User).where(User.username == "a.patrol"))
        assert owner is not None and code is not None
        officer = auth.scope_for(s, owner) if station == "ST-A" else Scope(
            user_id=uuid.uuid4(), username="mx.b.patrol", role=Role.PATROL_OFFICER,
            station_ids=frozenset({asset.station_id}), org_unit_ids=frozenset())
        rows = [CheckIn(station_id=asset.station_id, asset_id=asset.id,
                        user_id=officer.user_id, username=officer.username,
                        scanned_at=clock.now(), received_at=clock.now(), lat=lat, lon=lon,
                        accuracy_m=5, accepted=False, reason="off_shift") for _ in range(2)]
        s.add_all(rows)
        s.flush()
        store = MediaStore(settings.data_dir / "redbox-media")
        redbox_checkins.attach_photo(
            s, scope=officer, clock=clock, store=store, checkin_id=rows[1].id,
            stored=store.accept(phone.photo(7), declared_type="image/jpeg",
                                allow={MediaKind.PHOTO}))
        return {"redbox": str(asset.id), "redbox_code": code, "checkin": str(rows[0].id),
                "checkin_with_photo": str(rows[1].id)}


def _line_channel(db: Database, clock: ManualClock, station: str) -> str:
    """The station's LINE channel: its webhook is then there, refusing forged bodies."""
    with db.write() as s:
        return str(line_channels.register_channel(
            s, scope=system_scope(), clock=clock, box=SecretBox(SECRET), routing="per_station",
            data=LineChannelCreate(station_code=station, name=f"LINE {station}",
                                   line_channel_id=f"16{ord(station[-1]):08d}",
                                   channel_secret=SecretStr("f" * 32),
                                   access_token=SecretStr("matrix-channel-token-0123456789"))
        ).id)


def test_every_route_has_a_row_and_a_request() -> None:
    settings = Settings(environment="test", data_dir=Path("/nonexistent"), secret_key=SECRET)
    app = create_app(settings, Database("sqlite://"))
    routes = set(app_routes(app.routes))
    assert routes - set(TABLE) == set(), "routes without a row in docs/security/access.md"
    assert set(TABLE) - routes == set(), "rows in docs/security/access.md for no route"
    assert set(TABLE) - set(REQUESTS) == set(), "rows without a request recipe (REQUESTS)"


def _has_object(route: str) -> bool:
    return bool(re.search(r"\{\w+_id\}", route))


@pytest.mark.parametrize(("route", "role"), [(r, role) for r in TABLE for role in ROLES],
                         ids=[f"{r} as {role}" for r in TABLE for role in ROLES])
def test_no_role_gets_more_than_its_cell(env: Env, route: str, role: str) -> None:
    cell = TABLE[route][role]
    recipe = REQUESTS[route]
    devices: Devices = env.devices  # type: ignore[attr-defined]
    spare = route.startswith("DELETE /api/v1/assets")
    spare_import = route.startswith("DELETE /api/v1/record-imports")
    home = recipe(env.fresh(env.home, devices, spare, spare_import))
    foreign = recipe(env.fresh(env.foreign, devices, spare, spare_import))
    headers = env.headers(role)

    def denied(call: Call, why: str) -> None:
        before = changes.mark(env.db)
        status = env.call(route, call, headers)
        assert status in DENIED_STATUS, f"{route} as {role} ({why}): got {status}"
        changed = changes.since(env.db, before)
        assert not changed, f"{route} as {role} ({why}) changed data in {changed}"

    if cell in DENIED:
        denied(home, f"cell '{cell}'")
        return
    if cell == "own" and _has_object(route):
        denied(home, "a police asset is not the partner's own")
        return
    status = env.call(route, home, headers)
    assert status not in {401, 403}, f"{route} as {role} (cell '{cell}'): got {status}"
    scoped = role not in {"admin", "anonymous"}
    if cell in {"station", "own"} and scoped and foreign != home:
        denied(foreign, "another station's objects")
