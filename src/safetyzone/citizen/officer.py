"""The station's side: the queue of citizens' items, answers, merges, incidents, closing.

Every call checks the permission and the station scope here (another station's items look
missing: 404), every act is audited, lands on the console feed, and queues what the citizen
should hear (``citizen.notify``) for after the commit.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from safetyzone.audit import service as audit
from safetyzone.citizen import notify, records
from safetyzone.citizen.media import MediaStore
from safetyzone.citizen.models import CitizenFix, CitizenItem, CitizenMessage, Delivery, Direction
from safetyzone.citizen.schemas import CitizenItemDetail, FixRead, MessageRead
from safetyzone.citizen.taxonomy import TERMINAL, Disposition, ItemKind, ItemState, category_term
from safetyzone.core.clock import Clock
from safetyzone.core.errors import Conflict, InvalidInput, NotFound, Problem
from safetyzone.core.secretbox import SecretBox
from safetyzone.core.security import Permission, Scope
from safetyzone.ops import emergencies, incidents
from safetyzone.ops.cameras import CameraIndexCache

MISSING = "no such citizen item in your scope"


def _get(session: Session, scope: Scope, item_id: uuid.UUID) -> CitizenItem:
    item = session.get(CitizenItem, item_id)
    if item is None or not scope.sees_station(item.station_id):
        raise NotFound(MISSING)
    return item


def _act(session: Session, scope: Scope, item_id: uuid.UUID) -> CitizenItem:
    scope.require(Permission.CITIZEN_ACT)
    return _get(session, scope, item_id)


def _open(item: CitizenItem, session: Session) -> None:
    if records.current_state(session, item) in TERMINAL:
        raise Conflict(f"this item is {records.current_state(session, item).value}")


def _audit(session: Session, scope: Scope, item: CitizenItem, action: str,
           **detail: object) -> None:
    audit.record(session, actor=scope, at=item.updated_at, action=f"citizen.{action}",
                 entity="citizen_item", entity_id=item.id, station_id=item.station_id,
                 detail={"code": item.code, **detail})


def list_items(session: Session, *, scope: Scope, station_id: uuid.UUID | None = None,
               kind: ItemKind | None = None, state: ItemState | None = None,
               limit: int = 100, offset: int = 0) -> list[CitizenItem]:
    """Items in scope, newest first (the console's queue sorts emergencies to the top)."""
    scope.require(Permission.CITIZEN_READ)
    query = select(CitizenItem).where(scope.station_filter(CitizenItem.station_id))
    if station_id is not None:
        query = query.where(CitizenItem.station_id == station_id)
    if kind is not None:
        query = query.where(CitizenItem.kind == kind)
    if state is not None:
        query = query.where(CitizenItem.state == state)
    query = query.order_by(CitizenItem.created_at.desc(), CitizenItem.code)
    return list(session.scalars(query.limit(limit).offset(offset)))


def get_item(session: Session, *, scope: Scope, box: SecretBox,
             item_id: uuid.UUID) -> CitizenItemDetail:
    """One item with its trail and messages; a report's or emergency's contact, never a tip's."""
    scope.require(Permission.CITIZEN_READ)
    item = _get(session, scope, item_id)
    fixes = session.scalars(select(CitizenFix).where(CitizenFix.item_id == item.id)
                            .order_by(CitizenFix.at))
    return CitizenItemDetail(
        **records.item_read(session, item).model_dump(),
        fixes=[FixRead(at=f.at, lat=f.lat, lon=f.lon, accuracy_m=f.accuracy_m) for f in fixes],
        messages=[MessageRead(at=m.at, direction=m.direction, author=m.author, text=m.text,
                              ask_info=m.ask_info, delivery=m.delivery)
                  for m in records.messages(session, item)],
        contact=(None if item.kind is ItemKind.TIP
                 else records.open_contact(box, item.contact_sealed)))


def media_file(session: Session, *, scope: Scope, store: MediaStore, item_id: uuid.UUID,
               media_id: uuid.UUID, thumb: bool = False) -> tuple[Path, str]:
    scope.require(Permission.CITIZEN_READ)
    item = _get(session, scope, item_id)
    row = next((m for m in records.media(session, item) if m.id == media_id), None)
    if row is None:
        raise NotFound("no such photo or voice note on this item")
    if thumb and row.thumb_path:
        return store.open(row.thumb_path), "image/jpeg"
    return store.open(row.path), row.content_type


def reply(session: Session, *, scope: Scope, clock: Clock, item_id: uuid.UUID, text: str,
          ask_info: bool = False) -> CitizenMessage:
    """Answer the citizen; ``ask_info`` asks for more (a report or tip waits for it)."""
    item = _act(session, scope, item_id)
    _open(item, session)
    now = clock.now()
    msg = CitizenMessage(item_id=item.id, at=now, direction=Direction.TO_CITIZEN,
                         author=scope.username, text=text, ask_info=ask_info,
                         delivery=Delivery.PENDING if item.line_user_sealed else None)
    session.add(msg)
    before = item.state
    if ask_info and item.kind is not ItemKind.EMERGENCY:
        records.set_state(item, ItemState.INFO_REQUESTED, now)
    elif item.state is ItemState.NEW and item.kind is not ItemKind.EMERGENCY:
        records.set_state(item, ItemState.ACKNOWLEDGED, now)
    else:
        records.touch(item, now)
    session.flush()
    _audit(session, scope, item, "reply", ask_info=ask_info)
    records.publish(session, item, now, "citizen.updated")
    notify.message(session, item, msg)
    if item.state is not before:
        notify.changed(session, item, "info_requested"
                       if item.state is ItemState.INFO_REQUESTED else "status")
    return msg


def acknowledge(session: Session, *, scope: Scope, clock: Clock,
                item_id: uuid.UUID) -> CitizenItem:
    """Take the item; an emergency is acknowledged through its incident."""
    item = _act(session, scope, item_id)
    _open(item, session)
    now = clock.now()
    if item.kind is ItemKind.EMERGENCY and item.incident_id is not None:
        incidents.transition(session, scope=scope, clock=clock, incident_id=item.incident_id,
                             to=incidents.S.ACKNOWLEDGED)
        records.set_state(item, ItemState.ACKNOWLEDGED, now)
    elif item.state is ItemState.NEW:
        records.set_state(item, ItemState.ACKNOWLEDGED, now)
    else:
        raise Conflict(f"already {item.state.value}")
    _audit(session, scope, item, "acknowledge")
    records.publish(session, item, now, "citizen.updated")
    notify.changed(session, item, "status")
    return item


def merge(session: Session, *, scope: Scope, clock: Clock, item_id: uuid.UUID,
          into: uuid.UUID) -> CitizenItem:
    """A duplicate joins the item it repeats; its citizen then follows that one."""
    item = _act(session, scope, item_id)
    target = _get(session, scope, into)
    _open(item, session)
    problems = []
    if item.kind is ItemKind.EMERGENCY:
        problems.append(Problem("an emergency is merged through its incident", "into"))
    if target.id == item.id or target.kind is not item.kind:
        problems.append(Problem("merge into another item of the same kind", "into"))
    if target.station_id != item.station_id:
        problems.append(Problem("both items must belong to one station", "into"))
    if problems:
        raise InvalidInput("these items cannot be merged", problems)
    if records.current_state(session, target) in TERMINAL:
        raise Conflict("the target is closed or merged itself: merge into the open one")
    now = clock.now()
    item.merged_into_id = target.id
    records.set_state(item, ItemState.MERGED, now)
    records.touch(target, now)
    _audit(session, scope, item, "merge", into=target.code)
    records.publish(session, item, now, "citizen.updated")
    records.publish(session, target, now, "citizen.updated")
    notify.changed(session, item, "merged")
    return item


def to_incident(session: Session, *, scope: Scope, clock: Clock, item_id: uuid.UUID,
                priority: int | None = None,
                cameras: CameraIndexCache | None = None) -> CitizenItem:
    """Open an incident for a report or tip; the item is then in progress."""
    item = _act(session, scope, item_id)
    _open(item, session)
    if item.incident_id is not None:
        raise Conflict("this item already has an incident",
                       [Problem(str(item.incident_id), "incident_id")])
    term = category_term(item.kind, item.category)
    item.incident_id = emergencies.open_citizen_incident(
        session, scope=scope, clock=clock, station_id=item.station_id,
        priority=priority or 3, lat=item.lat, lon=item.lon, ticket_code=item.code,
        title_th=f"ประชาชนแจ้ง: {term.th} ({item.code})",
        title_en=f"Citizen report: {term.en} ({item.code})", cameras=cameras)
    now = clock.now()
    records.set_state(item, ItemState.IN_PROGRESS, now)
    _audit(session, scope, item, "incident", incident_id=str(item.incident_id))
    records.publish(session, item, now, "citizen.updated")
    notify.changed(session, item, "incident")
    return item


def close(session: Session, *, scope: Scope, clock: Clock, item_id: uuid.UUID,
          disposition: Disposition, note: str | None = None) -> CitizenItem:
    """Close with a disposition the citizen reads in Thai; joined duplicates hear it too."""
    item = _act(session, scope, item_id)
    if item.kind is ItemKind.EMERGENCY:
        raise Conflict("an emergency closes with its incident: close the incident")
    _open(item, session)
    now = clock.now()
    item.disposition = disposition.value
    records.set_state(item, ItemState.CLOSED, now)
    audit.record(session, actor=scope, at=now, action="citizen.close", entity="citizen_item",
                 entity_id=item.id, station_id=item.station_id, reason=note,
                 detail={"code": item.code, "disposition": disposition.value})
    records.publish(session, item, now, "citizen.updated")
    notify.changed(session, item, "closed")
    for joined in session.scalars(select(CitizenItem).where(
            CitizenItem.merged_into_id == item.id)):
        notify.changed(session, joined, "closed")
    return item

