"""The LINE chat: what a message in the station's Official Account means, and the answer.

* **Consent first.** Someone who has not accepted the consent text gets it (with accept and
  decline buttons) and nothing of theirs is kept; accepting creates the ``line_user`` row,
  the consent record. Unfollowing deletes it and the list of their tickets.
* **A message becomes a report.** Text, a location or a photo opens a report (ticket code and
  link in the answer); what the same user sends within 30 minutes joins it (text and
  places as messages, photos as photos). After an officer writes to the user, their answers
  go to that ticket for a day.
* **The rich menu** (postbacks): ``action=emergency`` asks for the location and opens an
  emergency from it; ``action=report`` offers the categories; ``action=tip`` takes the next
  text as an anonymous tip (the LINE user is not kept with it); ``action=tickets`` lists the
  user's tickets with their status; ``action=station`` gives the station's card;
  ``action=lostdoc`` (and the words "แจ้งเอกสารหาย", "lost document") answers with the
  link to the public app's lost-document form for the channel's station, keeping nothing.
  ``action=poll`` (and the word "แบบสอบถาม", "poll", "survey") answers with the link to the
  station's open People Poll; the link carries a key derived from the LINE user (an HMAC,
  the same on every ask), so one LINE user answers once per wave, from any phone.

Each handler runs inside the webhook's write transaction and returns an :class:`Answer`:
``stored`` says whether it changed anything (the event is then recorded as served), and
``now`` holds answers sent without keeping anything. Answers that matter (a ticket code)
go through the outbox in the same transaction.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from safetyzone.citizen import line_follow, staff_line
from safetyzone.citizen import line_texts as t
from safetyzone.citizen.line_client import Content, LineApiError, PhotoRefused, text_message
from safetyzone.citizen.line_models import (
    ChatMode,
    JobKind,
    LineChannel,
    LineJob,
    LineTicket,
    LineUser,
)
from safetyzone.citizen.line_outbox import Job, Outbox
from safetyzone.citizen.line_port import CitizenPort, Place, StationCard
from safetyzone.core.clock import Clock
from safetyzone.core.errors import Conflict, DatabaseUnavailable, NotFound, SafetyZoneError
from safetyzone.core.secretbox import SecretBox
from safetyzone.org import service as org

log = logging.getLogger(__name__)

DRAFT_WINDOW = timedelta(minutes=30)
PURPOSES = ("emergency", "report", "tip")
ANSWER_WINDOW = timedelta(hours=24)
MY_TICKETS = 10


@dataclass(frozen=True)
class Turn:
    """One event from one LINE user, as the chat sees it."""

    channel_id: uuid.UUID
    station_id: uuid.UUID  # the channel's station (by_location: reports with no place)
    user_id: str
    user_hash: str
    event_id: str
    reply_token: str | None
    at: datetime


@dataclass
class Answer:
    stored: bool = False
    now: list[dict[str, Any]] = field(default_factory=list)


class Chat:
    def __init__(self, *, box: SecretBox, clock: Clock, outbox: Outbox, port: CitizenPort,
                 server_key: str, link_base: str | None) -> None:
        self.box = box
        self.clock = clock
        self.outbox = outbox
        self.port = port
        self.link_base = (link_base or "").rstrip("/")
        self._key = hashlib.sha256(b"safetyzone line keys|" + server_key.encode()).digest()
        self._server_key = server_key
        outbox.photos = self

    # -- events -----------------------------------------------------------------------------

    def follow(self, session: Session, turn: Turn) -> Answer:
        user = self._user(session, turn)
        if user is None:
            return Answer(now=[self._consent()])
        return self._reply(session, turn, user, [text_message(t.both("welcome"))])

    def unfollow(self, session: Session, turn: Turn) -> Answer:
        """The user blocked the account: their LINE contact and ticket list are deleted."""
        staff_line.forget(session, channel_id=turn.channel_id, user_hash=turn.user_hash)
        user = self._user(session, turn)
        if user is None:
            return Answer()
        owner = (LineTicket.channel_id == turn.channel_id) & (
            LineTicket.user_hash == turn.user_hash)
        session.execute(delete(LineTicket).where(owner))
        session.execute(delete(LineJob).where(LineJob.channel_id == turn.channel_id,
                                              LineJob.user_hash == turn.user_hash))
        session.delete(user)
        return Answer(stored=True)

    def text(self, session: Session, turn: Turn, text: str) -> Answer:
        # A commander linking this LINE user to their login for escalations (staff_line):
        # staff, not a citizen, so no consent prompt and nothing of the citizen's chat.
        linked = staff_line.link_from_chat(
            session, text=text, channel_id=turn.channel_id, user_hash=turn.user_hash,
            user_sealed=self.box.seal(turn.user_id), clock=self.clock,
            server_key=self._server_key)
        if linked is not None:
            return Answer(stored=True, now=[text_message(linked)])
        word = "".join(text.split()).casefold()
        if word in t.LOSTDOC_WORDS:
            return Answer(now=[self._lostdoc(session, turn)])
        if word in t.POLL_WORDS:
            return Answer(now=[self._poll(session, turn)])
        user = self._user(session, turn)
        if user is None:
            return Answer(now=[self._consent(t.both("not_kept"))])
        asked = line_follow.parse(text)
        if asked is not None and not self._drafting(user) and user.mode is not ChatMode.TIP:
            return self._follow(session, turn, user, *asked)
        if user.mode is ChatMode.TIP:
            return self._tip(session, turn, user, text)
        if user.mode in (ChatMode.EMERGENCY, ChatMode.STATION) and not self._drafting(user):
            key = "emergency" if user.mode is ChatMode.EMERGENCY else "station"
            return self._reply(session, turn, user, [text_message(
                t.both(key), [_location_button()])])
        return self._content(session, turn, user, text=text)

    def location(self, session: Session, turn: Turn, place: Place, label: str | None) -> Answer:
        user = self._user(session, turn)
        if user is None:
            return Answer(now=[self._consent(t.both("not_kept"))])
        if user.mode is ChatMode.EMERGENCY:
            return self._emergency(session, turn, user, place, label)
        if user.mode is ChatMode.STATION:
            user.mode = None
            card = self.port.station(session, place=place)
            return self._reply(session, turn, user, [self._card(card)])
        return self._content(session, turn, user, place=place, label=label)

    def image(self, session: Session, turn: Turn, message_id: str, external: bool) -> Answer:
        user = self._user(session, turn)
        if user is None:
            return Answer(now=[self._consent(t.both("not_kept"))])
        if external:
            return Answer(now=[text_message(t.both("photo_refused"))])
        self._seen(user, turn)
        self.outbox.add(session, kind=JobKind.FETCH, channel_id=turn.channel_id,
                        user_hash=turn.user_hash, user_id=turn.user_id,
                        reply_token=turn.reply_token,
                        payload={"message_id": message_id, "event_id": turn.event_id})
        return Answer(stored=True)

    def other(self, session: Session, turn: Turn) -> Answer:
        """A sticker, video, file ...: kept nowhere, answered with what can be sent."""
        if self._user(session, turn) is None:
            return Answer(now=[self._consent()])
        return Answer(now=[text_message(t.both("unsupported"))])

    def postback(self, session: Session, turn: Turn, data: str) -> Answer:
        try:
            fields = {k: v[0] for k, v in parse_qs(data, strict_parsing=True,
                                                   max_num_fields=4).items()}
        except ValueError:
            fields = {}
        if fields.get("action") == "lostdoc":
            return Answer(now=[self._lostdoc(session, turn)])
        if fields.get("action") == "poll":
            return Answer(now=[self._poll(session, turn)])
        user = self._user(session, turn)
        if user is None:
            return self._not_consented(session, turn, fields)
        action, category = fields.get("action"), fields.get("category")
        if action == "tickets":
            return Answer(now=[self._tickets(session, turn)])
        if action == "station" and user.mode is not ChatMode.STATION:
            user.mode = ChatMode.STATION
            return self._reply(session, turn, user, [text_message(
                t.both("station"), [_location_button()])])
        if action == "emergency":
            user.mode = ChatMode.EMERGENCY
            return self._reply(session, turn, user, [text_message(
                t.both("emergency"), [_location_button()])])
        if action == "tip":
            user.mode = ChatMode.TIP
            return self._reply(session, turn, user, [text_message(t.both("tip"))])
        if action == "report":
            user.mode, user.category, user.draft_code = ChatMode.REPORT, None, None
            return self._reply(session, turn, user, [text_message(t.both("report"), [
                {"type": "postback", "label": c.th[:20], "data": f"category={c.key}",
                 "displayText": c.th} for c in self.port.categories()])])
        if category in {c.key for c in self.port.categories()}:
            user.category = category
            name = next(c for c in self.port.categories() if c.key == category)
            return self._reply(session, turn, user, [text_message(
                f"{t.th('category_set', category=name.th)}\n\n"
                f"{t.en('category_set', category=name.en)}", [_location_button()])])
        if fields.get("consent") == "accept":
            return self._reply(session, turn, user, [text_message(t.both("welcome"))])
        return Answer(now=[text_message(t.both("unsupported"))])

    # -- photos, after the outbox downloaded them ------------------------------------------

    def photo(self, session: Session, job: Job, content: Content) -> None:
        turn = Turn(channel_id=job.channel_id, station_id=self._station(session, job),
                    user_id=job.user_id, user_hash=job.user_hash,
                    event_id=job.payload.get("event_id", f"job-{job.id}"),
                    reply_token=job.reply_token, at=self.clock.now())
        user = self._user(session, turn)
        if user is None:
            return  # unfollowed meanwhile: keep nothing
        try:
            with session.begin_nested():
                self._content(session, turn, user, photo=content)
        except DatabaseUnavailable:
            raise
        except SafetyZoneError:  # the service refused the picture (not an image, too big)
            self.outbox.reply(session, channel_id=turn.channel_id, user_hash=turn.user_hash,
                              user_id=turn.user_id, reply_token=turn.reply_token,
                              messages=[text_message(t.both("photo_refused"))])

    def photo_settled(self, info: dict[str, Any]) -> None:
        """Like the public upload route: a photo the media store wrote in a transaction that
        did not commit (or kept no row for it) is removed, unless another row shares it."""
        if not info:
            return
        try:
            with self.outbox.db.read() as session:
                gone = self.port.forget_files(session, info=info)
        except Exception:  # never mask the transaction's own error; the file only waits
            log.exception("LINE photo files not cleaned up")
            return
        if gone:
            log.info("LINE photo not kept: %d stored file(s) removed", len(gone))

    def photo_refused(self, job: Job, refusal: PhotoRefused | LineApiError) -> None:
        if isinstance(refusal, PhotoRefused):
            key = "photo_too_large" if refusal.too_large else "photo_refused"
        else:
            key = "photo_failed"
        message = text_message(t.both(key, mb=self.outbox.photo_max_bytes // (1024 * 1024)))
        self.outbox.send_now(job.channel_id, job.reply_token, [message], push_to=job.user_id)

    # -- the report draft -----------------------------------------------------------------

    def _content(self, session: Session, turn: Turn, user: LineUser, *, text: str | None = None,
                 place: Place | None = None, label: str | None = None,
                 photo: Content | None = None) -> Answer:
        """Add to the user's open ticket, or open a report with this message."""
        now = self._seen(user, turn)
        code = user.draft_code if self._drafting(user) else None
        if code is not None:
            try:
                self._add(session, turn, code, text=text, place=place, label=label,
                          photo=photo)
            except (NotFound, Conflict):
                code = None  # closed, merged away or full: a new report instead
            else:
                if user.mode is not ChatMode.EMERGENCY:
                    user.draft_until = max(user.draft_until or now, now + DRAFT_WINDOW)
                return self._reply(session, turn, user, [text_message(
                    t.both("added", code=code))], code)
        opened = self.port.open_report(
            session, clock=self.clock, key=self._key_for("report", turn.event_id),
            station_id=turn.station_id, user_id=turn.user_id,
            category=user.category or "other",
            text=text or _place_text(place, label) or t.both("photo_only"), place=place)
        if photo is not None:
            self._add(session, turn, opened.code, photo=photo)
        self._opened(session, turn, user, opened.code, "report")
        reply = self._ticket_text("report_opened", opened.code)
        buttons = [] if place is not None else [_location_button()]
        return self._reply(session, turn, user, [text_message(reply, buttons)], opened.code)

    def _add(self, session: Session, turn: Turn, code: str, *, text: str | None = None,
             place: Place | None = None, label: str | None = None,
             photo: Content | None = None) -> None:
        if photo is not None:
            self.port.add_photo(session, clock=self.clock, code=code, user_id=turn.user_id,
                                data=photo.data, content_type=photo.content_type)
        if text is not None or place is not None:
            self.port.add_text(session, clock=self.clock, code=code, user_id=turn.user_id,
                               text=text if text is not None else _place_text(place, label))

    def _emergency(self, session: Session, turn: Turn, user: LineUser, place: Place,
                   label: str | None) -> Answer:
        opened = self.port.open_emergency(
            session, clock=self.clock, key=self._key_for("emergency", turn.user_hash),
            user_id=turn.user_id, place=place, text=label)
        self._seen(user, turn)
        if opened.created:
            self._opened(session, turn, user, opened.code, "emergency")
        return self._reply(session, turn, user, [text_message(
            self._ticket_text("emergency_opened", opened.code))], opened.code)

    def _tip(self, session: Session, turn: Turn, user: LineUser, text: str) -> Answer:
        """An anonymous tip: neither its code nor the LINE user is kept with the other."""
        tip = self.port.open_tip(session, clock=self.clock,
                                 key=self._key_for("tip", turn.event_id),
                                 station_id=turn.station_id, category="other", text=text,
                                 place=None)
        user.mode = None
        self._seen(user, turn)
        answer = t.both("tip_opened", code=tip.code, followup=tip.followup_code or "-")
        return self._reply(session, turn, user, [text_message(answer)])

    def _opened(self, session: Session, turn: Turn, user: LineUser, code: str,
                kind: str) -> None:
        session.add(LineTicket(channel_id=turn.channel_id, user_hash=turn.user_hash,
                               code=code, kind=kind, created_at=turn.at))
        user.draft_code = code
        user.draft_until = self.clock.now() + DRAFT_WINDOW
        if user.mode is ChatMode.REPORT:
            user.mode = None

    def _follow(self, session: Session, turn: Turn, user: LineUser, code: str,
                pin: str) -> Answer:
        """A request's code and pin (``citizen.line_follow``): its news come here now."""
        self._seen(user, turn)
        if not line_follow.valid(self._server_key, code, pin) or not line_follow.follow(
                session, channel_id=turn.channel_id, user_hash=turn.user_hash, code=code,
                at=turn.at):
            return self._reply(session, turn, user, [text_message(t.both("follow_refused"))])
        return self._reply(session, turn, user, [text_message(t.both("followed", code=code))])

    # -- helpers --------------------------------------------------------------------------

    def _user(self, session: Session, turn: Turn) -> LineUser | None:
        """The user's consent record, if it names the consent text shown today."""
        user = self._record(session, turn)
        return user if user is not None and user.consent_version == self._version() else None

    def _record(self, session: Session, turn: Turn) -> LineUser | None:
        return session.scalar(select(LineUser).where(LineUser.channel_id == turn.channel_id,
                                                     LineUser.user_hash == turn.user_hash))

    def _version(self) -> str:
        return self.port.consent()[0]

    def _drafting(self, user: LineUser) -> bool:
        """Whether the user has an open ticket that their messages join."""
        return bool(user.draft_code and user.draft_until
                    and user.draft_until > self.clock.now())

    def _seen(self, user: LineUser, turn: Turn) -> datetime:
        now = self.clock.now()
        user.last_seen_at = now
        return now

    def _not_consented(self, session: Session, turn: Turn, fields: dict[str, str]) -> Answer:
        if fields.get("consent") == "accept" and fields.get("v") == self._version():
            now = self.clock.now()
            user = self._record(session, turn)  # consented to an older text: renewed
            if user is None:
                user = LineUser(channel_id=turn.channel_id, user_hash=turn.user_hash,
                                last_seen_at=now)
                session.add(user)
            user.user_sealed = self.box.seal(turn.user_id)
            user.consent_version = self._version()
            user.consent_purposes = list(PURPOSES)
            user.consented_at = now
            session.flush()
            return self._reply(session, turn, user, [text_message(t.both("welcome"))])
        if fields.get("consent") == "decline":
            return Answer(now=[text_message(t.both("declined"))])
        if fields.get("action") == "emergency":
            return Answer(now=[text_message(t.both("emergency")), self._consent()])
        return Answer(now=[self._consent()])

    def _consent(self, before: str | None = None) -> dict[str, Any]:
        head = f"{before}\n\n" if before else ""
        version, words_th, words_en = self.port.consent()
        return text_message(
            f"{head}{words_th}\n{t.CONSENT_LINE[0]}\n\n{words_en}\n{t.CONSENT_LINE[1]}\n\n"
            f"{t.both('consent_ask')}", [
                {"type": "postback", "label": f"{t.th('consent_accept')} / "
                 f"{t.en('consent_accept')}", "data": f"consent=accept&v={version}",
                 "displayText": t.th("consent_accept")},
                {"type": "postback", "label": f"{t.th('consent_decline')} / "
                 f"{t.en('consent_decline')}", "data": "consent=decline",
                 "displayText": t.th("consent_decline")}])

    def _reply(self, session: Session, turn: Turn, user: LineUser,
               messages: list[dict[str, Any]], code: str | None = None) -> Answer:
        self.outbox.reply(session, channel_id=turn.channel_id, user_hash=turn.user_hash,
                          user_id=turn.user_id, reply_token=turn.reply_token,
                          messages=messages, item_code=code)
        return Answer(stored=True)

    def _tickets(self, session: Session, turn: Turn) -> dict[str, Any]:
        rows = session.scalars(select(LineTicket).where(
            LineTicket.channel_id == turn.channel_id, LineTicket.user_hash == turn.user_hash)
            .order_by(LineTicket.created_at.desc(), LineTicket.code).limit(MY_TICKETS))
        lines = []
        for row in rows:
            status = self.port.status(session, clock=self.clock, code=row.code)
            if status is not None:
                lines.append(f"{row.code} · {status.status_th} / {status.status_en}\n"
                             f"{self.link(row.code)}")
        if not lines:
            return text_message(t.both("no_tickets"))
        return text_message(f"{t.th('tickets')} / {t.en('tickets')}\n\n" + "\n\n".join(lines))

    def _card(self, card: StationCard) -> dict[str, Any]:
        phone = card.phone or "191"
        text = (f"{t.th('station_card', name_th=card.name_th, phone=phone)}\n\n"
                f"{t.en('station_card', name_en=card.name_en, phone=phone)}")
        return text_message(f"{text}\n{card.line_url}" if card.line_url else text)

    def _ticket_text(self, key: str, code: str) -> str:
        return f"{t.th(key, code=code)}\n\n{t.en(key, code=code)}\n\n{self.link(code)}"

    def link(self, code: str) -> str:
        return f"{self.link_base}/citizen/t/{code}"

    def _lostdoc(self, session: Session, turn: Turn) -> dict[str, Any]:
        """The link to the lost-document form, with the channel's station chosen: the
        form holds a national ID, which has no place in a chat log."""
        station = org.get_unit(session, unit_id=turn.station_id).code
        return text_message(f"{t.both('lostdoc')}\n\n"
                            f"{self.link_base}/citizen?station={station}#lostdoc")

    def _poll(self, session: Session, turn: Turn) -> dict[str, Any]:
        """The link to the station's open polls, with this LINE user's poll key: the poll
        keeps only an HMAC of (key, wave), never the LINE user, and nothing is kept here."""
        station = org.get_unit(session, unit_id=turn.station_id).code
        key = self._key_for("poll", turn.user_hash)
        return text_message(f"{t.both('poll')}\n\n"
                            f"{self.link_base}/citizen/poll?station={station}&k={key}")

    def _key_for(self, purpose: str, value: str) -> str:
        """A client key the service accepts, the same for the same event (a redelivery)."""
        digest = hmac.new(self._key, f"{purpose}|{value}".encode(), hashlib.sha256).digest()
        return "line-" + base64.urlsafe_b64encode(digest).decode().rstrip("=")

    def _station(self, session: Session, job: Job) -> uuid.UUID:
        channel = session.get(LineChannel, job.channel_id)
        assert channel is not None
        return channel.station_id


def _location_button() -> dict[str, Any]:
    return {"type": "location", "label": t.th("send_location")}


def _place_text(place: Place | None, label: str | None) -> str:
    if place is None:
        return ""
    where = t.both("location_text", lat=place.lat, lon=place.lon)
    return f"{where}\n{label}" if label else where

