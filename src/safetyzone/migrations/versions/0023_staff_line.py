"""escalations on LINE: commanders' LINE links, one-time link codes, alerts sent

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-01 12:15:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "staff_line_link",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("channel_id", sa.Uuid(), nullable=False),
        sa.Column("user_hash", sa.String(64), nullable=False),
        sa.Column("user_sealed", sa.Text(), nullable=False),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"],
                                name=op.f("fk_staff_line_link_user_id_app_user"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["channel_id"], ["line_channel.id"],
                                name=op.f("fk_staff_line_link_channel_id_line_channel"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_line_link")),
        sa.UniqueConstraint("user_id", "channel_id",
                            name=op.f("uq_staff_line_link_user_id")),
    )
    op.create_index("ix_staff_line_link_user_id", "staff_line_link", ["user_id"])
    op.create_index("ix_staff_line_link_user_hash", "staff_line_link", ["user_hash"])
    op.create_table(
        "staff_link_code",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"],
                                name=op.f("fk_staff_link_code_user_id_app_user"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_staff_link_code")),
    )
    op.create_index("ix_staff_link_code_code_hash", "staff_link_code", ["code_hash"])
    op.create_table(
        "staff_alert",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("incident_id", sa.Uuid(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["incident_id"], ["incident.id"],
                                name=op.f("fk_staff_alert_incident_id_incident"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_alert")),
        sa.UniqueConstraint("incident_id", "level", "user_id",
                            name=op.f("uq_staff_alert_incident_id")),
    )
    op.create_index("ix_staff_alert_incident_id", "staff_alert", ["incident_id"])


def downgrade() -> None:
    op.drop_table("staff_alert")
    op.drop_table("staff_link_code")
    op.drop_table("staff_line_link")
