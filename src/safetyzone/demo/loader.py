"""Load the demo: organization tree, four seed zones, their assets, and demo users.

Figures come from ``data/*.json``, transcribed from the seed documents. Where a seed counts
assets without placing them, they are scattered inside the zone and marked ``synthetic``;
where it names assets without a count, a few are made and the note says the count is unknown.
Loading goes through the same services as the API, so the demo exercises the real checks.

Each seed zone's station also gets patrol units, and its units, SOS points and a few
plate-reading camera points get device credentials, written with their tokens into
``simulator-devices.json`` in the data directory (mode 0600) for the device simulator.
Each zone gets synthetic risk spots and a patrol plan for the current shift, whose places
the simulator's patrols visit (``demo.patrol_plans``).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from safetyzone.assets import service as assets
from safetyzone.assets.models import AssetKind, SharingLevel
from safetyzone.assets.schemas import AssetCreate, CameraCreate
from safetyzone.citizen import directory
from safetyzone.citizen.models import PostKind
from safetyzone.config import Settings, random_password
from safetyzone.core.clock import Clock, SystemClock
from safetyzone.core.db import Database
from safetyzone.core.geo import haversine_m
from safetyzone.core.secretbox import SecretBox
from safetyzone.core.security import Role, Scope, system_scope
from safetyzone.demo import coverage as demo_coverage
from safetyzone.demo import patrol_plans
from safetyzone.demo import recording as demo_recording
from safetyzone.demo import services as demo_services
from safetyzone.demo import zoneselect as demo_zoneselect
from safetyzone.demo.placement import Placer
from safetyzone.intake import credentials
from safetyzone.intake.credentials import SecretHasher
from safetyzone.intake.models import DeviceCredential, SubjectKind
from safetyzone.measure import facts as measure_facts
from safetyzone.measure import program
from safetyzone.measure.program_schemas import RolloutIn
from safetyzone.measure.rollout_models import StationRollout
from safetyzone.measure.schemas import FactIn
from safetyzone.ops import units as patrol
from safetyzone.ops.models import UnitKind as PatrolKind
from safetyzone.ops.models import UnitStatus
from safetyzone.ops.schemas import UnitCreate
from safetyzone.org import auth, zones
from safetyzone.org import service as org
from safetyzone.org.models import OrgUnit, OwnerClass, UnitKind, User
from safetyzone.org.schemas import OrgUnitCreate, PartnerCreate, UserCreate, ZoneCreate
from safetyzone.simulate import devices as simdev

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
    ("plk.operator", "เจ้าหน้าที่ CCOC สภ.เมืองพิษณุโลก (duty officer, legal consultant)",
     Role.OPERATOR, ["PPR6-MUEANG-PHITSANULOK"], None),
    ("plk.volunteer", "ตำรวจจิตอาสา สภ.เมืองพิษณุโลก (volunteer police)", Role.VOLUNTEER,
     ["PPR6-MUEANG-PHITSANULOK"], None),
]


# Patrol units of each seed zone's station: code suffix, kind, radio callsign number.
PATROL_UNITS: list[tuple[str, PatrolKind, int]] = [
    ("C11", PatrolKind.CAR, 11), ("C12", PatrolKind.CAR, 12), ("C13", PatrolKind.CAR, 13),
    ("M21", PatrolKind.MOTORCYCLE, 21), ("M22", PatrolKind.MOTORCYCLE, 22),
]
PLATE_CAMERA_POINTS = 4  # plate-reading camera points per zone that the simulator plays
SIMULATOR_LABEL = "simulator "  # device credentials the demo issued for the simulator


@dataclass(frozen=True)
class DemoResult:
    summary: str
    users: list[tuple[str, str]]
    password: str
    devices_file: Path | None = None


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
        # How many read plates, where a seed says some do but not how many: only the points
        # the demo needs for the simulator, each saying it is a demo assumption.
        readers = owner.get("plate_reading_points", points) if owner["plate_reading"] else 0
        for p in range(points):
            reads = p < readers
            point_note = note
            if reads and owner.get("plate_reading_note"):
                point_note = "; ".join(filter(None, (note, owner["plate_reading_note"])))
            lat, lon = placer.point()
            point_code = f"{partner_code}-P{p + 1:03d}"
            assets.create_asset(session, scope=scope, clock=clock, data=AssetCreate(
                station_code=zone["station"], zone_code=zone["code"],
                kind=AssetKind.CAMERA_POINT, code=point_code,
                name_th=f"จุดกล้อง {owner['owner_name_th']} {p + 1}",
                name_en=f"{owner['owner_name_en']} camera point {p + 1}", lat=lat, lon=lon,
                owner_class=owner_class, owner_partner_code=partner_code, synthetic=True,
                note=point_note))
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
                    plate_reading=reads,
                    sharing_level=SHARING_BY_OWNER[owner_class],
                    # Synthetic cameras have no real stream: the app draws their pictures.
                    stream_url=f"sim://{cam_code.lower()}",
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


def _ensure_patrol_units(session: Session, scope: Scope, clock: Clock,
                         zone: dict[str, Any]) -> None:
    """The seed zone's patrol cars and motorcycles, on duty; only the missing ones are made."""
    station = org.get_station(session, scope=scope, code=zone["station"])
    have = {u.code for u in patrol.list_units(session, scope=scope, station_id=station.id)}
    short = station.name_th.removeprefix("สน.").removeprefix("สภ.")
    for suffix, kind, number in PATROL_UNITS:
        code = f"{zone['code']}-{suffix}"
        if code not in have:
            patrol.create_unit(session, scope=scope, clock=clock, data=UnitCreate(
                station_code=zone["station"], code=code, callsign=f"{short} {number}",
                kind=kind, status=UnitStatus.AVAILABLE))


def _ensure_citizen_card(session: Session, scope: Scope, clock: Clock,
                         zone: dict[str, Any]) -> None:
    """The station's public card: the seeds give no station phone or LINE id, so the card
    shows the national police number 191 and no LINE link; the station itself is a 24-hour
    service post. A seed that names volunteer posts without placing them gets one, placed
    in the zone and marked synthetic (demo data)."""
    station = org.get_station(session, scope=scope, code=zone["station"])
    if station.lat is not None and station.lon is not None:
        directory.ensure_post(session, scope=scope, station_id=station.id,
                              kind=PostKind.STATION, name_th=station.name_th,
                              name_en=station.name_en, lat=station.lat, lon=station.lon,
                              hours_th="ตลอด 24 ชั่วโมง", hours_en="24 hours")
    posts = sum(o["count"] for o in zone["other_assets"] if o["kind"] == "service_post")
    for i in range(posts):
        lat, lon = Placer(zone["boundary"], f"{zone['code']}-post-{i}").point()
        directory.ensure_post(session, scope=scope, station_id=station.id,
                              kind=PostKind.VOLUNTEER_POST,
                              name_th=f"จุดบริการตำรวจจิตอาสา {i + 1} (ข้อมูลสาธิต)",
                              name_en=f"Volunteer police post {i + 1} (demo data)",
                              lat=lat, lon=lon, hours_th="ไม่ระบุในเอกสาร (ข้อมูลสาธิต)",
                              hours_en="not stated in the seed (demo data)", synthetic=True)
    if not directory.has_contact(session, station_id=station.id):
        directory.set_contact(session, scope=scope, clock=clock, station_id=station.id,
                              phone=directory.POLICE_HOTLINE)


def _ensure_facts(session: Session, scope: Scope, clock: Clock) -> None:
    """The seeds' station and zone figures with their status (``data/facts.json``); a
    figure already set (by hand, or by an earlier load) is left as it is."""
    data = _data("facts.json")
    codes = {z["code"]: z["station"] for z in _data("zones.json")}
    for item in data["station_facts"] + data["zone_facts"]:
        station = item.get("station") or codes[item["zone"]]
        current = measure_facts.station_facts(session, scope=scope, station_code=station)
        figures = [current.area_km2, current.population, *current.facts]
        if "zone" in item:
            zone = next(z for z in current.zones if z.zone_code == item["zone"])
            # The zone's own columns answer area and population until a fact is stored;
            # only a stored figure has ``updated_at``.
            figures = [zone.area_km2, zone.population, *zone.facts]
        if any(f.key == item["key"] and f.updated_at is not None for f in figures):
            continue
        measure_facts.set_fact(session, scope=scope, clock=clock, station_code=station,
                               key=item["key"], data=FactIn(
                                   value=item["value"], status=item["status"],
                                   zone_code=item.get("zone"), source=item.get("source"),
                                   note=item.get("note")))


def _ensure_rollout(session: Session, scope: Scope, clock: Clock) -> None:
    """The start the seeds give (the 15 pilots' launch day) for each station of that
    phase whose start is not recorded yet; other phases' starts stay unrecorded."""
    for item in _data("facts.json")["rollout"]:
        stations = session.scalars(select(OrgUnit).where(
            OrgUnit.kind == UnitKind.STATION, OrgUnit.pilot_phase == item["phase"])).all()
        for station in stations:
            if session.get(StationRollout, station.id) is not None:
                continue
            program.set_rollout(session, scope=scope, clock=clock, station_code=station.code,
                                data=RolloutIn(started_on=date.fromisoformat(item["started_on"]),
                                               phase=item["phase"], source=item["source"],
                                               note=item["note"]))


def _devices_file_usable(session: Session, path: Path, hasher: SecretHasher) -> bool:
    """The file is there, valid, covers every patrol unit, and every token still works."""
    if not path.exists():
        return False
    try:
        devices = simdev.load_devices(path)
    except simdev.DevicesFileError as err:
        log.warning("%s: issuing new simulator credentials", err)
        return False
    units = {u.code for s in devices.stations for u in s.units}
    if any(f"{z['code']}-{suffix}" not in units
           for z in _data("zones.json") for suffix, _, _ in PATROL_UNITS):
        return False
    if not all(s.patrol_points for s in devices.stations):  # written before patrol plans
        return False
    for station in devices.stations:
        for device in station.devices():
            row = session.scalar(select(DeviceCredential).where(
                DeviceCredential.key_id == device.key_id))
            secret = device.token.split(".", 1)[1]
            if row is None or row.revoked_at is not None or row.secret_hash != hasher.hash(
                    secret):
                log.warning("%s holds a token this database does not accept: issuing new "
                            "simulator credentials", path)
                return False
    return True


def _issue_devices(session: Session, scope: Scope, clock: Clock,
                   hasher: SecretHasher) -> simdev.DevicesFile:
    """Credentials for the simulator's devices; earlier simulator credentials are revoked."""
    stations: list[simdev.StationDevices] = []
    for zone in _data("zones.json"):
        station = org.get_station(session, scope=scope, code=zone["station"])
        zone_row = zones.get_zone_by_code(session, scope=scope, code=zone["code"])
        for old in credentials.list_for_station(session, scope=scope, station_id=station.id):
            if old.label.startswith(SIMULATOR_LABEL) and old.revoked_at is None:
                credentials.revoke(session, scope=scope, clock=clock, credential_id=old.id)

        def issue(kind: SubjectKind, subject_id: Any, code: str,
                  station_id: Any = station.id) -> str:
            return credentials.issue(
                session, scope=scope, clock=clock, hasher=hasher, station_id=station_id,
                subject_kind=kind, subject_id=subject_id, label=f"{SIMULATOR_LABEL}{code}",
            ).token

        by_code = {u.code: u for u in patrol.list_units(session, scope=scope,
                                                         station_id=station.id)}
        placer = Placer(zone["boundary"], f"{zone['code']}/patrol")
        units = []
        for suffix, _, _ in PATROL_UNITS:
            unit = by_code[f"{zone['code']}-{suffix}"]
            lat, lon = placer.point()
            units.append(simdev.UnitDevice(
                code=unit.code, callsign=unit.callsign, kind=unit.kind.value,
                token=issue(SubjectKind.UNIT, unit.id, unit.code), lat=lat, lon=lon))
        sos_rows, _ = assets.list_assets(session, scope=scope, zone_id=zone_row.id,
                                         kind=AssetKind.SOS_POINT, limit=1000)
        sos = [simdev.SosDevice(
            code=a.code, site_kind=str((a.attributes or {}).get("site_kind") or "") or None,
            token=issue(SubjectKind.ASSET, a.id, a.code), lat=a.lat, lon=a.lon)
            for a in sos_rows]
        plate_cams, _ = assets.list_cameras(session, scope=scope, station_id=station.id,
                                            plate_reading=True, limit=1000)
        cameras = []
        for point_id in list(dict.fromkeys(c.point_id for c in plate_cams)):
            point = assets.get_asset(session, scope=scope, asset_id=point_id)
            if point.zone_id != zone_row.id:
                continue
            cameras.append(simdev.PlateCamera(
                code=point.code, token=issue(SubjectKind.ASSET, point.id, point.code),
                lat=point.lat, lon=point.lon))
            if len(cameras) == PLATE_CAMERA_POINTS:
                break
        province = session.get(OrgUnit, station.parent_id) if station.parent_id else None
        stations.append(simdev.StationDevices(
            station_code=station.code, zone_code=zone_row.code,
            province_code=(province.code if province and province.kind is UnitKind.PROVINCE
                           else None),
            boundary=zone_row.boundary, units=units, sos_points=sos, plate_cameras=cameras,
            patrol_points=patrol_plans.patrol_points(session, scope, zone)))
    return simdev.DevicesFile(stations=stations)


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
    """Load everything once; later runs only reset the demo users' password.

    The simulator's devices file is kept while its tokens still work; when it is missing
    (or stale), the simulator's credentials are revoked and issued anew and it is rewritten.
    """
    clock = clock or SystemClock()
    scope = system_scope("demo-loader")
    box = SecretBox(settings.secret_key.get_secret_value())
    hasher = SecretHasher(settings.secret_key.get_secret_value())
    devices_path = settings.data_dir / simdev.DEVICES_FILE
    issued: simdev.DevicesFile | None = None
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
        for zone in _data("zones.json"):
            _ensure_patrol_units(session, scope, clock, zone)
            _ensure_citizen_card(session, scope, clock, zone)
            patrol_plans.ensure_risk_spots(session, scope, clock, zone)
            patrol_plans.ensure_plan(session, scope, clock, zone)
            patrol_plans.ensure_red_box_keys(session, scope, clock, box, zone)
            demo_services.ensure_services(session, scope, clock, zone)
            demo_coverage.ensure_coverage(session, scope, clock, box, zone)
            demo_recording.ensure_recording(session, scope, clock, zone)
        _ensure_facts(session, scope, clock)
        _ensure_rollout(session, scope, clock)
        demo_zoneselect.ensure_zone_selection(session, scope, clock)
        if not _devices_file_usable(session, devices_path, hasher):
            issued = _issue_devices(session, scope, clock, hasher)
    if issued is not None:  # after the commit: the tokens in the file are live
        simdev.write_devices(devices_path, issued)
        log.info("wrote %d simulator device tokens to %s", issued.device_count, devices_path)
    with db.read() as session:
        n_zones = zones.list_zones(session, scope=scope)[1]
        n_assets = assets.list_assets(session, scope=scope, limit=1)[1]
        n_cameras = assets.list_cameras(session, scope=scope, limit=1)[1]
        n_stations = sum(1 for u in org.list_units(session, scope=scope) if u.station_type)
    summary = (f"{n_stations} stations, {n_zones} zones, {n_cameras} cameras, "
               f"{n_assets} other assets" + ("" if fresh else " (already there)"))
    return DemoResult(summary=summary, users=[(u[0], u[1]) for u in DEMO_USERS],
                      password=password, devices_file=devices_path)
