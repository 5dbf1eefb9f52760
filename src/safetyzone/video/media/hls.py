"""ffmpeg's command for a camera's live view: its stream remuxed into low-latency HLS.

Copy, never transcode, what the camera sends: H.264 goes into fragmented MP4 segments of
about one second (a segment starts at a key frame, so a camera with a long key-frame
interval gives longer ones), which hls.js plays through the browser's MediaSource. Only the
demo's generated pictures are encoded. Sound is dropped: street cameras' audio is seldom
lawful to use and rarely in a codec HLS carries.
"""

from __future__ import annotations

import re
from pathlib import Path

from safetyzone.video.media.inputs import SIM_FPS, MediaInput

PLAYLIST = "live.m3u8"
INIT = "init.mp4"
SEGMENT_PATTERN = "seg%06d.m4s"
# The only names the live route hands out: a request for anything else is refused before
# any path is built from it.
SERVED_NAME = re.compile(r"^(live\.m3u8|init\.mp4|seg\d{6}\.m4s)$")
SEGMENT_S = 1
LIST_SIZE = 6


def media_type(name: str) -> str:
    if name.endswith(".m3u8"):
        return "application/vnd.apple.mpegurl"
    if name.endswith(".m4s"):
        return "video/iso.segment"
    return "video/mp4"


def encode_args(media: MediaInput) -> list[str]:
    """Copy the camera's video; encode only a generated picture (fast, one key frame a
    second, so segments stay one second long)."""
    if not media.encodes:
        return ["-map", "0:v:0", "-c:v", "copy", "-an"]
    return ["-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency",
            "-pix_fmt", "yuv420p", "-g", str(SIM_FPS), "-b:v", "400k", "-an"]


def restream_argv(ffmpeg: str, media: MediaInput, out_dir: Path) -> list[str]:
    return [
        ffmpeg, "-hide_banner", "-loglevel", "error",
        *media.args, *encode_args(media),
        "-f", "hls", "-hls_time", str(SEGMENT_S), "-hls_list_size", str(LIST_SIZE),
        "-hls_flags", "delete_segments+independent_segments+omit_endlist+temp_file",
        "-hls_segment_type", "fmp4", "-hls_fmp4_init_filename", INIT,
        "-hls_segment_filename", str(out_dir / SEGMENT_PATTERN),
        str(out_dir / PLAYLIST),
    ]
