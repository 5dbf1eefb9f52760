"""announcements to the zone: groups of loudspeakers and LED signs, announcements and their
schedules; commands learn "display" (LED signs) and keep the device's answer

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-01 11:45:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TYPES = ("play", "announce")
STATUSES = ("queued",)


def _enum(name: str, values: tuple[str, ...]) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def upgrade() -> None:
    # Strings with a CHECK listing the values; batch mode rebuilds the table on SQLite.
    with op.batch_alter_table("asset_command") as batch:
        batch.alter_column("type", existing_type=_enum("command_type", TYPES),
                           type_=_enum("command_type", (*TYPES, "display")),
                           existing_nullable=False)
        batch.alter_column("status", existing_type=_enum("command_status", STATUSES),
                           type_=_enum("command_status", (*STATUSES, "acknowledged", "failed")),
                           existing_nullable=False)
        batch.add_column(sa.Column("announcement_id", sa.Uuid(), nullable=True))
        batch.add_column(sa.Column("acked_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("ack_detail", sa.String(500), nullable=True))
        batch.create_index("ix_asset_command_announcement_id", ["announcement_id"])
    op.create_table(
        "announce_group",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("station_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("asset_ids", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["station_id"], ["org_unit.id"],
                                name=op.f("fk_announce_group_station_id_org_unit"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_announce_group")),
    )
    op.create_index("ix_announce_group_station_id", "announce_group", ["station_id"])
    op.create_table(
        "announcement",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("station_id", sa.Uuid(), nullable=False),
        sa.Column("group_id", sa.Uuid(), nullable=False),
        sa.Column("message_id", sa.String(64), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("schedule_id", sa.Uuid(), nullable=True),
        sa.Column("requested_by", sa.String(64), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("unlinked", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["group_id"], ["announce_group.id"],
                                name=op.f("fk_announcement_group_id_announce_group"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_announcement")),
    )
    op.create_index("ix_announcement_station_id", "announcement", ["station_id"])
    op.create_index("ix_announcement_group_id", "announcement", ["group_id"])
    op.create_index("ix_announcement_requested_at", "announcement", ["requested_at"])
    op.create_table(
        "announce_schedule",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("station_id", sa.Uuid(), nullable=False),
        sa.Column("group_id", sa.Uuid(), nullable=False),
        sa.Column("message_id", sa.String(64), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("every_min", sa.Integer(), nullable=False),
        sa.Column("next_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stopped_by", sa.String(64), nullable=True),
        sa.ForeignKeyConstraint(["group_id"], ["announce_group.id"],
                                name=op.f("fk_announce_schedule_group_id_announce_group"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_announce_schedule")),
    )
    op.create_index("ix_announce_schedule_station_id", "announce_schedule", ["station_id"])
    op.create_index("ix_announce_schedule_group_id", "announce_schedule", ["group_id"])
    op.create_index("ix_announce_schedule_next_at", "announce_schedule", ["next_at"])


def downgrade() -> None:
    op.drop_table("announce_schedule")
    op.drop_table("announcement")
    op.drop_table("announce_group")
    with op.batch_alter_table("asset_command") as batch:
        batch.drop_index("ix_asset_command_announcement_id")
        batch.drop_column("ack_detail")
        batch.drop_column("acked_at")
        batch.drop_column("announcement_id")
        batch.alter_column("status",
                           existing_type=_enum("command_status",
                                               (*STATUSES, "acknowledged", "failed")),
                           type_=_enum("command_status", STATUSES), existing_nullable=False)
        batch.alter_column("type", existing_type=_enum("command_type", (*TYPES, "display")),
                           type_=_enum("command_type", TYPES), existing_nullable=False)
