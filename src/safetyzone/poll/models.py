"""Tables of the People Poll. The answers and the ballots are kept apart on purpose.

``poll_response`` holds what was answered and nothing else: a random id, the poll, the
answers. ``poll_ballot`` holds that *somebody* answered a poll: an HMAC of the person's
token (the phone's random key, or a key derived from the LINE user) and the poll, and
nothing else. Neither has a foreign key, a shared id or a time to the other, and both are
stored in the order of their random keys (SQLite ``WITHOUT ROWID``), so a ballot cannot
be paired with its answers (``docs/measure/poll.md``).
"""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from safetyzone.core.db import Base, UTCDateTime, new_id, str_enum


class PollStatus(enum.StrEnum):
    DRAFT = "draft"  # being prepared: not shown to the public
    OPEN = "open"  # answered between opens_at and closes_at
    CLOSED = "closed"  # results final; no more answers


class Poll(Base):
    """One wave of the survey in one zone (wave 1 before the launch, 2 after ...)."""

    __tablename__ = "poll"
    __table_args__ = (UniqueConstraint("zone_id", "wave", name="uq_poll_zone_wave"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    code: Mapped[str] = mapped_column(String(10), unique=True)  # public: P-XXXXXXXX
    station_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("org_unit.id", ondelete="RESTRICT"), index=True)
    zone_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("zone.id", ondelete="RESTRICT"))
    wave: Mapped[int] = mapped_column(Integer)
    wave_name: Mapped[str] = mapped_column(String(200))
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[PollStatus] = mapped_column(str_enum(PollStatus, "poll_status"))
    # The day the zone's program started, for before/after (the zone does not record it).
    zone_launch_on: Mapped[date | None] = mapped_column(Date)
    bank_version: Mapped[str] = mapped_column(String(16))
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(64))


class PollResponse(Base):
    """One person's answers to one poll: no person, no time, no link to a ballot."""

    __tablename__ = "poll_response"
    __table_args__ = ({"sqlite_with_rowid": False},)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    poll_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("poll.id", ondelete="RESTRICT"), index=True)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)


class PollBallot(Base):
    """That somebody answered a poll: an HMAC of (their token, the poll), nothing else."""

    __tablename__ = "poll_ballot"
    __table_args__ = ({"sqlite_with_rowid": False},)

    poll_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("poll.id", ondelete="RESTRICT"), primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
