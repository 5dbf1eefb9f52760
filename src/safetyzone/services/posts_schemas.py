"""Pydantic shapes of volunteer service posts: hours, roster, and what a volunteer takes
at a post (a citizen report, a consultation request)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from safetyzone.citizen.models import PostKind
from safetyzone.citizen.schemas import ClientKey, ConsentIn, ContactIn, Lat, LocationIn, Lon
from safetyzone.citizen.taxonomy import ItemState, ReportCategory
from safetyzone.core.text import Inbound
from safetyzone.services.posts_models import IntakeKind

HHMM = Annotated[str, Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$",
                            description="Bangkok time, HH:MM (24:00 closes at midnight).")]


TAKEN_SHOWN = 20


class _In(Inbound):
    model_config = ConfigDict(extra="forbid")


class HoursIn(_In):
    weekday: int = Field(ge=0, le=6, description="0 Monday ... 6 Sunday.")
    opens: HHMM
    closes: HHMM


class HoursRead(BaseModel):
    weekday: int
    opens: str
    closes: str


class PostCreate(_In):
    station_code: str = Field(min_length=1, max_length=64)
    name_th: str = Field(min_length=1, max_length=200)
    name_en: str = Field(min_length=1, max_length=200)
    lat: Lat
    lon: Lon
    hours: list[HoursIn] = Field(default_factory=list, max_length=28)


class HoursSet(_In):
    hours: list[HoursIn] = Field(max_length=28)


class RosterAdd(_In):
    username: str = Field(min_length=1, max_length=64)


class RosterRead(BaseModel):
    user_id: uuid.UUID
    username: str
    display_name: str


class PostTaken(BaseModel):
    """Something taken at a post, as the station sees it: what, its code, when, by whom."""

    kind: IntakeKind
    code: str
    at: datetime
    username: str


class PostRead(BaseModel):
    id: uuid.UUID
    station_code: str
    kind: PostKind
    name_th: str
    name_en: str
    lat: float
    lon: float
    hours: list[HoursRead]
    hours_th: str
    hours_en: str
    open_now: bool
    roster: list[RosterRead]
    taken: list[PostTaken] = Field(
        default_factory=list,
        description=f"The latest reports and consultation requests volunteers took at the post "
                    f"(at most {TAKEN_SHOWN}, newest first; codes only).")


class IntakeRead(BaseModel):
    kind: IntakeKind
    code: str
    at: datetime


class MyPost(BaseModel):
    """A post on the caller's roster: whether they may take requests there now, and why not."""

    id: uuid.UUID
    station_code: str
    name_th: str
    name_en: str
    hours: list[HoursRead]
    hours_th: str
    hours_en: str
    open_now: bool
    reason_th: str | None
    reason_en: str | None


class MyDuty(BaseModel):
    posts: list[MyPost]
    taken: list[IntakeRead]


class PostReportIn(_In):
    """A citizen's report, told to a volunteer at the post; the same report flow as the app.
    Its place is the post unless the citizen says where it is."""

    client_key: ClientKey
    category: ReportCategory
    description: str = Field(min_length=1, max_length=4000)
    location: LocationIn | None = Field(None, description="Where it is (default: the post).")
    contact: ContactIn | None = None
    consent: ConsentIn


class PostReportCreated(BaseModel):
    code: str
    status: ItemState
    post_id: uuid.UUID
    station_code: str
