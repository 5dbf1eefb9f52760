"""OsmAnd protocol, as Traccar Client and many trackers send it: HTTP query/form, or JSON.

Field layouts follow Traccar's ``OsmAndProtocolDecoder`` (traccar/traccar).

Query string or ``application/x-www-form-urlencoded`` body (:func:`decode_osmand`):

================  ==============================================  ===========================
parameter         meaning                                         becomes
================  ==============================================  ===========================
id, deviceid      device identifier (required)                    ``OsmAndFix.device_id``
lat, lon          WGS84 degrees (required, or ``location``)       ``Location``
location          ``lat,lon``                                     ``Location``
timestamp         epoch seconds; milliseconds from 2147483647     ``event_time``
                  up; ISO 8601; ``yyyy-MM-dd HH:mm:ss`` (no zone:
                  ``naive_tz``, UTC as on a Traccar server in UTC)
speed             KNOTS                                           ``speed_mps``
bearing, heading  degrees                                         ``heading_deg``
altitude          metres                                          ``altitude_m``
accuracy          metres                                          ``Location.accuracy_m``
hdop              dilution of precision                           ``hdop``
batt              battery percent                                 ``battery_pct``
alarm             e.g. ``sos``                                    ``alarm``
anything else     kept: int, float, ``true``/``false`` or text    ``attributes``
================  ==============================================  ===========================

JSON body of Traccar Client 9+ (:func:`decode_osmand_json`)::

    {"device_id": "...", "location": {"timestamp": ISO, "coords": {"latitude", "longitude",
     "accuracy", "speed" (m/s), "heading", "altitude"}, "is_moving", "odometer", "event",
     "battery": {"level": 0..1, "is_charging"}, "activity": {"type"}, "extras": {...},
     "alarm"?}}

Negative speed, heading, accuracy or battery level mean "unknown" (the phone sends -1).
An SOS (``alarm=sos``, ``location.alarm`` or ``extras.alarm``) stays in ``GpsPayload.alarm``,
lower-cased.
No timestamp: ``received_at`` is the event time. A fix that parses but cannot be used (0,0, a
time before 2000 or more than a day ahead, ``timestamp=0``) raises ``UnusableFix`` carrying
the device id, so the gateway can answer the device and note the reason. ``device_event_id`` is
``osmand:<device id>:<event time in ms>``, so a retried upload gets the same id.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from urllib.parse import parse_qsl

from pydantic import ValidationError

from safetyzone.adapters.errors import (
    AdapterError,
    UnusableFix,
    check_event_time,
    check_position,
    epoch_ms,
    event_id,
    json_number,
    load_json_object,
    parse_number,
    quote,
)
from safetyzone.core.events import EventKind, GpsIn, GpsPayload, Location

KNOT_MPS = 1852 / 3600
SECONDS_LIMIT = 2_147_483_647  # Traccar: a number below this is seconds, else milliseconds
MAX_PARAMS = 200
MAX_KEY = 64
MAX_VALUE = 1024
MAX_DEVICE_ID = 64
MAX_BODY = 1_048_576

AttrValue = str | float | int | bool


@dataclass(frozen=True)
class Measure:
    """Where one optional number goes, its unit factor, range, and whether <0 is unknown."""

    target: str
    factor: float
    low: float
    high: float
    negative_is_unknown: bool = False


QUERY_MEASURES: dict[str, Measure] = {
    "speed": Measure("speed_mps", KNOT_MPS, 0, 150, negative_is_unknown=True),
    "bearing": Measure("heading_deg", 1, 0, 360, negative_is_unknown=True),
    "heading": Measure("heading_deg", 1, 0, 360, negative_is_unknown=True),
    "altitude": Measure("altitude_m", 1, -500, 10_000),
    "accuracy": Measure("accuracy_m", 1, 0, 100_000, negative_is_unknown=True),
    "hdop": Measure("hdop", 1, 0, 100),
    "batt": Measure("battery_pct", 1, 0, 100),
}
JSON_COORD_MEASURES: dict[str, Measure] = {
    "speed": Measure("speed_mps", 1, 0, 150, negative_is_unknown=True),
    "heading": Measure("heading_deg", 1, 0, 360, negative_is_unknown=True),
    "altitude": Measure("altitude_m", 1, -500, 10_000),
    "accuracy": Measure("accuracy_m", 1, 0, 100_000, negative_is_unknown=True),
}
BATTERY_LEVEL = Measure("battery_pct", 100, 0, 100, negative_is_unknown=True)
ID_KEYS = ("id", "deviceid")
CORE_KEYS = frozenset({*ID_KEYS, "lat", "lon", "location", "timestamp", "alarm", *QUERY_MEASURES})
_INT = re.compile(r"[+-]?[0-9]{1,18}")
_DIGITS = re.compile(r"[0-9]+(?:\.[0-9]+)?")


@dataclass(frozen=True)
class OsmAndFix:
    """One decoded position and the identifier the device sent it under."""

    device_id: str
    event: GpsIn


@dataclass
class _Draft:
    """What has been read so far; turned into a GpsIn once every field is in."""

    lat: float | None = None
    lon: float | None = None
    when: datetime | None = None
    alarm: str | None = None
    measures: dict[str, float] = field(default_factory=dict)
    attributes: dict[str, AttrValue] = field(default_factory=dict)

    def measure(self, name: str, spec: Measure, value: float) -> None:
        """Keep a reading in its range; one outside it is kept aside, not used.

        A phone's wild speed or altitude says nothing against its position, and refusing the
        whole fix would make Traccar Client resend it forever.
        """
        if spec.negative_is_unknown and value < 0:
            return
        if spec.low <= value * spec.factor <= spec.high:
            self.measures[spec.target] = value * spec.factor
        else:
            self.attributes[f"{name}_out_of_range"] = value  # as sent


def parse_form(raw: bytes | str) -> list[tuple[str, str]]:
    """Split a query string or urlencoded body into pairs for :func:`decode_osmand`."""
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    try:
        return parse_qsl(text.lstrip("?"), keep_blank_values=True, max_num_fields=MAX_PARAMS)
    except ValueError as err:
        raise AdapterError(f"too many parameters (at most {MAX_PARAMS})") from err


def decode_osmand(
    query: Mapping[str, str] | Sequence[tuple[str, str]],
    *,
    received_at: datetime,
    naive_tz: tzinfo = UTC,
) -> OsmAndFix:
    """Translate OsmAnd query or form parameters into a GpsIn; AdapterError if unusable."""
    pairs = list(query.items()) if isinstance(query, Mapping) else list(query)
    if len(pairs) > MAX_PARAMS:
        raise AdapterError(f"too many parameters (at most {MAX_PARAMS})")
    params = _collect(pairs)
    device_id = _device_id(params.get("id") or params.get("deviceid"))
    draft = _Draft()
    if "lat" in params and "lon" in params:
        draft.lat = parse_number(params["lat"], "latitude")
        draft.lon = parse_number(params["lon"], "longitude")
    elif "location" in params:
        lat, _, lon = params["location"].partition(",")
        draft.lat = parse_number(lat, "latitude")
        draft.lon = parse_number(lon, "longitude")
    if "timestamp" in params:
        draft.when = parse_timestamp(params["timestamp"], naive_tz=naive_tz)
    if "alarm" in params:
        draft.alarm = params["alarm"]
    for name, spec in QUERY_MEASURES.items():
        if name in params:
            draft.measure(name, spec, parse_number(params[name], name))
    for key, value in params.items():
        if key not in CORE_KEYS:
            draft.attributes[key] = attribute_value(value)
    return OsmAndFix(device_id, _finish(draft, device_id, received_at))


def decode_osmand_json(body: bytes, *, received_at: datetime) -> OsmAndFix:
    """Translate the JSON body of Traccar Client 9+ into a GpsIn; AdapterError if unusable."""
    root = load_json_object(body, max_bytes=MAX_BODY)
    raw_id = root.get("device_id")
    device_id = _device_id(None if raw_id is None else _json_text(raw_id, "device_id"))
    location = root.get("location")
    if not isinstance(location, dict):
        raise AdapterError("'location' object is missing")
    coords = location.get("coords")
    if not isinstance(coords, dict):
        raise AdapterError("'location.coords' object is missing: no position in this upload")
    draft = _Draft(
        lat=json_number(coords.get("latitude"), "latitude"),
        lon=json_number(coords.get("longitude"), "longitude"),
    )
    if location.get("timestamp") is not None:
        draft.when = _json_time(location["timestamp"])
    for name, spec in JSON_COORD_MEASURES.items():
        if coords.get(name) is not None:
            draft.measure(name, spec, json_number(coords[name], name))
    battery = location.get("battery")
    if isinstance(battery, dict):
        if battery.get("level") is not None:
            draft.measure("battery level", BATTERY_LEVEL, json_number(battery["level"], "level"))
        if isinstance(battery.get("is_charging"), bool):
            draft.attributes["is_charging"] = battery["is_charging"]
    activity = location.get("activity")
    if isinstance(activity, dict) and isinstance(activity.get("type"), str):
        draft.attributes["activity"] = _short(activity["type"], "activity.type")
    for key in ("event", "is_moving", "odometer", "mock", "uuid"):
        if key in location:
            _json_attribute(draft.attributes, key, location[key])
    extras = location.get("extras")
    if isinstance(extras, dict):
        for key, value in list(extras.items())[:MAX_PARAMS]:
            if key != "alarm" and key not in draft.attributes:
                _json_attribute(draft.attributes, _short(key, "extras key", MAX_KEY), value)
    alarm = location.get("alarm")
    if alarm is None and isinstance(extras, dict):
        alarm = extras.get("alarm")
    if alarm is not None:
        draft.alarm = _json_text(alarm, "alarm")
    return OsmAndFix(device_id, _finish(draft, device_id, received_at))


def parse_timestamp(text: str, *, naive_tz: tzinfo = UTC) -> datetime:
    """Epoch seconds or ms (Traccar's 2147483647 rule), ISO 8601, or 'yyyy-MM-dd HH:mm:ss'."""
    value = text.strip()
    if _DIGITS.fullmatch(value):
        number = float(value)
        return _from_epoch(number * 1000 if number < SECONDS_LIMIT else number, text)
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as err:
        raise AdapterError(f"timestamp {quote(text)} is neither epoch nor a date") from err
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC if "T" in value else naive_tz)
    return parsed


def attribute_value(text: str) -> AttrValue:
    """Keep an unknown parameter typed as Traccar does: integer, float, boolean or text."""
    if _INT.fullmatch(text.strip()):
        return int(text)
    if text in ("true", "false"):
        return text == "true"
    try:
        return parse_number(text, "value")
    except AdapterError:
        return text


def _collect(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """Pairs to a dict: empty values skipped, a core field twice with two values refused."""
    params: dict[str, str] = {}
    for key, value in pairs:
        if not isinstance(key, str) or not isinstance(value, str):
            raise AdapterError("parameters must be text")
        if len(key) > MAX_KEY or len(value) > MAX_VALUE:
            raise AdapterError(f"parameter {quote(key)} is too long")
        if not key or not value.strip():
            continue
        if key in CORE_KEYS and params.get(key, value) != value:
            raise AdapterError(f"parameter {quote(key)} is given twice with different values")
        params[key] = value
    return params


def _device_id(raw: str | None) -> str:
    if raw is None or not raw.strip():
        raise AdapterError("device id is missing (parameter 'id' or 'deviceid')")
    device_id = raw.strip()
    if len(device_id) > MAX_DEVICE_ID or not device_id.isprintable():
        raise AdapterError(f"device id {quote(device_id)} is too long or not printable")
    return device_id


def _finish(draft: _Draft, device_id: str, received_at: datetime) -> GpsIn:
    if draft.lat is None or draft.lon is None:
        raise AdapterError("position is missing (parameters 'lat' and 'lon', or 'location')")
    try:
        lat, lon = check_position(draft.lat, draft.lon)
        when = check_event_time(draft.when or received_at, received_at=received_at)
    except UnusableFix as err:  # the gateway answers it for a known device: say which one
        err.device_id = device_id
        raise
    if draft.alarm is not None:
        draft.alarm = _short(draft.alarm.strip().lower(), "alarm", 32)
    m = draft.measures
    try:
        return GpsIn(
            kind=EventKind.GPS_POSITION,
            device_event_id=event_id("osmand", device_id, str(epoch_ms(when))),
            event_time=when,
            location=Location(lat=lat, lon=lon, accuracy_m=m.get("accuracy_m")),
            payload=GpsPayload(
                speed_mps=m.get("speed_mps"), heading_deg=m.get("heading_deg"),
                altitude_m=m.get("altitude_m"), battery_pct=m.get("battery_pct"),
                hdop=m.get("hdop"), alarm=draft.alarm or None, attributes=draft.attributes,
            ),
        )
    except ValidationError as err:  # a guard above missed a case: still the one exception
        raise AdapterError(f"position is not valid: {err.errors()[0]['msg']}") from err


def _from_epoch(millis: float, text: str) -> datetime:
    try:
        return datetime.fromtimestamp(millis / 1000, tz=UTC)
    except (OverflowError, OSError, ValueError) as err:
        raise AdapterError(f"timestamp {quote(text)} is out of range") from err


def _json_text(value: object, what: str) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise AdapterError(f"{what} must be text, got {quote(repr(value))}")
    return str(value)


def _json_time(value: object) -> datetime:
    if isinstance(value, str):
        return parse_timestamp(value)
    number = json_number(value, "location.timestamp")
    if number < 0:
        raise AdapterError("location.timestamp is negative")
    return _from_epoch(number * 1000 if number < SECONDS_LIMIT else number, str(value))


def _json_attribute(attributes: dict[str, AttrValue], key: str, value: object) -> None:
    """Keep JSON scalars; nested objects, null and non-finite numbers are dropped."""
    keep = isinstance(value, bool) or (
        isinstance(value, int) and abs(value) < 2**63
    ) or (isinstance(value, float) and math.isfinite(value))
    if keep and isinstance(value, bool | int | float):
        attributes[key] = value
    elif isinstance(value, str):
        attributes[key] = _short(value, key, MAX_VALUE)


def _short(text: str, what: str, limit: int = MAX_VALUE) -> str:
    if len(text) > limit:
        raise AdapterError(f"{what} is longer than {limit} characters")
    return text
