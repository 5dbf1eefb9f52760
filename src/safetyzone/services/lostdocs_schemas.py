"""Pydantic shapes of lost-document reports: what the citizen sends and reads, what the
station reads, and what a verification answers. Request models forbid unknown fields and
bound every string and list; the national ID is checked (checksum) at the edge."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from safetyzone.citizen.schemas import ClientKey, Phone
from safetyzone.core.text import Inbound
from safetyzone.core.thaiid import normalize_thai_id, thai_id_valid
from safetyzone.services.lostdocs_models import LostDocChannel, LostDocStatus
from safetyzone.services.lostdocs_texts import LostDocKind

StationCode = Annotated[str, Field(min_length=1, max_length=64,
                                   pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
LOSTDOC_CODE_PATTERN = r"^L-[0-9A-HJKMNP-TV-Z]{8}$"


class _In(Inbound):
    model_config = ConfigDict(extra="forbid")


class LostItemIn(_In):
    kind: LostDocKind
    detail: str | None = Field(
        None, min_length=1, max_length=200,
        description="Which one (bank and branch, plate, document number...); required for "
        "'other'.")

    @model_validator(mode="after")
    def _other_says_what(self) -> LostItemIn:
        if self.kind is LostDocKind.OTHER and not (self.detail or "").strip():
            raise ValueError("say what the other document is (detail)")
        return self


class LostDocIn(_In):
    client_key: ClientKey
    station_code: StationCode
    name: str = Field(min_length=2, max_length=200, description="Title, first and last name.")
    national_id: str = Field(min_length=13, max_length=17,
                             description="Thai national ID, 13 digits (dashes allowed).")
    phone: Phone
    items: list[LostItemIn] = Field(min_length=1, max_length=8)
    lost_on: date
    lost_time: str | None = Field(None, pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
    lost_where: str = Field(min_length=2, max_length=500)
    how: str = Field(min_length=2, max_length=2000)
    consent_version: str = Field(min_length=1, max_length=32)

    @field_validator("national_id")
    @classmethod
    def _checksum(cls, value: str) -> str:
        digits = normalize_thai_id(value)
        if not thai_id_valid(digits):
            raise ValueError("not a valid Thai national ID (13 digits with a right check "
                             "digit)")
        return digits

    @field_validator("name", "lost_where", "how")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        value = value.strip()
        if len(value) < 2:
            raise ValueError("must not be blank")
        return value

    @field_validator("items")
    @classmethod
    def _distinct(cls, value: list[LostItemIn]) -> list[LostItemIn]:
        kinds = [i.kind for i in value if i.kind is not LostDocKind.OTHER]
        if len(kinds) != len(set(kinds)):
            raise ValueError("each kind once (say several in its detail)")
        return value


class KindRead(BaseModel):
    kind: str
    th: str
    en: str
    detail: str | None = None


class StationRef(BaseModel):
    code: str
    name_th: str
    name_en: str


class LostDocCreated(BaseModel):
    code: str
    status: LostDocStatus
    record_no: str | None


class PublicLostDoc(BaseModel):
    """The citizen's own report (by its caller key)."""

    code: str
    status: LostDocStatus
    station: StationRef
    items: list[KindRead]
    masked_name: str
    created_at: datetime
    record_no: str | None
    issued_at: datetime | None
    revoked_at: datetime | None
    revoke_reason: str | None
    certificate_url: str | None = Field(
        None, description="Where the certificate PDF is (with the same caller key).")


class RepeatRead(BaseModel):
    code: str
    record_no: str | None
    kinds: list[str]
    created_at: datetime
    station_code: str


class LostDocRow(BaseModel):
    id: uuid.UUID
    code: str
    station_code: str
    status: LostDocStatus
    channel: LostDocChannel
    masked_name: str
    kinds: list[str]
    flagged: bool
    record_no: str | None
    created_at: datetime
    issued_at: datetime | None
    repeats: list[RepeatRead] = Field(
        description="Earlier reports of the same ID with a same document kind, within the "
        "station's window: why the report is flagged.")


class LostDocRead(LostDocRow):
    """The whole report, for the station's officers (each read is audited)."""

    name: str
    national_id: str
    phone: str
    items: list[KindRead]
    lost_on: date
    lost_time: str | None
    lost_where: str
    how: str
    issued_by: str | None
    issued_by_name: str | None
    revoked_at: datetime | None
    revoked_by: str | None
    revoke_reason: str | None


class RevokeIn(_In):
    reason: str = Field(min_length=3, max_length=500)


class LostDocSettingsIn(_In):
    station_code: StationCode
    auto_issue: bool
    repeat_days: int = Field(ge=1, le=3650)


class LostDocSettingsRead(BaseModel):
    station_code: str
    auto_issue: bool
    repeat_days: int
    is_default: bool


class LostDocCatalog(BaseModel):
    kinds: list[KindRead]
    consent_version: str
    consent_th: str
    consent_en: str


class VerifyKey(BaseModel):
    algorithm: Literal["Ed25519"] = "Ed25519"
    public_key: str = Field(description="Raw 32-byte key, base64url without padding.")
    public_key_pem: str
    message_format: str


class Verification(BaseModel):
    """What a verification may tell anyone: no ID, no phone, a masked name."""

    result: Literal["valid", "revoked", "unknown"]
    code: str
    record_no: str
    issued_on: date
    issued_on_th: str
    station: StationRef | None = None
    items: list[KindRead] = []
    masked_name: str | None = None
    revoked_on: date | None = None
    revoked_on_th: str | None = None
