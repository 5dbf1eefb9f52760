"""work orders to partners: a lamp out, a dead camera, a broken SOS pole, an abandoned plot sent
to the partner responsible with a due time and a status, and each order's history

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-02 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def upgrade() -> None:
    op.create_table(
        "work_order",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(16), nullable=False),
        sa.Column("station_id", sa.Uuid(), nullable=False),
        sa.Column("partner_id", sa.Uuid(), nullable=False),
        sa.Column("kind", _enum("work_kind", "street_light", "camera", "sos_point",
                                "abandoned_plot", "other"), nullable=False),
        sa.Column("asset_id", sa.Uuid(), nullable=True),
        sa.Column("camera_id", sa.Uuid(), nullable=True),
        sa.Column("place", sa.String(200), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", _enum("work_status", "open", "accepted", "in_progress", "done",
                                  "verified", "rejected", "cancelled"), nullable=False),
        sa.Column("source", _enum("work_source", "manual", "citizen", "incident"),
                  nullable=False),
        sa.Column("citizen_item_id", sa.Uuid(), nullable=True),
        sa.Column("incident_id", sa.Uuid(), nullable=True),
        sa.Column("reject_reason", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["station_id"], ["org_unit.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["partner_id"], ["partner.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["asset_id"], ["asset.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["camera_id"], ["camera.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["citizen_item_id"], ["citizen_item.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["incident_id"], ["incident.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
        sa.UniqueConstraint("citizen_item_id"),
    )
    op.create_index("ix_work_order_station_status", "work_order", ["station_id", "status"])
    op.create_index("ix_work_order_partner_status", "work_order", ["partner_id", "status"])
    op.create_index("ix_work_order_asset_id", "work_order", ["asset_id"])
    op.create_index("ix_work_order_camera_id", "work_order", ["camera_id"])
    op.create_index("ix_work_order_incident_id", "work_order", ["incident_id"])
    op.create_table(
        "work_order_log",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                  autoincrement=True, nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("from_status", sa.String(16), nullable=True),
        sa.Column("to_status", sa.String(16), nullable=False),
        sa.Column("side", sa.String(8), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["order_id"], ["work_order.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_work_order_log_order_id", "work_order_log", ["order_id"])


def downgrade() -> None:
    op.drop_index("ix_work_order_log_order_id", table_name="work_order_log")
    op.drop_table("work_order_log")
    for name in ("incident_id", "camera_id", "asset_id"):
        op.drop_index(f"ix_work_order_{name}", table_name="work_order")
    op.drop_index("ix_work_order_partner_status", table_name="work_order")
    op.drop_index("ix_work_order_station_status", table_name="work_order")
    op.drop_table("work_order")
