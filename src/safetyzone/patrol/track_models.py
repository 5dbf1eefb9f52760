"""Tables of units' tracks, geofence crossings and visible presence (``patrol.live`` writes
them inside the engine's batch transaction; ``patrol.tracks`` and ``patrol.presence`` read).

* ``patrol_track_chunk``: one row per unit per stretch of up to ``live.CHUNK_SPAN`` (30 min)
  holding that stretch's fixes, encoded by ``patrol.trackcodec`` (~7 bytes a fix). The codec's
  state after the last fix (``last_*``, and ``end_at``) stays on the row, so a batch appends its
  new bytes without decoding the old ones.
* ``patrol_unit_geo``: per unit, what the next batch needs: the open chunk, the latest fix
  time, the last trusted position (suspect jumps and poor fixes are not trusted), and the zone
  the unit is in now.
* ``patrol_geofence_event``: a unit entering or leaving one of its station's zones.
* ``patrol_presence``: seconds units spent per H3 cell, per station and Bangkok day.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import cast

from sqlalchemy import (
    BigInteger,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from safetyzone.core.db import Base, UTCDateTime

BigId = BigInteger().with_variant(Integer, "sqlite")


class TrackChunk(Base):
    __tablename__ = "patrol_track_chunk"
    __table_args__ = (Index("ix_patrol_track_chunk_unit_start", "unit_id", "start_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    unit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patrol_unit.id", ondelete="RESTRICT"))
    station_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    # The first fix (the codec's base); indexed for retention: unlike end_at, it does not
    # change with every append, so the index is not rewritten by each batch.
    start_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime)  # the last fix
    fixes: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    # The codec's state after the last fix (trackcodec.State; its time is end_at).
    last_dt_ms: Mapped[int] = mapped_column(BigInteger)
    last_lat: Mapped[int] = mapped_column(Integer)
    last_lon: Mapped[int] = mapped_column(Integer)
    last_speed: Mapped[int] = mapped_column(Integer)
    last_acc: Mapped[int] = mapped_column(Integer)


class UnitGeo(Base):
    __tablename__ = "patrol_unit_geo"

    unit_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("patrol_unit.id", ondelete="CASCADE"), primary_key=True)
    station_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    # The chunk new fixes are appended to (no foreign key: retention may remove it first).
    chunk_id: Mapped[int | None] = mapped_column(BigInteger)
    latest_at: Mapped[datetime] = mapped_column(UTCDateTime)  # newest fix stored: later = in order
    # The last trusted fix: presence intervals start here, suspicion is measured from here.
    good_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    good_lat: Mapped[float | None] = mapped_column(Float)
    good_lon: Mapped[float | None] = mapped_column(Float)
    suspect_run: Mapped[int] = mapped_column(Integer, default=0)
    zone_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)  # no FK: a zone may be removed
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class GeofenceEvent(Base):
    __tablename__ = "patrol_geofence_event"
    __table_args__ = (Index("ix_patrol_geofence_event_station_at", "station_id", "at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    station_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org_unit.id", ondelete="RESTRICT"))
    unit_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("patrol_unit.id", ondelete="RESTRICT"), index=True)
    zone_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    zone_code: Mapped[str] = mapped_column(String(64))  # as it was named at the crossing
    kind: Mapped[str] = mapped_column(String(8))  # "enter" | "exit"
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)


class Presence(Base):
    __tablename__ = "patrol_presence"

    station_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("org_unit.id", ondelete="RESTRICT"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)  # Asia/Bangkok calendar day
    cell: Mapped[str] = mapped_column(String(16), primary_key=True)  # H3 index, hex
    res: Mapped[int] = mapped_column(Integer)
    seconds: Mapped[float] = mapped_column(Float)


# The tables themselves, for the Core statements of the batch path (one executemany each).
CHUNK_TABLE = cast(Table, TrackChunk.__table__)
GEO_TABLE = cast(Table, UnitGeo.__table__)
PRESENCE_TABLE = cast(Table, Presence.__table__)
