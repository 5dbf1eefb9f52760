"""line channels: stations' LINE Official Accounts, consenting LINE users, the outbox

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 18:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def _when(name: str, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _channel_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["channel_id"], ["line_channel.id"],
                                   name=op.f(f"fk_{table}_channel_id_line_channel"),
                                   ondelete="CASCADE")


def upgrade() -> None:
    op.create_table(
        "line_channel",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("station_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("line_channel_id", sa.String(length=32), nullable=False),
        sa.Column("bot_user_id", sa.String(length=100), nullable=True),
        sa.Column("secret_sealed", sa.Text(), nullable=False),
        sa.Column("token_sealed", sa.Text(), nullable=False),
        sa.Column("previous_secret_sealed", sa.Text(), nullable=True),
        _when("previous_valid_until", nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("rich_menu_id", sa.String(length=100), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        _when("created_at"),
        _when("rotated_at", nullable=True),
        sa.ForeignKeyConstraint(["station_id"], ["org_unit.id"],
                                name=op.f("fk_line_channel_station_id_org_unit"),
                                ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_line_channel")),
        sa.UniqueConstraint("line_channel_id", name=op.f("uq_line_channel_line_channel_id")),
        sa.UniqueConstraint("station_id", name=op.f("uq_line_channel_station_id")),
    )
    op.create_table(
        "line_delivery",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("channel_id", sa.Uuid(), nullable=False),
        sa.Column("event_id", sa.String(length=100), nullable=False),
        _when("received_at"),
        _channel_fk("line_delivery"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_line_delivery")),
        sa.UniqueConstraint("channel_id", "event_id", name=op.f("uq_line_delivery_channel_id")),
    )
    with op.batch_alter_table("line_delivery") as batch:
        batch.create_index(batch.f("ix_line_delivery_received_at"), ["received_at"])
    op.create_table(
        "line_job",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                  autoincrement=True, nullable=False),
        sa.Column("retry_key", sa.Uuid(), nullable=False),
        sa.Column("channel_id", sa.Uuid(), nullable=False),
        sa.Column("kind", _enum("line_job_kind", "reply", "push", "fetch"), nullable=False),
        sa.Column("state", _enum("line_job_state", "pending", "failed"), nullable=False),
        sa.Column("user_hash", sa.String(length=64), nullable=False),
        sa.Column("to_sealed", sa.Text(), nullable=False),
        sa.Column("reply_token", sa.String(length=100), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("item_code", sa.String(length=16), nullable=True),
        sa.Column("message_ref", sa.String(length=64), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _when("next_at"),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        _when("created_at"),
        _channel_fk("line_job"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_line_job")),
    )
    with op.batch_alter_table("line_job") as batch:
        batch.create_index(batch.f("ix_line_job_channel_id"), ["channel_id"])
        batch.create_index("ix_line_job_due", ["state", "next_at"])
    op.create_table(
        "line_ticket",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("channel_id", sa.Uuid(), nullable=False),
        sa.Column("user_hash", sa.String(length=64), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        _when("created_at"),
        _channel_fk("line_ticket"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_line_ticket")),
        sa.UniqueConstraint("code", name=op.f("uq_line_ticket_code")),
    )
    with op.batch_alter_table("line_ticket") as batch:
        batch.create_index("ix_line_ticket_owner", ["channel_id", "user_hash"])
    op.create_table(
        "line_user",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("channel_id", sa.Uuid(), nullable=False),
        sa.Column("user_hash", sa.String(length=64), nullable=False),
        sa.Column("user_sealed", sa.Text(), nullable=False),
        sa.Column("consent_version", sa.String(length=32), nullable=False),
        sa.Column("consent_purposes", sa.JSON(), nullable=False),
        _when("consented_at"),
        sa.Column("mode", _enum("line_chat_mode", "report", "tip", "emergency", "station"),
                  nullable=True),
        sa.Column("category", sa.String(length=32), nullable=True),
        sa.Column("draft_code", sa.String(length=16), nullable=True),
        _when("draft_until", nullable=True),
        _when("last_seen_at"),
        _channel_fk("line_user"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_line_user")),
        sa.UniqueConstraint("channel_id", "user_hash", name=op.f("uq_line_user_channel_id")),
    )
    with op.batch_alter_table("line_user") as batch:
        batch.create_index(batch.f("ix_line_user_channel_id"), ["channel_id"])


def downgrade() -> None:
    for table in ("line_user", "line_ticket", "line_job", "line_delivery", "line_channel"):
        op.drop_table(table)
