"""Incidents opened by citizens: an emergency from the public app or LINE (P1 at once), a
report an officer turns into an incident, and what a citizen may see of them.

The citizen domain calls these (ops never imports citizen). What goes back is a small view,
not the incident row: a citizen's page shows the state, the stamps and the unit coming, and
nothing of the console's picture (cameras, other units, notes).
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from safetyzone.audit import service as audit
from safetyzone.core.clock import Clock
from safetyzone.core.errors import NotFound
from safetyzone.core.geo import haversine_m
from safetyzone.core.security import Permission, Scope
from safetyzone.ops import incidents
from safetyzone.ops.cameras import CameraIndexCache, link_cameras
from safetyzone.ops.models import Assignment, Incident, IncidentLog, IncidentState, Unit
from safetyzone.ops.units import DETOUR, URBAN_SPEED_MPS

EMERGENCY_KIND = "citizen_emergency"
REPORT_KIND = "citizen_report"
# A citizen pressing "emergency" is waiting on a person: the SOS pole's deadline.
EMERGENCY_ACK_TIMEOUT_S = 60
REPORT_ACK_TIMEOUT_S = 600
DOCK_NEAREST = 4
DOCK_RADIUS_M = 300.0


@dataclass(frozen=True)
class UnitComing:
    """The unit assigned to a citizen's incident, as the citizen sees it.

    ``eta_min`` is the straight-line distance times the street detour factor, at the unit
    kind's assumed urban speed (``ops.units.URBAN_SPEED_MPS``: car 30 km/h, motorcycle
    35 km/h, on foot 5 km/h), rounded up to whole minutes; 0 once it is on scene.
    """

    callsign: str
    distance_m: float | None
    eta_min: int | None


@dataclass(frozen=True)
class IncidentView:
    id: uuid.UUID
    station_id: uuid.UUID
    state: IncidentState
    opened_at: datetime
    acknowledged_at: datetime | None
    dispatched_at: datetime | None
    en_route_at: datetime | None
    arrived_at: datetime | None
    cleared_at: datetime | None
    closed_at: datetime | None
    disposition: str | None
    unit: UnitComing | None

    @property
    def open(self) -> bool:
        return self.state in incidents.OPEN_STATES


def _docked(session: Session, cameras: CameraIndexCache | None, *, lat: float, lon: float,
            station_id: uuid.UUID, now: datetime) -> list[dict[str, Any]]:
    if cameras is None:
        return []
    return link_cameras(cameras.get(session), lat=lat, lon=lon, bound=[],
                        nearest=DOCK_NEAREST, radius_m=DOCK_RADIUS_M, station_id=station_id,
                        now=now)


def open_citizen_emergency(
    session: Session, *, station_id: uuid.UUID, lat: float, lon: float, ticket_code: str,
    title_th: str, title_en: str, now: datetime, cameras: CameraIndexCache | None = None,
    detail: dict[str, Any] | None = None,
) -> uuid.UUID:
    """Open a P1 incident for a citizen's emergency, in the caller's transaction."""
    incident = Incident(
        station_id=station_id, kind=EMERGENCY_KIND, priority=1, title_th=title_th,
        title_en=title_en, state=IncidentState.NEW, rule_name=None, lat=lat, lon=lon,
        event_count=1, device_time=now, opened_at=now, last_event_at=now,
        ack_deadline=now + timedelta(seconds=EMERGENCY_ACK_TIMEOUT_S), escalation_level=0,
        cameras=_docked(session, cameras, lat=lat, lon=lon, station_id=station_id, now=now),
        detail={"source_th": "ประชาชนแจ้งเหตุฉุกเฉิน", "source_en": "Citizen emergency",
                "ticket": ticket_code, **(detail or {})},
        version=1, updated_at=now, last_actor="citizen")
    session.add(incident)
    session.flush()
    incidents.add_log(session, incident, at=now, entry="created", username="citizen",
                      detail={"ticket": ticket_code,
                              "cameras": [c["code"] for c in incident.cameras]})
    incidents.publish(session, incident, now, "incident.created")
    return incident.id


def merge_citizen_press(session: Session, *, incident_id: uuid.UUID, ticket_code: str,
                        now: datetime) -> None:
    """Another press of the same emergency: counted on the incident, never a second one."""
    incident = _incident(session, incident_id)
    incident.event_count += 1
    incident.last_event_at = now
    incident.version += 1
    incident.updated_at = now
    incidents.add_log(session, incident, at=now, entry="merged", username="citizen",
                      detail={"ticket": ticket_code, "count": incident.event_count})
    incidents.publish(session, incident, now, "incident.updated")


def log_trail(session: Session, *, incident_id: uuid.UUID, ticket_code: str, now: datetime,
              fixes: list[dict[str, Any]]) -> None:
    """Later positions from the caller's phone, on the timeline; the location stays put."""
    incident = _incident(session, incident_id)
    incidents.add_log(session, incident, at=now, entry="trail", username="citizen",
                      detail={"ticket": ticket_code, "fixes": fixes})
    incident.version += 1
    incident.updated_at = now
    incidents.publish(session, incident, now, "incident.updated")


def forget_caller(session: Session, *, incident_id: uuid.UUID, now: datetime) -> None:
    """The caller deleted their data (or its period ended): their words and the trail of
    their phone leave the incident too. Where it happened (the incident's place) and what
    the police did stay: that is the police record."""
    incident = session.get(Incident, incident_id)
    if incident is None:
        return
    if incident.detail.get("message"):
        incident.detail = {**incident.detail, "message": ""}
    for entry in session.scalars(select(IncidentLog).where(
            IncidentLog.incident_id == incident_id, IncidentLog.entry == "trail")):
        fixes = entry.detail.get("fixes") or []
        entry.detail = {**entry.detail, "fixes": [], "erased": len(fixes)}
    incident.version += 1
    incident.updated_at = now
    incidents.publish(session, incident, now, "incident.updated")


def open_citizen_incident(
    session: Session, *, scope: Scope, clock: Clock, station_id: uuid.UUID, priority: int,
    lat: float | None, lon: float | None, ticket_code: str, title_th: str, title_en: str,
    cameras: CameraIndexCache | None = None,
) -> uuid.UUID:
    """An officer turns a citizen's report into an incident (audited as the officer's act)."""
    scope.require(Permission.INCIDENT_ACT)
    if not scope.sees_station(station_id):
        raise NotFound("no such station in your scope")
    now = clock.now()
    incident = Incident(
        station_id=station_id, kind=REPORT_KIND, priority=priority, title_th=title_th,
        title_en=title_en, state=IncidentState.NEW, rule_name=None, lat=lat, lon=lon,
        event_count=1, device_time=now, opened_at=now, last_event_at=now,
        ack_deadline=now + timedelta(seconds=EMERGENCY_ACK_TIMEOUT_S if priority == 1
                                     else REPORT_ACK_TIMEOUT_S),
        escalation_level=0,
        cameras=(_docked(session, cameras, lat=lat, lon=lon, station_id=station_id, now=now)
                 if lat is not None and lon is not None else []),
        detail={"source_th": "ประชาชนแจ้งเรื่อง", "source_en": "Citizen report",
                "ticket": ticket_code},
        version=1, updated_at=now, last_actor=scope.username)
    session.add(incident)
    session.flush()
    incidents.add_log(session, incident, at=now, entry="created", username=scope.username,
                      detail={"ticket": ticket_code})
    audit.record(session, actor=scope, at=now, action="incident.create", entity="incident",
                 entity_id=incident.id, station_id=station_id, detail={"ticket": ticket_code})
    incidents.publish(session, incident, now, "incident.created")
    return incident.id


def view(session: Session, *, incident_id: uuid.UUID) -> IncidentView:
    """What a citizen may see of an incident: state, stamps, the unit coming."""
    incident = _incident(session, incident_id)
    return IncidentView(
        id=incident.id, station_id=incident.station_id, state=incident.state,
        opened_at=incident.opened_at, acknowledged_at=incident.acknowledged_at,
        dispatched_at=incident.dispatched_at, en_route_at=incident.en_route_at,
        arrived_at=incident.arrived_at, cleared_at=incident.cleared_at,
        closed_at=incident.closed_at, disposition=incident.disposition,
        unit=_unit_coming(session, incident))


def _unit_coming(session: Session, incident: Incident) -> UnitComing | None:
    row = session.execute(select(Assignment, Unit).join(Unit, Unit.id == Assignment.unit_id)
                          .where(Assignment.incident_id == incident.id,
                                 Assignment.released_at.is_(None))
                          .order_by(Assignment.assigned_at).limit(1)).first()
    if row is None:
        return None
    assignment, unit = row
    distance = assignment.distance_m
    if (unit.lat is not None and unit.lon is not None and incident.lat is not None
            and incident.lon is not None and not unit.position_suspect):
        distance = round(haversine_m(incident.lat, incident.lon, unit.lat, unit.lon), 1)
    if incident.state is IncidentState.ON_SCENE:
        return UnitComing(callsign=unit.callsign, distance_m=distance, eta_min=0)
    eta = (None if distance is None else
           math.ceil(distance * DETOUR / URBAN_SPEED_MPS[unit.kind] / 60))
    return UnitComing(callsign=unit.callsign, distance_m=distance, eta_min=eta)


def _incident(session: Session, incident_id: uuid.UUID) -> Incident:
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise NotFound("no such incident")
    return incident
