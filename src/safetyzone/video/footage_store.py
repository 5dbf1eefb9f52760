"""The store for footage that camera owners upload: video files and stills, kept as sent.

Trust the bytes, not the label. The first bytes decide the kind (MP4/MOV, Matroska/WebM,
AVI, JPEG); the declared content type and the file name decide nothing. Anything else is
refused (415) as soon as its first bytes arrive, before the rest is read. A file whose
first bytes match is then opened by a real demuxer (``ffprobe`` for video: at least one
video stream, every packet read, none missing from what the index names; Pillow for a JPEG)
before it is kept: an MP4 header over garbage, or an MP4 cut short, is refused (422).

Uploads stream to a temporary file under ``tmp/`` while their SHA-256 is computed, and are
renamed into ``files/ab/cd/<sha256>.<ext>`` only when whole and checked, so a cut
connection, an oversize body or a refused file leaves nothing behind (the temporary file is
removed) and no reader ever sees half a file. The same bytes are stored once. Files are
never re-encoded: they are evidence, and their hash must stay what the owner sent.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import shutil
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

from PIL import Image, UnidentifiedImageError

from safetyzone.core.errors import (
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    Problem,
    UnsupportedMediaType,
)

log = logging.getLogger(__name__)

SNIFF_BYTES = 64
PROBE_TIMEOUT_S = 60
STALE_PART_S = 3600.0
# kind -> (extension, content type)
KINDS = {"mp4": ("mp4", "video/mp4"), "mkv": ("mkv", "video/x-matroska"),
         "avi": ("avi", "video/x-msvideo"), "jpg": ("jpg", "image/jpeg")}
# ISO media brands of pictures and audio-only files: not footage.
_NOT_VIDEO_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1",
                     b"avif", b"avis", b"M4A ", b"M4B ", b"M4P "}
_NAME_BAD = re.compile(r"[^\w.\- ()\u0E00-\u0E7F]+")


def sniff(head: bytes) -> str | None:
    """The kind of footage these first bytes open, or ``None`` (not footage we take)."""
    if len(head) >= 12 and head[4:8] == b"ftyp":
        return None if head[8:12] in _NOT_VIDEO_BRANDS else "mp4"
    if head[:4] == b"\x1a\x45\xdf\xa3":  # EBML: Matroska or WebM
        return "mkv" if b"matroska" in head or b"webm" in head else None
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return "avi"
    if head[:3] == b"\xff\xd8\xff":
        return "jpg"
    return None


def clean_name(name: str | None, kind: str) -> str:
    """The owner's file name as a label only: no path, no control characters, 120 at most."""
    base = Path((name or "").replace("\\", "/")).name
    base = _NAME_BAD.sub("_", base).strip(" ._")[:120]
    return base or f"footage.{KINDS[kind][0]}"


def refuse_kind() -> NoReturn:
    raise UnsupportedMediaType(
        "not a video or picture we take: send the MP4, MKV or AVI file the recorder "
        "exported (or a JPEG still)", [Problem("unknown file type", "body")])


@dataclass(frozen=True)
class Stored:
    """A file in the store: its kind, where (relative to the root), size and SHA-256."""

    kind: str
    content_type: str
    path: str
    size: int
    sha256: str


class Upload:
    """One upload on its way in: write chunks, then ``finish`` (checked and kept) or
    ``discard`` (nothing kept). Not thread-safe; one per request."""

    def __init__(self, store: FootageStore, limit: int) -> None:
        self.store, self.limit = store, limit
        store.tmp.mkdir(parents=True, exist_ok=True)
        self.temp = store.tmp / f"{uuid.uuid4().hex}.part"
        self._file = self.temp.open("xb")
        self._hash = hashlib.sha256()
        self._head = b""
        self.size = 0
        self.kind: str | None = None

    def write(self, chunk: bytes) -> None:
        """Append a chunk; refuse an oversize body or a first few bytes that are no footage."""
        self.size += len(chunk)
        if self.size > self.limit:
            raise PayloadTooLarge(f"a footage file is at most {self.limit} bytes",
                                  [Problem(f"more than {self.limit} bytes", "body")])
        if self.kind is None:
            self._head += chunk[:SNIFF_BYTES]
            if len(self._head) >= SNIFF_BYTES:
                self._decide()
        self._hash.update(chunk)
        self._file.write(chunk)

    def _decide(self) -> None:
        kind = sniff(self._head[:SNIFF_BYTES])
        if kind is None:
            refuse_kind()
        self.kind = kind

    def finish(self, expected_sha256: str | None = None) -> Stored:
        """Check the whole file and move it into the store; the temporary file is gone
        either way."""
        try:
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()
            if self.size == 0:
                raise InvalidInput("the file is empty", [Problem("empty", "body")])
            if self.kind is None:
                self._decide()
            assert self.kind is not None
            digest = self._hash.hexdigest()
            if expected_sha256 is not None and expected_sha256.lower() != digest:
                raise InvalidInput("the file arrived damaged: its SHA-256 is not the one sent "
                                   "with it; send it again",
                                   [Problem("hash mismatch", "X-Content-SHA256")])
            verify(self.temp, self.kind)
            return self.store.keep(self.temp, self.kind, digest, self.size)
        finally:
            self.discard()

    def discard(self) -> None:
        if not self._file.closed:
            self._file.close()
        self.temp.unlink(missing_ok=True)


def verify(path: Path, kind: str) -> None:
    """Open the file with a real decoder: a header over garbage is not footage."""
    if kind == "jpg":
        try:
            with Image.open(path) as picture:
                picture.verify()
            return
        except (UnidentifiedImageError, OSError, SyntaxError) as err:
            raise InvalidInput("this JPEG does not decode (cut short or damaged)",
                               [Problem("does not decode", "body")]) from err
    probe = shutil.which("ffprobe")
    if probe is None:  # an install without ffmpeg: say so rather than keep unchecked bytes
        raise RuntimeError("ffprobe is not installed (Debian package ffmpeg)")
    try:
        # Every packet is read (demuxed, not decoded: I/O bound even for a large file), so
        # a file cut short shows: fewer packets than its index names, or "partial file".
        done = subprocess.run(  # noqa: S603 - fixed program, our own temporary path
            [probe, "-v", "error", "-count_packets", "-show_entries",
             "stream=codec_type,nb_frames,nb_read_packets", "-of", "json", str(path)],
            capture_output=True, timeout=PROBE_TIMEOUT_S, check=False)
        streams = json.loads(done.stdout or b"{}").get("streams", [])
    except (subprocess.TimeoutExpired, ValueError) as err:
        raise InvalidInput("this video could not be read", [Problem("unreadable", "body")]
                           ) from err
    video = [s for s in streams if s.get("codec_type") == "video"]
    if done.returncode != 0 or not video:
        raise InvalidInput("this file holds no playable video (cut short or damaged?)",
                           [Problem("no video stream", "body")])
    if b"partial file" in done.stderr or any(_short(s) for s in video):
        raise InvalidInput("this video is cut short: export it again and send the whole file",
                           [Problem("cut short", "body")])


def _short(stream: dict[str, object]) -> bool:
    """Fewer packets read than the container's index names (MP4, AVI)."""
    named, read = str(stream.get("nb_frames", "")), str(stream.get("nb_read_packets", ""))
    return named.isdigit() and read.isdigit() and int(read) < int(named)


class FootageStore:
    """Files by content under ``root``: ``files/ab/cd/<sha256>.<ext>``, ``tmp/`` for
    uploads under way (the sweeper removes those a crash left behind, and resumable
    sessions untouched for a day)."""

    def __init__(self, root: Path, max_bytes: int) -> None:
        self.root, self.max_bytes = root, max_bytes
        self.tmp = root / "tmp"

    def clear_partial(self, older_than_s: float = STALE_PART_S) -> int:
        """Remove uploads a crash or restart cut off (untouched for ``older_than_s``: an
        upload under way writes every few seconds); returns how many."""
        if not self.tmp.is_dir():
            return 0
        gone = 0
        cutoff = time.time() - older_than_s
        for leftover in self.tmp.glob("*.part"):
            if leftover.with_suffix(".json").exists():
                continue  # a resumable upload's: kept a day (footage_resume)
            with contextlib.suppress(FileNotFoundError):
                if leftover.stat().st_mtime < cutoff:
                    leftover.unlink()
                    gone += 1
        return gone

    def begin(self) -> Upload:
        return Upload(self, self.max_bytes)

    def keep(self, temp: Path, kind: str, digest: str, size: int) -> Stored:
        ext, content_type = KINDS[kind]
        relative = f"files/{digest[:2]}/{digest[2:4]}/{digest}.{ext}"
        target = self.root / relative
        if not target.exists():  # the same bytes are kept once
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(temp, target)
        return Stored(kind=kind, content_type=content_type, path=relative, size=size,
                      sha256=digest)

    def forget(self, relative: str) -> None:
        """Remove a stored file no request names (its upload was refused at the end)."""
        self.open_path(relative).unlink(missing_ok=True)

    def open_path(self, relative: str) -> Path:
        path = (self.root / relative).resolve()
        if not path.is_relative_to(self.root.resolve()) or not path.is_file():
            raise NotFound("this footage file is not in the store")
        return path
