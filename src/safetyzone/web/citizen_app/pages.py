"""The citizen app's pages: one HTML shell for every screen, the service worker and the web
app manifest (built by ``web/pwa``, which the officer app shares).

The shell holds no data (the browser asks the public API, with the caller key it generated
for each ticket), so every route here is public. One worker covers the bare ``/citizen``
address as well as ``/citizen/t/{code}``.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from safetyzone.web.deps import ContextDep
from safetyzone.web.pwa import PhoneApp

# The map library joins the worker's cache the first time a map is shown.
APP = PhoneApp("citizen", Path(__file__).resolve().parent, theme="#13294b",
               keep_on_use=("/vendor/leaflet/",))
PREFIX = APP.prefix
STATIC_URL = APP.static_url
LEAFLET = ("/vendor/leaflet/leaflet.js", "/vendor/leaflet/leaflet.css")

router = APIRouter(include_in_schema=False)


@router.get(PREFIX, response_class=HTMLResponse)
def read_citizen_page(request: Request, ctx: ContextDep) -> HTMLResponse:
    """The public app: emergency button, report, tip, my tickets, my station, my data, and the
    station services (#lostdoc, #homewatch, #consult; LINE sends ?station=CODE#lostdoc)."""
    return APP.page(request, ctx)


@router.get(f"{PREFIX}/", response_class=RedirectResponse)
def redirect_citizen() -> RedirectResponse:
    return RedirectResponse(PREFIX)


@router.get(f"{PREFIX}/t/{{code}}", response_class=HTMLResponse)
def read_citizen_ticket_page(
    request: Request, ctx: ContextDep, code: str = PathParam(max_length=24),
) -> HTMLResponse:
    """A ticket's live status page, or a station service request's (lost documents,
    home watch, consultation: L-, H-, C- codes); the script reads the code from the address."""
    return APP.page(request, ctx)


@router.get(f"{PREFIX}/poll", response_class=HTMLResponse)
def read_citizen_polls_page(request: Request, ctx: ContextDep) -> HTMLResponse:
    """The station's open People Polls (``?station=CODE``; LINE adds the user's ``k``)."""
    return APP.page(request, ctx)


@router.get(f"{PREFIX}/poll/{{code}}", response_class=HTMLResponse)
def read_citizen_poll_page(
    request: Request, ctx: ContextDep, code: str = PathParam(max_length=24),
) -> HTMLResponse:
    """A People Poll to answer (the link and the QR on posters); the script reads the code."""
    return APP.page(request, ctx)


@router.get(f"{PREFIX}/sw.js")
def read_citizen_service_worker() -> Response:
    return APP.service_worker()


@router.get(f"{PREFIX}/manifest.webmanifest")
def read_citizen_manifest() -> Response:
    return APP.manifest_response()


def mount(app: FastAPI) -> None:
    APP.mount(app)
