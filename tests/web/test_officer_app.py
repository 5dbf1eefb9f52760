"""The officer's phone app's own pages: served in Thai and English, the QR scanner's library
loaded on first use by its worker, and words for every check-in and home-watch visit refusal
the server gives (what both phone apps share is tested in test_pwa.py)."""

from __future__ import annotations

import json
import typing
from pathlib import Path

from fastapi.testclient import TestClient

from safetyzone.patrol import redbox_texts as texts
from safetyzone.services.homewatch_schemas import VisitRefusal
from safetyzone.web.officer_app import pages

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "src/safetyzone/web/officer_app"


def test_the_app_is_served_in_thai_first_and_in_english(client: TestClient) -> None:
    page = client.get("/officer")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<html lang="th" ' in page.text and "เข้าสู่ระบบ" in page.text
    assert page.headers["cache-control"] == "no-cache"
    english = client.get("/officer", params={"lang": "en"})
    assert '<html lang="en" ' in english.text and "Log in" in english.text
    client.cookies.set("ssz_lang", "en")  # the language switch sets it
    assert "Start your shift" in client.get("/officer").text
    client.cookies.clear()
    moved = client.get("/officer/", follow_redirects=False)
    assert moved.status_code == 307 and moved.headers["location"] == "/officer"


def test_the_qr_scanner_loads_its_library_in_its_worker(client: TestClient) -> None:
    worker = (APP / "static/js/qr-worker.js").read_text("utf-8")
    assert f"importScripts('{pages.JSQR}')" in worker
    assert client.get(pages.JSQR).status_code == 200
    answer = client.get("/officer/sw.js").text
    assert 'const KEEP_ON_USE = ["/vendor/leaflet/", "/vendor/jsqr/"];' in answer


def test_the_refusal_reasons_match_the_server() -> None:
    """Every reason the check-in route can give has its words (when that code is here)."""
    th = json.loads((APP / "static/i18n/th.json").read_text("utf-8"))
    assert {f"checkin.reason.{r.value}" for r in texts.Reason} <= set(th)


def test_every_visit_refusal_has_its_words() -> None:
    """A home-watch visit refused for any reason the server knows is named in both languages."""
    reasons = typing.get_args(VisitRefusal.model_fields["reason"].annotation)
    assert len(reasons) == 5
    for lang in ("th", "en"):
        words = json.loads((APP / f"static/i18n/{lang}.json").read_text("utf-8"))
        assert {f"hw.reason.{r}" for r in reasons} <= set(words), lang
