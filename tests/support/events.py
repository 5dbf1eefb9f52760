"""The one sanity check every decoded event passes, whatever adapter produced it."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from pydantic import TypeAdapter

from safetyzone.core.events import EventIn

_EVENT = TypeAdapter(EventIn)
_EARLIEST = datetime.fromisoformat("2000-01-01T00:00:00+00:00")


def assert_valid_event(
    event: EventIn,
    *,
    reference: datetime | None = None,
    window: timedelta = timedelta(hours=1),
) -> None:
    """Check an adapter's event: schema, coordinates, time, and a usable device event id.

    ``reference`` is when the event was received; its time must lie within ``window`` of it.
    Without one, the time only has to be after 2000 and not far in the future.
    """
    again = _EVENT.validate_python(event.model_dump())
    assert again == event, "event does not survive a dump and re-validation"
    assert event.device_event_id.strip(), "empty device_event_id"
    assert len(event.device_event_id) <= 128
    assert event.device_event_id.isprintable()
    offset = event.event_time.utcoffset()
    assert offset is not None, "event_time must be timezone-aware"
    if reference is None:
        assert _EARLIEST <= event.event_time <= datetime.now(event.event_time.tzinfo) + window
    else:
        assert abs(event.event_time - reference) <= window, (
            f"event_time {event.event_time} is more than {window} from {reference}"
        )
    if event.location is not None:
        lat, lon = event.location.lat, event.location.lon
        assert math.isfinite(lat) and math.isfinite(lon)
        assert -90 <= lat <= 90 and -180 <= lon <= 180
        assert not (lat == 0 and lon == 0), "0,0 is a missing fix, not a place"
