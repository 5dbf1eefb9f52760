"""A minimal keep-alive HTTP/1.1 client and the request bodies it sends."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from intakebench.common import HOST
from intakebench.world import Fixture

# --------------------------------------------------------------------------- HTTP client


def content_length(head: bytes) -> int:
    at = head.lower().find(b"\r\ncontent-length:")
    if at < 0:
        return 0
    end = head.find(b"\r\n", at + 2)
    return int(head[at + 17:end])


class HttpConn:
    """A minimal keep-alive HTTP/1.1 client: the generator must cost far less than the server."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    async def open(cls, port: int) -> HttpConn:
        reader, writer = await asyncio.open_connection(HOST, port, limit=1 << 22)
        return cls(reader, writer)

    async def request(self, data: bytes) -> tuple[int, bytes]:
        self.writer.write(data)
        head = await self.reader.readuntil(b"\r\n\r\n")
        length = content_length(head)
        body = await self.reader.readexactly(length) if length else b""
        return int(head[9:12]), body

    def close(self) -> None:
        self.writer.close()


def post(path: str, token: str, body: bytes) -> bytes:
    return (f"POST {path} HTTP/1.1\r\nHost: {HOST}\r\nAuthorization: Bearer {token}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
            ).encode() + body


def gps_json(event_id: str, at: str, lat: float, lon: float) -> str:
    return (f'{{"kind":"gps.position","device_event_id":"{event_id}","event_time":"{at}",'
            f'"location":{{"lat":{lat:.6f},"lon":{lon:.6f}}}}}')


def sos_json(event_id: str, at: str) -> str:
    return f'{{"kind":"sos.press","device_event_id":"{event_id}","event_time":"{at}"}}'


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


# A request maker: (client index, request number) -> (raw request, events in it).
Maker = Callable[[int, int], tuple[bytes, int]]


def single_maker(fixture: Fixture, tag: str, sos_every: int = 10) -> Maker:
    """One event per request: client 0, 10, 20... is the SOS pole, the others GPS trackers."""
    units = fixture.unit_tokens

    def make(client: int, n: int) -> tuple[bytes, int]:
        event_id = f"{tag}-{client}-{n}"
        if client % sos_every == 0:
            return post("/api/v1/intake/events", fixture.sos_token,
                        sos_json(event_id, now_iso()).encode()), 1
        lat = fixture.lat + 0.002 + (client % 50) * 1e-4 + n * 1e-7
        return post("/api/v1/intake/events", units[client % len(units)],
                    gps_json(event_id, now_iso(), lat, fixture.lon).encode()), 1

    return make


def batch_maker(fixture: Fixture, tag: str, size: int, first_unit: int = 0) -> Maker:
    """Batches of GPS fixes from one tracker each (a tracker uploading its buffer).

    Each fix has its own time (a microsecond apart), so each one moves the unit on the map.
    """
    units = fixture.unit_tokens

    def make(client: int, n: int) -> tuple[bytes, int]:
        at = datetime.now(UTC)
        lat = fixture.lat + 0.002 + (client % 50) * 1e-4 + n * 1e-6
        events = ",".join(
            gps_json(f"{tag}-{client}-{n}-{j}", (at + timedelta(microseconds=j)).isoformat(),
                     lat, fixture.lon) for j in range(size))
        token = units[(first_unit + client) % len(units)]
        return post("/api/v1/intake/events/batch", token,
                    f'{{"events":[{events}]}}'.encode()), size

    return make


def healthz_maker() -> Maker:
    request = f"GET /healthz HTTP/1.1\r\nHost: {HOST}\r\n\r\n".encode()
    return lambda client, n: (request, 0)
