"""Tables of the LINE Official Account channel.

A LINE user is known only by a keyed hash of their LINE user id (``user_hash``); the id
itself, needed to push status changes, is sealed like the channel's secret and token. Nothing
about a user is stored before they accept the consent text: the ``line_user`` row IS the
consent record, and it is created by the acceptance.
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


class LineChannel(Base):
    """One LINE Official Account (a Messaging API channel) and the station it serves.

    With ``SSZ_LINE_ROUTING=per_station`` every station has its own; with ``by_location``
    there is one, and its station takes the reports that carry no location.
    """

    __tablename__ = "line_channel"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    station_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("org_unit.id", ondelete="RESTRICT"), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # LINE's own numeric channel id, as the LINE Developers console shows it.
    line_channel_id: Mapped[str] = mapped_column(String(32), unique=True)
    # The bot's user id: the ``destination`` of its webhooks, learned from the first one.
    bot_user_id: Mapped[str | None] = mapped_column(String(100))
    secret_sealed: Mapped[str] = mapped_column(Text)
    token_sealed: Mapped[str] = mapped_column(Text)
    # After a rotation, webhooks already signed with the old secret still verify for a while.
    previous_secret_sealed: Mapped[str | None] = mapped_column(Text)
    previous_valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    rich_menu_id: Mapped[str | None] = mapped_column(String(100))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    rotated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ChatMode(enum.StrEnum):
    """What the rich menu asked the user for; the next messages are read in that light."""

    REPORT = "report"
    TIP = "tip"
    EMERGENCY = "emergency"
    STATION = "station"


class LineUser(Base):
    """A LINE user who accepted the consent text, and their open draft report."""

    __tablename__ = "line_user"
    __table_args__ = (UniqueConstraint("channel_id", "user_hash"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    channel_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("line_channel.id", ondelete="CASCADE"), index=True)
    user_hash: Mapped[str] = mapped_column(String(64))
    user_sealed: Mapped[str] = mapped_column(Text)
    consent_version: Mapped[str] = mapped_column(String(32))
    consent_purposes: Mapped[list[str]] = mapped_column(JSON)
    consented_at: Mapped[datetime] = mapped_column(UTCDateTime)
    mode: Mapped[ChatMode | None] = mapped_column(str_enum(ChatMode, "line_chat_mode"))
    category: Mapped[str | None] = mapped_column(String(32))
    # Messages within DRAFT_WINDOW of the last one join the same report.
    draft_code: Mapped[str | None] = mapped_column(String(16))
    draft_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)


class LineTicket(Base):
    """A ticket opened from the chat: "my tickets" lists these, pushes go through its channel."""

    __tablename__ = "line_ticket"
    __table_args__ = (Index("ix_line_ticket_owner", "channel_id", "user_hash"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    channel_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("line_channel.id", ondelete="CASCADE"))
    user_hash: Mapped[str] = mapped_column(String(64))
    code: Mapped[str] = mapped_column(String(16), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class LineDelivery(Base):
    """A webhook event already served: LINE redelivers with the same ``webhookEventId``."""

    __tablename__ = "line_delivery"
    __table_args__ = (UniqueConstraint("channel_id", "event_id"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    channel_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("line_channel.id", ondelete="CASCADE"))
    event_id: Mapped[str] = mapped_column(String(100))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class JobKind(enum.StrEnum):
    REPLY = "reply"  # answer one event with its reply token (free, within a minute)
    PUSH = "push"  # message a user at any time (counts against the channel's quota)
    FETCH = "fetch"  # download a photo the user sent, then add it to their report


class JobState(enum.StrEnum):
    PENDING = "pending"
    FAILED = "failed"


class LineJob(Base):
    """Outbox of calls to LINE, written in the same transaction as the change they report.

    A worker sends them after the commit and deletes each one that succeeded; one that keeps
    failing stays ``failed`` with its last error for the operator (and is pruned later).
    """

    __tablename__ = "line_job"
    __table_args__ = (Index("ix_line_job_due", "state", "next_at"),)

    # A sequence, so a user hears an officer's words before the status change they caused.
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"),
                                    primary_key=True, autoincrement=True)
    # X-Line-Retry-Key of a push: LINE delivers one key once, whatever the retries.
    retry_key: Mapped[uuid.UUID] = mapped_column(Uuid, default=new_id)
    channel_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("line_channel.id", ondelete="CASCADE"), index=True)
    kind: Mapped[JobKind] = mapped_column(str_enum(JobKind, "line_job_kind"))
    state: Mapped[JobState] = mapped_column(str_enum(JobState, "line_job_state"))
    user_hash: Mapped[str] = mapped_column(String(64))
    to_sealed: Mapped[str] = mapped_column(Text)
    reply_token: Mapped[str | None] = mapped_column(String(100))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    item_code: Mapped[str | None] = mapped_column(String(16))
    # The citizen message this push delivers (its delivery state follows the job's).
    message_ref: Mapped[str | None] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
