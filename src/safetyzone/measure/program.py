"""The program view for region and HQ desks: every station in scope side by side, each
region summed, and the rollout (15 pilots, the next 100, one zone per province, then every
station) counted step by step.

Every figure comes from grouped queries over the whole scope: HQ's 1,480 stations cost a
fixed handful of queries, never one per station (``benchmarks/hq_dashboard.py`` measures it
against the loop it replaces). A station's start is the one recorded step; a zone defined,
cameras joined and the CCOC staffed are read from the zone, camera and duty tables, so the
rollout cannot claim a step nobody took.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from safetyzone.assets.models import Camera
from safetyzone.audit import service as audit
from safetyzone.core.clock import BANGKOK, Clock, as_utc
from safetyzone.core.errors import InvalidInput, Problem
from safetyzone.core.security import Permission, Role, Scope
from safetyzone.measure import facts, kpis
from safetyzone.measure.models import Fact, FactStatus
from safetyzone.measure.program_schemas import (
    PhaseProgress,
    ProgramOverview,
    ProgramRegion,
    ProgramStation,
    RolloutIn,
    RolloutState,
)
from safetyzone.measure.rollout_models import StationRollout
from safetyzone.measure.schemas import Figure
from safetyzone.ops.incidents import OPEN_STATES
from safetyzone.ops.models import Incident
from safetyzone.ops.shiftlog_models import DutyShift
from safetyzone.org import service as org
from safetyzone.org.models import OrgUnit, UnitKind, User, UserScope, Zone
from safetyzone.video.models import CameraHealth, CameraState

STAFFED_WITHIN = timedelta(hours=24)


@dataclass(frozen=True)
class Phase:
    number: int | None
    th: str
    en: str
    target: int | None


PHASES = (
    Phase(1, "สถานีนำร่อง 15 แห่ง", "the 15 pilot stations", 15),
    Phase(2, "ขยายผล 100 สถานี", "the next 100 stations", 100),
    Phase(3, "จังหวัดละ 1 พื้นที่", "one zone per province", None),
    Phase(4, "ทุกสถานี", "every station", None),
    Phase(None, "ยังไม่กำหนดระยะ", "no phase set", None),
)


def period(now: datetime, since: datetime | None, until: datetime | None
           ) -> tuple[datetime, datetime]:
    """The period asked for, or the KPIs' default (Bangkok midnight 30 days ago until now),
    checked by the KPIs' rule, so the program view, the KPIs and the scorecard always
    read the same days."""
    window = kpis.window_of(since=since, until=until, now=now)
    return window.since, window.until


def _grouped(session: Session, query: object) -> dict[uuid.UUID, int]:
    return {sid: int(n) for sid, n in session.execute(query)}  # type: ignore[call-overload]


# The tree as plain rows: HQ reads 1,500 units, and ORM objects cost a third of the view.
UnitRow = Row[*tuple[Any, ...]]
_UNIT = (OrgUnit.id, OrgUnit.code, OrgUnit.kind, OrgUnit.parent_id, OrgUnit.name_th,
         OrgUnit.name_en, OrgUnit.station_type, OrgUnit.pilot_phase, OrgUnit.lat, OrgUnit.lon)


def _stations(session: Session, scope: Scope) -> tuple[list[UnitRow], dict[uuid.UUID, UnitRow]]:
    units: dict[uuid.UUID, UnitRow] = {u.id: u for u in session.execute(select(*_UNIT))}
    stations = sorted((u for u in units.values()
                       if u.kind is UnitKind.STATION and scope.sees_station(u.id)),
                      key=lambda u: u.code)
    return stations, units


def _ancestor(unit: UnitRow, units: dict[uuid.UUID, UnitRow], kind: UnitKind
              ) -> UnitRow | None:
    seen = 0
    current: UnitRow | None = unit
    while current is not None and seen < 10:
        if current.kind is kind:
            return current
        current = units.get(current.parent_id) if current.parent_id else None
        seen += 1
    return None


def overview(session: Session, *, scope: Scope, now: datetime,
             since: datetime | None = None, until: datetime | None = None) -> ProgramOverview:
    """Every station in scope with its rollout and the period's incidents, the regions
    summed and the phases counted: a fixed number of grouped queries, whatever the scope."""
    scope.require(Permission.OPS_READ)
    since, until = period(now, since, until)
    stations, units = _stations(session, scope)
    in_scope = scope.station_filter
    incidents = _grouped(session, select(Incident.station_id, func.count())
                         .where(in_scope(Incident.station_id), Incident.opened_at >= since,
                                Incident.opened_at < until).group_by(Incident.station_id))
    open_now = _grouped(session, select(Incident.station_id, func.count())
                        .where(in_scope(Incident.station_id),
                               Incident.state.in_(OPEN_STATES)).group_by(Incident.station_id))
    zones = _grouped(session, select(Zone.station_id, func.count())
                     .where(in_scope(Zone.station_id)).group_by(Zone.station_id))
    cameras = _grouped(session, select(Camera.station_id, func.count())
                       .where(in_scope(Camera.station_id)).group_by(Camera.station_id))
    online = _grouped(session, select(CameraHealth.station_id, func.count())
                      .where(in_scope(CameraHealth.station_id),
                             CameraHealth.state == CameraState.ONLINE)
                      .group_by(CameraHealth.station_id))
    operators = _grouped(session, select(UserScope.org_unit_id, func.count())
                         .join(User, User.id == UserScope.user_id)
                         .where(in_scope(UserScope.org_unit_id), User.is_active.is_(True),
                                User.role == Role.OPERATOR)
                         .group_by(UserScope.org_unit_id))
    on_duty_open = {sid for (sid,) in session.execute(
        select(DutyShift.station_id).where(in_scope(DutyShift.station_id),
                                           DutyShift.ended_at.is_(None)).distinct())}
    last_duty = dict(session.execute(
        select(DutyShift.station_id, func.max(DutyShift.ended_at))
        .where(in_scope(DutyShift.station_id)).group_by(DutyShift.station_id)).all())
    population = {sid: (value, status) for sid, value, status in session.execute(
        select(Fact.station_id, Fact.value_num, Fact.status)
        .where(in_scope(Fact.station_id), Fact.zone_id.is_(None),
               Fact.key == facts.POPULATION))}
    starts = {r.station_id: r for r in session.scalars(
        select(StationRollout).where(in_scope(StationRollout.station_id)))}

    rows = [_station_row(s, units, now=now, incidents=incidents.get(s.id, 0),
                         open_now=open_now.get(s.id, 0), zones=zones.get(s.id, 0),
                         cameras=cameras.get(s.id, 0), online=online.get(s.id, 0),
                         operators=operators.get(s.id, 0), on_duty=s.id in on_duty_open,
                         last_duty=last_duty.get(s.id), population=population.get(s.id),
                         start=starts.get(s.id))
            for s in stations]
    return ProgramOverview(since=since, until=until, generated_at=now, stations=rows,
                           regions=_regions(rows, units), phases=_phases(rows))


def _station_row(station: UnitRow, units: dict[uuid.UUID, UnitRow], *, now: datetime,
                 incidents: int, open_now: int, zones: int, cameras: int, online: int,
                 operators: int, on_duty: bool, last_duty: datetime | None,
                 population: tuple[float | None, FactStatus] | None,
                 start: StationRollout | None) -> ProgramStation:
    last_on_duty = as_utc(now) if on_duty else (as_utc(last_duty) if last_duty else None)
    staffed = last_on_duty is not None and as_utc(now) - last_on_duty <= STAFFED_WITHIN
    started_on = start.started_on if start else None
    started = started_on is not None and started_on <= as_utc(now).astimezone(BANGKOK).date()
    rollout = RolloutState(
        started_on=started_on, source=start.source if start else None, started=started,
        zones=zones, cameras=cameras, cameras_online=online, operators=operators,
        last_on_duty_at=last_on_duty, staffed=staffed,
        complete=started and zones > 0 and cameras > 0 and staffed)
    value, status = population if population else (None, FactStatus.UNKNOWN)
    figure = Figure(key=facts.POPULATION, value=value, status=status)
    region = _ancestor(station, units, UnitKind.REGION)
    province = _ancestor(station, units, UnitKind.PROVINCE)
    return ProgramStation(
        station_id=station.id, station_code=station.code, name_th=station.name_th,
        name_en=station.name_en,
        station_type=station.station_type.value if station.station_type else None,
        phase=station.pilot_phase, region_code=region.code if region else None,
        province_code=province.code if province else None, lat=station.lat, lon=station.lon,
        rollout=rollout, incidents=incidents, open_now=open_now, population=value,
        population_status=status, incidents_per_1000=facts.per_1000_people(incidents, figure))


def _regions(rows: list[ProgramStation], units: dict[uuid.UUID, UnitRow]
             ) -> list[ProgramRegion]:
    by_code = {u.code: u for u in units.values() if u.kind is UnitKind.REGION}
    grouped: dict[str, list[ProgramStation]] = defaultdict(list)
    for row in rows:
        if row.region_code:
            grouped[row.region_code].append(row)
    out = []
    for code in sorted(grouped):
        members, region = grouped[code], by_code[code]
        known = [r for r in members if r.population and r.population_status
                 is not FactStatus.UNKNOWN]
        people = sum(r.population or 0.0 for r in known)
        known_incidents = sum(r.incidents for r in known)
        out.append(ProgramRegion(
            region_code=code, name_th=region.name_th, name_en=region.name_en,
            stations=len(members), started=sum(r.rollout.started for r in members),
            complete=sum(r.rollout.complete for r in members),
            incidents=sum(r.incidents for r in members),
            open_now=sum(r.open_now for r in members),
            cameras=sum(r.rollout.cameras for r in members),
            cameras_online=sum(r.rollout.cameras_online for r in members),
            population_known=people, stations_with_population=len(known),
            incidents_per_1000=(known_incidents * 1000.0 / people) if people > 0 else None))
    return out


def _phases(rows: list[ProgramStation]) -> list[PhaseProgress]:
    out = []
    for phase in PHASES:
        members = [r for r in rows if r.phase == phase.number
                   or (phase.number is None and (r.phase is None or r.phase > 4))]
        if phase.number is None and not members:
            continue
        out.append(PhaseProgress(
            phase=phase.number, name_th=phase.th, name_en=phase.en, target=phase.target,
            stations=len(members), started=sum(r.rollout.started for r in members),
            zone_defined=sum(r.rollout.zones > 0 for r in members),
            cameras_joined=sum(r.rollout.cameras > 0 for r in members),
            staffed=sum(r.rollout.staffed for r in members),
            complete=sum(r.rollout.complete for r in members)))
    return out


def set_rollout(session: Session, *, scope: Scope, clock: Clock, station_code: str,
                data: RolloutIn) -> RolloutIn:
    """Record when a station started the program and its phase; audited with before and
    after. A start needs its source (an order, a launch ceremony) and is never in the
    future: the rollout counts what happened."""
    station = org.get_station(session, scope=scope, code=station_code)
    scope.require(Permission.MEASURE_MANAGE)
    today = clock.now().astimezone(BANGKOK).date()
    source = (data.source or "").strip() or None
    if data.started_on is not None:
        if data.started_on > today:
            raise InvalidInput("a start is recorded once it happened",
                               [Problem(f"on or before {today.isoformat()}", "started_on")])
        if data.started_on < date(2021, 1, 1):
            raise InvalidInput("the program began in 2021",
                               [Problem("on or after 2021-01-01", "started_on")])
        if source is None:
            raise InvalidInput("a start needs its source",
                               [Problem("name the order or event that started it", "source")])
    row = session.get(StationRollout, station.id)
    before = {"started_on": row.started_on.isoformat() if row and row.started_on else None,
              "phase": station.pilot_phase, "source": row.source if row else None}
    if row is None:
        row = StationRollout(station_id=station.id)
        session.add(row)
    row.started_on, row.source = data.started_on, source
    row.note = (data.note or "").strip() or None
    row.updated_at, row.updated_by = clock.now(), scope.username
    station.pilot_phase = data.phase
    session.flush()
    after = {"started_on": data.started_on.isoformat() if data.started_on else None,
             "phase": data.phase, "source": source}
    audit.record(session, actor=scope, at=clock.now(), action="measure.rollout.set",
                 entity="station", entity_id=station.id, station_id=station.id,
                 detail={"before": before, "after": after})
    return RolloutIn(started_on=data.started_on, phase=data.phase, source=source, note=row.note)
