"""The console's HTML pages. They hold no data (the browser fetches it from the API with the
user's token), so they take no scope; their words come from the message catalogs."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from safetyzone import __version__
from safetyzone.web.console.assets import HERE, STATIC
from safetyzone.web.deps import ContextDep
from safetyzone.web.routes import basemap

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=HERE / "templates")
LANGS = ("th", "en")
LANG_COOKIE = "ssz_lang"


@cache
def catalog(lang: str) -> dict[str, str]:
    data: dict[str, str] = json.loads((STATIC / "i18n" / f"{lang}.json").read_text("utf-8"))
    return data


def _lang(request: Request) -> str:
    asked = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
    return asked if asked in LANGS else "th"


def _page(request: Request, ctx: ContextDep, name: str) -> HTMLResponse:
    lang = _lang(request)
    words = catalog(lang)

    def t(key: str) -> str:
        return words.get(key, key)

    context: dict[str, Any] = {
        "lang": lang, "t": t, "version": __version__,
        "tile_url": ctx.settings.tile_url or "",
        # The street map file the app serves itself (routes/basemap.py); wins over tile_url.
        "basemap_url": basemap.PATH if ctx.settings.tiles_file else "",
        # The browser tests' hooks (console/testing/hooks.js): only a test server loads them.
        "test_hooks": ctx.settings.environment == "test",
    }
    response = templates.TemplateResponse(request, name, context)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/console", response_class=HTMLResponse)
def read_console_page(request: Request, ctx: ContextDep) -> HTMLResponse:
    """The operator console: map, alert queue, incident panel, camera wall, station panel."""
    return _page(request, ctx, "console.html")


@router.get("/login", response_class=HTMLResponse)
def read_login_page(request: Request, ctx: ContextDep) -> HTMLResponse:
    return _page(request, ctx, "login.html")


@router.get("/console/", response_class=RedirectResponse)
def redirect_console(request: Request) -> RedirectResponse:
    return RedirectResponse("/console")
