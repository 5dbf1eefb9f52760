"""Real RTSP cameras for tests: GStreamer's RTSP server (scripts/rtsp-test-camera) on a free
loopback port, started per test or module and always stopped.

Fails in CI (skips locally) when the server cannot start: Debian's python3-gi,
gir1.2-gst-rtsp-server-1.0 and the GStreamer plugins are installed by
scripts/install-system-deps. ffmpeg likewise: ``require_ffmpeg`` says so in CI.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from safetyzone.video.media import tools
from support import processes
from support.postgres import free_loopback_port, require_or_skip

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "rtsp-test-camera"
SYSTEM_PYTHON = "/usr/bin/python3"


@dataclass(frozen=True)
class RtspCamera:
    port: int
    path: str
    username: str | None
    password: str | None

    @property
    def url(self) -> str:
        """The camera's address as an admin types it (credentials in their own fields)."""
        return f"rtsp://127.0.0.1:{self.port}{self.path}"


def require_ffmpeg() -> str:
    path = tools.find("ffmpeg")
    if path is None or tools.find("ffprobe") is None:
        require_or_skip("ffmpeg is not installed (scripts/install-system-deps installs it)")
    assert path is not None
    return path


@contextlib.contextmanager
def rtsp_camera(*, pattern: str = "moving", username: str | None = "viewer",
                password: str | None = "pw", path: str = "/live", fps: int = 15,
                size: str = "640x360") -> Iterator[RtspCamera]:
    """A running RTSP camera (``moving``: every frame differs; ``frozen``: a still card)."""
    if not Path(SYSTEM_PYTHON).exists():
        require_or_skip("Debian's python3 (with python3-gi) is needed for the RTSP test camera")
    port = free_loopback_port()
    argv = [SYSTEM_PYTHON, str(SCRIPT), "--port", str(port), "--path", path,
            "--pattern", pattern, "--fps", str(fps), "--size", size]
    if username:
        argv += ["--user", username, "--password", password or ""]
    with processes.serving(argv, port, "rtsp-test-camera"):
        yield RtspCamera(port, path, username, password)
