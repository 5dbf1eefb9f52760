"""The command center over HTTP: incidents, units, dispatch, rules, response times."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, status

from safetyzone.core.paging import MAX_OFFSET
from safetyzone.ops import incidents, rules, stats, units
from safetyzone.ops.models import IncidentState, UnitStatus
from safetyzone.ops.schemas import (
    AcknowledgeIn,
    DispatchIn,
    IncidentDetail,
    IncidentRead,
    LogRead,
    NoteIn,
    ResponseTimes,
    Transition,
    UnitCreate,
    UnitRead,
    UnitStatusChange,
)
from safetyzone.org import service as org
from safetyzone.patrol import shifts
from safetyzone.web.deps import ContextDep, ScopeDep

router = APIRouter(prefix="/api/v1", tags=["command center"])


@router.get("/incidents", response_model=list[IncidentRead])
def list_incidents(
    ctx: ContextDep, scope: ScopeDep, station_code: str | None = None,
    state: Annotated[list[IncidentState] | None, Query()] = None, kind: str | None = None,
    since: datetime | None = None, limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> list[IncidentRead]:
    """Incidents in your scope, most urgent first (priority, then age)."""
    with ctx.db.read() as session:
        station_id = (org.get_station(session, scope=scope, code=station_code).id
                      if station_code else None)
        rows = incidents.list_incidents(session, scope=scope, station_id=station_id,
                                        states=state, kind=kind, since=since, limit=limit,
                                        offset=offset)
        return [incidents.read_model(session, i) for i in rows]


@router.get("/incidents/{incident_id}", response_model=IncidentDetail)
def read_incident(ctx: ContextDep, scope: ScopeDep, incident_id: uuid.UUID) -> IncidentDetail:
    """One incident with its timeline, nearest available units and nearby events."""
    with ctx.db.read() as session:
        incident = incidents.get_incident(session, scope=scope, incident_id=incident_id)
        base = incidents.read_model(session, incident)
        action = next((r.action for r in rules.effective_rules(session, incident.station_id)
                       if r.name == incident.rule_name), None)
        return IncidentDetail(
            **base.model_dump(),
            timeline=[LogRead.model_validate(e) for e in incidents.timeline(session, incident)],
            recommended_units=units.recommend(
                session, station_id=incident.station_id, lat=incident.lat, lon=incident.lon,
                limit=action.recommend_units if action else 3, now=ctx.clock.now()),
            correlated_events=stats.correlated_events(session, incident),
        )


@router.post("/incidents/{incident_id}/acknowledge", response_model=IncidentRead)
def acknowledge_incident(
    ctx: ContextDep, scope: ScopeDep, incident_id: uuid.UUID, body: AcknowledgeIn | None = None,
) -> IncidentRead:
    """Take the incident: the second operator to try is told who took it."""
    with ctx.db.write() as session:
        incident = incidents.transition(
            session, scope=scope, clock=ctx.clock, incident_id=incident_id,
            to=IncidentState.ACKNOWLEDGED,
            expected_version=body.expected_version if body else None)
        return incidents.read_model(session, incident)


@router.post("/incidents/{incident_id}/transition", response_model=IncidentRead)
def transition_incident(
    ctx: ContextDep, scope: ScopeDep, incident_id: uuid.UUID, body: Transition
) -> IncidentRead:
    with ctx.db.write() as session:
        incident = incidents.transition(
            session, scope=scope, clock=ctx.clock, incident_id=incident_id, to=body.to,
            expected_version=body.expected_version, disposition=body.disposition,
            note=body.note)
        return incidents.read_model(session, incident)


@router.post("/incidents/{incident_id}/dispatch", response_model=IncidentRead)
def dispatch_unit(
    ctx: ContextDep, scope: ScopeDep, incident_id: uuid.UUID, body: DispatchIn
) -> IncidentRead:
    with ctx.db.write() as session:
        incident = incidents.dispatch(session, scope=scope, clock=ctx.clock,
                                      incident_id=incident_id, unit_id=body.unit_id,
                                      expected_version=body.expected_version)
        return incidents.read_model(session, incident)


@router.post("/incidents/{incident_id}/units/{unit_id}/release", response_model=IncidentRead)
def release_unit(
    ctx: ContextDep, scope: ScopeDep, incident_id: uuid.UUID, unit_id: uuid.UUID
) -> IncidentRead:
    with ctx.db.write() as session:
        incident = incidents.release(session, scope=scope, clock=ctx.clock,
                                     incident_id=incident_id, unit_id=unit_id)
        return incidents.read_model(session, incident)


@router.post("/incidents/{incident_id}/notes", response_model=IncidentRead)
def create_incident_note(
    ctx: ContextDep, scope: ScopeDep, incident_id: uuid.UUID, body: NoteIn
) -> IncidentRead:
    with ctx.db.write() as session:
        incident = incidents.add_note(session, scope=scope, clock=ctx.clock,
                                      incident_id=incident_id, text=body.text)
        return incidents.read_model(session, incident)


@router.get("/units", response_model=list[UnitRead])
def list_units(
    ctx: ContextDep, scope: ScopeDep, station_code: str | None = None,
    status_filter: Annotated[UnitStatus | None, Query(alias="status")] = None,
) -> list[UnitRead]:
    with ctx.db.read() as session:
        station_id = (org.get_station(session, scope=scope, code=station_code).id
                      if station_code else None)
        return [UnitRead.model_validate(u) for u in units.list_units(
            session, scope=scope, station_id=station_id, status=status_filter)]


@router.post("/units", response_model=UnitRead, status_code=status.HTTP_201_CREATED)
def create_unit(ctx: ContextDep, scope: ScopeDep, body: UnitCreate) -> UnitRead:
    with ctx.db.write() as session:
        return UnitRead.model_validate(
            units.create_unit(session, scope=scope, clock=ctx.clock, data=body))


@router.get("/units/{unit_id}", response_model=UnitRead)
def read_unit(ctx: ContextDep, scope: ScopeDep, unit_id: uuid.UUID) -> UnitRead:
    with ctx.db.read() as session:
        return UnitRead.model_validate(units.get_unit(session, scope=scope, unit_id=unit_id))


@router.post("/units/{unit_id}/status", response_model=UnitRead)
def change_unit_status(
    ctx: ContextDep, scope: ScopeDep, unit_id: uuid.UUID, body: UnitStatusChange
) -> UnitRead:
    """A unit's status; en route / on scene move its incident along. From someone not on
    shift with the unit (an operator hearing it on the radio), the timeline says "on behalf
    of" the unit."""
    with ctx.db.write() as session:
        unit = units.set_status(session, scope=scope, clock=ctx.clock, unit_id=unit_id,
                                status=body.status)
        incidents.unit_progress(session, scope=scope, clock=ctx.clock, unit=unit,
                                status=body.status,
                                on_behalf=scope.username not in shifts.crew(
                                    session, unit_id=unit.id))
        return UnitRead.model_validate(unit)


@router.get("/stations/{station_code}/response-times", response_model=ResponseTimes)
def read_response_times(
    ctx: ContextDep, scope: ScopeDep, station_code: str, since: datetime | None = None,
) -> ResponseTimes:
    """p50 and p90 of time to acknowledge, dispatch, arrive and clear (default: 30 days)."""
    with ctx.db.read() as session:
        station = org.get_station(session, scope=scope, code=station_code)
        return stats.response_times(session, scope=scope, station_id=station.id,
                                    since=since or ctx.clock.now() - timedelta(days=30))


@router.get("/stations/{station_code}/rules", response_model=list[rules.RuleRead])
def list_station_rules(ctx: ContextDep, scope: ScopeDep, station_code: str
                       ) -> list[rules.RuleRead]:
    """The station's trigger -> action rules (the national defaults until it sets its own)."""
    with ctx.db.read() as session:
        station = org.get_station(session, scope=scope, code=station_code)
        return rules.list_rules(session, scope=scope, station_id=station.id)


@router.put("/stations/{station_code}/rules", response_model=list[rules.RuleRead])
def replace_station_rules(
    ctx: ContextDep, scope: ScopeDep, station_code: str, body: list[rules.RuleIn]
) -> list[rules.RuleRead]:
    with ctx.db.write() as session:
        station = org.get_station(session, scope=scope, code=station_code)
        return rules.replace_rules(session, scope=scope, clock=ctx.clock,
                                   station_id=station.id, rules=body)
