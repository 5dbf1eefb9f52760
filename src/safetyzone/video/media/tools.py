"""Where the media programs are, and the error when they are not installed.

ffmpeg and ffprobe come from Debian's ``ffmpeg`` package (``scripts/install-system-deps``).
Without them the server still runs: snapshots still work, and the live view, probing and
recording answer with ``media-tool-missing`` instead of failing somewhere later.
"""

from __future__ import annotations

import os
import shutil

from safetyzone.core.errors import ServiceUnavailable


class MediaToolMissing(ServiceUnavailable):
    """ffmpeg or ffprobe is not installed on this server."""

    def __init__(self, tool: str) -> None:
        super().__init__(
            detail=f"{tool} is not installed on this server (Debian package: ffmpeg; "
                   "scripts/install-system-deps installs it)",
            code="media-tool-missing")
        self.tool = tool


def find(tool: str) -> str | None:
    """The path of ``tool`` (``SSZ_FFMPEG_DIR`` first, then PATH and /usr/bin), or None."""
    directory = os.environ.get("SSZ_FFMPEG_DIR")
    if directory and os.access(os.path.join(directory, tool), os.X_OK):
        return os.path.join(directory, tool)
    return shutil.which(tool) or (f"/usr/bin/{tool}" if os.access(f"/usr/bin/{tool}", os.X_OK)
                                  else None)


def require(tool: str) -> str:
    """The path of ``tool``; :class:`MediaToolMissing` when it is not installed."""
    path = find(tool)
    if path is None:
        raise MediaToolMissing(tool)
    return path
