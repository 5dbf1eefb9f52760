"""The officer app's pages: one HTML shell for every screen, the service worker and the web
app manifest (built by ``web/pwa``, which the citizen app shares).

The shell holds no data (the browser logs in and asks the officer API with its own token),
so every route here is public. The worker keeps the shell only: the app's own outbox
(``static/js/outbox.js``) decides what is sent again, with the key it made when the officer
acted.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from safetyzone.web.deps import ContextDep
from safetyzone.web.pwa import PhoneApp

# The map and the QR scanner's library join the worker's cache when first used.
APP = PhoneApp("officer", Path(__file__).resolve().parent, theme="#0b2545",
               keep_on_use=("/vendor/leaflet/", "/vendor/jsqr/"))
PREFIX = APP.prefix
STATIC_URL = APP.static_url
LEAFLET = ("/vendor/leaflet/leaflet.js", "/vendor/leaflet/leaflet.css")
JSQR = "/vendor/jsqr/jsQR.js"

router = APIRouter(include_in_schema=False)


@router.get(PREFIX, response_class=HTMLResponse)
def read_officer_page(request: Request, ctx: ContextDep) -> HTMLResponse:
    """The officer's phone app: login, shift, status, incident, SOS, check-in, plan, home
    watch; a volunteer's post desk."""
    return APP.page(request, ctx)


@router.get(f"{PREFIX}/", response_class=RedirectResponse)
def redirect_officer() -> RedirectResponse:
    return RedirectResponse(PREFIX)


@router.get(f"{PREFIX}/sw.js")
def read_officer_service_worker() -> Response:
    return APP.service_worker()


@router.get(f"{PREFIX}/manifest.webmanifest")
def read_officer_manifest() -> Response:
    return APP.manifest_response()


def mount(app: FastAPI) -> None:
    APP.mount(app)
