"""A plain JSON plate read, for cameras and bridges that can be told what to POST.

==================  =========================  ===========================================
field               type                       notes
==================  =========================  ===========================================
plate               text, 1-32 (required)      as read; Thai rules fold it (``1กข1234``)
province            text, up to 64             Thai or English name, or ISO ``TH-NN``
confidence          number 0-100               camera's own score
direction           text, up to 16             ``in``, ``out``, ``forward``... (lower-cased)
event_time          ISO 8601 with offset       none: ``received_at``; no offset: refused
camera_event_id     text, 1-100                the camera's id for the read (idempotency)
image_url           http(s) URL, up to 500     kept as ``image_ref``
==================  =========================  ===========================================

Unknown fields are refused (``extra="forbid"``), and so are strings where numbers belong.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from safetyzone.adapters.errors import AdapterError
from safetyzone.adapters.lpr.plate_event import PlateRead, to_plate_in
from safetyzone.core.events import PlateIn

MAX_BODY = 65_536


class GenericPlateRead(BaseModel):
    """The body a generic plate reader POSTs."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    plate: str = Field(min_length=1, max_length=32)
    province: str | None = Field(None, max_length=64)
    confidence: float | None = Field(None, ge=0, le=100, allow_inf_nan=False)
    direction: str | None = Field(None, max_length=16)
    event_time: AwareDatetime | None = None
    camera_event_id: str | None = Field(None, min_length=1, max_length=100)
    image_url: str | None = Field(None, max_length=500, pattern=r"^https?://\S+$")


def decode_generic(
    body: bytes, *, received_at: datetime, camera_id: str | None = None
) -> PlateIn:
    """Translate a generic JSON plate read into a PlateIn; AdapterError if unusable.

    ``camera_id`` (from the route or credentials) only enters the fallback event id.
    """
    if len(body) > MAX_BODY:
        raise AdapterError(f"body is larger than {MAX_BODY} bytes")
    try:
        read = GenericPlateRead.model_validate_json(body)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "body"
        raise AdapterError(f"{where}: {first['msg']}") from err
    return to_plate_in(
        PlateRead(
            source="generic",
            plate=read.plate,
            event_time=read.event_time or received_at,
            province=read.province,
            confidence=read.confidence,
            direction=read.direction,
            image_ref=read.image_url,
            camera_event_id=read.camera_event_id,
            camera_id=camera_id,
        ),
        received_at=received_at,
    )
