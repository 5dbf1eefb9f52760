"""A station's past, built through the real services: incidents opened, dispatched, noted
and closed over a day at ST-A, one at ST-B, and a covert hotlist hit owned by a.operator.

Titles and notes hold what a careless search or export gets wrong: LIKE wildcards (``100%``
beside ``1000``, ``a_b`` beside ``axb``), a spreadsheet formula, markup, and Thai words
whose marks a broken PDF pipeline drops (น้ำ, ผู้ใหญ่, ตำรวจ).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from safetyzone.core.security import Scope, system_scope
from safetyzone.ops import incidents, units
from safetyzone.ops.covert import COVERT_OWNER
from safetyzone.ops.models import IncidentState, UnitKind, UnitStatus
from safetyzone.ops.schemas import UnitCreate
from safetyzone.org import auth
from safetyzone.org import service as org
from safetyzone.org.models import User

NOTE = "ผู้แจ้งเป็นผู้ใหญ่บ้าน ตำรวจพบน้ำท่วมขัง ลด 100% แล้ว"
FORMULA = "=HYPERLINK(\"http://evil.example\",\"คลิก\")"
HOSTILE = '<img src=x onerror=alert(1)> "><script>alert(2)</script>'


@dataclass
class Past:
    """Incident ids by name, the units, and the clock's start (the first incident's open)."""

    ids: dict[str, uuid.UUID] = field(default_factory=dict)
    units: dict[str, uuid.UUID] = field(default_factory=dict)
    start: Any = None


def scope_of(db: Database, username: str) -> Scope:
    with db.read() as s:
        user = s.scalar(select(User).where(User.username == username))
        assert user is not None
        return auth.scope_for(s, user)


def build_past(db: Database, clock: ManualClock) -> Past:
    """Eight incidents an hour apart (opened in this order), four of them closed."""
    past = Past(start=clock.now())
    system = system_scope("history-test")
    operator = scope_of(db, "a.operator")
    b_operator = scope_of(db, "b.operator")
    with db.write() as s:
        for code, station, callsign in (("CAR-11", "ST-A", "Alpha 11"),
                                        ("CAR-12", "ST-A", "สายตรวจ 12"),
                                        ("CAR-21", "ST-B", "Bravo 21")):
            unit = units.create_unit(s, scope=system, clock=clock, data=UnitCreate(
                station_code=station, code=code, callsign=callsign, kind=UnitKind.CAR,
                status=UnitStatus.AVAILABLE))
            unit.lat, unit.lon = 13.73, 100.47
            past.units[code] = unit.id

    def open_one(name: str, station: str, kind: str, priority: int, title_th: str,
                 title_en: str, **detail: Any) -> uuid.UUID:
        with db.write() as s:
            station_id = org.get_station(s, scope=system, code=station).id
            incident = incidents.open_alert(
                s, station_id=station_id, kind=kind, priority=priority, title_th=title_th,
                title_en=title_en, lat=13.7301, lon=100.4702, now=clock.now(), ack_timeout_s=60,
                source_th="ตู้ SOS ตลาดน้ำตลิ่งชัน", source_en="SOS pole, Taling Chan market",
                cameras=[{"camera_id": str(uuid.uuid4()), "code": f"{station}-CAM-1",
                          "name_th": "กล้องหน้าตลาด", "live": False}],
                detail=detail)
            past.ids[name] = incident.id
        clock.advance(timedelta(minutes=1))
        return past.ids[name]

    def step(scope: Scope, name: str, to: IncidentState, **kw: Any) -> None:
        with db.write() as s:
            incidents.transition(s, scope=scope, clock=clock, incident_id=past.ids[name],
                                 to=to, **kw)
        clock.advance(timedelta(minutes=2))

    def dispatch(scope: Scope, name: str, unit: str) -> None:
        with db.write() as s:
            incidents.dispatch(s, scope=scope, clock=clock, incident_id=past.ids[name],
                               unit_id=past.units[unit])
        clock.advance(timedelta(minutes=2))

    def note(scope: Scope, name: str, text: str) -> None:
        with db.write() as s:
            incidents.add_note(s, scope=scope, clock=clock, incident_id=past.ids[name],
                               text=text)
        clock.advance(timedelta(minutes=1))

    # 1. An SOS at ST-A, worked through to the end by CAR-11, then CAR-12.
    open_one("sos", "ST-A", "sos", 1, "กดปุ่ม SOS ที่ตลาดน้ำตลิ่งชัน", "SOS at Taling Chan market")
    step(operator, "sos", IncidentState.ACKNOWLEDGED)
    dispatch(operator, "sos", "CAR-11")
    with db.write() as s:
        incidents.release(s, scope=operator, clock=clock, incident_id=past.ids["sos"],
                          unit_id=past.units["CAR-11"])
    dispatch(operator, "sos", "CAR-12")
    step(operator, "sos", IncidentState.EN_ROUTE)
    step(operator, "sos", IncidentState.ON_SCENE)
    note(operator, "sos", NOTE)
    step(operator, "sos", IncidentState.CLEARED)
    step(operator, "sos", IncidentState.CLOSED, disposition="resolved", note="ปิดเหตุ")
    clock.advance(timedelta(hours=1))
    # 2.-5. Titles that wildcards, formulas and markup would confuse.
    open_one("percent", "ST-A", "alarm", 2, "สัญญาณกันขโมย ลด 100% ร้านทอง", "Alarm, gold shop")
    clock.advance(timedelta(hours=1))
    open_one("thousand", "ST-A", "alarm", 2, "สัญญาณกันขโมย บ้านเลขที่ 1000", "Alarm at no. 1000")
    step(operator, "thousand", IncidentState.CLOSED, disposition="false_alarm")
    clock.advance(timedelta(hours=1))
    open_one("underscore", "ST-A", "maintenance", 4, "กล้อง cam_a_b ดับ", "Camera cam_a_b down")
    clock.advance(timedelta(hours=1))
    open_one("axb", "ST-A", "maintenance", 4, "กล้อง camxaxb ดับ", "Camera camxaxb down")
    note(operator, "axb", HOSTILE)
    step(operator, "axb", IncidentState.CLOSED, disposition="maintenance_done")
    clock.advance(timedelta(hours=1))
    open_one("formula", "ST-A", "citizen", 3, FORMULA, "-1+1 citizen report",
             address="@SUM(A1) ซอยวัดน้ำ")
    clock.advance(timedelta(hours=1))
    # 7. The other station's SOS: closed, dispatched with its own unit.
    open_one("other", "ST-B", "sos", 1, "กดปุ่ม SOS ที่ตลาดน้ำอื่น", "SOS at another market")
    dispatch(b_operator, "other", "CAR-21")
    step(b_operator, "other", IncidentState.ON_SCENE)
    step(b_operator, "other", IncidentState.CLEARED)
    step(b_operator, "other", IncidentState.CLOSED, disposition="arrest")
    clock.advance(timedelta(hours=1))
    # 8. A covert hotlist hit: its list owner's (a.operator) alone.
    open_one("covert", "ST-A", "alarm", 1, "ทะเบียนเฝ้าระวัง ลับ ตลาดน้ำ", "Covert plate hit",
             **{COVERT_OWNER: str(operator.user_id)})
    return past
