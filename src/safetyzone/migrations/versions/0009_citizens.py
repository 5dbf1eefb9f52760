"""citizens: emergencies, reports and tips, their trail, media and messages; station
contacts and service posts

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 12:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "service_post",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("station_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "police_box",
                "volunteer_post",
                "station",
                name="service_post_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("name_th", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("hours_th", sa.String(length=200), nullable=False),
        sa.Column("hours_en", sa.String(length=200), nullable=False),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["org_unit.id"],
            name=op.f("fk_service_post_station_id_org_unit"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_post")),
    )
    with op.batch_alter_table("service_post", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_service_post_station_id"), ["station_id"], unique=False
        )

    op.create_table(
        "station_contact",
        sa.Column("station_id", sa.Uuid(), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("line_url", sa.String(length=200), nullable=True),
        sa.Column("line_oa_id", sa.String(length=64), nullable=True),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["org_unit.id"],
            name=op.f("fk_station_contact_station_id_org_unit"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("station_id", name=op.f("pk_station_contact")),
    )
    op.create_table(
        "citizen_item",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "emergency",
                "report",
                "tip",
                name="citizen_item_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "channel",
            sa.Enum(
                "web",
                "line",
                "open311",
                name="citizen_channel",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("station_id", sa.Uuid(), nullable=False),
        sa.Column("zone_id", sa.Uuid(), nullable=True),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("accuracy_m", sa.Float(), nullable=True),
        sa.Column(
            "location_source",
            sa.Enum(
                "gps",
                "pin",
                "photo",
                "line",
                "none",
                name="citizen_location_source",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "state",
            sa.Enum(
                "new",
                "acknowledged",
                "info_requested",
                "in_progress",
                "dispatched",
                "on_scene",
                "closed",
                "merged",
                name="citizen_item_state",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("incident_id", sa.Uuid(), nullable=True),
        sa.Column("merged_into_id", sa.Uuid(), nullable=True),
        sa.Column("disposition", sa.String(length=32), nullable=True),
        sa.Column("client_key_hash", sa.String(length=64), nullable=False),
        sa.Column("contact_sealed", sa.Text(), nullable=True),
        sa.Column("line_user_hash", sa.String(length=64), nullable=True),
        sa.Column("line_user_sealed", sa.Text(), nullable=True),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("assigned_to", sa.Uuid(), nullable=True),
        sa.Column("followup_hash", sa.String(length=64), nullable=True),
        sa.Column("consent", sa.JSON(), nullable=False),
        sa.Column("press_count", sa.Integer(), nullable=False),
        sa.Column("history", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("retain_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assigned_to"],
            ["app_user.id"],
            name=op.f("fk_citizen_item_assigned_to_app_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incident.id"],
            name=op.f("fk_citizen_item_incident_id_incident"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["merged_into_id"],
            ["citizen_item.id"],
            name=op.f("fk_citizen_item_merged_into_id_citizen_item"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["org_unit.id"],
            name=op.f("fk_citizen_item_station_id_org_unit"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["zone_id"], ["zone.id"], name=op.f("fk_citizen_item_zone_id_zone"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_citizen_item")),
        sa.UniqueConstraint("code", name=op.f("uq_citizen_item_code")),
    )
    with op.batch_alter_table("citizen_item", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_citizen_item_incident_id"), ["incident_id"], unique=False
        )
        batch_op.create_index(
            "ix_citizen_item_key", ["kind", "channel", "client_key_hash"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_citizen_item_line_user_hash"), ["line_user_hash"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_citizen_item_merged_into_id"), ["merged_into_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_citizen_item_retain_until"), ["retain_until"], unique=False
        )
        batch_op.create_index(
            "ix_citizen_item_similar", ["kind", "category", "created_at"], unique=False
        )
        batch_op.create_index(
            "ix_citizen_item_station_state", ["station_id", "state"], unique=False
        )

    op.create_table(
        "citizen_fix",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("item_id", sa.Uuid(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("accuracy_m", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["citizen_item.id"],
            name=op.f("fk_citizen_fix_item_id_citizen_item"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_citizen_fix")),
        sa.UniqueConstraint("item_id", "at", name=op.f("uq_citizen_fix_item_id")),
    )
    with op.batch_alter_table("citizen_fix", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_citizen_fix_item_id"), ["item_id"], unique=False)

    op.create_table(
        "citizen_media",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("item_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "photo",
                "voice",
                name="citizen_media_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("content_type", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("path", sa.String(length=300), nullable=False),
        sa.Column("thumb_path", sa.String(length=300), nullable=True),
        sa.Column("exif_lat", sa.Float(), nullable=True),
        sa.Column("exif_lon", sa.Float(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["citizen_item.id"],
            name=op.f("fk_citizen_media_item_id_citizen_item"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_citizen_media")),
    )
    with op.batch_alter_table("citizen_media", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_citizen_media_item_id"), ["item_id"], unique=False)

    op.create_table(
        "citizen_message",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("item_id", sa.Uuid(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "direction",
            sa.Enum(
                "to_citizen",
                "from_citizen",
                name="citizen_direction",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("author", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("ask_info", sa.Boolean(), nullable=False),
        sa.Column(
            "delivery",
            sa.Enum(
                "pending",
                "sent",
                "failed",
                name="citizen_delivery",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["citizen_item.id"],
            name=op.f("fk_citizen_message_item_id_citizen_item"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_citizen_message")),
    )
    with op.batch_alter_table("citizen_message", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_citizen_message_item_id"), ["item_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("citizen_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_citizen_message_item_id"))

    op.drop_table("citizen_message")
    with op.batch_alter_table("citizen_media", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_citizen_media_item_id"))

    op.drop_table("citizen_media")
    with op.batch_alter_table("citizen_fix", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_citizen_fix_item_id"))

    op.drop_table("citizen_fix")
    with op.batch_alter_table("citizen_item", schema=None) as batch_op:
        batch_op.drop_index("ix_citizen_item_station_state")
        batch_op.drop_index("ix_citizen_item_similar")
        batch_op.drop_index(batch_op.f("ix_citizen_item_retain_until"))
        batch_op.drop_index(batch_op.f("ix_citizen_item_merged_into_id"))
        batch_op.drop_index(batch_op.f("ix_citizen_item_line_user_hash"))
        batch_op.drop_index("ix_citizen_item_key")
        batch_op.drop_index(batch_op.f("ix_citizen_item_incident_id"))

    op.drop_table("citizen_item")
    op.drop_table("station_contact")
    with op.batch_alter_table("service_post", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_service_post_station_id"))

    op.drop_table("service_post")
