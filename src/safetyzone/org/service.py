"""Organization tree and partners: create, read, and resolve what a scope covers."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from safetyzone.audit import service as audit
from safetyzone.core.clock import Clock
from safetyzone.core.errors import Conflict, InvalidInput, NotFound, Problem
from safetyzone.core.geo import check_position
from safetyzone.core.security import Permission, Scope
from safetyzone.org.models import OrgUnit, Partner, UnitKind
from safetyzone.org.schemas import OrgUnitCreate, PartnerCreate

# The kind each kind's parent must be: the tree is exactly national > region > province > station.
PARENT_KIND: dict[UnitKind, UnitKind | None] = {
    UnitKind.NATIONAL: None,
    UnitKind.REGION: UnitKind.NATIONAL,
    UnitKind.PROVINCE: UnitKind.REGION,
    UnitKind.STATION: UnitKind.PROVINCE,
}


def _children_map(session: Session) -> dict[uuid.UUID | None, list[OrgUnit]]:
    children: dict[uuid.UUID | None, list[OrgUnit]] = {}
    for unit in session.scalars(select(OrgUnit)):
        children.setdefault(unit.parent_id, []).append(unit)
    return children


def station_ids_under(
    session: Session, unit_ids: Iterable[uuid.UUID]
) -> frozenset[uuid.UUID] | None:
    """Stations at or below the given units; ``None`` when one of them is national HQ."""
    units = {u.id: u for u in session.scalars(select(OrgUnit).where(OrgUnit.id.in_(unit_ids)))}
    if any(u.kind is UnitKind.NATIONAL for u in units.values()):
        return None
    children = _children_map(session)
    stations: set[uuid.UUID] = set()
    stack = list(units.values())
    while stack:
        unit = stack.pop()
        if unit.kind is UnitKind.STATION:
            stations.add(unit.id)
        stack.extend(children.get(unit.id, []))
    return frozenset(stations)


def get_unit_by_code(session: Session, *, code: str) -> OrgUnit:
    unit = session.scalar(select(OrgUnit).where(OrgUnit.code == code))
    if unit is None:
        raise NotFound(f"no organization unit with code '{code}'")
    return unit


def get_station(session: Session, *, scope: Scope, code: str) -> OrgUnit:
    """A station the caller may see; others look exactly like missing ones."""
    unit = session.scalar(
        select(OrgUnit).where(OrgUnit.code == code, OrgUnit.kind == UnitKind.STATION)
    )
    if unit is None or not scope.sees_station(unit.id):
        raise NotFound(f"no station with code '{code}' in your scope")
    return unit


def list_units(session: Session, *, scope: Scope) -> list[OrgUnit]:
    """Units in the caller's subtree plus the ancestors that place it in the country."""
    scope.require(Permission.ORG_READ)
    units = list(session.scalars(select(OrgUnit).order_by(OrgUnit.kind, OrgUnit.code)))
    if scope.is_national:
        return units
    by_id = {u.id: u for u in units}
    visible: set[uuid.UUID] = set()
    children = _children_map(session)
    stack = [by_id[i] for i in scope.org_unit_ids if i in by_id]
    while stack:
        unit = stack.pop()
        visible.add(unit.id)
        stack.extend(children.get(unit.id, []))
    for unit_id in scope.org_unit_ids:
        parent = by_id[unit_id].parent_id if unit_id in by_id else None
        while parent is not None:
            visible.add(parent)
            parent = by_id[parent].parent_id
    return [u for u in units if u.id in visible]


def create_unit(session: Session, *, scope: Scope, clock: Clock, data: OrgUnitCreate) -> OrgUnit:
    scope.require(Permission.ORG_WRITE)
    if session.scalar(select(OrgUnit.id).where(OrgUnit.code == data.code)):
        raise Conflict(f"an organization unit with code '{data.code}' already exists",
                       [Problem("duplicate code", "code")])
    parent_kind = PARENT_KIND[data.kind]
    parent: OrgUnit | None = None
    if parent_kind is None:
        if data.parent_code:
            raise InvalidInput("national HQ has no parent",
                               [Problem("must be empty", "parent_code")])
    else:
        if not data.parent_code:
            raise InvalidInput(f"a {data.kind.value} needs a parent {parent_kind.value}",
                               [Problem("required", "parent_code")])
        parent = get_unit_by_code(session, code=data.parent_code)
        if parent.kind is not parent_kind:
            raise InvalidInput(
                f"the parent of a {data.kind.value} must be a {parent_kind.value}, "
                f"not a {parent.kind.value}",
                [Problem("wrong parent kind", "parent_code")],
            )
    if (data.kind is UnitKind.STATION) != (data.station_type is not None):
        raise InvalidInput("station_type is required for stations and only for them",
                           [Problem("station_type", "station_type")])
    if data.lat is not None and data.lon is not None:
        check_position(data.lat, data.lon)
    unit = OrgUnit(
        code=data.code, kind=data.kind, parent_id=parent.id if parent else None,
        name_th=data.name_th, name_en=data.name_en, station_type=data.station_type,
        pilot_phase=data.pilot_phase, lat=data.lat, lon=data.lon, created_at=clock.now(),
    )
    session.add(unit)
    session.flush()
    audit.record(session, actor=scope, at=clock.now(), action="org_unit.create",
                 entity="org_unit", entity_id=unit.id,
                 station_id=unit.id if data.kind is UnitKind.STATION else None)
    return unit


def create_partner(
    session: Session, *, scope: Scope, clock: Clock, data: PartnerCreate
) -> Partner:
    scope.require(Permission.ZONE_WRITE)
    unit = get_unit_by_code(session, code=data.org_unit_code)
    if unit.kind is UnitKind.STATION and not scope.sees_station(unit.id):
        raise NotFound(f"no organization unit with code '{data.org_unit_code}' in your scope")
    if unit.kind is not UnitKind.STATION and not scope.is_national:
        raise InvalidInput("only national users may attach partners above a station",
                           [Problem("not a station in your scope", "org_unit_code")])
    if session.scalar(select(Partner.id).where(Partner.code == data.code)):
        raise Conflict(f"a partner with code '{data.code}' already exists",
                       [Problem("duplicate code", "code")])
    partner = Partner(
        code=data.code, org_unit_id=unit.id, name_th=data.name_th, name_en=data.name_en,
        owner_class=data.owner_class, big6_member=data.big6_member,
        contact_name=data.contact_name, contact_phone=data.contact_phone,
        contact_email=data.contact_email, created_at=clock.now(),
    )
    session.add(partner)
    session.flush()
    audit.record(session, actor=scope, at=clock.now(), action="partner.create",
                 entity="partner", entity_id=partner.id, station_id=unit.id)
    return partner


def _partner_visible(session: Session, scope: Scope, partner: Partner) -> bool:
    if scope.partner_id is not None:
        return partner.id == scope.partner_id
    if scope.is_national:
        return True
    unit = session.get(OrgUnit, partner.org_unit_id)
    # Partners attached above station level (a city, a national bank) serve every station.
    return unit is not None and (unit.kind is not UnitKind.STATION or scope.sees_station(unit.id))


def list_partners(session: Session, *, scope: Scope) -> list[Partner]:
    scope.require(Permission.ORG_READ)
    partners = session.scalars(select(Partner).order_by(Partner.code))
    return [p for p in partners if _partner_visible(session, scope, p)]


def get_partner_by_code(session: Session, *, scope: Scope, code: str) -> Partner:
    partner = session.scalar(select(Partner).where(Partner.code == code))
    if partner is None or not _partner_visible(session, scope, partner):
        raise NotFound(f"no partner with code '{code}' in your scope")
    return partner


def public_stations(session: Session) -> list[OrgUnit]:
    """Every station: what the public may know of one (name, position) is not scoped.

    For routing a citizen's call to a station; callers show only names and positions.
    """
    return list(session.scalars(select(OrgUnit).where(OrgUnit.kind == UnitKind.STATION)
                                .order_by(OrgUnit.code)))


def get_unit(session: Session, *, unit_id: uuid.UUID) -> OrgUnit:
    """A unit by id, unscoped: for domains that already hold a row naming it."""
    unit = session.get(OrgUnit, unit_id)
    if unit is None:
        raise NotFound("no such organization unit")
    return unit


def partner_by_id(session: Session, partner_id: uuid.UUID) -> Partner:
    """A partner by id, unscoped: for credentials that already name their partner."""
    partner = session.get(Partner, partner_id)
    if partner is None:
        raise NotFound("no such partner")
    return partner


def partner_codes(session: Session, partner_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
    rows = session.execute(select(Partner.id, Partner.code).where(
        Partner.id.in_(list(partner_ids))))
    return {partner_id: code for partner_id, code in rows}
