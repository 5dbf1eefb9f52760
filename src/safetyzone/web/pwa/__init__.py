"""What the two phone apps share: the citizen app (``/citizen``) and the officer app
(``/officer``) are each one HTML shell, a service worker and a web app manifest, built here
from the same parts so that a fix to one (the offline shell, the safe DOM builder, the Thai
dates) reaches both.

The shared files are served once, from ``/pwa/static``; each app's service worker keeps them
with its own shell (a worker answers every request its pages make, whatever the path). The
worker's cache name is a digest of the app's files and these, so a change to either reaches
phones on their next visit.
"""

from __future__ import annotations

import hashlib
import json
from functools import cached_property
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, FileSystemLoader

from safetyzone import __version__
from safetyzone.web.context import AppContext

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
STATIC_URL = "/pwa/static"
LANGS = ("th", "en")
LANG_COOKIE = "ssz_lang"  # shared with the console: one language switch per browser
# The Sarabun files base.css names: Thai and Latin letters, regular and bold (woff2 only;
# every browser that runs service workers reads woff2).
FONTS = tuple(f"/vendor/sarabun/files/sarabun-{script}-{weight}-normal.woff2"
              for weight in (400, 700) for script in ("thai", "latin"))
SHELL_SUFFIXES = {".js", ".css", ".json", ".png"}


def _files(root: Path, url: str) -> list[str]:
    return sorted(f"{url}/{p.relative_to(root).as_posix()}" for p in root.rglob("*")
                  if p.is_file() and p.suffix in SHELL_SUFFIXES)


def _modules(root: Path, url: str) -> list[str]:
    """ES modules of a page; a worker script (``*-worker.js``) starts on its own."""
    return sorted(f"{url}/js/{p.name}" for p in (root / "js").glob("*.js")
                  if not p.name.endswith("-worker.js"))


class PhoneApp:
    """One phone app: its shell page, service worker and manifest, in Thai first.

    ``keep_on_use`` names the vendor paths the worker keeps once the app first loads them
    (the map library, the QR scanner): not in the shell, so the first screen does not wait.
    """

    def __init__(self, name: str, here: Path, *, theme: str,
                 keep_on_use: tuple[str, ...] = ()) -> None:
        self.name = name
        self.here = here
        self.static = here / "static"
        self.prefix = f"/{name}"
        self.static_url = f"{self.prefix}/static"
        self.theme = theme
        self.keep_on_use = keep_on_use
        self.templates = Jinja2Templates(directory=here / "templates")
        self.templates.env.loader = ChoiceLoader([
            FileSystemLoader(here / "templates"), FileSystemLoader(HERE / "templates")])

    def catalog(self, lang: str) -> dict[str, str]:
        return self._catalogs[lang]

    @cached_property
    def _catalogs(self) -> dict[str, dict[str, str]]:
        return {lang: json.loads((self.static / "i18n" / f"{lang}.json").read_text("utf-8"))
                for lang in LANGS}

    @cached_property
    def shell_files(self) -> tuple[str, ...]:
        """Every URL the app needs to open offline: the page, its scripts, styles, words,
        icons, the shared files and the font."""
        return (self.prefix, f"{self.prefix}/manifest.webmanifest",
                *_files(self.static, self.static_url), *_files(STATIC, STATIC_URL), *FONTS)

    @cached_property
    def modules(self) -> tuple[str, ...]:
        """The page's ES modules, preloaded: one round trip for all, not one per import level."""
        return (*_modules(STATIC, STATIC_URL), *_modules(self.static, self.static_url))

    @cached_property
    def shell_digest(self) -> str:
        """A digest of the app's files, the shared ones and the code version: the service
        worker's cache name."""
        digest = hashlib.sha256(__version__.encode())
        for root in (self.here, HERE):
            for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix != ".pyc"):
                digest.update(path.relative_to(root).as_posix().encode())
                digest.update(path.read_bytes())
        return digest.hexdigest()[:16]

    def lang(self, request: Request) -> str:
        asked = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
        return asked if asked in LANGS else "th"

    def page(self, request: Request, ctx: AppContext) -> HTMLResponse:
        """The shell in the caller's language (it holds no data: the scripts ask the API)."""
        lang = self.lang(request)
        words = self.catalog(lang)

        def t(key: str) -> str:
            return words.get(key, key)

        context: dict[str, Any] = {
            "lang": lang, "t": t, "static": self.static_url, "pwa": STATIC_URL,
            "prefix": self.prefix, "theme": self.theme, "modules": self.modules,
            "tile_url": ctx.settings.tile_url or "",
        }
        response = self.templates.TemplateResponse(request, f"{self.name}.html", context)
        # The service worker keeps its own copy for offline use; the network copy is fresh.
        response.headers["Cache-Control"] = "no-cache"
        return response

    def service_worker(self) -> Response:
        """The shared worker, with this app's shell, cache name and scope written in; served
        with ``Service-Worker-Allowed`` so one worker covers every page under the prefix."""
        code = (HERE / "sw.js").read_text("utf-8")
        for name, value in (("__CACHE__", f"ssz-{self.name}-{self.shell_digest}"),
                            ("__CACHE_FAMILY__", f"ssz-{self.name}-"),
                            ("__SHELL__", list(self.shell_files)),
                            ("__SCOPE__", self.prefix),
                            ("__KEEP_ON_USE__", list(self.keep_on_use))):
            code = code.replace(f'"{name}"', json.dumps(value))
        return Response(code, media_type="text/javascript", headers={
            "Service-Worker-Allowed": self.prefix, "Cache-Control": "no-cache"})

    def manifest(self) -> dict[str, Any]:
        """The web app manifest: Thai name first, installable from Android Chrome and iOS
        Safari."""
        th = self.catalog("th")
        icons = [
            {"src": f"{self.static_url}/icons/icon-192.png", "sizes": "192x192",
             "type": "image/png", "purpose": "any"},
            {"src": f"{self.static_url}/icons/icon-512.png", "sizes": "512x512",
             "type": "image/png", "purpose": "any"},
            {"src": f"{self.static_url}/icons/maskable-512.png", "sizes": "512x512",
             "type": "image/png", "purpose": "maskable"},
        ]
        return {
            "id": self.prefix, "name": th["app.title"], "short_name": th["app.short"],
            "description": th["app.subtitle"], "lang": "th", "dir": "ltr",
            "start_url": self.prefix, "scope": self.prefix, "display": "standalone",
            "orientation": "portrait", "background_color": "#ffffff", "theme_color": self.theme,
            "categories": ["government", "utilities"], "icons": icons,
        }

    def manifest_response(self) -> Response:
        return Response(json.dumps(self.manifest(), ensure_ascii=False),
                        media_type="application/manifest+json",
                        headers={"Cache-Control": "no-cache"})

    def mount(self, app: FastAPI) -> None:
        """Serve the app's own files (Leaflet, the font and jsQR are mounted with the
        console's; the shared files by :func:`mount_shared`)."""
        app.mount(self.static_url, StaticFiles(directory=self.static),
                  name=f"{self.name}-static")


def mount_shared(app: FastAPI) -> None:
    """Serve the files both apps use, once."""
    app.mount(STATIC_URL, StaticFiles(directory=STATIC), name="pwa-static")
