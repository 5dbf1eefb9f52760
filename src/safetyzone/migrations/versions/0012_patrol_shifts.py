"""patrol shifts: officers on a unit, the answers to the phone's queued actions, photos

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-08 09:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "patrol_shift",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("station_id", sa.Uuid(), nullable=False),
        sa.Column("unit_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_by", sa.String(length=64), nullable=True),
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["station_id"], ["org_unit.id"],
                                name=op.f("fk_patrol_shift_station_id_org_unit"),
                                ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["unit_id"], ["patrol_unit.id"],
                                name=op.f("fk_patrol_shift_unit_id_patrol_unit"),
                                ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"],
                                name=op.f("fk_patrol_shift_user_id_app_user"),
                                ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["device_id"], ["device_credential.id"],
                                name=op.f("fk_patrol_shift_device_id_device_credential"),
                                ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patrol_shift")),
    )
    op.create_index(op.f("ix_patrol_shift_unit_id"), "patrol_shift", ["unit_id"])
    op.create_index(op.f("ix_patrol_shift_user_id"), "patrol_shift", ["user_id"])
    op.create_index("uq_patrol_shift_active_user", "patrol_shift", ["user_id"], unique=True,
                    sqlite_where=sa.text("ended_at IS NULL"),
                    postgresql_where=sa.text("ended_at IS NULL"))

    op.create_table(
        "patrol_officer_action",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("route", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patrol_officer_action")),
        sa.UniqueConstraint("user_id", "key", name=op.f("uq_patrol_officer_action_user_id")),
    )

    op.create_table(
        "patrol_officer_photo",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("station_id", sa.Uuid(), nullable=False),
        sa.Column("incident_id", sa.Uuid(), nullable=False),
        sa.Column("unit_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("path", sa.String(length=200), nullable=False),
        sa.Column("thumb_path", sa.String(length=200), nullable=True),
        sa.Column("content_type", sa.String(length=32), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["station_id"], ["org_unit.id"],
                                name=op.f("fk_patrol_officer_photo_station_id_org_unit"),
                                ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["incident_id"], ["incident.id"],
                                name=op.f("fk_patrol_officer_photo_incident_id_incident"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patrol_officer_photo")),
    )
    op.create_index(op.f("ix_patrol_officer_photo_station_id"), "patrol_officer_photo",
                    ["station_id"])
    op.create_index(op.f("ix_patrol_officer_photo_incident_id"), "patrol_officer_photo",
                    ["incident_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_patrol_officer_photo_incident_id"), table_name="patrol_officer_photo")
    op.drop_index(op.f("ix_patrol_officer_photo_station_id"), table_name="patrol_officer_photo")
    op.drop_table("patrol_officer_photo")
    op.drop_table("patrol_officer_action")
    op.drop_index("uq_patrol_shift_active_user", table_name="patrol_shift")
    op.drop_index(op.f("ix_patrol_shift_user_id"), table_name="patrol_shift")
    op.drop_index(op.f("ix_patrol_shift_unit_id"), table_name="patrol_shift")
    op.drop_table("patrol_shift")
