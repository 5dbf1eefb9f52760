"""The one exception every adapter raises, and the few guards all decoders share.

``AdapterError(reason)`` means "this input cannot be translated into an Event"; ``reason``
is written for the person reading the log or the problem+json body. It subclasses
:class:`safetyzone.core.errors.InvalidInput`, so the web layer answers it with 422 like any
other bad input. A decoder never lets any other exception out: library errors (XML, JSON,
pydantic, multipart) are caught where the library is used and re-raised as ``AdapterError``.

``code`` tells apart the one case a server may want to acknowledge without storing:
``NOT_A_READ`` (a camera heartbeat, an event type that carries no plate).

``UnusableFix`` (an ``AdapterError``) is input that parsed but that the server will not use:
a position of 0,0 (no fix) or a device clock that cannot be right. Trackers buffer such a
fix and resend it until it is accepted, so gateways answer it as received (and record the
``reason`` on the device's health page) instead of refusing it, which would jam the queue.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from safetyzone.core.errors import InvalidInput

NOT_A_READ = "not-a-plate-read"

# Plain decimal numbers only: float() alone would also take "nan", "1_000" and Thai digits.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?")
# Event times outside this window are a wrong device clock (GPS week roll-over, 1970 epoch).
EARLIEST_EVENT = datetime(2000, 1, 1, tzinfo=UTC)
MAX_CLOCK_AHEAD = timedelta(days=1)
MAX_EVENT_ID = 128


@dataclass
class AdapterError(InvalidInput):
    """A device or camera sent something that cannot become an Event; ``detail`` says why."""

    code: str = "device-input-rejected"


@dataclass
class UnusableFix(AdapterError):
    """Parsed, but not a position the server can use; ``reason`` is a metrics-safe slug."""

    code: str = "device-input-unusable"
    reason: str = "unusable"
    device_id: str | None = None
    """The id the device sent it under, when the decoder had read it (for the health page)."""


NO_FIX = "no_fix"
CLOCK_WRONG = "clock_wrong"
BAD_POSITION = "bad_position"


def parse_number(text: str, what: str) -> float:
    """A finite decimal number from device text, or AdapterError naming ``what``."""
    cleaned = text.strip()
    if len(cleaned) > 40 or not _NUMBER.fullmatch(cleaned):
        raise AdapterError(f"{what} must be a number, got {quote(text)}")
    return check_finite(float(cleaned), what)


def check_finite(value: float, what: str) -> float:
    """Refuse NaN and infinities, which JSON and pydantic would otherwise carry along."""
    if not math.isfinite(value):
        raise AdapterError(f"{what} must be a finite number, got {value!r}")
    return value


def json_number(value: object, what: str) -> float:
    """A finite number from parsed JSON: not a bool, a string, or an int too big for float."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise AdapterError(f"{what} must be a number, got {quote(repr(value))}")
    try:
        number = float(value)
    except OverflowError as err:
        raise AdapterError(f"{what} is far too large") from err
    return check_finite(number, what)


def check_range(value: float, what: str, low: float, high: float) -> float:
    """Refuse a value outside ``[low, high]`` with a reason that names the field."""
    if not low <= value <= high:
        raise AdapterError(f"{what} {value:g} is out of range ({low:g} to {high:g})")
    return value


def check_position(lat: float, lon: float) -> tuple[float, float]:
    """Latitude/longitude ranges, and no 0,0: that is a tracker without a fix, not a place.

    Both are ``UnusableFix``: the message parsed, so a tracker is answered and not left
    resending the same fix forever.
    """
    try:
        check_range(check_finite(lat, "latitude"), "latitude", -90, 90)
        check_range(check_finite(lon, "longitude"), "longitude", -180, 180)
    except UnusableFix:
        raise
    except AdapterError as err:
        raise UnusableFix(err.detail, reason=BAD_POSITION) from err
    if lat == 0 and lon == 0:
        raise UnusableFix("position 0,0 ('null island') means the device had no fix",
                          reason=NO_FIX)
    return lat, lon


def check_event_time(when: datetime, *, received_at: datetime) -> datetime:
    """Refuse a device time before 2000 or more than a day ahead of our clock (UnusableFix)."""
    if when.tzinfo is None:
        raise AdapterError("event time has no time zone")
    try:
        plausible = EARLIEST_EVENT <= when <= received_at + MAX_CLOCK_AHEAD
        utc = when.astimezone(UTC)
    except OverflowError:  # year 1 or 9999 shifted by its offset
        plausible = False
    if not plausible:
        raise UnusableFix(
            f"event time {when.isoformat()} is not plausible (before 2000 or more than a day "
            "ahead of the server clock): the device clock is wrong", reason=CLOCK_WRONG)
    return utc


def epoch_ms(when: datetime) -> int:
    """Milliseconds since 1970 of an aware datetime, for deterministic event ids."""
    return round(when.timestamp() * 1000)


def event_id(*parts: str) -> str:
    """Join parts into a device_event_id; hash when too long so it stays deterministic."""
    if not all(part.isprintable() for part in parts):
        raise AdapterError("an id from the device contains control characters")
    joined = ":".join(parts)
    if len(joined) <= MAX_EVENT_ID:
        return joined
    digest = hashlib.sha256(joined.encode("utf-8", "surrogatepass")).hexdigest()
    return f"{parts[0]}:sha256:{digest}"


def quote(text: str, limit: int = 40) -> str:
    """Quote device text for an error message without echoing a megabyte back."""
    return repr(text if len(text) <= limit else text[:limit] + "...")


def load_json_object(body: bytes, *, max_bytes: int) -> dict[str, Any]:
    """Parse a JSON object body; NaN/Infinity literals, deep nesting and junk refused."""
    if len(body) > max_bytes:
        raise AdapterError(f"body is larger than {max_bytes} bytes")
    try:
        root = json.loads(body, parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as err:
        raise AdapterError("body is not valid JSON") from err
    if not isinstance(root, dict):
        raise AdapterError("JSON body must be an object")
    return root


def _refuse_constant(name: str) -> float:
    raise AdapterError(f"JSON {name} is not a number")
