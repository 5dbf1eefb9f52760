"""Asset registry: field assets, cameras, stream secrets."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from safetyzone.assets import service as assets
from safetyzone.assets.models import AssetKind, SharingLevel
from safetyzone.assets.schemas import (
    AssetCreate,
    AssetRead,
    AssetUpdate,
    CameraCreate,
    CameraRead,
    CameraUpdate,
    StreamSecretRead,
    StreamSecretRequest,
)
from safetyzone.core.paging import MAX_OFFSET, Page
from safetyzone.org import service as org
from safetyzone.org import zones
from safetyzone.org.models import OwnerClass
from safetyzone.web.deps import ContextDep, ScopeDep

router = APIRouter(prefix="/api/v1", tags=["assets"])
Limit = Annotated[int, Query(ge=1, le=1000)]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]


@router.get("/assets", response_model=Page[AssetRead])
def list_assets(
    ctx: ContextDep, scope: ScopeDep, kind: AssetKind | None = None,
    station_code: str | None = None, zone_code: str | None = None,
    owner_class: OwnerClass | None = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
    limit: Limit = 100, offset: Offset = 0,
) -> Page[AssetRead]:
    with ctx.db.read() as session:
        station_id = (org.get_station(session, scope=scope, code=station_code).id
                      if station_code else None)
        zone_id = (zones.get_zone_by_code(session, scope=scope, code=zone_code).id
                   if zone_code else None)
        rows, total = assets.list_assets(
            session, scope=scope, kind=kind, station_id=station_id, zone_id=zone_id,
            owner_class=owner_class, q=q, limit=limit, offset=offset)
        return Page[AssetRead](items=[assets.asset_read(session, a) for a in rows],
                               total=total, limit=limit, offset=offset)


@router.post("/assets", response_model=AssetRead, status_code=status.HTTP_201_CREATED)
def create_asset(ctx: ContextDep, scope: ScopeDep, body: AssetCreate) -> AssetRead:
    with ctx.db.write() as session:
        asset = assets.create_asset(session, scope=scope, clock=ctx.clock, data=body)
        return assets.asset_read(session, asset)


@router.get("/assets/{asset_id}", response_model=AssetRead)
def read_asset(ctx: ContextDep, scope: ScopeDep, asset_id: uuid.UUID) -> AssetRead:
    with ctx.db.read() as session:
        return assets.asset_read(session, assets.get_asset(session, scope=scope,
                                                           asset_id=asset_id))


@router.patch("/assets/{asset_id}", response_model=AssetRead)
def update_asset(
    ctx: ContextDep, scope: ScopeDep, asset_id: uuid.UUID, body: AssetUpdate
) -> AssetRead:
    with ctx.db.write() as session:
        asset = assets.update_asset(session, scope=scope, clock=ctx.clock, asset_id=asset_id,
                                    data=body)
        return assets.asset_read(session, asset)


@router.delete("/assets/{asset_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_asset(ctx: ContextDep, scope: ScopeDep, asset_id: uuid.UUID) -> Response:
    with ctx.db.write() as session:
        assets.delete_asset(session, scope=scope, clock=ctx.clock, asset_id=asset_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/cameras", response_model=Page[CameraRead])
def list_cameras(
    ctx: ContextDep, scope: ScopeDep, station_code: str | None = None,
    point_id: uuid.UUID | None = None, owner_class: OwnerClass | None = None,
    sharing_level: SharingLevel | None = None, plate_reading: bool | None = None,
    limit: Limit = 100, offset: Offset = 0,
) -> Page[CameraRead]:
    with ctx.db.read() as session:
        station_id = (org.get_station(session, scope=scope, code=station_code).id
                      if station_code else None)
        rows, total = assets.list_cameras(
            session, scope=scope, station_id=station_id, point_id=point_id,
            owner_class=owner_class, sharing_level=sharing_level, plate_reading=plate_reading,
            limit=limit, offset=offset)
        now = ctx.clock.now()
        return Page[CameraRead](items=[assets.camera_read(c, now) for c in rows], total=total,
                                limit=limit, offset=offset)


@router.post("/cameras", response_model=CameraRead, status_code=status.HTTP_201_CREATED)
def create_camera(ctx: ContextDep, scope: ScopeDep, body: CameraCreate) -> CameraRead:
    with ctx.db.write() as session:
        camera = assets.create_camera(session, scope=scope, clock=ctx.clock,
                                      secrets=ctx.secrets, data=body)
        return assets.camera_read(camera, ctx.clock.now())


@router.get("/cameras/{camera_id}", response_model=CameraRead)
def read_camera(ctx: ContextDep, scope: ScopeDep, camera_id: uuid.UUID) -> CameraRead:
    with ctx.db.read() as session:
        camera = assets.get_camera(session, scope=scope, camera_id=camera_id)
        return assets.camera_read(camera, ctx.clock.now())


@router.patch("/cameras/{camera_id}", response_model=CameraRead)
def update_camera(
    ctx: ContextDep, scope: ScopeDep, camera_id: uuid.UUID, body: CameraUpdate
) -> CameraRead:
    with ctx.db.write() as session:
        camera = assets.update_camera(session, scope=scope, clock=ctx.clock,
                                      secrets=ctx.secrets, camera_id=camera_id, data=body)
        return assets.camera_read(camera, ctx.clock.now())


@router.post("/cameras/{camera_id}/stream-secret", response_model=StreamSecretRead)
def read_camera_stream_secret(
    ctx: ContextDep, scope: ScopeDep, camera_id: uuid.UUID, body: StreamSecretRequest
) -> StreamSecretRead:
    """Reveal the stream address and credentials; needs a reason, and is audited.

    A POST, not a GET: the reason travels in the body and the answer is never cached.
    """
    with ctx.db.write() as session:
        return assets.read_stream_secret(session, scope=scope, clock=ctx.clock,
                                         secrets=ctx.secrets, camera_id=camera_id,
                                         reason=body.reason)
