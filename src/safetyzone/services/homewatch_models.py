"""Tables of home watch (ฝากบ้าน 4.0): a citizen's request to have their house watched while
they are away, its photos, and the officers' visits.

Personal data lives only in the sealed columns (address, contacts, notes) and in the house's
position and photos; the retention sweep (``homewatch_sweep.forget_before``) erases them
and keeps the police record: code, station, dates, states, when visits were made and what
they found.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from safetyzone.core.db import Base, UTCDateTime, new_id, str_enum


class WatchState(enum.StrEnum):
    PENDING = "pending"  # waiting for an officer
    APPROVED = "approved"  # in the patrol plans for its dates
    DECLINED = "declined"
    CANCELLED = "cancelled"  # the owner withdrew it
    CLOSED = "closed"  # its time away is over


OPEN_STATES = (WatchState.PENDING, WatchState.APPROVED)


class Finding(enum.StrEnum):
    NORMAL = "normal"
    PROBLEM = "problem"  # something wrong: an incident opens


class HomeWatchRequest(Base):
    __tablename__ = "homewatch_request"
    __table_args__ = (Index("ix_homewatch_request_station_state", "station_id", "state"),
                      Index("ix_homewatch_request_until", "state", "away_until"))

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    station_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org_unit.id", ondelete="RESTRICT"))
    zone_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("zone.id", ondelete="SET NULL"))
    # sha256 of the key the phone generated: proves ownership, finds a retried request.
    client_key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    state: Mapped[WatchState] = mapped_column(str_enum(WatchState, "homewatch_state"))
    away_from: Mapped[datetime] = mapped_column(UTCDateTime)
    away_until: Mapped[datetime] = mapped_column(UTCDateTime)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    address_sealed: Mapped[str | None] = mapped_column(Text)
    contacts_sealed: Mapped[str | None] = mapped_column(Text)
    notes_sealed: Mapped[str | None] = mapped_column(Text)
    consent: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decline_reason: Mapped[str | None] = mapped_column(String(500))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)


class HomeWatchPhoto(Base):
    """A photo of the house from its owner (the file in the media store, EXIF removed)."""

    __tablename__ = "homewatch_photo"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    request_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("homewatch_request.id", ondelete="CASCADE"), index=True)
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    path: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class HomeWatchVisit(Base):
    """An officer's visit to the house, logged from the phone at the house."""

    __tablename__ = "homewatch_visit"
    __table_args__ = (UniqueConstraint("request_id", "user_id", "idempotency_key"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    request_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("homewatch_request.id", ondelete="CASCADE"), index=True)
    station_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org_unit.id", ondelete="RESTRICT"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    username: Mapped[str] = mapped_column(String(64))
    unit_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    accuracy_m: Mapped[float] = mapped_column(Float)
    distance_m: Mapped[float] = mapped_column(Float)
    finding: Mapped[Finding] = mapped_column(str_enum(Finding, "homewatch_finding"))
    note: Mapped[str | None] = mapped_column(Text)
    photo_path: Mapped[str | None] = mapped_column(String(300))
    incident_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("incident.id", ondelete="SET NULL"))
    idempotency_key: Mapped[str | None] = mapped_column(String(64))
