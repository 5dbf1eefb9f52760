"""ffmpeg's segment muxer for recording, and reading what it wrote (pure: no database).

One ffmpeg per recording camera copies the camera's H.264 (``-c copy``; only the demo's
generated picture is encoded) into MP4 files of ``segment_s`` seconds, cut on the wall
clock's multiples (``-segment_atclocktime``) so every camera's files line up, each starting
at time zero (``-reset_timestamps``) so a file plays on its own. A file is named by the time
it was opened, with its UTC offset (``20261201T170450+0000.mp4``): readable by a person
listing the directory, unambiguous for the program. ffmpeg appends a line to the run's
segment list (CSV: name, start, end in seconds of the run) when it closes a file: a listed
file is complete, and only then is it hashed and indexed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from safetyzone.video.media.inputs import SIM_FPS, MediaInput

NAME_FORMAT = "%Y%m%dT%H%M%S%z"
NAME = re.compile(r"^(\d{8}T\d{6}[+-]\d{4})\.mp4$")
LIST_PREFIX = ".list-"


@dataclass(frozen=True)
class Closed:
    """A segment ffmpeg has finished: its file, and its time on the wall clock."""

    path: Path
    starts_at: datetime
    ends_at: datetime
    first: bool = False  # a run's first file: its listed times start before its packets


def encode_args(media: MediaInput) -> list[str]:
    """Copy the camera's video; encode only a generated picture (a key frame a second, so
    the muxer can cut on the clock)."""
    if not media.encodes:
        return ["-map", "0:v:0", "-c:v", "copy", "-an"]
    return ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
            "-g", str(SIM_FPS), "-b:v", "400k", "-an"]


def record_argv(ffmpeg: str, media: MediaInput, out_dir: Path, segment_list: Path,
                segment_s: int) -> list[str]:
    return [
        ffmpeg, "-hide_banner", "-loglevel", "error", "-y",
        *media.args, *encode_args(media),
        "-f", "segment", "-segment_time", str(segment_s), "-segment_atclocktime", "1",
        "-reset_timestamps", "1", "-strftime", "1", "-segment_format", "mp4",
        "-segment_list", str(segment_list), "-segment_list_type", "csv",
        str(out_dir / f"{NAME_FORMAT}.mp4"),
    ]


def parse_name(name: str) -> datetime | None:
    """The UTC time a segment file was opened, from its name; None for any other name."""
    match = NAME.match(name)
    if match is None:
        return None
    try:
        return datetime.strptime(match.group(1), NAME_FORMAT).astimezone(UTC)
    except ValueError:
        return None


def parse_line(directory: Path, line: str) -> Closed | None:
    """One line of a segment list (``name,start,end``), or None when it is not one."""
    parts = line.strip().split(",")
    if len(parts) != 3:
        return None
    started = parse_name(parts[0])
    try:
        seconds = float(parts[2]) - float(parts[1])
    except ValueError:
        return None
    if started is None or not 0 <= seconds < 24 * 3600:
        return None
    return Closed(directory / parts[0], started, started + timedelta(seconds=seconds))


class ListReader:
    """Reads the lines ffmpeg appended to a segment list since the last read.

    A line is taken once it is whole (ends with a newline). The newest listed segment is held
    back until a later line follows it or the run has ended (``final``): ffmpeg writes a
    segment's list line before it closes (flushes) the segment's file, so the file of the
    newest line may still be short of its last bytes; by the next line, it is closed.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._offset = 0
        self._seen = False
        self._held: Closed | None = None

    def read(self, *, final: bool = False) -> list[Closed]:
        out = [self._held] if self._held is not None else []
        self._held = None
        try:
            with self.path.open("rb") as handle:
                handle.seek(self._offset)
                data = handle.read()
        except FileNotFoundError:
            data = b""
        end = data.rfind(b"\n")
        if end >= 0:
            self._offset += end + 1
            for raw in data[: end + 1].decode("utf-8", errors="replace").splitlines():
                closed = parse_line(self.path.parent, raw)
                if closed is not None:
                    if not self._seen:
                        closed = Closed(closed.path, closed.starts_at, closed.ends_at,
                                        first=True)
                    self._seen = True
                    out.append(closed)
        if not final and out:
            self._held = out.pop()
        return out

    @property
    def holding(self) -> bool:
        return self._held is not None


def first_clamped(closed: Closed, segment_s: int) -> Closed:
    """A run's first segment ends at the clock boundary after its opening at the latest.

    Its listed times count from the stream's time zero, not its first packet (an RTSP
    stream's timestamps start at an offset and jump at the first sender report), so its
    listed length is too long; the muxer closed it at the next multiple of ``segment_s``.
    """
    epoch = closed.starts_at.timestamp()
    boundary = datetime.fromtimestamp((epoch // segment_s + 1) * segment_s, UTC)
    return Closed(closed.path, closed.starts_at, min(closed.ends_at, boundary), first=True)
