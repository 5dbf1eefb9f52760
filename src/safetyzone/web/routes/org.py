"""Organization tree, zones, partners and users."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from safetyzone.core.paging import MAX_OFFSET, Page
from safetyzone.org import auth, zones
from safetyzone.org import service as org
from safetyzone.org.models import User
from safetyzone.org.schemas import (
    OrgUnitCreate,
    OrgUnitRead,
    PartnerCreate,
    PartnerRead,
    UserCreate,
    UserRead,
    ZoneCreate,
    ZoneRead,
    ZoneUpdate,
)
from safetyzone.web.deps import ContextDep, ScopeDep

router = APIRouter(prefix="/api/v1", tags=["organization"])
Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]


@router.get("/org-units", response_model=list[OrgUnitRead])
def list_org_units(ctx: ContextDep, scope: ScopeDep) -> list[OrgUnitRead]:
    """The organization tree as far as the caller may see it (with its ancestors)."""
    with ctx.db.read() as session:
        return [OrgUnitRead.model_validate(u) for u in org.list_units(session, scope=scope)]


@router.post("/org-units", response_model=OrgUnitRead, status_code=status.HTTP_201_CREATED)
def create_org_unit(ctx: ContextDep, scope: ScopeDep, body: OrgUnitCreate) -> OrgUnitRead:
    with ctx.db.write() as session:
        unit = org.create_unit(session, scope=scope, clock=ctx.clock, data=body)
        return OrgUnitRead.model_validate(unit)


@router.get("/zones", response_model=Page[ZoneRead])
def list_zones(
    ctx: ContextDep, scope: ScopeDep, station_code: str | None = None,
    limit: Limit = 50, offset: Offset = 0,
) -> Page[ZoneRead]:
    with ctx.db.read() as session:
        station_id = (org.get_station(session, scope=scope, code=station_code).id
                      if station_code else None)
        rows, total = zones.list_zones(session, scope=scope, station_id=station_id,
                                       limit=limit, offset=offset)
        return Page[ZoneRead](items=[ZoneRead.model_validate(z) for z in rows], total=total,
                              limit=limit, offset=offset)


@router.post("/zones", response_model=ZoneRead, status_code=status.HTTP_201_CREATED)
def create_zone(ctx: ContextDep, scope: ScopeDep, body: ZoneCreate) -> ZoneRead:
    """Create a zone; disagreeing figures are stored as given and returned in ``warnings``."""
    with ctx.db.write() as session:
        return ZoneRead.model_validate(
            zones.create_zone(session, scope=scope, clock=ctx.clock, data=body))


@router.get("/zones/{zone_id}", response_model=ZoneRead)
def read_zone(ctx: ContextDep, scope: ScopeDep, zone_id: uuid.UUID) -> ZoneRead:
    with ctx.db.read() as session:
        return ZoneRead.model_validate(zones.get_zone(session, scope=scope, zone_id=zone_id))


@router.patch("/zones/{zone_id}", response_model=ZoneRead)
def update_zone(
    ctx: ContextDep, scope: ScopeDep, zone_id: uuid.UUID, body: ZoneUpdate
) -> ZoneRead:
    with ctx.db.write() as session:
        return ZoneRead.model_validate(zones.update_zone(
            session, scope=scope, clock=ctx.clock, zone_id=zone_id, data=body))


@router.get("/partners", response_model=list[PartnerRead])
def list_partners(ctx: ContextDep, scope: ScopeDep) -> list[PartnerRead]:
    with ctx.db.read() as session:
        return [PartnerRead.model_validate(p) for p in org.list_partners(session, scope=scope)]


@router.post("/partners", response_model=PartnerRead, status_code=status.HTTP_201_CREATED)
def create_partner(ctx: ContextDep, scope: ScopeDep, body: PartnerCreate) -> PartnerRead:
    with ctx.db.write() as session:
        return PartnerRead.model_validate(
            org.create_partner(session, scope=scope, clock=ctx.clock, data=body))


def _user_read(user: User) -> UserRead:
    return UserRead(
        id=user.id, username=user.username, display_name=user.display_name, role=user.role,
        is_active=user.is_active, partner_id=user.partner_id,
        org_unit_ids=[s.org_unit_id for s in user.scopes],
    )


@router.get("/users", response_model=list[UserRead])
def list_users(ctx: ContextDep, scope: ScopeDep) -> list[UserRead]:
    with ctx.db.read() as session:
        return [_user_read(u) for u in auth.list_users(session, scope=scope)]


@router.post("/users", response_model=UserRead, status_code=status.HTTP_201_CREATED)
def create_user(ctx: ContextDep, scope: ScopeDep, body: UserCreate) -> UserRead:
    with ctx.db.write() as session:
        return _user_read(auth.create_user(session, scope=scope, clock=ctx.clock, data=body))


@router.post("/users/{user_id}/deactivate", response_model=UserRead)
def deactivate_user(ctx: ContextDep, scope: ScopeDep, user_id: uuid.UUID) -> UserRead:
    """Disable a user and revoke every token it holds."""
    with ctx.db.write() as session:
        return _user_read(auth.deactivate_user(session, scope=scope, clock=ctx.clock,
                                               user_id=user_id))


@router.post("/users/{user_id}/reactivate", response_model=UserRead)
def reactivate_user(ctx: ContextDep, scope: ScopeDep, user_id: uuid.UUID) -> UserRead:
    """Let a deactivated user log in again (tokens from before stay revoked)."""
    with ctx.db.write() as session:
        return _user_read(auth.reactivate_user(session, scope=scope, clock=ctx.clock,
                                               user_id=user_id))
