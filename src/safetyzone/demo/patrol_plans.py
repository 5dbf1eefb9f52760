"""The demo's patrol plans: synthetic risk spots in each seed zone, a plan for the current
shift, and the places the simulator's patrols visit.

The seeds name risk places (markets, convenience stores, quiet sois) but place and score
none, so each zone gets a few risk spots placed like the other synthetic assets, marked
synthetic and "(ข้อมูลสาธิต)" / "(demo data)". Each start of the demo makes sure a plan
runs for the current shift (06-14, 14-22, 22-06 Bangkok; through the next one when less
than 4 hours are left) with the zone's patrol units, weighted automatically from the
station's red boxes and risk spots. The simulator's patrols head for those places now and
then, all but the zone's last risk spot: the demo leaves one place unvisited so that the
missed-visit alert shows during its high-risk hours.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from safetyzone.assets import service as assets
from safetyzone.assets.models import AssetKind, AssetStatus
from safetyzone.core.clock import BANGKOK, Clock
from safetyzone.core.secretbox import SecretBox
from safetyzone.core.security import Scope
from safetyzone.demo.placement import Placer
from safetyzone.ops import units as patrol_units
from safetyzone.org import service as org
from safetyzone.org import zones
from safetyzone.patrol import plans, redbox_keys, riskspots
from safetyzone.patrol.plan_schemas import PlanCreate, RiskSpotCreate
from safetyzone.patrol.redbox_codes import KeyMode
from safetyzone.patrol.redbox_models import RedBoxKey
from safetyzone.simulate.devices import PatrolPoint

log = logging.getLogger(__name__)

# name_th, name_en, risk score, high-risk hours (Bangkok)
RISK_SPOTS: list[tuple[str, str, float, list[int]]] = [
    ("หน้าร้านสะดวกซื้อ ซอย 3", "Convenience store, Soi 3", 0.8, [20, 21, 22, 23, 0, 1]),
    ("ลานจอดรถหน้าตลาด", "Market car park", 0.6, [17, 18, 19, 20, 21]),
    ("ป้ายรถเมล์หน้าโรงเรียน", "Bus stop by the school", 0.5, [6, 7, 15, 16, 17]),
    ("ซอยเปลี่ยวหลังตลาด", "Quiet soi behind the market", 0.9, [21, 22, 23, 0, 1, 2]),
]
SHIFT_STARTS = (6, 14, 22)  # Bangkok hours
SHIFT_HOURS = 8
MIN_LEFT = timedelta(hours=4)
RADIUS_M = 50.0


def spot_code(zone: dict[str, Any], index: int) -> str:
    return f"{zone['code']}-RS{index + 1:02d}"


def ensure_risk_spots(session: Session, scope: Scope, clock: Clock,
                      zone: dict[str, Any]) -> None:
    """The zone's synthetic risk spots; only the missing ones are made."""
    station = org.get_station(session, scope=scope, code=zone["station"])
    have = {s.code for s in riskspots.list_spots(session, scope=scope, station_id=station.id)}
    placer = Placer(zone["boundary"], f"{zone['code']}/risk-spots")
    for i, (name_th, name_en, risk, hours) in enumerate(RISK_SPOTS):
        lat, lon = placer.point()  # drawn for every spot: places do not move between runs
        if spot_code(zone, i) in have:
            continue
        riskspots.create_spot(session, scope=scope, clock=clock, synthetic=True,
                              data=RiskSpotCreate(
            station_code=zone["station"], zone_code=zone["code"], code=spot_code(zone, i),
            name_th=f"{name_th} (ข้อมูลสาธิต)", name_en=f"{name_en} (demo data)", lat=lat,
            lon=lon, radius_m=RADIUS_M, risk_score=risk, high_risk_hours=hours,
            note="จุดเสี่ยงสมมติสำหรับการสาธิต (synthetic risk spot for the demo)"))


def shift_window(now: datetime) -> tuple[datetime, datetime]:
    """The current shift in Bangkok, through the next one when little of it is left."""
    local = now.astimezone(BANGKOK)
    start_hour = max((h for h in SHIFT_STARTS if h <= local.hour), default=SHIFT_STARTS[-1])
    start = local.replace(hour=start_hour, minute=0, second=0, microsecond=0)
    if start_hour > local.hour:  # after midnight, in the night shift that began yesterday
        start -= timedelta(days=1)
    end = start + timedelta(hours=SHIFT_HOURS)
    if end - local < MIN_LEFT:
        end += timedelta(hours=SHIFT_HOURS)
    return start.astimezone(now.tzinfo), end.astimezone(now.tzinfo)


def ensure_plan(session: Session, scope: Scope, clock: Clock, zone: dict[str, Any]) -> None:
    """A plan for the current shift with the zone's patrol units, unless one runs now."""
    now = clock.now()
    station = org.get_station(session, scope=scope, code=zone["station"])
    if plans.list_plans(session, scope=scope, station_id=station.id, at=now, now=now):
        return
    starts, ends = shift_window(now)
    units = [u.id for u in patrol_units.list_units(session, scope=scope, station_id=station.id)
             if u.code.startswith(f"{zone['code']}-")]
    local = starts.astimezone(BANGKOK)
    plans.create_plan(session, scope=scope, clock=clock, data=PlanCreate(
        station_code=zone["station"], auto=True, unit_ids=units, starts_at=starts, ends_at=ends,
        name=f"แผนตรวจจุดเสี่ยง {local:%d/%m} ผลัด {local:%H}.00 น. (สาธิต)"))
    log.info("demo: patrol plan for %s %s-%s", zone["station"], starts, ends)


def ensure_red_box_keys(session: Session, scope: Scope, clock: Clock, box: SecretBox,
                        zone: dict[str, Any]) -> None:
    """A printed key for each of the zone's red boxes that has none, so the QR sheet
    (``GET /api/v1/red-boxes/sheet.pdf``) prints codes the officer app can check in with."""
    station = org.get_station(session, scope=scope, code=zone["station"])
    boxes, _ = assets.list_assets(session, scope=scope, station_id=station.id,
                                  kind=AssetKind.RED_BOX)
    for asset in boxes:
        if session.get(RedBoxKey, asset.id) is None:
            redbox_keys.rotate_key(session, scope=scope, clock=clock, box=box,
                                   asset_id=asset.id, mode=KeyMode.PRINTED, step_s=30)


def patrol_points(session: Session, scope: Scope, zone: dict[str, Any]) -> list[PatrolPoint]:
    """Where the simulator's patrols go: the zone's red boxes and risk spots but the last."""
    station = org.get_station(session, scope=scope, code=zone["station"])
    zone_row = zones.get_zone_by_code(session, scope=scope, code=zone["code"])
    boxes, _ = assets.list_assets(session, scope=scope, zone_id=zone_row.id,
                                  kind=AssetKind.RED_BOX, limit=500)
    points = [PatrolPoint(code=b.code, lat=b.lat, lon=b.lon, radius_m=RADIUS_M)
              for b in boxes if b.status is AssetStatus.ACTIVE]
    skipped = spot_code(zone, len(RISK_SPOTS) - 1)
    points += [PatrolPoint(code=s.code, lat=s.lat, lon=s.lon, radius_m=s.radius_m)
               for s in riskspots.list_spots(session, scope=scope, station_id=station.id,
                                             active=True)
               if s.zone_id == zone_row.id and s.code != skipped]
    return points
