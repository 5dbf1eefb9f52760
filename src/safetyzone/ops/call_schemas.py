"""Shapes of an incident entered by hand (a 191 transfer, a phone call, a walk-in, the radio,
the station counter) and of the lists the entry form picks from."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, model_validator

from safetyzone.core.text import Inbound
from safetyzone.ops.calltypes import CallSource
from safetyzone.ops.schemas import IncidentRead

# A Thai phone number as people say it: 0 and 8-9 digits, or +66 and 8-9 digits;
# spaces and dashes are dropped before the check.
THAI_PHONE = r"^(0|\+66)[0-9]{8,9}$"


class CallerIn(Inbound):
    model_config = ConfigDict(extra="forbid")
    anonymous: bool = Field(False, description="The caller did not want to be named.")
    name: str | None = Field(None, min_length=1, max_length=200)
    phone: str | None = Field(None, min_length=9, max_length=20)
    notice_given: bool = Field(
        False, description="The PDPA notice (what is kept, why, for how long) was read to the "
        "caller. Required before a name or phone is recorded.")

    @model_validator(mode="after")
    def _consistent(self) -> CallerIn:
        if self.phone is not None:
            self.phone = self.phone.replace(" ", "").replace("-", "")
        if self.anonymous and (self.name or self.phone):
            raise ValueError("an anonymous caller has no name or phone")
        return self


class AddressIn(Inbound):
    """A place by Thai address: the three levels must exist together in the address list."""

    model_config = ConfigDict(extra="forbid")
    province: str = Field(min_length=1, max_length=100)
    district: str = Field(min_length=1, max_length=100)
    sub_district: str = Field(min_length=1, max_length=100)
    line: str | None = Field(None, max_length=300,
                             description="House number, village (หมู่), soi, road.")


class CallIn(Inbound):
    model_config = ConfigDict(extra="forbid")
    station_code: str = Field(min_length=1, max_length=64)
    source: CallSource
    external_ref: str | None = Field(
        None, min_length=1, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9/_.-]*$",
        description="The 191 centre's case number (required for a 191 transfer).")
    received_at: datetime | None = Field(
        None, description="When the call came in (default: now); at most 24 h ago.")
    call_type: str = Field(min_length=1, max_length=32)
    priority: int | None = Field(None, ge=1, le=5,
                                 description="Default: the call type's priority.")
    description: str = Field(min_length=1, max_length=2000)
    caller: CallerIn | None = None
    address: AddressIn | None = None
    landmark: str | None = Field(None, min_length=1, max_length=200)
    landmark_asset_code: str | None = Field(
        None, min_length=1, max_length=64,
        description="A point of the station (SOS pole, red box, post...) the caller is near: "
        "its position becomes the incident's.")
    lat: float | None = Field(None, ge=5.0, le=21.0)
    lon: float | None = Field(None, ge=97.0, le=106.0)

    @model_validator(mode="after")
    def _where(self) -> CallIn:
        if (self.lat is None) != (self.lon is None):
            raise ValueError("give both lat and lon, or neither")
        if (self.lat is None and self.address is None and self.landmark is None
                and self.landmark_asset_code is None):
            raise ValueError("say where: an address, a landmark or a point on the map")
        return self


class CallRead(BaseModel):
    """The call behind an incident; the caller's name and phone only for those who act."""

    model_config = ConfigDict(from_attributes=True)
    incident_id: uuid.UUID
    source: CallSource
    external_ref: str | None
    received_at: datetime
    taken_by: str
    caller_anonymous: bool
    caller_name: str | None = None
    caller_phone: str | None = None
    notice_version: str | None
    caller_erased_at: datetime | None


class CallCreated(BaseModel):
    incident: IncidentRead
    call: CallRead


class Named(BaseModel):
    key: str
    th: str
    en: str


class CallTypeRead(Named):
    group: str
    priority: int


class CallCatalog(BaseModel):
    """Everything the entry form offers, in Thai and English."""

    sources: list[Named]
    groups: list[Named]
    types: list[CallTypeRead]
    notice_th: str
    notice_en: str
    notice_version: str


class SubDistrictRead(BaseModel):
    name: str
    postcodes: list[str]


class AddressLevel(BaseModel):
    """One level of the address picker: the names under the level above."""

    names: list[str] = []
    sub_districts: list[SubDistrictRead] = []
