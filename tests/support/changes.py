"""Which tables a call changed: triggers log every row inserted, changed or deleted.

"A refused call changes nothing" used to be checked by hashing every row of every table
before and after each call; with thousands of calls on a database that grows as they go,
that hashing was most of the access matrix's time. Triggers log the change in the same
transaction as the write, so a rolled-back write leaves no trace, an update that rewrites a
row with the same values is not a change, and the check is one indexed query.
"""

from __future__ import annotations

from sqlalchemy import Column, Integer, MetaData, String, Table, func, select

from safetyzone.core.db import Base, Database

LOG = "test_change_log"
_log = Table(LOG, MetaData(), Column("id", Integer, primary_key=True), Column("tbl", String))
# PostgreSQL's json has no equality: rows are compared as jsonb.
_PG_CHANGED = "WHEN (to_jsonb(OLD) IS DISTINCT FROM to_jsonb(NEW)) "


def install(db: Database) -> None:
    """Log changes to every table of the app's metadata from now on."""
    tables = list(Base.metadata.sorted_tables)
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql(f"CREATE TABLE {LOG} (id BIGSERIAL PRIMARY KEY, tbl TEXT)")
            # Every name in these statements is this module's or a table of the app's own.
            insert = f"INSERT INTO {LOG} (tbl) VALUES (TG_TABLE_NAME)"  # noqa: S608
            conn.exec_driver_sql(f"CREATE FUNCTION {LOG}_add() RETURNS trigger LANGUAGE plpgsql "
                                 f"AS $$ BEGIN {insert}; RETURN NULL; END $$")
            for table in tables:
                for op, when in (("INSERT OR DELETE", ""), ("UPDATE", _PG_CHANGED)):
                    conn.exec_driver_sql(
                        f'CREATE TRIGGER "{LOG}_{op.split()[0]}" AFTER {op} ON "{table.name}" '
                        f"FOR EACH ROW {when}EXECUTE FUNCTION {LOG}_add()")
            return
        conn.exec_driver_sql(
            f"CREATE TABLE {LOG} (id INTEGER PRIMARY KEY AUTOINCREMENT, tbl TEXT)")
        for table in tables:
            differs = " OR ".join(f'OLD."{c.name}" IS NOT NEW."{c.name}"' for c in table.columns)
            for op, when in (("INSERT", ""), ("DELETE", ""), ("UPDATE", f"WHEN {differs} ")):
                insert = f"INSERT INTO {LOG} (tbl) VALUES ('{table.name}')"  # noqa: S608
                conn.exec_driver_sql(
                    f'CREATE TRIGGER "{LOG}_{op}_{table.name}" AFTER {op} ON "{table.name}" '
                    f"FOR EACH ROW {when}BEGIN {insert}; END")


def mark(db: Database) -> int:
    """Where the log stands now."""
    with db.engine.connect() as conn:
        return int(conn.execute(select(func.coalesce(func.max(_log.c.id), 0))).scalar_one())


def since(db: Database, at: int) -> list[str]:
    """The tables changed after ``mark`` gave ``at``, in order, repeats folded."""
    with db.engine.connect() as conn:
        rows = conn.execute(select(_log.c.tbl).where(_log.c.id > at).order_by(_log.c.id))
        return list(dict.fromkeys(rows.scalars()))
