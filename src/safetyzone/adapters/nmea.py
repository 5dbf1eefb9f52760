"""NMEA 0183 ``$--RMC`` from simple trackers over TCP: a line framer and an RMC decoder.

Framing (:class:`NmeaFramer`): bytes in, one sentence per CR, LF or CRLF out; input may be
split or concatenated anyhow. A line longer than ``max_line`` is dropped (and counted in
``dropped``), so a peer that never sends a line end cannot make the server buffer forever.

Decoding (:func:`parse_rmc`), field layout of ``$GPRMC`` / ``$GNRMC`` (NMEA 0183 2.x-4.1):

=====  ===================  ==========================================================
index  field                 use
=====  ===================  ==========================================================
0      talker + ``RMC``      ``GP`` GPS, ``GN`` multi-constellation (also GL, GA, GB, BD)
1      hhmmss(.sss)          UTC time of fix
2      status                ``A`` valid, ``V`` no fix (-> ``None``)
3, 4   ddmm.mmmm, N/S        latitude
5, 6   dddmm.mmmm, E/W       longitude
7      speed                 KNOTS -> ``speed_mps``
8      course                degrees true -> ``heading_deg`` (may be empty)
9      ddmmyy                UTC date of fix
10,11  magnetic variation    ignored
12     mode (NMEA 2.3+)      ``N`` data not valid (-> ``None``); kept as attribute ``mode``
13     nav status (4.1)      ignored
=====  ===================  ==========================================================

The checksum (``*HH``: XOR of every byte between ``$`` and ``*``) is required and verified.

Device id: RMC carries none. Simple trackers send their IMEI in a login or prefix line of
their own (Xexun, GPS103, ...); the TCP server that owns the connection reads that and passes
it as ``device_id``. ``device_event_id`` is ``nmea:<device id>:<fix time in ms>``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from pydantic import ValidationError

from safetyzone.adapters.errors import (
    AdapterError,
    check_event_time,
    check_position,
    check_range,
    epoch_ms,
    event_id,
    parse_number,
    quote,
)
from safetyzone.core.events import EventKind, GpsIn, GpsPayload, Location

KNOT_MPS = 1852 / 3600
MAX_SENTENCE = 128  # NMEA allows 82 characters; some trackers append a little more
TALKERS = frozenset({"GP", "GN", "GL", "GA", "GB", "BD"})
MIN_RMC_FIELDS = 10  # up to and including the date
_SENTENCE = re.compile(r"\$(?P<body>[^$*]*)\*(?P<checksum>[0-9A-Fa-f]{2})")
_TIME = re.compile(r"(?P<h>[0-9]{2})(?P<m>[0-9]{2})(?P<s>[0-9]{2})(?:\.(?P<frac>[0-9]{1,6}))?")
_DATE = re.compile(r"(?P<d>[0-9]{2})(?P<m>[0-9]{2})(?P<y>[0-9]{2})")
_ANGLE = re.compile(r"[0-9]{1,5}(?:\.[0-9]{1,8})?")


_EOL = re.compile(rb"[\r\n]")


@dataclass
class NmeaFramer:
    """Cut a TCP byte stream into NMEA lines; tolerant of CR, LF, CRLF and odd splits."""

    max_line: int = 256
    dropped: int = field(default=0, init=False)
    _buffer: bytearray = field(default_factory=bytearray, init=False, repr=False)
    _skipping: bool = field(default=False, init=False, repr=False)

    def feed(self, data: bytes) -> list[str]:
        """Add received bytes; return every complete, non-empty line (ASCII, stripped)."""
        *complete, tail = _EOL.split(data)
        lines: list[str] = []
        for piece in complete:
            if not self._skipping:
                if len(self._buffer) + len(piece) <= self.max_line:
                    self._buffer += piece
                    text = self._buffer.decode("ascii", "replace").strip()
                    if text:
                        lines.append(text)
                else:
                    self.dropped += 1
            self._buffer.clear()
            self._skipping = False
        if not self._skipping:
            if len(self._buffer) + len(tail) > self.max_line:
                self._buffer.clear()
                self._skipping = True
                self.dropped += 1
            else:
                self._buffer += tail
        return lines


def checksum(body: str) -> int:
    """XOR of the characters between ``$`` and ``*``."""
    value = 0
    for char in body.encode("ascii", "replace"):
        value ^= char
    return value


def sentence_type(line: str) -> str | None:
    """``'RMC'`` for ``$GPRMC,...``; None for anything that is not an NMEA sentence."""
    if not line.startswith("$") or len(line) < 6 or not line[1:6].isalpha():
        return None
    return line[3:6].upper()


def parse_rmc(sentence: str, *, device_id: str, received_at: datetime) -> GpsIn | None:
    """Decode one ``$--RMC`` sentence; None when the receiver had no fix (status ``V``)."""
    fields = _verified_fields(sentence.strip())
    if len(fields) < MIN_RMC_FIELDS:
        raise AdapterError(f"RMC sentence has {len(fields)} fields, at least 10 expected")
    talker, kind = fields[0][:2], fields[0][2:]
    if kind != "RMC" or talker not in TALKERS:
        raise AdapterError(f"not an RMC sentence: {quote(fields[0])}")
    status = fields[2]
    mode = fields[12] if len(fields) > 12 else ""
    if status == "V" or mode == "N":
        return None
    if status != "A":
        raise AdapterError(f"RMC status must be A or V, got {quote(status)}")
    if not device_id.strip():
        raise AdapterError("device id is missing")
    lat = _angle(fields[3], fields[4], "latitude", "NS", 90)
    lon = _angle(fields[5], fields[6], "longitude", "EW", 180)
    check_position(lat, lon)
    when = check_event_time(_fix_time(fields[1], fields[9]), received_at=received_at)
    speed = None
    if fields[7]:
        speed = check_range(parse_number(fields[7], "speed") * KNOT_MPS, "speed (m/s)", 0, 150)
    heading = None
    if fields[8]:
        heading = check_range(parse_number(fields[8], "course"), "course", 0, 360)
    attributes: dict[str, str | float | int | bool] = {"talker": talker}
    if mode:
        attributes["mode"] = mode[:1]
    try:
        return GpsIn(
            kind=EventKind.GPS_POSITION,
            device_event_id=event_id("nmea", device_id.strip(), str(epoch_ms(when))),
            event_time=when,
            location=Location(lat=lat, lon=lon),
            payload=GpsPayload(speed_mps=speed, heading_deg=heading, attributes=attributes),
        )
    except ValidationError as err:
        raise AdapterError(f"RMC fix is not valid: {err.errors()[0]['msg']}") from err


def _verified_fields(sentence: str) -> list[str]:
    """Check framing and checksum before reading any field."""
    if len(sentence) > MAX_SENTENCE:
        raise AdapterError(f"NMEA sentence is longer than {MAX_SENTENCE} characters")
    match = _SENTENCE.fullmatch(sentence)
    if match is None:
        raise AdapterError(f"not an NMEA sentence with a checksum: {quote(sentence)}")
    body = match["body"]
    expected = int(match["checksum"], 16)
    if checksum(body) != expected:
        raise AdapterError(
            f"NMEA checksum mismatch: sentence says {expected:02X}, "
            f"content gives {checksum(body):02X}"
        )
    return body.split(",")


def _angle(value: str, hemisphere: str, what: str, signs: str, limit: float) -> float:
    """``ddmm.mmmm`` / ``dddmm.mmmm`` plus hemisphere letter to signed decimal degrees."""
    if not _ANGLE.fullmatch(value) or hemisphere not in signs:
        raise AdapterError(f"{what} {quote(value + ',' + hemisphere)} is not ddmm.mmmm,{signs}")
    raw = float(value)
    degrees = int(raw // 100)
    minutes = raw - degrees * 100
    if minutes >= 60:
        raise AdapterError(f"{what} {quote(value)} has {minutes:g} minutes")
    decimal = check_range(degrees + minutes / 60, what, 0, limit)
    return -decimal if hemisphere == signs[1] else decimal


def _fix_time(time_text: str, date_text: str) -> datetime:
    """``hhmmss(.sss)`` and ``ddmmyy`` (UTC) to a datetime; years 80-99 are 19xx."""
    time_match = _TIME.fullmatch(time_text)
    date_match = _DATE.fullmatch(date_text)
    if time_match is None or date_match is None:
        raise AdapterError(f"RMC time/date {quote(time_text + ' ' + date_text)} is not valid")
    year = int(date_match["y"])
    year += 1900 if year >= 80 else 2000
    micro = int((time_match["frac"] or "0").ljust(6, "0"))
    try:
        return datetime(
            year, int(date_match["m"]), int(date_match["d"]),
            int(time_match["h"]), int(time_match["m"]), int(time_match["s"]), micro, tzinfo=UTC,
        )
    except ValueError as err:
        raise AdapterError(f"RMC date/time {date_text} {time_text} does not exist") from err
