"""monthly reports: the archive of each unit's rendered month (PDF and CSV)

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-02 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0030"
down_revision: str | None = "0029"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "monthly_report",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("unit_id", sa.Uuid(), nullable=False),
        sa.Column("unit_kind", sa.String(16), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("lang", sa.String(2), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("csv", sa.LargeBinary(), nullable=False),
        sa.Column("pdf_sha256", sa.String(64), nullable=False),
        sa.Column("pdf_bytes", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["org_unit.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("unit_id", "month", "lang",
                            name="uq_monthly_report_unit_month_lang"),
    )
    op.create_index("ix_monthly_report_unit_id", "monthly_report", ["unit_id"])
    op.create_index("ix_monthly_report_month", "monthly_report", ["month"])


def downgrade() -> None:
    op.drop_index("ix_monthly_report_month", table_name="monthly_report")
    op.drop_index("ix_monthly_report_unit_id", table_name="monthly_report")
    op.drop_table("monthly_report")
