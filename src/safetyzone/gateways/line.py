"""The LINE Official Account gateway: a signed webhook in, chat events served, answers out.

    LINE --POST /line/webhook[/station]--> signature (adapters.line) --> events
        --> per LINE user: rate limit --> one write each: served before? chat --> served
        --> 200 to LINE; answers that keep nothing sent after it; the outbox sends the rest

The signature is checked on the raw body before anything is read from it; a body that is
not signed by the channel's secret changes nothing and is answered 401. Each event is one
transaction with the record that it was served (``line_delivery``), so LINE redelivering
it (``deliveryContext.isRedelivery``, same ``webhookEventId``) finds it served and nothing
happens twice. A LINE user sending faster than :data:`USER_RATE` is told once to slow down
and nothing they send meanwhile is kept. A domain refusal of one event is answered to the
user and does not fail the others; only a database outage fails the request (503, and LINE
delivers again).
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from safetyzone.adapters import line as wire
from safetyzone.citizen import line_channels, line_texts
from safetyzone.citizen.line import Answer, Chat, Turn
from safetyzone.citizen.line_client import text_message
from safetyzone.citizen.line_models import LineDelivery
from safetyzone.citizen.line_notify import LineNotifier
from safetyzone.citizen.line_outbox import Outbox
from safetyzone.citizen.line_port import CitizenPort, Place
from safetyzone.core.clock import Clock
from safetyzone.core.db import Database
from safetyzone.core.errors import DatabaseUnavailable, SafetyZoneError
from safetyzone.core.secretbox import SecretBox

log = logging.getLogger(__name__)
PHOTO_MAX_BYTES = 8 * 1024 * 1024  # the public app's photo limit (SSZ_CITIZEN_MEDIA_MAX_BYTES)


@dataclass(frozen=True)
class Rate:
    per_minute: float
    burst: int


USER_RATE = Rate(per_minute=12, burst=20)
"""Events one LINE user may send: 20 at once (an album of photos), then one every 5 s."""


class UserLimiter:
    """A token bucket per LINE user, in bounded memory; remembers whom it told. Thread-safe."""

    def __init__(self, rate: Rate, *, max_keys: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.max_keys = max_keys
        self._clock = clock
        self._buckets: OrderedDict[str, list[float]] = OrderedDict()  # tokens, at, told
        self._lock = threading.Lock()

    def take(self, key: str) -> tuple[bool, bool]:
        """(allowed, tell): ``tell`` is True for the first refusal after an allowed one."""
        now = self._clock()
        with self._lock:
            bucket = self._buckets.pop(key, None)
            if bucket is None:
                while len(self._buckets) >= self.max_keys:
                    self._buckets.popitem(last=False)
                bucket = [float(self.rate.burst), now, 0.0]
            bucket[0] = min(float(self.rate.burst),
                            bucket[0] + (now - bucket[1]) * self.rate.per_minute / 60)
            bucket[1] = now
            self._buckets[key] = bucket
            if bucket[0] >= 1:
                bucket[0] -= 1
                bucket[2] = 0.0
                return True, False
            tell = bucket[2] == 0.0
            bucket[2] = 1.0
            return False, tell


@dataclass(frozen=True)
class Unkept:
    """An answer that keeps nothing, sent after LINE got its 200."""

    channel_id: uuid.UUID
    reply_token: str
    messages: list[dict[str, Any]]


class LineGateway:
    def __init__(self, *, db: Database, clock: Clock, box: SecretBox, server_key: str,
                 routing: line_channels.Routing, api_base: str, data_api_base: str,
                 link_base: str | None, port: CitizenPort,
                 photo_max_bytes: int = PHOTO_MAX_BYTES,
                 limiter: UserLimiter | None = None) -> None:
        self.db = db
        self.clock = clock
        self.box = box
        self.routing = routing
        self.users = line_channels.UserHasher(server_key)
        self.limiter = limiter or UserLimiter(USER_RATE)
        self.outbox = Outbox(db, clock, box, api_base=api_base, data_api_base=data_api_base,
                             photo_max_bytes=photo_max_bytes)
        self.chat = Chat(box=box, clock=clock, outbox=self.outbox, port=port,
                         server_key=server_key, link_base=link_base)
        self.notifier = LineNotifier(db=db, clock=clock, box=box, outbox=self.outbox,
                                     port=port, link=self.chat.link)
        self.outbox.delivered = lambda session, ref, sent: self.chat.port.delivered(
            session, message_ref=ref, sent=sent, at=clock.now())

    @property
    def port(self) -> CitizenPort:
        return self.chat.port

    @port.setter
    def port(self, port: CitizenPort) -> None:
        self.chat.port = port
        self.notifier.port = port

    async def start(self) -> None:
        await self.outbox.start()

    async def stop(self) -> None:
        await self.outbox.stop()

    def receive(self, *, station_code: str | None, body: bytes,
                signature: str | None) -> list[Unkept]:
        """Serve one webhook request (blocking); the answers to send without keeping them."""
        with self.db.read() as session:
            keys = line_channels.webhook_keys(session, box=self.box, clock=self.clock,
                                              routing=self.routing, station_code=station_code)
        wire.verify(body, signature, keys.secrets)
        hook = wire.parse(body)
        if hook.destination != keys.bot_user_id:
            with self.db.write() as session:
                line_channels.learn_bot_user(session, channel_id=keys.id,
                                             destination=hook.destination)
        unkept = []
        for event in hook.events:
            answer = self._event(keys, event)
            if answer is not None:
                unkept.append(answer)
        self.outbox.wake()
        return unkept

    def _event(self, keys: line_channels.ChannelKeys, event: wire.LineEvent) -> Unkept | None:
        meta = event.meta
        if meta is None or meta.source != "user" or meta.user_id is None or not meta.active:
            return None  # groups, rooms, standby mode: not ours to answer
        user_hash = self.users(keys.id, meta.user_id)
        allowed, tell = self.limiter.take(f"{keys.id}:{user_hash}")
        if not allowed:
            log.info("LINE user over the rate on channel %s: event not kept", keys.id)
            return self._unkept(keys, meta, [text_message(line_texts.both("too_many"))]
                                if tell else [])
        turn = Turn(channel_id=keys.id, station_id=keys.station_id, user_id=meta.user_id,
                    user_hash=user_hash, event_id=meta.event_id,
                    reply_token=meta.reply_token, at=meta.at)
        try:
            with self.db.write() as session:
                if session.scalar(select(LineDelivery.id).where(
                        LineDelivery.channel_id == keys.id,
                        LineDelivery.event_id == meta.event_id)) is not None:
                    return None  # served before: a redelivery
                answer = self._dispatch(session, turn, event)
                if answer.stored:
                    session.add(LineDelivery(channel_id=keys.id, event_id=meta.event_id,
                                             received_at=self.clock.now()))
        except DatabaseUnavailable:
            raise
        except SafetyZoneError as err:
            log.warning("LINE %s event not kept: %s", type(event).__name__, err.detail)
            return self._unkept(keys, meta, [text_message(line_texts.both("failed"))])
        return None if meta.redelivery else self._unkept(keys, meta, answer.now)

    def _dispatch(self, session: Session, turn: Turn, event: wire.LineEvent) -> Answer:
        chat = self.chat
        if isinstance(event, wire.Text):
            return chat.text(session, turn, event.text)
        if isinstance(event, wire.Location):
            label = " ".join(part for part in (event.title, event.address) if part) or None
            return chat.location(session, turn, Place(event.lat, event.lon), label)
        if isinstance(event, wire.Image):
            return chat.image(session, turn, event.message_id, event.external)
        if isinstance(event, wire.OtherMessage):
            return chat.other(session, turn)
        if isinstance(event, wire.Postback):
            return chat.postback(session, turn, event.data)
        if isinstance(event, wire.Follow):
            return chat.follow(session, turn)
        if isinstance(event, wire.Unfollow):
            return chat.unfollow(session, turn)
        if event.kind == "message":  # a message we could not read
            return Answer(now=[text_message(line_texts.both("unsupported"))])
        return Answer()

    def _unkept(self, keys: line_channels.ChannelKeys, meta: wire.Meta,
                messages: list[dict[str, Any]]) -> Unkept | None:
        if not messages or meta.reply_token is None:
            return None
        return Unkept(keys.id, meta.reply_token, messages)

    def send_unkept(self, answers: list[Unkept]) -> None:
        """Send answers that keep nothing (blocking: after the response, in a thread)."""
        for answer in answers:
            self.outbox.send_now(answer.channel_id, answer.reply_token, answer.messages)
