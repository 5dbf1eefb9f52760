"""shift log: the CCOC's console duty (who is on and off), the station's shift log, and
handovers with the open items carried over

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-08 09:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ENTRY_KINDS = ("on_duty", "off_duty", "note", "event", "handover", "handover_ack")


def upgrade() -> None:
    op.create_table(
        "ccoc_duty",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("station_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_by", sa.String(64), nullable=True),
        sa.ForeignKeyConstraint(["station_id"], ["org_unit.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("uq_ccoc_duty_open", "ccoc_duty", ["station_id", "user_id"], unique=True,
                    sqlite_where=sa.text("ended_at IS NULL"),
                    postgresql_where=sa.text("ended_at IS NULL"))
    op.create_index("ix_ccoc_duty_station_started", "ccoc_duty", ["station_id", "started_at"])
    op.create_table(
        "shift_log_entry",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True,
                  nullable=False),
        sa.Column("station_id", sa.Uuid(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("kind", sa.Enum(*ENTRY_KINDS, name="shift_entry_kind", native_enum=False,
                                  create_constraint=True, length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("incident_id", sa.Uuid(), nullable=True),
        sa.Column("handover_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(["station_id"], ["org_unit.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_shift_log_station_at", "shift_log_entry", ["station_id", "at"])
    op.create_table(
        "shift_handover",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("station_id", sa.Uuid(), nullable=False),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("written_by", sa.String(64), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("carried", sa.JSON(), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by", sa.String(64), nullable=True),
        sa.Column("ack_note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["station_id"], ["org_unit.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_shift_handover_station_written", "shift_handover",
                    ["station_id", "written_at"])
    op.create_index("ix_shift_handover_acknowledged_at", "shift_handover", ["acknowledged_at"])


def downgrade() -> None:
    op.drop_index("ix_shift_handover_acknowledged_at", table_name="shift_handover")
    op.drop_index("ix_shift_handover_station_written", table_name="shift_handover")
    op.drop_table("shift_handover")
    op.drop_index("ix_shift_log_station_at", table_name="shift_log_entry")
    op.drop_table("shift_log_entry")
    op.drop_index("ix_ccoc_duty_station_started", table_name="ccoc_duty")
    op.drop_index("uq_ccoc_duty_open", table_name="ccoc_duty")
    op.drop_table("ccoc_duty")
