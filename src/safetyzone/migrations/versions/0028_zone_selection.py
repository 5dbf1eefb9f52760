"""zone selection: a station's candidate areas, its scoring weights, and the Big 6 meeting's
decisions (append-only) with the candidates they chose

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-12 09:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0028"
down_revision: str | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY = ("zone_decision", "zone_decision_choice")


def upgrade() -> None:
    op.create_table(
        "zone_candidate",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("station_id", sa.Uuid(), nullable=False),
        sa.Column("name_th", sa.String(200), nullable=False),
        sa.Column("name_en", sa.String(200), nullable=False),
        sa.Column("boundary", sa.JSON(), nullable=False),
        sa.Column("area_km2", sa.Float(), nullable=False),
        sa.Column("entered_counts", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("retired", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(["station_id"], ["org_unit.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_zone_candidate_station_id", "zone_candidate", ["station_id"])
    op.create_table(
        "zone_weights",
        sa.Column("station_id", sa.Uuid(), nullable=False),
        sa.Column("risk", sa.Float(), nullable=False),
        sa.Column("landmark", sa.Float(), nullable=False),
        sa.Column("economic", sa.Float(), nullable=False),
        sa.Column("hotspot_share", sa.Float(), nullable=False),
        sa.Column("risk_from", sa.Date(), nullable=True),
        sa.Column("risk_to", sa.Date(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(["station_id"], ["org_unit.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("station_id"),
    )
    op.create_table(
        "zone_decision",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("station_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("meeting_on", sa.Date(), nullable=False),
        sa.Column("members", sa.JSON(), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("launch_on", sa.Date(), nullable=True),
        sa.Column("supersedes_id", sa.Uuid(), nullable=True),
        sa.Column("weights", sa.JSON(), nullable=False),
        sa.Column("ranking", sa.JSON(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(["station_id"], ["org_unit.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["supersedes_id"], ["zone_decision.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("station_id", "number", name="uq_zone_decision_number"),
        sa.UniqueConstraint("supersedes_id", name="uq_zone_decision_supersedes"),
    )
    op.create_index("ix_zone_decision_station_id", "zone_decision", ["station_id"])
    op.create_table(
        "zone_decision_choice",
        sa.Column("decision_id", sa.Uuid(), nullable=False),
        sa.Column("candidate_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("zone_id", sa.Uuid(), nullable=True),
        sa.Column("zone_created", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["decision_id"], ["zone_decision.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["candidate_id"], ["zone_candidate.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["zone_id"], ["zone.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("decision_id", "candidate_id"),
    )
    op.create_index("ix_zone_decision_choice_zone_id", "zone_decision_choice", ["zone_id"])
    _append_only()


def _append_only() -> None:
    """A decision is the record of a meeting: the database refuses to change or delete it."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION zone_decision_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$")
        for table in APPEND_ONLY:
            op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                       "FOR EACH ROW EXECUTE FUNCTION zone_decision_append_only()")
        return
    for table in APPEND_ONLY:
        for event in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table} "
                       f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in APPEND_ONLY:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        op.execute("DROP FUNCTION IF EXISTS zone_decision_append_only()")
    else:
        for table in APPEND_ONLY:
            for event in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{event}")
    op.drop_table("zone_decision_choice")
    op.drop_table("zone_decision")
    op.drop_table("zone_weights")
    op.drop_table("zone_candidate")
