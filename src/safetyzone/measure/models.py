"""Tables of the measurement domain: facts, record imports and the records themselves, and
the stations' own KPI targets."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import (
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

from safetyzone.core.db import Base, UTCDateTime, new_id, str_enum


class FactStatus(enum.StrEnum):
    """How far a figure can be trusted: the seeds give some exactly, some "about"
    (ประมาณ), and leave others open; an open figure is stored as unknown, never invented."""

    EXACT = "exact"
    APPROXIMATE = "approximate"
    UNKNOWN = "unknown"


class RecordSource(enum.StrEnum):
    """Where an imported record comes from."""

    CALL_191 = "191"  # the 191 emergency centre's call log
    CASE = "case"  # the station's crime-case register (คดีอาญา)


class Fact(Base):
    """One figure of a station (``zone_id`` empty) or of one of its zones."""

    __tablename__ = "measure_fact"
    __table_args__ = (
        # One figure per key: per station for station facts, per zone for zone facts.
        Index("uq_measure_fact_station", "station_id", "key", unique=True,
              sqlite_where=text("zone_id IS NULL"), postgresql_where=text("zone_id IS NULL")),
        Index("uq_measure_fact_zone", "zone_id", "key", unique=True,
              sqlite_where=text("zone_id IS NOT NULL"),
              postgresql_where=text("zone_id IS NOT NULL")),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    station_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org_unit.id", ondelete="RESTRICT"))
    zone_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("zone.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    value_num: Mapped[float | None] = mapped_column(Float)
    value_text: Mapped[str | None] = mapped_column(Text)
    status: Mapped[FactStatus] = mapped_column(str_enum(FactStatus, "fact_status"))
    source: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[str] = mapped_column(String(64))


class RecordImport(Base):
    """One file imported into a station's records: who, when, what; deleting it deletes
    its records (a wrong file is taken back whole, as it came in)."""

    __tablename__ = "record_import"
    __table_args__ = (Index("ix_record_import_station_at", "station_id", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    station_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org_unit.id", ondelete="RESTRICT"))
    source: Mapped[RecordSource] = mapped_column(str_enum(RecordSource, "record_source"))
    file_name: Mapped[str] = mapped_column(String(255))
    file_format: Mapped[str] = mapped_column(String(8))
    sha256: Mapped[str] = mapped_column(String(64))
    rows: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(64))


class Record(Base):
    """One 191 call or crime case, mapped to a call type (``ops.calltypes``) and its group."""

    __tablename__ = "record"
    __table_args__ = (
        Index("ix_record_station_at", "station_id", "occurred_at"),
        Index("ix_record_station_number", "station_id", "source", "external_no"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    station_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org_unit.id", ondelete="RESTRICT"))
    import_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("record_import.id", ondelete="CASCADE"), index=True)
    source: Mapped[RecordSource] = mapped_column(str_enum(RecordSource, "record_source"))
    line: Mapped[int] = mapped_column(Integer)  # where it stood in the file
    external_no: Mapped[str | None] = mapped_column(String(64))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    type_label: Mapped[str] = mapped_column(String(200))  # as the file wrote it
    kind: Mapped[str | None] = mapped_column(String(32))  # a call type key, when one fits
    crime_group: Mapped[str] = mapped_column(String(32))
    place: Mapped[str] = mapped_column(String(500))
    place_key: Mapped[str] = mapped_column(String(500))  # folded, for the duplicate rule
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    detail: Mapped[str | None] = mapped_column(Text)


class KpiTarget(Base):
    """A station's own target for one KPI (``measure.kpi_catalog``), in place of the
    program's default; set by admins and commanders, audited (``measure.kpis.set_target``)."""

    __tablename__ = "measure_kpi_target"
    __table_args__ = (UniqueConstraint("station_id", "key", name="uq_measure_kpi_target"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    station_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org_unit.id", ondelete="RESTRICT"))
    key: Mapped[str] = mapped_column(String(64))
    value: Mapped[float] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[str] = mapped_column(String(64))
