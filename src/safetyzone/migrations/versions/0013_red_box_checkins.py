"""red box 4.0: per-box keys and every check-in attempt

Revision ID: 0013
Revises: 0011
Create Date: 2026-12-08 09:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "patrol_red_box_key",
        sa.Column("asset_id", sa.Uuid(), nullable=False),
        sa.Column("station_id", sa.Uuid(), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("secret_sealed", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("rotated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rotated_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["asset_id"], ["asset.id"],
                                name=op.f("fk_patrol_red_box_key_asset_id_asset"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["station_id"], ["org_unit.id"],
                                name=op.f("fk_patrol_red_box_key_station_id_org_unit"),
                                ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("asset_id", name=op.f("pk_patrol_red_box_key")),
    )
    op.create_index(op.f("ix_patrol_red_box_key_station_id"), "patrol_red_box_key",
                    ["station_id"])
    op.create_table(
        "patrol_checkin",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("station_id", sa.Uuid(), nullable=True),
        sa.Column("asset_id", sa.Uuid(), nullable=True),
        sa.Column("unit_id", sa.Uuid(), nullable=True),
        sa.Column("shift_id", sa.Uuid(), nullable=True),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("scanned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("accuracy_m", sa.Float(), nullable=False),
        sa.Column("distance_m", sa.Float(), nullable=True),
        sa.Column("accepted", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=True),
        sa.Column("code_digest", sa.String(length=64), nullable=True),
        sa.Column("photo_key", sa.String(length=200), nullable=True),
        sa.Column("idempotency_key", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["asset_id"], ["asset.id"],
                                name=op.f("fk_patrol_checkin_asset_id_asset"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["station_id"], ["org_unit.id"],
                                name=op.f("fk_patrol_checkin_station_id_org_unit"),
                                ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["unit_id"], ["patrol_unit.id"],
                                name=op.f("fk_patrol_checkin_unit_id_patrol_unit"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patrol_checkin")),
        sa.UniqueConstraint("user_id", "idempotency_key",
                            name=op.f("uq_patrol_checkin_user_id")),
    )
    for column in ("station_id", "asset_id", "unit_id", "scanned_at"):
        op.create_index(op.f(f"ix_patrol_checkin_{column}"), "patrol_checkin", [column])
    # Replay protection: a rotating code is accepted once per box (portable partial index).
    op.create_index("uq_patrol_checkin_code", "patrol_checkin", ["asset_id", "code_digest"],
                    unique=True,
                    sqlite_where=sa.text("accepted = 1 AND code_digest IS NOT NULL"),
                    postgresql_where=sa.text("accepted AND code_digest IS NOT NULL"))


def downgrade() -> None:
    op.drop_index("uq_patrol_checkin_code", table_name="patrol_checkin")
    for column in ("scanned_at", "unit_id", "asset_id", "station_id"):
        op.drop_index(op.f(f"ix_patrol_checkin_{column}"), table_name="patrol_checkin")
    op.drop_table("patrol_checkin")
    op.drop_index(op.f("ix_patrol_red_box_key_station_id"), table_name="patrol_red_box_key")
    op.drop_table("patrol_red_box_key")
