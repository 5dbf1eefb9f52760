"""Red box keys: making a new one (which retires the old QR), and the station's box list.

A key is made per box by an admin or commander (``redbox.manage``): a leaked secret lets
anyone fake presence, so the secret is sealed at rest and leaves the server only inside a
printed QR's signature, or once as the otpauth URI that provisions a box's screen.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from safetyzone.assets.models import Asset, AssetKind, AssetStatus
from safetyzone.audit import service as audit
from safetyzone.core.clock import Clock
from safetyzone.core.errors import NotFound
from safetyzone.core.secretbox import SecretBox
from safetyzone.core.security import Permission, Scope
from safetyzone.org import service as org
from safetyzone.patrol import redbox_codes as codes
from safetyzone.patrol.redbox_codes import KeyMode
from safetyzone.patrol.redbox_models import CheckIn, RedBoxKey
from safetyzone.patrol.redbox_schemas import KeyIssued, RedBoxRead


def get_box(session: Session, *, scope: Scope, asset_id: uuid.UUID) -> Asset:
    """A red box the caller may see; anything else looks missing."""
    asset = session.get(Asset, asset_id)
    if asset is None or asset.kind is not AssetKind.RED_BOX \
            or not scope.sees_station(asset.station_id):
        raise NotFound("no such red box in your scope")
    return asset


def rotate_key(session: Session, *, scope: Scope, clock: Clock, box: SecretBox,
               asset_id: uuid.UUID, mode: KeyMode, step_s: int) -> KeyIssued:
    """Give a box a new secret; the old printed QR and screen stop working at once."""
    scope.require(Permission.REDBOX_MANAGE)
    asset = get_box(session, scope=scope, asset_id=asset_id)
    secret = codes.new_secret()
    now = clock.now()
    key = session.get(RedBoxKey, asset.id)
    before = None if key is None else (key.mode, key.version)
    if key is None:
        key = RedBoxKey(asset_id=asset.id, station_id=asset.station_id, version=0)
        session.add(key)
    key.mode, key.secret_sealed = mode.value, box.seal(secret)
    key.version += 1
    key.station_id, key.rotated_at, key.rotated_by = asset.station_id, now, scope.username
    session.flush()
    audit.record(session, actor=scope, at=now, action="redbox.key.rotate", entity="asset",
                 entity_id=asset.id, station_id=asset.station_id,
                 detail={"code": asset.code, "mode": mode.value, "version": key.version,
                         "previous": None if before is None else
                         {"mode": before[0], "version": before[1]}})
    if mode is KeyMode.PRINTED:
        return KeyIssued(mode=mode, version=key.version)
    station = org.get_unit(session, unit_id=asset.station_id).code
    return KeyIssued(mode=mode, version=key.version,
                     otpauth_uri=codes.otpauth_uri(secret, asset.code, station, step_s),
                     payload_prefix=codes.rotating_prefix(asset.code, station))


def list_boxes(session: Session, *, scope: Scope,
               station_id: uuid.UUID | None = None) -> list[RedBoxRead]:
    """The red boxes in scope with their key (mode, version) and last accepted check-in."""
    scope.require(Permission.OPS_READ)
    last = (select(CheckIn.asset_id, func.max(CheckIn.scanned_at).label("at"))
            .where(CheckIn.accepted.is_(True), CheckIn.asset_id.is_not(None))
            .group_by(CheckIn.asset_id).subquery())
    query = (select(Asset, RedBoxKey, last.c.at)
             .outerjoin(RedBoxKey, RedBoxKey.asset_id == Asset.id)
             .outerjoin(last, last.c.asset_id == Asset.id)
             .where(Asset.kind == AssetKind.RED_BOX, scope.station_filter(Asset.station_id)))
    if station_id is not None:
        query = query.where(Asset.station_id == station_id)
    rows = session.execute(query.order_by(Asset.code)).all()
    stations = {sid: org.get_unit(session, unit_id=sid).code
                for sid in {asset.station_id for asset, _, _ in rows}}
    return [RedBoxRead(id=asset.id, code=asset.code, name_th=asset.name_th,
                       name_en=asset.name_en, lat=asset.lat, lon=asset.lon,
                       station_code=stations[asset.station_id], status=asset.status,
                       mode=KeyMode(key.mode) if key else None,
                       key_version=key.version if key else None, last_checkin_at=at)
            for asset, key, at in rows]


@dataclass(frozen=True)
class SheetBox:
    """One box on a printed sheet: its QR text, or why it has none."""

    asset: Asset
    mode: KeyMode | None
    version: int | None
    payload: str | None  # printed mode only


def sheet_boxes(session: Session, *, scope: Scope, clock: Clock, box: SecretBox,
                station_code: str) -> list[SheetBox]:
    """The station's red boxes in service, for its printed QR sheet. Signing reads the
    secrets, so each print is audited."""
    scope.require(Permission.REDBOX_MANAGE)
    station = org.get_station(session, scope=scope, code=station_code)
    rows = session.execute(
        select(Asset, RedBoxKey).outerjoin(RedBoxKey, RedBoxKey.asset_id == Asset.id)
        .where(Asset.kind == AssetKind.RED_BOX, Asset.station_id == station.id,
               Asset.status != AssetStatus.RETIRED)
        .order_by(Asset.code)).all()
    audit.record(session, actor=scope, at=clock.now(), action="redbox.sheet.print",
                 entity="org_unit", entity_id=station.id, station_id=station.id,
                 detail={"boxes": len(rows)})
    out: list[SheetBox] = []
    for asset, key in rows:
        if key is None:
            out.append(SheetBox(asset, None, None, None))
            continue
        mode = KeyMode(key.mode)
        payload = codes.printed_payload(box.open(key.secret_sealed), asset.code, station.code,
                                        key.version) if mode is KeyMode.PRINTED else None
        out.append(SheetBox(asset, mode, key.version, payload))
    return out
