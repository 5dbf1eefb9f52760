"""The officer's duty from the phone: what it shows, and what the officer reports.

Always the caller's own shift and unit: nothing here takes a unit or incident id from the
phone. Status, notes and photos act on the incident the unit is assigned to, through the
narrow by-unit paths of ``ops.incidents`` (an officer holds ``UNIT_STATUS``, not
``INCIDENT_ACT``). Positions and SOS become ``gps.position`` events of the unit's
officer-app credential (see ``patrol.shifts``), stored by the inbox and acknowledged only
after the commit; the engine moves the unit, and its "officer-in-danger" rule opens the P1
incident for an SOS.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from safetyzone.citizen.media import MediaKind, MediaStore
from safetyzone.core.clock import Clock
from safetyzone.core.db import Database
from safetyzone.core.errors import Conflict, InvalidInput, NotFound, Problem
from safetyzone.core.events import EventKind, GpsIn, GpsPayload, Location
from safetyzone.core.geo import position_problem
from safetyzone.core.security import Permission, Scope
from safetyzone.intake.credentials import DeviceIdentity
from safetyzone.intake.models import DeviceCredential
from safetyzone.ops import incidents, units
from safetyzone.ops.models import Incident, IncidentLog, Unit, UnitStatus
from safetyzone.org import auth
from safetyzone.patrol import shifts
from safetyzone.patrol.models import OfficerPhoto, PatrolShift
from safetyzone.patrol.schemas import (
    CameraRef,
    FixIn,
    NoteRead,
    OfficerIncident,
    OfficerMe,
    OfficerStatus,
    OfficerUser,
    PhotoCreated,
    PhotoRead,
    SosIn,
)

PHOTO_URL = "/api/v1/officer/incident/photos/{}"
# The intake's window for device clocks (``intake.service``): the same for the phone.
MAX_FUTURE = timedelta(minutes=5)
MAX_PAST = timedelta(days=7)
SOS_OFF_SHIFT = (": an SOS needs a shift. Call 191 or use the radio now / "
                 "ไม่สามารถส่ง SOS นอกเวร: โทร 191 หรือใช้วิทยุทันที")


def _shift_unit(session: Session, shift: PatrolShift) -> Unit:
    unit = session.get(Unit, shift.unit_id)
    assert unit is not None  # a RESTRICT foreign key
    return unit


def _no_assignment(callsign: str) -> Conflict:
    return Conflict(f"หน่วย {callsign} ไม่มีเหตุที่ได้รับมอบหมาย / Unit {callsign} has no "
                    "assigned incident", [Problem("no open assignment", "assignment")],
                    code="no-assignment")


def _assignment(session: Session, *, scope: Scope, unit: Unit) -> Incident:
    incident_id = incidents.open_assignment(session, unit_id=unit.id)
    if incident_id is None:
        raise _no_assignment(unit.callsign)
    return incidents.get_incident(session, scope=scope, incident_id=incident_id)


def officer_incident(session: Session, incident: Incident) -> OfficerIncident:
    """The incident as the phone shows it: where, how to get there, cameras, notes, photos."""
    notes = session.scalars(select(IncidentLog).where(
        IncidentLog.incident_id == incident.id, IncidentLog.entry == "note")
        .order_by(IncidentLog.id))
    photos = session.scalars(select(OfficerPhoto).where(OfficerPhoto.incident_id == incident.id)
                             .order_by(OfficerPhoto.at, OfficerPhoto.id))
    geo = (f"geo:{incident.lat:.6f},{incident.lon:.6f}?q={incident.lat:.6f},{incident.lon:.6f}"
           if incident.lat is not None and incident.lon is not None else None)
    cameras = []
    for camera in incident.cameras or []:
        try:
            cameras.append(CameraRef(id=uuid.UUID(str(camera["camera_id"])),
                                     code=str(camera["code"]), name_th=str(camera["name_th"]),
                                     live=bool(camera.get("live", False))))
        except (KeyError, ValueError):
            continue  # an entry of an older shape: the console still shows it
    return OfficerIncident(
        id=incident.id, title_th=incident.title_th, title_en=incident.title_en,
        priority=incident.priority, state=incident.state.value, kind=incident.kind,
        lat=incident.lat, lon=incident.lon, opened_at=incident.opened_at,
        dispatched_at=incident.dispatched_at, geo_uri=geo, cameras=cameras,
        notes=[NoteRead(id=n.id, at=n.at, username=n.username, text=n.text or "")
               for n in notes],
        photos=[PhotoRead(id=p.id, at=p.at, username=p.username, url=PHOTO_URL.format(p.id))
                for p in photos],
        version=incident.version)


def me(session: Session, *, scope: Scope) -> OfficerMe:
    """Who the caller is, its shift, and its unit's assigned incident."""
    scope.require(Permission.PATROL_DUTY)
    user = auth.get_user(session, scope=scope)
    shift = shifts.active_shift(session, user_id=scope.user_id)
    assignment = None
    if shift is not None:
        incident_id = incidents.open_assignment(session, unit_id=shift.unit_id)
        if incident_id is not None:
            assignment = officer_incident(session, incidents.get_incident(
                session, scope=scope, incident_id=incident_id))
    return OfficerMe(user=OfficerUser(username=user.username, display_name=user.display_name,
                                      role=user.role.value),
                     shift=shifts.shift_read(session, shift) if shift else None,
                     assignment=assignment)


def set_status(session: Session, *, scope: Scope, clock: Clock, status: OfficerStatus) -> None:
    """The unit's status from the phone; en route / on scene / cleared move its incident."""
    shift = shifts.require_shift(session, scope=scope)
    unit = _shift_unit(session, shift)
    busy = incidents.open_assignment(session, unit_id=unit.id)
    if status is OfficerStatus.CLEARED:
        if busy is None:
            raise _no_assignment(unit.callsign)
        incidents.unit_cleared(session, scope=scope, clock=clock, unit=unit)
        return
    target = UnitStatus(status.value)
    if target in {UnitStatus.EN_ROUTE, UnitStatus.ON_SCENE}:
        if busy is None:
            raise _no_assignment(unit.callsign)
    elif busy is not None:
        raise Conflict(
            f"หน่วย {unit.callsign} ยังรับผิดชอบเหตุอยู่: รายงานเสร็จสิ้นก่อน / Unit "
            f"{unit.callsign} is still on incident {busy}: report it cleared first",
            [Problem("open assignment", "status")], code="unit-busy")
    if unit.status is target:
        return
    units.set_status(session, scope=scope, clock=clock, unit_id=unit.id, status=target)
    incidents.unit_progress(session, scope=scope, clock=clock, unit=unit, status=target)


def add_note(session: Session, *, scope: Scope, clock: Clock, text: str) -> NoteRead:
    """A note on the unit's incident, on its timeline for the console."""
    shift = shifts.require_shift(session, scope=scope)
    unit = _shift_unit(session, shift)
    incident = _assignment(session, scope=scope, unit=unit)
    row = incidents.unit_log(session, scope=scope, clock=clock, unit=unit,
                             incident_id=incident.id, entry="note", text=text,
                             detail={"via": "officer_app", "unit_id": str(unit.id)})
    return NoteRead(id=row.id, at=row.at, username=row.username, text=text)


def report_safe(session: Session, *, scope: Scope, clock: Clock) -> NoteRead:
    """After an SOS: "I am safe" on the unit's open officer-in-danger incident (a line on its
    timeline for the console; the operator confirms and closes it)."""
    shift = shifts.require_shift(session, scope=scope)
    row = incidents.officer_safe(session, scope=scope, clock=clock,
                                 unit=_shift_unit(session, shift))
    return NoteRead(id=row.id, at=row.at, username=row.username, text=row.text or "")


def add_photo(session: Session, *, scope: Scope, clock: Clock, store: MediaStore, data: bytes,
              declared_type: str | None) -> PhotoCreated:
    """A photo at the unit's incident: checked by its bytes, EXIF removed, on the timeline.

    The file is written before the row commits; the caller removes it if the transaction
    fails (``unreferenced``)."""
    shift = shifts.require_shift(session, scope=scope)
    unit = _shift_unit(session, shift)
    incident = _assignment(session, scope=scope, unit=unit)
    stored = store.accept(data, declared_type=declared_type, allow={MediaKind.PHOTO})
    session.info.setdefault(FILES_KEY, []).extend(
        p for p in (stored.path, stored.thumb_path) if p)
    photo = OfficerPhoto(station_id=incident.station_id, incident_id=incident.id,
                         unit_id=unit.id, user_id=scope.user_id, username=scope.username,
                         at=clock.now(), path=stored.path, thumb_path=stored.thumb_path,
                         content_type=stored.content_type, size=stored.size,
                         sha256=stored.sha256)
    session.add(photo)
    session.flush()
    incidents.unit_log(session, scope=scope, clock=clock, unit=unit, incident_id=incident.id,
                       entry="photo", detail={"via": "officer_app", "photo_id": str(photo.id),
                                              "unit_id": str(unit.id),
                                              "url": PHOTO_URL.format(photo.id)})
    return PhotoCreated(id=photo.id, at=photo.at, url=PHOTO_URL.format(photo.id))


FILES_KEY = "ssz.officer_photo_files"


def unreferenced(session: Session, paths: list[str]) -> list[str]:
    """Which of these stored files no photo row points at (identical photos share a file)."""
    used = set(session.scalars(select(OfficerPhoto.path).where(OfficerPhoto.path.in_(paths))))
    used |= set(session.scalars(select(OfficerPhoto.thumb_path)
                                .where(OfficerPhoto.thumb_path.in_(paths))))
    return [p for p in paths if p not in used]


def photo_file(session: Session, *, scope: Scope, store: MediaStore, photo_id: uuid.UUID,
               thumb: bool = False) -> tuple[Path, str]:
    """An officer's photo for anyone who reads the incident (the console, the crew)."""
    scope.require(Permission.OPS_READ)
    photo = session.get(OfficerPhoto, photo_id)
    if photo is None or not scope.sees_station(photo.station_id):
        raise NotFound("no such photo in your scope")
    incidents.get_incident(session, scope=scope, incident_id=photo.incident_id)  # covert too
    if thumb and photo.thumb_path:
        return store.open(photo.thumb_path), "image/jpeg"
    return store.open(photo.path), photo.content_type


def shift_identity(db: Database, *, scope: Scope, what: str = "") -> DeviceIdentity:
    """The caller's shift's intake identity, read in a short transaction of its own.

    Only when an admin revoked the unit's officer-app credential mid-shift does this write
    (a new one): positions and an SOS must never be lost for that.
    """
    with db.read() as session:
        shift = shifts.require_shift(session, scope=scope, what=what)
        row = session.get(DeviceCredential, shift.device_id)
        if row is not None and row.revoked_at is None:
            return shifts.officer_identity(session, shift)
    with db.write() as session:
        shift = shifts.require_shift(session, scope=scope, what=what)
        return shifts.officer_identity(session, shift)


def _event_id(scope: Scope, phone_id: str) -> str:
    """Phones name fixes on their own; two crew phones must not collide on one credential."""
    return f"{scope.user_id.hex}.{phone_id}"


def _check_fix(at: datetime, lat: float, lon: float, now: datetime, where: str
               ) -> list[Problem]:
    problems = []
    if at > now + MAX_FUTURE:
        problems.append(Problem(f"{at.isoformat()} is in the future (server time "
                                f"{now.isoformat()}): check the phone's clock", f"{where}.at"))
    elif at < now - MAX_PAST:
        problems.append(Problem(f"{at.isoformat()} is more than {MAX_PAST.days} days old",
                                f"{where}.at"))
    problem = position_problem(lat, lon, where)
    if problem:
        problems.append(problem)
    return problems


def fix_events(*, scope: Scope, clock: Clock, fixes: list[FixIn]) -> tuple[list[GpsIn], int]:
    """The fixes as ``gps.position`` events (a fix repeated in the batch counted once, as a
    duplicate); every problem is listed and nothing is stored when there is one."""
    now = clock.now()
    problems: list[Problem] = []
    events: list[GpsIn] = []
    seen: set[str] = set()
    for i, fix in enumerate(fixes):
        problems.extend(_check_fix(fix.at, fix.lat, fix.lon, now, f"fixes[{i}]"))
        if fix.id in seen:
            continue
        seen.add(fix.id)
        if not problems:
            events.append(_gps(scope, fix.id, fix.at, fix.lat, fix.lon, fix.accuracy_m,
                               GpsPayload(speed_mps=fix.speed_mps, heading_deg=fix.heading_deg)))
    if problems:
        raise InvalidInput(f"{len(problems)} problem(s); no fix was stored", problems)
    return events, len(fixes) - len(events)


def sos_event(*, scope: Scope, clock: Clock, sos: SosIn) -> GpsIn:
    """The officer's SOS: a ``gps.position`` with ``alarm=sos`` (rule "officer-in-danger").

    A phone whose clock is wrong still raises its alarm: outside the intake's window the
    server's time is used and the phone's kept beside it. Only a position outside Thailand
    (which no incident can be placed at) is refused, telling the officer to call 191.
    """
    now = clock.now()
    at, attributes = sos.at, {}
    if not now - MAX_PAST <= sos.at <= now + MAX_FUTURE:
        at, attributes = now, {"phone_time": sos.at.isoformat()}
    problem = position_problem(sos.lat, sos.lon, "sos")
    if problem:
        raise InvalidInput(f"the SOS was not stored: {problem.reason}. Call 191 or use the "
                           "radio now / ไม่ได้รับ SOS: ตำแหน่งไม่ถูกต้อง โทร 191 หรือใช้วิทยุทันที",
                           [problem])
    return _gps(scope, sos.id, at, sos.lat, sos.lon, sos.accuracy_m,
                GpsPayload(alarm="sos", attributes=attributes))


def _gps(scope: Scope, phone_id: str, at: datetime, lat: float, lon: float, accuracy: float,
         payload: GpsPayload) -> GpsIn:
    fields: dict[str, Any] = {"kind": EventKind.GPS_POSITION,
                              "device_event_id": _event_id(scope, phone_id),
                              "event_time": at,
                              "location": Location(lat=lat, lon=lon, accuracy_m=accuracy),
                              "payload": payload}
    return GpsIn(**fields)
