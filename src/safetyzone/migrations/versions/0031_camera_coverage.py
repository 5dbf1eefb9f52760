"""camera coverage: camera purposes, range and view note; private areas; PTZ settings and presets

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-01 17:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0031"
down_revision: str | None = "0030"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PRIVATE_KINDS = ("home", "shop_interior", "yard", "school", "other")


def upgrade() -> None:
    with op.batch_alter_table("camera", schema=None) as batch_op:
        batch_op.add_column(sa.Column("purposes", sa.JSON(), nullable=False,
                                      server_default=sa.text("'[]'")))
        batch_op.add_column(sa.Column("range_m", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("view_note", sa.String(200), nullable=True))
    op.create_table(
        "private_area",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("station_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.Enum(*PRIVATE_KINDS, name="private_kind", native_enum=False,
                                  create_constraint=True, length=32), nullable=False),
        sa.Column("boundary", sa.JSON(), nullable=False),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(500), nullable=True),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["station_id"], ["org_unit.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_private_area_station_id"), "private_area", ["station_id"])
    op.create_table(
        "camera_ptz",
        sa.Column("camera_id", sa.Uuid(), nullable=False),
        sa.Column("station_id", sa.Uuid(), nullable=False),
        sa.Column("onvif_url_sealed", sa.Text(), nullable=False),
        sa.Column("profile_token", sa.String(64), nullable=True),
        sa.Column("pan_zero_heading_deg", sa.Float(), nullable=True),
        sa.Column("pan_span_deg", sa.Float(), nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["camera_id"], ["camera.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["station_id"], ["org_unit.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("camera_id"),
    )
    op.create_index(op.f("ix_camera_ptz_station_id"), "camera_ptz", ["station_id"])
    op.create_table(
        "camera_ptz_preset",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("camera_id", sa.Uuid(), nullable=False),
        sa.Column("token", sa.String(64), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("heading_deg", sa.Float(), nullable=True),
        sa.Column("updated_by", sa.String(64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["camera_id"], ["camera.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("camera_id", "token", name="uq_camera_ptz_preset_camera_id"),
    )
    op.create_index(op.f("ix_camera_ptz_preset_camera_id"), "camera_ptz_preset", ["camera_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_camera_ptz_preset_camera_id"), table_name="camera_ptz_preset")
    op.drop_table("camera_ptz_preset")
    op.drop_index(op.f("ix_camera_ptz_station_id"), table_name="camera_ptz")
    op.drop_table("camera_ptz")
    op.drop_index(op.f("ix_private_area_station_id"), table_name="private_area")
    op.drop_table("private_area")
    with op.batch_alter_table("camera", schema=None) as batch_op:
        batch_op.drop_column("view_note")
        batch_op.drop_column("range_m")
        batch_op.drop_column("purposes")
