"""ASGI middleware: request body size limit, Prometheus request metrics, the login gate."""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable

from prometheus_client import Counter, Histogram
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from safetyzone.web.problems import problem_response

PICTURE_PATHS = "/api/v1/gateways/lpr/"
PICTURE_LIMIT = 2 * 1024 * 1024
CITIZEN_MEDIA = re.compile(r"^/api/v1/public/tickets/[^/]+/media$")
# Officers' photos from the phone: at an incident, and at a red-box check-in.
OFFICER_MEDIA = re.compile(r"^/api/v1/officer/(incident/photos|checkins/[^/]+/photo)$")
# A camera owner's footage file (or a piece of it), the raw body (web/routes/footage.py).
FOOTAGE_UPLOAD = re.compile(r"^/api/v1/partner/footage-requests/[^/]+/(files|uploads/[^/]+)$")
MULTIPART_OVERHEAD = 16 * 1024  # boundaries and part headers around one file
REQUESTS = Counter("ssz_http_requests_total", "HTTP requests", ["method", "route", "status"])
LATENCY = Histogram("ssz_http_request_seconds", "HTTP request latency", ["method", "route"])


class _TooLarge(HTTPException):
    """Raised while the body streams in; FastAPI re-raises HTTPExceptions from body reads."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body is larger than {limit} bytes")


LOGIN_PATH = "/api/v1/auth/token"


class LoginGate:
    """Answer a login from a blocked address at once: no form parsing, no thread, no routing.

    A flood keeps sending after its 429s; each costs only this check, so the event loop
    stays free for device intake (``benchmarks/login_flood.py``). The account limit needs
    the form, so it stays in the login service; this gate only repeats the address limit.
    """

    def __init__(self, app: ASGIApp, retry_after: Callable[[str], float]) -> None:
        self.app = app
        self.retry_after = retry_after

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == LOGIN_PATH and scope["method"] == "POST":
            client = scope.get("client")
            wait = self.retry_after(client[0] if client else "unknown")
            if wait > 0:
                response = problem_response(
                    429, code="too-many-requests",
                    detail="too many failed logins: wait before trying again",
                    instance=LOGIN_PATH, headers={"Retry-After": str(math.ceil(wait))})
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


class BodyLimit:
    """Refuse bodies over the limit, by header or by counting, before a route sees them.

    Bulk imports (paths ending in ``/import``) get their own, larger limit; a citizen's
    photo or voice upload the largest file allowed plus the multipart framing; a camera
    owner's footage file (a raw body) the footage limit.
    """

    def __init__(self, app: ASGIApp, limit: int, import_limit: int,
                 media_limit: int = 0, footage_limit: int = 0) -> None:
        self.app = app
        self.default_limit = limit
        self.import_limit = import_limit
        self.media_limit = media_limit
        self.footage_limit = footage_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.import_limit if scope["path"].endswith("/import") else self.default_limit
        if scope["path"].startswith(PICTURE_PATHS):  # plate cameras post JPEGs with the read
            limit = max(limit, PICTURE_LIMIT)
        elif self.media_limit and CITIZEN_MEDIA.match(scope["path"]):
            limit = self.media_limit + MULTIPART_OVERHEAD
        elif self.footage_limit and FOOTAGE_UPLOAD.match(scope["path"]):
            limit = self.footage_limit
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._refuse(scope, receive, send, limit)
            return
        seen = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise _TooLarge(limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _TooLarge:
            if not started:
                await self._refuse(scope, receive, send, limit)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        response = problem_response(
            413, code="payload-too-large",
            detail=f"request body is larger than {limit} bytes", instance=scope["path"],
        )
        await response(scope, receive, send)


class Metrics:
    """Count and time requests by route template (not raw path, to bound label cardinality)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            route = scope.get("route")
            name = getattr(route, "path", "unmatched")
            REQUESTS.labels(scope["method"], name, str(status)).inc()
            LATENCY.labels(scope["method"], name).observe(time.perf_counter() - start)
