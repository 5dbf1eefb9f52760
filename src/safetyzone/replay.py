"""``ssz replay``: send captured device frames to a running server, so a field report becomes
a test. Clients only: this module speaks the wire protocols and imports no domain.

Input files hold one frame per line; empty lines and lines starting with ``#`` are skipped.

* SIA DC-09: a frame as hex (what ``GET /api/v1/devices/{id}/health`` shows), a receiver
  log line (``sia-dc09 rx <peer> <hex>``; ``tx`` lines are skipped), or the frame as text
  (``<LF>`` and ``<CR>`` added when missing).
* OsmAnd: a query string (``id=...&lat=...``), with or without a leading URL and ``?``.
* NMEA: one sentence per line; the login line ``$PGID,<id>*hh`` is sent first.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import Iterable
from pathlib import Path

import httpx

from safetyzone.adapters.nmea import checksum

_HEX = re.compile(r"(?:[0-9A-Fa-f]{2})+")
_LOG_LINE = re.compile(r".*\b(?P<direction>rx|tx)\s+\S+\s+(?P<hex>(?:[0-9a-f]{2})+)\s*")
_REPLY = re.compile(rb'"\*?(ACK|NAK|DUH)"')


def read_lines(path: Path) -> list[str]:
    """The file's frames: stripped, without blank and ``#`` comment lines."""
    lines = (line.strip() for line in path.read_text("latin-1").splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def sia_frames(lines: Iterable[str]) -> list[bytes]:
    """Frames as bytes from hex, receiver log lines or text."""
    frames: list[bytes] = []
    for line in lines:
        logged = _LOG_LINE.fullmatch(line)
        if logged is not None:
            if logged["direction"] == "rx":
                frames.append(bytes.fromhex(logged["hex"]))
        elif _HEX.fullmatch(line):
            frames.append(bytes.fromhex(line))
        else:
            frame = line.encode("latin-1")
            frames.append((b"" if frame.startswith(b"\n") else b"\n") + frame
                          + (b"" if frame.endswith(b"\r") else b"\r"))
    return frames


def describe_sia_reply(reply: bytes | None) -> str:
    """``ACK``, ``NAK`` or ``DUH`` with the reply text; ``no reply`` (as after a bad CRC)."""
    if reply is None:
        return "no reply"
    match = _REPLY.search(reply)
    kind = match[1].decode() if match else "?"
    return f"{kind} {reply.decode('latin-1').strip()!r}"


async def replay_sia(host: str, port: int, frames: list[bytes],
                     timeout_s: float = 5.0) -> list[str]:
    """Send each frame on one TCP connection and wait for its reply, in order."""
    results: list[str] = []
    reader, writer = await asyncio.open_connection(host, port)
    try:
        for frame in frames:
            writer.write(frame)
            await writer.drain()
            reply: bytes | None = None
            with contextlib.suppress(TimeoutError, asyncio.IncompleteReadError):
                reply = await asyncio.wait_for(reader.readuntil(b"\r"), timeout_s)
            results.append(describe_sia_reply(reply))
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()
    return results


def replay_osmand(url: str, queries: list[str], timeout_s: float = 10.0) -> list[str]:
    """GET ``url?query`` for each line; the HTTP status and body of each answer."""
    results: list[str] = []
    with httpx.Client(timeout=timeout_s) as client:
        for line in queries:
            query = line.split("?", 1)[1] if "?" in line else line
            response = client.get(f"{url.rstrip('?')}?{query}")
            results.append(f"{response.status_code} {response.text.strip()[:200]}")
    return results


def pgid_line(device_id: str) -> str:
    """The login sentence the NMEA gateway reads first: ``$PGID,<id>*hh``."""
    body = f"PGID,{device_id}"
    return f"${body}*{checksum(body):02X}"


async def replay_nmea(host: str, port: int, device_id: str, lines: list[str],
                      linger_s: float = 1.0) -> str:
    """Log in as ``device_id``, send the lines; NMEA trackers get no reply, so report
    only whether the server kept the connection open (it closes it for an unknown id)."""
    reader, writer = await asyncio.open_connection(host, port)
    sent = 0
    closed = False
    try:
        for line in [pgid_line(device_id), *lines]:
            writer.write(line.encode("latin-1") + b"\r\n")
            await writer.drain()
            sent += 1
        with contextlib.suppress(TimeoutError):
            closed = await asyncio.wait_for(reader.read(1), linger_s) == b""
    except ConnectionError:
        closed = True
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()
    if closed:
        return f"server closed the connection after {sent} line(s): is '{device_id}' registered?"
    return f"sent login and {sent - 1} line(s); connection kept open (NMEA has no replies)"
