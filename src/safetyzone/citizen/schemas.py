"""Pydantic shapes of the citizen domain: what the public app, LINE and the console send and
read. Every request model forbids unknown fields and bounds every string and list."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from safetyzone.citizen.media import MediaKind
from safetyzone.citizen.models import Delivery, Direction, PostKind
from safetyzone.citizen.taxonomy import (
    Channel,
    Disposition,
    ItemKind,
    ItemState,
    LocationSource,
    Purpose,
    ReportCategory,
    TipCategory,
)
from safetyzone.core.text import Inbound
from safetyzone.ops.workorder_schemas import WorkOrderBrief

CLIENT_KEY_PATTERN = r"^[A-Za-z0-9_-]{22,64}$"
CODE_PATTERN = r"^[ERT]-[0-9A-HJKMNP-TV-Z]{8}$"
FOLLOWUP_PATTERN = r"^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$"
PHONE_PATTERN = r"^\+?[0-9][0-9 -]{5,19}$"

ClientKey = Annotated[str, Field(
    min_length=22, max_length=64, pattern=CLIENT_KEY_PATTERN,
    description="Random key the phone generated for this ticket (keep it: it proves the "
                "ticket is yours; a retry with the same key finds the same ticket).")]
TicketCode = Annotated[str, Field(min_length=10, max_length=10, pattern=CODE_PATTERN)]
Phone = Annotated[str, Field(min_length=6, max_length=20, pattern=PHONE_PATTERN)]
Lat = Annotated[float, Field(ge=-90, le=90)]
Lon = Annotated[float, Field(ge=-180, le=180)]
Accuracy = Annotated[float, Field(ge=0, le=100_000)]


class _In(Inbound):
    model_config = ConfigDict(extra="forbid")


class LocationIn(_In):
    lat: Lat
    lon: Lon
    accuracy_m: Accuracy | None = None


class ConsentIn(_In):
    purposes: list[Purpose] = Field(min_length=1, max_length=3)
    version: str = Field(min_length=1, max_length=32)


class EmergencyIn(_In):
    client_key: ClientKey
    location: LocationIn
    location_source: Literal[LocationSource.GPS, LocationSource.PIN, LocationSource.LINE]
    message: str | None = Field(None, max_length=1000)
    contact_phone: Phone | None = None
    consent: ConsentIn


class FixIn(_In):
    lat: Lat
    lon: Lon
    accuracy_m: Accuracy | None = None
    at: AwareDatetime = Field(description="When the phone took the fix (with its offset).")


class FixesIn(_In):
    fixes: list[FixIn] = Field(min_length=1, max_length=50)


class ContactIn(_In):
    name: str | None = Field(None, min_length=1, max_length=200)
    phone: Phone | None = None


class ReportIn(_In):
    client_key: ClientKey
    category: ReportCategory
    description: str = Field(min_length=1, max_length=4000)
    location: LocationIn | None = Field(
        None, description="Where it is. Required from the public app; only a channel that "
                          "belongs to one station (LINE) may leave it out.")
    location_source: Literal[LocationSource.GPS, LocationSource.PIN, LocationSource.PHOTO,
                             LocationSource.LINE, LocationSource.NONE]
    contact: ContactIn | None = None
    consent: ConsentIn
    join: TicketCode | None = Field(
        None, description="Join this open report (from /reports/similar) instead of "
                          "opening a new one.")


class TipIn(_In):
    client_key: ClientKey
    anonymous: bool
    name: str | None = Field(None, min_length=1, max_length=200)
    phone: Phone | None = None
    category: TipCategory
    text: str = Field(min_length=1, max_length=4000)
    location: LocationIn | None = None
    station_code: str | None = Field(
        None, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
        description="The station to tell, when the tip gives no location.")
    consent: ConsentIn


class FollowupIn(_In):
    followup_code: str = Field(min_length=19, max_length=19, pattern=FOLLOWUP_PATTERN)
    text: str | None = Field(None, min_length=1, max_length=2000)


class CitizenMessageIn(_In):
    text: str = Field(min_length=1, max_length=2000)


# -- officer side ----------------------------------------------------------------------

class ReplyIn(_In):
    text: str = Field(min_length=1, max_length=2000)
    ask_info: bool = False


class MergeIn(_In):
    into: uuid.UUID = Field(description="The item this one duplicates (same station).")


class ToIncidentIn(_In):
    priority: int | None = Field(None, ge=1, le=5,
                                 description="Default: 1 for emergencies, 3 otherwise.")


class CloseIn(_In):
    disposition: Disposition
    note: str | None = Field(None, max_length=2000)


class AssignIn(_In):
    username: str = Field(min_length=1, max_length=64)


# -- read models -----------------------------------------------------------------------

class TermRead(BaseModel):
    key: str
    th: str
    en: str


class PurposeRead(TermRead):
    version: str


class Limits(BaseModel):
    max_photos: int
    max_photo_bytes: int
    max_voice_bytes: int


class Catalog(BaseModel):
    categories: list[TermRead]
    tip_categories: list[TermRead]
    purposes: list[PurposeRead]
    dispositions: list[TermRead]
    statuses: list[TermRead]
    limits: Limits


class StationInfo(BaseModel):
    code: str
    name_th: str
    name_en: str
    phone: str | None
    line_url: str | None
    lat: float | None
    lon: float | None
    demo: bool = Field(False, description="Phone and LINE are invented demo values.")


class ZoneInfo(BaseModel):
    code: str
    name_th: str
    name_en: str


class PostInfo(BaseModel):
    kind: PostKind
    name_th: str
    name_en: str
    lat: float
    lon: float
    hours_th: str
    hours_en: str
    distance_m: float


class StationCard(BaseModel):
    station: StationInfo
    zone: ZoneInfo | None
    how: Literal["zone", "nearest"]
    distance_m: float | None
    posts: list[PostInfo]


class EmergencyCreated(BaseModel):
    code: str
    kind: ItemKind
    status: ItemState
    merged: bool


class ReportCreated(BaseModel):
    code: str
    kind: ItemKind
    status: ItemState
    joined_to: str | None


class TipCreated(BaseModel):
    code: str
    kind: ItemKind
    status: ItemState
    followup_code: str | None = Field(
        description="Anonymous tips only: shown once; each use returns the next one.")


class FixesAccepted(BaseModel):
    accepted: int


class SimilarReport(BaseModel):
    code: str
    category: str
    distance_m: float
    age_min: int
    status: ItemState
    joined: int


class MediaCreated(BaseModel):
    id: uuid.UUID
    kind: MediaKind
    content_type: str
    size: int
    exif_position: bool


class PublicStation(BaseModel):
    name_th: str
    name_en: str
    phone: str | None


class Step(BaseModel):
    status: ItemState
    at: datetime


class UnitInfo(BaseModel):
    callsign: str
    eta_min: int | None
    distance_m: float | None


class PublicMessage(BaseModel):
    at: datetime
    text: str
    ask_info: bool
    direction: Direction


class PublicTicket(BaseModel):
    """A ticket as anyone holding its code sees it: no personal data, no location."""

    code: str
    kind: ItemKind
    category: str
    status: ItemState
    status_th: str
    status_en: str
    created_at: datetime
    updated_at: datetime
    station: PublicStation
    steps: list[Step]
    unit: UnitInfo | None
    disposition: TermRead | None
    messages: list[PublicMessage]
    merged_into: str | None
    joined: int


class PublicTip(BaseModel):
    """A tip's public page: its status only (the tipster follows up with the code)."""

    code: str
    kind: Literal[ItemKind.TIP]
    status: ItemState


class TipFollowup(BaseModel):
    status: ItemState
    messages: list[PublicMessage]
    next_followup_code: str


class MessageAccepted(BaseModel):
    at: datetime
    status: ItemState


class ContactRead(BaseModel):
    name: str | None = None
    phone: str | None = None


class MediaRead(BaseModel):
    id: uuid.UUID
    kind: MediaKind
    content_type: str


class MyData(BaseModel):
    """Everything stored about the caller's ticket (PDPA access)."""

    code: str
    kind: ItemKind
    channel: Channel
    category: str
    description: str
    lat: float | None
    lon: float | None
    contact: ContactRead | None
    anonymous: bool
    consent: dict[str, object]
    media: list[MediaRead]
    messages: list[PublicMessage]
    fixes: int
    created_at: datetime
    retain_until: datetime
    personal_data_deleted: bool


class MyDataDeleted(BaseModel):
    code: str
    deleted: bool


class CitizenItemRead(BaseModel):
    """An item on the console (and the feed payload of citizen.created / citizen.updated).

    Never the tipster's identity: that is ``GET /items/{id}/identity``, audited."""

    id: uuid.UUID
    code: str
    kind: ItemKind
    channel: Channel
    station_id: uuid.UUID
    station_code: str
    zone_id: uuid.UUID | None
    category: str
    category_th: str
    category_en: str
    description: str
    lat: float | None
    lon: float | None
    accuracy_m: float | None
    location_source: LocationSource
    state: ItemState
    incident_id: uuid.UUID | None
    merged_into_id: uuid.UUID | None
    disposition: str | None
    press_count: int
    joined: int
    media: list[MediaRead]
    messages_waiting: int
    anonymous: bool
    assigned_to: str | None
    created_at: datetime
    updated_at: datetime
    version: int
    workorder: WorkOrderBrief | None = Field(
        None, description="The work order a report was sent on as (a lamp, a plot): its "
        "partner, status and due time.")


class FixRead(BaseModel):
    at: datetime
    lat: float
    lon: float
    accuracy_m: float | None


class MessageRead(BaseModel):
    at: datetime
    direction: Direction
    author: str
    text: str
    ask_info: bool
    delivery: Delivery | None


class CitizenItemDetail(CitizenItemRead):
    fixes: list[FixRead]
    messages: list[MessageRead]
    contact: ContactRead | None = Field(description="Reports and emergencies only.")


class TipIdentity(BaseModel):
    code: str
    anonymous: bool
    name: str | None
    phone: str | None
