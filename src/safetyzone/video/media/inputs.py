"""A camera's address as ffmpeg input options, checked against the outbound rules first.

* ``rtsp://`` and ``rtsps://``: the host is resolved and checked (``core.outbound``) right
  before ffmpeg starts, and ffmpeg is given the checked IP, so a DNS answer that changes
  between the check and the connection cannot send it elsewhere. Credentials go into the
  URL ffmpeg reads (RTSP has no other place for them); the form logged and shown to admins
  has them removed. RTSP over TCP: camera streams over UDP lose packets on busy links.
* ``sim://``: the demo's cameras; ffmpeg draws a moving test picture with the camera's code,
  the Bangkok time and the "simulated" banner, encoded as H.264 (the one case that encodes).
* anything else (an HTTP snapshot URL): there is no stream to read.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

from safetyzone.core.errors import Conflict
from safetyzone.core.outbound import AddressRefused, OutboundPolicy, Resolver
from safetyzone.video import sim
from safetyzone.video.sources import StreamAddress

# Seconds ffmpeg waits on a silent RTSP socket before giving up (its option is in µs).
RTSP_IO_TIMEOUT_S = 5
SIM_FPS = 15


class NoStream(Conflict):
    """The camera has no stream to read (no address, or a snapshot URL only)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail=detail, code="camera-no-stream")


@dataclass(frozen=True)
class MediaInput:
    """ffmpeg's input options for one camera; ``shown`` is safe to log (no credentials)."""

    args: tuple[str, ...]
    shown: str
    encodes: bool = False  # a generated picture: the output must be encoded, not copied
    env: tuple[tuple[str, str], ...] = ()


def has_stream(address: StreamAddress | None) -> bool:
    return address is not None and address.url.split(":", 1)[0].lower() in {
        "rtsp", "rtsps", "sim"}


async def open_input(address: StreamAddress | None, *, code: str, policy: OutboundPolicy,
                     work_dir: Path, resolve: Resolver | None = None) -> MediaInput:
    """The input for ``address``; :class:`NoStream` or :class:`AddressRefused` when none."""
    if address is None:
        raise NoStream("no stream address for this camera")
    scheme = address.url.split(":", 1)[0].lower()
    if scheme == "sim":
        return simulated(code, work_dir)
    if scheme not in {"rtsp", "rtsps"}:
        raise NoStream("this camera gives snapshots only (no RTSP stream address)")
    parts = urlsplit(address.url)
    if not parts.hostname or "@" in parts.netloc:
        raise AddressRefused("refused: only plain rtsp://host[:port]/path addresses are read")
    try:
        port = parts.port or (322 if scheme == "rtsps" else 554)
    except ValueError as err:
        raise AddressRefused("refused: the address has a bad port") from err
    ip = await policy.pin(parts.hostname, port, resolve)
    host = f"[{ip}]" if ip.version == 6 else str(ip)
    userinfo = ""
    if address.username:
        userinfo = quote(address.username, safe="")
        if address.password:
            userinfo += ":" + quote(address.password, safe="")
        userinfo += "@"
    url = urlunsplit((scheme, f"{userinfo}{host}:{port}", parts.path or "/", parts.query, ""))
    shown = urlunsplit((scheme, f"{parts.hostname}:{port}", parts.path or "/", "", ""))
    return MediaInput(
        args=("-rtsp_transport", "tcp", "-timeout", str(RTSP_IO_TIMEOUT_S * 1_000_000),
              "-i", url),
        shown=shown)


def simulated(code: str, work_dir: Path) -> MediaInput:
    """A generated stream for a demo camera: a moving test picture under its marks."""
    marks = work_dir / f"sim-{hashlib.sha256(code.encode()).hexdigest()[:16]}.png"
    if not marks.exists():
        work_dir.mkdir(parents=True, exist_ok=True)
        tmp = marks.with_suffix(".tmp")
        tmp.write_bytes(sim.overlay_png(code))
        tmp.replace(marks)
    size = f"{sim.WIDTH}x{sim.HEIGHT}"
    clock = ""
    font = sim.clock_font()
    if font:
        # The clock's format in a file: no quoting of ':' and '%' inside the filter graph.
        clock_text = work_dir / "sim-clock.txt"
        if not clock_text.exists():
            clock_text.write_text("%{localtime:%X}", encoding="ascii")
        clock = (f",drawtext=fontfile={font}:textfile={clock_text}"
                 ":fontcolor=white:fontsize=20:x=w-tw-48:y=8")
    return MediaInput(
        args=("-re", "-f", "lavfi", "-i", f"testsrc2=size={size}:rate={SIM_FPS}",
              "-i", str(marks),
              "-filter_complex", f"[0:v][1:v]overlay=0:0{clock}[v]", "-map", "[v]"),
        shown=f"sim://{code}", encodes=True, env=(("TZ", "Asia/Bangkok"),))
