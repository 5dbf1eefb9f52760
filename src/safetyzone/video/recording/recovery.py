"""After an unclean end of the server (``kill -9``, a power cut): stop the ffmpeg it left
running and index what that ffmpeg recorded meanwhile.

Each ffmpeg runs in its own session (so a Ctrl-C in the server's terminal does not cut its
files short), which also means it outlives a killed server, recording on, and a new server
would start a second one for the same camera (two writers, file names that clash). So each
camera's directory carries two small files: ``.camera.json`` (whose footage this is) and
``.ffmpeg.pid`` (the running process and the segment list it writes). At start, a pid that is
alive AND whose command line names that list is ours: it is stopped (SIGTERM to its process
group, then SIGKILL); a pid reused by another program is left alone. Then every list left in
the directory is read to its end and indexed, and removed.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from safetyzone.video.recording import segments

log = logging.getLogger(__name__)

CAMERA_FILE = ".camera.json"
PID_FILE = ".ffmpeg.pid"
STOP_WAIT_S = 3.0


@dataclass(frozen=True)
class Owner:
    camera_id: uuid.UUID
    station_id: uuid.UUID


def mark_camera(directory: Path, owner: Owner) -> None:
    path = directory / CAMERA_FILE
    if not path.exists():
        path.write_text(json.dumps({"camera_id": str(owner.camera_id),
                                    "station_id": str(owner.station_id)}), encoding="utf-8")


def mark_process(directory: Path, pid: int, listing: Path) -> None:
    tmp = directory / f"{PID_FILE}.tmp"
    tmp.write_text(json.dumps({"pid": pid, "list": str(listing)}), encoding="utf-8")
    tmp.replace(directory / PID_FILE)


def clear(directory: Path, listings: list[Path]) -> None:
    """A clean end: the lists were read to their end, the process is gone."""
    for path in [*listings, directory / PID_FILE]:
        with contextlib.suppress(OSError):
            path.unlink()


def _ours(pid: int, listing: str) -> bool:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return listing.encode() in cmdline


def _alive(pid: int) -> bool:
    return Path(f"/proc/{pid}").exists() and b"zombie" not in _status(pid)


def _status(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/status").read_bytes().lower()
    except OSError:
        return b""


def stop_orphan(directory: Path) -> int | None:
    """Stop the ffmpeg an earlier server left recording here; its pid, or None."""
    try:
        mark = json.loads((directory / PID_FILE).read_text(encoding="utf-8"))
        pid, listing = int(mark["pid"]), str(mark["list"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not _ours(pid, listing):
        return None
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, sig)
        deadline = time.monotonic() + STOP_WAIT_S
        while time.monotonic() < deadline and _alive(pid):
            time.sleep(0.05)
        if not _alive(pid):
            break
    log.warning("stopped an ffmpeg (pid %s) an earlier server left recording in %s", pid,
                directory.name)
    return pid


def recover(root: Path, store: Callable[[Owner, list[segments.Closed]], None]) -> int:
    """Stop orphans and index every list left under ``root``; how many segments."""
    count = 0
    for marker in sorted(root.glob(f"*/*/{CAMERA_FILE}")):
        directory = marker.parent
        try:
            data = json.loads(marker.read_text(encoding="utf-8"))
            owner = Owner(uuid.UUID(data["camera_id"]), uuid.UUID(data["station_id"]))
        except (OSError, ValueError, KeyError, TypeError):
            continue
        stop_orphan(directory)
        listings = sorted(directory.glob(f"{segments.LIST_PREFIX}*.csv"))
        for listing in listings:
            closed = segments.ListReader(listing).read(final=True)
            if closed:
                store(owner, closed)
                count += len(closed)
        clear(directory, listings)
    return count
