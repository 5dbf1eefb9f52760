"""lost documents: reports, running numbers per station and B.E. year, station settings

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01 00:05:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "lostdoc_counter",
        sa.Column("station_id", sa.Uuid(), nullable=False),
        sa.Column("be_year", sa.Integer(), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["org_unit.id"],
            name=op.f("fk_lostdoc_counter_station_id_org_unit"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("station_id", "be_year", name=op.f("pk_lostdoc_counter")),
    )
    op.create_table(
        "lostdoc_report",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("station_id", sa.Uuid(), nullable=False),
        sa.Column(
            "channel",
            sa.Enum(
                "web",
                "line",
                name="lostdoc_channel",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("client_key_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "issued",
                "revoked",
                name="lostdoc_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("name_sealed", sa.Text(), nullable=False),
        sa.Column("national_id_sealed", sa.Text(), nullable=False),
        sa.Column("phone_sealed", sa.Text(), nullable=False),
        sa.Column("id_digest", sa.String(length=64), nullable=False),
        sa.Column("masked_name", sa.String(length=200), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("lost_on", sa.Date(), nullable=False),
        sa.Column("lost_time", sa.String(length=5), nullable=True),
        sa.Column("lost_where", sa.Text(), nullable=False),
        sa.Column("how", sa.Text(), nullable=False),
        sa.Column("consent", sa.JSON(), nullable=False),
        sa.Column("repeats", sa.JSON(), nullable=False),
        sa.Column("flagged", sa.Boolean(), nullable=False),
        sa.Column("be_year", sa.Integer(), nullable=True),
        sa.Column("number", sa.Integer(), nullable=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("issued_by", sa.String(length=64), nullable=True),
        sa.Column("issued_by_name", sa.String(length=200), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by", sa.String(length=64), nullable=True),
        sa.Column("revoke_reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["org_unit.id"],
            name=op.f("fk_lostdoc_report_station_id_org_unit"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lostdoc_report")),
        sa.UniqueConstraint("code", name=op.f("uq_lostdoc_report_code")),
        sa.UniqueConstraint(
            "station_id", "be_year", "number", name=op.f("uq_lostdoc_report_station_id")
        ),
    )
    op.create_index(
        op.f("ix_lostdoc_report_client_key_hash"),
        "lostdoc_report",
        ["client_key_hash"],
        unique=False,
    )
    op.create_index(
        "ix_lostdoc_report_repeat", "lostdoc_report", ["id_digest", "created_at"], unique=False
    )
    op.create_index(
        "ix_lostdoc_report_created_at", "lostdoc_report", ["created_at"], unique=False
    )
    op.create_index(
        "ix_lostdoc_report_station_status",
        "lostdoc_report",
        ["station_id", "status", "created_at"],
        unique=False,
    )
    op.create_table(
        "lostdoc_setting",
        sa.Column("station_id", sa.Uuid(), nullable=False),
        sa.Column("auto_issue", sa.Boolean(), nullable=False),
        sa.Column("repeat_days", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["org_unit.id"],
            name=op.f("fk_lostdoc_setting_station_id_org_unit"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("station_id", name=op.f("pk_lostdoc_setting")),
    )


def downgrade() -> None:
    op.drop_table("lostdoc_setting")
    op.drop_index("ix_lostdoc_report_station_status", table_name="lostdoc_report")
    op.drop_index("ix_lostdoc_report_created_at", table_name="lostdoc_report")
    op.drop_index("ix_lostdoc_report_repeat", table_name="lostdoc_report")
    op.drop_index(op.f("ix_lostdoc_report_client_key_hash"), table_name="lostdoc_report")
    op.drop_table("lostdoc_report")
    op.drop_table("lostdoc_counter")
