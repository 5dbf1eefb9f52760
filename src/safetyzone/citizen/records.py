"""What every citizen service shares: ticket codes, key hashes, ownership, consent, sealed
contact, the read model, and publishing a change to the console feed.

Ownership is proven with the key the phone generated for the ticket (or, on LINE, the LINE
user): the stored value is its sha256, compared in constant time; an unknown code and a
wrong key answer the same 404, so a code alone reveals nothing but that a page exists.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import uuid
from datetime import datetime

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from safetyzone.citizen import routing
from safetyzone.citizen.models import CitizenItem, CitizenMedia, CitizenMessage, Direction
from safetyzone.citizen.schemas import (
    CitizenItemRead,
    ConsentIn,
    ContactRead,
    LocationIn,
    MediaRead,
)
from safetyzone.citizen.taxonomy import (
    CONSENT_VERSION,
    PURPOSE_FOR,
    RETENTION,
    Channel,
    ItemKind,
    ItemState,
    LocationSource,
    category_term,
)
from safetyzone.core.errors import Conflict, InvalidInput, NotFound, Problem
from safetyzone.core.secretbox import SecretBox
from safetyzone.ops import emergencies, feed, workorders
from safetyzone.org import auth
from safetyzone.org import service as org

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
NOT_YOURS = "no such ticket, or it is not yours"
_PG_KEY_LOCK = 0x55A_C17


def random_code(length: int) -> str:
    return "".join(secrets.choice(CROCKFORD) for _ in range(length))


def new_code(session: Session, kind: ItemKind) -> str:
    """A fresh ticket code, e.g. ``R-7K3M9QXP`` (40 random bits; clashes are retried)."""
    prefix = {ItemKind.EMERGENCY: "E", ItemKind.REPORT: "R", ItemKind.TIP: "T"}[kind]
    while True:
        code = f"{prefix}-{random_code(8)}"
        if session.scalar(select(CitizenItem.id).where(CitizenItem.code == code)) is None:
            return code


def normalize_code(code: str) -> str:
    return code.strip().upper()


def digest(value: str, purpose: str = "key") -> str:
    return hashlib.sha256(f"{purpose}:{value}".encode()).hexdigest()


def same_digest(stored: str | None, value: str, purpose: str = "key") -> bool:
    return stored is not None and hmac.compare_digest(stored, digest(value, purpose))


def lock_key(session: Session, key_hash: str) -> None:
    """Serialize requests carrying one client key, so two presses cannot both create.

    SQLite has one writer already; PostgreSQL takes a transaction-scoped advisory lock.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:a, :b)"),
                        {"a": _PG_KEY_LOCK, "b": int(key_hash[:7], 16)})


def by_code(session: Session, code: str) -> CitizenItem:
    item = session.scalar(select(CitizenItem).where(CitizenItem.code == normalize_code(code)))
    if item is None:
        raise NotFound(NOT_YOURS)
    return item


def owned(session: Session, *, code: str, caller_key: str | None,
          line_user: str | None = None) -> CitizenItem:
    """The caller's own ticket, by its key or its LINE user; anything else looks missing."""
    item = by_code(session, code)
    if caller_key and same_digest(item.client_key_hash, caller_key):
        return item
    if line_user and same_digest(item.line_user_hash, line_user, "line"):
        return item
    raise NotFound(NOT_YOURS)


WITHDRAWN = "withdrawn_at"  # set in ``consent`` when the citizen deleted their data


def withdrawn(item: CitizenItem) -> bool:
    return WITHDRAWN in (item.consent or {})


def still_consented(item: CitizenItem) -> CitizenItem:
    """Refuse new personal data on a ticket whose citizen withdrew consent (deleted it)."""
    if withdrawn(item):
        raise Conflict("you deleted your data from this ticket, which withdrew your consent: "
                       "it takes nothing more (send a new one if you need to)")
    return item


def check_source(channel: Channel, source: LocationSource | str) -> None:
    """A place "shared in LINE" comes from the LINE channel only (the web app has GPS, a pin
    or a photo's position)."""
    if LocationSource(source) is LocationSource.LINE and channel is not Channel.LINE:
        raise InvalidInput("location_source 'line' is for places shared in the LINE chat",
                           [Problem("not from this channel", "location_source")])


def check_consent(kind: ItemKind, consent: ConsentIn, now: datetime) -> dict[str, object]:
    """The consent row to store; refused unless it names this purpose at the current text."""
    purpose = PURPOSE_FOR[kind]
    problems = []
    if purpose not in consent.purposes:
        problems.append(Problem(f"must include '{purpose}'", "consent.purposes"))
    if consent.version != CONSENT_VERSION:
        problems.append(Problem(f"the consent text is now version {CONSENT_VERSION}: show it "
                                "and ask again", "consent.version"))
    if problems:
        raise InvalidInput("consent is needed before sending", problems)
    return {"purposes": sorted(p.value for p in consent.purposes), "version": consent.version,
            "at": now.isoformat()}


def seal_contact(box: SecretBox, name: str | None, phone: str | None) -> str | None:
    if not name and not phone:
        return None
    return box.seal(json.dumps({"name": name, "phone": phone}, ensure_ascii=False))


def open_contact(box: SecretBox, sealed: str | None) -> ContactRead | None:
    if not sealed:
        return None
    return ContactRead.model_validate(json.loads(box.open(sealed)))


def add_history(item: CitizenItem, state: ItemState, at: datetime) -> None:
    item.history = [*(item.history or []), {"status": state.value, "at": at.isoformat()}]


def set_state(item: CitizenItem, state: ItemState, now: datetime) -> None:
    item.state = state
    add_history(item, state, now)
    touch(item, now)
    if state is ItemState.CLOSED:
        item.closed_at = now


def touch(item: CitizenItem, now: datetime) -> None:
    item.updated_at = now
    item.version += 1


def mirror(state: str) -> ItemState:
    """An incident's state as its citizen reads it (en route reads as dispatched)."""
    return {"new": ItemState.NEW, "acknowledged": ItemState.ACKNOWLEDGED,
            "dispatched": ItemState.DISPATCHED, "en_route": ItemState.DISPATCHED,
            "on_scene": ItemState.ON_SCENE, "cleared": ItemState.CLOSED,
            "closed": ItemState.CLOSED}[state]


def current_state(session: Session, item: CitizenItem) -> ItemState:
    """An emergency's state is its incident's; other items keep their own."""
    if (item.kind is ItemKind.EMERGENCY and item.incident_id is not None
            and item.state is not ItemState.MERGED):
        return mirror(emergencies.view(session, incident_id=item.incident_id).state.value)
    return item.state


def joined_count(session: Session, item: CitizenItem) -> int:
    return int(session.scalar(select(func.count(CitizenItem.id)).where(
        CitizenItem.merged_into_id == item.id)) or 0)


def messages(session: Session, item: CitizenItem) -> list[CitizenMessage]:
    return list(session.scalars(select(CitizenMessage).where(
        CitizenMessage.item_id == item.id).order_by(CitizenMessage.at, CitizenMessage.id)))


def media(session: Session, item: CitizenItem) -> list[CitizenMedia]:
    return list(session.scalars(select(CitizenMedia).where(
        CitizenMedia.item_id == item.id).order_by(CitizenMedia.created_at)))


def waiting(msgs: list[CitizenMessage]) -> int:
    """Citizen messages since the last officer reply."""
    count = 0
    for msg in msgs:
        count = count + 1 if msg.direction is Direction.FROM_CITIZEN else 0
    return count


def item_read(session: Session, item: CitizenItem) -> CitizenItemRead:
    term = category_term(item.kind, item.category)
    station = org.get_unit(session, unit_id=item.station_id)
    assigned = (auth.usernames(session, [item.assigned_to]).get(item.assigned_to)
                if item.assigned_to else None)
    return CitizenItemRead(
        id=item.id, code=item.code, kind=item.kind, channel=item.channel,
        station_id=item.station_id, station_code=station.code, zone_id=item.zone_id,
        category=item.category, category_th=term.th, category_en=term.en,
        description=item.description, lat=item.lat, lon=item.lon, accuracy_m=item.accuracy_m,
        location_source=item.location_source, state=current_state(session, item),
        incident_id=item.incident_id, merged_into_id=item.merged_into_id,
        disposition=item.disposition, press_count=item.press_count,
        joined=joined_count(session, item),
        media=[MediaRead(id=m.id, kind=m.kind, content_type=m.content_type)
               for m in media(session, item)],
        messages_waiting=waiting(messages(session, item)), anonymous=item.anonymous,
        assigned_to=assigned, created_at=item.created_at, updated_at=item.updated_at,
        version=item.version, workorder=(workorders.brief_for_citizen(session, item.id)
                                         if item.kind is ItemKind.REPORT else None))


def new_item(session: Session, *, kind: ItemKind, channel: Channel, key_hash: str,
             location: LocationIn | None, source: LocationSource, category: str,
             description: str, consent: dict[str, object], now: datetime,
             line_user: str | None, box: SecretBox,
             station_id: uuid.UUID | None = None) -> CitizenItem:
    """A new item routed to the station whose zone holds its place (else the nearest)."""
    placement = (routing.place(session, lat=location.lat, lon=location.lon)
                 if location is not None else None)
    if placement is None and station_id is None:
        raise InvalidInput("say where: a location or a station is needed",
                           [Problem("give a location or a station_code", "location")])
    item = CitizenItem(
        code=new_code(session, kind), kind=kind, channel=channel,
        station_id=placement.station_id if placement else station_id,
        zone_id=placement.zone_id if placement else None, category=category,
        description=description, lat=location.lat if location else None,
        lon=location.lon if location else None,
        accuracy_m=location.accuracy_m if location else None,
        location_source=source if location else LocationSource.NONE, state=ItemState.NEW,
        client_key_hash=key_hash,
        line_user_hash=digest(line_user, "line") if line_user else None,
        line_user_sealed=box.seal(line_user) if line_user else None, anonymous=False,
        consent=consent, press_count=1, history=[], created_at=now, updated_at=now,
        retain_until=now + RETENTION[kind], version=1)
    add_history(item, ItemState.NEW, now)
    session.add(item)
    session.flush()
    return item


def publish(session: Session, item: CitizenItem, now: datetime, type: str) -> None:
    """A feed entry for the console queue (station scope), in this transaction."""
    session.flush()
    feed.append(session, station_id=item.station_id, at=now, type=type, entity_id=item.id,
                payload=item_read(session, item).model_dump(mode="json"))


def item_by_id(session: Session, item_id: uuid.UUID) -> CitizenItem | None:
    return session.get(CitizenItem, item_id)
