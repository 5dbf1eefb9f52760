"""program rollout: the day each station started Smart Safety Zone, with its source

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-01 14:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0029"
down_revision: str | None = "0028"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "station_rollout",
        sa.Column("station_id", sa.Uuid(), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(["station_id"], ["org_unit.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("station_id"),
    )


def downgrade() -> None:
    op.drop_table("station_rollout")
