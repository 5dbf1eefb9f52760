"""A small country to test scope against: two regions, three stations, their zones, assets,
partners and one user per role. Built through the real services."""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi.testclient import TestClient

from safetyzone.assets import service as assets
from safetyzone.assets.models import AssetKind, SharingLevel
from safetyzone.assets.schemas import AssetCreate, CameraCreate
from safetyzone.config import Settings
from safetyzone.core.clock import Clock
from safetyzone.core.db import Database
from safetyzone.core.secretbox import SecretBox
from safetyzone.core.security import Role, system_scope
from safetyzone.org import auth, zones
from safetyzone.org import service as org
from safetyzone.org.models import OwnerClass, StationType, UnitKind
from safetyzone.org.schemas import OrgUnitCreate, PartnerCreate, UserCreate, ZoneCreate

PASSWORD = "correct horse battery staple"


def square(lat: float, lon: float, half_deg: float = 0.004) -> dict[str, object]:
    """A GeoJSON square around a point, about 0.8 km across."""
    ring = [[lon - half_deg, lat - half_deg], [lon + half_deg, lat - half_deg],
            [lon + half_deg, lat + half_deg], [lon - half_deg, lat + half_deg],
            [lon - half_deg, lat - half_deg]]
    return {"type": "Polygon", "coordinates": [ring]}


# Station code -> (lat, lon) of its zone centre.
STATIONS = {
    "ST-A": ("PROV-1", 13.7300, 100.4700),
    "ST-B": ("PROV-1", 13.7600, 100.5500),
    "ST-C": ("PROV-2", 12.6800, 101.2800),
}


PEOPLE: list[tuple[str, Role, list[str], str | None]] = [
    ("admin", Role.ADMIN, ["HQ"], None),
    ("hq.viewer", Role.VIEWER, ["HQ"], None),
    ("reg1.commander", Role.COMMANDER, ["REG-1"], None),
    ("a.commander", Role.COMMANDER, ["ST-A"], None),
    ("a.operator", Role.OPERATOR, ["ST-A"], None),
    ("a.patrol", Role.PATROL_OFFICER, ["ST-A"], None),
    ("a.viewer", Role.VIEWER, ["ST-A"], None),
    ("a.investigator", Role.INVESTIGATOR, ["ST-A"], None),
    ("a.volunteer", Role.VOLUNTEER, ["ST-A"], None),
    ("a.shop", Role.PARTNER, ["ST-A"], "SHOP-ST-A"),
    ("b.operator", Role.OPERATOR, ["ST-B"], None),
]
WORLD_USERS = {username: role.value for username, role, _, _ in PEOPLE}


@dataclass
class World:
    settings: Settings
    users: dict[str, str] = field(default_factory=dict)  # username -> role

    def token(self, client: TestClient, username: str) -> str:
        response = client.post("/api/v1/auth/token",
                               data={"username": username, "password": PASSWORD})
        assert response.status_code == 200, response.text
        token: str = response.json()["access_token"]
        return token

    def headers(self, client: TestClient, username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(client, username)}"}


def build_world(db: Database, clock: Clock, settings: Settings) -> World:
    scope = system_scope("test-world")
    box = SecretBox(settings.secret_key.get_secret_value())
    world = World(settings=settings)
    with db.write() as s:
        def unit(code: str, kind: UnitKind, parent: str | None, **kw: object) -> None:
            org.create_unit(s, scope=scope, clock=clock, data=OrgUnitCreate(
                code=code, kind=kind, parent_code=parent, name_th=f"หน่วย {code}",
                name_en=f"Unit {code}", **kw))  # type: ignore[arg-type]

        unit("HQ", UnitKind.NATIONAL, None)
        unit("REG-1", UnitKind.REGION, "HQ")
        unit("REG-2", UnitKind.REGION, "HQ")
        unit("PROV-1", UnitKind.PROVINCE, "REG-1")
        unit("PROV-2", UnitKind.PROVINCE, "REG-2")
        for code, (province, lat, lon) in STATIONS.items():
            unit(code, UnitKind.STATION, province, station_type=StationType.PROVINCIAL,
                 lat=lat, lon=lon)
            zones.create_zone(s, scope=scope, clock=clock, data=ZoneCreate(
                code=f"Z-{code}", station_code=code, name_th=f"โซน {code}",
                name_en=f"Zone {code}", boundary=square(lat, lon)))
            org.create_partner(s, scope=scope, clock=clock, data=PartnerCreate(
                code=f"SHOP-{code}", org_unit_code=code, name_th=f"ร้านค้า {code}",
                owner_class=OwnerClass.PRIVATE_BUSINESS))
            for owner, partner in (("police", None), ("shop", f"SHOP-{code}")):
                point = f"{code}-{owner.upper()}-P1"
                assets.create_asset(s, scope=scope, clock=clock, data=AssetCreate(
                    station_code=code, zone_code=f"Z-{code}", kind=AssetKind.CAMERA_POINT,
                    code=point, name_th=f"จุดกล้อง {point}", lat=lat + 0.001, lon=lon,
                    owner_class=(OwnerClass.PRIVATE_BUSINESS if partner else OwnerClass.POLICE),
                    owner_partner_code=partner))
                assets.create_camera(s, scope=scope, clock=clock, secrets=box,
                                     data=CameraCreate(
                    station_code=code, point_code=point, code=f"{point}-C1",
                    name_th="กล้อง 1", heading_deg=90, fov_deg=60,
                    sharing_level=SharingLevel.LIVE_ON_ALARM,
                    stream_url=f"rtsp://{point.lower()}.cam.invalid/1",
                    stream_username="viewer", stream_password=f"pw-{point.lower()}"))
            assets.create_asset(s, scope=scope, clock=clock, data=AssetCreate(
                station_code=code, zone_code=f"Z-{code}", kind=AssetKind.SOS_POINT,
                code=f"{code}-SOS1", name_th="จุด SOS", lat=lat, lon=lon + 0.001,
                owner_class=OwnerClass.POLICE, has_speaker=True,
                bound_camera_codes=[f"{code}-POLICE-P1-C1"]))
        for username, role, units, partner in PEOPLE:
            auth.create_user(s, scope=scope, clock=clock, data=UserCreate(
                username=username, display_name=username, password=PASSWORD, role=role,
                org_unit_codes=units, partner_code=partner))
            world.users[username] = role.value
    return world
