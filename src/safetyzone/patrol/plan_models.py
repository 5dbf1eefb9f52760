"""Tables of patrol plans: risk spots, plans with their targets and units, the visits units
make to targets, and checkpoint sessions (จุดตรวจ) with the officers' log entries.

A plan's target keeps its own copy of the place (name, position, radius, high-risk hours):
a plan is a record of what was asked for that shift, so editing or deleting a risk spot
later does not rewrite what a past shift was measured against.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
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

from safetyzone.core.db import Base, UTCDateTime, new_id


class RiskSpot(Base):
    """A place a station wants patrolled: set by hand now, from hotspot analytics later."""

    __tablename__ = "patrol_risk_spot"
    __table_args__ = (UniqueConstraint("station_id", "code"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    station_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("org_unit.id", ondelete="RESTRICT"), index=True)
    zone_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("zone.id", ondelete="SET NULL"))
    code: Mapped[str] = mapped_column(String(64))
    name_th: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    radius_m: Mapped[float] = mapped_column(Float)
    risk_score: Mapped[float] = mapped_column(Float)  # 0..1
    high_risk_hours: Mapped[list[int]] = mapped_column(JSON, default=list)  # Bangkok hours
    source: Mapped[str] = mapped_column(String(16))  # "manual" | "hotspot"
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[str] = mapped_column(String(64))


class PatrolPlan(Base):
    """What a station asks of its patrols between two times."""

    __tablename__ = "patrol_plan"
    __table_args__ = (Index("ix_patrol_plan_station_window", "station_id", "ends_at"),
                      Index("ix_patrol_plan_ends_at", "ends_at"))

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    station_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org_unit.id", ondelete="RESTRICT"))
    name: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    auto: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(64))
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_by: Mapped[str | None] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)


class PlanTarget(Base):
    """One place of a plan, with what is asked there and its live alert state.

    ``last_visit_at`` is the last moment a unit was seen inside during a visit that counts;
    ``alerted_at`` is set when the missed-visit alert fired for the current gap and cleared
    by the next counted visit, so the alert fires once per gap.
    """

    __tablename__ = "patrol_plan_target"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    plan_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("patrol_plan.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))  # red_box | risk_spot | point | home_watch
    ref_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    name_th: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    radius_m: Mapped[float] = mapped_column(Float)
    risk_score: Mapped[float | None] = mapped_column(Float)
    high_risk_hours: Mapped[list[int]] = mapped_column(JSON, default=list)
    target_visits: Mapped[int] = mapped_column(Integer)
    target_minutes: Mapped[int] = mapped_column(Integer)
    alert_after_min: Mapped[int | None] = mapped_column(Integer)  # None: the station default
    last_visit_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    alerted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    alert_incident_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)


class PlanUnit(Base):
    """A unit assigned to a plan (a plan with none is the whole station's)."""

    __tablename__ = "patrol_plan_unit"

    plan_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("patrol_plan.id", ondelete="CASCADE"), primary_key=True)
    unit_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("patrol_unit.id", ondelete="RESTRICT"), primary_key=True, index=True)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime)
    assigned_by: Mapped[str] = mapped_column(String(64))


class PlanVisit(Base):
    """One unit's stay inside one target's radius, from its GPS fixes (device time)."""

    __tablename__ = "patrol_plan_visit"
    __table_args__ = (Index("ix_patrol_plan_visit_open", "target_id", "left_at"),
                      Index("ix_patrol_plan_visit_stale", "left_at", "last_seen_at"))

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    plan_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("patrol_plan.id", ondelete="CASCADE"), index=True)
    target_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("patrol_plan_target.id", ondelete="CASCADE"))
    unit_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    dwell_s: Mapped[float] = mapped_column(Float, default=0.0)
    counted: Mapped[bool] = mapped_column(Boolean, default=False)


class Checkpoint(Base):
    """A checkpoint session (จุดตรวจ): place, time, staff, units and its results.

    Results are the sum of the officers' log entries plus the console's corrections
    (``*_adjust``): a PATCH of a total stores the difference, so later entries still add.
    """

    __tablename__ = "patrol_checkpoint"
    __table_args__ = (Index("ix_patrol_checkpoint_station_day", "station_id", "starts_at"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    station_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org_unit.id", ondelete="RESTRICT"))
    name_th: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    asset_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("asset.id", ondelete="SET NULL"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16))  # planned | active | done | cancelled
    staff: Mapped[list[str]] = mapped_column(JSON, default=list)
    unit_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    vehicles_adjust: Mapped[int] = mapped_column(Integer, default=0)
    persons_adjust: Mapped[int] = mapped_column(Integer, default=0)
    arrests_adjust: Mapped[int] = mapped_column(Integer, default=0)
    seized_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class CheckpointEntry(Base):
    """What an officer at the checkpoint reported: counts since their last entry."""

    __tablename__ = "patrol_checkpoint_entry"
    __table_args__ = (UniqueConstraint("checkpoint_id", "user_id", "idempotency_key"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    checkpoint_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("patrol_checkpoint.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    username: Mapped[str] = mapped_column(String(64))
    unit_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    vehicles: Mapped[int] = mapped_column(Integer)
    persons: Mapped[int] = mapped_column(Integer)
    arrests: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    idempotency_key: Mapped[str | None] = mapped_column(String(64))


class StandingTarget(Base):
    """A place a station has promised to watch between two times, longer than one plan (a
    home-watch house for the days its owner is away): every plan of the station that overlaps
    the promise gets it as a target, plans made before the promise and after it alike."""

    __tablename__ = "patrol_standing_target"
    __table_args__ = (UniqueConstraint("kind", "ref_id"),
                      Index("ix_patrol_standing_target_window", "station_id", "ends_at"))

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    station_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org_unit.id", ondelete="RESTRICT"))
    kind: Mapped[str] = mapped_column(String(16))  # home_watch
    ref_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    name_th: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    radius_m: Mapped[float] = mapped_column(Float)
    target_visits: Mapped[int] = mapped_column(Integer)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(64))
