"""people poll: polls per zone and wave, the answers, and the ballots kept apart

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-10 09:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "poll",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(10), nullable=False),
        sa.Column("station_id", sa.Uuid(), nullable=False),
        sa.Column("zone_id", sa.Uuid(), nullable=False),
        sa.Column("wave", sa.Integer(), nullable=False),
        sa.Column("wave_name", sa.String(200), nullable=False),
        sa.Column("opens_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.Enum("draft", "open", "closed", name="poll_status",
                                    native_enum=False, create_constraint=True, length=32),
                  nullable=False),
        sa.Column("zone_launch_on", sa.Date(), nullable=True),
        sa.Column("bank_version", sa.String(16), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(["station_id"], ["org_unit.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["zone_id"], ["zone.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
        sa.UniqueConstraint("zone_id", "wave", name="uq_poll_zone_wave"),
    )
    op.create_index("ix_poll_station_id", "poll", ["station_id"])
    op.create_table(
        "poll_response",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("poll_id", sa.Uuid(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["poll_id"], ["poll.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_poll_response_poll_id", "poll_response", ["poll_id"])
    op.create_table(
        "poll_ballot",
        sa.Column("poll_id", sa.Uuid(), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(["poll_id"], ["poll.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("poll_id", "digest"),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    op.drop_table("poll_ballot")
    op.drop_index("ix_poll_response_poll_id", table_name="poll_response")
    op.drop_table("poll_response")
    op.drop_index("ix_poll_station_id", table_name="poll")
    op.drop_table("poll")
