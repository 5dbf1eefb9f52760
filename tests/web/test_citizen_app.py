"""The public phone app's pages and files: served in Thai and English, every word in both
catalogs, no inline code or HTML sinks (strict CSP), a service worker whose every shell file
exists, a valid manifest with the icons the script draws, and compressed answers."""

from __future__ import annotations

import gzip
import json
import re
import runpy
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from safetyzone.web.citizen_app import pages

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "src/safetyzone/web/citizen_app"
JS = sorted((APP / "static/js").glob("*.js"))


class Refs(HTMLParser):
    """The files a page asks the browser for."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "link" and found.get("href"):
            self.urls.append(str(found["href"]))
        elif tag == "script" and found.get("src"):
            self.urls.append(str(found["src"]))


def refs(html: str) -> list[str]:
    parser = Refs()
    parser.feed(html)
    return parser.urls


def test_the_app_is_served_in_thai_first_and_in_english(client: TestClient) -> None:
    page = client.get("/citizen")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<html lang="th">' in page.text and "ขอความช่วยเหลือ" in page.text
    english = client.get("/citizen", params={"lang": "en"})
    assert '<html lang="en">' in english.text and "Get help" in english.text
    client.cookies.set("ssz_lang", "en")  # the language switch sets it
    assert "Get help" in client.get("/citizen").text
    client.cookies.clear()
    ticket = client.get("/citizen/t/R-7K3M9QXP")
    assert ticket.status_code == 200 and 'id="screen-ticket"' in ticket.text
    moved = client.get("/citizen/", follow_redirects=False)
    assert moved.status_code == 307 and moved.headers["location"] == "/citizen"
    too_long = client.get("/citizen/t/" + "X" * 40)
    assert too_long.status_code == 422


def test_every_file_the_page_names_is_served(client: TestClient) -> None:
    urls = refs(client.get("/citizen").text)
    assert "/citizen/manifest.webmanifest" in urls
    assert "/citizen/static/js/app.js" in urls and "/citizen/static/citizen.css" in urls
    # Every module is preloaded, so a slow link pays one round trip for all of them.
    assert {f"/citizen/static/js/{p.name}" for p in JS} <= set(urls)
    for url in urls:
        assert client.get(url).status_code == 200, url
    css = client.get("/citizen/static/citizen.css").text
    fonts = re.findall(r"url\(([^)]+)\)", css)
    assert len(fonts) == 4 and all(f in pages.FONTS for f in fonts)
    for font in fonts:
        assert client.get(font).content[:4] == b"wOF2"
    for url in pages.LEAFLET:  # loaded on a map's first use
        assert client.get(url).status_code == 200


def test_both_catalogs_hold_the_same_words_and_every_word_used(client: TestClient) -> None:
    th = client.get("/citizen/static/i18n/th.json").json()
    en = client.get("/citizen/static/i18n/en.json").json()
    assert set(th) == set(en)
    assert all(value.strip() for value in [*th.values(), *en.values()])
    assert all(set(re.findall(r"\{(\w+)\}", th[k])) == set(re.findall(r"\{(\w+)\}", en[k]))
               for k in th), "a placeholder is missing in one language"
    template = (APP / "templates/citizen.html").read_text("utf-8")
    used = set(re.findall(r"data-i18n(?:-[a-z-]+)?=\"([\w.]+)\"", template))
    used |= set(re.findall(r"t\('([\w.]+)'\)", template))
    for script in JS:
        used |= set(re.findall(r"\bt\('([\w.]+)'", script.read_text("utf-8")))
    # Keys built from data: every status step, ticket kind and service post kind.
    used |= {f"status.{s}" for s in ("new", "acknowledged", "dispatched", "on_scene",
                                     "in_progress", "closed", "info_requested", "merged")}
    used |= {f"kind.{k}" for k in ("emergency", "report", "tip")}
    used |= {f"post.{k}" for k in ("police_box", "volunteer_post", "station")}
    assert used - set(th) == set()
    assert len(th["date.months"].split(",")) == len(en["date.months"].split(",")) == 12


def test_no_inline_code_and_no_html_sinks() -> None:
    """A strict CSP only works with no inline script, style or handler; data is text."""
    template = (APP / "templates/citizen.html").read_text("utf-8")
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", template)
    assert not re.search(r"\sstyle=|<style|\son[a-z]+=", template)
    for script in [*JS, APP / "sw.js"]:
        code = script.read_text("utf-8")
        for sink in (r"\.innerHTML\b", r"\.outerHTML\b", r"insertAdjacentHTML", r"document\.write",
                     r"\beval\(", r"new Function", r"setTimeout\(\s*['\"`]"):
            assert not re.search(sink, code), f"{script.name} uses {sink}"
        assert not re.search(r"bind(Popup|Tooltip)\(\s*[`'\"]", code), script.name
        assert not re.search(r"https?://", code), f"{script.name} names another origin"


def test_every_answer_carries_the_strict_policy(client: TestClient) -> None:
    for url in ("/citizen", "/citizen/t/E-00000000", "/citizen/sw.js",
                "/citizen/manifest.webmanifest", "/citizen/static/js/app.js"):
        policy = client.get(url).headers["content-security-policy"]
        assert "script-src 'self';" in policy and "style-src 'self';" in policy, url
        assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy


def _shell(code: str) -> list[str]:
    found = re.search(r"const SHELL = (\[.*?\]);", code)
    assert found, "the shell list was not written into the worker"
    shell: list[str] = json.loads(found.group(1))
    return shell


def test_the_service_worker_covers_the_app_and_keeps_only_the_shell(client: TestClient) -> None:
    worker = client.get("/citizen/sw.js")
    assert worker.status_code == 200
    assert worker.headers["content-type"].startswith("text/javascript")
    assert worker.headers["service-worker-allowed"] == "/citizen"
    assert worker.headers["cache-control"] == "no-cache"  # a new version is seen at once
    assert "__CACHE__" not in worker.text and "__SHELL__" not in worker.text
    assert re.search(r'const CACHE = "ssz-citizen-[0-9a-f]{16}";', worker.text)
    assert 'const SCOPE = "/citizen";' in worker.text
    shell = _shell(worker.text)
    assert shell[0] == "/citizen"
    # The page, every script, style, catalog, icon and font: the app opens offline ...
    page_refs = {u for u in refs(client.get("/citizen").text)}
    assert page_refs <= set(shell)
    words = {"/citizen/static/i18n/th.json", "/citizen/static/i18n/en.json"}
    assert words | set(pages.FONTS) <= set(shell)
    # ... and a worker install fails as a whole if one file is missing: each one is served.
    for url in shell:
        assert client.get(url).status_code == 200, url
    # The API is never cached or queued by the worker (an emergency must not pretend).
    assert not any(u.startswith("/api/") for u in shell)
    assert "if (request.method !== 'GET') return;" in worker.text
    assert "url.pathname.startsWith('/api/')" in worker.text


def test_a_changed_shell_file_gives_a_new_cache_name(
    client: TestClient, monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = pages.shell_digest()
    monkeypatch.setattr(pages, "__version__", "0.0.0-other")
    pages.shell_digest.cache_clear()
    try:
        assert pages.shell_digest() != before
    finally:
        monkeypatch.undo()
        pages.shell_digest.cache_clear()
    assert pages.shell_digest() == before


def test_the_manifest_makes_the_app_installable(client: TestClient) -> None:
    answer = client.get("/citizen/manifest.webmanifest")
    assert answer.headers["content-type"].startswith("application/manifest+json")
    manifest: dict[str, Any] = answer.json()
    assert manifest["name"] and manifest["short_name"] and manifest["lang"] == "th"
    assert manifest["display"] == "standalone"
    assert manifest["start_url"].startswith(manifest["scope"]) and manifest["scope"] == "/citizen"
    sizes = {(i["sizes"], i.get("purpose", "any")) for i in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    for icon in manifest["icons"]:
        got = client.get(icon["src"])
        assert got.status_code == 200 and got.headers["content-type"] == icon["type"]
        width, height = (int(n) for n in icon["sizes"].split("x"))
        image = Image.open(APP / "static" / icon["src"].removeprefix("/citizen/static/"))
        assert image.size == (width, height)


def test_the_committed_icons_are_what_the_script_draws(tmp_path: Path) -> None:
    script = runpy.run_path(str(ROOT / "scripts/citizen-icons"))
    script["main"](tmp_path)
    drawn = sorted(p.name for p in tmp_path.glob("*.png"))
    assert drawn == sorted(p.name for p in (APP / "static/icons").glob("*.png"))
    for name in drawn:
        fresh = Image.open(tmp_path / name).convert("RGBA")
        kept = Image.open(APP / "static/icons" / name).convert("RGBA")
        assert fresh.size == kept.size and fresh.tobytes() == kept.tobytes(), name


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
    for url in ("/citizen/static/icons/icon-512.png", pages.FONTS[0]):
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
