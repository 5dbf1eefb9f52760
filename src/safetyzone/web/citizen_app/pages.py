"""The citizen app's pages: one HTML shell for every screen, the service worker and the web
app manifest.

The shell holds no data (the browser asks the public API, with the caller key it generated
for each ticket), so every route here is public. The service worker is served from
``/citizen/sw.js`` with ``Service-Worker-Allowed: /citizen``, so one worker covers the bare
``/citizen`` address as well as ``/citizen/t/{code}``; its cache name is a digest of the shell
files, so a changed file reaches phones on their next visit.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from safetyzone import __version__
from safetyzone.web.deps import ContextDep

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
PREFIX = "/citizen"
STATIC_URL = f"{PREFIX}/static"
SCOPE = PREFIX  # covers /citizen, /citizen/ and /citizen/t/{code}
LANGS = ("th", "en")
LANG_COOKIE = "ssz_lang"  # shared with the console: one language switch per browser
# The Sarabun files the style sheet names: Thai and Latin letters, regular and bold (woff2
# only; every browser that runs service workers reads woff2).
FONTS = tuple(f"/vendor/sarabun/files/sarabun-{script}-{weight}-normal.woff2"
              for weight in (400, 700) for script in ("thai", "latin"))
# Loaded on first use of a map only (js/map.js), then kept by the service worker.
LEAFLET = ("/vendor/leaflet/leaflet.js", "/vendor/leaflet/leaflet.css")
THEME = "#13294b"

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=HERE / "templates")


@cache
def catalog(lang: str) -> dict[str, str]:
    data: dict[str, str] = json.loads((STATIC / "i18n" / f"{lang}.json").read_text("utf-8"))
    return data


@cache
def shell_files() -> tuple[str, ...]:
    """Every URL the app needs to open offline: the page, its scripts, styles, words, icons."""
    own = sorted(f"{STATIC_URL}/{p.relative_to(STATIC).as_posix()}" for p in STATIC.rglob("*")
                 if p.is_file() and p.suffix in {".js", ".css", ".json", ".png"})
    return (PREFIX, f"{PREFIX}/manifest.webmanifest", *own, *FONTS)


@cache
def modules() -> tuple[str, ...]:
    """The app's ES modules, preloaded by the page: one round trip for all, not one per level."""
    return tuple(sorted(f"{STATIC_URL}/js/{p.name}" for p in (STATIC / "js").glob("*.js")))


@cache
def shell_digest() -> str:
    """A digest of the shell's own files and the code version: the service worker's cache name."""
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(p for p in HERE.rglob("*") if p.is_file() and p.suffix != ".pyc"):
        digest.update(path.relative_to(HERE).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _lang(request: Request) -> str:
    asked = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
    return asked if asked in LANGS else "th"


def _shell(request: Request, ctx: ContextDep) -> HTMLResponse:
    lang = _lang(request)
    words = catalog(lang)

    def t(key: str) -> str:
        return words.get(key, key)

    context: dict[str, Any] = {
        "lang": lang, "t": t, "static": STATIC_URL, "theme": THEME, "modules": modules(),
        "tile_url": ctx.settings.tile_url or "",
    }
    response = templates.TemplateResponse(request, "citizen.html", context)
    # The service worker keeps its own copy for offline use; the network copy is always fresh.
    response.headers["Cache-Control"] = "no-cache"
    return response


@router.get(PREFIX, response_class=HTMLResponse)
def read_citizen_page(request: Request, ctx: ContextDep) -> HTMLResponse:
    """The public app: emergency button, report, tip, my tickets, my station, my data."""
    return _shell(request, ctx)


@router.get(f"{PREFIX}/", response_class=RedirectResponse)
def redirect_citizen() -> RedirectResponse:
    return RedirectResponse(PREFIX)


@router.get(f"{PREFIX}/t/{{code}}", response_class=HTMLResponse)
def read_citizen_ticket_page(
    request: Request, ctx: ContextDep, code: str = PathParam(max_length=24),
) -> HTMLResponse:
    """A ticket's live status page; the script reads the code from the address."""
    return _shell(request, ctx)


@router.get(f"{PREFIX}/sw.js")
def read_citizen_service_worker() -> Response:
    """The service worker, with the list of shell files and the cache name written in."""
    code = (HERE / "sw.js").read_text("utf-8")
    code = code.replace('"__CACHE__"', json.dumps(f"ssz-citizen-{shell_digest()}"))
    code = code.replace('"__SHELL__"', json.dumps(list(shell_files())))
    code = code.replace('"__SCOPE__"', json.dumps(SCOPE))
    return Response(code, media_type="text/javascript", headers={
        "Service-Worker-Allowed": SCOPE, "Cache-Control": "no-cache"})


def manifest() -> dict[str, Any]:
    """The web app manifest: Thai name first, installable from Android Chrome and iOS Safari."""
    th = catalog("th")
    icons = [
        {"src": f"{STATIC_URL}/icons/icon-192.png", "sizes": "192x192", "type": "image/png",
         "purpose": "any"},
        {"src": f"{STATIC_URL}/icons/icon-512.png", "sizes": "512x512", "type": "image/png",
         "purpose": "any"},
        {"src": f"{STATIC_URL}/icons/maskable-512.png", "sizes": "512x512", "type": "image/png",
         "purpose": "maskable"},
    ]
    return {
        "id": PREFIX, "name": th["app.title"], "short_name": th["app.short"],
        "description": th["app.subtitle"], "lang": "th", "dir": "ltr",
        "start_url": PREFIX, "scope": SCOPE, "display": "standalone",
        "orientation": "portrait", "background_color": "#ffffff", "theme_color": THEME,
        "categories": ["government", "utilities"], "icons": icons,
    }


@router.get(f"{PREFIX}/manifest.webmanifest")
def read_citizen_manifest() -> Response:
    return Response(json.dumps(manifest(), ensure_ascii=False),
                    media_type="application/manifest+json", headers={"Cache-Control": "no-cache"})


def mount(app: FastAPI) -> None:
    """Serve the app's own files (Leaflet and the font are mounted with the console's)."""
    app.mount(STATIC_URL, StaticFiles(directory=STATIC), name="citizen-static")
