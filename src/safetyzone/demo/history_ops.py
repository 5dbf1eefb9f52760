"""The command center's synthetic past: incidents taken as calls, and the CCOC's duties.

The services that write these (``ops.calls.create_call``, ``ops.incidents.dispatch`` and
``transition``, ``ops.shiftlog.go_on_duty``) act at "now" and publish every step on the
live feed and in the audit trail; a past of thousands of incidents written through them
would flood both and take minutes. So the rows are written directly, in the shapes those
services give them (the same columns, the same timeline entries in the same order), and
each says it is demo data: the title ends "(ข้อมูลสาธิต)" / "(demo data)", ``detail`` holds
``synthetic: true``, the first timeline entry says so in words.
"""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from safetyzone.core.clock import BANGKOK
from safetyzone.demo.history_common import (
    ACTOR,
    HOURS,
    MARK,
    MARK_EN,
    MARK_TH,
    WEEKDAYS,
    Site,
    bangkok_days,
    local,
    lognormal,
    poisson,
    weighted,
)
from safetyzone.ops.calls import DOCK_NEAREST, DOCK_RADIUS_M
from safetyzone.ops.calltypes import BY_KEY, SOURCE_NAMES, CallSource
from safetyzone.ops.cameras import CameraIndex, link_cameras
from safetyzone.ops.models import Assignment, Incident, IncidentCall, IncidentLog, IncidentState
from safetyzone.ops.shiftlog_models import DutyShift, EntryKind, ShiftLogEntry

S = IncidentState
# Incidents end this long before the seeding at the latest: the past is closed.
SETTLED = timedelta(hours=6)
SOURCES = {CallSource.TRANSFER_191: 0.5, CallSource.PHONE: 0.3, CallSource.RADIO: 0.12,
           CallSource.WALK_IN: 0.08}
# How a call that no unit was sent to ends, and how one a unit reached ends.
UNSENT = {"no_trace": 3, "referred": 2, "false_alarm": 1, "duplicate": 1}
REACHED = {"resolved": 6, "assisted": 3, "arrest": 1, "no_trace": 1}
NOTE = "ข้อมูลสาธิต: เหตุจำลองย้อนหลัง ไม่ใช่เหตุจริง / demo data: a simulated past incident"


def _kinds_for_hour(site: Site, hour: int) -> dict[str, float]:
    """Traffic around the rush hours, fights and youths at night, theft in the day."""
    out = dict(site.profile.kinds)
    night = hour >= 20 or hour < 3
    for kind in out:
        if kind in {"fight", "youths_gathering", "disturbance", "assault"} and night:
            out[kind] *= 2.0
        elif kind == "traffic_accident" and hour in {7, 8, 16, 17, 18}:
            out[kind] *= 2.5
        elif kind in {"theft", "fraud"} and 9 <= hour < 18:
            out[kind] *= 1.5
    return out


def _hour(rng: random.Random) -> int:
    return rng.choices(range(24), weights=HOURS)[0]


class _Writer:
    """Rows gathered for one executemany per table."""

    def __init__(self) -> None:
        self.incidents: list[dict[str, Any]] = []
        self.calls: list[dict[str, Any]] = []
        self.logs: list[dict[str, Any]] = []
        self.assignments: list[dict[str, Any]] = []

    def log(self, incident_id: uuid.UUID, at: datetime, entry: str, *,
            from_state: S | None = None, to_state: S | None = None, text: str | None = None,
            detail: dict[str, Any] | None = None) -> None:
        self.logs.append({"incident_id": incident_id, "at": at, "entry": entry,
                          "username": ACTOR, "from_state": from_state.value if from_state
                          else None, "to_state": to_state.value if to_state else None,
                          "text": text, "detail": detail or {}})

    def flush(self, session: Session) -> None:
        for model, rows in ((Incident, self.incidents), (IncidentCall, self.calls),
                            (IncidentLog, self.logs), (Assignment, self.assignments)):
            if rows:
                session.execute(insert(model), rows)


def seed_incidents(session: Session, site: Site, cameras: CameraIndex) -> int:
    """Calls over the period, each handled to its close; how many incidents."""
    rng = site.rng("incidents")
    writer = _Writer()
    end = site.until - SETTLED
    mean_weekday = sum(WEEKDAYS) / 7
    seq = 0
    for day in bangkok_days(site.since, end):
        rate = site.profile.incidents_per_day * WEEKDAYS[day.weekday()] / mean_weekday
        for _ in range(poisson(rng, rate)):
            opened = local(day, _hour(rng), rng.randrange(60), rng.randrange(60))
            if not site.since <= opened < end:
                continue
            seq += 1
            _incident(writer, rng, site, cameras, opened, seq)
    writer.flush(session)
    return len(writer.incidents)


def _incident(writer: _Writer, rng: random.Random, site: Site, cameras: CameraIndex,
              opened: datetime, seq: int) -> None:
    """One call as ``ops.calls.create_call`` opens it, then dispatch, the unit's progress
    and the close, as ``ops.incidents`` steps it."""
    hour = opened.astimezone(BANGKOK).hour
    kind = BY_KEY[weighted(rng, _kinds_for_hour(site, hour))]
    priority = 1 if kind.key == "fight" and rng.random() < 0.15 else kind.priority
    lat, lon, cluster = site.place(rng)
    source = CallSource(weighted(rng, {s.value: w for s, w in SOURCES.items()}))
    source_th, source_en = SOURCE_NAMES[source]
    received = opened - timedelta(seconds=rng.randrange(30, 240))
    ref = (f"DEMO-{opened.astimezone(BANGKOK):%y%m%d}-{seq:05d}"
           if source is CallSource.TRANSFER_191 else None)
    place_th = f"ใกล้{cluster.name_th}" if cluster else "ตำแหน่งบนแผนที่"
    place_en = f"near the {cluster.name_en.lower()}" if cluster else "point on the map"
    docked = link_cameras(cameras, lat=lat, lon=lon, bound=[], nearest=DOCK_NEAREST,
                          radius_m=DOCK_RADIUS_M, station_id=site.station_id, now=opened)
    incident_id = uuid.uuid4()
    row: dict[str, Any] = {
        "id": incident_id, "station_id": site.station_id, "kind": kind.key,
        "priority": priority, "title_th": f"{kind.th} · {place_th} {MARK_TH}"[:300],
        "title_en": f"{kind.en.capitalize()} · {place_en} {MARK_EN}"[:300],
        "state": S.CLOSED, "rule_name": None, "lat": lat, "lon": lon, "source_asset_id": None,
        "source_unit_id": None, "source_device_id": None, "first_event_id": None,
        "event_count": 0, "device_time": received, "opened_at": opened,
        "last_event_at": opened, "ack_deadline": None, "acknowledged_at": opened,
        "acknowledged_by": ACTOR, "dispatched_at": None, "en_route_at": None,
        "arrived_at": None, "cleared_at": None, "escalation_level": 0, "escalated_at": None,
        "cameras": docked,
        "detail": {"source_th": source_th, "source_en": source_en, "manual": True,
                   "call_source": source.value, "call_group": kind.group.value,
                   "external_ref": ref, "address": None,
                   "landmark": cluster.name_th if cluster else None,
                   "landmark_asset_code": None, "synthetic": True, "demo_history": True},
        "last_actor": ACTOR}
    writer.calls.append({
        "id": uuid.uuid4(), "incident_id": incident_id, "station_id": site.station_id,
        "source": source.value, "external_ref": ref, "received_at": received,
        "taken_by": ACTOR, "caller_anonymous": rng.random() < 0.3, "caller_name": None,
        "caller_phone": None, "notice_version": None, "caller_erased_at": None,
        "created_at": opened})
    writer.log(incident_id, opened, "created", to_state=S.ACKNOWLEDGED, text=NOTE,
               detail={"manual": True, "source": source.value, "call_type": kind.key,
                       "external_ref": ref, "cameras": [c["code"] for c in docked]})
    send = priority <= 2 or rng.random() < 0.75
    steps = 1
    if not send or not site.units:
        closed = opened + timedelta(minutes=lognormal(rng, 25, 0.6))
        disposition = weighted(rng, UNSENT)
        writer.log(incident_id, closed, "transition", from_state=S.ACKNOWLEDGED,
                   to_state=S.CLOSED, detail={"disposition": disposition})
    else:
        median = site.profile.p1_median_min * (1.0 if priority == 1 else 1.7)
        arrive_min = max(1.5, lognormal(rng, median, 0.45))
        dispatched = opened + timedelta(minutes=min(arrive_min * 0.3, rng.uniform(0.3, 2.5)))
        en_route = dispatched + timedelta(seconds=rng.randrange(10, 60))
        arrived = opened + timedelta(minutes=arrive_min)
        en_route = min(en_route, arrived - timedelta(seconds=5))
        cleared = arrived + timedelta(minutes=lognormal(rng, 25, 0.5))
        closed = cleared + timedelta(minutes=rng.uniform(2, 30))
        disposition = weighted(rng, REACHED)
        unit_id, callsign = rng.choice(site.units)
        distance = round(rng.uniform(150, 2500), 1)
        writer.assignments.append({
            "id": uuid.uuid4(), "incident_id": incident_id, "unit_id": unit_id,
            "assigned_at": dispatched, "assigned_by": ACTOR, "released_at": cleared,
            "distance_m": distance})
        writer.log(incident_id, dispatched, "dispatched",
                   detail={"unit_id": str(unit_id), "callsign": callsign,
                           "distance_m": distance})
        for at, before, after in ((dispatched, S.ACKNOWLEDGED, S.DISPATCHED),
                                  (en_route, S.DISPATCHED, S.EN_ROUTE),
                                  (arrived, S.EN_ROUTE, S.ON_SCENE)):
            writer.log(incident_id, at, "transition", from_state=before, to_state=after)
        writer.log(incident_id, cleared, "released", detail={"unit_id": str(unit_id)})
        writer.log(incident_id, cleared, "transition", from_state=S.ON_SCENE,
                   to_state=S.CLEARED)
        writer.log(incident_id, closed, "transition", from_state=S.CLEARED, to_state=S.CLOSED,
                   detail={"disposition": disposition})
        row.update(dispatched_at=dispatched, en_route_at=en_route, arrived_at=arrived,
                   cleared_at=cleared)
        steps = 5
    row.update(closed_at=closed, disposition=disposition, version=1 + steps,
               updated_at=closed)
    writer.incidents.append(row)


# --- the CCOC's duty ---------------------------------------------------------------------

DUTY_STARTS = (8, 20)  # Bangkok: a day and a night duty of twelve hours
DUTY_NOTE = f"เวรสาธิต {MARK}"


def seed_duties(session: Session, site: Site, *, open_now: bool) -> int:
    """The station's operator on the console's twelve-hour duties over the period, each
    on and off in the shift log; with ``open_now``, the current duty left open (the CCOC is
    staffed as the demo starts). A station without an operator login has no duty."""
    operator = site.operator
    if operator is None:
        return 0
    duties: list[dict[str, Any]] = []
    entries: list[dict[str, Any]] = []
    for day in bangkok_days(site.since, site.until):
        for hour in DUTY_STARTS:
            start = local(day, hour)
            end = start + timedelta(hours=12)
            if start < site.since:
                continue
            if end > site.until and not (open_now and start <= site.until):
                continue
            ended = end if end <= site.until else None
            duties.append({"id": uuid.uuid4(), "station_id": site.station_id,
                           "user_id": operator.id, "username": operator.username,
                           "display_name": operator.display_name, "role": operator.role,
                           "started_at": start, "ended_at": ended,
                           "ended_by": operator.username if ended else None})
            entries.append({"station_id": site.station_id, "at": start,
                            "username": operator.username, "kind": EntryKind.ON_DUTY,
                            "text": DUTY_NOTE, "incident_id": None, "handover_id": None})
            if ended is not None:
                entries.append({"station_id": site.station_id, "at": ended,
                                "username": operator.username, "kind": EntryKind.OFF_DUTY,
                                "text": DUTY_NOTE, "incident_id": None, "handover_id": None})
    if duties:
        session.execute(insert(DutyShift), duties)
        session.execute(insert(ShiftLogEntry), entries)
    return len(duties)
