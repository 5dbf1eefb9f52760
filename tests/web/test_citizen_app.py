"""The public phone app's own pages: served in Thai and English, and compressed answers
(what both phone apps share is tested in test_pwa.py)."""

from __future__ import annotations

import gzip
from pathlib import Path

from fastapi.testclient import TestClient

from safetyzone.web import pwa

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "src/safetyzone/web/citizen_app"


def test_the_app_is_served_in_thai_first_and_in_english(client: TestClient) -> None:
    page = client.get("/citizen")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<html lang="th" ' in page.text and "ขอความช่วยเหลือ" in page.text
    english = client.get("/citizen", params={"lang": "en"})
    assert '<html lang="en" ' in english.text and "Get help" in english.text
    client.cookies.set("ssz_lang", "en")  # the language switch sets it
    assert "Get help" in client.get("/citizen").text
    client.cookies.clear()
    ticket = client.get("/citizen/t/R-7K3M9QXP")
    assert ticket.status_code == 200 and 'id="screen-ticket"' in ticket.text
    moved = client.get("/citizen/", follow_redirects=False)
    assert moved.status_code == 307 and moved.headers["location"] == "/citizen"
    too_long = client.get("/citizen/t/" + "X" * 40)
    assert too_long.status_code == 422


def test_text_answers_are_compressed_and_pictures_and_fonts_are_not(client: TestClient) -> None:
    wanted = {"Accept-Encoding": "gzip"}
    script = client.get("/citizen/static/js/ticket.js", headers=wanted)
    assert script.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in script.headers["vary"].lower()
    assert script.text == (APP / "static/js/ticket.js").read_text("utf-8")
    page = client.get("/citizen", headers=wanted)
    assert page.headers["content-encoding"] == "gzip" and "content-security-policy" in page.headers
    # A large file streams in chunks; each is flushed, and the whole decodes to the file.
    big = ROOT / "node_modules/leaflet/dist/leaflet-src.esm.js"
    raw = client.get("/vendor/leaflet/leaflet-src.esm.js", headers=wanted)
    assert raw.headers["content-encoding"] == "gzip" and raw.content == big.read_bytes()
    # Problem answers stay problem+json, compressed or not.
    refused = client.get("/api/v1/incidents", headers=wanted)
    assert refused.status_code == 401
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["status"] == 401
    for url in ("/citizen/static/icons/icon-512.png", pwa.FONTS[0]):
        answer = client.get(url, headers=wanted)
        assert "content-encoding" not in answer.headers, url
    plain = client.get("/citizen/static/js/ticket.js", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers


def test_the_compressed_bytes_are_real_gzip(client: TestClient) -> None:
    """What the benchmark counts is what a phone receives: read the bytes off the wire."""
    with client.stream("GET", "/citizen/static/citizen.css",
                       headers={"Accept-Encoding": "gzip"}) as answer:
        wire = b"".join(answer.iter_raw())
    assert gzip.decompress(wire) == (APP / "static/citizen.css").read_bytes()
    assert len(wire) < (APP / "static/citizen.css").stat().st_size / 2
