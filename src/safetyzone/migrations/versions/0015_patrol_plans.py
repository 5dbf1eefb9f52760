"""patrol plans: risk spots, plans with targets, units and visits, checkpoint sessions

Revision ID: 0015
Revises: 0011
Create Date: 2026-12-10 09:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "patrol_plan",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("station_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("auto", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_by", sa.String(length=64), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["org_unit.id"],
            name=op.f("fk_patrol_plan_station_id_org_unit"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patrol_plan")),
    )
    op.create_index("ix_patrol_plan_ends_at", "patrol_plan", ["ends_at"], unique=False)
    op.create_index(
        "ix_patrol_plan_station_window", "patrol_plan", ["station_id", "ends_at"], unique=False
    )
    op.create_table(
        "patrol_plan_target",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("ref_id", sa.Uuid(), nullable=True),
        sa.Column("name_th", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("radius_m", sa.Float(), nullable=False),
        sa.Column("risk_score", sa.Float(), nullable=True),
        sa.Column("high_risk_hours", sa.JSON(), nullable=False),
        sa.Column("target_visits", sa.Integer(), nullable=False),
        sa.Column("target_minutes", sa.Integer(), nullable=False),
        sa.Column("alert_after_min", sa.Integer(), nullable=True),
        sa.Column("last_visit_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("alerted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("alert_incident_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["patrol_plan.id"],
            name=op.f("fk_patrol_plan_target_plan_id_patrol_plan"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patrol_plan_target")),
    )
    op.create_index(
        op.f("ix_patrol_plan_target_plan_id"), "patrol_plan_target", ["plan_id"], unique=False
    )
    op.create_index(
        op.f("ix_patrol_plan_target_ref_id"), "patrol_plan_target", ["ref_id"], unique=False
    )
    op.create_table(
        "patrol_plan_unit",
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("unit_id", sa.Uuid(), nullable=False),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("assigned_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["patrol_plan.id"],
            name=op.f("fk_patrol_plan_unit_plan_id_patrol_plan"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["patrol_unit.id"],
            name=op.f("fk_patrol_plan_unit_unit_id_patrol_unit"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("plan_id", "unit_id", name=op.f("pk_patrol_plan_unit")),
    )
    op.create_index(
        op.f("ix_patrol_plan_unit_unit_id"), "patrol_plan_unit", ["unit_id"], unique=False
    )
    op.create_table(
        "patrol_risk_spot",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("station_id", sa.Uuid(), nullable=False),
        sa.Column("zone_id", sa.Uuid(), nullable=True),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name_th", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("radius_m", sa.Float(), nullable=False),
        sa.Column("risk_score", sa.Float(), nullable=False),
        sa.Column("high_risk_hours", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["org_unit.id"],
            name=op.f("fk_patrol_risk_spot_station_id_org_unit"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["zone_id"],
            ["zone.id"],
            name=op.f("fk_patrol_risk_spot_zone_id_zone"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patrol_risk_spot")),
        sa.UniqueConstraint("station_id", "code", name=op.f("uq_patrol_risk_spot_station_id")),
    )
    op.create_index(
        op.f("ix_patrol_risk_spot_station_id"), "patrol_risk_spot", ["station_id"], unique=False
    )
    op.create_table(
        "patrol_checkpoint",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("station_id", sa.Uuid(), nullable=False),
        sa.Column("name_th", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("asset_id", sa.Uuid(), nullable=True),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("staff", sa.JSON(), nullable=False),
        sa.Column("unit_ids", sa.JSON(), nullable=False),
        sa.Column("vehicles_adjust", sa.Integer(), nullable=False),
        sa.Column("persons_adjust", sa.Integer(), nullable=False),
        sa.Column("arrests_adjust", sa.Integer(), nullable=False),
        sa.Column("seized_note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["asset_id"],
            ["asset.id"],
            name=op.f("fk_patrol_checkpoint_asset_id_asset"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["org_unit.id"],
            name=op.f("fk_patrol_checkpoint_station_id_org_unit"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patrol_checkpoint")),
    )
    op.create_index(
        "ix_patrol_checkpoint_station_day",
        "patrol_checkpoint",
        ["station_id", "starts_at"],
        unique=False,
    )
    op.create_table(
        "patrol_plan_visit",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("target_id", sa.Uuid(), nullable=False),
        sa.Column("unit_id", sa.Uuid(), nullable=False),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("left_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("dwell_s", sa.Float(), nullable=False),
        sa.Column("counted", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["patrol_plan.id"],
            name=op.f("fk_patrol_plan_visit_plan_id_patrol_plan"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target_id"],
            ["patrol_plan_target.id"],
            name=op.f("fk_patrol_plan_visit_target_id_patrol_plan_target"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patrol_plan_visit")),
    )
    op.create_index(
        "ix_patrol_plan_visit_open", "patrol_plan_visit", ["target_id", "left_at"], unique=False
    )
    op.create_index(
        op.f("ix_patrol_plan_visit_plan_id"), "patrol_plan_visit", ["plan_id"], unique=False
    )
    op.create_index(
        "ix_patrol_plan_visit_stale", "patrol_plan_visit", ["left_at", "last_seen_at"], unique=False
    )
    op.create_table(
        "patrol_checkpoint_entry",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("checkpoint_id", sa.Uuid(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("unit_id", sa.Uuid(), nullable=True),
        sa.Column("vehicles", sa.Integer(), nullable=False),
        sa.Column("persons", sa.Integer(), nullable=False),
        sa.Column("arrests", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("idempotency_key", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["checkpoint_id"],
            ["patrol_checkpoint.id"],
            name=op.f("fk_patrol_checkpoint_entry_checkpoint_id_patrol_checkpoint"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patrol_checkpoint_entry")),
        sa.UniqueConstraint(
            "checkpoint_id",
            "user_id",
            "idempotency_key",
            name=op.f("uq_patrol_checkpoint_entry_checkpoint_id"),
        ),
    )
    op.create_index(
        op.f("ix_patrol_checkpoint_entry_checkpoint_id"),
        "patrol_checkpoint_entry",
        ["checkpoint_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_patrol_checkpoint_entry_checkpoint_id"), table_name="patrol_checkpoint_entry"
    )
    op.drop_table("patrol_checkpoint_entry")
    op.drop_index("ix_patrol_plan_visit_stale", table_name="patrol_plan_visit")
    op.drop_index(op.f("ix_patrol_plan_visit_plan_id"), table_name="patrol_plan_visit")
    op.drop_index("ix_patrol_plan_visit_open", table_name="patrol_plan_visit")
    op.drop_table("patrol_plan_visit")
    op.drop_index("ix_patrol_checkpoint_station_day", table_name="patrol_checkpoint")
    op.drop_table("patrol_checkpoint")
    op.drop_index(op.f("ix_patrol_risk_spot_station_id"), table_name="patrol_risk_spot")
    op.drop_table("patrol_risk_spot")
    op.drop_index(op.f("ix_patrol_plan_unit_unit_id"), table_name="patrol_plan_unit")
    op.drop_table("patrol_plan_unit")
    op.drop_index(op.f("ix_patrol_plan_target_ref_id"), table_name="patrol_plan_target")
    op.drop_index(op.f("ix_patrol_plan_target_plan_id"), table_name="patrol_plan_target")
    op.drop_table("patrol_plan_target")
    op.drop_index("ix_patrol_plan_station_window", table_name="patrol_plan")
    op.drop_index("ix_patrol_plan_ends_at", table_name="patrol_plan")
    op.drop_table("patrol_plan")
