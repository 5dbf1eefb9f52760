"""OpenALPR / Rekor Scout agent webhooks: ``alpr_results`` (one frame) and ``alpr_group``.

Shapes from OpenALPR's ``doc/source/alprd.rst`` (openalpr/openalpr) and a Rekor Scout agent
2.8 webhook: every plate read becomes one PlateIn.

=================================  =================================  =====================
``alpr_results`` (also no          ``alpr_group``                     becomes
``data_type``: open-source alprd)
=================================  =================================  =====================
``results[i].plate``               ``best_plate.plate``               plate
                                   (else ``best_plate_number``)
``results[i].confidence``          ``best_plate.confidence``          confidence (0-100)
                                   (else ``best_confidence``)
``results[i].region``              ``best_plate.region``              province (``th-NN``
                                   (else ``best_region``)             -> ISO ``TH-NN``)
``epoch_time`` (per result if      ``epoch_start``                    event_time: ms; below
present)                                                              1e11 read as seconds
``uuid`` + ``#i``                  ``best_uuid`` (else ``uuids[0]``)  device_event_id, image
``camera_id``                      ``camera_id``                      camera id
``gps_latitude/longitude``         same                               location (0,0: none)
-                                  ``travel_direction`` (degrees)     direction ``bearing:N``
=================================  =================================  =====================

Images stay on the agent (``http://<agent>:8355/img/<uuid>.jpg``), so ``image_ref`` is
``openalpr:<uuid>``. ``heartbeat`` and other non-plate types raise AdapterError with code
``not-a-plate-read``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from safetyzone.adapters.errors import (
    NOT_A_READ,
    AdapterError,
    json_number,
    load_json_object,
    quote,
)
from safetyzone.adapters.lpr.plate_event import PlateRead, location_or_none, to_plate_in
from safetyzone.core.events import Location, PlateIn

MAX_BODY = 4 * 1_048_576
MAX_RESULTS = 100
SECONDS_BELOW = 100_000_000_000  # epoch ms is past this since 1973; older docs send seconds
_THAI_REGION = re.compile(r"th-?([0-9]{2})", re.IGNORECASE)


@dataclass(frozen=True)
class OpenAlprRead:
    """One plate read plus the agent's own identifiers, which PlateIn has no place for."""

    event: PlateIn
    camera_id: str | None
    agent_uid: str | None
    site_id: str | None
    vehicle: dict[str, str]


def decode_openalpr(body: bytes, *, received_at: datetime) -> list[PlateIn]:
    """Translate an OpenALPR/Rekor webhook into PlateIns; AdapterError if unusable."""
    return [read.event for read in read_openalpr(body, received_at=received_at)]


def read_openalpr(body: bytes, *, received_at: datetime) -> list[OpenAlprRead]:
    """Like :func:`decode_openalpr`, plus camera, agent, site and best vehicle guesses."""
    root = load_json_object(body, max_bytes=MAX_BODY)
    data_type = root.get("data_type")
    if data_type == "alpr_group":
        reads = [_group(root, received_at)]
    elif data_type == "alpr_results" or (data_type is None and "results" in root):
        reads = _results(root, received_at)
    else:
        raise AdapterError(f"data_type {quote(str(data_type))} carries no plate read",
                           code=NOT_A_READ)
    camera_id, agent_uid, site_id = (_text(root.get(key)) for key in
                                     ("camera_id", "agent_uid", "site_id"))
    vehicle = _vehicle(root.get("vehicle"))
    return [
        OpenAlprRead(to_plate_in(read, received_at=received_at), camera_id, agent_uid,
                     site_id, vehicle)
        for read in reads
    ]


def _group(root: dict[str, Any], received_at: datetime) -> PlateRead:
    best = root.get("best_plate")
    best = best if isinstance(best, dict) else {}
    plate = _text(best.get("plate")) or _text(root.get("best_plate_number"))
    if plate is None:
        raise AdapterError("alpr_group has no best_plate.plate nor best_plate_number")
    uuids = root.get("uuids")
    first_uuid = _text(uuids[0]) if isinstance(uuids, list) and uuids else None
    uuid = _text(root.get("best_uuid")) or first_uuid
    confidence = best.get("confidence", root.get("best_confidence"))
    return PlateRead(
        source="openalpr",
        plate=plate,
        event_time=_epoch(root.get("epoch_start"), received_at),
        province=_region(_text(best.get("region")) or _text(root.get("best_region"))),
        confidence=_number(confidence, "best_plate.confidence"),
        direction=_bearing(root.get("travel_direction")),
        image_ref=f"openalpr:{uuid}" if uuid else None,
        camera_event_id=uuid,
        camera_id=_text(root.get("camera_id")),
        location=_location(root),
    )


def _results(root: dict[str, Any], received_at: datetime) -> list[PlateRead]:
    results = root.get("results")
    if not isinstance(results, list) or not results:
        raise AdapterError("alpr_results has no results", code=NOT_A_READ)
    if len(results) > MAX_RESULTS:
        raise AdapterError(f"more than {MAX_RESULTS} results in one frame")
    uuid = _text(root.get("uuid"))
    reads = []
    for index, result in enumerate(results):
        if not isinstance(result, dict):
            raise AdapterError(f"results[{index}] is not an object")
        plate = _text(result.get("plate"))
        if plate is None:
            raise AdapterError(f"results[{index}] has no plate")
        reads.append(PlateRead(
            source="openalpr",
            plate=plate,
            event_time=_epoch(result.get("epoch_time", root.get("epoch_time")), received_at),
            province=_region(_text(result.get("region"))),
            confidence=_number(result.get("confidence"), f"results[{index}].confidence"),
            image_ref=f"openalpr:{uuid}" if uuid else None,
            camera_event_id=f"{uuid}#{index}" if uuid else None,
            camera_id=_text(root.get("camera_id")),
            location=_location(root),
        ))
    return reads


def _text(value: object) -> str | None:
    """A JSON string or integer as text (camera ids are numbers); anything else None."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    text = str(value).strip()
    return text[:128] or None


def _number(value: object, what: str) -> float | None:
    if value is None:
        return None
    return json_number(value, what)


def _epoch(value: object, received_at: datetime) -> datetime:
    """Epoch ms (seconds when small, as in the open-source alprd docs); none: received_at."""
    number = _number(value, "epoch time")
    if number is None:
        return received_at
    millis = number * 1000 if abs(number) < SECONDS_BELOW else number
    try:
        return datetime.fromtimestamp(millis / 1000, tz=UTC)
    except (OverflowError, OSError, ValueError) as err:
        raise AdapterError(f"epoch time {number:g} is out of range") from err


def _region(region: str | None) -> str | None:
    """OpenALPR region: ``th-10`` becomes ISO ``TH-10``; other regions are kept as sent."""
    if region is None:
        return None
    match = _THAI_REGION.fullmatch(region)
    return f"TH-{match[1]}" if match else region


def _bearing(value: object) -> str | None:
    """Travel direction in degrees as ``bearing:N``; missing, negative or junk: None."""
    try:
        degrees = json_number(value, "travel_direction")
    except AdapterError:
        return None
    return f"bearing:{round(degrees) % 360}" if degrees >= 0 else None


def _location(root: dict[str, Any]) -> Location | None:
    """The agent's configured position; missing, junk or 0,0: None (never fails the read)."""
    try:
        lat = json_number(root.get("gps_latitude"), "gps_latitude")
        lon = json_number(root.get("gps_longitude"), "gps_longitude")
    except AdapterError:
        return None
    return location_or_none(lat, lon)


def _vehicle(vehicle: object) -> dict[str, str]:
    """The top guess per vehicle attribute (color, make, make_model, body_type, year)."""
    if not isinstance(vehicle, dict):
        return {}
    best: dict[str, str] = {}
    for key, guesses in vehicle.items():
        if isinstance(guesses, list) and guesses and isinstance(guesses[0], dict):
            name = _text(guesses[0].get("name"))
            if name:
                best[str(key)[:32]] = name
    return best
