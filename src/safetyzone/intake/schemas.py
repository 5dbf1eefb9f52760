"""Device credentials in and out of the API."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from safetyzone.core.text import Inbound
from safetyzone.intake.models import Protocol, SubjectKind


class CredentialCreate(Inbound):
    model_config = ConfigDict(extra="forbid")
    station_code: str
    subject_kind: SubjectKind
    subject_id: uuid.UUID | None = Field(None, description="The asset or unit; none for gateways.")
    label: str = Field(min_length=1, max_length=200)
    protocol: Protocol | None = Field(
        None, description="For devices that speak their own protocol instead of our JSON; "
        "a gateway must name one (it may send only that protocol's event kinds).")
    external_id: str | None = Field(
        None, min_length=1, max_length=64, pattern=r"^[\x21-\x7e]+$",
        description="The device's id in that protocol: SIA account, tracker id, camera serial.")
    protocol_key: SecretStr | None = Field(
        None, description="SIA DC-09 AES key: 32/48/64 hex digits or 16/24/32 characters.")


class CredentialRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    key_id: str
    station_id: uuid.UUID
    subject_kind: SubjectKind
    subject_id: uuid.UUID | None
    label: str
    created_at: datetime
    rotated_at: datetime | None
    previous_valid_until: datetime | None
    revoked_at: datetime | None
    protocol: Protocol | None = None
    external_id: str | None = None


class IssuedRead(CredentialRead):
    token: str = Field(description="Shown once: type it into the device now.")
