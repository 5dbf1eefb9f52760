"""The rollout's one table: when each station started the program, and from which source.

Everything else the rollout reports (a zone defined, cameras joined, the CCOC staffed) is
read from the records those steps leave, so it cannot drift from what really happened; the
start is the one step no other record holds.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from safetyzone.core.db import Base, UTCDateTime


class StationRollout(Base):
    __tablename__ = "station_rollout"

    station_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("org_unit.id", ondelete="CASCADE"), primary_key=True)
    started_on: Mapped[date | None] = mapped_column(Date)
    source: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[str] = mapped_column(String(64))
