"""Reading check-ins back (the console's list) and the one photo an officer may add."""

from __future__ import annotations

import uuid
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from safetyzone.assets.models import Asset
from safetyzone.audit import service as audit
from safetyzone.citizen.media import MediaStore, StoredMedia
from safetyzone.core.clock import Clock
from safetyzone.core.errors import Conflict, NotFound, Problem
from safetyzone.core.security import Permission, Scope
from safetyzone.org import service as org
from safetyzone.patrol.redbox import Rules, facts_of
from safetyzone.patrol.redbox_models import CheckIn
from safetyzone.patrol.redbox_schemas import BoxRef, CheckInRow
from safetyzone.patrol.redbox_texts import Reason, message

_CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


def photo_url(checkin_id: uuid.UUID) -> str:
    return f"/api/v1/checkins/{checkin_id}/photo"


def box_ref(box: Asset) -> BoxRef:
    return BoxRef(id=box.id, code=box.code, name_th=box.name_th, name_en=box.name_en)


def list_checkins(session: Session, *, scope: Scope, rules: Rules,
                  station_id: uuid.UUID | None = None, since: datetime | None = None,
                  until: datetime | None = None, unit_id: uuid.UUID | None = None,
                  accepted: bool | None = None, limit: int = 100,
                  offset: int = 0) -> list[CheckInRow]:
    """Attempts in the caller's stations, newest scan first."""
    scope.require(Permission.OPS_READ)
    query = select(CheckIn, Asset).outerjoin(Asset, Asset.id == CheckIn.asset_id).where(
        scope.station_filter(CheckIn.station_id))
    for column, value in ((CheckIn.station_id, station_id), (CheckIn.unit_id, unit_id),
                          (CheckIn.accepted, accepted)):
        if value is not None:
            query = query.where(column == value)
    if since is not None:
        query = query.where(CheckIn.scanned_at >= since)
    if until is not None:
        query = query.where(CheckIn.scanned_at < until)
    rows = session.execute(query.order_by(CheckIn.scanned_at.desc(), CheckIn.id)
                           .limit(limit).offset(offset)).all()
    codes = {sid: org.get_unit(session, unit_id=sid).code
             for sid in {row.station_id for row, _ in rows if row.station_id is not None}}
    out: list[CheckInRow] = []
    for row, box in rows:
        reason = Reason(row.reason) if row.reason else None
        th, en = message(reason, facts_of(row, rules))
        out.append(CheckInRow(
            id=row.id, station_code=codes.get(row.station_id) if row.station_id else None,
            box=box_ref(box) if box is not None else None, unit_id=row.unit_id,
            username=row.username, scanned_at=row.scanned_at, received_at=row.received_at,
            lat=row.lat, lon=row.lon, accuracy_m=row.accuracy_m, distance_m=row.distance_m,
            accepted=row.accepted, reason=reason, message_th=th, message_en=en,
            photo_url=photo_url(row.id) if row.photo_key else None))
    return out


def own_checkin(session: Session, *, scope: Scope, checkin_id: uuid.UUID) -> CheckIn:
    """One of the caller's own check-ins (anyone else's looks missing)."""
    scope.require(Permission.PATROL_DUTY)
    row = session.get(CheckIn, checkin_id)
    if row is None or row.user_id != scope.user_id:
        raise NotFound("no such check-in of yours")
    return row


def attach_photo(session: Session, *, scope: Scope, clock: Clock, store: MediaStore,
                 checkin_id: uuid.UUID, stored: StoredMedia) -> CheckIn:
    """Add a photo, already cleaned and stored (``MediaStore.accept``, outside the write
    transaction: decoding a phone photo must not hold the single writer), to one's own
    check-in.

    One photo per check-in: sending the same picture again (a retry after a dead spot) is
    answered as the first time; a different one is refused (the record does not change).
    """
    row = own_checkin(session, scope=scope, checkin_id=checkin_id)
    if row.photo_key is not None:
        if row.photo_key == stored.path:
            return row
        if not _referenced(session, stored.path):
            store.delete(stored.path)
        raise Conflict("this check-in already has a photo",
                       [Problem("one photo per check-in", "file")], code="photo-exists")
    row.photo_key = stored.path
    audit.record(session, actor=scope, at=clock.now(), action="patrol.checkin.photo",
                 entity="patrol_checkin", entity_id=row.id, station_id=row.station_id,
                 detail={"sha256": stored.sha256, "size": stored.size})
    return row


def _referenced(session: Session, path: str) -> bool:
    return session.scalar(select(CheckIn.id).where(CheckIn.photo_key == path).limit(1)) \
        is not None


def photo_file(session: Session, *, scope: Scope, store: MediaStore,
               checkin_id: uuid.UUID) -> tuple[Path, str]:
    """The stored photo of a check-in in the caller's stations, and its content type."""
    scope.require(Permission.OPS_READ)
    row = session.get(CheckIn, checkin_id)
    if row is None or row.photo_key is None or not (
            (row.station_id is not None and scope.sees_station(row.station_id))
            or scope.is_national):
        raise NotFound("no such check-in photo in your scope")
    return store.open(row.photo_key), _CONTENT_TYPES[row.photo_key.rsplit(".", 1)[-1]]
