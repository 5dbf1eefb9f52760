"""Asset registry logic: scope-checked create/read/update, bindings and stream secrets."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import Select, delete, func, select
from sqlalchemy.orm import Session

from safetyzone.assets import url_rules
from safetyzone.assets.models import (
    Asset,
    AssetKind,
    Camera,
    CameraBinding,
    SharingLevel,
)
from safetyzone.assets.schemas import (
    AssetCreate,
    AssetRead,
    AssetUpdate,
    CameraCreate,
    CameraRead,
    CameraUpdate,
    StreamSecretRead,
)
from safetyzone.audit import service as audit
from safetyzone.core.clock import Clock
from safetyzone.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied, Problem
from safetyzone.core.geo import check_position, contains
from safetyzone.core.secretbox import SecretBox
from safetyzone.core.security import Permission, Role, Scope
from safetyzone.org import service as org
from safetyzone.org import zones
from safetyzone.org.models import OwnerClass


def _owner_id(session: Session, scope: Scope, partner_code: str | None) -> uuid.UUID | None:
    if partner_code is None:
        if scope.role is Role.PARTNER:
            return scope.partner_id
        return None
    partner = org.get_partner_by_code(session, scope=scope, code=partner_code)
    return partner.id


def _require_own(scope: Scope, owner_partner_id: uuid.UUID | None) -> None:
    if scope.role is Role.PARTNER and (scope.partner_id is None
                                       or owner_partner_id != scope.partner_id):
        raise PermissionDenied("partners may only manage their own assets")


SelectT = TypeVar("SelectT", bound="Select[*tuple[Any, ...]]")


def _scoped(query: SelectT, scope: Scope, station_col: Any, owner_col: Any) -> SelectT:
    query = query.where(scope.station_filter(station_col))
    owner = scope.owner_filter(owner_col)
    return query if owner is None else query.where(owner)


def _bindings(session: Session, station_id: uuid.UUID, codes: list[str]) -> list[uuid.UUID]:
    ids: list[uuid.UUID] = []
    problems: list[Problem] = []
    for i, code in enumerate(codes):
        if code in codes[:i]:
            problems.append(Problem(f"camera '{code}' is listed twice",
                                    f"bound_camera_codes[{i}]"))
            continue
        cam_id = session.scalar(
            select(Camera.id).where(Camera.station_id == station_id, Camera.code == code)
        )
        if cam_id is None:
            problems.append(Problem(f"no camera '{code}' at this station",
                                    f"bound_camera_codes[{i}]"))
        else:
            ids.append(cam_id)
    if problems:
        raise InvalidInput("unknown bound cameras", problems)
    return ids


def _set_bindings(session: Session, asset: Asset, camera_ids: list[uuid.UUID]) -> None:
    session.execute(delete(CameraBinding).where(CameraBinding.asset_id == asset.id))
    for position, cam_id in enumerate(camera_ids):
        session.add(CameraBinding(asset_id=asset.id, camera_id=cam_id, position=position))


def bound_camera_ids(session: Session, asset_id: uuid.UUID) -> list[uuid.UUID]:
    return list(session.scalars(
        select(CameraBinding.camera_id).where(CameraBinding.asset_id == asset_id)
        .order_by(CameraBinding.position)
    ))


def asset_read(session: Session, asset: Asset) -> AssetRead:
    out = AssetRead.model_validate(asset)
    out.bound_camera_ids = bound_camera_ids(session, asset.id)
    return out


def create_asset(session: Session, *, scope: Scope, clock: Clock, data: AssetCreate) -> Asset:
    scope.require(Permission.ASSET_WRITE)
    station = org.get_station(session, scope=scope, code=data.station_code)
    check_position(data.lat, data.lon)
    zone_id = None
    if data.zone_code:
        zone = zones.get_zone_by_code(session, scope=scope, code=data.zone_code)
        if zone.station_id != station.id:
            raise InvalidInput(f"zone '{data.zone_code}' belongs to another station",
                               [Problem("zone of another station", "zone_code")])
        if not contains(zone.boundary, data.lat, data.lon, tolerance_m=200):
            raise InvalidInput(f"({data.lat}, {data.lon}) lies outside zone '{data.zone_code}'",
                               [Problem("position outside the zone", "lat")])
        zone_id = zone.id
    owner_id = _owner_id(session, scope, data.owner_partner_code)
    _require_own(scope, owner_id)
    if session.scalar(select(Asset.id).where(Asset.station_id == station.id,
                                             Asset.code == data.code)):
        raise Conflict(f"asset code '{data.code}' is already used at this station",
                       [Problem("duplicate code", "code")])
    if data.bound_camera_codes and data.kind is not AssetKind.SOS_POINT:
        raise InvalidInput("only SOS points have bound cameras",
                           [Problem("only for kind sos_point", "bound_camera_codes")])
    camera_ids = _bindings(session, station.id, data.bound_camera_codes)
    now = clock.now()
    asset = Asset(
        station_id=station.id, zone_id=zone_id, kind=data.kind, code=data.code,
        name_th=data.name_th, name_en=data.name_en, lat=data.lat, lon=data.lon,
        owner_class=data.owner_class, owner_partner_id=owner_id,
        has_speaker=data.has_speaker or data.kind is AssetKind.LOUDSPEAKER,
        status=data.status, attributes=data.attributes, synthetic=data.synthetic,
        note=data.note, created_at=now, updated_at=now,
    )
    session.add(asset)
    session.flush()
    _set_bindings(session, asset, camera_ids)
    audit.record(session, actor=scope, at=now, action="asset.create", entity="asset",
                 entity_id=asset.id, station_id=station.id, detail={"kind": data.kind.value})
    return asset


def get_asset(session: Session, *, scope: Scope, asset_id: uuid.UUID) -> Asset:
    scope.require(Permission.ASSET_READ)
    asset: Asset | None = session.scalar(_scoped(
        select(Asset).where(Asset.id == asset_id), scope, Asset.station_id,
        Asset.owner_partner_id))
    if asset is None:
        raise NotFound("no such asset in your scope")
    return asset


def list_assets(
    session: Session, *, scope: Scope, kind: AssetKind | None = None,
    station_id: uuid.UUID | None = None, zone_id: uuid.UUID | None = None,
    owner_class: OwnerClass | None = None, q: str | None = None,
    limit: int = 100, offset: int = 0,
) -> tuple[list[Asset], int]:
    scope.require(Permission.ASSET_READ)
    query = _scoped(select(Asset), scope, Asset.station_id, Asset.owner_partner_id)
    for column, value in ((Asset.kind, kind), (Asset.station_id, station_id),
                          (Asset.zone_id, zone_id), (Asset.owner_class, owner_class)):
        if value is not None:
            query = query.where(column == value)
    if q:
        like = f"%{q}%"
        query = query.where(Asset.code.ilike(like) | Asset.name_th.ilike(like)
                            | Asset.name_en.ilike(like))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(Asset.kind, Asset.code).limit(limit).offset(offset))
    return list(rows), total


def update_asset(
    session: Session, *, scope: Scope, clock: Clock, asset_id: uuid.UUID, data: AssetUpdate
) -> Asset:
    scope.require(Permission.ASSET_WRITE)
    asset = get_asset(session, scope=scope, asset_id=asset_id)
    _require_own(scope, asset.owner_partner_id)
    changes = data.model_dump(exclude_unset=True)
    codes = changes.pop("bound_camera_codes", None)
    lat = changes["lat"] if changes.get("lat") is not None else asset.lat
    lon = changes["lon"] if changes.get("lon") is not None else asset.lon
    check_position(lat, lon)
    if asset.zone_id is not None and (lat, lon) != (asset.lat, asset.lon):
        zone = zones.get_zone(session, scope=scope, zone_id=asset.zone_id)
        if not contains(zone.boundary, lat, lon, tolerance_m=200):
            raise InvalidInput(f"({lat}, {lon}) lies outside zone '{zone.code}'",
                               [Problem("position outside the zone", "lat")])
    for key, value in changes.items():
        if value is not None:
            setattr(asset, key, value)
    if codes is not None:
        if asset.kind is not AssetKind.SOS_POINT and codes:
            raise InvalidInput("only SOS points have bound cameras",
                               [Problem("only for kind sos_point", "bound_camera_codes")])
        _set_bindings(session, asset, _bindings(session, asset.station_id, codes))
    asset.updated_at = clock.now()
    audit.record(session, actor=scope, at=asset.updated_at, action="asset.update",
                 entity="asset", entity_id=asset.id, station_id=asset.station_id,
                 detail={"fields": sorted(data.model_dump(exclude_unset=True))})
    return asset


def delete_asset(session: Session, *, scope: Scope, clock: Clock, asset_id: uuid.UUID) -> None:
    scope.require(Permission.ASSET_WRITE)
    asset = get_asset(session, scope=scope, asset_id=asset_id)
    _require_own(scope, asset.owner_partner_id)
    if session.scalar(select(Camera.id).where(Camera.point_id == asset.id).limit(1)):
        raise Conflict("this camera point still holds cameras: move or delete them first")
    audit.record(session, actor=scope, at=clock.now(), action="asset.delete", entity="asset",
                 entity_id=asset.id, station_id=asset.station_id,
                 detail={"code": asset.code, "kind": asset.kind.value})
    session.delete(asset)


def effective_sharing(camera: Camera, now: datetime) -> SharingLevel:
    """The sharing level in force: an agreement past its end date shares nothing live."""
    if camera.sharing_until is not None and camera.sharing_until <= now:
        return SharingLevel.REGISTRY_ONLY
    return camera.sharing_level


def camera_read(camera: Camera, now: datetime) -> CameraRead:
    return CameraRead.model_validate({
        **{c: getattr(camera, c) for c in CameraRead.model_fields
           if c not in {"effective_sharing_level", "has_stream"}},
        "effective_sharing_level": effective_sharing(camera, now),
        "has_stream": camera.stream_url_sealed is not None,
    })


def _seal(box: SecretBox, value: str | None) -> str | None:
    return box.seal(value) if value else None


def create_camera(
    session: Session, *, scope: Scope, clock: Clock, secrets: SecretBox, data: CameraCreate
) -> Camera:
    scope.require(Permission.ASSET_WRITE)
    url_rules.require_url_setter(
        scope, [f for f in url_rules.URL_FIELDS if getattr(data, f) is not None])
    url_rules.check_camera_url(data.stream_url)
    station = org.get_station(session, scope=scope, code=data.station_code)
    point = session.scalar(_scoped(
        select(Asset).where(Asset.station_id == station.id, Asset.code == data.point_code),
        scope, Asset.station_id, Asset.owner_partner_id))
    if point is None or point.kind is not AssetKind.CAMERA_POINT:
        raise InvalidInput(f"no camera point '{data.point_code}' at this station",
                           [Problem("unknown camera point", "point_code")])
    owner_id = (_owner_id(session, scope, data.owner_partner_code)
                if data.owner_partner_code else point.owner_partner_id)
    _require_own(scope, owner_id)
    lat = data.lat if data.lat is not None else point.lat
    lon = data.lon if data.lon is not None else point.lon
    check_position(lat, lon)
    if session.scalar(select(Camera.id).where(Camera.station_id == station.id,
                                              Camera.code == data.code)):
        raise Conflict(f"camera code '{data.code}' is already used at this station",
                       [Problem("duplicate code", "code")])
    now = clock.now()
    camera = Camera(
        station_id=station.id, point_id=point.id, code=data.code, name_th=data.name_th,
        owner_class=data.owner_class or point.owner_class, owner_partner_id=owner_id,
        lat=lat, lon=lon, heading_deg=data.heading_deg, fov_deg=data.fov_deg,
        purposes=[p.value for p in data.purposes], range_m=data.range_m,
        view_note=data.view_note,
        plate_reading=data.plate_reading, sharing_level=data.sharing_level,
        sharing_until=data.sharing_until, status=data.status,
        stream_url_sealed=_seal(secrets, data.stream_url),
        stream_username_sealed=_seal(secrets, data.stream_username),
        stream_password_sealed=_seal(secrets, data.stream_password),
        synthetic=data.synthetic, created_at=now, updated_at=now,
    )
    session.add(camera)
    session.flush()
    audit.record(session, actor=scope, at=now, action="camera.create", entity="camera",
                 entity_id=camera.id, station_id=station.id)
    return camera


def get_camera(session: Session, *, scope: Scope, camera_id: uuid.UUID) -> Camera:
    scope.require(Permission.ASSET_READ)
    camera: Camera | None = session.scalar(_scoped(
        select(Camera).where(Camera.id == camera_id), scope, Camera.station_id,
        Camera.owner_partner_id))
    if camera is None:
        raise NotFound("no such camera in your scope")
    return camera


def list_cameras(
    session: Session, *, scope: Scope, station_id: uuid.UUID | None = None,
    point_id: uuid.UUID | None = None, owner_class: OwnerClass | None = None,
    sharing_level: SharingLevel | None = None, plate_reading: bool | None = None,
    limit: int = 100, offset: int = 0,
) -> tuple[list[Camera], int]:
    scope.require(Permission.ASSET_READ)
    query = _scoped(select(Camera), scope, Camera.station_id, Camera.owner_partner_id)
    for column, value in ((Camera.station_id, station_id), (Camera.point_id, point_id),
                          (Camera.owner_class, owner_class),
                          (Camera.sharing_level, sharing_level),
                          (Camera.plate_reading, plate_reading)):
        if value is not None:
            query = query.where(column == value)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(Camera.code).limit(limit).offset(offset))
    return list(rows), total


def update_camera(
    session: Session, *, scope: Scope, clock: Clock, secrets: SecretBox,
    camera_id: uuid.UUID, data: CameraUpdate,
) -> Camera:
    scope.require(Permission.ASSET_WRITE)
    camera = get_camera(session, scope=scope, camera_id=camera_id)
    _require_own(scope, camera.owner_partner_id)
    changes = data.model_dump(exclude_unset=True)
    url_rules.require_url_setter(scope, changes)
    url_rules.check_camera_url(changes.get("stream_url"))
    for key in ("stream_url", "stream_username", "stream_password"):
        if key in changes:
            setattr(camera, f"{key}_sealed", _seal(secrets, changes.pop(key)))
    if changes.get("purposes") is not None:
        changes["purposes"] = [str(p) for p in changes["purposes"]]
    for key, value in changes.items():
        if value is not None or key in {"sharing_until", "heading_deg", "fov_deg", "range_m",
                                        "view_note"}:
            setattr(camera, key, value)
    camera.updated_at = clock.now()
    audit.record(session, actor=scope, at=camera.updated_at, action="camera.update",
                 entity="camera", entity_id=camera.id, station_id=camera.station_id,
                 detail={"fields": sorted(data.model_dump(exclude_unset=True))})
    return camera


def read_stream_secret(
    session: Session, *, scope: Scope, clock: Clock, secrets: SecretBox,
    camera_id: uuid.UUID, reason: str,
) -> StreamSecretRead:
    """Reveal a camera's stream address and credentials; every read is an audit row."""
    scope.require(Permission.STREAM_SECRET_READ)
    camera = get_camera(session, scope=scope, camera_id=camera_id)
    audit.record(session, actor=scope, at=clock.now(), action="camera.stream_secret.read",
                 entity="camera", entity_id=camera.id, station_id=camera.station_id,
                 reason=reason)
    return StreamSecretRead(
        camera_id=camera.id,
        stream_url=secrets.open(camera.stream_url_sealed) if camera.stream_url_sealed else None,
        stream_username=(secrets.open(camera.stream_username_sealed)
                         if camera.stream_username_sealed else None),
        stream_password=(secrets.open(camera.stream_password_sealed)
                         if camera.stream_password_sealed else None),
    )


def counts_by_kind(session: Session, *, scope: Scope, station_id: uuid.UUID) -> dict[str, int]:
    scope.require(Permission.ASSET_READ)
    query = select(Asset.kind, func.count()).where(
        Asset.station_id == station_id).group_by(Asset.kind)
    rows = session.execute(_scoped(query, scope, Asset.station_id, Asset.owner_partner_id))
    out: dict[str, int] = {kind.value: n for kind, n in rows}
    out["camera"] = session.scalar(_scoped(
        select(func.count(Camera.id)).where(Camera.station_id == station_id),
        scope, Camera.station_id, Camera.owner_partner_id)) or 0
    return out



def camera_rows_for_index(session: Session, *, scope: Scope) -> list[dict[str, Any]]:
    """Every camera's position, view and sharing terms, light enough to index 100,000."""
    scope.require(Permission.ASSET_READ)
    query = _scoped(select(
        Camera.id, Camera.station_id, Camera.code, Camera.name_th, Camera.lat, Camera.lon,
        Camera.heading_deg, Camera.fov_deg, Camera.sharing_level, Camera.sharing_until,
        Camera.status, Camera.owner_class), scope, Camera.station_id, Camera.owner_partner_id)
    return [dict(row._mapping) for row in session.execute(query)]


def camera_fingerprint(session: Session) -> tuple[int, datetime | None]:
    """Changes whenever a camera is added, removed or edited: tells an index it is stale."""
    count, latest = session.execute(
        select(func.count(Camera.id), func.max(Camera.updated_at))).one()
    if isinstance(latest, datetime) and latest.tzinfo is None:
        latest = latest.replace(tzinfo=UTC)
    return int(count), latest


def kinds_of(session: Session, asset_ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    """Asset kind by id, for the intake's check of what a device may send (no scope: the
    caller is the device path, which has already authenticated the device)."""
    if not asset_ids:
        return {}
    return {row.id: row.kind.value for row in session.execute(
        select(Asset.id, Asset.kind).where(Asset.id.in_(asset_ids)))}


def record_heading(session: Session, *, camera_id: uuid.UUID, heading_deg: float | None,
                   at: datetime) -> None:
    """Where a camera points after a PTZ move (None: unknown). The caller (video.ptz)
    checked who moved it and audits the move; coverage follows the camera's heading."""
    camera = session.get(Camera, camera_id)
    if camera is None:
        raise NotFound("no such camera")
    camera.heading_deg = None if heading_deg is None else round(heading_deg % 360, 1)
    camera.updated_at = at
