"""tracks: units' GPS tracks in compact chunks, geofence crossings, visible presence per H3 cell

Revision ID: 0014
Revises: 0011
Create Date: 2026-11-30 20:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
AT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "patrol_track_chunk",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("unit_id", sa.Uuid(), nullable=False),
        sa.Column("station_id", sa.Uuid(), nullable=False),
        sa.Column("start_at", AT, nullable=False),
        sa.Column("end_at", AT, nullable=False),
        sa.Column("fixes", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("last_dt_ms", sa.BigInteger(), nullable=False),
        sa.Column("last_lat", sa.Integer(), nullable=False),
        sa.Column("last_lon", sa.Integer(), nullable=False),
        sa.Column("last_speed", sa.Integer(), nullable=False),
        sa.Column("last_acc", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["patrol_unit.id"],
                                name=op.f("fk_patrol_track_chunk_unit_id_patrol_unit"),
                                ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patrol_track_chunk")),
    )
    with op.batch_alter_table("patrol_track_chunk") as batch:
        batch.create_index(batch.f("ix_patrol_track_chunk_start_at"), ["start_at"])
        batch.create_index("ix_patrol_track_chunk_unit_start", ["unit_id", "start_at"])
    op.create_table(
        "patrol_unit_geo",
        sa.Column("unit_id", sa.Uuid(), nullable=False),
        sa.Column("station_id", sa.Uuid(), nullable=False),
        sa.Column("chunk_id", sa.BigInteger(), nullable=True),
        sa.Column("latest_at", AT, nullable=False),
        sa.Column("good_at", AT, nullable=True),
        sa.Column("good_lat", sa.Float(), nullable=True),
        sa.Column("good_lon", sa.Float(), nullable=True),
        sa.Column("suspect_run", sa.Integer(), nullable=False),
        sa.Column("zone_id", sa.Uuid(), nullable=True),
        sa.Column("updated_at", AT, nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["patrol_unit.id"],
                                name=op.f("fk_patrol_unit_geo_unit_id_patrol_unit"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("unit_id", name=op.f("pk_patrol_unit_geo")),
    )
    op.create_table(
        "patrol_geofence_event",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("station_id", sa.Uuid(), nullable=False),
        sa.Column("unit_id", sa.Uuid(), nullable=False),
        sa.Column("zone_id", sa.Uuid(), nullable=False),
        sa.Column("zone_code", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("at", AT, nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["station_id"], ["org_unit.id"],
                                name=op.f("fk_patrol_geofence_event_station_id_org_unit"),
                                ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["unit_id"], ["patrol_unit.id"],
                                name=op.f("fk_patrol_geofence_event_unit_id_patrol_unit"),
                                ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patrol_geofence_event")),
    )
    with op.batch_alter_table("patrol_geofence_event") as batch:
        batch.create_index("ix_patrol_geofence_event_station_at", ["station_id", "at"])
        batch.create_index(batch.f("ix_patrol_geofence_event_unit_id"), ["unit_id"])
    op.create_table(
        "patrol_presence",
        sa.Column("station_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("cell", sa.String(length=16), nullable=False),
        sa.Column("res", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["station_id"], ["org_unit.id"],
                                name=op.f("fk_patrol_presence_station_id_org_unit"),
                                ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("station_id", "day", "cell", name=op.f("pk_patrol_presence")),
    )


def downgrade() -> None:
    op.drop_table("patrol_presence")
    with op.batch_alter_table("patrol_geofence_event") as batch:
        batch.drop_index(batch.f("ix_patrol_geofence_event_unit_id"))
        batch.drop_index("ix_patrol_geofence_event_station_at")
    op.drop_table("patrol_geofence_event")
    op.drop_table("patrol_unit_geo")
    with op.batch_alter_table("patrol_track_chunk") as batch:
        batch.drop_index("ix_patrol_track_chunk_unit_start")
        batch.drop_index(batch.f("ix_patrol_track_chunk_start_at"))
    op.drop_table("patrol_track_chunk")
