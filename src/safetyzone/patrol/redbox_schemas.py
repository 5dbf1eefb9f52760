"""Pydantic shapes of the red box API: the officer's check-in and the console's views."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from safetyzone.assets.models import AssetStatus
from safetyzone.core.text import Inbound
from safetyzone.patrol.redbox_codes import KeyMode
from safetyzone.patrol.redbox_texts import Reason

CODE_FIELD_CHARS = 16_384
"""What the route reads of ``code``. A red box code is at most 512 characters; a longer text
(another QR scanned by mistake, a probe) is still recorded, as a forged attempt, so the
station sees it; only beyond this is the body refused unread."""


class CheckInIn(Inbound):
    """What the officer app sends after scanning a red box (queued in a dead spot)."""

    model_config = ConfigDict(extra="forbid")
    code: str = Field(min_length=1, max_length=CODE_FIELD_CHARS,
                      description="The scanned QR text, verbatim.")
    scanned_at: AwareDatetime = Field(description="When the phone scanned it (phone clock).")
    lat: float = Field(ge=-90, le=90, allow_inf_nan=False)
    lon: float = Field(ge=-180, le=180, allow_inf_nan=False)
    accuracy_m: float = Field(ge=0, le=100_000, allow_inf_nan=False,
                              description="The GPS fix's accuracy radius (metres).")


class BoxRef(BaseModel):
    id: uuid.UUID
    code: str
    name_th: str
    name_en: str


class CheckInRead(BaseModel):
    """An accepted check-in, as the officer app shows it (201)."""

    id: uuid.UUID
    accepted: bool
    box: BoxRef
    distance_m: float | None
    at: datetime = Field(description="When it was scanned.")
    message_th: str
    message_en: str


class CheckInRefusal(BaseModel):
    """The extra members of a refused check-in's 422 problem+json (it is recorded too)."""

    reason: Reason
    message_th: str
    message_en: str
    checkin_id: uuid.UUID


class CheckInRow(BaseModel):
    """One attempt, accepted or refused, as the console lists it."""

    id: uuid.UUID
    station_code: str | None
    box: BoxRef | None
    unit_id: uuid.UUID | None
    username: str
    scanned_at: datetime
    received_at: datetime
    lat: float
    lon: float
    accuracy_m: float
    distance_m: float | None
    accepted: bool
    reason: Reason | None
    message_th: str
    message_en: str
    photo_url: str | None


class RedBoxRead(BaseModel):
    id: uuid.UUID
    code: str
    name_th: str
    name_en: str
    lat: float
    lon: float
    station_code: str
    status: AssetStatus
    mode: KeyMode | None = Field(description="None: no key yet (check-ins are refused).")
    key_version: int | None
    last_checkin_at: datetime | None = Field(description="Last accepted check-in.")


class KeyIn(Inbound):
    model_config = ConfigDict(extra="forbid")
    mode: KeyMode


class KeyIssued(BaseModel):
    """A box's new key. The otpauth URI is shown this once: the secret is never read out
    again (a lost screen gets a new key)."""

    mode: KeyMode
    version: int
    otpauth_uri: str | None = Field(None, description="Rotating mode: provision the screen.")
    payload_prefix: str | None = Field(
        None, description="Rotating mode: what the screen shows before the 8-digit code.")


class PhotoAttached(BaseModel):
    photo_url: str
