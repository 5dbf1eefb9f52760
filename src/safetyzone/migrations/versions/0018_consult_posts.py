"""consultation and posts: legal consultation (consultants, slots, requests, notes),
volunteer service posts (hours, roster, intake), the volunteer role, the post channel

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-01 00:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLES = ("admin", "commander", "operator", "patrol_officer", "partner", "viewer", "investigator")
CHANNELS = ("web", "line", "open311")


def _enum(name: str, values: tuple[str, ...]) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def upgrade() -> None:
    # Both are strings with a CHECK listing the values; batch mode rebuilds the table on
    # SQLite (PostgreSQL alters in place).
    with op.batch_alter_table("app_user") as batch:
        batch.alter_column(
            "role",
            existing_type=_enum("role", ROLES),
            type_=_enum("role", (*ROLES, "volunteer")),
            existing_nullable=False,
        )
    with op.batch_alter_table("citizen_item") as batch:
        batch.alter_column(
            "channel",
            existing_type=_enum("citizen_channel", CHANNELS),
            type_=_enum("citizen_channel", (*CHANNELS, "post")),
            existing_nullable=False,
        )
    op.create_table(
        "post_hours",
        sa.Column("post_id", sa.Uuid(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("opens_min", sa.Integer(), nullable=False),
        sa.Column("closes_min", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["service_post.id"],
            name=op.f("fk_post_hours_post_id_service_post"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("post_id", "weekday", "opens_min", name=op.f("pk_post_hours")),
    )
    op.create_table(
        "consult_consultant",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("station_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("topics", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["org_unit.id"],
            name=op.f("fk_consult_consultant_station_id_org_unit"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
            name=op.f("fk_consult_consultant_user_id_app_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consult_consultant")),
        sa.UniqueConstraint("station_id", "user_id", name=op.f("uq_consult_consultant_station_id")),
    )
    op.create_index(
        op.f("ix_consult_consultant_station_id"), "consult_consultant", ["station_id"], unique=False
    )
    op.create_index(
        op.f("ix_consult_consultant_user_id"), "consult_consultant", ["user_id"], unique=False
    )
    op.create_table(
        "post_intake",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("post_id", sa.Uuid(), nullable=True),
        sa.Column("station_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "report",
                "consult",
                name="post_intake_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["service_post.id"],
            name=op.f("fk_post_intake_post_id_service_post"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["org_unit.id"],
            name=op.f("fk_post_intake_station_id_org_unit"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
            name=op.f("fk_post_intake_user_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_post_intake")),
    )
    op.create_index(op.f("ix_post_intake_at"), "post_intake", ["at"], unique=False)
    op.create_index(op.f("ix_post_intake_code"), "post_intake", ["code"], unique=False)
    op.create_index(op.f("ix_post_intake_post_id"), "post_intake", ["post_id"], unique=False)
    op.create_table(
        "post_roster",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("post_id", sa.Uuid(), nullable=False),
        sa.Column("station_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("added_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["service_post.id"],
            name=op.f("fk_post_roster_post_id_service_post"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["org_unit.id"],
            name=op.f("fk_post_roster_station_id_org_unit"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
            name=op.f("fk_post_roster_user_id_app_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_post_roster")),
        sa.UniqueConstraint("post_id", "user_id", name=op.f("uq_post_roster_post_id")),
    )
    op.create_index(op.f("ix_post_roster_post_id"), "post_roster", ["post_id"], unique=False)
    op.create_index(op.f("ix_post_roster_user_id"), "post_roster", ["user_id"], unique=False)
    op.create_table(
        "consult_slot",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("station_id", sa.Uuid(), nullable=False),
        sa.Column("consultant_id", sa.Uuid(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("channels", sa.JSON(), nullable=False),
        sa.Column("video_url", sa.String(length=300), nullable=True),
        sa.Column(
            "state",
            sa.Enum(
                "open",
                "booked",
                "cancelled",
                name="consult_slot_state",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["consultant_id"],
            ["consult_consultant.id"],
            name=op.f("fk_consult_slot_consultant_id_consult_consultant"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["org_unit.id"],
            name=op.f("fk_consult_slot_station_id_org_unit"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consult_slot")),
    )
    op.create_index(
        "ix_consult_slot_consultant_start",
        "consult_slot",
        ["consultant_id", "starts_at"],
        unique=False,
    )
    op.create_index(
        "ix_consult_slot_station_start", "consult_slot", ["station_id", "starts_at"], unique=False
    )
    op.create_table(
        "consult_request",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("station_id", sa.Uuid(), nullable=False),
        sa.Column("slot_id", sa.Uuid(), nullable=False),
        sa.Column("active_slot_id", sa.Uuid(), nullable=True),
        sa.Column("consultant_id", sa.Uuid(), nullable=False),
        sa.Column("topic", sa.String(length=32), nullable=False),
        sa.Column(
            "channel",
            sa.Enum(
                "station",
                "post",
                "phone",
                "video",
                name="consult_channel",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("post_id", sa.Uuid(), nullable=True),
        sa.Column("taken_by", sa.String(length=64), nullable=True),
        sa.Column("client_key_hash", sa.String(length=64), nullable=False),
        sa.Column("contact_sealed", sa.Text(), nullable=True),
        sa.Column("question_sealed", sa.Text(), nullable=True),
        sa.Column("consent", sa.JSON(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "booked",
                "cancelled_by_citizen",
                "cancelled_by_station",
                "held",
                "no_show",
                name="consult_request_state",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("notices", sa.JSON(), nullable=False),
        sa.Column("cancel_reason", sa.String(length=300), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["consultant_id"],
            ["consult_consultant.id"],
            name=op.f("fk_consult_request_consultant_id_consult_consultant"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["service_post.id"],
            name=op.f("fk_consult_request_post_id_service_post"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["slot_id"],
            ["consult_slot.id"],
            name=op.f("fk_consult_request_slot_id_consult_slot"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["org_unit.id"],
            name=op.f("fk_consult_request_station_id_org_unit"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consult_request")),
        sa.UniqueConstraint("active_slot_id", name=op.f("uq_consult_request_active_slot_id")),
        sa.UniqueConstraint("code", name=op.f("uq_consult_request_code")),
    )
    op.create_index(
        op.f("ix_consult_request_consultant_id"), "consult_request", ["consultant_id"], unique=False
    )
    op.create_index("ix_consult_request_key", "consult_request", ["client_key_hash"], unique=False)
    op.create_index(
        op.f("ix_consult_request_post_id"), "consult_request", ["post_id"], unique=False
    )
    op.create_index(
        op.f("ix_consult_request_slot_id"), "consult_request", ["slot_id"], unique=False
    )
    op.create_index(
        "ix_consult_request_station_state", "consult_request", ["station_id", "state"], unique=False
    )
    op.create_table(
        "consult_note",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("request_id", sa.Uuid(), nullable=False),
        sa.Column("station_id", sa.Uuid(), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=True),
        sa.Column("author", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("text_sealed", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["app_user.id"],
            name=op.f("fk_consult_note_author_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["consult_request.id"],
            name=op.f("fk_consult_note_request_id_consult_request"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["org_unit.id"],
            name=op.f("fk_consult_note_station_id_org_unit"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consult_note")),
    )
    op.create_index(op.f("ix_consult_note_at"), "consult_note", ["at"], unique=False)
    op.create_index(
        op.f("ix_consult_note_request_id"), "consult_note", ["request_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_consult_note_request_id"), table_name="consult_note")
    op.drop_index(op.f("ix_consult_note_at"), table_name="consult_note")
    op.drop_table("consult_note")
    op.drop_index("ix_consult_request_station_state", table_name="consult_request")
    op.drop_index(op.f("ix_consult_request_slot_id"), table_name="consult_request")
    op.drop_index(op.f("ix_consult_request_post_id"), table_name="consult_request")
    op.drop_index("ix_consult_request_key", table_name="consult_request")
    op.drop_index(op.f("ix_consult_request_consultant_id"), table_name="consult_request")
    op.drop_table("consult_request")
    op.drop_index("ix_consult_slot_station_start", table_name="consult_slot")
    op.drop_index("ix_consult_slot_consultant_start", table_name="consult_slot")
    op.drop_table("consult_slot")
    op.drop_index(op.f("ix_post_roster_user_id"), table_name="post_roster")
    op.drop_index(op.f("ix_post_roster_post_id"), table_name="post_roster")
    op.drop_table("post_roster")
    op.drop_index(op.f("ix_post_intake_post_id"), table_name="post_intake")
    op.drop_index(op.f("ix_post_intake_code"), table_name="post_intake")
    op.drop_index(op.f("ix_post_intake_at"), table_name="post_intake")
    op.drop_table("post_intake")
    op.drop_index(op.f("ix_consult_consultant_user_id"), table_name="consult_consultant")
    op.drop_index(op.f("ix_consult_consultant_station_id"), table_name="consult_consultant")
    op.drop_table("consult_consultant")
    op.drop_table("post_hours")
    op.execute("DELETE FROM citizen_item WHERE channel = 'post'")
    with op.batch_alter_table("citizen_item") as batch:
        batch.alter_column(
            "channel",
            existing_type=_enum("citizen_channel", (*CHANNELS, "post")),
            type_=_enum("citizen_channel", CHANNELS),
            existing_nullable=False,
        )
    op.execute(
        "DELETE FROM user_scope WHERE user_id IN (SELECT id FROM app_user WHERE role = 'volunteer')"
    )
    op.execute("DELETE FROM app_user WHERE role = 'volunteer'")
    with op.batch_alter_table("app_user") as batch:
        batch.alter_column(
            "role",
            existing_type=_enum("role", (*ROLES, "volunteer")),
            type_=_enum("role", ROLES),
            existing_nullable=False,
        )
