"""Incidents entered by hand: a 191 transfer, a phone call, a walk-in, a radio report, a
citizen at the counter.

The operator who takes the call owns it from the first second, so the incident opens
acknowledged by them, with the response clock started when the call came in (which may be a
few minutes before the form was saved). From there it is an incident like any other:
dispatched, followed, closed, on the same feed and the same figures.

A 191 transfer carries the 191 centre's case number; the same number at the same station is
the same case, so a second transfer (a retry, a second operator) is refused with the
incident that already holds it. The caller's name and phone are recorded only after the
PDPA notice was read to them, are read only by those who act on incidents (each read
audited) and are blanked ``CALLER_RETENTION`` after the incident closes.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from safetyzone.assets import service as assets
from safetyzone.assets.models import Asset
from safetyzone.audit import service as audit
from safetyzone.core.clock import Clock, as_utc
from safetyzone.core.db import Database
from safetyzone.core.errors import Conflict, InvalidInput, NotFound, Problem
from safetyzone.core.security import Permission, Scope
from safetyzone.core.thaiaddress import AddressBook
from safetyzone.ops import incidents
from safetyzone.ops.call_schemas import THAI_PHONE, CallIn, CallRead
from safetyzone.ops.calltypes import BY_KEY, SOURCE_NAMES, CallSource, CallType
from safetyzone.ops.cameras import CameraIndexCache, link_cameras
from safetyzone.ops.models import Incident, IncidentCall, IncidentLog, IncidentState
from safetyzone.org import service as org

NOTICE_VERSION = "2026-12"
CALLER_RETENTION = timedelta(days=90)
NOTICE_TH = (
    "ศูนย์ฯ จะบันทึกชื่อและเบอร์โทรศัพท์ของท่าน เพื่อใช้ติดต่อกลับเรื่องเหตุนี้เท่านั้น "
    "ผู้ที่เห็นข้อมูลคือเจ้าหน้าที่ที่ดูแลเหตุ ข้อมูลจะถูกลบภายใน 90 วันหลังปิดเหตุ "
    "ท่านขอดู แก้ไข หรือขอลบได้ที่สถานีตำรวจ หากไม่ประสงค์ให้ข้อมูล แจ้งโดยไม่ระบุชื่อได้")
NOTICE_EN = (
    "The centre records your name and phone number only to call you back about this "
    "incident. Only the officers handling it see them, and they are deleted 90 days after the "
    "incident closes. You may ask the station to see, correct or delete them. You may also "
    "report without giving your name.")
# A call up to a day old may still be logged (a radio report written up after the event);
# a time more than a minute ahead of the server is a wrong clock, not a call.
OLDEST_CALL = timedelta(hours=24)
CLOCK_SKEW = timedelta(minutes=1)
DOCK_NEAREST, DOCK_RADIUS_M = 3, 150.0


def _call_type(key: str) -> CallType:
    found = BY_KEY.get(key)
    if found is None:
        raise InvalidInput(f"unknown call type '{key}'",
                           [Problem(f"one of {sorted(BY_KEY)}", "call_type")])
    return found


def _received_at(data: CallIn, now: datetime) -> datetime:
    if data.received_at is None:
        return now
    if data.received_at.tzinfo is None:
        raise InvalidInput("received_at needs a time zone (e.g. +07:00)",
                           [Problem("no time zone", "received_at")])
    received = as_utc(data.received_at)
    if received > now + CLOCK_SKEW or received < now - OLDEST_CALL:
        raise InvalidInput("received_at must be within the last 24 hours",
                           [Problem("out of range", "received_at")])
    return received


def _check_caller(data: CallIn) -> None:
    caller = data.caller
    if caller is None or not (caller.name or caller.phone):
        return
    if not caller.notice_given:
        raise InvalidInput(
            "อ่านประกาศความเป็นส่วนตัว (PDPA) ให้ผู้แจ้งฟังก่อนบันทึกชื่อหรือเบอร์โทร / read the "
            "privacy notice to the caller before recording a name or phone",
            [Problem("the notice was not given", "caller.notice_given")])
    if caller.phone is not None and re.fullmatch(THAI_PHONE, caller.phone) is None:
        raise InvalidInput("not a Thai phone number (0XXXXXXXXX or +66XXXXXXXXX)",
                           [Problem("malformed", "caller.phone")])


def _check_address(data: CallIn, book: AddressBook) -> dict[str, Any] | None:
    address = data.address
    if address is None:
        return None
    if book.province(address.province) is None:
        raise InvalidInput(f"no province named '{address.province}'",
                           [Problem("unknown", "address.province")])
    if book.district(address.province, address.district) is None:
        raise InvalidInput(f"no district '{address.district}' in {address.province}",
                           [Problem("unknown", "address.district")])
    sub = book.sub_district(address.province, address.district, address.sub_district)
    if sub is None:
        raise InvalidInput(
            f"no sub-district '{address.sub_district}' in {address.district}",
            [Problem("unknown", "address.sub_district")])
    return {"province": address.province, "district": address.district,
            "sub_district": address.sub_district, "postcode": sub.postcodes[0],
            "line": address.line}


def _place_th(data: CallIn, address: dict[str, Any] | None, asset: Asset | None) -> str:
    if data.landmark:
        return data.landmark
    if asset is not None:
        return asset.name_th
    if address is not None:
        bangkok = address["province"] == "กรุงเทพมหานคร"
        return (f"{'แขวง' if bangkok else 'ต.'}{address['sub_district']} "
                f"{'เขต' if bangkok else 'อ.'}{address['district']}")
    return "ตำแหน่งบนแผนที่"


def _place_en(data: CallIn, address: dict[str, Any] | None, asset: Asset | None) -> str:
    if data.landmark:
        return data.landmark
    if asset is not None:
        return asset.name_en or asset.code
    if address is not None:
        return f"{address['sub_district']}, {address['district']}"
    return "point on the map"


def _duplicate(session: Session, station_id: uuid.UUID, ref: str) -> None:
    held = session.scalar(select(IncidentCall.incident_id).where(
        IncidentCall.station_id == station_id, IncidentCall.external_ref == ref))
    if held is not None:
        raise Conflict(f"191 case {ref} is already incident {held}",
                       [Problem(str(held), "external_ref")], code="duplicate-call")


def create_call(session: Session, *, scope: Scope, clock: Clock, data: CallIn,
                addresses: AddressBook) -> tuple[Incident, IncidentCall]:
    """Open the incident for a call; checked whole before anything is written."""
    scope.require(Permission.INCIDENT_ACT)
    station = org.get_station(session, scope=scope, code=data.station_code)
    kind = _call_type(data.call_type)
    now = clock.now()
    received = _received_at(data, now)
    if data.source is CallSource.TRANSFER_191 and data.external_ref is None:
        raise InvalidInput("a 191 transfer needs the 191 case number",
                           [Problem("missing", "external_ref")])
    if data.external_ref is not None:
        _duplicate(session, station.id, data.external_ref)
    _check_caller(data)
    address = _check_address(data, addresses)
    asset = None
    if data.landmark_asset_code is not None:
        asset = session.scalar(select(Asset).where(Asset.station_id == station.id,
                                                   Asset.code == data.landmark_asset_code))
        if asset is None:
            raise InvalidInput(f"no point '{data.landmark_asset_code}' at this station",
                               [Problem("unknown", "landmark_asset_code")])
    lat, lon = ((data.lat, data.lon) if data.lat is not None
                else (asset.lat, asset.lon) if asset is not None else (None, None))
    source_th, source_en = SOURCE_NAMES[data.source]
    bound = assets.bound_camera_ids(session, asset.id) if asset is not None else []
    # A fresh index per call: calls come by the minute, not by the thousand, and a cache
    # kept by this module would outlive the database it was read from.
    cameras = link_cameras(CameraIndexCache().get(session), lat=lat, lon=lon, bound=bound,
                           nearest=DOCK_NEAREST, radius_m=DOCK_RADIUS_M,
                           station_id=station.id, now=now)
    incident = Incident(
        station_id=station.id, kind=kind.key, priority=data.priority or kind.priority,
        title_th=f"{kind.th} · {_place_th(data, address, asset)}"[:300],
        title_en=f"{kind.en.capitalize()} · {_place_en(data, address, asset)}"[:300],
        state=IncidentState.ACKNOWLEDGED, rule_name=None, lat=lat, lon=lon,
        source_asset_id=None, event_count=0, device_time=received, opened_at=now,
        last_event_at=now, ack_deadline=None, acknowledged_at=now,
        acknowledged_by=scope.username, escalation_level=0, cameras=cameras,
        detail={"source_th": source_th, "source_en": source_en, "manual": True,
                "call_source": data.source.value, "call_group": kind.group.value,
                "external_ref": data.external_ref, "address": address,
                "landmark": data.landmark,
                "landmark_asset_code": asset.code if asset is not None else None},
        version=1, updated_at=now, last_actor=scope.username)
    session.add(incident)
    session.flush()
    caller = data.caller
    personal = caller is not None and bool(caller.name or caller.phone)
    call = IncidentCall(
        incident_id=incident.id, station_id=station.id, source=data.source.value,
        external_ref=data.external_ref, received_at=received, taken_by=scope.username,
        caller_anonymous=bool(caller and caller.anonymous),
        caller_name=caller.name if caller else None,
        caller_phone=caller.phone if caller else None,
        notice_version=NOTICE_VERSION if personal else None, created_at=now)
    session.add(call)
    session.add(IncidentLog(
        incident_id=incident.id, at=now, entry="created", username=scope.username,
        to_state=IncidentState.ACKNOWLEDGED.value, text=data.description,
        detail={"manual": True, "source": data.source.value, "call_type": kind.key,
                "external_ref": data.external_ref,
                "cameras": [c["code"] for c in cameras]}))
    audit.record(session, actor=scope, at=now, action="incident.create_manual",
                 entity="incident", entity_id=incident.id, station_id=station.id,
                 detail={"source": data.source.value, "call_type": kind.key,
                         "external_ref": data.external_ref, "caller_recorded": personal})
    incidents.publish(session, incident, now, "incident.created")
    return incident, call


def call_read(call: IncidentCall, *, with_caller: bool) -> CallRead:
    out = CallRead.model_validate(call)
    if not with_caller:
        out.caller_name = out.caller_phone = None
    return out


def get_call(session: Session, *, scope: Scope, clock: Clock,
             incident_id: uuid.UUID) -> CallRead:
    """The call behind an incident. Its caller only for those who act on incidents, and
    every such read is audited (PDPA: who saw a caller's phone, and when)."""
    incident = incidents.get_incident(session, scope=scope, incident_id=incident_id)
    call = session.scalar(select(IncidentCall).where(IncidentCall.incident_id == incident.id))
    if call is None:
        raise NotFound("this incident was not entered from a call")
    with_caller = scope.can(Permission.INCIDENT_ACT)
    if with_caller and (call.caller_name or call.caller_phone):
        audit.record(session, actor=scope, at=clock.now(), action="incident.caller_read",
                     entity="incident", entity_id=incident.id, station_id=incident.station_id)
    return call_read(call, with_caller=with_caller)


def erase_callers(db: Database, clock: Clock, *, retain: timedelta = CALLER_RETENTION) -> int:
    """Blank the caller of every call whose incident closed more than ``retain`` ago."""
    now = clock.now()
    with db.write() as session:
        closed = select(Incident.id).where(Incident.state == IncidentState.CLOSED,
                                           Incident.closed_at < now - retain)
        result = session.execute(
            update(IncidentCall).where(IncidentCall.incident_id.in_(closed),
                                       IncidentCall.caller_erased_at.is_(None))
            .values(caller_name=None, caller_phone=None, caller_erased_at=now))
        erased = int(getattr(result, "rowcount", 0) or 0)
        if erased:
            audit.record(session, actor=None, at=now, action="incident.callers_erased",
                         entity="incident_call", detail={"count": erased})
        return erased
