"""The commander's daily report (PDF, A4) of one station and one duty day.

What the commander reads in the morning: the day's incidents by kind and priority, response
times (p50/p90 from the press and from the server's receipt), the day's incidents still
open, escalations, units on duty and out of service, the duty roster, notable events,
handovers and the whole shift log. Thai with English labels and Buddhist Era dates, or
English with Gregorian dates (``lang="en"``), like the incident report (``history_report``).

Counts and lists cover incidents opened in the duty day (``shiftlog.day_bounds``); units and
cameras are as they are at printing, and say so. Every print is audited (``shift.print``).
Rendering is CPU work of about a second: call ``render_pdf`` from a plain ``def`` route.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from safetyzone.audit import service as audit
from safetyzone.core import pdf as papers
from safetyzone.core.clock import Clock
from safetyzone.core.security import Scope
from safetyzone.ops import incidents, shiftlog, stats
from safetyzone.ops.history_report import TEMPLATES, Lang, when
from safetyzone.ops.history_texts import KINDS, STATES, Label, label
from safetyzone.ops.incidents import OPEN_STATES
from safetyzone.ops.models import Incident, IncidentLog, IncidentState, Unit, UnitStatus
from safetyzone.ops.schemas import ResponseTimes
from safetyzone.ops.shiftlog_models import DutyShift, EntryKind, Handover
from safetyzone.ops.shiftlog_schemas import (
    Carried,
    DownCamera,
    DownUnit,
    EntryRead,
    OpenIncident,
    ShiftDay,
    ShiftLog,
)
from safetyzone.org.models import OrgUnit

ENTRY_KINDS = {
    "on_duty": Label("เข้าเวร", "On duty"),
    "off_duty": Label("ออกเวร", "Off duty"),
    "note": Label("บันทึก", "Note"),
    "event": Label("เหตุการณ์สำคัญ", "Notable event"),
    "handover": Label("ส่งมอบเวร", "Handover"),
    "handover_ack": Label("รับมอบเวร", "Handover acknowledged"),
    "incident_opened": Label("เปิดเหตุเร่งด่วน", "Urgent incident opened"),
    "incident_escalated": Label("ยกระดับเหตุ", "Incident escalated"),
}
UNIT_STATES = {
    "off_duty": Label("นอกเวร", "Off duty"),
    "available": Label("ว่าง", "Available"),
    "dispatched": Label("ได้รับสั่งการ", "Dispatched"),
    "en_route": Label("กำลังเดินทาง", "En route"),
    "on_scene": Label("ถึงที่เกิดเหตุ", "On scene"),
    "unavailable": Label("งดให้บริการ", "Out of service"),
}
MILESTONES = {
    "acknowledge": Label("รับเรื่อง", "Acknowledge"),
    "dispatch": Label("สั่งการสายตรวจ", "Dispatch"),
    "arrive": Label("ถึงที่เกิดเหตุ", "Arrive"),
    "clear": Label("เคลียร์เหตุ", "Clear"),
}
PRIORITIES = (1, 2, 3, 4)


@functools.cache
def _env() -> Environment:
    return papers.environment(TEMPLATES)


@dataclass(frozen=True)
class Escalation:
    at: datetime
    incident: Incident
    level: int


@dataclass(frozen=True)
class DailyReport:
    station: OrgUnit
    day: ShiftDay
    opened: list[Incident]
    response: ResponseTimes
    still_open: list[OpenIncident]
    open_now: int
    escalations: list[Escalation]
    units_by_status: dict[str, int]
    units_out: list[DownUnit]
    cameras_down: list[DownCamera]
    roster: list[DutyShift]
    handovers: list[Handover]
    log: ShiftLog


def build(session: Session, *, scope: Scope, clock: Clock, station_code: str, day: ShiftDay,
          cameras_down: Sequence[DownCamera]) -> DailyReport:
    """What the report holds; the print is audited in the same transaction."""
    station = shiftlog.station(session, scope=scope, code=station_code)
    now = clock.now()
    start, end = day.starts_at, day.ends_at
    visible = (Incident.station_id == station.id, incidents.visible_to(scope))
    opened = list(session.scalars(select(Incident).where(
        *visible, Incident.opened_at >= start, Incident.opened_at < end)
        .order_by(Incident.opened_at)))
    open_items = shiftlog.open_items(session, scope=scope, station_id=station.id, now=now,
                                     cameras_down=cameras_down)
    escalations = [Escalation(log.at, incident, int((log.detail or {}).get("level") or 0))
                   for log, incident in session.execute(
                       select(IncidentLog, Incident)
                       .join(Incident, Incident.id == IncidentLog.incident_id)
                       .where(*visible, IncidentLog.entry == "escalated",
                              IncidentLog.at >= start, IncidentLog.at < end)
                       .order_by(IncidentLog.at))]
    units = {status.value: int(n) for status, n in session.execute(
        select(Unit.status, func.count()).where(Unit.station_id == station.id)
        .group_by(Unit.status))}
    found = DailyReport(
        station=station, day=day, opened=opened,
        response=stats.response_times(session, scope=scope, station_id=station.id,
                                      since=start, until=end),
        still_open=[i for i in open_items.incidents if start <= i.opened_at < end],
        open_now=len(open_items.incidents), escalations=escalations,
        units_by_status=units, units_out=open_items.units_out_of_service,
        cameras_down=open_items.cameras_down,
        roster=shiftlog.duties_between(session, station_id=station.id, start=start, end=end),
        handovers=shiftlog.handovers_between(session, station_id=station.id, start=start,
                                             end=end),
        log=shiftlog.entries(session, scope=scope, station_id=station.id, day=day))
    audit.record(session, actor=scope, at=now, action="shift.print", entity="org_unit",
                 entity_id=station.id, station_id=station.id,
                 detail={"day": day.day.isoformat()})
    return found


def _name(names: Label, lang: Lang) -> str:
    return names.en if lang == "en" else names.th


def duration(seconds: float | None, lang: Lang) -> str:
    """``4 นาที 05 วินาที`` / ``4 min 05 s``; hours past an hour; ``–`` when unknown."""
    if seconds is None:
        return "–"
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if lang == "en":
        return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min {secs:02d} s"
    return f"{hours} ชม. {minutes:02d} นาที" if hours else f"{minutes} นาที {secs:02d} วินาที"


def _title(incident: Incident | OpenIncident, lang: Lang) -> str:
    return incident.title_en if lang == "en" and incident.title_en else incident.title_th


def _kinds(opened: list[Incident], lang: Lang) -> list[dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    for i in opened:
        row = rows.setdefault(i.kind, {"kind": _name(label(KINDS, i.kind), lang),
                                       "key": i.kind, "total": 0,
                                       **{f"p{p}": 0 for p in PRIORITIES}})
        row["total"] += 1
        row[f"p{min(i.priority, 4)}"] += 1
    return sorted(rows.values(), key=lambda r: (-r["total"], r["key"]))


def _log_text(entry: EntryRead, lang: Lang) -> str:
    text = entry.text or ""
    if entry.kind == "incident_escalated" and lang == "th":
        return text.replace("level", "ระดับ")
    return text


def render_html(found: DailyReport, *, printed_at: datetime, printed_by: str, lang: Lang,
                fonts_dir: Path) -> str:
    s = found.station
    closed = sum(1 for i in found.opened if i.state is IncidentState.CLOSED)
    context: dict[str, Any] = {
        "lang": lang, "fonts": papers.fonts(fonts_dir), "station": s,
        "station_name": s.name_en if lang == "en" and s.name_en else s.name_th,
        "day_from": when(found.day.starts_at, lang), "day_to": when(found.day.ends_at, lang),
        "opened": len(found.opened), "closed": closed,
        "open_of_day": sum(1 for i in found.opened if i.state in OPEN_STATES),
        "open_now": found.open_now,
        "kinds": _kinds(found.opened, lang),
        "priority_totals": {f"p{p}": sum(1 for i in found.opened if min(i.priority, 4) == p)
                            for p in PRIORITIES},
        "times": [{"name": _name(names, lang),
                   "n": found.response.by_receive_time[key].count,
                   "p50": duration(found.response.by_receive_time[key].p50_s, lang),
                   "p90": duration(found.response.by_receive_time[key].p90_s, lang),
                   "d50": duration(found.response.by_device_time[key].p50_s, lang),
                   "d90": duration(found.response.by_device_time[key].p90_s, lang)}
                  for key, names in MILESTONES.items()],
        "still_open": [{"title": _title(i, lang), "priority": i.priority,
                        "state": _name(label(STATES, i.state.value), lang),
                        "opened": when(i.opened_at, lang), "age": duration(i.age_s, lang),
                        "level": i.escalation_level} for i in found.still_open],
        "escalations": [{"at": when(e.at, lang), "title": _title(e.incident, lang),
                         "priority": e.incident.priority, "level": e.level,
                         "state": _name(label(STATES, e.incident.state.value), lang)}
                        for e in found.escalations],
        "units": [{"name": _name(label(UNIT_STATES, status.value), lang),
                   "n": found.units_by_status.get(status.value, 0)} for status in UnitStatus],
        "units_on_duty": sum(n for k, n in found.units_by_status.items()
                             if k != UnitStatus.OFF_DUTY.value),
        "units_out": [{"callsign": u.callsign, "code": u.code, "since": when(u.since, lang),
                       "reason": u.reason or "–"} for u in found.units_out],
        "cameras_down": [{"code": c.code, "state": c.state,
                          "since": when(c.since, lang)} for c in found.cameras_down],
        "roster": [{"who": d.display_name, "username": d.username,
                    "from": when(d.started_at, lang),
                    "to": when(d.ended_at, lang) if d.ended_at else
                    ("still on duty" if lang == "en" else "ยังอยู่เวร")} for d in found.roster],
        "events": [{"at": when(e.at, lang), "who": e.username, "text": e.text or "",
                    "incident": (e.incident_title_en if lang == "en" and e.incident_title_en
                                 else e.incident_title_th) or ""}
                   for e in found.log.entries if e.kind == EntryKind.EVENT],
        "handovers": [_handover(h, lang) for h in found.handovers],
        "log": [{"at": when(e.at, lang), "who": e.username,
                 "kind": _name(label(ENTRY_KINDS, str(e.kind)), lang),
                 "text": _log_text(e, lang),
                 "incident": (e.incident_title_en if lang == "en" and e.incident_title_en
                              else e.incident_title_th) or ""} for e in found.log.entries],
        "log_truncated": found.log.truncated,
        "printed_at": when(printed_at, lang), "printed_by": printed_by,
    }
    return _env().get_template("shift_report.html").render(**context)


def _handover(row: Handover, lang: Lang) -> dict[str, Any]:
    carried = Carried.model_validate(row.carried)
    return {"at": when(row.written_at, lang), "by": row.written_by, "notes": row.notes,
            "incidents": len(carried.incidents), "units": len(carried.units_out_of_service),
            "cameras": len(carried.cameras_down),
            "ack": (f"{row.acknowledged_by} · {when(row.acknowledged_at, lang)}"
                    if row.acknowledged_at else None), "ack_note": row.ack_note or ""}


def render_pdf(found: DailyReport, *, printed_at: datetime, printed_by: str, lang: Lang,
               fonts_dir: Path) -> bytes:
    return papers.html_to_pdf(render_html(found, printed_at=printed_at, printed_by=printed_by,
                                          lang=lang, fonts_dir=fonts_dir))
