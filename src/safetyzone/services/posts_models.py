"""Tables of volunteer service posts: the weekly hours of a post (``citizen.ServicePost``)
and its roster of volunteers, and what was taken at each post.

The post itself is the citizen domain's ``service_post`` row (the public station card lists
it); these tables add what a volunteer's duty needs: when the post is open and who works it.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from safetyzone.core.db import Base, UTCDateTime, new_id, str_enum

BigId = BigInteger().with_variant(Integer, "sqlite")


class IntakeKind(enum.StrEnum):
    REPORT = "report"
    CONSULT = "consult"


class PostHours(Base):
    """One opening window of a post on a weekday (Monday 0), in Bangkok minutes of the day."""

    __tablename__ = "post_hours"

    post_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("service_post.id", ondelete="CASCADE"), primary_key=True)
    weekday: Mapped[int] = mapped_column(Integer, primary_key=True)
    opens_min: Mapped[int] = mapped_column(Integer, primary_key=True)
    closes_min: Mapped[int] = mapped_column(Integer)


class PostRoster(Base):
    """A volunteer (or officer) who works a post."""

    __tablename__ = "post_roster"
    __table_args__ = (UniqueConstraint("post_id", "user_id"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    post_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("service_post.id", ondelete="CASCADE"), index=True)
    station_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org_unit.id", ondelete="CASCADE"))
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)
    added_by: Mapped[str] = mapped_column(String(64))


class PostIntake(Base):
    """Something a volunteer took at a post: the citizen report or consultation (by code)."""

    __tablename__ = "post_intake"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    post_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("service_post.id", ondelete="SET NULL"), index=True)
    station_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org_unit.id", ondelete="CASCADE"))
    kind: Mapped[IntakeKind] = mapped_column(str_enum(IntakeKind, "post_intake_kind"))
    code: Mapped[str] = mapped_column(String(16), index=True)
    user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="SET NULL"))
    username: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
