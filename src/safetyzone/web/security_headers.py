"""Browser security headers on every HTTP response (console pages, API, docs, static files).

The console shows text typed by partners and admins (asset, camera and zone names, notes).
The scripts build that text as DOM text nodes, never as HTML; the Content-Security-Policy is
the second wall: even if a bug let markup through, the browser would run no script that is
not a file served by this app (no inline script, no ``eval``, no other origin), load no
plugin, and refuse to be framed. Styles follow the same rule: style sheets are files from
this app; styles set from script through the CSSOM (Leaflet's ``element.style``) are not
inline markup and stay allowed.

Pictures and sound the console fetched with the user's token (a citizen's photos and voice
note, camera snapshots) are shown from ``blob:`` URLs the page made itself, so ``img-src``
and ``media-src`` admit ``blob:``; no other origin.

``connect-src 'self'`` also covers the live feed's ``ws:``/``wss:`` to this host (CSP level
3), so no host name taken from the request ever goes into a header.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = "Content-Security-Policy"
FIXED = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",  # for browsers older than frame-ancestors
    "Cross-Origin-Opener-Policy": "same-origin",
}
_PLACEHOLDER = re.compile(r"\{[^}]*\}")


def tile_source(tile_url: str | None) -> str | None:
    """The CSP source of the configured map tiles: scheme and host of the URL template.

    A ``{s}`` subdomain placeholder becomes a ``*.`` wildcard; anything that is not an
    http(s) URL with a plain host gives no source (the tiles then stay blocked, which shows
    as a plain map background, not as a hole in the policy).
    """
    if not tile_url:
        return None
    parts = urlsplit(tile_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    host = parts.netloc.rsplit("@", 1)[-1]  # never copy credentials into a header
    labels = host.split(".")
    if labels and _PLACEHOLDER.fullmatch(labels[0]):
        labels[0] = "*"
    host = ".".join(labels)
    if not re.fullmatch(r"(\*\.)?[A-Za-z0-9.-]+(:\d+)?", host):
        return None
    return f"{parts.scheme}://{host}"


def content_security_policy(tile_url: str | None = None, *,
                            style_hashes: tuple[str, ...] = (), blob_workers: bool = False) -> str:
    """The policy every response carries.

    For one page only (``/redoc``, see ``web/apidocs.py``): ``style_hashes`` admit
    ``<style>`` elements with exactly that content, and ``blob_workers`` lets the page's own
    script start a worker from a ``blob:`` it made (ReDoc's search index).
    """
    images = "'self' data: blob:"
    tiles = tile_source(tile_url)
    if tiles:
        images += f" {tiles}"
    directives = {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": " ".join(("'self'", *(f"'{h}'" for h in style_hashes))),
        "img-src": images,
        "media-src": "'self' blob:",
        "connect-src": "'self'",
        "font-src": "'self'",
        "worker-src": "'self' blob:" if blob_workers else "'self'",
        "object-src": "'none'",
        "base-uri": "'none'",
        "frame-ancestors": "'none'",
        "form-action": "'self'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


class SecurityHeaders:
    """Add the policy and the fixed headers to every HTTP response that lacks them.

    A route that needs a different policy sets its own header and keeps it (set-default):
    only ``/redoc`` does, to admit ReDoc's own style elements by hash (see ``web/apidocs.py``).
    """

    def __init__(self, app: ASGIApp, tile_url: str | None = None) -> None:
        self.app = app
        self.headers = {CSP: content_security_policy(tile_url), **FIXED}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, with_headers)
