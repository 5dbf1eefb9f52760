"""Tables of work orders: a fix the station asks of the partner responsible (a lamp out, a
dead camera, a broken SOS pole, an abandoned plot to clear), and each order's history."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import BigInteger, Float, ForeignKey, Index, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from safetyzone.core.db import Base, UTCDateTime, new_id, str_enum

BigId = BigInteger().with_variant(Integer, "sqlite")


class WorkKind(enum.StrEnum):
    STREET_LIGHT = "street_light"
    CAMERA = "camera"
    SOS_POINT = "sos_point"
    ABANDONED_PLOT = "abandoned_plot"
    OTHER = "other"


class WorkStatus(enum.StrEnum):
    """open -> accepted -> in_progress -> done -> verified, or rejected (with a reason) by the
    partner; cancelled by the police; reopened (back to open) by the police when the fix did
    not hold or after a refusal."""

    OPEN = "open"
    ACCEPTED = "accepted"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    VERIFIED = "verified"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


class WorkSource(enum.StrEnum):
    MANUAL = "manual"
    CITIZEN = "citizen"
    INCIDENT = "incident"


class WorkOrder(Base):
    """One order to one partner. ``description`` is written by the police for the partner:
    a citizen's own words, name or phone never travel here."""

    __tablename__ = "work_order"
    __table_args__ = (
        Index("ix_work_order_station_status", "station_id", "status"),
        Index("ix_work_order_partner_status", "partner_id", "status"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    station_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org_unit.id", ondelete="RESTRICT"))
    partner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("partner.id", ondelete="RESTRICT"))
    kind: Mapped[WorkKind] = mapped_column(str_enum(WorkKind, "work_kind"))
    asset_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("asset.id", ondelete="SET NULL"), index=True)
    camera_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("camera.id", ondelete="SET NULL"), index=True)
    place: Mapped[str] = mapped_column(String(200))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    description: Mapped[str] = mapped_column(Text)
    priority: Mapped[int] = mapped_column(Integer)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[WorkStatus] = mapped_column(str_enum(WorkStatus, "work_status"))
    source: Mapped[WorkSource] = mapped_column(str_enum(WorkSource, "work_source"))
    # One order per citizen report; an incident may get another once its order is closed.
    citizen_item_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("citizen_item.id", ondelete="SET NULL"), unique=True)
    incident_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("incident.id", ondelete="SET NULL"), index=True)
    reject_reason: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)


class WorkOrderLog(Base):
    """Who moved an order, when, from which side, with what note."""

    __tablename__ = "work_order_log"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    order_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("work_order.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    action: Mapped[str] = mapped_column(String(16))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    side: Mapped[str] = mapped_column(String(8))  # police | partner
    username: Mapped[str] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)
