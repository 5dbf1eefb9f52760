"""camera health: the prober's figures (checked at, latency, picture size), the alert of an
outage, and the history of states (camera_health_change)

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-03 10:00:00.000000

Each camera's current state becomes the first stretch of its history (since its ``since``,
still open), so uptime counts from the moment the state was first known, not from this
migration.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0032"
down_revision: str | None = "0031"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATE = sa.Enum("online", "offline", "frozen", name="camera_state", native_enum=False,
                create_constraint=True, length=32)


def upgrade() -> None:
    with op.batch_alter_table("camera_health", schema=None) as batch_op:
        batch_op.add_column(sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("latency_ms", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("width", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("height", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("alert_incident_id", sa.Uuid(), nullable=True))
    change = op.create_table(
        "camera_health_change",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("camera_id", sa.Uuid(), nullable=False),
        sa.Column("station_id", sa.Uuid(), nullable=False),
        sa.Column("state", STATE, nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("detail", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_camera_health_change")),
    )
    with op.batch_alter_table("camera_health_change", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_camera_health_change_camera_id"), ["camera_id"],
                              unique=False)
        batch_op.create_index("ix_camera_health_change_station_since",
                              ["station_id", "since"], unique=False)
    health = sa.table("camera_health", sa.column("camera_id", sa.Uuid()),
                      sa.column("station_id", sa.Uuid()), sa.column("state", sa.String()),
                      sa.column("since", sa.DateTime(timezone=True)),
                      sa.column("detail", sa.String()))
    rows = op.get_bind().execute(sa.select(health.c.camera_id, health.c.station_id,
                                           health.c.state, health.c.since,
                                           health.c.detail)).all()
    if rows:
        op.bulk_insert(change, [
            {"id": uuid.uuid4(), "camera_id": r.camera_id, "station_id": r.station_id,
             "state": r.state, "since": r.since, "until": None, "detail": r.detail}
            for r in rows])


def downgrade() -> None:
    with op.batch_alter_table("camera_health_change", schema=None) as batch_op:
        batch_op.drop_index("ix_camera_health_change_station_since")
        batch_op.drop_index(batch_op.f("ix_camera_health_change_camera_id"))
    op.drop_table("camera_health_change")
    with op.batch_alter_table("camera_health", schema=None) as batch_op:
        batch_op.drop_column("alert_incident_id")
        batch_op.drop_column("height")
        batch_op.drop_column("width")
        batch_op.drop_column("latency_ms")
        batch_op.drop_column("checked_at")
