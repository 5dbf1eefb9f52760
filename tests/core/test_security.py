"""The scope's owner rule: a partner sees its own rows, and a partner with no record none."""

from __future__ import annotations

import uuid

from sqlalchemy import Column, MetaData, Table, create_engine, insert, select
from sqlalchemy.types import String, Uuid

from safetyzone.core.security import Role, Scope

OWNED = Table("owned", MetaData(), Column("code", String), Column("owner", Uuid, nullable=True))


def _codes(scope: Scope) -> set[str]:
    engine = create_engine("sqlite://")
    OWNED.metadata.create_all(engine)
    mine = uuid.UUID(int=7)
    with engine.begin() as conn:
        conn.execute(insert(OWNED), [{"code": "police", "owner": None},
                                     {"code": "mine", "owner": mine},
                                     {"code": "other", "owner": uuid.UUID(int=8)}])
        condition = scope.owner_filter(OWNED.c.owner)
        query = select(OWNED.c.code) if condition is None else select(OWNED.c.code).where(
            condition)
        return {row[0] for row in conn.execute(query)}


def _scope(role: Role, partner: uuid.UUID | None) -> Scope:
    return Scope(user_id=uuid.uuid4(), username="x", role=role, station_ids=None,
                 org_unit_ids=frozenset(), partner_id=partner)


def test_a_partner_sees_only_its_own_rows() -> None:
    assert _codes(_scope(Role.PARTNER, uuid.UUID(int=7))) == {"mine"}
    assert _codes(_scope(Role.OPERATOR, None)) == {"police", "mine", "other"}


def test_a_partner_without_a_partner_record_sees_nothing_not_the_police_rows() -> None:
    assert _codes(_scope(Role.PARTNER, None)) == set()
