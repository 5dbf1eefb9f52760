"""Legal consultation, the citizen's side: free slots, booking, cancelling, the citizen's
own page, reminders and retention.

Booking follows the caller-key pattern of citizen tickets: the phone (or the volunteer's
tablet at a post) generates a key; its sha256 proves ownership and makes a retry the same
request. A slot is claimed with one conditional UPDATE (``open`` -> ``booked``) and the
request holds it in a unique column, so two people can never book one slot: the loser of a
race gets 409 and books another.

The citizen hears about their booking through ``citizen.notify`` (after the commit only):
confirmed at once, a reminder from the sweeper before the slot, cancelled if either side
cancels. Each notice is also kept on the request, shown on the citizen's page.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import uuid
from datetime import datetime, timedelta

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from safetyzone.audit import service as audit
from safetyzone.citizen import directory, notify
from safetyzone.citizen.models import PostKind
from safetyzone.citizen.schemas import TermRead
from safetyzone.citizen.taxonomy import Term
from safetyzone.core.clock import Clock, as_utc
from safetyzone.core.errors import Conflict, InvalidInput, NotFound, Problem
from safetyzone.core.secretbox import SecretBox
from safetyzone.core.security import Permission, Scope
from safetyzone.org import auth
from safetyzone.org import service as org
from safetyzone.org.models import UnitKind
from safetyzone.services import consult
from safetyzone.services import consult_texts as texts
from safetyzone.services.consult_models import (
    Consultant,
    ConsultChannel,
    ConsultRequest,
    ConsultSlot,
    RequestState,
    SlotState,
)
from safetyzone.services.consult_schemas import (
    BookingIn,
    ConsentRead,
    ConsultRequestRead,
    NoticeRead,
    PublicConsult,
    PublicPost,
    PublicSlot,
    PublicSlots,
)

log = logging.getLogger(__name__)
NOT_YOURS = "no such consultation request (check the code, and use the phone you booked with)"
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
BOOK_LEAD = timedelta(minutes=30)  # a slot closer than this is no longer offered
CANCEL_LEAD = timedelta(0)  # a citizen may cancel until the slot starts
PUBLIC_WINDOW = timedelta(days=60)
_PG_LOCK = 0x636F6E73  # "cons": advisory lock space of consultation keys
BATCH = 500


def digest(value: str) -> str:
    return hashlib.sha256(f"consult:{value}".encode()).hexdigest()


def _new_code(session: Session) -> str:
    while True:
        code = "C-" + "".join(secrets.choice(CROCKFORD) for _ in range(8))
        if session.scalar(select(ConsultRequest.id).where(ConsultRequest.code == code)) is None:
            return code


def _lock_key(session: Session, key_hash: str) -> None:
    """Serialize two requests with one key (a double tap): SQLite has one writer already."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:a, :b)"),
                        {"a": _PG_LOCK, "b": int(key_hash[:7], 16)})


def _station(session: Session, code: str) -> tuple[uuid.UUID, str, str, str]:
    try:
        unit = org.get_unit_by_code(session, code=code)
    except NotFound:
        unit = None
    if unit is None or unit.kind is not UnitKind.STATION:
        raise NotFound(f"no station with code '{code}'")
    return unit.id, unit.code, unit.name_th, unit.name_en


def _terms(terms: tuple[Term, ...]) -> list[TermRead]:
    return [TermRead(key=t.key, th=t.th, en=t.en) for t in terms]


def public_slots(session: Session, *, clock: Clock, station_code: str) -> PublicSlots:
    """The station's free slots ahead (no consultant's name), topics, channels and posts."""
    station_id, code, name_th, name_en = _station(session, station_code)
    now = clock.now()
    rows = session.execute(select(ConsultSlot, Consultant.topics).join(
        Consultant, Consultant.id == ConsultSlot.consultant_id).where(
        ConsultSlot.station_id == station_id, ConsultSlot.state == SlotState.OPEN,
        Consultant.active.is_(True), ConsultSlot.starts_at > now + BOOK_LEAD,
        ConsultSlot.starts_at < now + PUBLIC_WINDOW).order_by(ConsultSlot.starts_at).limit(500))
    posts = directory.station_posts(session, station_id=station_id, kind=PostKind.VOLUNTEER_POST)
    return PublicSlots(
        station_code=code, station_th=name_th, station_en=name_en,
        topics=_terms(texts.TOPICS), channels=_terms(texts.CHANNELS),
        posts=[PublicPost(id=p.id, name_th=p.name_th, name_en=p.name_en) for p in posts],
        consent=ConsentRead(version=texts.CONSENT_VERSION, th=texts.CONSENT.th,
                            en=texts.CONSENT.en),
        slots=[PublicSlot(id=slot.id, starts_at=slot.starts_at, ends_at=slot.ends_at,
                          channels=[ConsultChannel(c) for c in slot.channels],
                          topics=[texts.ConsultTopic(t) for t in topics])
               for slot, topics in rows])


def notice_citizen(session: Session, request: ConsultRequest, what: str, now: datetime,
            starts_at: datetime) -> None:
    """Keep the notice on the request (the citizen's page) and tell the notifier."""
    request.notices = [*(request.notices or []), {"what": what, "at": now.isoformat()}]
    th, en = texts.notice(what, code=request.code, starts_at=starts_at,
                          reason=request.cancel_reason)
    notify.service(session, notify.ServiceNotice(code=request.code, what=what, th=th, en=en))


def _check_post(session: Session, post_id: uuid.UUID | None, station_id: uuid.UUID) -> None:
    post = directory.get_post(session, post_id=post_id) if post_id else None
    if post is None or post.station_id != station_id or post.kind is not PostKind.VOLUNTEER_POST:
        raise InvalidInput("choose one of the station's volunteer posts",
                           [Problem("not a volunteer post of this station", "post_id")])


def book(session: Session, *, clock: Clock, box: SecretBox, data: BookingIn,
         taken_by: Scope | None = None, post_id: uuid.UUID | None = None
         ) -> tuple[ConsultRequest, bool]:
    """Book a free slot (or find the same key's booking: a retry). ``taken_by`` and
    ``post_id`` are for a volunteer taking the request at their post (checked by
    ``services.posts``)."""
    now = clock.now()
    if data.consent.version != texts.CONSENT_VERSION:
        raise InvalidInput("consent is needed before booking", [Problem(
            f"the consent text is now version {texts.CONSENT_VERSION}: show it and ask again",
            "consent.version")])
    key_hash = digest(data.client_key)
    _lock_key(session, key_hash)
    existing = session.scalar(select(ConsultRequest).where(
        ConsultRequest.client_key_hash == key_hash).limit(1))
    if existing is not None:
        if existing.slot_id != data.slot_id:
            raise Conflict("this key already booked another slot: a new booking needs a new "
                           "key", [Problem("already used", "client_key")])
        return existing, False
    slot = session.get(ConsultSlot, data.slot_id)
    if slot is None:
        raise NotFound("no such slot", [Problem("unknown slot", "slot_id")])
    consultant = session.get(Consultant, slot.consultant_id)
    assert consultant is not None
    if slot.state is not SlotState.OPEN or not consultant.active:
        raise Conflict("this slot is taken or no longer offered: choose another",
                       [Problem("not free", "slot_id")])
    if as_utc(slot.starts_at) <= now + BOOK_LEAD:
        raise Conflict("this slot starts too soon to book: choose a later one",
                       [Problem("too soon", "slot_id")])
    problems = []
    if data.channel.value not in slot.channels:
        problems.append(Problem("this slot is not offered on that channel", "channel"))
    if consultant.topics and data.topic.value not in consultant.topics:
        problems.append(Problem("this consultant does not advise on that topic", "topic"))
    if problems:
        raise InvalidInput("the request does not fit the slot", problems)
    where = post_id or data.post_id
    if data.channel is ConsultChannel.POST or post_id is not None:
        _check_post(session, where, slot.station_id)
    elif data.post_id is not None:
        raise InvalidInput("a post is named only for the post channel",
                           [Problem("only with channel 'post'", "post_id")])
    claimed = _count(session.execute(update(ConsultSlot).where(
        ConsultSlot.id == slot.id, ConsultSlot.state == SlotState.OPEN).values(
        state=SlotState.BOOKED).execution_options(synchronize_session=False)))
    if claimed != 1:
        raise Conflict("this slot was just booked by someone else: choose another",
                       [Problem("not free", "slot_id")])
    session.refresh(slot)
    contact = {"name": data.name, "phone": data.phone}
    request = ConsultRequest(
        code=_new_code(session), station_id=slot.station_id, slot_id=slot.id,
        active_slot_id=slot.id, consultant_id=slot.consultant_id, topic=data.topic.value,
        channel=data.channel, post_id=where, taken_by=taken_by.username if taken_by else None,
        client_key_hash=key_hash,
        contact_sealed=box.seal(json.dumps(contact, ensure_ascii=False)),
        question_sealed=box.seal(data.question) if data.question else None,
        consent={"version": data.consent.version, "at": now.isoformat()},
        state=RequestState.BOOKED, notices=[], created_at=now, updated_at=now)
    session.add(request)
    session.flush()
    notice_citizen(session, request, "confirmed", now, slot.starts_at)
    audit.record(session, actor=taken_by, username="citizen", at=now,
                 action="consult.request.create", entity="consult_request",
                 entity_id=request.id, station_id=request.station_id,
                 detail={"code": request.code, "slot_id": str(slot.id),
                         "channel": request.channel.value, "topic": request.topic,
                         "post_id": str(where) if where else None})
    return request, True


def owned(session: Session, *, code: str, caller_key: str | None) -> ConsultRequest:
    """The caller's own request, by its key; anything else looks missing."""
    found = session.scalar(select(ConsultRequest).where(
        ConsultRequest.code == code.strip().upper()))
    if found is None or not caller_key or not hmac.compare_digest(
            found.client_key_hash, digest(caller_key)):
        raise NotFound(NOT_YOURS)
    return found


def _slot(session: Session, request: ConsultRequest) -> ConsultSlot:
    slot = session.get(ConsultSlot, request.slot_id)
    assert slot is not None
    return slot


def _release(session: Session, request: ConsultRequest, state: RequestState, now: datetime,
             reopen: bool) -> ConsultSlot:
    slot = _slot(session, request)
    request.state, request.active_slot_id, request.updated_at = state, None, now
    if slot.state is SlotState.BOOKED:
        slot.state = SlotState.OPEN if reopen and as_utc(slot.starts_at) > now else (
            SlotState.CANCELLED)
        if slot.state is SlotState.CANCELLED:
            slot.cancelled_at = now
    return slot


def cancel_by_citizen(session: Session, *, clock: Clock, code: str,
                      caller_key: str | None) -> ConsultRequest:
    """The citizen cancels before the slot starts; the slot is offered again."""
    request = owned(session, code=code, caller_key=caller_key)
    now = clock.now()
    slot = _slot(session, request)
    if request.state is not RequestState.BOOKED:
        raise Conflict("this request is not booked any more: nothing to cancel")
    if as_utc(slot.starts_at) <= now + CANCEL_LEAD:
        raise Conflict("the consultation has started: call the station instead")
    _release(session, request, RequestState.CANCELLED_BY_CITIZEN, now, reopen=True)
    notice_citizen(session, request, "cancelled", now, slot.starts_at)
    audit.record(session, actor=None, username="citizen", at=now,
                 action="consult.request.cancel", entity="consult_request",
                 entity_id=request.id, station_id=request.station_id,
                 detail={"code": request.code, "by": "citizen"})
    return request


def get_request(session: Session, *, scope: Scope, request_id: uuid.UUID) -> ConsultRequest:
    scope.require(Permission.CONSULT_MANAGE)
    found = session.get(ConsultRequest, request_id)
    if found is None or not scope.sees_station(found.station_id):
        raise NotFound("no such consultation request in your scope")
    return found


def cancel_by_station(session: Session, *, scope: Scope, clock: Clock, request_id: uuid.UUID,
                      reason: str) -> ConsultRequest:
    """The station cancels a booking, telling the citizen why; the slot is offered again."""
    request = get_request(session, scope=scope, request_id=request_id)
    if request.state is not RequestState.BOOKED:
        raise Conflict("this request is not booked any more: nothing to cancel")
    now = clock.now()
    request.cancel_reason = reason
    slot = _release(session, request, RequestState.CANCELLED_BY_STATION, now, reopen=True)
    notice_citizen(session, request, "cancelled_by_station", now, slot.starts_at)
    audit.record(session, actor=scope, at=now, action="consult.request.cancel",
                 entity="consult_request", entity_id=request.id,
                 station_id=request.station_id, reason=reason,
                 detail={"code": request.code, "by": "station"})
    return request


def cancel_slot(session: Session, *, scope: Scope, clock: Clock, slot_id: uuid.UUID,
                reason: str) -> ConsultSlot:
    """Withdraw a slot; a booking in it is cancelled by the station (the citizen told)."""
    scope.require(Permission.CONSULT_MANAGE)
    slot = consult.get_slot(session, scope=scope, slot_id=slot_id)
    if slot.state is SlotState.CANCELLED:
        raise Conflict("this slot was already cancelled")
    now = clock.now()
    request = session.scalar(select(ConsultRequest).where(
        ConsultRequest.active_slot_id == slot.id))
    if request is not None:
        if request.state is not RequestState.BOOKED:
            raise Conflict("this slot's consultation is over: it cannot be cancelled")
        request.cancel_reason = reason
        _release(session, request, RequestState.CANCELLED_BY_STATION, now, reopen=False)
        notice_citizen(session, request, "cancelled_by_station", now, slot.starts_at)
    slot.state, slot.cancelled_at = SlotState.CANCELLED, now
    audit.record(session, actor=scope, at=now, action="consult.slot.cancel",
                 entity="consult_slot", entity_id=slot.id, station_id=slot.station_id,
                 reason=reason, detail={"request": request.code if request else None})
    return slot


def close_request(session: Session, *, scope: Scope, clock: Clock, request_id: uuid.UUID,
                  outcome: RequestState) -> ConsultRequest:
    """After the slot started: the consultation was held, or the citizen did not come."""
    request = get_request(session, scope=scope, request_id=request_id)
    now = clock.now()
    if request.state is not RequestState.BOOKED:
        raise Conflict("this request is already closed or cancelled")
    if as_utc(_slot(session, request).starts_at) > now:
        raise Conflict("the consultation has not started yet")
    request.state, request.updated_at = outcome, now
    audit.record(session, actor=scope, at=now, action="consult.request.close",
                 entity="consult_request", entity_id=request.id,
                 station_id=request.station_id,
                 detail={"code": request.code, "outcome": outcome.value})
    return request


def list_requests(session: Session, *, scope: Scope, station_id: uuid.UUID | None = None,
                  state: RequestState | None = None) -> list[ConsultRequest]:
    scope.require(Permission.CONSULT_MANAGE)
    query = select(ConsultRequest).where(scope.station_filter(ConsultRequest.station_id))
    if station_id is not None:
        query = query.where(ConsultRequest.station_id == station_id)
    if state is not None:
        query = query.where(ConsultRequest.state == state)
    return list(session.scalars(query.order_by(ConsultRequest.created_at.desc()).limit(500)))


def request_read(session: Session, *, box: SecretBox, request: ConsultRequest
                 ) -> ConsultRequestRead:
    slot = _slot(session, request)
    consultant = session.get(Consultant, request.consultant_id)
    assert consultant is not None
    contact = json.loads(box.open(request.contact_sealed)) if request.contact_sealed else {}
    return ConsultRequestRead(
        id=request.id, code=request.code,
        station_code=consult.station_code(session, request.station_id), slot_id=slot.id,
        consultant_id=consultant.id,
        consultant=auth.usernames(session, [consultant.user_id]).get(consultant.user_id, ""),
        starts_at=slot.starts_at, ends_at=slot.ends_at, topic=texts.ConsultTopic(request.topic),
        channel=request.channel, post_id=request.post_id, taken_by=request.taken_by,
        state=request.state, name=contact.get("name"), phone=contact.get("phone"),
        question=box.open(request.question_sealed) if request.question_sealed else None,
        notices=list(request.notices or []), cancel_reason=request.cancel_reason,
        created_at=request.created_at, erased=request.erased_at is not None)


def public_view(session: Session, *, code: str, caller_key: str | None) -> PublicConsult:
    """The citizen's page: their booking, what they were told; never notes or others."""
    request = owned(session, code=code, caller_key=caller_key)
    slot = _slot(session, request)
    unit = org.get_unit(session, unit_id=request.station_id)
    post = directory.get_post(session, post_id=request.post_id) if request.post_id else None
    state = texts.term(texts.STATES, request.state.value)
    notices = []
    for entry in request.notices or []:
        th, en = texts.notice(entry["what"], code=request.code, starts_at=slot.starts_at,
                              reason=request.cancel_reason)
        notices.append(NoticeRead(what=entry["what"], at=datetime.fromisoformat(entry["at"]),
                                  th=th, en=en))
    topic, channel = (texts.term(texts.TOPICS, request.topic),
                      texts.term(texts.CHANNELS, request.channel.value))
    return PublicConsult(
        code=request.code, state=request.state, state_th=state.th, state_en=state.en,
        topic=TermRead(key=topic.key, th=topic.th, en=topic.en),
        channel=TermRead(key=channel.key, th=channel.th, en=channel.en),
        starts_at=slot.starts_at, ends_at=slot.ends_at, station_th=unit.name_th,
        station_en=unit.name_en, station_phone=directory.station_phone(
            session, station_id=unit.id),
        post=PublicPost(id=post.id, name_th=post.name_th, name_en=post.name_en)
        if post else None,
        video_url=slot.video_url if (request.channel is ConsultChannel.VIDEO
                                     and request.state is RequestState.BOOKED) else None,
        notices=notices, cancel_reason=request.cancel_reason)


def _count(result: object) -> int:
    """Rows an UPDATE or DELETE touched (``Result`` types hide ``rowcount`` from mypy)."""
    return int(getattr(result, "rowcount", 0) or 0)
