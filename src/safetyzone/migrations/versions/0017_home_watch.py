"""home watch: requests, photos, visits; patrol standing targets

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01 00:06:35.962286
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "patrol_standing_target",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("station_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("ref_id", sa.Uuid(), nullable=False),
        sa.Column("name_th", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("radius_m", sa.Float(), nullable=False),
        sa.Column("target_visits", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["org_unit.id"],
            name=op.f("fk_patrol_standing_target_station_id_org_unit"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patrol_standing_target")),
        sa.UniqueConstraint("kind", "ref_id", name=op.f("uq_patrol_standing_target_kind")),
    )
    with op.batch_alter_table("patrol_standing_target", schema=None) as batch_op:
        batch_op.create_index(
            "ix_patrol_standing_target_window", ["station_id", "ends_at"], unique=False
        )

    op.create_table(
        "homewatch_request",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("station_id", sa.Uuid(), nullable=False),
        sa.Column("zone_id", sa.Uuid(), nullable=True),
        sa.Column("client_key_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "pending",
                "approved",
                "declined",
                "cancelled",
                "closed",
                name="homewatch_state",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("away_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("away_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("address_sealed", sa.Text(), nullable=True),
        sa.Column("contacts_sealed", sa.Text(), nullable=True),
        sa.Column("notes_sealed", sa.Text(), nullable=True),
        sa.Column("consent", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decline_reason", sa.String(length=500), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["org_unit.id"],
            name=op.f("fk_homewatch_request_station_id_org_unit"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["zone_id"],
            ["zone.id"],
            name=op.f("fk_homewatch_request_zone_id_zone"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_homewatch_request")),
        sa.UniqueConstraint("client_key_hash", name=op.f("uq_homewatch_request_client_key_hash")),
        sa.UniqueConstraint("code", name=op.f("uq_homewatch_request_code")),
    )
    with op.batch_alter_table("homewatch_request", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_homewatch_request_closed_at"), ["closed_at"], unique=False
        )
        batch_op.create_index(
            "ix_homewatch_request_station_state", ["station_id", "state"], unique=False
        )
        batch_op.create_index("ix_homewatch_request_until", ["state", "away_until"], unique=False)

    op.create_table(
        "homewatch_photo",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("request_id", sa.Uuid(), nullable=False),
        sa.Column("content_type", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("path", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["homewatch_request.id"],
            name=op.f("fk_homewatch_photo_request_id_homewatch_request"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_homewatch_photo")),
    )
    with op.batch_alter_table("homewatch_photo", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_homewatch_photo_request_id"), ["request_id"], unique=False
        )

    op.create_table(
        "homewatch_visit",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("request_id", sa.Uuid(), nullable=False),
        sa.Column("station_id", sa.Uuid(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("unit_id", sa.Uuid(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("accuracy_m", sa.Float(), nullable=False),
        sa.Column("distance_m", sa.Float(), nullable=False),
        sa.Column(
            "finding",
            sa.Enum(
                "normal",
                "problem",
                name="homewatch_finding",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("photo_path", sa.String(length=300), nullable=True),
        sa.Column("incident_id", sa.Uuid(), nullable=True),
        sa.Column("idempotency_key", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incident.id"],
            name=op.f("fk_homewatch_visit_incident_id_incident"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["homewatch_request.id"],
            name=op.f("fk_homewatch_visit_request_id_homewatch_request"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["org_unit.id"],
            name=op.f("fk_homewatch_visit_station_id_org_unit"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_homewatch_visit")),
        sa.UniqueConstraint(
            "request_id", "user_id", "idempotency_key", name=op.f("uq_homewatch_visit_request_id")
        ),
    )
    with op.batch_alter_table("homewatch_visit", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_homewatch_visit_request_id"), ["request_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("homewatch_visit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_homewatch_visit_request_id"))

    op.drop_table("homewatch_visit")
    with op.batch_alter_table("homewatch_photo", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_homewatch_photo_request_id"))

    op.drop_table("homewatch_photo")
    with op.batch_alter_table("homewatch_request", schema=None) as batch_op:
        batch_op.drop_index("ix_homewatch_request_until")
        batch_op.drop_index("ix_homewatch_request_station_state")
        batch_op.drop_index(batch_op.f("ix_homewatch_request_closed_at"))

    op.drop_table("homewatch_request")
    with op.batch_alter_table("patrol_standing_target", schema=None) as batch_op:
        batch_op.drop_index("ix_patrol_standing_target_window")

    op.drop_table("patrol_standing_target")
