"""Where a snapshot comes from: one ``SnapshotSource`` per kind of camera address.

* ``http(s)://``: the camera's own JPEG snapshot URL, fetched with a short timeout;
* ``sim://<code>``: a generated picture for the demo's synthetic cameras (clearly marked);
* ``rtsp://`` alone cannot give a still image without a video decoder: refused with a clear
  reason instead of hanging.

Library errors are mapped here, at the one boundary that uses the library (httpx), to
:class:`SnapshotUnavailable`. Its ``detail`` is for the camera's health record (admins);
the browser gets one uniform answer whatever went wrong, so a URL cannot be used to probe
which internal ports are open.

Outbound fetches go only where allowed (``core.outbound``): the host is resolved and checked
right before each fetch, and the connection goes to that checked IP (the ``Host`` header
and TLS server name stay the camera's name), so a DNS answer that changes between check and
connect cannot slip through. Redirects are never followed: a camera that answers 3xx gives
no picture, and the redirect target is never contacted.
"""

from __future__ import annotations

import asyncio
import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import httpx

from safetyzone.core.errors import SafetyZoneError
from safetyzone.core.outbound import AddressRefused, OutboundPolicy, Resolver, ip_literal
from safetyzone.video import sim

TIMEOUT_S = 3.0
MAX_BYTES = 5 * 1024 * 1024


class Unavailable(enum.StrEnum):
    """Why no image came back; the value is the problem code."""

    NO_SNAPSHOT_URL = "no-snapshot-url"
    TIMEOUT = "camera-timeout"
    UNREACHABLE = "camera-unreachable"
    BAD_ANSWER = "camera-bad-answer"
    REFUSED_ADDRESS = "camera-address-refused"


class SnapshotUnavailable(SafetyZoneError):
    """The camera gave no image; ``reason`` says why (a timeout, a refusal, no URL)."""

    def __init__(self, reason: Unavailable, detail: str) -> None:
        super().__init__(detail=detail, code=reason.value)
        self.reason = reason

    @property
    def counts_as_offline(self) -> bool:
        """A camera that cannot be asked (no snapshot URL) is not "offline"."""
        return self.reason is not Unavailable.NO_SNAPSHOT_URL


@dataclass(frozen=True)
class Snapshot:
    content: bytes
    media_type: str


@dataclass(frozen=True)
class StreamAddress:
    """A camera's opened (unsealed) address; never leaves the server."""

    url: str
    username: str | None = None
    password: str | None = None


class SnapshotSource(Protocol):
    async def fetch(self, address: StreamAddress | None, *, code: str, now: datetime
                    ) -> Snapshot: ...


class HttpSnapshotSource:
    """Fetch a JPEG from the camera's HTTP snapshot URL (basic auth when it has credentials).

    Only from an address the policy allows, checked at fetch time and pinned for the
    connection; ``resolve`` is the system resolver unless a test gives its own.
    """

    def __init__(self, client: httpx.AsyncClient, policy: OutboundPolicy,
                 timeout_s: float = TIMEOUT_S, resolve: Resolver | None = None) -> None:
        self._client = client
        self._policy = policy
        self._timeout = timeout_s
        self._resolve = resolve

    async def fetch(self, address: StreamAddress | None, *, code: str, now: datetime
                    ) -> Snapshot:
        if address is None:
            raise SnapshotUnavailable(Unavailable.NO_SNAPSHOT_URL,
                                      "no snapshot URL for this camera")
        auth = (httpx.BasicAuth(address.username, address.password or "")
                if address.username else None)
        try:
            async with asyncio.timeout(self._timeout):  # resolving and fetching, together
                request = await self._pinned_request(address.url)
                response = await self._client.send(request, auth=auth, follow_redirects=False)
        except (TimeoutError, httpx.TimeoutException) as err:
            raise SnapshotUnavailable(
                Unavailable.TIMEOUT, f"camera {code} did not answer within {self._timeout:g} s"
            ) from err
        except AddressRefused as err:
            raise SnapshotUnavailable(Unavailable.REFUSED_ADDRESS,
                                      f"camera {code}: {err.detail}") from err
        except (httpx.HTTPError, httpx.InvalidURL, OSError) as err:
            raise SnapshotUnavailable(
                Unavailable.UNREACHABLE, f"camera {code} cannot be reached ({type(err).__name__})"
            ) from err
        media_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
        if response.status_code != 200:
            raise SnapshotUnavailable(
                Unavailable.BAD_ANSWER, f"camera {code} answered HTTP {response.status_code}")
        if not media_type.startswith("image/") or not response.content:
            raise SnapshotUnavailable(
                Unavailable.BAD_ANSWER, f"camera {code} answered something that is not an image")
        if len(response.content) > MAX_BYTES:
            raise SnapshotUnavailable(Unavailable.BAD_ANSWER, f"camera {code}: image too large")
        return Snapshot(response.content, media_type)

    async def _pinned_request(self, raw_url: str) -> httpx.Request:
        """The request to the checked IP of the camera's host, naming the host in ``Host``."""
        try:
            url = httpx.URL(raw_url)
        except httpx.InvalidURL as err:  # e.g. 0177.0.0.1: httpx will not guess either
            raise AddressRefused("refused: the address is not a valid URL") from err
        if url.scheme not in {"http", "https"} or url.userinfo or not url.host:
            raise AddressRefused("refused: only plain http(s)://host addresses are fetched")
        port = url.port or (443 if url.scheme == "https" else 80)
        ip = await self._policy.pin(url.host, port, self._resolve)
        extensions: dict[str, object] = {}
        if url.scheme == "https" and ip_literal(url.host) is None:
            extensions["sni_hostname"] = url.host  # the certificate names the host, not the IP
        return self._client.build_request(
            "GET", url.copy_with(host=str(ip)), headers={"Host": url.netloc.decode("ascii")},
            timeout=self._timeout, extensions=extensions)


class SimSnapshotSource:
    """Render the demo's simulated camera picture (CPU work: off the event loop)."""

    async def fetch(self, address: StreamAddress | None, *, code: str, now: datetime
                    ) -> Snapshot:
        content = await asyncio.to_thread(sim.render, code=code, now=now)
        return Snapshot(content, "image/jpeg")


class NoSnapshotSource:
    """RTSP and anything else without a still-image URL."""

    async def fetch(self, address: StreamAddress | None, *, code: str, now: datetime
                    ) -> Snapshot:
        raise SnapshotUnavailable(Unavailable.NO_SNAPSHOT_URL,
                                  "no snapshot URL for this camera")


@dataclass
class Sources:
    http: SnapshotSource
    sim: SnapshotSource
    none: SnapshotSource

    def for_address(self, address: StreamAddress | None) -> SnapshotSource:
        if address is None:
            return self.none
        scheme = address.url.split(":", 1)[0].lower()
        if scheme in {"http", "https"}:
            return self.http
        if scheme == "sim":
            return self.sim
        return self.none
