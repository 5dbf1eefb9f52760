"""Shapes of incident search and history: the filters (one model, read from the query
string by the routes and handed whole to ``ops.history``) and the rows it answers."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

from safetyzone.core.paging import MAX_OFFSET
from safetyzone.core.text import Inbound
from safetyzone.ops.incidents import DISPOSITIONS
from safetyzone.ops.models import IncidentState

# The hard cap of one page: a wider view is a CSV export (capped too) or a narrower filter.
MAX_PAGE = 200


def _known_disposition(value: str) -> str:
    if value not in DISPOSITIONS:
        raise ValueError(f"one of {', '.join(sorted(DISPOSITIONS))}")
    return value


Kind = Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[a-z0-9_]+$")]
Disposition = Annotated[str, Field(max_length=64), AfterValidator(_known_disposition)]
Priority = Annotated[int, Field(ge=1, le=9)]


class IncidentFilters(Inbound):
    """What to look for; every filter is optional and they all hold together (AND).

    Several values of one filter (``state=closed&state=cleared``) mean any of them (OR).
    """

    opened_from: AwareDatetime | None = Field(
        None, description="Opened at or after this instant (with its UTC offset).")
    opened_to: AwareDatetime | None = Field(
        None, description="Opened before this instant (with its UTC offset).")
    state: list[IncidentState] = Field(
        default_factory=list, max_length=len(IncidentState),
        description="Default: every state, closed ones included.")
    kind: list[Kind] = Field(default_factory=list, max_length=32)
    station_code: str | None = Field(None, min_length=1, max_length=64)
    unit: str | None = Field(
        None, min_length=1, max_length=64,
        description="A unit's id, code or call sign: incidents it was ever assigned to.")
    disposition: list[Disposition] = Field(default_factory=list, max_length=len(DISPOSITIONS))
    priority: list[Priority] = Field(default_factory=list, max_length=9)
    q: str | None = Field(
        None, max_length=200,
        description="Words in the title, the notes of the timeline, the source or the "
                    "address; each word must appear (any case). % and _ match themselves.")


class PageQuery(Inbound):
    limit: int = Field(50, ge=1, le=MAX_PAGE)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class HistoryRow(BaseModel):
    """One incident as the search lists it, with its station named and every unit that was
    ever assigned to it (released ones too)."""

    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    station_id: uuid.UUID
    station_code: str
    station_name_th: str
    station_name_en: str
    kind: str
    priority: int
    title_th: str
    title_en: str
    state: IncidentState
    opened_at: datetime
    closed_at: datetime | None
    disposition: str | None
    escalation_level: int
    units: list[str] = Field(description="Call signs of every unit ever assigned.")
