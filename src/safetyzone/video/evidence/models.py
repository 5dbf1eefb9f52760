"""Tables of evidence: the clips and their chain of custody (append-only)."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from safetyzone.core.db import Base, UTCDateTime, new_id, str_enum


class EvidenceClip(Base):
    """One camera's clip for an incident; the file is never changed after it is made."""

    __tablename__ = "evidence_clip"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    station_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    incident_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    incident_number: Mapped[str] = mapped_column(String(32))
    camera_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    camera_code: Mapped[str] = mapped_column(String(64))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    path: Mapped[str] = mapped_column(String(300), unique=True)  # under data_dir/evidence
    bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    made_at: Mapped[datetime] = mapped_column(UTCDateTime)
    made_by: Mapped[str] = mapped_column(String(64))


class CustodyAction(enum.StrEnum):
    MADE = "made"
    VIEWED = "viewed"
    DOWNLOADED = "downloaded"
    EXPORTED = "exported"


class CustodyEntry(Base):
    """Who did what with a clip, when, from where, and the file's hash at that moment.

    Rows are only inserted: database triggers refuse UPDATE and DELETE on both backends.
    """

    __tablename__ = "evidence_custody"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)
    clip_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    station_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    action: Mapped[CustodyAction] = mapped_column(str_enum(CustodyAction, "custody_action"))
    user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    username: Mapped[str] = mapped_column(String(64))
    address: Mapped[str | None] = mapped_column(String(64))  # the client's IP
    sha256: Mapped[str] = mapped_column(String(64))  # of the file as it was at that moment
    intact: Mapped[bool] = mapped_column(Boolean)  # equal to the hash taken when made
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
