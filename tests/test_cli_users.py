"""``ssz users``: break-glass user administration on the server, audited as the OS user."""

from __future__ import annotations

import getpass
from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from safetyzone.audit.models import AuditEntry
from safetyzone.cli import app
from safetyzone.core.db import Database
from safetyzone.org.models import User
from support.world import PASSWORD, World

runner = CliRunner()
NEW = "a brand new passphrase"


def ssz(db_url: str, *args: str, stdin: str | None = None) -> tuple[int, str]:
    result = runner.invoke(app, ["users", *args], input=stdin,
                           env={"SSZ_DATABASE_URL": db_url})
    return result.exit_code, result.output


def test_list_create_reset_and_reactivate(db_url: str, db: Database, world: World) -> None:
    code, out = ssz(db_url, "list")
    assert code == 0, out
    assert "admin" in out and "a.viewer" in out
    code, out = ssz(db_url, "create", "night.admin", "--role", "admin", "--org-unit", "HQ",
                    stdin=f"{NEW}\n{NEW}\n")
    assert code == 0, out
    code, out = ssz(db_url, "reset-password", "a.viewer", "--password", NEW)
    assert code == 0, out
    with db.write() as s:
        viewer = s.scalars(select(User).where(User.username == "a.viewer")).one()
        viewer.is_active = False
    code, out = ssz(db_url, "list")
    assert "DEACTIVATED" in out
    code, out = ssz(db_url, "reactivate", "a.viewer")
    assert code == 0, out
    with db.read() as s:
        assert s.scalars(select(User.is_active).where(User.username == "a.viewer")).one()
        rows = s.scalars(select(AuditEntry).where(AuditEntry.username.like("cli:%"))).all()
    actor = f"cli:{getpass.getuser()}"
    assert [(r.username, r.action) for r in rows] == [
        (actor, "user.create"), (actor, "user.set_password"), (actor, "user.reactivate")]


def test_refusals_exit_non_zero_with_the_reason(db_url: str, world: World,
                                               tmp_path: Path) -> None:
    code, out = ssz(db_url, "reactivate", "a.viewer")
    assert code == 1 and "already active" in out
    code, out = ssz(db_url, "reactivate", "nobody")
    assert code == 1 and "no user 'nobody'" in out
    code, out = ssz(db_url, "create", "admin", "--role", "admin", "--org-unit", "HQ",
                    "--password", PASSWORD)
    assert code == 1 and "already exists" in out
    code, out = ssz(db_url, "create", "x.y", "--role", "wizard", "--org-unit", "HQ",
                    "--password", PASSWORD)
    assert code == 1 and "role" in out
    code, out = ssz(db_url, "reset-password", "a.viewer", "--password", "short")
    assert code == 1
    unmigrated = runner.invoke(app, ["users", "list", "--data-dir", str(tmp_path)], env={})
    assert unmigrated.exit_code == 2
