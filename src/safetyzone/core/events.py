"""The one typed, versioned Event that every adapter produces and every domain consumes.

An adapter turns bytes into an ``EventIn`` (what the device said); the intake adds who sent
it, where it belongs and when it arrived, giving an ``Event``. Payloads are typed per kind
(a discriminated union), so no consumer reads ``dict[str, Any]`` by string keys.

Schema changes add a new ``schema_version`` literal; consumers keep reading the old ones.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from safetyzone.core.geo import in_thailand
from safetyzone.core.text import Inbound


class EventKind(enum.StrEnum):
    SOS_PRESS = "sos.press"
    ALARM = "alarm"
    GPS_POSITION = "gps.position"
    PLATE_READ = "plate.read"
    DEVICE_STATUS = "device.status"
    CITIZEN_REPORT = "citizen.report"


class AlarmCategory(enum.StrEnum):
    PANIC = "panic"
    HOLD_UP = "hold_up"
    DURESS = "duress"
    BURGLARY = "burglary"
    FIRE = "fire"
    MEDICAL = "medical"
    TAMPER = "tamper"
    TEST = "test"
    RESTORE = "restore"
    OPEN = "open"
    CLOSE = "close"
    TROUBLE = "trouble"
    OTHER = "other"


class DeviceState(enum.StrEnum):
    HEARTBEAT = "heartbeat"
    ONLINE = "online"
    OFFLINE = "offline"
    TAMPER = "tamper"
    LAMP_FAILURE = "lamp_failure"
    LOW_BATTERY = "low_battery"
    FAULT = "fault"
    RESTORED = "restored"


class _Strict(Inbound):
    """What a device sends: strict shapes, and only text every backend can store."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Location(_Strict):
    lat: float = Field(ge=-90, le=90, allow_inf_nan=False)
    lon: float = Field(ge=-180, le=180, allow_inf_nan=False)
    accuracy_m: float | None = Field(None, ge=0, le=100_000)

    @model_validator(mode="before")
    @classmethod
    def _name_swapped_axes(cls, data: Any) -> Any:
        """Say "swapped" for the most common typo instead of "lat must be <= 90"."""
        if isinstance(data, dict):
            lat, lon = data.get("lat"), data.get("lon")
            if (isinstance(lat, int | float) and isinstance(lon, int | float)
                    and not in_thailand(lon, lat) and in_thailand(lat, lon)):
                raise ValueError(f"latitude and longitude look swapped: ({lat}, {lon}) lies in "
                                 f"Thailand as (lat={lon}, lon={lat})")
        return data


class SosPayload(_Strict):
    button: str | None = Field(None, max_length=64, description="Which button, if several.")
    message: str | None = Field(None, max_length=500)


class AlarmPayload(_Strict):
    category: AlarmCategory
    code: str = Field(max_length=16, description="The panel's code: SIA 'PA', CID '120'...")
    protocol: str = Field(max_length=32, description="e.g. SIA-DCS, ADM-CID, http.")
    account: str | None = Field(None, max_length=32)
    zone: str | None = Field(None, max_length=32)
    partition: str | None = Field(None, max_length=32)
    text: str | None = Field(None, max_length=500)


class GpsPayload(_Strict):
    speed_mps: float | None = Field(None, ge=0, le=150)
    heading_deg: float | None = Field(None, ge=0, le=360)
    altitude_m: float | None = Field(None, ge=-500, le=10_000)
    battery_pct: float | None = Field(None, ge=0, le=100)
    hdop: float | None = Field(None, ge=0, le=100)
    alarm: str | None = Field(None, max_length=32, description="e.g. 'sos' from a phone.")
    attributes: dict[str, str | float | int | bool] = Field(default_factory=dict)


class PlatePayload(_Strict):
    plate: str = Field(min_length=1, max_length=32, description="As read by the camera.")
    plate_normalized: str = Field(min_length=1, max_length=32)
    province: str | None = Field(None, max_length=64)
    confidence: float | None = Field(None, ge=0, le=100)
    direction: str | None = Field(None, max_length=16)
    image_ref: str | None = Field(None, max_length=500)


class StatusPayload(_Strict):
    state: DeviceState
    detail: str | None = Field(None, max_length=500)


class CitizenPayload(_Strict):
    category: str = Field(max_length=64)
    text: str = Field(max_length=4000)
    channel: str = Field(max_length=32, description="line, web, app, phone...")
    reporter_ref: str | None = Field(None, max_length=128)


class _EventInBase(_Strict):
    schema_version: Literal[1] = 1
    device_event_id: str = Field(
        min_length=1, max_length=128, pattern=r"^[^\x00-\x1f\x7f]+$",
        description="The device's own id for this event; retries reuse it (idempotency).",
    )
    event_time: AwareDatetime = Field(description="When the device says it happened.")
    location: Location | None = None


class SosIn(_EventInBase):
    kind: Literal[EventKind.SOS_PRESS]
    payload: SosPayload = Field(default_factory=SosPayload)


class AlarmIn(_EventInBase):
    kind: Literal[EventKind.ALARM]
    payload: AlarmPayload


class GpsIn(_EventInBase):
    kind: Literal[EventKind.GPS_POSITION]
    location: Location
    payload: GpsPayload = Field(default_factory=GpsPayload)


class PlateIn(_EventInBase):
    kind: Literal[EventKind.PLATE_READ]
    payload: PlatePayload


class StatusIn(_EventInBase):
    kind: Literal[EventKind.DEVICE_STATUS]
    payload: StatusPayload


class CitizenIn(_EventInBase):
    kind: Literal[EventKind.CITIZEN_REPORT]
    payload: CitizenPayload


EventIn = Annotated[
    SosIn | AlarmIn | GpsIn | PlateIn | StatusIn | CitizenIn, Field(discriminator="kind")
]
Payload = SosPayload | AlarmPayload | GpsPayload | PlatePayload | StatusPayload | CitizenPayload


class Event(BaseModel):
    """An accepted event: what the device said plus who sent it and when it arrived.

    Not an ``Inbound``: it is built by the intake from an already checked ``EventIn``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: Literal[1] = 1
    id: uuid.UUID
    seq: int = Field(description="Position in the durable inbox; cursors count in it.")
    kind: EventKind
    station_id: uuid.UUID
    device_id: uuid.UUID
    source_asset_id: uuid.UUID | None = Field(None, description="The asset that sent it.")
    source_unit_id: uuid.UUID | None = Field(None, description="The patrol unit that sent it.")
    device_event_id: str
    event_time: datetime
    received_at: datetime
    location: Location | None = None
    payload: Payload

    @property
    def subject(self) -> str:
        """The bus subject: ``ssz.<station>.<kind>``."""
        return f"ssz.{self.station_id}.{self.kind.value}"
