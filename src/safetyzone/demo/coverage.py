"""The demo's coverage data: what each camera is used for, private premises beside the private
camera points, and one PTZ camera. All of it is a demo assumption and says so.

* Purposes (seed 001 names investigation, traffic and patrol without saying which camera
  does what): by owner class — city and other agencies' poles traffic and patrol, police
  investigation and patrol, shops and homes investigation.
* The demo's cameras already have a heading and a field of view drawn by the loader
  (``demo.placement``); each gets a ``view_note`` saying so. Their range is left unknown,
  so the coverage map shows the default range as assumed.
* Each private camera point gets its owner's premises (a 16 m x 12 m plot beside it, in a
  direction drawn from its code) as a private area: cameras that face into them are flagged,
  as seed 004 asks owners to aim at public space.
* One police camera of each zone that has police cameras gets PTZ settings pointing at the
  simulated ONVIF camera (``ssz simulate-ptz``), calibrated so that its pan gives a compass
  heading.
"""

from __future__ import annotations

import hashlib
import math
from typing import Any

from sqlalchemy.orm import Session

from safetyzone.assets import service as assets
from safetyzone.assets.models import AssetKind
from safetyzone.assets.schemas import CameraUpdate
from safetyzone.core.clock import Clock
from safetyzone.core.secretbox import SecretBox
from safetyzone.core.security import Scope
from safetyzone.org import service as org
from safetyzone.org.models import OwnerClass
from safetyzone.video import coverage_service
from safetyzone.video.coverage_models import PrivateKind
from safetyzone.video.coverage_schemas import PrivateAreaCreate
from safetyzone.video.ptz import service as ptz
from safetyzone.video.ptz.schemas import PtzConfigIn

VIEW_NOTE = ("ทิศทางและมุมมองสมมติสำหรับการสาธิต (demo assumption: heading, field of view, "
             "purposes)")
PURPOSES = {
    OwnerClass.CITY: ["patrol", "traffic"], OwnerClass.OTHER_AGENCY: ["patrol", "traffic"],
    OwnerClass.POLICE: ["investigation", "patrol"],
    OwnerClass.PRIVATE_BUSINESS: ["investigation"], OwnerClass.PRIVATE_HOME: ["investigation"],
}
PREMISES = {OwnerClass.PRIVATE_BUSINESS: (PrivateKind.SHOP_INTERIOR, "ร้านค้า", "shop"),
            OwnerClass.PRIVATE_HOME: (PrivateKind.HOME, "บ้าน", "home")}
PLOT_M = (16.0, 12.0)
# The simulated ONVIF camera of `ssz simulate-ptz` (loopback: list it in SSZ_CAMERA_NETWORKS).
SIM_PTZ_URL = "http://127.0.0.1:8899"
ALL = 100_000


def _plot(lat: float, lon: float, code: str) -> dict[str, Any]:
    """A rectangle beside the point, its centre 9 m away in a direction drawn from ``code``."""
    bearing = math.radians(int(hashlib.sha256(code.encode()).hexdigest()[:4], 16) % 360)
    m_lat = 110_600.0
    m_lon = 111_320.0 * math.cos(math.radians(lat))
    clat = lat + 9 * math.cos(bearing) / m_lat
    clon = lon + 9 * math.sin(bearing) / m_lon
    half_w, half_h = PLOT_M[0] / 2 / m_lon, PLOT_M[1] / 2 / m_lat
    ring = [[clon - half_w, clat - half_h], [clon + half_w, clat - half_h],
            [clon + half_w, clat + half_h], [clon - half_w, clat + half_h],
            [clon - half_w, clat - half_h]]
    return {"type": "Polygon", "coordinates": [[[round(x, 7), round(y, 7)] for x, y in ring]]}


def ensure_coverage(session: Session, scope: Scope, clock: Clock, box: SecretBox,
                    zone: dict[str, Any]) -> None:
    """Purposes and view notes, private premises and one PTZ camera; only what is missing."""
    station = org.get_station(session, scope=scope, code=zone["station"])
    cameras, _ = assets.list_cameras(session, scope=scope, station_id=station.id, limit=ALL)
    for camera in cameras:
        if camera.synthetic and not camera.purposes:
            assets.update_camera(session, scope=scope, clock=clock, secrets=box,
                                 camera_id=camera.id, data=CameraUpdate(
                                     purposes=PURPOSES[camera.owner_class],
                                     view_note=VIEW_NOTE))
    if not coverage_service.private_areas(session, scope=scope, station_id=station.id):
        points, _ = assets.list_assets(session, scope=scope, kind=AssetKind.CAMERA_POINT,
                                       station_id=station.id, limit=ALL)
        for point in points:
            if point.owner_class not in PREMISES or not point.synthetic:
                continue
            kind, th, en = PREMISES[point.owner_class]
            coverage_service.create_area(session, scope=scope, clock=clock, synthetic=True,
                                         data=PrivateAreaCreate(
                station_code=station.code, name=f"{th} {point.code} (ข้อมูลสาธิต)", kind=kind,
                boundary=_plot(point.lat, point.lon, point.code),
                note=f"สถานที่เอกชนสมมติสำหรับการสาธิต (demo assumption: the {en} premises "
                     "beside this camera point)"))
    police = [c for c in cameras if c.owner_class is OwnerClass.POLICE and c.synthetic]
    if police and not ptz.read(session, scope=scope, camera_id=police[0].id).configured:
        camera = police[0]
        # Pan 0 faces the camera's drawn heading: its presets then have compass headings.
        ptz.configure(session, scope=scope, clock=clock, secrets=box, camera_id=camera.id,
                      data=PtzConfigIn(onvif_url=SIM_PTZ_URL,
                                       pan_zero_heading_deg=camera.heading_deg or 0.0))
