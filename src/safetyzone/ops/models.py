"""Tables of the command center."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from safetyzone.core.db import Base, UTCDateTime, new_id, str_enum

BigId = BigInteger().with_variant(Integer, "sqlite")


class UnitKind(enum.StrEnum):
    CAR = "car"
    MOTORCYCLE = "motorcycle"
    FOOT = "foot"
    VOLUNTEER = "volunteer"
    # An investigation team (ชุดสืบสวน), sent with patrol to follow a case to its end.
    INVESTIGATION = "investigation"


class UnitStatus(enum.StrEnum):
    OFF_DUTY = "off_duty"
    AVAILABLE = "available"
    DISPATCHED = "dispatched"
    EN_ROUTE = "en_route"
    ON_SCENE = "on_scene"
    UNAVAILABLE = "unavailable"


class IncidentState(enum.StrEnum):
    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    DISPATCHED = "dispatched"
    EN_ROUTE = "en_route"
    ON_SCENE = "on_scene"
    CLEARED = "cleared"
    CLOSED = "closed"


class Unit(Base):
    __tablename__ = "patrol_unit"
    __table_args__ = (UniqueConstraint("station_id", "code"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    station_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("org_unit.id", ondelete="RESTRICT"), index=True
    )
    code: Mapped[str] = mapped_column(String(64))
    callsign: Mapped[str] = mapped_column(String(64))
    kind: Mapped[UnitKind] = mapped_column(str_enum(UnitKind, "unit_kind_patrol"))
    status: Mapped[UnitStatus] = mapped_column(str_enum(UnitStatus, "unit_status"))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    speed_mps: Mapped[float | None] = mapped_column(Float)
    heading_deg: Mapped[float | None] = mapped_column(Float)
    fix_time: Mapped[datetime | None] = mapped_column(UTCDateTime)
    fix_received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The last fix implied an impossible speed: shown, but not trusted for dispatch.
    position_suspect: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Incident(Base):
    __tablename__ = "incident"
    __table_args__ = (Index("ix_incident_station_state", "station_id", "state"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    station_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("org_unit.id", ondelete="RESTRICT")
    )
    kind: Mapped[str] = mapped_column(String(32))
    priority: Mapped[int] = mapped_column(Integer)
    title_th: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str] = mapped_column(String(300))
    state: Mapped[IncidentState] = mapped_column(str_enum(IncidentState, "incident_state"))
    rule_name: Mapped[str | None] = mapped_column(String(100))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    source_asset_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    source_unit_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    source_device_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    first_event_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    event_count: Mapped[int] = mapped_column(Integer, default=1)
    # The response-time clock: device time of the first event and server receive time.
    device_time: Mapped[datetime] = mapped_column(UTCDateTime)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    last_event_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ack_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by: Mapped[str | None] = mapped_column(String(64))
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    en_route_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    arrived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    disposition: Mapped[str | None] = mapped_column(String(64))
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cameras: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_actor: Mapped[str | None] = mapped_column(String(64))


class IncidentLog(Base):
    """The incident's timeline: every transition, merge, dispatch and note, with who."""

    __tablename__ = "incident_log"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    incident_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("incident.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    entry: Mapped[str] = mapped_column(String(32))
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str | None] = mapped_column(String(16))
    username: Mapped[str] = mapped_column(String(64))
    text: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Assignment(Base):
    __tablename__ = "incident_assignment"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    incident_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("incident.id", ondelete="CASCADE"), index=True
    )
    unit_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("patrol_unit.id", ondelete="RESTRICT"), index=True
    )
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime)
    assigned_by: Mapped[str] = mapped_column(String(64))
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    distance_m: Mapped[float | None] = mapped_column(Float)


class Rule(Base):
    """A station's trigger -> action rule, held as data (see ``ops.rules``)."""

    __tablename__ = "ops_rule"
    __table_args__ = (UniqueConstraint("station_id", "name"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    station_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("org_unit.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    trigger: Mapped[dict[str, Any]] = mapped_column(JSON)
    action: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DeviceHealth(Base):
    """When each device was last heard, for the "device silent" rule."""

    __tablename__ = "device_health"

    device_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    station_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    source_asset_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    silent_since: Mapped[datetime | None] = mapped_column(UTCDateTime)


class FeedEntry(Base):
    """The live feed consoles follow; ``seq`` is the WebSocket resume cursor."""

    __tablename__ = "feed_entry"

    seq: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    station_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    type: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)


class IncidentCall(Base):
    """How an incident entered by hand reached the CCOC, and who called.

    Kept apart from ``incident`` on purpose: the incident row goes out on the live feed to
    every console in scope (viewers too), while the caller's name and phone are personal data
    (PDPA) that only those who act on incidents read, and that retention blanks while the
    incident stays. The place (address, landmark) is not personal and lives on the incident.
    """

    __tablename__ = "incident_call"
    __table_args__ = (UniqueConstraint("station_id", "external_ref"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    incident_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("incident.id", ondelete="CASCADE"), unique=True
    )
    station_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    source: Mapped[str] = mapped_column(String(32))
    # The 191 centre's own case number: a transfer sent twice is one incident.
    external_ref: Mapped[str | None] = mapped_column(String(40))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    taken_by: Mapped[str] = mapped_column(String(64))
    caller_anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    caller_name: Mapped[str | None] = mapped_column(String(200))
    caller_phone: Mapped[str | None] = mapped_column(String(20))
    # The PDPA notice version read to the caller (None: nothing personal was recorded).
    notice_version: Mapped[str | None] = mapped_column(String(16))
    caller_erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
