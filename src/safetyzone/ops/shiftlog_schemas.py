"""The shift log's requests and answers (see ``ops.shiftlog``)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from safetyzone.core.text import Inbound
from safetyzone.ops.models import IncidentState, UnitKind, UnitStatus
from safetyzone.ops.shiftlog_models import EntryKind

TEXT_MAX = 2000
HANDOVER_MAX = 4000


class DutyIn(Inbound):
    """Going on or off duty; ``username`` ends someone else's duty (commanders only)."""

    model_config = ConfigDict(extra="forbid")
    username: str | None = Field(None, min_length=1, max_length=64, description=(
        "Off duty only: end this person's duty instead of your own (a commander closing a "
        "duty somebody forgot to end)."))


class EntryIn(Inbound):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["note", "event"] = Field(
        description="note: routine; event: a notable event, printed in the daily report.")
    text: str = Field(min_length=1, max_length=TEXT_MAX)
    incident_id: uuid.UUID | None = Field(
        None, description="The incident the event is about (of the same station).")


class HandoverIn(Inbound):
    model_config = ConfigDict(extra="forbid")
    notes: str = Field(min_length=1, max_length=HANDOVER_MAX,
                       description="What the next shift must know, in the outgoing words.")


class HandoverAckIn(Inbound):
    model_config = ConfigDict(extra="forbid")
    note: str | None = Field(None, min_length=1, max_length=TEXT_MAX,
                             description="What the incoming officer adds, if anything.")


class DutyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    username: str
    display_name: str
    role: str
    started_at: datetime
    ended_at: datetime | None
    ended_by: str | None


class EntryRead(BaseModel):
    """A line of the log; ``id`` is None for an incident's own key event shown alongside
    (a P1 opened, an escalation): those live in the incident's timeline, not here."""

    id: int | None
    at: datetime
    username: str
    kind: EntryKind | Literal["incident_opened", "incident_escalated"]
    text: str | None
    incident_id: uuid.UUID | None = None
    incident_title_th: str | None = None
    incident_title_en: str | None = None
    handover_id: uuid.UUID | None = None


class OpenIncident(BaseModel):
    id: uuid.UUID
    kind: str
    priority: int
    title_th: str
    title_en: str
    state: IncidentState
    opened_at: datetime
    age_s: float = Field(description="Seconds open when the list was made.")
    escalation_level: int


class DownUnit(BaseModel):
    id: uuid.UUID
    code: str
    callsign: str
    kind: UnitKind
    status: UnitStatus
    since: datetime = Field(description="The unit's last status change.")
    reason: str | None = Field(description="Why it went out of service, as entered.")


class DownCamera(BaseModel):
    id: uuid.UUID
    code: str
    state: Literal["offline", "frozen"]
    since: datetime | None


class Carried(BaseModel):
    """The open items a shift hands to the next."""

    as_of: datetime
    incidents: list[OpenIncident]
    units_out_of_service: list[DownUnit]
    cameras_down: list[DownCamera]


class HandoverRead(BaseModel):
    id: uuid.UUID
    written_at: datetime
    written_by: str
    notes: str
    carried: Carried
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    ack_note: str | None


class ShiftDay(BaseModel):
    day: date = Field(description="The duty day, named by the date it starts on (Bangkok).")
    starts_at: datetime
    ends_at: datetime


class ShiftState(BaseModel):
    """The shift at a glance: who is on, handovers waiting, what is open now."""

    station_code: str
    today: ShiftDay
    on_duty: list[DutyRead]
    you_on_duty: bool
    pending_handovers: list[HandoverRead]
    handovers_today: list[HandoverRead]
    open_items: Carried


class ShiftLog(BaseModel):
    day: ShiftDay
    entries: list[EntryRead]
    truncated: bool = Field(description="More entries than one answer holds: the newest "
                            "are kept.")
