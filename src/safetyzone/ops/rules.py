"""Trigger -> action rules, held as data per station.

A station without rules of its own runs the national defaults below. The first enabled rule
whose trigger matches an event decides what happens; no match means the event is recorded
(units still move, devices are still heard) but opens no incident.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from pydantic import ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from safetyzone.audit import service as audit
from safetyzone.core.clock import Clock
from safetyzone.core.errors import Conflict, NotFound, Problem
from safetyzone.core.events import (
    AlarmCategory,
    AlarmPayload,
    DeviceState,
    Event,
    EventKind,
    GpsPayload,
    StatusPayload,
)
from safetyzone.core.security import Permission, Scope
from safetyzone.core.text import Inbound
from safetyzone.ops.models import Rule

SILENT = "device.silent"


class Trigger(Inbound):
    model_config = ConfigDict(extra="forbid")
    event_kind: EventKind | Literal["device.silent"]
    alarm_categories: list[AlarmCategory] | None = None
    device_states: list[DeviceState] | None = None
    asset_kinds: list[str] | None = Field(None, description="Kinds of the source asset.")
    site_kinds: list[str] | None = Field(None, description="e.g. bank, market.")
    gps_alarms: list[str] | None = Field(None, description="e.g. sos from an officer's phone.")
    silent_after_s: int | None = Field(None, ge=60, le=7 * 86400)


class Action(Inbound):
    model_config = ConfigDict(extra="forbid")
    incident_kind: str = Field(max_length=32)
    priority: int = Field(ge=1, le=5)
    title_th: str = Field(max_length=200, description="Template: {source_th} {category}.")
    title_en: str = Field(max_length=200, description="Template: {source_en} {category}.")
    dock_bound: bool = True
    dock_nearest: int = Field(4, ge=0, le=20)
    dock_radius_m: float = Field(300, gt=0, le=5000)
    recommend_units: int = Field(3, ge=0, le=10)
    merge_window_s: int = Field(300, ge=0, le=86400)
    ack_timeout_s: int = Field(60, ge=10, le=86400)


class RuleIn(Inbound):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=100)
    position: int = Field(ge=0, le=10_000)
    enabled: bool = True
    trigger: Trigger
    action: Action


class RuleRead(RuleIn):
    id: uuid.UUID | None = None
    station_id: uuid.UUID | None = None
    is_default: bool = False


def _rule(name: str, position: int, trigger: dict[str, Any], action: dict[str, Any]) -> RuleIn:
    return RuleIn(name=name, position=position, trigger=Trigger(**trigger),
                  action=Action(**action))


PANIC = ["panic", "hold_up", "duress"]
DEFAULT_RULES: list[RuleIn] = [
    _rule("bank-panic", 10, {"event_kind": "alarm", "alarm_categories": PANIC,
                             "site_kinds": ["bank"]},
          {"incident_kind": "bank_alarm", "priority": 1,
           "title_th": "สัญญาณฉุกเฉินธนาคาร {source_th} ({category})",
           "title_en": "Bank alarm at {source_en} ({category})", "ack_timeout_s": 45}),
    _rule("sos-press", 20, {"event_kind": "sos.press"},
          {"incident_kind": "sos", "priority": 1, "title_th": "กดปุ่ม SOS ที่ {source_th}",
           "title_en": "SOS pressed at {source_en}", "ack_timeout_s": 60}),
    _rule("officer-in-danger", 30, {"event_kind": "gps.position", "gps_alarms": ["sos"]},
          {"incident_kind": "officer_in_danger", "priority": 1,
           "title_th": "เจ้าหน้าที่ขอความช่วยเหลือ {source_th}",
           "title_en": "Officer in danger: {source_en}", "ack_timeout_s": 30,
           "dock_bound": False, "merge_window_s": 600}),
    _rule("alarm-panic", 40, {"event_kind": "alarm", "alarm_categories": PANIC},
          {"incident_kind": "alarm", "priority": 1,
           "title_th": "สัญญาณขอความช่วยเหลือ {source_th} ({category})",
           "title_en": "Panic alarm at {source_en} ({category})"}),
    _rule("alarm-fire-medical", 50, {"event_kind": "alarm",
                                     "alarm_categories": ["fire", "medical"]},
          {"incident_kind": "alarm", "priority": 2,
           "title_th": "สัญญาณ {category} ที่ {source_th}",
           "title_en": "{category} alarm at {source_en}"}),
    _rule("alarm-burglary", 60, {"event_kind": "alarm", "alarm_categories": ["burglary"]},
          {"incident_kind": "alarm", "priority": 2, "title_th": "สัญญาณกันขโมย {source_th}",
           "title_en": "Burglary alarm at {source_en}", "ack_timeout_s": 120}),
    _rule("device-fault", 70, {"event_kind": "device.status",
                               "device_states": ["tamper", "lamp_failure", "fault"]},
          {"incident_kind": "maintenance", "priority": 4,
           "title_th": "อุปกรณ์ขัดข้อง {source_th} ({category})",
           "title_en": "Device fault at {source_en} ({category})", "dock_nearest": 0,
           "recommend_units": 0, "merge_window_s": 86400, "ack_timeout_s": 3600}),
    _rule("alarm-tamper", 80, {"event_kind": "alarm", "alarm_categories": ["tamper", "trouble"]},
          {"incident_kind": "maintenance", "priority": 3,
           "title_th": "อุปกรณ์ถูกรบกวน {source_th} ({category})",
           "title_en": "Tamper/trouble at {source_en} ({category})", "dock_nearest": 2,
           "recommend_units": 0, "merge_window_s": 3600, "ack_timeout_s": 600}),
    _rule("device-silent", 90, {"event_kind": SILENT, "asset_kinds": ["sos_point", "loudspeaker"],
                                "silent_after_s": 3600},
          {"incident_kind": "maintenance", "priority": 4,
           "title_th": "อุปกรณ์ขาดการติดต่อ {source_th}",
           "title_en": "Device silent: {source_en}", "dock_nearest": 0, "recommend_units": 0,
           "merge_window_s": 86400, "ack_timeout_s": 3600}),
    _rule("citizen-report", 100, {"event_kind": "citizen.report"},
          {"incident_kind": "citizen", "priority": 3, "title_th": "แจ้งเหตุจากประชาชน {category}",
           "title_en": "Citizen report: {category}", "ack_timeout_s": 300}),
]


@dataclass(frozen=True)
class Source:
    """What the engine knows about where an event came from, for matching and titles."""

    name_th: str
    name_en: str
    asset_kind: str | None = None
    site_kind: str | None = None


def category_of(event: Event) -> str:
    payload = event.payload
    if isinstance(payload, AlarmPayload):
        return payload.category.value
    if isinstance(payload, StatusPayload):
        return payload.state.value
    if isinstance(payload, GpsPayload):
        return payload.alarm or ""
    return str(getattr(payload, "category", "") or "")


def matches(trigger: Trigger, event: Event, source: Source) -> bool:
    if trigger.event_kind != event.kind.value:
        return False
    payload = event.payload
    if trigger.alarm_categories is not None and not (
            isinstance(payload, AlarmPayload) and payload.category in trigger.alarm_categories):
        return False
    if trigger.device_states is not None and not (
            isinstance(payload, StatusPayload) and payload.state in trigger.device_states):
        return False
    if trigger.gps_alarms is not None and not (
            isinstance(payload, GpsPayload) and payload.alarm in trigger.gps_alarms):
        return False
    if trigger.asset_kinds is not None and source.asset_kind not in trigger.asset_kinds:
        return False
    return trigger.site_kinds is None or source.site_kind in trigger.site_kinds


def render(template: str, source: Source, category: str, lang: str) -> str:
    values = {"source_th": source.name_th, "source_en": source.name_en, "category": category}
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):
        return f"{template} [{values['source_' + lang]}]"


def effective_rules(session: Session, station_id: uuid.UUID) -> list[RuleRead]:
    """The station's own rules in order, or the national defaults when it has none."""
    rows = session.scalars(select(Rule).where(Rule.station_id == station_id)
                           .order_by(Rule.position, Rule.name)).all()
    if not rows:
        return [RuleRead(**r.model_dump(), is_default=True) for r in DEFAULT_RULES]
    return [RuleRead(id=r.id, station_id=r.station_id, name=r.name, position=r.position,
                     enabled=r.enabled, trigger=Trigger(**r.trigger), action=Action(**r.action))
            for r in rows]


def list_rules(session: Session, *, scope: Scope, station_id: uuid.UUID) -> list[RuleRead]:
    """The rules a station runs, for people who read the command center's picture."""
    scope.require(Permission.OPS_READ)
    if not scope.sees_station(station_id):
        raise NotFound("no such station in your scope")
    return effective_rules(session, station_id)


def first_match(rules: list[RuleRead], event: Event, source: Source) -> RuleRead | None:
    return next((r for r in rules if r.enabled and matches(r.trigger, event, source)), None)


def replace_rules(session: Session, *, scope: Scope, clock: Clock, station_id: uuid.UUID,
                  rules: list[RuleIn]) -> list[RuleRead]:
    """Set a station's whole rule list at once (an empty list returns it to the defaults)."""
    scope.require(Permission.ZONE_WRITE)
    if not scope.sees_station(station_id):
        raise NotFound("no such station in your scope")
    names = [r.name for r in rules]
    doubled = sorted({n for n in names if names.count(n) > 1})
    if doubled:
        raise Conflict(f"rule name '{doubled[0]}' is used twice", [Problem("duplicate", "name")])
    for row in session.scalars(select(Rule).where(Rule.station_id == station_id)):
        session.delete(row)
    session.flush()
    now: datetime = clock.now()
    for rule in rules:
        session.add(Rule(station_id=station_id, name=rule.name, position=rule.position,
                         enabled=rule.enabled, trigger=rule.trigger.model_dump(mode="json"),
                         action=rule.action.model_dump(mode="json"), updated_at=now))
    session.flush()
    audit.record(session, actor=scope, at=now, action="ops_rule.replace", entity="station",
                 entity_id=station_id, station_id=station_id, detail={"rules": names})
    return effective_rules(session, station_id)
