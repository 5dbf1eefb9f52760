"""Hotlists and plate reads: add/remove/list entries, match a read, search with a purpose.

Matching: the read's canonical plate against active entries (not removed, not expired),
exactly first, then every plate one usual OCR confusion away (``ocr_variants``), each fuzzy
hit carrying what was confused ("read ข as ช"). A province on both sides must agree.

Plate text is folded with the plate readers' own rules (``adapters.lpr.plate_event``), a
pure module: a hotlist typed by a person and a read sent by a camera meet in one form.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, or_, select
from sqlalchemy.orm import Session

from safetyzone.adapters.errors import AdapterError
from safetyzone.adapters.lpr.plate_event import plate_key
from safetyzone.adapters.lpr.thai_plate import ocr_variants
from safetyzone.audit import service as audit
from safetyzone.core.clock import Clock
from safetyzone.core.errors import InvalidInput, NotFound, PermissionDenied, Problem
from safetyzone.core.events import EventKind
from safetyzone.core.security import Permission, Role, Scope
from safetyzone.intake.models import InboxEvent
from safetyzone.lpr.models import HotlistEntry, LprRetention, PlateHit
from safetyzone.lpr.schemas import HotlistCreate, PlateReadOut, RetentionRead
from safetyzone.org import service as org

DEFAULT_RETENTION_DAYS = 30
MIN_PURPOSE = 10
SWEEP_BATCH = 5000
PLATE_READ = EventKind.PLATE_READ.value


@dataclass(frozen=True)
class Hit:
    """One entry a read matched, with how it matched."""

    entry_id: uuid.UUID
    station_id: uuid.UUID
    owner_user_id: uuid.UUID
    plate: str  # the entry's canonical plate
    read_plate: str  # what the camera read (canonical)
    reason: str  # why the plate is on the list
    priority: int
    covert: bool
    fuzzy: bool
    match_th: str | None = None  # "อ่าน ข เป็น ช"
    match_en: str | None = None  # "read ข as ช"


def canonical_plate(text: str, province: str | None = None) -> tuple[str, str | None]:
    """Canonical plate and province code; InvalidInput (422) if it is no plate at all."""
    try:
        return plate_key(text, province)
    except AdapterError as err:
        raise InvalidInput(err.detail, [Problem(err.detail, "plate")]) from err


def add_entry(session: Session, *, scope: Scope, clock: Clock,
              data: HotlistCreate) -> HotlistEntry:
    """Put a plate on the caller's station's hotlist; the caller owns the entry."""
    scope.require(Permission.HOTLIST_MANAGE)
    station = org.get_station(session, scope=scope, code=data.station_code)
    plate, province_code = canonical_plate(data.plate, data.province)
    if data.province and province_code is None:
        raise InvalidInput(f"unknown province '{data.province}'",
                           [Problem("not a Thai province name or TH-NN code", "province")])
    now = clock.now()
    if data.expires_at is not None and data.expires_at <= now:
        raise InvalidInput("expires_at is in the past", [Problem("already expired", "expires_at")])
    entry = HotlistEntry(
        station_id=station.id, owner_user_id=scope.user_id, plate=plate,
        plate_text=data.plate.strip(), province_code=province_code, reason=data.reason.strip(),
        priority=data.priority, expires_at=data.expires_at, covert=data.covert,
        created_by=scope.username, created_at=now)
    session.add(entry)
    session.flush()
    audit.record(session, actor=scope, at=now, action="hotlist.add", entity="hotlist_entry",
                 entity_id=entry.id, station_id=station.id, reason=entry.reason,
                 detail={"plate": plate, "province_code": province_code,
                         "priority": entry.priority, "covert": entry.covert,
                         "expires_at": data.expires_at.isoformat() if data.expires_at else None})
    return entry


def _visible(scope: Scope) -> object:
    """Entries in the caller's stations; covert ones only for their owner."""
    return and_(scope.station_filter(HotlistEntry.station_id),
                or_(HotlistEntry.covert.is_(False), HotlistEntry.owner_user_id == scope.user_id))


def get_entry(session: Session, *, scope: Scope, entry_id: uuid.UUID) -> HotlistEntry:
    scope.require(Permission.HOTLIST_MANAGE)
    entry: HotlistEntry | None = session.scalar(select(HotlistEntry).where(
        HotlistEntry.id == entry_id, _visible(scope)))  # type: ignore[arg-type]
    if entry is None:
        raise NotFound("no such hotlist entry in your scope")
    return entry


def remove_entry(session: Session, *, scope: Scope, clock: Clock, entry_id: uuid.UUID,
                 reason: str | None = None) -> HotlistEntry:
    """Take a plate off the list (kept, marked removed): its owner, or a commander/admin."""
    scope.require(Permission.HOTLIST_MANAGE)
    entry = get_entry(session, scope=scope, entry_id=entry_id)
    if entry.owner_user_id != scope.user_id and scope.role not in {Role.ADMIN, Role.COMMANDER}:
        raise PermissionDenied("only the entry's owner or a commander may remove it")
    if entry.removed_at is not None:
        return entry
    now = clock.now()
    entry.removed_at, entry.removed_by = now, scope.username
    audit.record(session, actor=scope, at=now, action="hotlist.remove", entity="hotlist_entry",
                 entity_id=entry.id, station_id=entry.station_id, reason=reason,
                 detail={"plate": entry.plate})
    return entry


def list_entries(session: Session, *, scope: Scope, station_id: uuid.UUID | None = None,
                 include_removed: bool = False, limit: int = 500,
                 offset: int = 0) -> list[HotlistEntry]:
    scope.require(Permission.HOTLIST_MANAGE)
    query = select(HotlistEntry).where(_visible(scope))  # type: ignore[arg-type]
    if station_id is not None:
        query = query.where(HotlistEntry.station_id == station_id)
    if not include_removed:
        query = query.where(HotlistEntry.removed_at.is_(None))
    query = query.order_by(HotlistEntry.priority, HotlistEntry.created_at)
    return list(session.scalars(query.limit(limit).offset(offset)))


def _province_agrees(entry: HotlistEntry, province: str | None) -> bool:
    if entry.province_code is None or province is None or not province.startswith("TH-"):
        return True
    return entry.province_code == province


def match(session: Session, *, plate: str, province: str | None, now: datetime) -> list[Hit]:
    """Active entries this canonical plate hits: exact ones first, then OCR confusions."""
    try:
        variants = ocr_variants(plate)
    except AdapterError:  # not a Thai plate (a foreign car): exact matching only
        variants = []
    candidates = {plate: None, **{v: reason for v, reason in variants}}
    rows = session.scalars(select(HotlistEntry).where(
        HotlistEntry.plate.in_(list(candidates)), HotlistEntry.removed_at.is_(None),
        or_(HotlistEntry.expires_at.is_(None), HotlistEntry.expires_at > now)))
    hits: list[Hit] = []
    for entry in rows:
        if not _province_agrees(entry, province):
            continue
        fuzzy = entry.plate != plate
        match_th = match_en = None
        if fuzzy:
            pairs = [(e, r) for e, r in zip(entry.plate, plate, strict=True) if e != r]
            truth, read = pairs[0] if pairs else ("?", "?")
            match_th, match_en = f"อ่าน {truth} เป็น {read}", f"read {truth} as {read}"
        hits.append(Hit(entry.id, entry.station_id, entry.owner_user_id, entry.plate, plate,
                        entry.reason, entry.priority, entry.covert, fuzzy, match_th, match_en))
    hits.sort(key=lambda h: (h.fuzzy, h.priority))
    return hits


def record_hit(session: Session, *, event_id: uuid.UUID, station_id: uuid.UUID, hit: Hit,
               incident_id: uuid.UUID | None, now: datetime) -> PlateHit:
    row = PlateHit(event_id=event_id, entry_id=hit.entry_id, station_id=station_id,
                   read_plate=hit.read_plate, match="fuzzy" if hit.fuzzy else "exact",
                   match_reason=hit.match_en, incident_id=incident_id, at=now)
    session.add(row)
    return row


def search_reads(session: Session, *, scope: Scope, clock: Clock, plate: str, purpose: str,
                 station_id: uuid.UUID | None = None, limit: int = 100) -> list[PlateReadOut]:
    """Plate reads of one plate in the caller's scope; the search and its purpose are audited."""
    scope.require(Permission.PLATE_SEARCH)
    if len(purpose.strip()) < MIN_PURPOSE:
        raise InvalidInput(f"state the purpose of the search (at least {MIN_PURPOSE} characters)",
                           [Problem("too short", "purpose")])
    canonical, _ = canonical_plate(plate)
    query = select(InboxEvent).where(
        InboxEvent.kind == PLATE_READ, scope.station_filter(InboxEvent.station_id),
        InboxEvent.payload["plate_normalized"].as_string() == canonical)
    if station_id is not None:
        query = query.where(InboxEvent.station_id == station_id)
    rows = list(session.scalars(query.order_by(InboxEvent.received_at.desc()).limit(limit)))
    hit_ids = set(session.scalars(select(PlateHit.event_id).where(
        PlateHit.event_id.in_([r.id for r in rows])))) if rows else set()
    # Filed under the searcher's station, so its commander reviews the searches made there.
    only = next(iter(scope.station_ids)) if scope.station_ids and len(
        scope.station_ids) == 1 else None
    audit.record(session, actor=scope, at=clock.now(), action="plate_read.search",
                 entity="plate_read", entity_id=canonical, station_id=station_id or only,
                 reason=purpose.strip(), detail={"plate": canonical, "results": len(rows)})
    return [PlateReadOut(
        id=r.id, station_id=r.station_id, source_asset_id=r.source_asset_id,
        plate=r.payload.get("plate", ""), plate_normalized=canonical,
        province=r.payload.get("province"), confidence=r.payload.get("confidence"),
        direction=r.payload.get("direction"), image_ref=r.payload.get("image_ref"),
        event_time=r.event_time, received_at=r.received_at, hit=r.id in hit_ids) for r in rows]


def get_retention(session: Session, *, scope: Scope, station_code: str) -> RetentionRead:
    scope.require(Permission.OPS_READ)
    station = org.get_station(session, scope=scope, code=station_code)
    row = session.get(LprRetention, station.id)
    return RetentionRead(station_id=station.id, days=row.days if row else DEFAULT_RETENTION_DAYS,
                         is_default=row is None)


def set_retention(session: Session, *, scope: Scope, clock: Clock, station_code: str,
                  days: int) -> RetentionRead:
    """How long the station keeps plate reads that hit nothing."""
    scope.require(Permission.ZONE_WRITE)
    station = org.get_station(session, scope=scope, code=station_code)
    now = clock.now()
    row = session.get(LprRetention, station.id)
    before = row.days if row else DEFAULT_RETENTION_DAYS
    if row is None:
        row = LprRetention(station_id=station.id, days=days, updated_at=now,
                           updated_by=scope.username)
        session.add(row)
    else:
        row.days, row.updated_at, row.updated_by = days, now, scope.username
    audit.record(session, actor=scope, at=now, action="lpr_retention.set", entity="station",
                 entity_id=station.id, station_id=station.id,
                 detail={"days": days, "before": before})
    return RetentionRead(station_id=station.id, days=days, is_default=False)


def sweep_reads(session: Session, *, now: datetime, batch: int = SWEEP_BATCH) -> list[str | None]:
    """Delete processed plate reads older than their station's retention that hit nothing.

    Returns the deleted reads' ``image_ref`` values, so the caller can remove stored pictures.
    """
    custom: dict[uuid.UUID, int] = {
        station: days
        for station, days in session.execute(select(LprRetention.station_id, LprRetention.days))}
    old = [and_(InboxEvent.station_id == station, InboxEvent.received_at < now - timedelta(days=d))
           for station, d in custom.items()]
    default_cut = InboxEvent.received_at < now - timedelta(days=DEFAULT_RETENTION_DAYS)
    old.append(and_(InboxEvent.station_id.not_in(list(custom)), default_cut)
               if custom else default_cut)
    rows = session.execute(select(InboxEvent.seq, InboxEvent.payload).where(
        InboxEvent.kind == PLATE_READ, InboxEvent.processed_at.is_not(None), or_(*old),
        InboxEvent.id.not_in(select(PlateHit.event_id))).limit(batch)).all()
    if not rows:
        return []
    seqs = [seq for seq, _ in rows]
    for start in range(0, len(seqs), 500):
        session.execute(delete(InboxEvent).where(InboxEvent.seq.in_(seqs[start:start + 500])),
                        execution_options={"synchronize_session": False})
    return [payload.get("image_ref") for _, payload in rows]
