"""Framing: bytes from a socket -> whole DC-09 frames -> the checked body of one frame.

A frame on the wire (DC-09 5.5.1)::

    offset  size  field
    0       1     <LF> 0x0A
    1       4     CRC-16/ARC of the body, 4 hex digits
    5       4     length of the body, "0" + 3 hex digits
    9       n     body: "id"seq[Rrcvr]Lpref[#acct][data][xdata]...[_timestamp]
    9+n     1     <CR> 0x0D

The stream framer cuts frames at LF ... CR and never trusts the length field to find the
end: a frame is at most ``MAX_FRAME_BYTES`` long, a new LF before the CR restarts the frame,
and bytes outside frames are counted and dropped. ``open_envelope`` then checks the CRC and
the length of one frame before anything reads the body.
"""

from __future__ import annotations

import string
from dataclasses import dataclass

from safetyzone.adapters.sia_dc09.crc import crc16
from safetyzone.adapters.sia_dc09.errors import FrameRejected

LF, CR = b"\n", b"\r"
CRC_AT, CRC_LEN = 1, 4
LENGTH_AT, LENGTH_LEN = 5, 4
BODY_AT = 9
MAX_BODY_BYTES = 0xFFF
MAX_FRAME_BYTES = BODY_AT + MAX_BODY_BYTES + 1
_HEX = frozenset(string.hexdigits.encode())


@dataclass(frozen=True)
class Envelope:
    """A frame whose CRC and length were checked; ``body`` is what the CRC covers."""

    crc: int
    body: bytes
    length_quirk: bool = False
    """True when the length field was written in decimal (a known panel bug, accepted)."""


class StreamFramer:
    """Cut a TCP byte stream, arriving in any chunks, into LF ... CR frames."""

    def __init__(self, max_frame_bytes: int = MAX_FRAME_BYTES) -> None:
        if max_frame_bytes < BODY_AT + 1:
            raise ValueError("max_frame_bytes cannot hold a frame header")
        self._max = max_frame_bytes
        self._buf = bytearray()
        self.discarded_bytes = 0

    @property
    def pending(self) -> int:
        """Bytes held for a frame not yet complete (never more than the maximum frame)."""
        return len(self._buf)

    def feed(self, data: bytes) -> list[bytes]:
        """Add received bytes; return the frames they complete, LF and CR included."""
        self._buf += data
        frames: list[bytes] = []
        while self._buf:
            start = self._buf.find(LF)
            if start < 0:
                self._discard(len(self._buf))
                break
            self._discard(start)
            end = self._buf.find(CR, 1, self._max)
            restart = self._buf.find(LF, 1, end if end >= 0 else self._max)
            if restart >= 0:
                self._discard(restart)
            elif end >= 0:
                frames.append(bytes(self._buf[: end + 1]))
                del self._buf[: end + 1]
            elif len(self._buf) >= self._max:
                self._discard(self._max)
            else:
                break
        return frames

    def _discard(self, n: int) -> None:
        if n:
            del self._buf[:n]
            self.discarded_bytes += n


def frames_in_datagram(datagram: bytes, max_frame_bytes: int = MAX_FRAME_BYTES) -> list[bytes]:
    """Return the frames of one UDP datagram; nothing carries over to the next datagram."""
    return StreamFramer(max_frame_bytes).feed(datagram)


def open_envelope(frame: bytes, *, accept_decimal_length: bool = True) -> Envelope:
    """Check LF, CR, the CRC and the length of one frame; return its body.

    Raises ``FrameRejected`` (answer nothing) on any fault. A length field that is wrong as
    hex but right when read as decimal is accepted when ``accept_decimal_length`` is set,
    since the CRC still vouches for the body.
    """
    if len(frame) < BODY_AT + 1 or len(frame) > MAX_FRAME_BYTES:
        raise FrameRejected("frame too short or too long")
    if frame[:1] != LF or frame[-1:] != CR:
        raise FrameRejected("frame does not run from LF to CR")
    crc_field = frame[CRC_AT : CRC_AT + CRC_LEN]
    length_field = frame[LENGTH_AT : LENGTH_AT + LENGTH_LEN]
    if not _HEX.issuperset(crc_field) or not _HEX.issuperset(length_field):
        raise FrameRejected("CRC or length field is not hex")
    body = frame[BODY_AT:-1]
    quirk = False
    if int(length_field, 16) != len(body):
        quirk = accept_decimal_length and length_field.isdigit() and int(length_field) == len(
            body
        )
        if not quirk:
            raise FrameRejected(
                f"length field {length_field.decode()} but body has {len(body)} bytes"
            )
    crc = crc16(body)
    if int(crc_field, 16) != crc:
        raise FrameRejected(f"CRC field {crc_field.decode()} but body CRC is {crc:04X}")
    return Envelope(crc=crc, body=body, length_quirk=quirk)
