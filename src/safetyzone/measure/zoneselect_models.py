"""Tables of zone selection: candidate areas of a station, the station's scoring weights, and
the Big 6 meeting's decisions with the candidates they chose.

A decision is evidence of a meeting: the database itself refuses to change or delete a
decision or its choices (triggers in migration 0028, as for the audit log). A later meeting
records a new decision that names the one it supersedes; the history stays whole.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from safetyzone.core.db import Base, UTCDateTime, new_id


class ZoneCandidate(Base):
    """An area of a station the Big 6 may choose as its Safety Zone."""

    __tablename__ = "zone_candidate"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    station_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("org_unit.id", ondelete="RESTRICT"), index=True)
    name_th: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    boundary: Mapped[dict[str, Any]] = mapped_column(JSON)  # GeoJSON Polygon, lon/lat
    area_km2: Mapped[float] = mapped_column(Float)  # of the boundary, in UTM metres
    # Counts entered by hand, each with its source: [{criterion, kind, count, source, note}]
    entered_counts: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    note: Mapped[str | None] = mapped_column(Text)
    retired: Mapped[bool] = mapped_column(Boolean, default=False)  # kept, no longer scored
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[str] = mapped_column(String(64))


class ZoneWeights(Base):
    """How a station weighs the three criteria, and the window its risk is counted over.

    A station without a row scores with the defaults (``zoneselect.DEFAULT_WEIGHTS``)."""

    __tablename__ = "zone_weights"

    station_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("org_unit.id", ondelete="RESTRICT"), primary_key=True)
    risk: Mapped[float] = mapped_column(Float)
    landmark: Mapped[float] = mapped_column(Float)
    economic: Mapped[float] = mapped_column(Float)
    # The part of the risk criterion that comes from hotspot cells; the rest from records.
    hotspot_share: Mapped[float] = mapped_column(Float)
    risk_from: Mapped[date | None] = mapped_column(Date)  # Bangkok days, inclusive
    risk_to: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[str] = mapped_column(String(64))


class ZoneDecision(Base):
    """What one Big 6 meeting decided: who sat, what they chose and why. Append-only."""

    __tablename__ = "zone_decision"
    __table_args__ = (
        UniqueConstraint("station_id", "number", name="uq_zone_decision_number"),
        # A decision is superseded once: the history is a line, never a fork.
        UniqueConstraint("supersedes_id", name="uq_zone_decision_supersedes"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    station_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("org_unit.id", ondelete="RESTRICT"), index=True)
    number: Mapped[int] = mapped_column(Integer)  # 1, 2 ... per station
    meeting_on: Mapped[date] = mapped_column(Date)  # the meeting's day in Bangkok
    members: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    rationale: Mapped[str] = mapped_column(Text)
    reasons: Mapped[dict[str, list[str]]] = mapped_column(JSON, default=dict)
    launch_on: Mapped[date | None] = mapped_column(Date)
    supersedes_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("zone_decision.id", ondelete="RESTRICT"))
    # The weights and the ranking as the meeting saw them.
    weights: Mapped[dict[str, Any]] = mapped_column(JSON)
    ranking: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by: Mapped[str] = mapped_column(String(64))


class ZoneDecisionChoice(Base):
    """A candidate a decision chose, and the station's zone made from it or linked to it."""

    __tablename__ = "zone_decision_choice"

    decision_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("zone_decision.id", ondelete="RESTRICT"), primary_key=True)
    candidate_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("zone_candidate.id", ondelete="RESTRICT"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)  # the order the decision lists them
    zone_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("zone.id", ondelete="RESTRICT"), index=True)
    zone_created: Mapped[bool] = mapped_column(Boolean, default=False)
