"""Tables of the CCOC's own duty: who sits at the console, the shift log, the handovers.

This is the command centre's staff on a 24-hour rota (operators, commanders), not the patrol
officers' shifts with a unit (``patrol.models.PatrolShift``): a console duty has no unit,
no device and no position.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from safetyzone.core.db import Base, UTCDateTime, new_id, str_enum
from safetyzone.ops.models import BigId


class EntryKind(enum.StrEnum):
    """What a shift log line says. Only ``note`` and ``event`` are written by hand; the
    others are written by going on or off duty, handing over and acknowledging."""

    ON_DUTY = "on_duty"
    OFF_DUTY = "off_duty"
    NOTE = "note"  # routine: a call to the district office, a visitor, a radio check
    EVENT = "event"  # notable: printed in the commander's daily report under its own head
    HANDOVER = "handover"
    HANDOVER_ACK = "handover_ack"


class DutyShift(Base):
    """One person on duty at the console of one station, from ``started_at`` to ``ended_at``."""

    __tablename__ = "ccoc_duty"
    __table_args__ = (
        # On duty once at a time per station: the database refuses a second open duty.
        Index("uq_ccoc_duty_open", "station_id", "user_id", unique=True,
              sqlite_where=text("ended_at IS NULL"), postgresql_where=text("ended_at IS NULL")),
        Index("ix_ccoc_duty_station_started", "station_id", "started_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    station_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("org_unit.id", ondelete="RESTRICT"))
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    username: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(32))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Who ended it: the officer, or a commander closing a duty somebody forgot to end.
    ended_by: Mapped[str | None] = mapped_column(String(64))


class ShiftLogEntry(Base):
    """One line of a station's shift log (ปจว. of the CCOC), append-only."""

    __tablename__ = "shift_log_entry"
    __table_args__ = (Index("ix_shift_log_station_at", "station_id", "at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    station_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("org_unit.id", ondelete="RESTRICT"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    username: Mapped[str] = mapped_column(String(64))
    kind: Mapped[EntryKind] = mapped_column(str_enum(EntryKind, "shift_entry_kind"))
    text: Mapped[str | None] = mapped_column(Text)
    # A notable event about an incident points at it (shown with its title, in scope only).
    incident_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    handover_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)


class Handover(Base):
    """What the outgoing officer hands to the next: notes and the open items at that moment.

    ``carried`` is a snapshot (open incidents with state and age, units out of service,
    cameras down) so the record says what was handed over, not what is open when read.
    Unacknowledged, it stays on every console of the station.
    """

    __tablename__ = "shift_handover"
    __table_args__ = (Index("ix_shift_handover_station_written", "station_id", "written_at"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    station_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("org_unit.id", ondelete="RESTRICT"))
    written_at: Mapped[datetime] = mapped_column(UTCDateTime)
    written_by: Mapped[str] = mapped_column(String(64))
    notes: Mapped[str] = mapped_column(Text)
    carried: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    acknowledged_by: Mapped[str | None] = mapped_column(String(64))
    ack_note: Mapped[str | None] = mapped_column(Text)
