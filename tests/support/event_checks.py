"""The one check every decoded event passes, whichever adapter made it.

``assert_valid_event(event, not_before=..., not_after=...)`` asserts what any consumer of an
``EventIn`` may rely on: the model re-validates from its own JSON, the time is aware and
inside the window the test passes, the idempotency key is there, a location (if any) is a
real place, and the payload is the typed one for the event's kind.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta

from pydantic import BaseModel, TypeAdapter

from safetyzone.core.events import (
    AlarmIn,
    AlarmPayload,
    CitizenIn,
    CitizenPayload,
    EventIn,
    GpsIn,
    GpsPayload,
    PlateIn,
    PlatePayload,
    SosIn,
    SosPayload,
    StatusIn,
    StatusPayload,
)

PAYLOAD_FOR: dict[type[BaseModel], type[BaseModel]] = {
    SosIn: SosPayload,
    AlarmIn: AlarmPayload,
    GpsIn: GpsPayload,
    PlateIn: PlatePayload,
    StatusIn: StatusPayload,
    CitizenIn: CitizenPayload,
}
_EVENT_IN: TypeAdapter[EventIn] = TypeAdapter(EventIn)
AnyEventIn = SosIn | AlarmIn | GpsIn | PlateIn | StatusIn | CitizenIn
_EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)


def assert_valid_event(
    event: AnyEventIn, *, not_before: datetime | None = None, not_after: datetime | None = None,
    reference: datetime | None = None, window: timedelta = timedelta(hours=1),
) -> None:
    """Fail the test unless ``event`` is a well-formed EventIn dated inside the window.

    The window is ``not_before``..``not_after``, or ``reference`` ± ``window`` (the receive
    time), or by default any time since 2000 up to ``window`` from now.
    """
    if reference is not None:
        not_before, not_after = reference - window, reference + window
    not_before = not_before or _EARLIEST
    not_after = not_after or datetime.now(UTC) + window
    assert type(event) in PAYLOAD_FOR, f"{type(event).__name__} is not an EventIn"
    again = _EVENT_IN.validate_json(event.model_dump_json())
    assert again == event, "event does not survive a JSON round trip unchanged"

    event_time = event.event_time
    assert event_time.tzinfo is not None and event_time.utcoffset() is not None, "naive time"
    assert not_before <= event_time <= not_after, (
        f"event time {event_time.isoformat()} outside {not_before.isoformat()} .. "
        f"{not_after.isoformat()}"
    )

    device_event_id = event.device_event_id
    assert isinstance(device_event_id, str) and device_event_id.strip(), "no device_event_id"
    assert len(device_event_id) <= 128 and device_event_id.isprintable()

    location = event.location
    if location is not None:
        assert math.isfinite(location.lat) and -90 <= location.lat <= 90
        assert math.isfinite(location.lon) and -180 <= location.lon <= 180
        assert (location.lat, location.lon) != (0, 0), "null island"
    if isinstance(event, GpsIn):
        assert location is not None, "a GPS event without a position"

    payload = event.payload
    assert type(payload) is PAYLOAD_FOR[type(event)], (
        f"{type(event).__name__} carries a {type(payload).__name__}"
    )
    # Everything must serialise as strict JSON: no NaN or infinity hiding in attributes.
    json.dumps(payload.model_dump(mode="json"), allow_nan=False)
    if isinstance(payload, PlatePayload):
        assert payload.plate_normalized == "".join(payload.plate_normalized.split())
