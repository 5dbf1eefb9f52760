"""Shapes of work orders: what the police send, what they read, and the narrower read a
partner gets (no citizen, no incident: the place, the kind, the police's words, the due
time)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from safetyzone.core.paging import MAX_INT32
from safetyzone.core.text import Inbound
from safetyzone.ops.workorder_models import WorkKind, WorkSource, WorkStatus

Note = Field(None, min_length=1, max_length=1000)


class WorkOrderIn(Inbound):
    """A work order made by hand. The partner defaults to the owner of the asset or camera;
    the kind to the asset's; the due time to the kind's (lamp 3 days, SOS pole 24 h,
    camera 48 h, plot 14 days, other 7 days)."""

    model_config = ConfigDict(extra="forbid")
    station_code: str = Field(min_length=1, max_length=64)
    kind: WorkKind | None = Field(None, description="Default: from the asset or camera.")
    asset_code: str | None = Field(None, min_length=1, max_length=64,
                                   description="A point of the station (lamp, SOS pole ...).")
    camera_code: str | None = Field(None, min_length=1, max_length=64)
    partner_code: str | None = Field(
        None, min_length=1, max_length=64,
        description="Required when the asset has no owner partner, or without an asset.")
    place: str | None = Field(None, min_length=1, max_length=200,
                              description="Where, in words (default: the asset's name).")
    lat: float | None = Field(None, ge=5.0, le=21.0)
    lon: float | None = Field(None, ge=97.0, le=106.0)
    description: str = Field(min_length=3, max_length=1000,
                             description="What to fix, written for the partner.")
    priority: int | None = Field(None, ge=1, le=5)
    due_at: datetime | None = Field(None, description="With a time zone; within 180 days.")


class FromSourceIn(Inbound):
    """A work order from a citizen's report or a maintenance incident: the place (and the
    asset) come from it; the police write what the partner reads."""

    model_config = ConfigDict(extra="forbid")
    partner_code: str | None = Field(None, min_length=1, max_length=64)
    kind: WorkKind | None = None
    description: str | None = Field(
        None, min_length=3, max_length=1000,
        description="Default: the incident's title. Required for a citizen's report (its "
        "own words stay with the police).")
    priority: int | None = Field(None, ge=1, le=5)
    due_at: datetime | None = None


class PoliceActionIn(Inbound):
    model_config = ConfigDict(extra="forbid")
    action: Literal["verify", "reopen", "cancel"]
    note: str | None = Note
    partner_code: str | None = Field(
        None, min_length=1, max_length=64,
        description="reopen only: send it to another partner (after a refusal).")
    due_at: datetime | None = Field(None, description="reopen only: the new due time.")
    version: int | None = Field(None, ge=1, le=MAX_INT32,
                                description="Refused (409) if the order moved on.")


class PartnerActionIn(Inbound):
    model_config = ConfigDict(extra="forbid")
    action: Literal["accept", "reject", "start", "done"]
    note: str | None = Field(None, min_length=1, max_length=1000,
                             description="Required to reject: the reason.")
    version: int | None = Field(None, ge=1, le=MAX_INT32)


class WorkLogRead(BaseModel):
    at: datetime
    action: str
    from_status: str | None
    to_status: str
    side: str
    username: str | None = Field(description="Police names are not shown to partners.")
    note: str | None


class WorkOrderRead(BaseModel):
    """An order as the police read it."""

    id: uuid.UUID
    code: str
    station_id: uuid.UUID
    station_code: str
    partner_id: uuid.UUID
    partner_code: str
    partner_name_th: str
    partner_name_en: str
    kind: WorkKind
    asset_id: uuid.UUID | None
    asset_code: str | None
    camera_id: uuid.UUID | None
    camera_code: str | None
    place: str
    lat: float
    lon: float
    description: str
    priority: int
    due_at: datetime
    status: WorkStatus
    overdue: bool
    source: WorkSource
    citizen_item_id: uuid.UUID | None
    incident_id: uuid.UUID | None
    reject_reason: str | None
    created_by: str
    created_at: datetime
    updated_at: datetime
    done_at: datetime | None
    closed_at: datetime | None
    version: int
    history: list[WorkLogRead]


class PartnerWorkOrderRead(BaseModel):
    """An order as its partner reads it: never the citizen, the incident or police names."""

    id: uuid.UUID
    code: str
    station_code: str
    station_name_th: str
    station_name_en: str
    kind: WorkKind
    asset_code: str | None
    camera_code: str | None
    place: str
    lat: float
    lon: float
    description: str
    priority: int
    due_at: datetime
    status: WorkStatus
    overdue: bool
    reject_reason: str | None
    created_at: datetime
    updated_at: datetime
    version: int
    history: list[WorkLogRead]


class WorkOrderBrief(BaseModel):
    """An order named on what it came from (a citizen's item): its progress at a glance."""

    id: uuid.UUID
    code: str
    status: WorkStatus
    due_at: datetime
    partner_code: str


class PartnerLoad(BaseModel):
    """A partner's open and overdue orders at one station (the station panel)."""

    partner_code: str
    name_th: str
    name_en: str
    open: int
    overdue: int
