"""What the phone apps (``/citizen``, ``/officer`` and ``/partner``, built by ``web/pwa``) must
hold: every file the page names is served, both catalogs hold the same words and every word
used, no inline code or HTML sinks (strict CSP), a service worker that keeps the shell and
never the API, a cache name that follows the files, and a valid manifest with the icons its
script draws. What is particular to one app is in test_citizen_app.py and test_officer_app.py."""

from __future__ import annotations

import json
import re
import runpy
import shutil
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from safetyzone.web import pwa
from safetyzone.web.citizen_app import pages as citizen_pages
from safetyzone.web.officer_app import pages as officer_pages
from safetyzone.web.partner_app import pages as partner_pages

ROOT = Path(__file__).resolve().parents[2]
SHARED_JS = sorted((pwa.STATIC / "js").glob("*.js"))


@dataclass(frozen=True)
class Spec:
    app: pwa.PhoneApp
    lazy: tuple[str, ...]  # loaded on first use, not in the shell
    keys_from_data: set[str] = field(default_factory=set)  # catalog keys built from API values

    @property
    def js(self) -> list[Path]:
        return sorted((self.app.static / "js").glob("*.js"))

    @property
    def template(self) -> Path:
        return self.app.here / "templates" / f"{self.app.name}.html"


def _keys(prefix: str, *names: str) -> set[str]:
    return {f"{prefix}.{n}" for n in names}


CITIZEN = Spec(citizen_pages.APP, citizen_pages.LEAFLET, (
    _keys("status", "new", "acknowledged", "dispatched", "on_scene", "in_progress", "closed",
          "info_requested", "merged")
    | _keys("kind", "emergency", "report", "tip", "lostdoc", "homewatch", "consult")
    | _keys("post", "police_box", "volunteer_post", "station")
    | _keys("lostdoc.status", "pending", "issued", "revoked")
    | _keys("lostdoc.status", "pending.hint", "issued.hint", "revoked.hint")
    | _keys("homewatch.status", "pending", "approved", "declined", "cancelled", "closed")
    | _keys("homewatch.finding", "normal", "problem")
    | _keys("consult.status", "booked", "cancelled_by_citizen", "cancelled_by_station", "held",
            "no_show")
    | _keys("lostdoc.detail", "other") | {"lostdoc.detail"}
    | _keys("service.station", "change", "find")
    | _keys("homewatch.visits", "none", "after")
    | _keys("field", "national_id", "lost_on", "address", "away_from", "away_until", "slot_id")))
OFFICER = Spec(officer_pages.APP, (*officer_pages.LEAFLET, officer_pages.JSQR), (
    _keys("unit", "off_duty", "available", "dispatched", "en_route", "on_scene", "unavailable")
    | _keys("status", "en_route", "on_scene", "cleared", "available")
    | _keys("state", "new", "acknowledged", "dispatched", "en_route", "on_scene", "cleared",
            "closed")
    | _keys("kind", "car", "motorcycle", "foot", "volunteer")
    | _keys("checkin.reason", "forged", "expired", "too_far", "poor_accuracy", "off_shift",
            "replayed", "repeat", "stale")
    | _keys("plan.state", "visited", "pending", "missed")
    | _keys("plan.kind", "red_box", "risk_spot", "point", "home_watch")
    | _keys("checkpoint.status", "planned", "active", "done", "cancelled")
    | _keys("outbox.kind", "status", "note", "photo", "checkin", "checkpoint", "positions", "sos",
            "checkin_photo")
    | _keys("checkin.photo", "waiting", "sent")))
PARTNER = Spec(partner_pages.APP, (), (
    _keys("status", "open", "accepted", "in_progress", "done", "verified", "rejected",
          "cancelled")
    | _keys("kind", "street_light", "camera", "sos_point", "abandoned_plot", "other")
    | _keys("action", "accept", "reject", "start", "done")
    | _keys("toast", "accept", "reject", "start", "done")
    | _keys("answer.reject", "title", "label", "ok")
    | _keys("answer.done", "title", "label", "ok")))
APPS = pytest.mark.parametrize("spec", [CITIZEN, OFFICER, PARTNER],
                               ids=["citizen", "officer", "partner"])


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


@APPS
def test_every_file_the_page_names_is_served(client: TestClient, spec: Spec) -> None:
    app = spec.app
    page = client.get(app.prefix)
    assert page.headers["cache-control"] == "no-cache"
    urls = refs(page.text)
    assert f"{app.prefix}/manifest.webmanifest" in urls
    assert {f"{app.static_url}/js/app.js", f"{app.static_url}/{app.name}.css",
            f"{pwa.STATIC_URL}/base.css"} <= set(urls)
    # Every page module is preloaded (a slow link pays one round trip); a worker is not.
    modules = {f"{app.static_url}/js/{p.name}" for p in spec.js
               if not p.name.endswith("-worker.js")}
    assert modules | {f"{pwa.STATIC_URL}/js/{p.name}" for p in SHARED_JS} <= set(urls)
    assert not any(u.endswith("-worker.js") for u in urls)
    for url in urls:
        assert client.get(url).status_code == 200, url
    fonts = re.findall(r"url\(([^)]+)\)", client.get(f"{pwa.STATIC_URL}/base.css").text)
    assert len(fonts) == 4 and set(fonts) == set(pwa.FONTS)
    for font in fonts:
        assert client.get(font).content[:4] == b"wOF2"
    for url in spec.lazy:
        assert client.get(url).status_code == 200, url


@APPS
def test_both_catalogs_hold_the_same_words_and_every_word_used(
    client: TestClient, spec: Spec,
) -> None:
    th = client.get(f"{spec.app.static_url}/i18n/th.json").json()
    en = client.get(f"{spec.app.static_url}/i18n/en.json").json()
    assert set(th) == set(en)
    assert all(value.strip() for value in [*th.values(), *en.values()])
    assert all(set(re.findall(r"\{(\w+)\}", th[k])) == set(re.findall(r"\{(\w+)\}", en[k]))
               for k in th), "a placeholder is missing in one language"
    template = spec.template.read_text("utf-8")
    used = set(re.findall(r"data-i18n(?:-[a-z-]+)?=\"([\w.-]+)\"", template))
    used |= set(re.findall(r"t\('([\w.-]+)'\)", template))
    used |= set(re.findall(r"t\('([\w.-]+)'\)", (pwa.HERE / "templates/pwa.html").read_text()))
    for script in [*spec.js, *SHARED_JS]:
        used |= set(re.findall(r"\bt\('([\w.-]+)'", script.read_text("utf-8")))
    used |= spec.keys_from_data
    assert used - set(th) == set()
    assert len(th["date.months"].split(",")) == len(en["date.months"].split(",")) == 12


@APPS
def test_no_inline_code_and_no_html_sinks(spec: Spec) -> None:
    """A strict CSP only works with no inline script, style or handler; data is text."""
    for template in (spec.template, pwa.HERE / "templates/pwa.html"):
        text = template.read_text("utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text)
        assert not re.search(r"\sstyle=|<style|\son[a-z]+=", text)
    for script in [*spec.js, *SHARED_JS, pwa.HERE / "sw.js"]:
        code = script.read_text("utf-8")
        for sink in (r"\.innerHTML\b", r"\.outerHTML\b", r"insertAdjacentHTML", r"document\.write",
                     r"\beval\(", r"new Function", r"setTimeout\(\s*['\"`]"):
            assert not re.search(sink, code), f"{script.name} uses {sink}"
        assert not re.search(r"bind(Popup|Tooltip)\(\s*[`'\"]", code), script.name
        assert not re.search(r"https?://", code), f"{script.name} names another origin"


@APPS
def test_every_answer_carries_the_strict_policy(client: TestClient, spec: Spec) -> None:
    app = spec.app
    for url in (app.prefix, f"{app.prefix}/sw.js", f"{app.prefix}/manifest.webmanifest",
                f"{app.static_url}/js/app.js", f"{pwa.STATIC_URL}/js/dom.js", *spec.lazy):
        policy = client.get(url).headers["content-security-policy"]
        assert "script-src 'self';" in policy and "style-src 'self';" in policy, url
        assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy


def worker_shell(code: str) -> list[str]:
    found = re.search(r"const SHELL = (\[.*?\]);", code)
    assert found, "the shell list was not written into the worker"
    shell: list[str] = json.loads(found.group(1))
    return shell


@APPS
def test_the_service_worker_keeps_the_shell_and_never_the_api(
    client: TestClient, spec: Spec,
) -> None:
    app = spec.app
    worker = client.get(f"{app.prefix}/sw.js")
    assert worker.status_code == 200
    assert worker.headers["content-type"].startswith("text/javascript")
    assert worker.headers["service-worker-allowed"] == app.prefix
    assert worker.headers["cache-control"] == "no-cache"  # a new version is seen at once
    assert "__" not in re.sub(r"//.*", "", worker.text)  # every placeholder filled in
    assert re.search(rf'const CACHE = "ssz-{app.name}-[0-9a-f]{{16}}";', worker.text)
    assert f'const SCOPE = "{app.prefix}";' in worker.text
    kept = re.search(r"const KEEP_ON_USE = (\[.*?\]);", worker.text)
    assert kept, "the libraries kept on use were not written into the worker"
    keep = json.loads(kept.group(1))
    assert all(any(url.startswith(k) for k in keep) for url in spec.lazy)
    shell = worker_shell(worker.text)
    assert shell[0] == app.prefix
    # The page, every script, style, catalog, icon and font: the app opens offline ...
    assert set(refs(client.get(app.prefix).text)) <= set(shell)
    words = {f"{app.static_url}/i18n/th.json", f"{app.static_url}/i18n/en.json"}
    assert words | set(pwa.FONTS) <= set(shell)
    assert {f"{app.static_url}/js/{p.name}" for p in spec.js} <= set(shell)
    # ... and a worker install fails as a whole if one file is missing: each one is served.
    for url in shell:
        assert client.get(url).status_code == 200, url
    # The API is never cached or queued by the worker.
    assert not any(u.startswith("/api/") for u in shell)
    assert "if (request.method !== 'GET') return;" in worker.text
    assert "url.pathname.startsWith('/api/')" in worker.text
    assert "sync" not in worker.text.replace("async", "")  # no background-sync queue either


@APPS
def test_a_changed_file_gives_a_new_cache_name(spec: Spec, tmp_path: Path) -> None:
    """A change to the app's files, the shared files or the code version reaches phones."""
    app = spec.app
    before = app.shell_digest
    shadow = pwa.PhoneApp(app.name, app.here, theme=app.theme)
    assert shadow.shell_digest == before
    copy = tmp_path / app.name
    shutil.copytree(app.here, copy, ignore=shutil.ignore_patterns("__pycache__"))
    assert pwa.PhoneApp(app.name, copy, theme=app.theme).shell_digest == before
    (copy / "static" / f"{app.name}.css").write_text("/* changed */", "utf-8")
    assert pwa.PhoneApp(app.name, copy, theme=app.theme).shell_digest != before


@APPS
def test_the_manifest_makes_the_app_installable(client: TestClient, spec: Spec) -> None:
    app = spec.app
    answer = client.get(f"{app.prefix}/manifest.webmanifest")
    assert answer.headers["content-type"].startswith("application/manifest+json")
    manifest: dict[str, Any] = answer.json()
    assert manifest["name"] and manifest["short_name"] and manifest["lang"] == "th"
    assert manifest["display"] == "standalone" and manifest["theme_color"] == app.theme
    assert manifest["start_url"] == manifest["scope"] == app.prefix
    sizes = {(i["sizes"], i.get("purpose", "any")) for i in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    for icon in manifest["icons"]:
        got = client.get(icon["src"])
        assert got.status_code == 200 and got.headers["content-type"] == icon["type"]
        width, height = (int(n) for n in icon["sizes"].split("x"))
        image = Image.open(app.static / icon["src"].removeprefix(f"{app.static_url}/"))
        assert image.size == (width, height)


@APPS
def test_the_committed_icons_are_what_the_script_draws(spec: Spec, tmp_path: Path) -> None:
    script = runpy.run_path(str(ROOT / f"scripts/{spec.app.name}-icons"))
    script["main"](tmp_path)
    icons = spec.app.static / "icons"
    drawn = sorted(p.name for p in tmp_path.glob("*.png"))
    assert drawn == sorted(p.name for p in icons.glob("*.png"))
    for name in drawn:
        fresh = Image.open(tmp_path / name).convert("RGBA")
        kept = Image.open(icons / name).convert("RGBA")
        assert fresh.size == kept.size and fresh.tobytes() == kept.tobytes(), name
