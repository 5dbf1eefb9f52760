"""One look at one camera: online, offline or frozen, how long to the first picture, how big.

* RTSP: ffmpeg (``media.inputs.open_input`` checks and pins the address first) decodes
  two pictures about a second apart as grey PGM files. Their size is the picture's
  resolution; the time to the first file is the latency: connecting, the RTSP set-up,
  ffmpeg's look at the stream and the first key frame (about 2 s for a camera sending a
  key frame a second; a camera with a long key-frame interval takes longer, as it does
  for a viewer). Frozen: the two decoded pictures
  are the same, or differ on average by less than ``FROZEN_MEAN_DIFF`` of full scale (the
  noise floor of ffmpeg's own ``freezedetect``: a stuck encoder's re-encoded picture is
  never bit for bit the same, while a live street always has some sensor noise).
* HTTP snapshot cameras: one picture through the snapshot source, with its outbound checks;
  frozen is decided by the prober, which compares it with the previous probe's picture.
* ``sim://``: the demo's picture, rendered by the simulated source.

What ffmpeg said when it failed (``401 Unauthorized``, ``Connection refused``) is kept for
the admins, with credentials removed (``media.process``).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import io
import re
import shutil
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
from PIL import Image

from safetyzone.core.outbound import AddressRefused, OutboundPolicy, Resolver
from safetyzone.video.media.inputs import NoStream, open_input
from safetyzone.video.media.process import MediaProcess
from safetyzone.video.models import CameraState
from safetyzone.video.sources import SnapshotSource, SnapshotUnavailable, StreamAddress

RESOLVE_S = 3.0
FROZEN_MEAN_DIFF = 0.001  # of full scale, as freezedetect's default noise (-60 dB)
POLL_S = 0.05
_PGM = re.compile(rb"P5\s+(\d+)\s+(\d+)\s+(\d+)\s")


@dataclass(frozen=True)
class ProbeResult:
    state: CameraState
    detail: str | None = None
    latency_ms: int | None = None
    width: int | None = None
    height: int | None = None
    digest: bytes | None = None  # a snapshot's, compared with the next probe's


def offline(detail: str) -> ProbeResult:
    return ProbeResult(CameraState.OFFLINE, detail=detail[:200])


def scrub(text: str, address: StreamAddress) -> str:
    """``text`` without the camera's password, whatever the tools wrote (short passwords
    are already gone with the URL's user part: ``media.process.redact``)."""
    if address.password and len(address.password) >= 4:
        text = text.replace(address.password, "***")
    return text


def read_pgm(path: Path) -> tuple[int, int, np.ndarray]:
    """Width, height and grey pixels of an 8-bit binary PGM written by ffmpeg."""
    data = path.read_bytes()
    match = _PGM.match(data)
    if match is None or int(match.group(3)) > 255:
        raise ValueError("not an 8-bit PGM")
    width, height = int(match.group(1)), int(match.group(2))
    pixels = np.frombuffer(data, dtype=np.uint8, count=width * height, offset=match.end())
    return width, height, pixels


def same_picture(first: np.ndarray, second: np.ndarray) -> bool:
    """True when two decoded pictures are the same within the freeze noise floor."""
    if first.shape != second.shape:
        return False
    if hashlib.blake2b(first.tobytes(), digest_size=16).digest() == hashlib.blake2b(
            second.tobytes(), digest_size=16).digest():
        return True
    diff = np.abs(first.astype(np.int16) - second.astype(np.int16))
    return float(diff.mean()) / 255.0 < FROZEN_MEAN_DIFF


def _judge(directory: Path) -> tuple[int, int, bool]:
    width, height, first = read_pgm(directory / "f1.pgm")
    _, _, second = read_pgm(directory / "f2.pgm")
    return width, height, same_picture(first, second)


def stream_argv(ffmpeg: str, args: tuple[str, ...], directory: Path) -> list[str]:
    """Two grey pictures a second apart, no sound, as files (nothing on stdout to read)."""
    return [ffmpeg, "-hide_banner", "-loglevel", "error", *args, "-an", "-sn", "-dn",
            "-vf", "fps=1", "-pix_fmt", "gray", "-frames:v", "2", "-f", "image2",
            str(directory / "f%d.pgm")]


async def probe_stream(address: StreamAddress, *, code: str, policy: OutboundPolicy,
                       work_dir: Path, ffmpeg: str, timeout_s: float,
                       resolve: Resolver | None = None) -> ProbeResult:
    """Probe an RTSP camera with one short ffmpeg run."""
    directory = work_dir / f"probe-{uuid.uuid4().hex[:12]}"
    try:
        async with asyncio.timeout(RESOLVE_S):
            media = await open_input(address, code=code, policy=policy, work_dir=work_dir,
                                     resolve=resolve)
    except (AddressRefused, NoStream) as err:
        return offline(f"camera {code}: {err.detail}")
    except (OSError, TimeoutError):
        return offline(f"camera {code}: its host name does not resolve")
    directory.mkdir(parents=True, exist_ok=True)
    process = MediaProcess(stream_argv(ffmpeg, media.args, directory), name=f"probe {code}",
                           env=media.env)
    started = time.monotonic()
    first_at: float | None = None
    try:
        await process.start()
        waiter = asyncio.create_task(process.wait())
        try:
            async with asyncio.timeout(timeout_s):
                while not waiter.done():
                    if first_at is None and (directory / "f1.pgm").exists():
                        first_at = time.monotonic()
                    await asyncio.wait({waiter}, timeout=POLL_S)
        except TimeoutError:
            await process.stop()
            return offline(f"camera {code}: no picture within {timeout_s:g} s")
        finally:
            if not waiter.done():
                waiter.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await waiter
        if first_at is None and (directory / "f1.pgm").exists():
            first_at = time.monotonic()
        if not (directory / "f2.pgm").exists() or first_at is None:
            said = process.last_words() or f"ffmpeg exited {process.returncode}"
            return offline(scrub(f"camera {code}: {said}", address))
        try:
            width, height, frozen = await asyncio.to_thread(_judge, directory)
        except (OSError, ValueError):
            return offline(f"camera {code}: the pictures could not be read")
        latency = round((first_at - started) * 1000)
        if frozen:
            return ProbeResult(CameraState.FROZEN, "the same picture a second later",
                               latency, width, height)
        return ProbeResult(CameraState.ONLINE, None, latency, width, height)
    finally:
        await process.stop()
        shutil.rmtree(directory, ignore_errors=True)


def _size(content: bytes) -> tuple[int | None, int | None]:
    try:
        with Image.open(io.BytesIO(content)) as image:  # reads the header only
            return image.size
    except (OSError, ValueError, Image.DecompressionBombError):
        return None, None


async def probe_snapshot(source: SnapshotSource, address: StreamAddress, *, code: str,
                         now: datetime) -> ProbeResult:
    """Probe a snapshot camera (HTTP, or the demo's simulated one) with one picture."""
    started = time.monotonic()
    try:
        snapshot = await source.fetch(address, code=code, now=now)
    except SnapshotUnavailable as err:
        return offline(scrub(err.detail, address))
    latency = round((time.monotonic() - started) * 1000)
    width, height = _size(snapshot.content)
    return ProbeResult(CameraState.ONLINE, None, latency, width, height,
                       hashlib.blake2b(snapshot.content, digest_size=16).digest())
