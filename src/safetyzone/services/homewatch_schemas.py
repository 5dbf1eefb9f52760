"""Pydantic shapes of home watch: what the public app sends and reads, what the station and
the officer's phone read and send. Requests forbid unknown fields and bound every string."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from safetyzone.citizen.schemas import ClientKey, LocationIn, Phone
from safetyzone.core.text import Inbound
from safetyzone.services.homewatch_models import Finding, WatchState

HOMEWATCH_CODE_PATTERN = r"^H-[0-9A-HJKMNP-TV-Z]{8}$"
HomeWatchCode = Annotated[str, Field(min_length=10, max_length=10,
                                     pattern=HOMEWATCH_CODE_PATTERN)]


class _In(Inbound):
    model_config = ConfigDict(extra="forbid")


class ContactIn(_In):
    name: str = Field(min_length=1, max_length=100)
    phone: Phone
    relation: str | None = Field(None, max_length=50,
                                 description="e.g. ลูก, เพื่อนบ้าน (child, neighbour)")


class HomeWatchConsentIn(_In):
    accepted: Literal[True]
    version: str = Field(min_length=1, max_length=32)


class HomeWatchIn(_In):
    client_key: ClientKey
    address: str = Field(min_length=5, max_length=500)
    location: LocationIn = Field(description="The house's pin on the map.")
    away_from: AwareDatetime
    away_until: AwareDatetime
    contacts: list[ContactIn] = Field(min_length=1, max_length=3)
    notes: str | None = Field(None, max_length=1000,
                              description="e.g. lights on a timer, a dog in the yard")
    consent: HomeWatchConsentIn


class HomeWatchTerms(BaseModel):
    consent_version: str
    consent_th: str
    consent_en: str
    max_days: int
    max_photos: int
    max_photo_bytes: int
    retain_days: int


class StationName(BaseModel):
    code: str
    name_th: str
    name_en: str


class HomeWatchCreated(BaseModel):
    code: str
    status: WatchState
    station: StationName
    follow_pin: str = Field(description="Send the code and this pin to the station's LINE "
                                        "account to hear about each visit there.")


class PublicVisit(BaseModel):
    id: uuid.UUID
    at: datetime
    finding: Finding
    note: str | None
    photo: bool


class PublicHomeWatch(BaseModel):
    code: str
    status: WatchState
    status_th: str
    status_en: str
    station: StationName
    away_from: datetime
    away_until: datetime
    decline_reason: str | None
    photos: int
    follow_pin: str
    visits: list[PublicVisit]


class ContactRead(BaseModel):
    name: str
    phone: str
    relation: str | None = None


class VisitRead(BaseModel):
    id: uuid.UUID
    request_id: uuid.UUID
    code: str
    at: datetime
    username: str
    unit_id: uuid.UUID
    distance_m: float
    accuracy_m: float
    finding: Finding
    note: str | None
    incident_id: uuid.UUID | None
    photo_url: str | None


class HomeWatchRead(BaseModel):
    """A request as the station reads it: personal data opened (HOMEWATCH_MANAGE)."""

    id: uuid.UUID
    code: str
    station_code: str
    state: WatchState
    away_from: datetime
    away_until: datetime
    lat: float | None
    lon: float | None
    address: str | None
    contacts: list[ContactRead]
    notes: str | None
    photo_urls: list[str]
    consent: dict[str, object]
    created_at: datetime
    decided_at: datetime | None
    decided_by: str | None
    decline_reason: str | None
    closed_at: datetime | None
    version: int
    visits: list[VisitRead] = Field(default_factory=list)


class DeclineIn(_In):
    reason: str = Field(min_length=3, max_length=500)


class OfficerHouse(BaseModel):
    """A house the caller's station watches now, for the visit screen."""

    id: uuid.UUID
    code: str
    address: str | None
    lat: float
    lon: float
    radius_m: float
    notes: str | None
    contacts: list[ContactRead]
    away_from: datetime
    away_until: datetime
    photo_urls: list[str]
    visits_today: int
    last_visit_at: datetime | None


class VisitIn(_In):
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    accuracy_m: float = Field(ge=0, le=100_000)
    finding: Finding
    note: str | None = Field(None, max_length=1000)


class VisitRefusal(BaseModel):
    reason: Literal["off_shift", "other_station", "not_watched", "poor_accuracy", "too_far"]
    message_th: str
    message_en: str
    distance_m: float | None = None


class PhotoAttached(BaseModel):
    photo_url: str
