"""Tables of lost-document reports (แจ้งเอกสารหาย): the reports, each station's running
numbers per Buddhist Era year, and each station's settings.

A report's personal data (name, national ID, phone) lives only in sealed columns; the ID's
keyed digest (``id_digest``) finds repeats without unsealing anything, and ``masked_name``
is all a public verification ever shows. The record number is unique per station and
year in the database itself, whatever races the counter.
"""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
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


class LostDocStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for an officer's review
    ISSUED = "issued"  # numbered; the certificate verifies as valid
    REVOKED = "revoked"  # withdrawn by an officer (with a reason); verifies as revoked


class LostDocChannel(enum.StrEnum):
    WEB = "web"
    LINE = "line"


class LostDocReport(Base):
    __tablename__ = "lostdoc_report"
    __table_args__ = (
        UniqueConstraint("station_id", "be_year", "number"),
        Index("ix_lostdoc_report_station_status", "station_id", "status", "created_at"),
        Index("ix_lostdoc_report_repeat", "id_digest", "created_at"),
        Index("ix_lostdoc_report_created_at", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    station_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("org_unit.id", ondelete="RESTRICT"))
    channel: Mapped[LostDocChannel] = mapped_column(str_enum(LostDocChannel, "lostdoc_channel"))
    client_key_hash: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[LostDocStatus] = mapped_column(str_enum(LostDocStatus, "lostdoc_status"))
    name_sealed: Mapped[str] = mapped_column(Text)
    national_id_sealed: Mapped[str] = mapped_column(Text)
    phone_sealed: Mapped[str] = mapped_column(Text)
    id_digest: Mapped[str] = mapped_column(String(64))
    masked_name: Mapped[str] = mapped_column(String(200))
    # [{"kind": "id_card", "detail": "..."}]: what was lost, in the order declared.
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    lost_on: Mapped[date] = mapped_column(Date)
    lost_time: Mapped[str | None] = mapped_column(String(5))
    lost_where: Mapped[str] = mapped_column(Text)
    how: Mapped[str] = mapped_column(Text)
    consent: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Earlier reports of the same ID and a same kind within the station's window:
    # [{"code", "record_no", "kinds", "created_at"}]; non-empty means an officer reviews it.
    repeats: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    be_year: Mapped[int | None] = mapped_column(Integer)
    number: Mapped[int | None] = mapped_column(Integer)
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    issued_by: Mapped[str | None] = mapped_column(String(64))  # None: issued automatically
    issued_by_name: Mapped[str | None] = mapped_column(String(200))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by: Mapped[str | None] = mapped_column(String(64))
    revoke_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class LostDocCounter(Base):
    """The last record number a station gave in a Buddhist Era year (numbers start at 1)."""

    __tablename__ = "lostdoc_counter"

    station_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("org_unit.id", ondelete="RESTRICT"), primary_key=True)
    be_year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer, default=0)


class LostDocSetting(Base):
    """A station's own choice; a station without a row uses the server's defaults."""

    __tablename__ = "lostdoc_setting"

    station_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("org_unit.id", ondelete="RESTRICT"), primary_key=True)
    auto_issue: Mapped[bool] = mapped_column(Boolean)
    repeat_days: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[str] = mapped_column(String(64))
