"""Work orders to partners: a lamp out, a dead partner camera, a broken SOS pole, an
abandoned plot to clear becomes an order to the partner responsible (the municipality, the
provincial administration, a private owner), with a due time and a status both sides follow.

The police make an order (by hand, from a citizen's report through ``citizen.workorders``,
or from a maintenance incident), verify the fix, reopen it when the fix did not hold or the
partner refused, or cancel it; the partner accepts, refuses with a reason, starts and
finishes. Partners are outsiders (DESIGN.md): a partner account reads only its own
partner's orders, in a narrower shape with no citizen, no incident and no police names;
another partner's order looks missing. Every change is a history row and an audit entry.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Select, and_, case, func, select
from sqlalchemy.orm import Session

from safetyzone.assets.models import Asset, AssetKind, Camera
from safetyzone.audit import service as audit
from safetyzone.core.clock import Clock, as_utc
from safetyzone.core.errors import Conflict, InvalidInput, NotFound, Problem
from safetyzone.core.geo import check_position
from safetyzone.core.security import Permission, Scope
from safetyzone.ops import incidents
from safetyzone.ops.workorder_models import (
    WorkKind,
    WorkOrder,
    WorkOrderLog,
    WorkSource,
    WorkStatus,
)
from safetyzone.ops.workorder_schemas import (
    FromSourceIn,
    PartnerActionIn,
    PartnerLoad,
    PartnerWorkOrderRead,
    PoliceActionIn,
    WorkLogRead,
    WorkOrderBrief,
    WorkOrderIn,
    WorkOrderRead,
)
from safetyzone.org import service as org
from safetyzone.org.models import OrgUnit, Partner, UnitKind

S = WorkStatus
# The partner's to do: these run against the due time.
ACTIVE = frozenset({S.OPEN, S.ACCEPTED, S.IN_PROGRESS})
# Not finished for the station: the active ones, a refusal to decide on, a fix to verify.
UNFINISHED = ACTIVE | {S.REJECTED, S.DONE}
DUE = {WorkKind.STREET_LIGHT: timedelta(days=3), WorkKind.SOS_POINT: timedelta(hours=24),
       WorkKind.CAMERA: timedelta(hours=48), WorkKind.ABANDONED_PLOT: timedelta(days=14),
       WorkKind.OTHER: timedelta(days=7)}
PRIORITY = {WorkKind.SOS_POINT: 2, WorkKind.CAMERA: 3, WorkKind.STREET_LIGHT: 3,
            WorkKind.ABANDONED_PLOT: 4, WorkKind.OTHER: 4}
LONGEST_DUE = timedelta(days=180)
KIND_OF_ASSET = {AssetKind.STREET_LIGHT: WorkKind.STREET_LIGHT,
                 AssetKind.SOS_POINT: WorkKind.SOS_POINT,
                 AssetKind.CAMERA_POINT: WorkKind.CAMERA}
# action: (the states it may start from, the state it leads to)
PARTNER_MOVES = {"accept": ({S.OPEN}, S.ACCEPTED),
                 "reject": ({S.OPEN, S.ACCEPTED}, S.REJECTED),
                 "start": ({S.OPEN, S.ACCEPTED}, S.IN_PROGRESS),
                 "done": (set(ACTIVE), S.DONE)}
POLICE_MOVES = {"verify": ({S.DONE}, S.VERIFIED),
                "reopen": ({S.DONE, S.VERIFIED, S.REJECTED}, S.OPEN),
                "cancel": (set(UNFINISHED), S.CANCELLED)}
NEEDS_NOTE = {"reject", "reopen", "cancel"}
MISSING = "no such work order in your scope"
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def due_default(kind: WorkKind) -> timedelta:
    """How long a partner has, by kind: an SOS pole a day, a lamp three, a plot two weeks."""
    return DUE[kind]


def is_overdue(order: WorkOrder, now: datetime) -> bool:
    return order.status in ACTIVE and as_utc(order.due_at) < now


def _new_code(session: Session) -> str:
    while True:
        code = "WO-" + "".join(secrets.choice(CROCKFORD) for _ in range(8))
        if session.scalar(select(WorkOrder.id).where(WorkOrder.code == code)) is None:
            return code


def _due_at(value: datetime | None, kind: WorkKind, now: datetime) -> datetime:
    if value is None:
        return now + DUE[kind]
    if value.tzinfo is None:
        raise InvalidInput("due_at needs a time zone (e.g. +07:00)",
                           [Problem("no time zone", "due_at")])
    due = as_utc(value)
    if due <= now or due > now + LONGEST_DUE:
        raise InvalidInput("due_at must be in the future and within 180 days",
                           [Problem("out of range", "due_at")])
    return due


def _serves(session: Session, partner: Partner, station_id: uuid.UUID) -> bool:
    """A partner of the station itself, or one above stations (a city, a province)."""
    if partner.org_unit_id == station_id:
        return True
    unit = session.get(OrgUnit, partner.org_unit_id)
    return unit is not None and unit.kind is not UnitKind.STATION


def _partner(session: Session, scope: Scope, code: str, station_id: uuid.UUID,
             field: str = "partner_code") -> Partner:
    try:
        partner = org.get_partner_by_code(session, scope=scope, code=code)
    except NotFound:
        partner = None
    if partner is None or not _serves(session, partner, station_id):
        raise InvalidInput(f"no partner '{code}' serves this station",
                           [Problem("unknown partner", field)])
    return partner


@dataclass
class _Target:
    """What an order is about: its kind, place, asset or camera and the partner responsible."""

    kind: WorkKind
    place: str
    lat: float
    lon: float
    owner_id: uuid.UUID | None = None
    asset: Asset | None = None
    camera: Camera | None = None


def _kind(given: WorkKind | None, found: WorkKind | None) -> WorkKind:
    if given is None:
        if found is None:
            raise InvalidInput("say what is to be fixed", [Problem("required", "kind")])
        return found
    if found is not None and given not in {found, WorkKind.OTHER}:
        raise InvalidInput(f"this point is a {found.value}, not a {given.value}",
                           [Problem("does not match the asset", "kind")])
    return given


def _target(session: Session, station_id: uuid.UUID, data: WorkOrderIn) -> _Target:
    if data.asset_code is not None and data.camera_code is not None:
        raise InvalidInput("name an asset or a camera, not both",
                           [Problem("one of the two", "camera_code")])
    if data.camera_code is not None:
        camera = session.scalar(select(Camera).where(Camera.station_id == station_id,
                                                     Camera.code == data.camera_code))
        if camera is None:
            raise InvalidInput(f"no camera '{data.camera_code}' at this station",
                               [Problem("unknown", "camera_code")])
        point = session.get(Asset, camera.point_id)
        named = f"{point.name_th} · {camera.name_th}" if point is not None else camera.name_th
        return _Target(_kind(data.kind, WorkKind.CAMERA), data.place or named,
                       camera.lat, camera.lon, camera.owner_partner_id, camera=camera)
    if data.asset_code is not None:
        asset = session.scalar(select(Asset).where(Asset.station_id == station_id,
                                                   Asset.code == data.asset_code))
        if asset is None:
            raise InvalidInput(f"no point '{data.asset_code}' at this station",
                               [Problem("unknown", "asset_code")])
        return _Target(_kind(data.kind, KIND_OF_ASSET.get(asset.kind, WorkKind.OTHER)),
                       data.place or asset.name_th, asset.lat, asset.lon,
                       asset.owner_partner_id, asset=asset)
    if data.lat is None or data.lon is None:
        raise InvalidInput("say where: an asset, a camera, or lat and lon",
                           [Problem("required without an asset", "lat")])
    check_position(data.lat, data.lon)
    return _Target(_kind(data.kind, None), data.place or "ตำแหน่งบนแผนที่", data.lat, data.lon)


def _responsible(session: Session, scope: Scope, station_id: uuid.UUID, target: _Target,
                 code: str | None) -> Partner:
    """The asset's owner, unless the asset has none; then the partner the police chose."""
    if target.owner_id is not None:
        owner = org.partner_by_id(session, target.owner_id)
        if code is not None and code != owner.code:
            raise InvalidInput(f"this point belongs to {owner.code}: the order goes to its "
                               "owner", [Problem("not the owner", "partner_code")])
        return owner
    if code is None:
        raise InvalidInput("choose the partner responsible (the point has no owner partner)",
                           [Problem("required", "partner_code")])
    return _partner(session, scope, code, station_id)


def _unfinished(session: Session, condition: ColumnElement[bool]) -> WorkOrder | None:
    return session.scalar(select(WorkOrder).where(WorkOrder.status.in_(UNFINISHED),
                                                  condition).limit(1))


def _check_no_twin(session: Session, target: _Target) -> None:
    """One unfinished order per asset or camera: a second click, a second operator."""
    if target.asset is not None:
        twin = _unfinished(session, WorkOrder.asset_id == target.asset.id)
    elif target.camera is not None:
        twin = _unfinished(session, WorkOrder.camera_id == target.camera.id)
    else:
        return
    if twin is not None:
        raise Conflict(f"this point already has work order {twin.code} ({twin.status.value})",
                       [Problem(twin.code, "asset_code")], code="duplicate-workorder")


def _log(session: Session, order: WorkOrder, *, at: datetime, action: str, side: str,
         username: str, before: WorkStatus | None, note: str | None) -> None:
    session.add(WorkOrderLog(order_id=order.id, at=at, action=action,
                             from_status=before.value if before else None,
                             to_status=order.status.value, side=side, username=username,
                             note=note))


def _audit(session: Session, scope: Scope, order: WorkOrder, action: str, now: datetime,
           reason: str | None = None, **detail: object) -> None:
    audit.record(session, actor=scope, at=now, action=f"workorder.{action}",
                 entity="work_order", entity_id=order.id, station_id=order.station_id,
                 reason=reason, detail={"code": order.code, "status": order.status.value,
                                        **detail})


def _make(session: Session, *, scope: Scope, now: datetime, station_id: uuid.UUID,
          partner: Partner, target: _Target, description: str, priority: int | None,
          due_at: datetime | None, source: WorkSource, citizen_item_id: uuid.UUID | None = None,
          incident_id: uuid.UUID | None = None) -> WorkOrder:
    order = WorkOrder(
        code=_new_code(session), station_id=station_id, partner_id=partner.id, kind=target.kind,
        asset_id=target.asset.id if target.asset else None,
        camera_id=target.camera.id if target.camera else None, place=target.place[:200],
        lat=target.lat, lon=target.lon, description=description,
        priority=priority or PRIORITY[target.kind], due_at=_due_at(due_at, target.kind, now),
        status=S.OPEN, source=source, citizen_item_id=citizen_item_id, incident_id=incident_id,
        created_by=scope.username, created_at=now, updated_at=now, version=1)
    session.add(order)
    session.flush()
    _log(session, order, at=now, action="create", side="police", username=scope.username,
         before=None, note=None)
    _audit(session, scope, order, "create", now, partner=partner.code, kind=target.kind.value,
           source=source.value)
    return order


def create(session: Session, *, scope: Scope, clock: Clock, data: WorkOrderIn) -> WorkOrder:
    """An order made by hand; checked whole before anything is written."""
    scope.require(Permission.INCIDENT_ACT)
    station = org.get_station(session, scope=scope, code=data.station_code)
    target = _target(session, station.id, data)
    partner = _responsible(session, scope, station.id, target, data.partner_code)
    _check_no_twin(session, target)
    return _make(session, scope=scope, now=clock.now(), station_id=station.id, partner=partner,
                 target=target, description=data.description, priority=data.priority,
                 due_at=data.due_at, source=WorkSource.MANUAL)


def for_citizen_item(session: Session, item_id: uuid.UUID) -> WorkOrder | None:
    return session.scalar(select(WorkOrder).where(WorkOrder.citizen_item_id == item_id))


def create_for_citizen(session: Session, *, scope: Scope, clock: Clock,
                       station_id: uuid.UUID, item_id: uuid.UUID, kind: WorkKind,
                       place: str, lat: float, lon: float, data: FromSourceIn) -> WorkOrder:
    """The order for a citizen's report (``citizen.workorders`` checks the item first)."""
    scope.require(Permission.INCIDENT_ACT)
    held = for_citizen_item(session, item_id)
    if held is not None:
        raise Conflict(f"this report already has work order {held.code}",
                       [Problem(held.code, "citizen_item_id")], code="duplicate-workorder")
    if data.description is None:
        raise InvalidInput("write what the partner is to fix (the citizen's own words stay "
                           "with the police)", [Problem("required", "description")])
    if data.partner_code is None:
        raise InvalidInput("choose the partner responsible", [Problem("required",
                                                                      "partner_code")])
    partner = _partner(session, scope, data.partner_code, station_id)
    target = _Target(_kind(data.kind, kind), place, lat, lon)
    return _make(session, scope=scope, now=clock.now(), station_id=station_id, partner=partner,
                 target=target, description=data.description, priority=data.priority,
                 due_at=data.due_at, source=WorkSource.CITIZEN, citizen_item_id=item_id)


def from_incident(session: Session, *, scope: Scope, clock: Clock, incident_id: uuid.UUID,
                  data: FromSourceIn) -> WorkOrder:
    """The order for a maintenance incident (a device silent or at fault), to the owner of
    its device's point; the incident's timeline names the order."""
    scope.require(Permission.INCIDENT_ACT)
    incident = incidents.get_incident(session, scope=scope, incident_id=incident_id)
    if incident.kind != "maintenance":
        raise InvalidInput("only a maintenance incident (a device silent or at fault) becomes "
                           "a work order", [Problem(f"a {incident.kind} incident", "incident_id")])
    held = _unfinished(session, WorkOrder.incident_id == incident.id)
    if held is not None:
        raise Conflict(f"this incident already has work order {held.code}",
                       [Problem(held.code, "incident_id")], code="duplicate-workorder")
    asset = (session.get(Asset, incident.source_asset_id)
             if incident.source_asset_id is not None else None)
    if asset is not None:
        target = _Target(_kind(data.kind, KIND_OF_ASSET.get(asset.kind, WorkKind.OTHER)),
                         asset.name_th, asset.lat, asset.lon, asset.owner_partner_id,
                         asset=asset)
        _check_no_twin(session, target)
    elif incident.lat is not None and incident.lon is not None:
        target = _Target(_kind(data.kind, WorkKind.OTHER), incident.title_th[:200],
                         incident.lat, incident.lon)
    else:
        raise InvalidInput("this incident has no place to send a partner to",
                           [Problem("no position", "incident_id")])
    partner = _responsible(session, scope, incident.station_id, target, data.partner_code)
    now = clock.now()
    order = _make(session, scope=scope, now=now, station_id=incident.station_id,
                  partner=partner, target=target,
                  description=data.description or incident.title_th,
                  priority=data.priority, due_at=data.due_at, source=WorkSource.INCIDENT,
                  incident_id=incident.id)
    incidents.add_log(session, incident, at=now, entry="workorder", username=scope.username,
                      text=f"ใบสั่งงาน {order.code} ถึง {partner.name_th}",
                      detail={"workorder": order.code, "partner": partner.code})
    incidents.publish(session, incident, now, "incident.updated")
    return order


def list_orders(session: Session, *, scope: Scope, station_id: uuid.UUID | None = None,
                status: WorkStatus | None = None, unfinished: bool = False,
                partner_id: uuid.UUID | None = None, limit: int = 100,
                offset: int = 0) -> list[WorkOrder]:
    """Orders in scope: the unfinished by due time, then the rest, newest first."""
    scope.require(Permission.OPS_READ)
    query = select(WorkOrder).where(scope.station_filter(WorkOrder.station_id))
    if station_id is not None:
        query = query.where(WorkOrder.station_id == station_id)
    if status is not None:
        query = query.where(WorkOrder.status == status)
    if unfinished:
        query = query.where(WorkOrder.status.in_(UNFINISHED))
    if partner_id is not None:
        query = query.where(WorkOrder.partner_id == partner_id)
    return list(session.scalars(_ordered(query).limit(limit).offset(offset)))


def _ordered(query: Select[WorkOrder]) -> Select[WorkOrder]:
    finished = case((WorkOrder.status.in_(UNFINISHED), 0), else_=1)
    due_first = case((WorkOrder.status.in_(UNFINISHED), WorkOrder.due_at), else_=None)
    return query.order_by(finished, due_first, WorkOrder.updated_at.desc(), WorkOrder.code)


def get_order(session: Session, *, scope: Scope, order_id: uuid.UUID) -> WorkOrder:
    scope.require(Permission.OPS_READ)
    order = session.get(WorkOrder, order_id)
    if order is None or not scope.sees_station(order.station_id):
        raise NotFound(MISSING)
    return order


def _move(order: WorkOrder, moves: dict[str, tuple[set[WorkStatus], WorkStatus]], action: str,
          note: str | None, version: int | None) -> WorkStatus:
    if version is not None and version != order.version:
        raise Conflict(f"this work order changed meanwhile (now version {order.version}, "
                       f"{order.status.value}): read it again", code="stale-version")
    allowed, _ = moves[action]
    if order.status not in allowed:
        raise Conflict(f"work order {order.code} is {order.status.value}: it cannot be "
                       f"'{action}'", code="workorder-state")
    if action in NEEDS_NOTE and (note is None or len(note.strip()) < 3):
        raise InvalidInput(f"say why ('{action}' needs a note of 3 characters or more)",
                           [Problem("required", "note")])
    return order.status


def police_act(session: Session, *, scope: Scope, clock: Clock, order_id: uuid.UUID,
               data: PoliceActionIn) -> WorkOrder:
    """Verify a fix, reopen (the fix did not hold, or the partner refused: optionally to
    another partner with a new due time), or cancel."""
    scope.require(Permission.INCIDENT_ACT)
    order = get_order(session, scope=scope, order_id=order_id)
    if data.action != "reopen" and (data.partner_code or data.due_at):
        raise InvalidInput("a partner and a due time are set only when reopening",
                           [Problem("reopen only", "partner_code" if data.partner_code
                                    else "due_at")])
    before = _move(order, POLICE_MOVES, data.action, data.note, data.version)
    now = clock.now()
    detail: dict[str, object] = {}
    if data.action == "reopen":
        if data.partner_code is not None:
            if order.asset_id is not None or order.camera_id is not None:
                _owner_must_stay(session, order, data.partner_code)
            partner = _partner(session, scope, data.partner_code, order.station_id)
            detail["partner"], order.partner_id = partner.code, partner.id
        order.due_at = _due_at(data.due_at, order.kind, now)
        order.reject_reason = order.done_at = order.closed_at = None
    order.status = POLICE_MOVES[data.action][1]
    if order.status in {S.VERIFIED, S.CANCELLED}:
        order.closed_at = now
    _touch(order, now)
    _log(session, order, at=now, action=data.action, side="police", username=scope.username,
         before=before, note=data.note)
    _audit(session, scope, order, data.action, now, reason=data.note, **detail)
    return order


def _owner_must_stay(session: Session, order: WorkOrder, code: str) -> None:
    owner_id = None
    if order.asset_id is not None:
        asset = session.get(Asset, order.asset_id)
        owner_id = asset.owner_partner_id if asset else None
    elif order.camera_id is not None:
        camera = session.get(Camera, order.camera_id)
        owner_id = camera.owner_partner_id if camera else None
    if owner_id is not None and org.partner_by_id(session, owner_id).code != code:
        raise InvalidInput("this point has an owner partner: the order stays with it",
                           [Problem("not the owner", "partner_code")])


def _touch(order: WorkOrder, now: datetime) -> None:
    order.updated_at = now
    order.version += 1


def _partner_scope(scope: Scope) -> uuid.UUID | None:
    scope.require(Permission.WORKORDER_REPLY)
    return scope.partner_id


def partner_orders(session: Session, *, scope: Scope, limit: int = 200) -> list[WorkOrder]:
    """The caller's own partner's orders: the unfinished by due time, then the rest."""
    partner_id = _partner_scope(scope)
    if partner_id is None:
        return []
    query = select(WorkOrder).where(WorkOrder.partner_id == partner_id)
    return list(session.scalars(_ordered(query).limit(limit)))


def partner_order(session: Session, *, scope: Scope, order_id: uuid.UUID) -> WorkOrder:
    """One of the caller's own partner's orders; anyone else's looks missing."""
    partner_id = _partner_scope(scope)
    order = session.get(WorkOrder, order_id)
    if order is None or partner_id is None or order.partner_id != partner_id:
        raise NotFound(MISSING)
    return order


def partner_act(session: Session, *, scope: Scope, clock: Clock, order_id: uuid.UUID,
                data: PartnerActionIn) -> WorkOrder:
    """Accept, refuse (with the reason), start, or report done (with a note)."""
    order = partner_order(session, scope=scope, order_id=order_id)
    before = _move(order, PARTNER_MOVES, data.action, data.note, data.version)
    now = clock.now()
    order.status = PARTNER_MOVES[data.action][1]
    if order.status is S.REJECTED:
        order.reject_reason = data.note
    if order.status is S.DONE:
        order.done_at = now
    _touch(order, now)
    _log(session, order, at=now, action=data.action, side="partner", username=scope.username,
         before=before, note=data.note)
    _audit(session, scope, order, data.action, now, reason=data.note)
    return order


def _history(session: Session, order: WorkOrder, *, police_names: bool) -> list[WorkLogRead]:
    rows = session.scalars(select(WorkOrderLog).where(WorkOrderLog.order_id == order.id)
                           .order_by(WorkOrderLog.at, WorkOrderLog.id))
    return [WorkLogRead(at=r.at, action=r.action, from_status=r.from_status,
                        to_status=r.to_status, side=r.side,
                        username=r.username if police_names or r.side == "partner" else None,
                        note=r.note) for r in rows]


def _codes(session: Session, order: WorkOrder) -> tuple[str | None, str | None]:
    asset = session.get(Asset, order.asset_id) if order.asset_id else None
    camera = session.get(Camera, order.camera_id) if order.camera_id else None
    return (asset.code if asset else None), (camera.code if camera else None)


def read_model(session: Session, order: WorkOrder, now: datetime) -> WorkOrderRead:
    partner = org.partner_by_id(session, order.partner_id)
    station = org.get_unit(session, unit_id=order.station_id)
    asset_code, camera_code = _codes(session, order)
    return WorkOrderRead(
        id=order.id, code=order.code, station_id=order.station_id, station_code=station.code,
        partner_id=partner.id, partner_code=partner.code, partner_name_th=partner.name_th,
        partner_name_en=partner.name_en, kind=order.kind, asset_id=order.asset_id,
        asset_code=asset_code, camera_id=order.camera_id, camera_code=camera_code,
        place=order.place, lat=order.lat, lon=order.lon, description=order.description,
        priority=order.priority, due_at=order.due_at, status=order.status,
        overdue=is_overdue(order, now), source=order.source,
        citizen_item_id=order.citizen_item_id, incident_id=order.incident_id,
        reject_reason=order.reject_reason, created_by=order.created_by,
        created_at=order.created_at, updated_at=order.updated_at, done_at=order.done_at,
        closed_at=order.closed_at, version=order.version,
        history=_history(session, order, police_names=True))


def partner_model(session: Session, order: WorkOrder, now: datetime) -> PartnerWorkOrderRead:
    station = org.get_unit(session, unit_id=order.station_id)
    asset_code, camera_code = _codes(session, order)
    return PartnerWorkOrderRead(
        id=order.id, code=order.code, station_code=station.code,
        station_name_th=station.name_th, station_name_en=station.name_en, kind=order.kind,
        asset_code=asset_code, camera_code=camera_code, place=order.place, lat=order.lat,
        lon=order.lon, description=order.description, priority=order.priority,
        due_at=order.due_at, status=order.status, overdue=is_overdue(order, now),
        reject_reason=order.reject_reason, created_at=order.created_at,
        updated_at=order.updated_at, version=order.version,
        history=_history(session, order, police_names=False))


def brief_for_citizen(session: Session, item_id: uuid.UUID) -> WorkOrderBrief | None:
    """The order made from a citizen's item, if any: shown on the item in the console."""
    order = for_citizen_item(session, item_id)
    if order is None:
        return None
    return WorkOrderBrief(id=order.id, code=order.code, status=order.status,
                          due_at=order.due_at,
                          partner_code=org.partner_by_id(session, order.partner_id).code)


def loads(session: Session, *, scope: Scope, station_id: uuid.UUID,
          now: datetime) -> list[PartnerLoad]:
    """Unfinished and overdue orders per partner at one station, the most overdue first."""
    scope.require(Permission.OPS_READ)
    overdue = func.sum(case((and_(WorkOrder.status.in_(ACTIVE), WorkOrder.due_at < now), 1),
                            else_=0))
    rows = session.execute(
        select(Partner.code, Partner.name_th, Partner.name_en, func.count(), overdue)
        .join(Partner, Partner.id == WorkOrder.partner_id)
        .where(WorkOrder.station_id == station_id, WorkOrder.status.in_(UNFINISHED),
               scope.station_filter(WorkOrder.station_id))
        .group_by(Partner.code, Partner.name_th, Partner.name_en)).all()
    out = [PartnerLoad(partner_code=code, name_th=th, name_en=en, open=int(n),
                       overdue=int(late or 0)) for code, th, en, n, late in rows]
    return sorted(out, key=lambda p: (-p.overdue, -p.open, p.partner_code))
