"""The partner's pages: one HTML shell (its work orders, answered from a phone in the field),
the service worker and the web app manifest, built by ``web/pwa`` like the officer app's.

The shell holds no data: the browser logs in with the same token route as the console and
the officer app, and reads ``/api/v1/partner/workorders`` with its own token, so every route
here is public.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from safetyzone.web.deps import ContextDep
from safetyzone.web.pwa import PhoneApp

APP = PhoneApp("partner", Path(__file__).resolve().parent, theme="#1d4d2b")
PREFIX = APP.prefix

router = APIRouter(include_in_schema=False)


@router.get(PREFIX, response_class=HTMLResponse)
def read_partner_page(request: Request, ctx: ContextDep) -> HTMLResponse:
    """The partner's phone page: login, its work orders, accept, refuse, in progress, done."""
    return APP.page(request, ctx)


@router.get(f"{PREFIX}/", response_class=RedirectResponse)
def redirect_partner() -> RedirectResponse:
    return RedirectResponse(PREFIX)


@router.get(f"{PREFIX}/sw.js")
def read_partner_service_worker() -> Response:
    return APP.service_worker()


@router.get(f"{PREFIX}/manifest.webmanifest")
def read_partner_manifest() -> Response:
    return APP.manifest_response()


def mount(app: FastAPI) -> None:
    APP.mount(app)
