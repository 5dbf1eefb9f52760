"""The store for citizens' photos and voice notes: what is kept, and what is thrown away.

Privacy first (PDPA). A phone photo carries much more than the picture: its EXIF names the
phone and its serial number, the second it was taken and, above all, where, which is often
the sender's home; XMP, ICC profile descriptions, JPEG comments and PNG text chunks can hold
the same and more. The station needs the picture, and the place only as a hint for the
operator. So the store reads the GPS position once and hands it back (the caller keeps it
beside the report, as ``exif_lat``/``exif_lon``, where retention and scope rules apply),
then keeps nothing but pixels: orientation applied first so the picture stays upright,
colours converted to sRGB, and the picture re-encoded into a new file without any metadata.
The encoded copy is opened again and checked to hold none before it is written, so a Pillow
change that starts carrying a chunk over fails loudly instead of leaking. The uploaded
bytes themselves never reach the disk.

Trust the bytes, not the label. The kind is decided by decoding (photos: JPEG, PNG, WebP
through Pillow) or by the container's signature (voice: WebM, Ogg, MP4/M4A, MP3: what
browsers' MediaRecorder and LINE send); the declared content type and the file name decide
nothing. HEIC/HEIF and AVIF are refused with a message that says so (Pillow reads neither
without a plugin, and iOS Safari normally converts HEIC to JPEG when a page asks for an
image). Voice notes are kept as sent, after the signature check: re-encoding audio would need
a codec stack on the server, and the recordings browsers make carry no position.

Refusals (``safetyzone.core.errors``; nothing is written when one is raised):

- 413 ``PayloadTooLarge``: over the byte limit of its kind, or a photo of more than
  ``max_pixels`` (40 MP), read from the header before a pixel is decoded, so a decompression
  bomb (a 50 KB PNG that claims 20000 x 20000 pixels) costs almost nothing;
- 415 ``UnsupportedMediaType``: the bytes are no kind this call takes (a text file named
  .jpg, a GIF, a HEIC, a voice note where only photos are taken);
- 422 ``InvalidInput``: an empty file, or one of a kind we take that does not decode (a
  truncated or corrupt JPEG): the sender should try again rather than convert.

Files are named by the SHA-256 of the stored bytes under ``photo/ab/cd/`` or ``voice/ab/cd/``
(two shard levels keep directories small), written to a temporary file, synced and renamed,
so no reader sees half a file. The same content is stored once, and any file can be checked
against its name. Paths handed out are relative to the root (the database keeps them; the
root may move). ``accept`` is CPU work: call it from a plain ``def`` route or a thread.
"""

from __future__ import annotations

import enum
import functools
import hashlib
import io
import logging
import math
import os
import re
import struct
import tempfile
from dataclasses import dataclass
from pathlib import Path

from PIL import ExifTags, Image, ImageCms, UnidentifiedImageError
from PIL.TiffImagePlugin import IFDRational

from safetyzone.citizen.media_signatures import is_heif, voice_format
from safetyzone.core.errors import (
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    Problem,
    UnsupportedMediaType,
)

log = logging.getLogger(__name__)

MAX_PIXELS = 40_000_000
"""Largest photo decoded. Phones send 12-24 MP by default; 40 MP bounds one decoded photo to
about 160 MB (RGBA) while a citizen's upload is handled."""
THUMB_SIDE = 320
"""Long side of a thumbnail, in pixels: sharp on a phone's list and the console's queue."""
PHOTO_QUALITY = 90
THUMB_QUALITY = 80

# Pillow's format -> (format written, file extension, content type)
_PHOTO_FORMATS = {
    "JPEG": ("JPEG", "jpg", "image/jpeg"),
    "MPO": ("JPEG", "jpg", "image/jpeg"),  # a JPEG with a second picture (some phones)
    "PNG": ("PNG", "png", "image/png"),
    "WEBP": ("WEBP", "webp", "image/webp"),
}
# What a clean encoded copy may still say about itself: encoder facts, nothing about anyone.
_HARMLESS_INFO = {"jfif", "jfif_version", "jfif_unit", "jfif_density", "dpi", "progressive",
                  "progression", "loop", "duration", "background", "timestamp"}
_TRANSPOSE = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
              4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE,
              6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
              8: Image.Transpose.ROTATE_90}
# Decoding untrusted bytes: whatever Pillow raises on a damaged file is the file's fault.
_DAMAGED = (OSError, SyntaxError, ValueError, EOFError, struct.error, IndexError, TypeError,
            KeyError, ZeroDivisionError)
_PATH = re.compile(r"(photo|voice)/([0-9a-f]{2})/([0-9a-f]{2})/\2\3[0-9a-f]{60}"
                   r"(\.thumb)?\.(jpg|png|webp|webm|ogg|m4a|mp3)")
_PHOTO_KINDS = "a JPEG, PNG or WebP photo"
_VOICE_KINDS = "a WebM, Ogg, MP4/M4A or MP3 voice note"


class MediaKind(enum.StrEnum):
    PHOTO = "photo"
    VOICE = "voice"


@dataclass(frozen=True)
class StoredMedia:
    """One stored file: what it is, where it lies (relative to the store's root), and the
    position its EXIF gave before it was stripped (``None`` when it had none)."""

    kind: MediaKind
    content_type: str
    size: int
    sha256: str
    path: str
    thumb_path: str | None
    exif_lat: float | None
    exif_lon: float | None
    width: int | None
    height: int | None


class MediaStore:
    """Citizens' photos and voice notes on disk, named by content, stripped of metadata."""

    def __init__(self, root: Path, *, max_photo_bytes: int = 8_000_000,
                 max_voice_bytes: int = 2_000_000, max_pixels: int = MAX_PIXELS) -> None:
        self._root = root
        self.max_photo_bytes = max_photo_bytes
        self.max_voice_bytes = max_voice_bytes
        self.max_pixels = max_pixels

    def accept(self, data: bytes, *, declared_type: str | None,
               allow: set[MediaKind]) -> StoredMedia:
        """Check, clean and store one upload; refuse it (and write nothing) when it is not a
        kind in ``allow``. ``declared_type`` is only logged: the bytes decide."""
        if not allow:
            raise ValueError("allow names no kind of media")
        if not data:
            raise InvalidInput("the file is empty", [Problem("empty file", field="file")])
        limits = {MediaKind.PHOTO: self.max_photo_bytes, MediaKind.VOICE: self.max_voice_bytes}
        largest = max(limits[kind] for kind in allow)
        if len(data) > largest:  # refused before a byte of it is looked at
            raise _too_large(len(data), largest)
        voice = voice_format(data)
        if voice is not None:
            if MediaKind.VOICE not in allow:
                raise _unsupported(f"a voice note is not taken here: send {_PHOTO_KINDS}")
            if len(data) > self.max_voice_bytes:
                raise _too_large(len(data), self.max_voice_bytes)
            stored = self._keep_voice(data, *voice)
        elif MediaKind.PHOTO not in allow:
            raise _unsupported(f"the file is not {_VOICE_KINDS}")
        else:
            _refuse_heif(data)
            if len(data) > self.max_photo_bytes:
                raise _too_large(len(data), self.max_photo_bytes)
            either = f" nor {_VOICE_KINDS}" if MediaKind.VOICE in allow else ""
            stored = self._keep_photo(data, either)
        if declared_type and declared_type.split(";")[0].strip() != stored.content_type:
            log.debug("upload declared %r; its bytes are %s", declared_type[:80],
                      stored.content_type)
        return stored

    def open(self, path: str) -> Path:
        """The file at a path this store handed out; ``NotFound`` for anything else (a path
        that leaves the root, through ``..`` or a link, is never opened)."""
        full = self._inside(path)
        root = self._root.resolve()
        resolved = full.resolve()
        if not resolved.is_relative_to(root) or not resolved.is_file():
            raise NotFound("no such media file")
        return resolved

    def delete(self, path: str | None) -> None:
        """Remove a stored file, and a photo's thumbnail with it; a missing file is fine.

        Identical uploads share one file: call this only when no row references the path.
        """
        if path is None:
            return
        full = self._inside(path)
        if not full.parent.resolve().is_relative_to(self._root.resolve()):
            raise NotFound("no such media file")
        full.unlink(missing_ok=True)
        if path.startswith("photo/") and ".thumb." not in path:
            full.with_name(full.name.split(".")[0] + ".thumb.jpg").unlink(missing_ok=True)

    def _inside(self, path: str) -> Path:
        if not isinstance(path, str) or _PATH.fullmatch(path) is None:
            raise NotFound("no such media file")
        return self._root / path

    def _keep_voice(self, data: bytes, ext: str, content_type: str) -> StoredMedia:
        digest = hashlib.sha256(data).hexdigest()
        path = _name(MediaKind.VOICE, digest, f".{ext}")
        self._write(path, data)
        return StoredMedia(MediaKind.VOICE, content_type, len(data), digest, path, None,
                           None, None, None, None)

    def _keep_photo(self, data: bytes, either: str) -> StoredMedia:
        try:
            image = Image.open(io.BytesIO(data), formats=("JPEG", "PNG", "WEBP"))
        except UnidentifiedImageError as err:
            raise _unsupported(f"the file is not {_PHOTO_KINDS}{either}") from err
        except Image.DecompressionBombError as err:
            raise _too_large_picture(self.max_pixels) from err
        except _DAMAGED as err:
            raise _damaged() from err
        with image:
            if image.width * image.height > self.max_pixels:
                raise _too_large_picture(self.max_pixels)
            try:
                image.load()
            except _DAMAGED as err:
                raise _damaged() from err
            written, ext, content_type = _PHOTO_FORMATS[image.format or "JPEG"]
            exif = _exif(image)
            position = gps_position(exif)
            clean = _pixels_only(image, orientation(exif), written)
        body = _encode(clean, written, PHOTO_QUALITY)
        _check_clean(body)
        thumb = _encode(_thumbnail(clean), "JPEG", THUMB_QUALITY)
        digest = hashlib.sha256(body).hexdigest()
        path = _name(MediaKind.PHOTO, digest, f".{ext}")
        thumb_path = _name(MediaKind.PHOTO, digest, ".thumb.jpg")
        self._write(path, body)
        self._write(thumb_path, thumb)
        lat, lon = position if position is not None else (None, None)
        return StoredMedia(MediaKind.PHOTO, content_type, len(body), digest, path, thumb_path,
                           lat, lon, clean.width, clean.height)

    def _write(self, path: str, content: bytes) -> None:
        """Write atomically: a temporary file in the same directory, synced, then renamed.
        A file already there has this very content (its name is the content's digest)."""
        final = self._root / path
        if final.is_file():
            return
        final.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=final.parent, prefix=".part-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(content)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, final)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        directory = os.open(final.parent, os.O_RDONLY)
        try:
            os.fsync(directory)  # the rename itself survives a power cut
        finally:
            os.close(directory)


def gps_position(exif: Image.Exif | None) -> tuple[float, float] | None:
    """Latitude and longitude from EXIF GPS tags, or ``None``.

    Degrees, minutes and seconds may be rationals, numbers or (numerator, denominator)
    pairs; S and W make the value negative. Anything missing, out of range or garbled gives
    ``None`` rather than an error, and so does 0,0: phones without a fix write it.
    """
    if exif is None:
        return None
    try:
        gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    except Exception:  # a garbled GPS directory must not cost the citizen their photo
        log.debug("unreadable EXIF GPS directory", exc_info=True)
        return None
    lat = _coordinate(gps.get(ExifTags.GPS.GPSLatitude), gps.get(ExifTags.GPS.GPSLatitudeRef),
                      "N", "S", 90.0)
    lon = _coordinate(gps.get(ExifTags.GPS.GPSLongitude),
                      gps.get(ExifTags.GPS.GPSLongitudeRef), "E", "W", 180.0)
    if lat is None or lon is None or (lat == 0 and lon == 0):
        return None
    return round(lat, 7), round(lon, 7)


def orientation(exif: Image.Exif | None) -> int:
    """The EXIF orientation (1-8); 1 (as stored) when missing or garbled."""
    value = exif.get(ExifTags.Base.Orientation) if exif is not None else None
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _coordinate(value: object, ref: object, positive: str, negative: str,
                limit: float) -> float | None:
    parts = value if isinstance(value, tuple | list) else (value,)
    if not 1 <= len(parts) <= 3:
        return None
    numbers: list[float] = []
    for part in parts:
        number = _number(part)
        if number is None:
            return None
        numbers.append(number)
    degrees, minutes, seconds = [*numbers, 0.0, 0.0][:3]
    if minutes >= 60 or seconds >= 60:
        return None
    result = degrees + minutes / 60 + seconds / 3600
    if result > limit:
        return None
    hemisphere = ref.decode("ascii", "replace") if isinstance(ref, bytes) else ref
    hemisphere = hemisphere.strip("\x00 ").upper() if isinstance(hemisphere, str) else ""
    if hemisphere == negative:
        return -result
    return result if hemisphere == positive else None  # no hemisphere: no guess


def _number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float | IFDRational):
        number = float(value)
    elif (isinstance(value, tuple) and len(value) == 2
          and all(isinstance(v, int) and not isinstance(v, bool) for v in value)):
        number = value[0] / value[1] if value[1] else math.nan
    else:
        return None
    return number if math.isfinite(number) and number >= 0 else None


def _exif(image: Image.Image) -> Image.Exif | None:
    try:
        return image.getexif()
    except Exception:  # garbled EXIF: the picture is still good, and is stripped anyway
        log.debug("unreadable EXIF", exc_info=True)
        return None


@functools.cache
def _srgb() -> ImageCms.ImageCmsProfile:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def _pixels_only(image: Image.Image, turn: int, written: str) -> Image.Image:
    """A new image with the pixels only: in sRGB, upright, in a mode ``written`` stores."""
    pixels = image
    icc = image.info.get("icc_profile")
    if icc and image.mode in {"RGB", "RGBA", "CMYK"}:
        try:
            pixels = ImageCms.profileToProfile(
                image, ImageCms.ImageCmsProfile(io.BytesIO(icc)), _srgb(),
                outputMode="RGBA" if image.mode == "RGBA" else "RGB") or image
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            log.debug("unusable ICC profile; pixels kept as they are", exc_info=True)
    method = _TRANSPOSE.get(turn)
    if method is not None:
        pixels = pixels.transpose(method)
    if written == "JPEG":
        mode = "L" if pixels.mode == "L" else "RGB"
    elif pixels.has_transparency_data:
        mode = "RGBA"
    else:
        mode = "L" if pixels.mode == "L" and written == "PNG" else "RGB"
    clean = pixels.convert(mode)  # always a new image, even in the same mode
    clean.info.clear()
    return clean


def _thumbnail(image: Image.Image) -> Image.Image:
    thumb = image.copy()
    thumb.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS)
    if thumb.mode in {"RGBA", "LA"}:
        flat = Image.new("RGB", thumb.size, (255, 255, 255))
        flat.paste(thumb, mask=thumb.getchannel("A"))
        return flat
    return thumb if thumb.mode in {"RGB", "L"} else thumb.convert("RGB")


def _encode(image: Image.Image, written: str, quality: int) -> bytes:
    out = io.BytesIO()
    if written == "JPEG":
        image.save(out, "JPEG", quality=quality, optimize=True)
    elif written == "PNG":
        image.save(out, "PNG")
    else:
        image.save(out, "WEBP", quality=quality, method=4)
    return out.getvalue()


def _check_clean(body: bytes) -> None:
    """Refuse to store a copy that still says anything besides its pixels."""
    with Image.open(io.BytesIO(body)) as check:
        check.load()  # PNG text after the image data is read only now
        leaked = sorted(set(check.info) - _HARMLESS_INFO)
        if leaked or check.getexif():
            raise RuntimeError(f"the stored copy would keep metadata: {leaked or ['exif']}")


def _name(kind: MediaKind, digest: str, suffix: str) -> str:
    return f"{kind.value}/{digest[:2]}/{digest[2:4]}/{digest}{suffix}"


def _too_large(size: int, limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(f"the file is {size} bytes; at most {limit} are taken",
                           [Problem(f"larger than {limit} bytes", field="file")])


def _too_large_picture(limit: int) -> PayloadTooLarge:
    megapixels = limit // 1_000_000
    return PayloadTooLarge(f"the photo has more than {megapixels} megapixels: send a smaller one",
                           [Problem(f"more than {megapixels} megapixels", field="file")])


def _unsupported(detail: str) -> UnsupportedMediaType:
    return UnsupportedMediaType(detail, [Problem("unsupported type", field="file")])


def _damaged() -> InvalidInput:
    return InvalidInput("the photo is damaged or incomplete: send it again",
                        [Problem("cannot be decoded", field="file")])


def _refuse_heif(data: bytes) -> None:
    if is_heif(data):
        raise _unsupported("HEIC/HEIF and AVIF photos are not supported: send a JPEG, PNG or "
                           "WebP (on an iPhone: Settings > Camera > Formats > Most Compatible)")
