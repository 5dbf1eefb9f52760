"""The change log the access matrix trusts to say "this refused call changed nothing": it
sees inserts, real updates and deletes, and nothing for a rolled-back write or an update
that rewrites the same values."""

from __future__ import annotations

from sqlalchemy import select, update

from safetyzone.core.db import Database
from safetyzone.org.models import OrgUnit
from support import changes
from support.world import World


def test_the_log_sees_committed_changes_only(db: Database, world: World) -> None:
    changes.install(db)
    start = changes.mark(db)
    with db.write() as s:  # the same values written again: not a change
        name = s.scalar(select(OrgUnit.name_th).where(OrgUnit.code == "ST-A"))
        s.execute(update(OrgUnit).where(OrgUnit.code == "ST-A").values(name_th=name))
    assert changes.since(db, start) == []
    try:
        with db.write() as s:
            s.execute(update(OrgUnit).where(OrgUnit.code == "ST-A")
                      .values(name_th="ไม่บันทึก"))
            raise RuntimeError("rolled back")
    except RuntimeError:
        pass
    assert changes.since(db, start) == []
    with db.write() as s:
        s.execute(update(OrgUnit).where(OrgUnit.code == "ST-A")
                  .values(name_th="สถานีใหม่"))
    assert changes.since(db, start) == ["org_unit"]
    at = changes.mark(db)
    assert at > start and changes.since(db, at) == []
