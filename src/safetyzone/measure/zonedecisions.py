"""The Big 6 meeting's decisions: who sat, which candidate(s) they chose, why, and the
zone each choice made or linked. A decision is never changed: a later meeting records a
new decision naming the one in force, which stays in the history as superseded (the
tables are append-only in the database too, migration 0028).

A choice may make the station's zone from the candidate's boundary (``org.zones``, the
same rule and audit as ``POST /api/v1/zones``) or link an existing zone of the station.
The decision keeps the weights and the ranking as the meeting saw them.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from safetyzone.audit import service as audit
from safetyzone.core.clock import BANGKOK, Clock
from safetyzone.core.errors import Conflict, InvalidInput, NotFound, Problem
from safetyzone.core.security import Permission, Scope
from safetyzone.measure import facts, zoneselect
from safetyzone.measure.zoneselect_models import ZoneCandidate, ZoneDecision, ZoneDecisionChoice
from safetyzone.measure.zoneselect_schemas import (
    CandidateScore,
    ChoiceOut,
    DecisionIn,
    DecisionOut,
    MemberOut,
    Reasons,
    WeightsOut,
)
from safetyzone.org import service as org
from safetyzone.org import zones
from safetyzone.org.models import OrgUnit, Zone
from safetyzone.org.schemas import Selection, ZoneCreate

EARLIEST_MEETING = date(2000, 1, 1)
LATEST_LAUNCH_YEARS = 10  # a launch more than this after the meeting is a mistyped year


def _members(session: Session, scope: Scope, data: DecisionIn) -> list[MemberOut]:
    out = []
    for i, member in enumerate(data.members):
        agency, code, big6 = member.agency.strip(), None, None
        if member.partner_code is not None:
            try:
                partner = org.get_partner_by_code(session, scope=scope, code=member.partner_code)
            except NotFound:
                raise InvalidInput(f"no partner '{member.partner_code}' in your scope",
                                   [Problem("unknown partner", f"members[{i}].partner_code")]
                                   ) from None
            code, big6 = partner.code, partner.big6_member
            agency = agency or partner.name_th
        out.append(MemberOut(name=member.name.strip(), role=member.role.strip(),
                             agency=agency, partner_code=code, big6_member=big6))
    return out


def in_force(session: Session, station_id: uuid.UUID) -> ZoneDecision | None:
    """The decision no later one supersedes (the last of the line), if any."""
    superseded = select(ZoneDecision.supersedes_id).where(
        ZoneDecision.station_id == station_id, ZoneDecision.supersedes_id.is_not(None))
    return session.scalar(select(ZoneDecision).where(
        ZoneDecision.station_id == station_id, ZoneDecision.id.not_in(superseded))
        .order_by(ZoneDecision.number.desc()).limit(1))


def _check_dates(data: DecisionIn, today: date) -> None:
    if not EARLIEST_MEETING <= data.meeting_on <= today:
        raise InvalidInput(f"the meeting is on a day from {EARLIEST_MEETING.isoformat()} to "
                           f"today ({today.isoformat()}, Bangkok)",
                           [Problem("not a day a meeting could have been", "meeting_on")])
    if data.launch_on is not None and not (
            data.meeting_on <= data.launch_on
            and data.launch_on.year - data.meeting_on.year <= LATEST_LAUNCH_YEARS):
        raise InvalidInput("the launch is on or after the meeting, within "
                           f"{LATEST_LAUNCH_YEARS} years",
                           [Problem("launch before the meeting or years after", "launch_on")])


def _check_supersedes(session: Session, station: OrgUnit, data: DecisionIn) -> None:
    current = in_force(session, station.id)
    if current is None and data.supersedes_id is not None:
        raise Conflict(f"{station.code} has no decision in force to supersede",
                       [Problem("leave empty for the first decision", "supersedes_id")])
    if current is not None and data.supersedes_id != current.id:
        raise Conflict(f"decision {current.number} of {current.meeting_on.isoformat()} is in "
                       f"force at {station.code}: a new decision supersedes it "
                       f"(supersedes_id {current.id})",
                       [Problem("must name the decision in force", "supersedes_id")])


def _choices(session: Session, scope: Scope, station: OrgUnit, data: DecisionIn
             ) -> list[tuple[ZoneCandidate, Zone | None, str | None]]:
    """Each chosen candidate with the zone it links, or the code of the zone to make."""
    out: list[tuple[ZoneCandidate, Zone | None, str | None]] = []
    seen: set[uuid.UUID] = set()
    codes: set[str] = set()
    for i, choice in enumerate(data.choices):
        field = f"choices[{i}]"
        row = session.get(ZoneCandidate, choice.candidate_id)
        if row is None or row.station_id != station.id:
            raise InvalidInput(f"no zone candidate {choice.candidate_id} at {station.code}",
                               [Problem("unknown candidate", f"{field}.candidate_id")])
        if row.retired:
            raise InvalidInput(f"candidate '{row.name_th}' is retired",
                               [Problem("retired candidate", f"{field}.candidate_id")])
        if row.id in seen:
            raise InvalidInput("a candidate is chosen once",
                               [Problem("chosen twice", f"{field}.candidate_id")])
        seen.add(row.id)
        if choice.zone_code and choice.new_zone_code:
            raise InvalidInput("link an existing zone or make a new one, not both",
                               [Problem("give one of zone_code, new_zone_code", field)])
        code = choice.zone_code or choice.new_zone_code
        if code is not None:
            if code in codes:
                raise InvalidInput("one zone per chosen candidate",
                                   [Problem(f"zone '{code}' twice", field)])
            codes.add(code)
        zone = None
        if choice.zone_code is not None:
            try:
                zone = zones.get_zone_by_code(session, scope=scope, code=choice.zone_code)
            except NotFound:
                zone = None
            if zone is None or zone.station_id != station.id:
                raise InvalidInput(f"no zone '{choice.zone_code}' at {station.code}",
                                   [Problem("unknown zone", f"{field}.zone_code")])
        out.append((row, zone, choice.new_zone_code))
    return out


def record_decision(session: Session, *, scope: Scope, clock: Clock, station_code: str,
                    data: DecisionIn) -> DecisionOut:
    """Record a Big 6 decision (superseding the one in force, if any); audited. Every check
    runs before anything is written, and a zone that cannot be made refuses the whole."""
    station = org.get_station(session, scope=scope, code=station_code)
    scope.require(Permission.MEASURE_MANAGE)
    now = clock.now()
    _check_dates(data, now.astimezone(BANGKOK).date())
    members = _members(session, scope, data)
    chosen = _choices(session, scope, station, data)
    _check_supersedes(session, station, data)
    if any(new for _, _, new in chosen):
        scope.require(Permission.ZONE_WRITE)
    snapshot = zoneselect.ranking(session, scope=scope, clock=clock, station_code=station.code)
    number = (session.scalar(select(func.max(ZoneDecision.number)).where(
        ZoneDecision.station_id == station.id)) or 0) + 1
    decision = ZoneDecision(
        station_id=station.id, number=number, meeting_on=data.meeting_on,
        members=[m.model_dump() for m in members], rationale=data.rationale.strip(),
        reasons=data.reasons.model_dump(), launch_on=data.launch_on,
        supersedes_id=data.supersedes_id,
        weights=snapshot.weights.model_dump(mode="json"),
        ranking=[c.model_dump(mode="json") for c in snapshot.candidates],
        recorded_at=now, recorded_by=scope.username)
    session.add(decision)
    session.flush()
    for position, (row, zone, new_code) in enumerate(chosen):
        if new_code is not None:
            zone = zones.create_zone(session, scope=scope, clock=clock, data=ZoneCreate(
                code=new_code, station_code=station.code, name_th=row.name_th,
                name_en=row.name_en or row.name_th, boundary=row.boundary,
                selection=Selection(**data.reasons.model_dump()),
                source=f"Big 6 decision {number} of {data.meeting_on.isoformat()} "
                       "(zone selection)"))
        session.add(ZoneDecisionChoice(decision_id=decision.id, candidate_id=row.id,
                                       position=position, zone_id=zone.id if zone else None,
                                       zone_created=new_code is not None))
    session.flush()
    audit.record(session, actor=scope, at=now, action="measure.zone_decision.record",
                 entity="zone_decision", entity_id=decision.id, station_id=station.id,
                 detail={"number": number, "meeting_on": data.meeting_on.isoformat(),
                         "candidates": [str(r.id) for r, _, _ in chosen],
                         "zones": [z.code if z else c for _, z, c in chosen],
                         "members": len(members), "supersedes_id": str(data.supersedes_id)
                         if data.supersedes_id else None,
                         "launch_on": data.launch_on.isoformat() if data.launch_on else None})
    return _read_all(session, scope, station, only=decision.id)[0]


def _group_name(session: Session, scope: Scope, station: OrgUnit) -> str | None:
    found = facts.station_facts(session, scope=scope, station_code=station.code)
    value = next((f.value for f in found.facts if f.key == "big6_group_name"), None)
    return value if isinstance(value, str) else None


def _read_all(session: Session, scope: Scope, station: OrgUnit,
              only: uuid.UUID | None = None) -> list[DecisionOut]:
    rows = list(session.scalars(select(ZoneDecision).where(
        ZoneDecision.station_id == station.id).order_by(ZoneDecision.number.desc())))
    by_id = {r.id: r for r in rows}
    successor = {r.supersedes_id: r for r in rows if r.supersedes_id is not None}
    choices: dict[uuid.UUID, list[tuple[ZoneDecisionChoice, ZoneCandidate, str | None]]] = {}
    for choice, candidate, zone_code in session.execute(
            select(ZoneDecisionChoice, ZoneCandidate, Zone.code)
            .join(ZoneCandidate, ZoneCandidate.id == ZoneDecisionChoice.candidate_id)
            .outerjoin(Zone, Zone.id == ZoneDecisionChoice.zone_id)
            .where(ZoneCandidate.station_id == station.id)
            .order_by(ZoneDecisionChoice.position)):
        choices.setdefault(choice.decision_id, []).append((choice, candidate, zone_code))
    group = _group_name(session, scope, station)
    out = []
    for row in rows:
        if only is not None and row.id != only:
            continue
        ranking = [CandidateScore.model_validate(c) for c in row.ranking]
        seen = {c.candidate_id: c for c in ranking}
        earlier = by_id.get(row.supersedes_id) if row.supersedes_id else None
        later = successor.get(row.id)
        out.append(DecisionOut(
            id=row.id, number=row.number, station_code=station.code, big6_group_name=group,
            meeting_on=row.meeting_on, members=[MemberOut.model_validate(m) for m in row.members],
            choices=[ChoiceOut(candidate_id=c.id, name_th=c.name_th, name_en=c.name_en,
                               zone_code=code, zone_created=choice.zone_created,
                               rank=seen[c.id].rank if c.id in seen else None,
                               score=seen[c.id].score if c.id in seen else None)
                     for choice, c, code in choices.get(row.id, [])],
            rationale=row.rationale, reasons=Reasons.model_validate(row.reasons),
            launch_on=row.launch_on, supersedes_number=earlier.number if earlier else None,
            superseded_by_number=later.number if later else None, in_force=later is None,
            weights=WeightsOut.model_validate(row.weights), ranking=ranking,
            recorded_at=row.recorded_at, recorded_by=row.recorded_by))
    return out


def list_decisions(session: Session, *, scope: Scope, station_code: str) -> list[DecisionOut]:
    """The station's decisions, newest first; the first is the one in force."""
    station = org.get_station(session, scope=scope, code=station_code)
    scope.require(Permission.OPS_READ)
    return _read_all(session, scope, station)


def get_decision(session: Session, *, scope: Scope, station_code: str,
                 decision_id: uuid.UUID) -> DecisionOut:
    station = org.get_station(session, scope=scope, code=station_code)
    scope.require(Permission.OPS_READ)
    found = _read_all(session, scope, station, only=decision_id)
    if not found:
        raise NotFound(f"no zone decision {decision_id} at {station.code}")
    return found[0]


def launch_of(session: Session, station_id: uuid.UUID, zone_id: uuid.UUID
              ) -> tuple[date, int] | None:
    """The zone's launch day from the latest decision that chose it with one."""
    found = session.execute(
        select(ZoneDecision.launch_on, ZoneDecision.number)
        .join(ZoneDecisionChoice, ZoneDecisionChoice.decision_id == ZoneDecision.id)
        .where(ZoneDecision.station_id == station_id, ZoneDecisionChoice.zone_id == zone_id,
               ZoneDecision.launch_on.is_not(None))
        .order_by(ZoneDecision.number.desc()).limit(1)).first()
    return (found[0], found[1]) if found and found[0] is not None else None
