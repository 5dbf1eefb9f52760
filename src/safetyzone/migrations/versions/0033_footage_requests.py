"""footage requests to camera owners: one request per owning partner, the cameras it asks
about (and which the owner granted), its append-only history and the files uploaded

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-01 17:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0033"
down_revision: str | None = "0032"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "footage_request",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(16), nullable=False),
        sa.Column("batch_id", sa.Uuid(), nullable=False),
        sa.Column("station_id", sa.Uuid(), nullable=False),
        sa.Column("partner_id", sa.Uuid(), nullable=False),
        sa.Column("incident_id", sa.Uuid(), nullable=True),
        sa.Column("case_number", sa.String(64), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("window_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("area_lat", sa.Float(), nullable=True),
        sa.Column("area_lon", sa.Float(), nullable=True),
        sa.Column("area_radius_m", sa.Integer(), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.Enum("sent", "seen", "uploaded", "granted", "declined",
                                    "expired", "closed", name="footage_status",
                                    native_enum=False, create_constraint=True, length=32),
                  nullable=False),
        sa.Column("decline_reason", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["station_id"], ["org_unit.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["partner_id"], ["partner.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["incident_id"], ["incident.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_index("ix_footage_request_batch_id", "footage_request", ["batch_id"])
    op.create_index("ix_footage_request_incident_id", "footage_request", ["incident_id"])
    op.create_index("ix_footage_request_station_status", "footage_request",
                    ["station_id", "status"])
    op.create_index("ix_footage_request_partner_status", "footage_request",
                    ["partner_id", "status"])
    op.create_table(
        "footage_camera",
        sa.Column("request_id", sa.Uuid(), nullable=False),
        sa.Column("camera_id", sa.Uuid(), nullable=False),
        sa.Column("camera_code", sa.String(64), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("granted_by", sa.String(64), nullable=True),
        sa.ForeignKeyConstraint(["request_id"], ["footage_request.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["camera_id"], ["camera.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("request_id", "camera_id"),
    )
    op.create_index("ix_footage_camera_camera_id", "footage_camera", ["camera_id"])
    op.create_table(
        "footage_event",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("request_id", sa.Uuid(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("side", sa.String(8), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["request_id"], ["footage_request.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_footage_event_request_id", "footage_event", ["request_id"])
    _append_only("footage_event")
    op.create_table(
        "footage_file",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("request_id", sa.Uuid(), nullable=False),
        sa.Column("station_id", sa.Uuid(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("content_type", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("path", sa.String(200), nullable=False),
        sa.Column("uploaded_by", sa.String(64), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["request_id"], ["footage_request.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["station_id"], ["org_unit.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("request_id", "sha256"),
    )
    op.create_index("ix_footage_file_request_id", "footage_file", ["request_id"])


def _append_only(table: str) -> None:
    """A request's history is the record: the database itself refuses to change or delete
    a row of it."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE FUNCTION {table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN RAISE EXCEPTION '{table} is append-only'; END $$")
        op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                   f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()")
        return
    for event in ("UPDATE", "DELETE"):
        op.execute(f"CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table} "
                   f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END")


def _drop_append_only(table: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        op.execute(f"DROP FUNCTION IF EXISTS {table}_append_only()")
        return
    for event in ("update", "delete"):
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{event}")


def downgrade() -> None:
    op.drop_index("ix_footage_file_request_id", table_name="footage_file")
    op.drop_table("footage_file")
    _drop_append_only("footage_event")
    op.drop_index("ix_footage_event_request_id", table_name="footage_event")
    op.drop_table("footage_event")
    op.drop_index("ix_footage_camera_camera_id", table_name="footage_camera")
    op.drop_table("footage_camera")
    for name in ("partner_status", "station_status", "incident_id", "batch_id"):
        op.drop_index(f"ix_footage_request_{name}", table_name="footage_request")
    op.drop_table("footage_request")
