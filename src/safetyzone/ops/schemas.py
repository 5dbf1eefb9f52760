"""Pydantic shapes of the command-center API and of feed payloads."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from safetyzone.core.paging import MAX_INT32
from safetyzone.core.text import Inbound
from safetyzone.ops.models import IncidentState, UnitKind, UnitStatus

Code = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


class UnitCreate(Inbound):
    model_config = ConfigDict(extra="forbid")
    station_code: str
    code: str = Code
    callsign: str = Field(min_length=1, max_length=64)
    kind: UnitKind
    status: UnitStatus = UnitStatus.OFF_DUTY


class UnitStatusChange(Inbound):
    model_config = ConfigDict(extra="forbid")
    status: UnitStatus


class UnitRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    station_id: uuid.UUID
    code: str
    callsign: str
    kind: UnitKind
    status: UnitStatus
    lat: float | None
    lon: float | None
    speed_mps: float | None
    heading_deg: float | None
    fix_time: datetime | None
    fix_received_at: datetime | None
    position_suspect: bool
    updated_at: datetime


class Recommendation(BaseModel):
    unit_id: uuid.UUID
    code: str
    callsign: str
    kind: UnitKind
    distance_m: float
    eta_s: float = Field(description="Straight-line distance at the unit kind's urban speed.")
    stale_fix: bool


class IncidentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    station_id: uuid.UUID
    kind: str
    priority: int
    title_th: str
    title_en: str
    state: IncidentState
    rule_name: str | None
    lat: float | None
    lon: float | None
    source_asset_id: uuid.UUID | None
    source_unit_id: uuid.UUID | None
    event_count: int
    device_time: datetime
    opened_at: datetime
    last_event_at: datetime
    ack_deadline: datetime | None
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    dispatched_at: datetime | None
    en_route_at: datetime | None
    arrived_at: datetime | None
    cleared_at: datetime | None
    closed_at: datetime | None
    disposition: str | None
    escalation_level: int
    escalated_at: datetime | None
    cameras: list[dict[str, Any]]
    detail: dict[str, Any]
    version: int
    last_actor: str | None
    updated_at: datetime
    assigned_unit_ids: list[uuid.UUID] = []


class LogRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    at: datetime
    entry: str
    from_state: str | None
    to_state: str | None
    username: str
    text: str | None
    detail: dict[str, Any]


class CorrelatedEvent(BaseModel):
    id: uuid.UUID
    kind: str
    received_at: datetime
    event_time: datetime
    lat: float
    lon: float
    distance_m: float
    device_id: uuid.UUID


class IncidentDetail(IncidentRead):
    timeline: list[LogRead]
    recommended_units: list[Recommendation]
    correlated_events: list[CorrelatedEvent]


class Transition(Inbound):
    model_config = ConfigDict(extra="forbid")
    to: IncidentState
    expected_version: int | None = Field(
        None, ge=0, le=MAX_INT32,
        description="Refuse if someone changed the incident since you loaded it.")
    disposition: str | None = Field(None, max_length=64)
    note: str | None = Field(None, max_length=2000)


class AcknowledgeIn(Inbound):
    model_config = ConfigDict(extra="forbid")
    expected_version: int | None = Field(None, ge=0, le=MAX_INT32)


class DispatchIn(Inbound):
    model_config = ConfigDict(extra="forbid")
    unit_id: uuid.UUID
    expected_version: int | None = Field(None, ge=0, le=MAX_INT32)


class NoteIn(Inbound):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=2000)


class Percentiles(BaseModel):
    count: int
    p50_s: float | None
    p90_s: float | None


class ResponseTimes(BaseModel):
    station_id: uuid.UUID
    since: datetime
    incidents: int
    by_device_time: dict[str, Percentiles] = Field(
        description="From the device's event time to acknowledge/dispatch/arrive/clear.")
    by_receive_time: dict[str, Percentiles] = Field(
        description="From the server's receive time to acknowledge/dispatch/arrive/clear.")
