"""The API's own documentation pages, ``/docs`` (Swagger UI) and ``/redoc`` (ReDoc).

FastAPI's defaults load both from a CDN, so on a station's closed network the pages were
blank, and their inline start-up script would need ``script-src 'unsafe-inline'``. Here the
bundles come from npm (``swagger-ui-dist``, ``redoc``; mounted by ``console.assets``) and
Swagger UI starts from a script file, so the pages run under the same strict
Content-Security-Policy as the console.
"""

from __future__ import annotations

from html import escape

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from safetyzone import __version__
from safetyzone.web.security_headers import CSP, content_security_policy

router = APIRouter(include_in_schema=False)
SWAGGER = "/vendor/swagger-ui"
REDOC = "/vendor/redoc"
# The <style> elements ReDoc writes itself, by the hash of their content: an empty one that
# styled-components then fills through the CSSOM, and its one fixed style sheet.
REDOC_STYLES = ("sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
                "sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc=")


def _page(title: str, head: str, body: str) -> HTMLResponse:
    return HTMLResponse(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<link rel=\"icon\" href=\"data:,\">\n<title>{escape(title)}</title>\n{head}</head>\n"
        f"<body>\n{body}</body>\n</html>\n")


def _schema_url(request: Request) -> str:
    return str(request.app.openapi_url or "/openapi.json")


@router.get("/docs", response_class=HTMLResponse)
def read_swagger_ui(request: Request) -> HTMLResponse:
    """Swagger UI on the app's OpenAPI schema; "Authorize" takes a login (password flow)."""
    title = f"{request.app.title} - Swagger UI"
    return _page(
        title,
        f"<link rel=\"stylesheet\" href=\"{SWAGGER}/swagger-ui.css\">\n",
        f"<div id=\"swagger-ui\" data-openapi-url=\"{escape(_schema_url(request))}\"></div>\n"
        f"<script src=\"{SWAGGER}/swagger-ui-bundle.js\"></script>\n"
        f"<script src=\"/console/static/docs/swagger-init.js?v={__version__}\"></script>\n")


@router.get("/redoc", response_class=HTMLResponse)
def read_redoc(request: Request) -> HTMLResponse:
    """ReDoc on the app's OpenAPI schema (the ``redoc`` element starts itself).

    ReDoc (styled-components) writes its styles into ``<style>`` elements it creates, which
    ``style-src 'self'`` blocks, and then fails to draw; its search index runs in a worker
    made from a ``blob:``. This page alone admits those two style elements by hash and blob
    workers; scripts stay ``'self'`` only, no ``unsafe-inline``, no eval. (ReDoc's footer logo
    from cdn.redoc.ly stays blocked and hides itself.)
    """
    title = f"{request.app.title} - ReDoc"
    response = _page(
        title, "",
        f"<redoc spec-url=\"{escape(_schema_url(request))}\"></redoc>\n"
        f"<script src=\"{REDOC}/redoc.standalone.js\"></script>\n")
    response.headers[CSP] = content_security_policy(style_hashes=REDOC_STYLES, blob_workers=True)
    return response
