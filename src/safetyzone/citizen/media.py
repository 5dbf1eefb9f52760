"""PLACEHOLDER (citizen-core): the media helper's ``MediaStore`` replaces this file at merge.

Only the interface the service is written against, with the least behaviour its tests need:
the type is sniffed from the first bytes (JPEG, PNG, WebP; Ogg, WebM, MP4/M4A audio), sizes
are checked, the bytes are stored as they came. No EXIF reading or stripping and no
thumbnails here: that is the real store's job.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from safetyzone.citizen.models import MediaKind
from safetyzone.core.errors import InvalidInput, PayloadTooLarge, Problem

_SNIFF: tuple[tuple[bytes, int, MediaKind, str], ...] = (
    (b"\xff\xd8\xff", 0, MediaKind.PHOTO, "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", 0, MediaKind.PHOTO, "image/png"),
    (b"WEBP", 8, MediaKind.PHOTO, "image/webp"),
    (b"OggS", 0, MediaKind.VOICE, "audio/ogg"),
    (b"\x1a\x45\xdf\xa3", 0, MediaKind.VOICE, "audio/webm"),
    (b"ftyp", 4, MediaKind.VOICE, "audio/mp4"),
)


@dataclass(frozen=True)
class StoredMedia:
    kind: MediaKind
    content_type: str
    size: int
    sha256: str
    path: str
    thumb_path: str | None
    exif_lat: float | None
    exif_lon: float | None


class MediaStore:
    def __init__(self, root: Path, *, max_photo_bytes: int, max_voice_bytes: int) -> None:
        self.root = root
        self.max_photo_bytes = max_photo_bytes
        self.max_voice_bytes = max_voice_bytes
        self.max_bytes = {MediaKind.PHOTO: max_photo_bytes, MediaKind.VOICE: max_voice_bytes}

    def accept(self, data: bytes, *, declared_type: str | None,
               allow: set[MediaKind]) -> StoredMedia:
        sniffed = next(((kind, ctype) for magic, at, kind, ctype in _SNIFF
                        if data[at:at + len(magic)] == magic), None)
        if sniffed is None or sniffed[0] not in allow:
            raise InvalidInput("not a photo or voice note this ticket accepts",
                               [Problem(f"allowed: {sorted(k.value for k in allow)}", "file")])
        kind, content_type = sniffed
        if len(data) > self.max_bytes[kind]:
            raise PayloadTooLarge(f"a {kind.value} may be at most {self.max_bytes[kind]} bytes")
        digest = hashlib.sha256(data).hexdigest()
        relative = f"{digest[:2]}/{digest}"
        target = self.root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        return StoredMedia(kind=kind, content_type=content_type, size=len(data), sha256=digest,
                           path=relative, thumb_path=None, exif_lat=None, exif_lon=None)

    def open(self, path: str) -> Path:
        return self.root / path

    def delete(self, path: str) -> None:
        (self.root / path).unlink(missing_ok=True)
