"""Cutting a clip from recorded segments: ffmpeg's concat demuxer joins the files, the
window is trimmed, and a watermark is burned in (the one step that re-encodes, and only the
clip: the recordings stay as the camera sent them).

The watermark says what the picture is wherever it ends up: "หลักฐาน / EVIDENCE", the
incident's number, the camera's code, and the Bangkok time of each frame (ffmpeg's clock
from the frame's timestamp plus the clip's start, so the time runs with the picture).
Footage with a gap (ffmpeg restarted, the camera dropped out) is not joined across the gap:
the joined picture would show wrong times after it. The longest unbroken run is cut, and the
missing spans are reported with the clip.
"""

from __future__ import annotations

import asyncio
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from safetyzone.core.errors import UpstreamFailed
from safetyzone.core.thai import format_thai_datetime
from safetyzone.video import sim
from safetyzone.video.media.process import MediaProcess

GAP_S = 1.5  # file names are whole seconds: closer than this is one unbroken recording
MARK_COLOR = "0xC00000"  # the red band at the top: visible at a glance on any thumbnail


@dataclass(frozen=True)
class Piece:
    path: Path
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class Cut:
    pieces: list[Piece]
    starts_at: datetime  # of the clip (inside the window and the footage)
    ends_at: datetime
    gaps: list[tuple[datetime, datetime]]  # footage missing inside the window


def plan(pieces: list[Piece], since: datetime, until: datetime) -> Cut | None:
    """The longest unbroken run of ``pieces`` inside [since, until]; None without footage."""
    runs: list[list[Piece]] = []
    for piece in sorted(pieces, key=lambda p: p.starts_at):
        if piece.ends_at <= since or piece.starts_at >= until:
            continue
        if runs and (piece.starts_at - runs[-1][-1].ends_at).total_seconds() <= GAP_S:
            runs[-1].append(piece)
        else:
            runs.append([piece])
    if not runs:
        return None

    def covered(run: list[Piece]) -> float:
        return (min(run[-1].ends_at, until) - max(run[0].starts_at, since)).total_seconds()

    best = max(runs, key=covered)
    start, end = max(best[0].starts_at, since), min(best[-1].ends_at, until)
    if (end - start).total_seconds() < 0.5:
        return None
    gaps = []
    if start > since:
        gaps.append((since, start))
    if end < until:
        gaps.append((end, until))
    return Cut(best, start, end, gaps)


def watermark_text(*, incident_number: str, camera_code: str, starts_at: datetime) -> str:
    """The text ffmpeg draws: two lines, the second its per-frame clock (``%{pts...}``) and
    the day as Thai readers write it (Buddhist Era). Our own values only, with every
    character ffmpeg's text expansion would act on removed."""
    safe = "".join(ch for ch in f"{incident_number}  {camera_code}" if ch.isprintable()
                   and ch not in "%\\{}")
    day = format_thai_datetime(starts_at, with_time=False)
    return f"หลักฐาน / EVIDENCE  {safe}\n%{{pts:localtime:{{offset}}}} (UTC+7)  {day}"


def cut_argv(ffmpeg: str, cut: Cut, *, concat_list: Path, text_file: Path, out: Path
             ) -> list[str]:
    trim_start = (cut.starts_at - cut.pieces[0].starts_at).total_seconds()
    duration = (cut.ends_at - cut.starts_at).total_seconds()
    font = sim.clock_font()
    font_opt = f"fontfile={font}:" if font else ""
    graph = (f"trim=start={trim_start:.3f}:duration={duration:.3f},setpts=PTS-STARTPTS,"
             f"drawbox=x=0:y=0:w=iw:h=ih/14:color={MARK_COLOR}@1:t=fill,"
             f"drawtext={font_opt}textfile={text_file}:fontcolor=white:fontsize=h/22:"
             "x=10:y=h/14+6:box=1:boxcolor=black@0.55:boxborderw=6:line_spacing=6")
    return [ffmpeg, "-hide_banner", "-loglevel", "error", "-y",
            "-f", "concat", "-safe", "0", "-i", str(concat_list), "-vf", graph,
            "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p",
            "-an", "-movflags", "+faststart", "-metadata", "comment=SafetyZone evidence",
            str(out)]


async def cut_clip(ffmpeg: str, cut: Cut, *, incident_number: str, camera_code: str,
                   out: Path) -> None:
    """Write the watermarked clip to ``out``; :class:`UpstreamFailed` with ffmpeg's words."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=".cut-") as work:
        concat_list = Path(work) / "list.txt"
        concat_list.write_text("".join(
            "file '" + str(p.path).replace("'", "'\\''") + "'\n" for p in cut.pieces),
            encoding="utf-8")
        text_file = Path(work) / "mark.txt"
        text = watermark_text(incident_number=incident_number, camera_code=camera_code,
                              starts_at=cut.starts_at)
        text_file.write_text(text.replace("{offset}", f"{cut.starts_at.timestamp():.3f}"),
                             encoding="utf-8")
        process = MediaProcess(cut_argv(ffmpeg, cut, concat_list=concat_list,
                                        text_file=text_file, out=out),
                               name=f"clip {camera_code}", env=(("TZ", "Asia/Bangkok"),))
        await process.start()
        code = await process.wait()
        if code != 0 or not await asyncio.to_thread(out.is_file):
            await asyncio.to_thread(out.unlink, missing_ok=True)
            raise UpstreamFailed(detail=f"the clip of {camera_code} could not be cut: "
                                 f"{process.last_words() or f'ffmpeg exited {code}'}",
                                 code="clip-failed")


def span(cut: Cut) -> timedelta:
    return cut.ends_at - cut.starts_at
