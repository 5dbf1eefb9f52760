"""What the People Poll's routes take and give."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StringConstraints

from safetyzone.core.paging import MAX_INT32
from safetyzone.core.text import Inbound, SafeText
from safetyzone.poll.models import PollStatus

POLL_CODE_PATTERN = r"^P-[0-9A-HJKMNP-TV-Z]{8}$"
ItemKey = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,31}$")]


class CustomItemIn(Inbound):
    """A station's own agree-disagree statement, Thai and English."""

    model_config = ConfigDict(extra="forbid")
    key: ItemKey = Field(description="Short name, e.g. market_lights; not a standard key.")
    th: Annotated[SafeText, Field(min_length=3, max_length=300)]
    en: Annotated[SafeText, Field(min_length=3, max_length=300)]


class PollCreate(Inbound):
    model_config = ConfigDict(extra="forbid")
    zone_code: Annotated[str, Field(min_length=1, max_length=64)]
    wave: Annotated[int, Field(ge=1, le=99)]
    wave_name: Annotated[SafeText, Field(min_length=1, max_length=200)]
    opens_at: datetime
    closes_at: datetime
    zone_launch_on: date | None = Field(
        None, description="The day the zone's program started, for before/after.")
    custom_items: Annotated[list[CustomItemIn], Field(default_factory=list, max_length=5)]


class ItemRead(BaseModel):
    key: str
    kind: str
    th: str
    en: str
    labels: list[list[str]]
    options: list[list[str]]


class PollRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    code: str
    station_code: str
    zone_code: str
    zone_name_th: str
    zone_name_en: str
    wave: int
    wave_name: str
    opens_at: datetime
    closes_at: datetime
    status: PollStatus
    zone_launch_on: date | None
    bank_version: str
    responses: int
    link: str


class PublicPoll(BaseModel):
    """What the citizen app shows: the questions, never a figure."""

    code: str
    station_name_th: str
    station_name_en: str
    zone_name_th: str
    zone_name_en: str
    wave_name: str
    opens_at: datetime
    closes_at: datetime
    accepting: bool
    items: list[ItemRead]


class PublicPollCard(BaseModel):
    code: str
    zone_name_th: str
    zone_name_en: str
    wave_name: str
    closes_at: datetime


class ResponseIn(Inbound):
    """One person's answers: Likert items as 1-5, ``needs`` as a list of option keys.
    Every item may be skipped, but not all of them. No free text: it could name someone."""

    model_config = ConfigDict(extra="forbid")
    # Integers bounded here like every integer a body carries; 1-5 is checked against the
    # poll's own items (answers.checked_answers), which names the item that is wrong.
    answers: Annotated[dict[ItemKey, Annotated[StrictInt, Field(ge=-MAX_INT32, le=MAX_INT32)]
                            | Annotated[list[ItemKey], Field(max_length=6)]],
                       Field(min_length=1, max_length=12)]


class ResponseAccepted(BaseModel):
    poll: str
    thanks_th: str = "ขอบคุณที่ตอบแบบสอบถาม"
    thanks_en: str = "Thank you for answering"


class Interval(BaseModel):
    low: float
    high: float


class LikertResult(BaseModel):
    key: str
    th: str
    en: str
    indicator_th: str
    indicator_en: str
    n: int
    mean: float | None
    mean_ci: Interval | None
    share: float | None
    share_ci: Interval | None
    counts: list[int]  # answers 1..5
    warnings: list[str]


class NeedResult(BaseModel):
    key: str
    th: str
    en: str
    count: int
    share: float | None
    share_ci: Interval | None


class PollResults(BaseModel):
    poll: PollRead
    responses: int
    min_n: int
    max_half_width: float
    fear_of_crime: float | None
    fear_target: float
    likert: list[LikertResult]
    needs: list[NeedResult]
    needs_n: int
    warnings: list[str]


class Change(BaseModel):
    key: str
    th: str
    en: str
    before: float | None
    after: float | None
    difference: float | None
    difference_ci: Interval | None
    n_before: int
    n_after: int
    warnings: list[str]


class BeforeAfter(BaseModel):
    zone_code: str
    zone_launch_on: date | None
    before: PollRead | None
    after: PollRead | None
    changes: list[Change]
    warnings: list[str]


def public_items(items: list[dict[str, Any]]) -> list[ItemRead]:
    return [ItemRead(key=i["key"], kind=i["kind"], th=i["th"], en=i["en"],
                     labels=i.get("labels", []), options=i.get("options", []))
            for i in items]
