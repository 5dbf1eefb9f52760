"""Pydantic shapes of legal consultation: what the station, a volunteer and a citizen send
and read. Request models forbid unknown fields and bound every string and list."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from safetyzone.citizen.schemas import CLIENT_KEY_PATTERN, ClientKey, Phone, TermRead
from safetyzone.core.text import Inbound
from safetyzone.services.consult_models import ConsultChannel, RequestState, SlotState
from safetyzone.services.consult_texts import ConsultTopic

CONSULT_CODE_PATTERN = r"^C-[0-9A-HJKMNP-TV-Z]{8}$"
ConsultCode = Annotated[str, Field(min_length=10, max_length=10, pattern=CONSULT_CODE_PATTERN)]
VIDEO_URL_PATTERN = r"^https://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~%!$&'()*+,;=:@/?#-]*)?$"
__all__ = ["CLIENT_KEY_PATTERN"]


class _In(Inbound):
    model_config = ConfigDict(extra="forbid")


# -- station side ----------------------------------------------------------------------


class ConsultantCreate(_In):
    station_code: str = Field(min_length=1, max_length=64)
    username: str = Field(min_length=1, max_length=64)
    topics: list[ConsultTopic] = Field(default_factory=list, max_length=len(ConsultTopic),
                                       description="What they advise on (empty: anything).")


class ConsultantRead(BaseModel):
    id: uuid.UUID
    station_code: str
    username: str
    display_name: str
    topics: list[ConsultTopic]
    active: bool


class SlotCreate(_In):
    consultant_id: uuid.UUID
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    channels: list[ConsultChannel] = Field(min_length=1, max_length=len(ConsultChannel))
    video_url: str | None = Field(
        None, max_length=300, pattern=VIDEO_URL_PATTERN,
        description="The video room (https) for the video channel; shown only to the "
                    "citizen who booked the slot.")


class SlotRead(BaseModel):
    id: uuid.UUID
    station_code: str
    consultant_id: uuid.UUID
    consultant: str
    starts_at: datetime
    ends_at: datetime
    channels: list[ConsultChannel]
    state: SlotState
    video_url: str | None
    request_code: str | None = None


class StationCancelIn(_In):
    reason: str = Field(min_length=1, max_length=300,
                        description="Told to the citizen (Thai is fine).")


class CloseIn(_In):
    outcome: Literal[RequestState.HELD, RequestState.NO_SHOW]


class ConsultRequestRead(BaseModel):
    """A request as the station sees it: with the citizen's name and phone until erased."""

    id: uuid.UUID
    code: str
    station_code: str
    slot_id: uuid.UUID
    consultant_id: uuid.UUID
    consultant: str
    starts_at: datetime
    ends_at: datetime
    topic: ConsultTopic
    channel: ConsultChannel
    post_id: uuid.UUID | None
    taken_by: str | None
    state: RequestState
    name: str | None
    phone: str | None
    question: str | None
    notices: list[dict[str, str]]
    cancel_reason: str | None
    created_at: datetime
    erased: bool


class NoteIn(_In):
    text: str = Field(min_length=1, max_length=4000)


class NoteRead(BaseModel):
    id: int
    author: str
    at: datetime
    text: str


# -- citizen side ----------------------------------------------------------------------


class ConsultConsentIn(_In):
    version: str = Field(min_length=1, max_length=32,
                         description="The consent text's version the person agreed to.")


class BookingIn(_In):
    """A consultation request (the public app; a volunteer at a post sends the same)."""

    client_key: ClientKey
    slot_id: uuid.UUID
    topic: ConsultTopic
    channel: ConsultChannel
    post_id: uuid.UUID | None = Field(
        None, description="The volunteer post to meet at (channel 'post' from the app).")
    name: str = Field(min_length=1, max_length=200)
    phone: Phone
    question: str | None = Field(None, min_length=1, max_length=2000)
    consent: ConsultConsentIn


class PublicSlot(BaseModel):
    id: uuid.UUID
    starts_at: datetime
    ends_at: datetime
    channels: list[ConsultChannel]
    topics: list[ConsultTopic]


class PublicPost(BaseModel):
    id: uuid.UUID
    name_th: str
    name_en: str


class ConsentRead(BaseModel):
    version: str
    th: str
    en: str


class PublicSlots(BaseModel):
    station_code: str
    station_th: str
    station_en: str
    topics: list[TermRead]
    channels: list[TermRead]
    posts: list[PublicPost]
    consent: ConsentRead
    slots: list[PublicSlot]


class NoticeRead(BaseModel):
    what: str
    at: datetime
    th: str
    en: str


class PublicConsult(BaseModel):
    """The citizen's own page (with their key): no one else's data, no notes."""

    code: str
    state: RequestState
    state_th: str
    state_en: str
    topic: TermRead
    channel: TermRead
    starts_at: datetime
    ends_at: datetime
    station_th: str
    station_en: str
    station_phone: str | None
    post: PublicPost | None
    video_url: str | None
    notices: list[NoticeRead]
    cancel_reason: str | None


class ConsultCreated(BaseModel):
    code: str
    state: RequestState
    starts_at: datetime
    ends_at: datetime
    channel: ConsultChannel
