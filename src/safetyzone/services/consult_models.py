"""Tables of legal consultation (ตำรวจพร้อมปรึกษาข้อกฎหมาย): consultants of a station, the
slots they offer, the citizens' requests booked into them, and the consultants' notes.

A slot is claimed by at most one live request: ``consult_request.active_slot_id`` holds the
slot while the booking stands (NULL once cancelled) under a unique constraint, and booking
flips the slot from ``open`` to ``booked`` with a conditional UPDATE. Either alone stops a
double booking on both backends; together they make it impossible.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
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


class ConsultChannel(enum.StrEnum):
    """Where the consultation happens."""

    STATION = "station"
    POST = "post"
    PHONE = "phone"
    VIDEO = "video"


class SlotState(enum.StrEnum):
    OPEN = "open"
    BOOKED = "booked"
    CANCELLED = "cancelled"


class RequestState(enum.StrEnum):
    BOOKED = "booked"
    CANCELLED_BY_CITIZEN = "cancelled_by_citizen"
    CANCELLED_BY_STATION = "cancelled_by_station"
    HELD = "held"
    NO_SHOW = "no_show"


class Consultant(Base):
    """A police user who gives legal advice at a station (a user may serve several)."""

    __tablename__ = "consult_consultant"
    __table_args__ = (UniqueConstraint("station_id", "user_id"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    station_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("org_unit.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(64))


class ConsultSlot(Base):
    """A time a consultant offers, on the channels named; booked by one request at most."""

    __tablename__ = "consult_slot"
    __table_args__ = (Index("ix_consult_slot_station_start", "station_id", "starts_at"),
                      Index("ix_consult_slot_consultant_start", "consultant_id", "starts_at"))

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    station_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org_unit.id", ondelete="CASCADE"))
    consultant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("consult_consultant.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    channels: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The video room for the "video" channel: shown only to the citizen who booked it.
    video_url: Mapped[str | None] = mapped_column(String(300))
    state: Mapped[SlotState] = mapped_column(str_enum(SlotState, "consult_slot_state"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(64))
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ConsultRequest(Base):
    """A citizen's consultation, booked into a slot.

    ``client_key_hash`` proves ownership (the caller-key pattern of citizen tickets) and
    makes a retry the same request. Personal data (name, phone, the question) lives only in
    the sealed columns and is erased when its retention period is over (``erased_at``).
    """

    __tablename__ = "consult_request"
    __table_args__ = (Index("ix_consult_request_station_state", "station_id", "state"),
                      Index("ix_consult_request_key", "client_key_hash"))

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    station_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org_unit.id", ondelete="RESTRICT"))
    slot_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("consult_slot.id", ondelete="RESTRICT"), index=True)
    # The slot while this booking stands; NULL once cancelled (unique: one live booking).
    active_slot_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, unique=True)
    consultant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("consult_consultant.id", ondelete="RESTRICT"), index=True)
    topic: Mapped[str] = mapped_column(String(32))
    channel: Mapped[ConsultChannel] = mapped_column(
        str_enum(ConsultChannel, "consult_channel"))
    # Taken at a volunteer post (channel "post", or any channel when a volunteer took it).
    post_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("service_post.id", ondelete="SET NULL"), index=True)
    taken_by: Mapped[str | None] = mapped_column(String(64))
    client_key_hash: Mapped[str] = mapped_column(String(64))
    contact_sealed: Mapped[str | None] = mapped_column(Text)
    question_sealed: Mapped[str | None] = mapped_column(Text)
    consent: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    state: Mapped[RequestState] = mapped_column(str_enum(RequestState, "consult_request_state"))
    # What the citizen was told, in order: [{"what", "at"}] (confirmed, reminder, cancelled).
    notices: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    cancel_reason: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ConsultNote(Base):
    """A consultant's note on a request: sealed, read by consultants of its station only,
    every read and write audited."""

    __tablename__ = "consult_note"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    request_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("consult_request.id", ondelete="CASCADE"), index=True)
    station_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org_unit.id", ondelete="CASCADE"))
    author_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="SET NULL"))
    author: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    text_sealed: Mapped[str] = mapped_column(Text)
