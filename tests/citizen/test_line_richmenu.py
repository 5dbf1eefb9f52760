"""The rich menu in the repo: LINE would take it, the chat serves every button, the drawing
script makes its image, and ``ssz line richmenu`` installs it through the LINE API."""

from __future__ import annotations

import copy
import io
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from pydantic import SecretStr
from sqlalchemy import select
from typer.testing import CliRunner

from conftest import SECRET
from safetyzone.audit.models import AuditEntry
from safetyzone.citizen import line_channels, line_richmenu
from safetyzone.citizen.line_models import LineChannel
from safetyzone.citizen.line_schemas import LineChannelCreate
from safetyzone.cli import app
from safetyzone.config import Settings
from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from safetyzone.core.errors import InvalidInput
from safetyzone.core.secretbox import SecretBox
from safetyzone.core.security import system_scope
from support.line_env import TOKEN, line_env
from support.line_standin import LineStandIn, line_standin
from support.world import World

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def standin() -> Iterator[LineStandIn]:
    with line_standin(TOKEN) as server:
        yield server


def test_the_repo_menu_and_image_are_installable() -> None:
    menu, image = line_richmenu.load_menu(), line_richmenu.load_image()
    line_richmenu.check(menu, image)
    with Image.open(io.BytesIO(image)) as picture:
        assert picture.format == "PNG" and picture.size == (2500, 1686)
    assert len(image) < 1024 * 1024
    actions = [a["action"]["data"] for a in menu["areas"]]
    assert actions == ["action=emergency", "action=report", "action=tip", "action=tickets",
                       "action=station"]


@pytest.mark.parametrize("break_it", ["size", "action", "label", "missing", "image"])
def test_a_menu_line_or_the_chat_would_not_take_is_refused(break_it: str) -> None:
    menu, image = copy.deepcopy(line_richmenu.load_menu()), line_richmenu.load_image()
    if break_it == "size":
        menu["size"] = {"width": 2500, "height": 843}
    elif break_it == "action":
        menu["areas"][1]["action"]["data"] = "action=lottery"
    elif break_it == "label":
        menu["areas"][1]["action"]["label"] = "ก" * 21
    elif break_it == "missing":
        menu["areas"] = menu["areas"][:4]
    else:
        image = b"GIF89a not a menu"
    with pytest.raises(InvalidInput):
        line_richmenu.check(menu, image)


def test_every_button_is_answered_by_the_chat(db: Database, settings: Settings,
                                              world: World) -> None:
    with line_env(db, settings, world) as env:
        env.consent()
        for area in line_richmenu.load_menu()["areas"]:
            before = len(env.replies())
            assert env.post(env.postback(area["action"]["data"])).status_code == 200
            env.settle()
            assert len(env.replies()) == before + 1, area["action"]["data"]
            assert "รับได้เฉพาะ" not in env.replies()[-1]  # not the "cannot read" answer


def test_the_script_draws_the_menu_image(tmp_path: Path) -> None:
    out = tmp_path / "menu.png"
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "line_richmenu_image.py"),
                           "--out", str(out)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    line_richmenu.check(line_richmenu.load_menu(), out.read_bytes())


def _channel(db: Database, station: str = "ST-A") -> None:
    with db.write() as session:
        line_channels.register_channel(
            session, scope=system_scope(), clock=ManualClock(), box=SecretBox(SECRET),
            routing="per_station", data=LineChannelCreate(
                station_code=station, name="สภ.เอ", line_channel_id="1650000009",
                channel_secret=SecretStr("0123456789abcdef" * 2),
                access_token=SecretStr(TOKEN)))


def test_the_cli_installs_the_menu_as_the_default(db_url: str, db: Database, world: World,
                                                   standin: LineStandIn) -> None:
    _channel(db)
    env = {"SSZ_DATABASE_URL": db_url, "SSZ_ENVIRONMENT": "test", "SSZ_SECRET_KEY": SECRET,
           "SSZ_LINE_API_BASE": standin.api_base,
           "SSZ_LINE_DATA_API_BASE": standin.data_api_base}
    result = CliRunner().invoke(app, ["line", "richmenu", "--station", "ST-A"], env=env)
    assert result.exit_code == 0, result.output
    (menu_id,) = standin.rich_menus
    assert standin.default_menu == menu_id
    assert standin.menu_images[menu_id] == line_richmenu.load_image()
    assert {c.token for c in standin.calls} == {TOKEN}
    with db.read() as session:
        (channel,) = session.scalars(select(LineChannel))
        assert channel.rich_menu_id == menu_id
        audit = session.scalars(select(AuditEntry).where(
            AuditEntry.action == "line_channel.rich_menu")).one()
        assert audit.username.startswith("cli:")
    missing = CliRunner().invoke(app, ["line", "richmenu", "--station", "ST-B"], env=env)
    assert missing.exit_code == 1 and "no LINE channel" in missing.output


def test_the_cli_reports_a_refusal_by_line(db_url: str, db: Database, world: World,
                                           standin: LineStandIn) -> None:
    _channel(db)
    standin.tokens = {"some-other-token"}  # LINE no longer takes the stored one
    result = CliRunner().invoke(app, ["line", "richmenu", "--station", "ST-A"], env={
        "SSZ_DATABASE_URL": db_url, "SSZ_ENVIRONMENT": "test", "SSZ_SECRET_KEY": SECRET,
        "SSZ_LINE_API_BASE": standin.api_base, "SSZ_LINE_DATA_API_BASE": standin.data_api_base})
    assert result.exit_code == 1 and "401" in result.output
    with db.read() as session:
        assert session.scalars(select(LineChannel)).one().rich_menu_id is None
