"""camera url proposals: partners propose camera addresses, police approve

Revision ID: 0007
Revises: 0005
Create Date: 2026-12-01 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "camera_url_proposal",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("camera_id", sa.Uuid(), nullable=False),
        sa.Column("station_id", sa.Uuid(), nullable=False),
        sa.Column("partner_id", sa.Uuid(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("stream_url_sealed", sa.Text(), nullable=True),
        sa.Column("stream_username_sealed", sa.Text(), nullable=True),
        sa.Column("stream_password_sealed", sa.Text(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column(
            "state",
            sa.Enum(
                "pending",
                "approved",
                "rejected",
                "superseded",
                name="camera_url_proposal_state",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("proposed_by", sa.String(length=64), nullable=False),
        sa.Column("proposed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_reason", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["camera_id"],
            ["camera.id"],
            name=op.f("fk_camera_url_proposal_camera_id_camera"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partner.id"],
            name=op.f("fk_camera_url_proposal_partner_id_partner"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["org_unit.id"],
            name=op.f("fk_camera_url_proposal_station_id_org_unit"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_camera_url_proposal")),
    )
    with op.batch_alter_table("camera_url_proposal", schema=None) as batch_op:
        for column in ("camera_id", "partner_id", "state", "station_id"):
            batch_op.create_index(batch_op.f(f"ix_camera_url_proposal_{column}"), [column],
                                  unique=False)


def downgrade() -> None:
    op.drop_table("camera_url_proposal")
