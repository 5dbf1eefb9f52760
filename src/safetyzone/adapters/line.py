"""LINE Messaging API webhooks: the signature check and the body as typed chat events.

Pure: bytes and a channel secret in, frozen dataclasses out; no database, no domain.

Signature (https://developers.line.biz/en/reference/messaging-api/#signature-validation):
``X-Line-Signature`` is base64(HMAC-SHA256(channel secret, RAW request body)). It is computed
over the bytes exactly as received, never over re-serialised JSON, and compared in constant
time. The examples published with LINE's own SDKs are in ``tests/fixtures/line/``.

Body (https://developers.line.biz/en/reference/messaging-api/#request-body)::

    {"destination": "U<bot user id>", "events": [{"type", "mode", "timestamp" (ms),
     "source": {"type": "user", "userId"}, "webhookEventId" (ULID),
     "deliveryContext": {"isRedelivery"}, "replyToken"?, "message"? | "postback"? ...}]}

Each event is read with line-bot-sdk's models (``linebot.v3.webhooks``) and then checked
against our own limits (ids, text length, coordinates) before it becomes one of the types
below. An event the SDK does not know, or one that breaks a limit, becomes
:class:`Unsupported` with the reason: LINE signed it, so the rest of the body is still
served and LINE is answered 200 (a refused body would only be delivered again).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from linebot.v3.webhooks import (
    Event,
    FollowEvent,
    ImageMessageContent,
    LocationMessageContent,
    MessageEvent,
    PostbackEvent,
    TextMessageContent,
    UnfollowEvent,
)
from pydantic import ValidationError as V2ValidationError
from pydantic.v1 import ValidationError as V1ValidationError

from safetyzone.adapters.errors import AdapterError, load_json_object
from safetyzone.core.errors import AuthenticationFailed
from safetyzone.core.text import text_problem

MAX_BODY = 256 * 1024
"""LINE bodies are small (a few KB per event); anything larger is not LINE."""
MAX_EVENTS = 100
MAX_TEXT = 5000  # LINE's own limit for a text message
MAX_POSTBACK = 300  # LINE's limit for postback data
MAX_PLACE_TEXT = 200  # a location's title or address
SIGNATURE_HEADER = "x-line-signature"
_ID = re.compile(r"[A-Za-z0-9_.:-]{1,100}")
_SIGNATURE_LEN = 44  # base64 of 32 bytes

SourceKind = Literal["user", "group", "room", "unknown"]


@dataclass
class BadSignature(AuthenticationFailed):
    """The body was not signed with this channel's secret: nothing in it is used."""

    code: str = "line-signature-invalid"


def sign(body: bytes, channel_secret: str) -> str:
    """``X-Line-Signature`` for ``body``: base64(HMAC-SHA256(secret, raw body))."""
    digest = hmac.new(channel_secret.encode("utf-8"), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def signature_matches(body: bytes, signature: str | None, channel_secret: str) -> bool:
    """Whether ``signature`` (the header as sent) signs ``body``; constant time."""
    if not signature or len(signature) != _SIGNATURE_LEN or not signature.isascii():
        return False
    try:
        given = base64.b64decode(signature, validate=True)
    except (binascii.Error, ValueError):
        return False
    expected = hmac.new(channel_secret.encode("utf-8"), body, hashlib.sha256).digest()
    return hmac.compare_digest(given, expected)


def verify(body: bytes, signature: str | None, channel_secrets: list[str]) -> str:
    """The secret (of those given, e.g. during a rotation) that signed ``body``; else raise."""
    if not signature:
        raise BadSignature("X-Line-Signature header is missing")
    for secret in channel_secrets:
        if signature_matches(body, signature, secret):
            return secret
    raise BadSignature("X-Line-Signature does not match the body: not sent by LINE for "
                       "this channel")


# -- events -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Meta:
    """What every event carries: who, when, and how to answer it."""

    event_id: str  # webhookEventId, the same on a redelivery
    at: datetime
    redelivery: bool
    active: bool  # mode "standby": another channel answers this chat; we must not
    source: SourceKind
    user_id: str | None
    reply_token: str | None


@dataclass(frozen=True)
class Text:
    meta: Meta
    message_id: str
    text: str


@dataclass(frozen=True)
class Location:
    meta: Meta
    message_id: str
    lat: float
    lon: float
    title: str | None
    address: str | None


@dataclass(frozen=True)
class Image:
    """A photo; ``external`` ones live on another server, which we never fetch."""

    meta: Meta
    message_id: str
    external: bool


@dataclass(frozen=True)
class OtherMessage:
    """A sticker, video, audio, file ... the chat answers it but stores nothing."""

    meta: Meta
    message_id: str
    kind: str


@dataclass(frozen=True)
class Follow:
    meta: Meta


@dataclass(frozen=True)
class Unfollow:
    meta: Meta


@dataclass(frozen=True)
class Postback:
    meta: Meta
    data: str


@dataclass(frozen=True)
class Unsupported:
    """An event we do not serve (a join, a beacon, an unknown type) or one over a limit."""

    meta: Meta | None
    kind: str
    reason: str


LineEvent = Text | Location | Image | OtherMessage | Follow | Unfollow | Postback | Unsupported


@dataclass(frozen=True)
class Webhook:
    destination: str
    events: tuple[LineEvent, ...]


def parse(body: bytes) -> Webhook:
    """The events of a (signature-checked) webhook body; AdapterError if it is not one."""
    root = load_json_object(body, max_bytes=MAX_BODY)
    destination = root.get("destination")
    if not isinstance(destination, str) or not _ID.fullmatch(destination):
        raise AdapterError("webhook body has no valid 'destination' (the bot's user id)")
    events = root.get("events")
    if not isinstance(events, list):
        raise AdapterError("webhook body has no 'events' list")
    if len(events) > MAX_EVENTS:
        raise AdapterError(f"webhook body has {len(events)} events; at most {MAX_EVENTS}")
    return Webhook(destination, tuple(_event(raw) for raw in events))


def _event(raw: object) -> LineEvent:
    if not isinstance(raw, dict):
        return Unsupported(None, "?", "an event is not a JSON object")
    kind = raw.get("type")
    kind = kind if isinstance(kind, str) and len(kind) <= 40 else "?"
    try:
        event = Event.from_dict(raw)
    except (V1ValidationError, V2ValidationError) as err:
        return Unsupported(_meta_or_none(raw), kind,
                           f"event does not match LINE's schema ({_first_error(err)})")
    except (ValueError, TypeError, KeyError, AttributeError):
        # The SDK raises ValueError for a type (of event or message) it has no model for.
        return Unsupported(_meta_or_none(raw), kind, "a type this server does not know")
    try:
        return _typed(event, kind)
    except AdapterError as err:
        return Unsupported(_meta_or_none(raw), kind, err.detail)


def _typed(event: Any, kind: str) -> LineEvent:
    meta = _meta(event)
    if isinstance(event, FollowEvent):
        return Follow(meta)
    if isinstance(event, UnfollowEvent):
        return Unfollow(meta)
    if isinstance(event, PostbackEvent):
        return Postback(meta, _text(event.postback.data, "postback data", MAX_POSTBACK))
    if not isinstance(event, MessageEvent):
        return Unsupported(meta, kind, "event type not served")
    message = event.message
    message_id = _id(message.id, "message id")
    if isinstance(message, TextMessageContent):
        return Text(meta, message_id, _text(message.text, "text", MAX_TEXT))
    if isinstance(message, LocationMessageContent):
        lat, lon = float(message.latitude), float(message.longitude)
        if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
            raise AdapterError(f"location {lat:g},{lon:g} is not a place")
        return Location(meta, message_id, lat, lon,
                        _optional_text(message.title, "title"),
                        _optional_text(message.address, "address"))
    if isinstance(message, ImageMessageContent):
        return Image(meta, message_id, external=message.content_provider.type != "line")
    return OtherMessage(meta, message_id, str(message.type)[:40])


def _meta(event: Any) -> Meta:
    source = event.source
    source_kind: SourceKind = "unknown"
    user_id = None
    if source is not None:
        source_kind = source.type if source.type in ("user", "group", "room") else "unknown"
        raw_user = getattr(source, "user_id", None)
        user_id = _id(raw_user, "user id") if raw_user is not None else None
    token = getattr(event, "reply_token", None)
    return Meta(
        event_id=_id(event.webhook_event_id, "webhookEventId"),
        at=_time(event.timestamp),
        redelivery=bool(event.delivery_context.is_redelivery),
        active=str(getattr(event.mode, "value", event.mode)) == "active",
        source=source_kind, user_id=user_id,
        reply_token=_id(token, "reply token") if token else None)


def _meta_or_none(raw: dict[str, Any]) -> Meta | None:
    """Who sent an event we cannot serve, when that much is readable (to answer them)."""
    try:
        source = raw.get("source") or {}
        user = source.get("userId")
        context = raw.get("deliveryContext") or {}
        token = raw.get("replyToken")
        return Meta(
            event_id=_id(raw.get("webhookEventId"), "webhookEventId"),
            at=_time(raw.get("timestamp")),
            redelivery=context.get("isRedelivery") is True,
            active=raw.get("mode", "active") == "active",
            source="user" if source.get("type") == "user" else "unknown",
            user_id=_id(user, "user id") if user is not None else None,
            reply_token=_id(token, "reply token") if token else None)
    except (AdapterError, AttributeError):
        return None


def _first_error(err: V1ValidationError | V2ValidationError) -> str:
    errors: list[Any] = list(err.errors())
    if not errors:
        return "invalid"
    where = ".".join(str(part) for part in errors[0].get("loc", ()))
    return f"{where}: {errors[0].get('msg', 'invalid')}"[:120]


def _id(value: object, what: str) -> str:
    if not isinstance(value, str) or not _ID.fullmatch(value):
        raise AdapterError(f"{what} is missing or not an id")
    return value


def _time(value: object) -> datetime:
    if isinstance(value, bool) or not isinstance(value, int):
        raise AdapterError("timestamp is not milliseconds")
    try:
        return datetime.fromtimestamp(value / 1000, UTC)
    except (OverflowError, OSError, ValueError) as err:
        raise AdapterError("timestamp is out of range") from err


def _text(value: object, what: str, limit: int) -> str:
    if not isinstance(value, str):
        raise AdapterError(f"{what} is not text")
    if len(value) > limit:
        raise AdapterError(f"{what} is longer than {limit} characters")
    reason = text_problem(value)
    if reason:
        raise AdapterError(f"{what}: {reason}")
    return value


def _optional_text(value: object, what: str) -> str | None:
    return None if value is None else _text(value, what, MAX_PLACE_TEXT)
