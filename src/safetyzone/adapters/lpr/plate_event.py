"""One PlateIn from what a plate reader said: the last step every LPR decoder shares.

Plate text: Thai plates are folded by :func:`thai_plate.normalize_plate`; any other plate
(a Malaysian car at the border, a test plate) is kept as upper-case letters and digits
without separators, so it can still hit a hotlist. ``PlatePayload.province`` carries the
ISO 3166-2:TH code when the province is known, otherwise the camera's own text.

``device_event_id``: ``<source>:<camera's own event id>`` when the camera sends one (a retry
re-sends it), else ``<source>:<camera id or ->:<canonical plate>:<event time in ms>``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from pydantic import ValidationError

from safetyzone.adapters.errors import (
    AdapterError,
    check_event_time,
    check_finite,
    check_range,
    epoch_ms,
    event_id,
    quote,
)
from safetyzone.adapters.lpr.thai_plate import find_province, normalize_plate
from safetyzone.core.events import EventKind, Location, PlateIn, PlatePayload

_OTHER_PLATE = re.compile(r"[0-9A-Z]{2,16}")
_NOT_ALNUM = re.compile(r"[^0-9A-Za-z]")


@dataclass(frozen=True)
class PlateRead:
    """The fields a decoder pulled out of one read, before the shared rules apply."""

    source: str
    plate: str
    event_time: datetime
    province: str | None = None
    province_code: str | None = None
    confidence: float | None = None
    direction: str | None = None
    image_ref: str | None = None
    camera_event_id: str | None = None
    camera_id: str | None = None
    location: Location | None = None


def plate_key(text: str, province: str | None = None) -> tuple[str, str | None]:
    """Canonical plate and ISO province code: Thai rules first, then plain letters+digits."""
    try:
        normalized = normalize_plate(text, province)
    except AdapterError as thai_error:
        other = _NOT_ALNUM.sub("", unicodedata.normalize("NFKC", text[:64])).upper()
        if not _OTHER_PLATE.fullmatch(other):
            raise thai_error from None
        found = find_province(province) if province else None
        return other, found.code if found else None
    return normalized.canonical, normalized.province_code


def to_plate_in(read: PlateRead, *, received_at: datetime) -> PlateIn:
    """Apply the shared checks and build the PlateIn; AdapterError with the reason if not."""
    plate = read.plate.strip()
    if not plate or len(plate) > 32:
        raise AdapterError(f"plate text {quote(read.plate)} is empty or longer than 32")
    canonical, province_code = plate_key(plate, read.province)
    province_code = read.province_code or province_code
    province = province_code or (read.province.strip()[:64] if read.province else None) or None
    when = check_event_time(read.event_time, received_at=received_at)
    confidence = read.confidence
    if confidence is not None:
        check_range(check_finite(confidence, "confidence"), "confidence", 0, 100)
    direction = (read.direction or "").strip().lower() or None
    if direction is not None and len(direction) > 16:
        raise AdapterError(f"direction {quote(direction)} is longer than 16 characters")
    if read.camera_event_id:
        device_event_id = event_id(read.source, read.camera_event_id.strip())
    else:
        device_event_id = event_id(
            read.source, read.camera_id or "-", canonical, str(epoch_ms(when))
        )
    try:
        return PlateIn(
            kind=EventKind.PLATE_READ,
            device_event_id=device_event_id,
            event_time=when,
            location=read.location,
            payload=PlatePayload(
                plate=plate, plate_normalized=canonical, province=province,
                confidence=confidence, direction=direction, image_ref=read.image_ref,
            ),
        )
    except ValidationError as err:
        raise AdapterError(f"plate read is not valid: {err.errors()[0]['msg']}") from err


def location_or_none(lat: float, lon: float) -> Location | None:
    """A camera's configured position; 0,0 (never set) and out-of-range values become None."""
    if (lat == 0 and lon == 0) or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return Location(lat=lat, lon=lon)
