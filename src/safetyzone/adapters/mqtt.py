"""MQTT field devices (SOS poles, loudspeakers, smart poles, street lights): our own scheme.

Topics: ``<prefix>/<station>/<device-kind>/<device-id>/<channel>``, prefix ``ssz``:

    ssz/ST-A/sos_point/POLE-0042/event    device -> platform  button, tamper, lamp_failure...
    ssz/ST-A/sos_point/POLE-0042/status   device -> platform  heartbeat, online... (retained)
    ssz/ST-A/loudspeaker/SPK-7/cmd        platform -> device  play, announce, light_on/off
    ssz/ST-A/loudspeaker/SPK-7/ack        device -> platform  the answer to one command

Payloads are small JSON objects (``docs/devices/mqtt.md`` has every field). This module only
translates: topic text and payload bytes -> typed values, commands -> bytes. It opens no
connection and writes no table; every refusal is an :class:`AdapterError` that says why.
"""

from __future__ import annotations

import enum
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from safetyzone.adapters.errors import (
    AdapterError,
    check_event_time,
    check_position,
    json_number,
    load_json_object,
    quote,
)
from safetyzone.core.events import (
    DeviceState,
    EventKind,
    Location,
    SosIn,
    SosPayload,
    StatusIn,
    StatusPayload,
)

MAX_PAYLOAD = 4096
MAX_ID = 64
# One topic level: letters, digits and - _ . only, so no wildcard, slash or control character
# can hide in a station code or device id.
_LEVEL = re.compile(r"[A-Za-z0-9_.\-]{1,64}")


class Channel(enum.StrEnum):
    EVENT = "event"
    STATUS = "status"
    CMD = "cmd"
    ACK = "ack"


INBOUND = (Channel.EVENT, Channel.STATUS, Channel.ACK)


class MqttSettings(BaseModel):
    """The MQTT bridge as declared in the platform settings (``SSZ_MQTT__HOST`` ...)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["mqtt"] = "mqtt"
    host: str = Field("127.0.0.1", description="Broker (Mosquitto) host name or address.")
    port: int = Field(1883, ge=1, le=65535, description="Broker port (1883 plain, 8883 TLS).")
    username: str | None = Field(None, max_length=128, description="Bridge's broker user.")
    password: SecretStr | None = Field(None, description="Bridge's broker password.")
    client_id: str = Field(
        "safetyzone-bridge", min_length=1, max_length=64,
        description="MQTT client id; fixed, so the broker keeps the session (and the QoS 1 "
        "messages that arrive while the bridge is down) between connections.")
    topic_prefix: str = Field("ssz", pattern=r"^[a-z0-9_\-]{1,16}$",
                              description="First topic level of every device topic.")
    connect_timeout_s: float = Field(10.0, gt=0, le=120,
                                     description="Give up starting after this long.")


@dataclass(frozen=True)
class Topic:
    station: str
    device_kind: str
    device_id: str
    channel: Channel
    prefix: str = "ssz"

    def __str__(self) -> str:
        return "/".join((self.prefix, self.station, self.device_kind, self.device_id,
                         self.channel.value))


def parse_topic(topic: str, *, prefix: str = "ssz") -> Topic:
    """Split a device topic into its levels, or AdapterError naming the bad level."""
    levels = topic.split("/")
    if len(levels) != 5 or levels[0] != prefix:
        raise AdapterError(
            f"topic {quote(topic, 120)} is not {prefix}/<station>/<kind>/<device-id>/<channel>")
    for what, level in zip(("station", "device kind", "device id"), levels[1:4], strict=True):
        if not _LEVEL.fullmatch(level):
            raise AdapterError(f"topic {what} {quote(level)} is not 1-64 of A-Z a-z 0-9 _ . -")
    try:
        channel = Channel(levels[4])
    except ValueError as err:
        raise AdapterError(f"topic channel {quote(levels[4])} is not one of "
                           f"{[c.value for c in Channel]}") from err
    return Topic(levels[1], levels[2], levels[3], channel, prefix)


def subscriptions(prefix: str = "ssz") -> list[str]:
    """What the platform subscribes to: every device's event, status and ack."""
    return [f"{prefix}/+/+/+/{channel.value}" for channel in INBOUND]


# What a device may say, by ``type``: the event kind and, for device states, which one.
# ``button`` is only an event; every other type may come on ``event`` or ``status``.
TYPES: dict[str, tuple[EventKind, DeviceState | None]] = {
    "button": (EventKind.SOS_PRESS, None),
    **{state.value: (EventKind.DEVICE_STATUS, state) for state in DeviceState},
}


def decode_message(channel: Channel, payload: bytes, *, received_at: datetime
                   ) -> SosIn | StatusIn:
    """One device message (``event`` or ``status`` channel) -> one EventIn."""
    if channel not in (Channel.EVENT, Channel.STATUS):
        raise AdapterError(f"the {channel.value} channel carries no device events")
    body = load_json_object(payload, max_bytes=MAX_PAYLOAD)
    kind_state = TYPES.get(_text(body, "type", required=True) or "")
    if kind_state is None:
        raise AdapterError(f"type {quote(str(body.get('type')))} is not one of {sorted(TYPES)}")
    kind, state = kind_state
    if kind is EventKind.SOS_PRESS and channel is not Channel.EVENT:
        raise AdapterError("a button press belongs on the event channel, not status")
    device_event_id = _ident(body, "id")
    when = check_event_time(_time(body), received_at=received_at)
    location = _location(body)
    if state is None:
        return SosIn(kind=EventKind.SOS_PRESS, device_event_id=device_event_id,
                     event_time=when, location=location,
                     payload=SosPayload(button=_text(body, "button", limit=64),
                                        message=_text(body, "message", limit=500)))
    return StatusIn(kind=EventKind.DEVICE_STATUS, device_event_id=device_event_id,
                    event_time=when, location=location,
                    payload=StatusPayload(state=state, detail=_text(body, "detail", limit=500)))


CommandAction = Literal["play", "announce", "display", "light_on", "light_off"]


@dataclass(frozen=True)
class Command:
    """One platform -> device command; ``id`` comes back in the device's ack."""

    id: str
    action: CommandAction
    at: datetime
    message: str | None = None  # prerecorded message id, for play
    text: str | None = None  # text to speak (announce) or to show (display)

    def __post_init__(self) -> None:
        if self.action == "play" and not self.message:
            raise AdapterError("a play command needs a message id")
        if self.action in ("announce", "display") and not self.text:
            raise AdapterError(f"a{'n' if self.action == 'announce' else ''} {self.action} "
                               "command needs a text")


def encode_command(command: Command) -> bytes:
    """The JSON the device reads on its ``cmd`` topic: compact, sorted keys, UTF-8 Thai."""
    body: dict[str, Any] = {"id": command.id, "action": command.action,
                            "time": command.at.astimezone(UTC).isoformat()}
    if command.message is not None:
        body["message"] = command.message
    if command.text is not None:
        body["text"] = command.text
    return json.dumps(body, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":")).encode("utf-8")


@dataclass(frozen=True)
class Ack:
    """A device's answer to one command."""

    command_id: str
    ok: bool
    at: datetime
    detail: str | None = None


def decode_ack(payload: bytes, *, received_at: datetime) -> Ack:
    """``{"id": <command id>, "ok": true|false, "time": ..., "detail": ...}`` -> Ack."""
    body = load_json_object(payload, max_bytes=MAX_PAYLOAD)
    ok = body.get("ok")
    if not isinstance(ok, bool):
        raise AdapterError("ack field 'ok' must be true or false")
    return Ack(command_id=_ident(body, "id"), ok=ok,
               at=check_event_time(_time(body), received_at=received_at),
               detail=_text(body, "detail", limit=500))


def _text(body: dict[str, Any], key: str, *, limit: int = 64, required: bool = False
          ) -> str | None:
    value = body.get(key)
    if value is None:
        if required:
            raise AdapterError(f"field '{key}' is missing")
        return None
    if not isinstance(value, str):
        raise AdapterError(f"field '{key}' must be text, got {quote(repr(value))}")
    if len(value) > limit:
        raise AdapterError(f"field '{key}' is longer than {limit} characters")
    return value


def _ident(body: dict[str, Any], key: str) -> str:
    value = _text(body, key, limit=MAX_ID, required=True) or ""
    if not value.strip() or not value.isprintable():
        raise AdapterError(f"field '{key}' must be printable text, got {quote(value)}")
    return value


def _time(body: dict[str, Any]) -> datetime:
    """``time`` as ISO 8601 with an offset, or as epoch seconds."""
    value = body.get("time")
    if isinstance(value, str):
        if len(value) > 40:
            raise AdapterError("field 'time' is too long")
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError as err:
            raise AdapterError(f"field 'time' {quote(value)} is not ISO 8601") from err
        if parsed.tzinfo is None:
            raise AdapterError("field 'time' needs an offset (Z or +07:00)")
        return parsed
    if value is None:
        raise AdapterError("field 'time' is missing")
    seconds = json_number(value, "time")
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError) as err:
        raise AdapterError(f"field 'time' {seconds:g} is not a plausible epoch") from err


def _location(body: dict[str, Any]) -> Location | None:
    lat, lon = body.get("lat"), body.get("lon")
    if lat is None and lon is None:
        return None
    if lat is None or lon is None:
        raise AdapterError("give both 'lat' and 'lon', or neither")
    lat_value, lon_value = json_number(lat, "lat"), json_number(lon, "lon")
    try:  # Location first: it names the usual typo, latitude and longitude swapped
        location = Location(lat=lat_value, lon=lon_value)
    except ValidationError as err:
        raise AdapterError(f"position is not valid: {err.errors()[0]['msg']}") from err
    check_position(location.lat, location.lon)
    return location
