"""incident calls: incidents entered by hand (191 transfers, phone calls, walk-ins, radio,
the station counter) and their callers, kept apart from the incident for PDPA; investigation
teams as a unit kind

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-01 11:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


UNIT_KINDS = ("car", "motorcycle", "foot", "volunteer")


def _unit_kind(values: tuple[str, ...]) -> sa.Enum:
    return sa.Enum(*values, name="unit_kind_patrol", native_enum=False, create_constraint=True,
                   length=32)


def upgrade() -> None:
    # A string with a CHECK listing the kinds; batch mode rebuilds the table on SQLite.
    with op.batch_alter_table("patrol_unit") as batch:
        batch.alter_column("kind", existing_type=_unit_kind(UNIT_KINDS),
                           type_=_unit_kind((*UNIT_KINDS, "investigation")),
                           existing_nullable=False)
    op.create_table(
        "incident_call",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("incident_id", sa.Uuid(), nullable=False),
        sa.Column("station_id", sa.Uuid(), nullable=False),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("external_ref", sa.String(40), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("taken_by", sa.String(64), nullable=False),
        sa.Column("caller_anonymous", sa.Boolean(), nullable=False),
        sa.Column("caller_name", sa.String(200), nullable=True),
        sa.Column("caller_phone", sa.String(20), nullable=True),
        sa.Column("notice_version", sa.String(16), nullable=True),
        sa.Column("caller_erased_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["incident_id"], ["incident.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("incident_id"),
        sa.UniqueConstraint("station_id", "external_ref"),
    )
    op.create_index("ix_incident_call_station_id", "incident_call", ["station_id"])
    op.create_index("ix_incident_call_caller_erased_at", "incident_call", ["caller_erased_at"])


def downgrade() -> None:
    op.drop_index("ix_incident_call_caller_erased_at", table_name="incident_call")
    op.drop_index("ix_incident_call_station_id", table_name="incident_call")
    op.drop_table("incident_call")
    with op.batch_alter_table("patrol_unit") as batch:
        batch.alter_column("kind", existing_type=_unit_kind((*UNIT_KINDS, "investigation")),
                           type_=_unit_kind(UNIT_KINDS), existing_nullable=False)
