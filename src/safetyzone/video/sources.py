"""Where a snapshot comes from: one ``SnapshotSource`` per kind of camera address.

* ``http(s)://``: the camera's own JPEG snapshot URL, fetched with a short timeout;
* ``sim://<code>``: a generated picture for the demo's synthetic cameras (clearly marked);
* ``rtsp://`` alone cannot give a still image without a video decoder: refused with a clear
  reason instead of hanging.

Library errors are mapped here, at the one boundary that uses the library (httpx), to
:class:`SnapshotUnavailable`, whose ``reason`` the web layer turns into a problem response.
"""

from __future__ import annotations

import asyncio
import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import httpx

from safetyzone.core.errors import SafetyZoneError
from safetyzone.video import sim

TIMEOUT_S = 3.0
MAX_BYTES = 5 * 1024 * 1024


class Unavailable(enum.StrEnum):
    """Why no image came back; the value is the problem code."""

    NO_SNAPSHOT_URL = "no-snapshot-url"
    TIMEOUT = "camera-timeout"
    UNREACHABLE = "camera-unreachable"
    BAD_ANSWER = "camera-bad-answer"


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
    """Fetch a JPEG from the camera's HTTP snapshot URL (basic auth when it has credentials)."""

    def __init__(self, client: httpx.AsyncClient, timeout_s: float = TIMEOUT_S) -> None:
        self._client = client
        self._timeout = timeout_s

    async def fetch(self, address: StreamAddress | None, *, code: str, now: datetime
                    ) -> Snapshot:
        if address is None:
            raise SnapshotUnavailable(Unavailable.NO_SNAPSHOT_URL,
                                      "no snapshot URL for this camera")
        auth = (httpx.BasicAuth(address.username, address.password or "")
                if address.username else None)
        try:
            response = await self._client.get(address.url, auth=auth, timeout=self._timeout,
                                              follow_redirects=False)
        except httpx.TimeoutException as err:
            raise SnapshotUnavailable(
                Unavailable.TIMEOUT, f"camera {code} did not answer within {self._timeout:g} s"
            ) from err
        except httpx.HTTPError as err:
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
