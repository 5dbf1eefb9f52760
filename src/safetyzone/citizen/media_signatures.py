"""Voice-note containers and HEIF pictures, told apart by their first bytes.

Only signatures: enough to refuse what is not a voice note before it is stored, never a
parse of the audio (the media store keeps voice notes as sent). Each check reads no byte it
has not checked is there, so any input, however short, gives an answer and no exception.
"""

from __future__ import annotations

from collections.abc import Callable

_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1",
                b"avif", b"avis"}
_AUDIO_BRANDS = {b"M4A ", b"M4B ", b"mp41", b"mp42", b"isom", b"iso2", b"iso4", b"iso5",
                 b"iso6", b"dash", b"3gp4", b"3gp5", b"3gp6", b"3g2a"}
_OGG_CODECS = (b"OpusHead", b"\x01vorbis", b"Speex   ", b"\x7fFLAC")
# MPEG audio Layer III: kbit/s by bitrate index (MPEG-1; MPEG-2 and 2.5) and Hz by version
_MP3_KBPS = {3: (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
             2: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160)}
_MP3_HZ = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}


def _ftyp_brand(data: bytes) -> bytes | None:
    return data[8:12] if len(data) >= 12 and data[4:8] == b"ftyp" else None


def is_heif(data: bytes) -> bool:
    """A HEIC/HEIF or AVIF picture (an ISO media file whose major brand says so)."""
    return _ftyp_brand(data) in _HEIF_BRANDS


def _is_webm(data: bytes) -> bool:
    head = data[:64]
    at = head.find(b"\x42\x82")  # EBML DocType
    return data[:4] == b"\x1a\x45\xdf\xa3" and at >= 0 and b"webm" in head[at + 2:at + 12]


def _is_ogg(data: bytes) -> bool:
    """An Ogg stream's first page (beginning-of-stream flag) opening an audio codec."""
    if len(data) < 28 or data[:5] != b"OggS\x00" or not data[5] & 0x02:
        return False
    payload = 27 + data[26]
    return any(data[payload:payload + len(codec)] == codec for codec in _OGG_CODECS)


def _is_m4a(data: bytes) -> bool:
    return _ftyp_brand(data) in _AUDIO_BRANDS


def _mp3_frame_length(header: bytes) -> int | None:
    if len(header) < 4 or header[0] != 0xFF or header[1] & 0xE0 != 0xE0:
        return None
    version, layer = (header[1] >> 3) & 3, (header[1] >> 1) & 3
    kbps_index, hz_index, padding = header[2] >> 4, (header[2] >> 2) & 3, (header[2] >> 1) & 1
    if version == 1 or layer != 1 or kbps_index in {0, 15} or hz_index == 3:
        return None
    kbps = _MP3_KBPS[3 if version == 3 else 2][kbps_index]
    samples_per_8 = 144 if version == 3 else 72
    return samples_per_8 * kbps * 1000 // _MP3_HZ[version][hz_index] + padding


def _is_mp3(data: bytes) -> bool:
    """An MPEG Layer III frame (after an ID3v2 tag, if any), followed by another if the data
    goes on: one frame header alone matches too much by chance."""
    start = 0
    if data[:3] == b"ID3" and len(data) >= 10:
        size = data[6:10]
        if any(byte & 0x80 for byte in size):
            return False
        start = 10 + (size[0] << 21 | size[1] << 14 | size[2] << 7 | size[3])
        start += 10 if data[5] & 0x10 else 0  # footer
    length = _mp3_frame_length(data[start:start + 4])
    if length is None:
        return False
    following = start + length
    return len(data) < following + 4 or _mp3_frame_length(data[following:following + 4]) is not None


_VOICE: tuple[tuple[Callable[[bytes], bool], str, str], ...] = (
    (_is_webm, "webm", "audio/webm"), (_is_ogg, "ogg", "audio/ogg"),
    (_is_m4a, "m4a", "audio/mp4"), (_is_mp3, "mp3", "audio/mpeg"))


def voice_format(data: bytes) -> tuple[str, str] | None:
    """(extension, content type) of a voice container, by signature; ``None`` otherwise."""
    return next(((ext, kind) for matches, ext, kind in _VOICE if matches(data)), None)
