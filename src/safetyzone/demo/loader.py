"""Load the demo: organization tree, four seed zones, their assets, and demo users.

Figures come from ``data/*.json``, transcribed from the seed documents. Where a seed counts
assets without placing them, they are scattered inside the zone and marked ``synthetic``;
where it names assets without a count, a few are made and the note says the count is unknown.
Loading goes through the same services as the API, so the demo exercises the real checks.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from importlib import resources
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from safetyzone.assets import service as assets
from safetyzone.assets.models import AssetKind, SharingLevel
from safetyzone.assets.schemas import AssetCreate, CameraCreate
from safetyzone.config import Settings, random_password
from safetyzone.core.clock import Clock, SystemClock
from safetyzone.core.db import Database
from safetyzone.core.geo import haversine_m
from safetyzone.core.secretbox import SecretBox
from safetyzone.core.security import Role, Scope, system_scope
from safetyzone.demo.placement import Placer
from safetyzone.org import auth, zones
from safetyzone.org import service as org
from safetyzone.org.models import OrgUnit, OwnerClass, User
from safetyzone.org.schemas import OrgUnitCreate, PartnerCreate, UserCreate, ZoneCreate

log = logging.getLogger(__name__)

# Seeds that give a camera count but no points: cameras per point in the synthetic layout.
CAMERAS_PER_POINT = 2
# Seeds that name assets but give no count: how many synthetic ones to show.
UNKNOWN_COUNT = {"camera": 12, "sos": 2}
SHARING_BY_OWNER = {
    OwnerClass.CITY: SharingLevel.LIVE_ALWAYS,
    OwnerClass.POLICE: SharingLevel.LIVE_ALWAYS,
    OwnerClass.OTHER_AGENCY: SharingLevel.LIVE_ON_ALARM,
    OwnerClass.PRIVATE_BUSINESS: SharingLevel.LIVE_ON_ALARM,
    OwnerClass.PRIVATE_HOME: SharingLevel.FOOTAGE_ON_REQUEST,
}
DEMO_USERS: list[tuple[str, str, Role, list[str], str | None]] = [
    ("admin", "ผู้ดูแลระบบ (Administrator)", Role.ADMIN, ["RTP"], None),
    ("hq.viewer", "ศูนย์ปฏิบัติการ ตร. (HQ viewer)", Role.VIEWER, ["RTP"], None),
    ("mpb.commander", "ผบก. บช.น. (Metropolitan commander)", Role.COMMANDER, ["MPB"], None),
    ("pcr.commander", "ผกก. สน.ภาษีเจริญ (station commander)", Role.COMMANDER,
     ["MPB-PHASI-CHAROEN"], None),
    ("pcr.operator", "เจ้าหน้าที่ CCOC สน.ภาษีเจริญ (duty officer)", Role.OPERATOR,
     ["MPB-PHASI-CHAROEN"], None),
    ("pcr.patrol", "สายตรวจ สน.ภาษีเจริญ (patrol officer)", Role.PATROL_OFFICER,
     ["MPB-PHASI-CHAROEN"], None),
    ("ryg.operator", "เจ้าหน้าที่ CCOC สภ.เมืองระยอง (duty officer)", Role.OPERATOR,
     ["PPR2-MUEANG-RAYONG"], None),
    ("bma.partner", "กรุงเทพมหานคร (camera owner)", Role.PARTNER, ["MPB-PHASI-CHAROEN"],
     "PCR-KBL-CITY"),
]


@dataclass(frozen=True)
class DemoResult:
    summary: str
    users: list[tuple[str, str]]
    password: str


def _data(name: str) -> Any:
    return json.loads(resources.files("safetyzone.demo").joinpath("data", name).read_text("utf-8"))


def _load_org(session: Session, scope: Scope, clock: Clock) -> int:
    units = _data("org.json")["units"]
    for unit in units:
        org.create_unit(session, scope=scope, clock=clock, data=OrgUnitCreate(
            code=unit["code"], kind=unit["kind"], parent_code=unit["parent"],
            name_th=unit["name_th"], name_en=unit["name_en"],
            station_type=unit.get("station_type"), pilot_phase=unit.get("pilot_phase"),
            lat=unit.get("lat"), lon=unit.get("lon")))
    return len(units)


def _partner(session: Session, scope: Scope, clock: Clock, zone: dict[str, Any],
             owner: dict[str, Any]) -> str:
    code = f"{zone['code']}-{owner['owner_class'].upper().replace('_', '-')}"
    code = code.replace("OTHER-AGENCY", "AGENCY").replace("PRIVATE-", "")
    org.create_partner(session, scope=scope, clock=clock, data=PartnerCreate(
        code=code, org_unit_code=zone["station"], name_th=owner["owner_name_th"],
        name_en=owner["owner_name_en"], owner_class=owner["owner_class"],
        big6_member=owner["owner_class"] in {"city", "other_agency"}))
    return code


def _load_cameras(session: Session, scope: Scope, clock: Clock, box: SecretBox,
                  zone: dict[str, Any], placer: Placer) -> list[tuple[str, float, float]]:
    """Create the zone's camera points and cameras; returns (code, lat, lon) per camera."""
    made: list[tuple[str, float, float]] = []
    for owner in zone["cameras"]:
        partner_code = _partner(session, scope, clock, zone, owner)
        count = owner["cameras"] or UNKNOWN_COUNT["camera"]
        points = owner["points"] or max(1, -(-count // CAMERAS_PER_POINT))
        note = None if owner["cameras"] else "จำนวนกล้องไม่ระบุในเอกสาร (count not stated)"
        owner_class = OwnerClass(owner["owner_class"])
        for p in range(points):
            lat, lon = placer.point()
            point_code = f"{partner_code}-P{p + 1:03d}"
            assets.create_asset(session, scope=scope, clock=clock, data=AssetCreate(
                station_code=zone["station"], zone_code=zone["code"],
                kind=AssetKind.CAMERA_POINT, code=point_code,
                name_th=f"จุดกล้อง {owner['owner_name_th']} {p + 1}",
                name_en=f"{owner['owner_name_en']} camera point {p + 1}", lat=lat, lon=lon,
                owner_class=owner_class, owner_partner_code=partner_code, synthetic=True,
                note=note))
            # Spread the cameras over the points as evenly as the seed's totals allow.
            share = count // points + (1 if p < count % points else 0)
            for c in range(share):
                cam_code = f"{point_code}-C{c + 1}"
                clat, clon = placer.near(lat, lon)
                assets.create_camera(session, scope=scope, clock=clock, secrets=box,
                                     data=CameraCreate(
                    station_code=zone["station"], point_code=point_code, code=cam_code,
                    name_th=f"กล้อง {p + 1}-{c + 1}", lat=clat, lon=clon,
                    heading_deg=placer.heading(), fov_deg=90.0,
                    plate_reading=owner["plate_reading"],
                    sharing_level=SHARING_BY_OWNER[owner_class],
                    stream_url=f"rtsp://{cam_code.lower()}.cam.invalid:554/stream1",
                    stream_username="viewer", stream_password=f"demo-{cam_code.lower()}",
                    synthetic=True))
                made.append((cam_code, clat, clon))
    return made


def _nearest(cameras: list[tuple[str, float, float]], lat: float, lon: float,
             n: int = 3) -> list[str]:
    ranked = sorted(cameras, key=lambda c: haversine_m(lat, lon, c[1], c[2]))
    return [code for code, _, _ in ranked[:n]]


def _load_field_assets(session: Session, scope: Scope, clock: Clock, zone: dict[str, Any],
                       placer: Placer, cameras: list[tuple[str, float, float]]) -> None:
    def add(kind: AssetKind, code: str, name_th: str, name_en: str, **extra: Any) -> None:
        lat, lon = placer.point()
        bound = _nearest(cameras, lat, lon) if kind is AssetKind.SOS_POINT else []
        assets.create_asset(session, scope=scope, clock=clock, data=AssetCreate(
            station_code=zone["station"], zone_code=zone["code"], kind=kind, code=code,
            name_th=name_th, name_en=name_en, lat=lat, lon=lon,
            owner_class=OwnerClass.POLICE, synthetic=True, bound_camera_codes=bound, **extra))

    n = 0
    for sos in zone["sos_points"]:
        count = sos["count"] or UNKNOWN_COUNT["sos"]
        for i in range(count):
            n += 1
            add(AssetKind.SOS_POINT, f"{zone['code']}-SOS{n:02d}", f"{sos['name_th']} {i + 1}",
                f"{sos['name_en']} {i + 1}", has_speaker=sos["has_speaker"],
                attributes={"site_kind": sos["site_kind"]},
                note=None if sos["count"] else "จำนวนไม่ระบุในเอกสาร (count not stated)")
    for i in range(zone.get("speaker_points") or 0):
        add(AssetKind.LOUDSPEAKER, f"{zone['code']}-SPK{i + 1:02d}", f"จุดลำโพงกระจายเสียง {i + 1}",
            f"Loudspeaker point {i + 1}")
    for other in zone["other_assets"]:
        kind = AssetKind(other["kind"])
        for i in range(other["count"]):
            add(kind, f"{zone['code']}-{kind.value.upper().replace('_', '')}{i + 1:02d}",
                other["note_th"][:200], f"{kind.value.replace('_', ' ')} {i + 1}",
                note=other["note_th"])


def _load_zone(session: Session, scope: Scope, clock: Clock, box: SecretBox,
               zone: dict[str, Any]) -> None:
    zones.create_zone(session, scope=scope, clock=clock, data=ZoneCreate(
        code=zone["code"], station_code=zone["station"], name_th=zone["name_th"],
        name_en=zone["name_en"], boundary=zone["boundary"],
        boundary_synthetic=zone["boundary_synthetic"],
        declared_area_km2=zone["declared_area_km2"], households=zone["households"],
        families=zone["families"], population_total=zone["population_total"],
        population_male=zone["population_male"], population_female=zone["population_female"],
        population_non_registered=zone["population_non_registered"],
        municipalities=zone["municipalities"], selection=zone["selection"],
        risk_statistics=zone["risk_statistics"], landmarks=zone["landmarks"],
        source=f"seed {zone['source_seed']}"))
    placer = Placer(zone["boundary"], zone["code"])
    cameras = _load_cameras(session, scope, clock, box, zone, placer)
    _load_field_assets(session, scope, clock, zone, placer, cameras)


def _ensure_users(session: Session, scope: Scope, clock: Clock, password: str) -> None:
    for username, display, role, units, partner in DEMO_USERS:
        if session.scalar(select(User.id).where(User.username == username)):
            auth.set_password(session, scope=scope, clock=clock, username=username,
                              password=password)
            continue
        auth.create_user(session, scope=scope, clock=clock, data=UserCreate(
            username=username, display_name=display, password=password, role=role,
            org_unit_codes=units, partner_code=partner))


def load_demo(db: Database, settings: Settings, clock: Clock | None = None) -> DemoResult:
    """Load everything once; later runs only reset the demo users' password."""
    clock = clock or SystemClock()
    scope = system_scope("demo-loader")
    box = SecretBox(settings.secret_key.get_secret_value())
    password = (settings.demo_password.get_secret_value() if settings.demo_password
                else random_password())
    with db.write() as session:
        fresh = session.scalar(select(OrgUnit.id).limit(1)) is None
        if fresh:
            n_units = _load_org(session, scope, clock)
            for zone in _data("zones.json"):
                _load_zone(session, scope, clock, box, zone)
            log.info("demo loaded: %d organization units", n_units)
        _ensure_users(session, scope, clock, password)
    with db.read() as session:
        n_zones = zones.list_zones(session, scope=scope)[1]
        n_assets = assets.list_assets(session, scope=scope, limit=1)[1]
        n_cameras = assets.list_cameras(session, scope=scope, limit=1)[1]
        n_stations = sum(1 for u in org.list_units(session, scope=scope) if u.station_type)
    summary = (f"{n_stations} stations, {n_zones} zones, {n_cameras} cameras, "
               f"{n_assets} other assets" + ("" if fresh else " (already there)"))
    return DemoResult(summary=summary, users=[(u[0], u[1]) for u in DEMO_USERS],
                      password=password)
