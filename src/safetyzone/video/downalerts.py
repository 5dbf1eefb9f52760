"""The alert for a camera down where it matters: at a risk spot or an SOS point.

A camera *covers* a place when it is bound to an SOS point (its pictures go with a press
there), or stands within ``COVER_M`` of an active SOS point, or within a risk spot's radius
(at least ``COVER_M``). When such a camera stays offline or frozen past the grace period,
one maintenance incident is opened (priority 3, on the console's queue through the live
feed like every alert; its source is the camera's point, so it can become a work order to
the owner). It is remembered on the camera's health record: one alert per outage, however
many probes fail, across restarts too. When the camera is back online, the incident's
timeline gets a recovery note (pushed to the consoles as an update); it is not closed on
its own: someone may be on the way to fix it. Both are audited.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from safetyzone.assets.models import Asset, AssetKind, AssetStatus, Camera, CameraBinding
from safetyzone.audit import service as audit
from safetyzone.core.errors import NotFound
from safetyzone.core.geo import haversine_m
from safetyzone.core.security import system_scope
from safetyzone.ops import incidents
from safetyzone.patrol import riskspots
from safetyzone.video.models import CameraHealth, CameraState

COVER_M = 100.0
KIND = "maintenance"
PRIORITY = 3
ACK_TIMEOUT_S = 600
ENTRY_RECOVERED = "camera_recovered"
_STATE_TH = {CameraState.OFFLINE: "ออฟไลน์", CameraState.FROZEN: "ภาพค้าง"}
_KIND_TH = {"risk_spot": "จุดเสี่ยง", "sos_point": "จุด SOS"}
_KIND_EN = {"risk_spot": "risk spot", "sos_point": "SOS point"}


@dataclass(frozen=True)
class Place:
    kind: str  # "risk_spot" | "sos_point"
    id: uuid.UUID
    code: str
    name_th: str
    name_en: str
    distance_m: float
    bound: bool = False

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "id": str(self.id), "code": self.code,
                "name_th": self.name_th, "name_en": self.name_en,
                "distance_m": round(self.distance_m, 1), "bound": self.bound}


def covered_places(session: Session, camera: Camera) -> list[Place]:
    """The risk spots and SOS points this camera covers, bound ones and the nearest first."""
    bound = set(session.scalars(select(CameraBinding.asset_id).where(
        CameraBinding.camera_id == camera.id)))
    places = []
    for asset in session.scalars(select(Asset).where(
            Asset.station_id == camera.station_id, Asset.kind == AssetKind.SOS_POINT,
            Asset.status != AssetStatus.RETIRED)):
        distance = haversine_m(camera.lat, camera.lon, asset.lat, asset.lon)
        if asset.id in bound or distance <= COVER_M:
            places.append(Place("sos_point", asset.id, asset.code, asset.name_th,
                                asset.name_en or asset.name_th, distance, asset.id in bound))
    for spot in riskspots.active_spots(session, station_id=camera.station_id):
        distance = haversine_m(camera.lat, camera.lon, spot.lat, spot.lon)
        if distance <= max(COVER_M, spot.radius_m):
            places.append(Place("risk_spot", spot.id, spot.code, spot.name_th,
                                spot.name_en or spot.name_th, distance))
    return sorted(places, key=lambda p: (not p.bound, p.distance_m))


def raise_alert(session: Session, *, camera_id: uuid.UUID, state: CameraState,
                down_since: datetime, now: datetime) -> uuid.UUID | None:
    """Open the outage's alert when the camera covers a place; its id, or None if it covers
    none (or already has one)."""
    health = session.get(CameraHealth, camera_id)
    camera = session.get(Camera, camera_id)
    if health is None or camera is None or health.alert_incident_id is not None:
        return None
    places = covered_places(session, camera)
    if not places:
        return None
    place = places[0]
    minutes = max(1, round((now - down_since).total_seconds() / 60))
    incident = incidents.open_alert(
        session, station_id=camera.station_id, kind=KIND, priority=PRIORITY,
        title_th=(f"กล้อง {camera.code} {_STATE_TH.get(state, 'ใช้งานไม่ได้')} "
                  f"ที่{_KIND_TH[place.kind]} {place.name_th} นาน {minutes} นาที"),
        title_en=(f"Camera {camera.code} {state.value} at {_KIND_EN[place.kind]} "
                  f"{place.name_en} for {minutes} min"),
        lat=camera.lat, lon=camera.lon, now=now, ack_timeout_s=ACK_TIMEOUT_S,
        source_th=f"กล้อง {camera.code}", source_en=f"Camera {camera.code}",
        detail={"camera_id": str(camera.id), "camera_code": camera.code,
                "camera_state": state.value, "down_since": down_since.isoformat(),
                "places": [p.as_json() for p in places[:10]]})
    incident.source_asset_id = camera.point_id  # a work order goes to the point's owner
    health.alert_incident_id = incident.id
    audit.record(session, actor=None, username="system", at=now, action="camera.down.alert",
                 entity="camera", entity_id=camera.id, station_id=camera.station_id,
                 detail={"code": camera.code, "state": state.value,
                         "incident_id": str(incident.id),
                         "places": [p.code for p in places[:10]]})
    return incident.id


def recover(session: Session, *, camera_id: uuid.UUID, down_since: datetime | None,
            now: datetime) -> bool:
    """The camera is back: note it on the outage's alert and forget the alert."""
    health = session.get(CameraHealth, camera_id)
    if health is None or health.alert_incident_id is None:
        return False
    incident_id, health.alert_incident_id = health.alert_incident_id, None
    camera = session.get(Camera, camera_id)
    code = camera.code if camera else str(camera_id)
    minutes = (round((now - down_since).total_seconds() / 60) if down_since else None)
    lasted = f" ({minutes} min)" if minutes is not None else ""
    try:
        incident = incidents.get_incident(session, scope=system_scope(), incident_id=incident_id)
    except NotFound:
        incident = None
    if incident is not None:
        incidents.add_log(session, incident, at=now, entry=ENTRY_RECOVERED, username="system",
                          text=f"กล้อง {code} กลับมาใช้งานได้{lasted} / "
                               f"camera {code} is back online{lasted}",
                          detail={"camera_id": str(camera_id), "minutes_down": minutes})
        incident.version += 1
        incident.updated_at, incident.last_actor = now, "system"
        incidents.publish(session, incident, now, "incident.updated")
    audit.record(session, actor=None, username="system", at=now,
                 action="camera.down.recovered", entity="camera", entity_id=camera_id,
                 station_id=health.station_id,
                 detail={"code": code, "incident_id": str(incident_id),
                         "minutes_down": minutes})
    return True


def covers_nothing(session: Session, *, camera_ids: list[uuid.UUID]) -> set[uuid.UUID]:
    """Of these cameras, those that cover no risk spot or SOS point (the demo's faults)."""
    out = set()
    for camera in session.scalars(select(Camera).where(Camera.id.in_(camera_ids))):
        if not covered_places(session, camera):
            out.add(camera.id)
    return out
