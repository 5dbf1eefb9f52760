"""What the console needs from the API besides the registry and incidents: loudspeaker
commands, the station panel, and the pages and browser files the app serves itself."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from safetyzone.config import Settings
from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from safetyzone.ops.models import FeedEntry
from safetyzone.web.app import create_app
from safetyzone.web.console.assets import ConsoleAssetsMissing, find_node_modules
from support.live import Devices, wait_for
from support.world import World


def asset_id(client: TestClient, headers: dict[str, str], code: str) -> str:
    items = client.get("/api/v1/assets", params={"q": code}, headers=headers).json()["items"]
    found: str = next(a["id"] for a in items if a["code"] == code)
    return found


def test_a_loudspeaker_plays_a_message_or_announces_a_text(
    client: TestClient, world: World, db: Database, clock: ManualClock,
) -> None:
    operator = world.headers(client, "a.operator")
    sos = asset_id(client, operator, "ST-A-SOS1")  # an SOS point with a speaker
    messages = client.get("/api/v1/speaker-messages", headers=operator).json()
    assert {"help_coming", "stay_calm"} <= {m["id"] for m in messages}
    assert all(m["text_th"] and m["text_en"] for m in messages)
    played = client.post(f"/api/v1/assets/{sos}/commands", headers=operator,
                         json={"type": "play", "message_id": "help_coming"})
    assert played.status_code == 201, played.text
    assert played.json()["requested_by"] == "a.operator"
    assert played.json()["status"] == "queued"
    clock.advance(timedelta(seconds=1))
    said = client.post(f"/api/v1/assets/{sos}/commands", headers=operator,
                       json={"type": "announce", "text": "ตำรวจกำลังไป กรุณารอที่จุดนี้"})
    assert said.status_code == 201, said.text
    listed = client.get(f"/api/v1/assets/{sos}/commands", headers=operator).json()
    assert [c["type"] for c in listed] == ["announce", "play"]
    with db.read() as session:
        entries = list(session.scalars(select(FeedEntry).where(
            FeedEntry.type == "asset.command")))
    assert [e.payload["type"] for e in entries] == ["play", "announce"]
    assert all(str(e.entity_id) == sos for e in entries)
    audit = client.get("/api/v1/audit", params={"action": "asset.command"},
                       headers=world.headers(client, "a.commander")).json()
    assert audit["total"] == 2


@pytest.mark.parametrize(("body", "fragment"), [
    ({"type": "play", "message_id": "sing_a_song"}, "message"),
    ({"type": "announce", "text": ""}, "text"),
    ({"type": "shout", "text": "x"}, "type"),
    ({"type": "play"}, "message_id"),
])
def test_bad_speaker_commands_are_refused(
    client: TestClient, world: World, body: dict[str, Any], fragment: str,
) -> None:
    operator = world.headers(client, "a.operator")
    sos = asset_id(client, operator, "ST-A-SOS1")
    response = client.post(f"/api/v1/assets/{sos}/commands", headers=operator, json=body)
    assert response.status_code == 422
    assert fragment in str(response.json())


def test_speaker_commands_need_a_speaker_a_role_and_the_scope(
    client: TestClient, world: World,
) -> None:
    operator = world.headers(client, "a.operator")
    point = asset_id(client, operator, "ST-A-POLICE-P1")
    sos = asset_id(client, operator, "ST-A-SOS1")
    body = {"type": "play", "message_id": "stay_calm"}
    no_speaker = client.post(f"/api/v1/assets/{point}/commands", headers=operator, json=body)
    assert no_speaker.status_code == 422
    assert client.post(f"/api/v1/assets/{sos}/commands", json=body,
                       headers=world.headers(client, "a.viewer")).status_code == 403
    assert client.post(f"/api/v1/assets/{sos}/commands", json=body,
                       headers=world.headers(client, "b.operator")).status_code == 404


def test_the_station_panel_counts_today_and_cameras_by_owner(
    client: TestClient, world: World, clock: ManualClock,
) -> None:
    devices = Devices(client, world, clock)
    devices.unit("ST-A", "A-11", lat=13.732, lon=100.47)
    token = devices.credential("ST-A", "asset", devices.asset_id("ST-A-SOS1"), "SOS pole")
    assert devices.post(token, devices.sos()).status_code == 200
    incident = wait_for(lambda: devices.incidents(kind="sos"))[0]
    operator = world.headers(client, "a.operator")
    client.post(f"/api/v1/incidents/{incident['id']}/acknowledge", headers=operator)
    panel = client.get("/api/v1/stations/ST-A/panel", headers=operator)
    assert panel.status_code == 200, panel.text
    body = panel.json()
    ops = body["ops"]
    assert ops["open_incidents"] == 1
    assert ops["open_by_priority"] == {"1": 1}
    assert ops["today_by_kind"] == {"sos": 1}
    assert ops["units_on_duty"] == 1
    assert ops["response_times_today"]["by_receive_time"]["acknowledge"]["count"] == 1
    cameras = body["cameras_by_owner_class"]
    assert cameras["police"]["total"] == 1 and cameras["police"]["unknown"] == 1
    assert cameras["private_business"]["total"] == 1
    assert client.get("/api/v1/stations/ST-B/panel", headers=operator).status_code == 404


def test_console_pages_are_served_in_thai_first(client: TestClient) -> None:
    page = client.get("/console")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert '<html lang="th">' in page.text
    assert "แจ้งเตือน" in page.text
    assert 'data-tile-url=""' in page.text
    english = client.get("/console", params={"lang": "en"})
    assert '<html lang="en">' in english.text and "Alerts" in english.text
    client.cookies.set("ssz_lang", "en")  # the console's language switch sets it
    assert "Alerts" in client.get("/console").text
    client.cookies.clear()
    login = client.get("/login")
    assert login.status_code == 200 and "เข้าสู่ระบบ" in login.text
    catalog = client.get("/console/static/i18n/th.json").json()
    assert catalog["queue.title"] == "แจ้งเตือน"


def test_every_user_visible_string_exists_in_both_catalogs(client: TestClient) -> None:
    th = client.get("/console/static/i18n/th.json").json()
    en = client.get("/console/static/i18n/en.json").json()
    assert set(th) == set(en)
    assert all(value.strip() for value in [*th.values(), *en.values()])


def test_the_browser_files_come_from_npm_through_the_app(client: TestClient) -> None:
    leaflet = client.get("/vendor/leaflet/leaflet-src.esm.js")
    assert leaflet.status_code == 200 and "Leaflet" in leaflet.text[:2000]
    assert client.get("/vendor/leaflet/leaflet.css").status_code == 200
    font = client.get("/vendor/sarabun/files/sarabun-thai-400-normal.woff2")
    assert font.status_code == 200 and font.content[:4] == b"wOF2"
    css = client.get("/vendor/sarabun/400.css")
    assert css.status_code == 200 and "Sarabun" in css.text


def test_the_tile_source_is_configurable(db: Database, tmp_path: Path) -> None:
    settings = Settings(environment="test", data_dir=tmp_path,
                        secret_key="test-secret-key-that-is-long-enough-0123456789",
                        tile_url="https://tiles.station.local/{z}/{x}/{y}.png")
    with TestClient(create_app(settings, db)) as client:
        page = client.get("/console").text
    assert 'data-tile-url="https://tiles.station.local/{z}/{x}/{y}.png"' in page


def test_missing_npm_packages_stop_the_app_with_what_to_run(tmp_path: Path) -> None:
    with pytest.raises(ConsoleAssetsMissing, match="npm ci"):
        find_node_modules(tmp_path)


CONSOLE_STATIC = Path(__file__).resolve().parents[2] / "src/safetyzone/web/console"


def test_pages_escape_what_they_are_given_and_hold_no_inline_code(
    db: Database, tmp_path: Path,
) -> None:
    """A strict CSP only works with no inline script, style attribute or on* handler; and
    data must never be written as HTML (see ui.js el(), docs/security/browser.md)."""
    settings = Settings(environment="test", data_dir=tmp_path,
                        secret_key="test-secret-key-that-is-long-enough-0123456789",
                        tile_url='https://t.example/{z}/{x}/{y}.png"><script>alert(1)</script>')
    with TestClient(create_app(settings, db)) as client:
        page = client.get("/console").text
    assert "<script>alert(1)" not in page and "&#34;&gt;&lt;script&gt;" in page
    for template in (CONSOLE_STATIC / "templates").glob("*.html"):
        html = template.read_text("utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), template.name
        assert not re.search(r"\sstyle=|<style|\son[a-z]+=", html), template.name
    for script in (CONSOLE_STATIC / "static").rglob("*.js"):
        code = script.read_text("utf-8")
        for sink in (r"\.innerHTML\s*=", r"\.outerHTML\s*=", r"insertAdjacentHTML\(",
                     r"document\.write", r"\beval\(", r"new Function"):
            assert not re.search(sink, code), f"{script.name} uses {sink}"
        assert not re.search(r"bind(Popup|Tooltip)\(\s*[`'\"]", code), script.name


APPS_STATIC = [CONSOLE_STATIC / "static", CONSOLE_STATIC.parent / "officer_app" / "static",
               CONSOLE_STATIC.parent / "citizen_app" / "static", CONSOLE_STATIC.parent / "pwa"]


@pytest.mark.parametrize("environment", ["production", "development"])
def test_pages_outside_the_test_environment_carry_no_test_hooks(
    db: Database, tmp_path: Path, environment: str,
) -> None:
    """window.__ssz (the browser tests' hooks) exists only on a test server: the console page
    of any other server neither loads nor serves it, and no shipped script defines a hook."""
    settings = Settings(environment=environment, data_dir=tmp_path,
                        secret_key="a-production-secret-key-long-enough-0123456789")
    with TestClient(create_app(settings, db)) as client:
        page = client.get("/console")
        assert page.status_code == 200
        assert "/console/test/" not in page.text and "hooks.js" not in page.text
        assert client.get("/console/test/hooks.js").status_code == 404
    for root in APPS_STATIC:
        for script in root.rglob("*.js"):
            code = script.read_text("utf-8")
            for hook in (r"window\.__\w", r"globalThis\.__\w", r"self\.__\w", r"ForTest\b",
                         r"[Tt]est hook", r"testProbe"):
                assert not re.search(hook, code), f"{script} ships a test hook ({hook})"


def test_the_test_server_loads_the_hooks_from_their_own_folder(client: TestClient) -> None:
    page = client.get("/console").text
    assert re.search(r'<script type="module" src="/console/test/hooks\.js\?v=[^"]+"></script>',
                     page)
    hooks = client.get("/console/test/hooks.js")
    assert hooks.status_code == 200 and "window.__ssz" in hooks.text
    assert client.get("/console/static/js/app.js").status_code == 200
    assert "__ssz" not in client.get("/console/static/js/app.js").text
