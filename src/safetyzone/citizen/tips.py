"""Tips (ตาสับปะรด): named or anonymous, and who may ever see a tipster's identity.

A named tipster's name and phone are sealed (SecretBox) and opened for one person only: the
investigator the tip is assigned to, each read audited. Nobody else, an admin included.

An anonymous tipster gets a one-time follow-up code (80 random bits, stored hashed). Using
it spends it and hands out the next one, so a code seen over a shoulder is worth one look
at most. Wrong codes answer 404, and the web layer counts them per client address and per
ticket (``citizen.guard``) until they are refused with 429.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from safetyzone.audit import service as audit
from safetyzone.citizen import notify, records
from safetyzone.citizen.models import CitizenItem, CitizenMessage, Direction
from safetyzone.citizen.schemas import PublicMessage, TipFollowup, TipIdentity, TipIn
from safetyzone.citizen.taxonomy import TERMINAL, Channel, ItemKind, ItemState, LocationSource
from safetyzone.core.clock import Clock
from safetyzone.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied, Problem
from safetyzone.core.secretbox import SecretBox
from safetyzone.core.security import Permission, Scope
from safetyzone.org import auth
from safetyzone.org import service as org

WRONG_CODE = "no such tip, or the follow-up code is wrong or already used"


def new_followup_code() -> str:
    raw = records.random_code(16)
    return "-".join(raw[i:i + 4] for i in range(0, 16, 4))


def create_tip(
    session: Session, *, clock: Clock, box: SecretBox, data: TipIn,
    channel: Channel | str = Channel.WEB, line_user: str | None = None,
    station_id: uuid.UUID | None = None,
) -> tuple[CitizenItem, bool, str | None]:
    """Store a tip; the follow-up code (anonymous tips) is returned once, never stored.

    A retry with the same key is the same tip; for an anonymous one it hands out a fresh
    code (the first answer may never have arrived) and the old one stops working.
    """
    now = clock.now()
    channel = Channel(channel)
    consent = records.check_consent(ItemKind.TIP, data.consent, now)
    problems = []
    if data.anonymous and (data.name or data.phone):
        problems.append(Problem("an anonymous tip carries no name or phone", "anonymous"))
    if not data.anonymous and not (data.name or data.phone):
        problems.append(Problem("a named tip needs a name or a phone", "name"))
    if problems:
        raise InvalidInput("the tip's identity does not add up", problems)
    if data.station_code is not None and station_id is None:
        station_id = next((s.id for s in org.public_stations(session)
                           if s.code == data.station_code), None)
        if station_id is None:
            raise NotFound("no such station", [Problem("unknown station", "station_code")])
    key_hash = records.digest(data.client_key)
    records.lock_key(session, key_hash)
    existing = session.scalar(select(CitizenItem).where(
        CitizenItem.kind == ItemKind.TIP, CitizenItem.channel == channel,
        CitizenItem.client_key_hash == key_hash).limit(1))
    if existing is not None:
        code = None
        if existing.anonymous:
            code = new_followup_code()
            existing.followup_hash = records.digest(code, "followup")
        return existing, False, code
    item = records.new_item(
        session, kind=ItemKind.TIP, channel=channel, key_hash=key_hash, location=data.location,
        source=LocationSource.PIN, category=data.category.value, description=data.text,
        consent=consent, now=now, line_user=None if data.anonymous else line_user, box=box,
        station_id=station_id)
    item.anonymous = data.anonymous
    code = None
    if data.anonymous:
        code = new_followup_code()
        item.followup_hash = records.digest(code, "followup")
    else:
        item.contact_sealed = records.seal_contact(box, data.name, data.phone)
    records.publish(session, item, now, "citizen.created")
    return item, True, code


def tip_followup(session: Session, *, clock: Clock, code: str, followup_code: str,
                 text: str | None = None) -> TipFollowup:
    """Spend a follow-up code: the tip's status and answers, and the next code."""
    item = session.scalar(select(CitizenItem).where(
        CitizenItem.code == records.normalize_code(code), CitizenItem.kind == ItemKind.TIP))
    if item is None or not records.same_digest(item.followup_hash, followup_code.upper(),
                                               "followup"):
        raise NotFound(WRONG_CODE)
    now = clock.now()
    following = new_followup_code()
    item.followup_hash = records.digest(following, "followup")
    if text:
        if item.state in TERMINAL:
            raise Conflict("this tip is closed: send a new tip instead")
        session.add(CitizenMessage(item_id=item.id, at=now, direction=Direction.FROM_CITIZEN,
                                   author="citizen", text=text, ask_info=False))
        if item.state is ItemState.INFO_REQUESTED:
            records.set_state(item, ItemState.ACKNOWLEDGED, now)
        else:
            records.touch(item, now)
        records.publish(session, item, now, "citizen.updated")
    session.flush()
    return TipFollowup(
        status=item.state, next_followup_code=following,
        messages=[PublicMessage(at=m.at, text=m.text, ask_info=m.ask_info,
                                direction=m.direction) for m in records.messages(session, item)])


def _tip_in_scope(session: Session, scope: Scope, item_id: uuid.UUID) -> CitizenItem:
    item = session.get(CitizenItem, item_id)
    if item is None or item.kind is not ItemKind.TIP or not scope.sees_station(item.station_id):
        raise NotFound("no such tip in your scope")
    return item


def assign_tip(session: Session, *, scope: Scope, clock: Clock, item_id: uuid.UUID,
               username: str) -> CitizenItem:
    """Give a tip to an investigator of its station: the one person who may see who sent it."""
    scope.require(Permission.CITIZEN_ACT)
    item = _tip_in_scope(session, scope, item_id)
    try:
        user = auth.find_user(session, username=username)
    except NotFound as err:
        raise InvalidInput("no such investigator", [Problem("unknown user", "username")]) from err
    assignee = auth.scope_for(session, user)
    if not (user.is_active and assignee.can(Permission.TIP_IDENTITY_READ)
            and assignee.sees_station(item.station_id)):
        raise InvalidInput("tips go to an active investigator of the tip's station",
                           [Problem(f"'{username}' is not one", "username")])
    now = clock.now()
    before = item.assigned_to
    item.assigned_to = user.id
    records.touch(item, now)
    if item.state is ItemState.NEW:
        records.set_state(item, ItemState.ACKNOWLEDGED, now)
        notify.changed(session, item, "status")
    audit.record(session, actor=scope, at=now, action="citizen.assign", entity="citizen_item",
                 entity_id=item.id, station_id=item.station_id,
                 detail={"to": username, "from": str(before) if before else None})
    records.publish(session, item, now, "citizen.updated")
    return item


def tip_identity(session: Session, *, scope: Scope, clock: Clock, box: SecretBox,
                 item_id: uuid.UUID) -> TipIdentity:
    """Who sent the tip: the assigned investigator only, and every read is audited."""
    scope.require(Permission.TIP_IDENTITY_READ)
    item = _tip_in_scope(session, scope, item_id)
    if item.assigned_to != scope.user_id:
        raise PermissionDenied("only the investigator assigned to this tip sees who sent it")
    contact = records.open_contact(box, item.contact_sealed)
    audit.record(session, actor=scope, at=clock.now(), action="tip.identity.read",
                 entity="citizen_item", entity_id=item.id, station_id=item.station_id,
                 detail={"code": item.code, "anonymous": item.anonymous})
    return TipIdentity(code=item.code, anonymous=item.anonymous,
                       name=contact.name if contact else None,
                       phone=contact.phone if contact else None)
