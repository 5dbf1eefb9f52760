"""investigator role: the only role that reads a named tipster's identity

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 17:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BEFORE = ("admin", "commander", "operator", "patrol_officer", "partner", "viewer")
AFTER = (*BEFORE, "investigator")


def _role(values: tuple[str, ...]) -> sa.Enum:
    return sa.Enum(*values, name="role", native_enum=False, create_constraint=True, length=32)


def upgrade() -> None:
    # The role is a string column with a CHECK listing the roles; SQLite can only change a
    # CHECK by rebuilding the table, which batch mode does (PostgreSQL alters in place).
    with op.batch_alter_table("app_user") as batch:
        batch.alter_column("role", existing_type=_role(BEFORE), type_=_role(AFTER),
                           existing_nullable=False)


def downgrade() -> None:
    op.execute("DELETE FROM user_scope WHERE user_id IN "
               "(SELECT id FROM app_user WHERE role = 'investigator')")
    op.execute("DELETE FROM app_user WHERE role = 'investigator'")
    with op.batch_alter_table("app_user") as batch:
        batch.alter_column("role", existing_type=_role(AFTER), type_=_role(BEFORE),
                           existing_nullable=False)
