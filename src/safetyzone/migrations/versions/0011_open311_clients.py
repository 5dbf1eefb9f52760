"""open311 clients: partners' reporting platforms exchange non-emergency reports

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 18:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "open311_client",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("partner_id", sa.Uuid(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("key_prefix", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["partner_id"], ["partner.id"],
                                name=op.f("fk_open311_client_partner_id_partner"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_open311_client")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_open311_client_key_hash")),
    )
    op.create_index(op.f("ix_open311_client_partner_id"), "open311_client", ["partner_id"])
    with op.batch_alter_table("citizen_item") as batch:
        batch.add_column(sa.Column("open311_client_id", sa.Uuid(), nullable=True))
        batch.create_index(batch.f("ix_citizen_item_open311_client_id"), ["open311_client_id"])


def downgrade() -> None:
    with op.batch_alter_table("citizen_item") as batch:
        batch.drop_index(batch.f("ix_citizen_item_open311_client_id"))
        batch.drop_column("open311_client_id")
    op.drop_index(op.f("ix_open311_client_partner_id"), table_name="open311_client")
    op.drop_table("open311_client")
