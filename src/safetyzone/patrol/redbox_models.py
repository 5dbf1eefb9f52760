"""Tables of red box 4.0 (ตู้แดง 4.0): each box's key, and every check-in attempt.

A box's key is the proof that an officer stood in front of it: a per-box secret (sealed
with ``SecretBox`` like camera stream secrets) that either signs a printed QR or drives a
rotating code on the box's screen. ``version`` grows with every new key, so a sheet printed
before a rotation is recognised as expired rather than taken.

Every attempt is a row, refused ones included: a forged code or a check-in from 2 km away
is a fact the station must be able to see, not an error that vanishes. A rotating code is
taken once per box; the partial unique index over accepted rows holds that even against
two phones racing (the service checks first so the refusal is a clean "replayed").
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from safetyzone.core.db import Base, UTCDateTime, new_id


class RedBoxKey(Base):
    """The current key of one red box (an asset of kind ``red_box``)."""

    __tablename__ = "patrol_red_box_key"

    asset_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("asset.id", ondelete="CASCADE"), primary_key=True)
    station_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("org_unit.id", ondelete="RESTRICT"), index=True)
    mode: Mapped[str] = mapped_column(String(16))  # "printed" | "rotating"
    # Base32 of 32 random bytes, sealed; never returned after the rotation that made it.
    secret_sealed: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer)
    rotated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    rotated_by: Mapped[str] = mapped_column(String(64))


class CheckIn(Base):
    """One check-in attempt at a red box, accepted or refused (``reason`` says why)."""

    __tablename__ = "patrol_checkin"
    __table_args__ = (
        # A rotating code counts once per box. Only accepted rows carry weight; refused
        # attempts may repeat a code as often as they like.
        Index("uq_patrol_checkin_code", "asset_id", "code_digest", unique=True,
              sqlite_where=text("accepted = 1 AND code_digest IS NOT NULL"),
              postgresql_where=text("accepted AND code_digest IS NOT NULL")),
        # The phone's idempotency key: a retry finds the first attempt's row.
        UniqueConstraint("user_id", "idempotency_key"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    # The box's station; for a code naming no box in the officer's scope, the officer's own
    # station (None only for an officer of several stations, off shift, with such a code).
    station_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("org_unit.id", ondelete="RESTRICT"), index=True)
    # None when the code names no box the officer may see (or the box was deleted since).
    asset_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("asset.id", ondelete="SET NULL"), index=True)
    unit_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("patrol_unit.id", ondelete="SET NULL"), index=True)
    shift_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    username: Mapped[str] = mapped_column(String(64))
    scanned_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)  # the phone's time
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    accuracy_m: Mapped[float] = mapped_column(Float)
    distance_m: Mapped[float | None] = mapped_column(Float)
    accepted: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str | None] = mapped_column(String(32))
    # SHA-256 over (box, key version, time step, code) of a rotating code; None for printed.
    code_digest: Mapped[str | None] = mapped_column(String(64))
    photo_key: Mapped[str | None] = mapped_column(String(200))
    idempotency_key: Mapped[str | None] = mapped_column(String(64))
