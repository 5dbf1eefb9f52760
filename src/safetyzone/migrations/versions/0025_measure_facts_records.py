"""measurement: station and zone facts with their status, imported 191-call and crime-case
records and their import batches

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-10 09:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FACT_STATUSES = ("exact", "approximate", "unknown")
SOURCES = ("191", "case")


def _enum(values: tuple[str, ...], name: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def upgrade() -> None:
    op.create_table(
        "measure_fact",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("station_id", sa.Uuid(), nullable=False),
        sa.Column("zone_id", sa.Uuid(), nullable=True),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("value_num", sa.Float(), nullable=True),
        sa.Column("value_text", sa.Text(), nullable=True),
        sa.Column("status", _enum(FACT_STATUSES, "fact_status"), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(["station_id"], ["org_unit.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["zone_id"], ["zone.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("uq_measure_fact_station", "measure_fact", ["station_id", "key"],
                    unique=True, sqlite_where=sa.text("zone_id IS NULL"),
                    postgresql_where=sa.text("zone_id IS NULL"))
    op.create_index("uq_measure_fact_zone", "measure_fact", ["zone_id", "key"], unique=True,
                    sqlite_where=sa.text("zone_id IS NOT NULL"),
                    postgresql_where=sa.text("zone_id IS NOT NULL"))
    op.create_table(
        "record_import",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("station_id", sa.Uuid(), nullable=False),
        sa.Column("source", _enum(SOURCES, "record_source"), nullable=False),
        sa.Column("file_name", sa.String(255), nullable=False),
        sa.Column("file_format", sa.String(8), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(["station_id"], ["org_unit.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_record_import_station_at", "record_import",
                    ["station_id", "created_at"])
    op.create_table(
        "record",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("station_id", sa.Uuid(), nullable=False),
        sa.Column("import_id", sa.Uuid(), nullable=False),
        sa.Column("source", _enum(SOURCES, "record_source"), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("external_no", sa.String(64), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("type_label", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(32), nullable=True),
        sa.Column("crime_group", sa.String(32), nullable=False),
        sa.Column("place", sa.String(500), nullable=False),
        sa.Column("place_key", sa.String(500), nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["station_id"], ["org_unit.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["import_id"], ["record_import.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_record_station_at", "record", ["station_id", "occurred_at"])
    op.create_index("ix_record_station_number", "record",
                    ["station_id", "source", "external_no"])
    op.create_index("ix_record_import_id", "record", ["import_id"])


def downgrade() -> None:
    op.drop_table("record")
    op.drop_table("record_import")
    op.drop_table("measure_fact")
