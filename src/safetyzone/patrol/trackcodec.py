"""The compact wire format of a unit's GPS track: delta + zigzag-varint encoded fixes.

A unit reporting every 5 s sends 17,280 fixes a day; 10,000 units would fill a table of one row
per fix at ~100 bytes each with 17 GB a day. Stored here, a fix costs about 7 bytes: each field
is the difference from the previous fix, zigzag-mapped (small negatives stay small) and written
as a LEB128 varint (7 bits a byte), so a car at a steady pace costs one byte of time and two
bytes each of latitude and longitude.

Quanta (what a round trip keeps): time 1 ms, latitude/longitude 1e-6 degree (~0.11 m), speed
0.1 m/s, accuracy 0.1 m. A record, in order:

    1. zigzag(dt - previous dt) << 1 | suspect   (delta of delta: a steady rate costs 1 byte)
    2. zigzag(lat - previous lat)
    3. zigzag(lon - previous lon)
    4. 0 when no speed, else zigzag(speed - previous speed) + 1
    5. 0 when no accuracy, else zigzag(accuracy - previous accuracy) + 1

"Previous" is the :class:`State` after the record before; a chunk starts from
``State.start(t0)`` (its first fix's time, dt 0, everything else 0). The state after the last
record is kept beside the bytes (the chunk row's ``last_*`` columns), so appending to a chunk
encodes the new fixes from that state and concatenates, without decoding what is there.

The codec itself does not sort: a negative dt encodes and decodes like any other. Keeping a
track in time order is the caller's job (``patrol.live``: a late fix re-encodes its chunk).
Pure functions, no database; a truncated or overlong buffer raises :class:`CodecError`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MS = timedelta(milliseconds=1)
DEG = 1_000_000  # quanta per degree
TENTHS = 10  # quanta per m/s of speed and per metre of accuracy
MAX_VARINT_BYTES = 10  # 64 bits at 7 a byte


class CodecError(ValueError):
    """The bytes are not a track this codec wrote (cut short, or a varint too long)."""


class Fix(NamedTuple):
    """One fix in quanta: ms since the epoch, 1e-6 degrees, 0.1 m/s, 0.1 m."""

    t: int
    lat: int
    lon: int
    speed: int | None = None
    acc: int | None = None
    suspect: bool = False


@dataclass(frozen=True)
class State:
    """What the next record is encoded against: the last fix's time, dt and values.

    ``speed`` and ``acc`` are the last values present (a fix without them leaves them).
    """

    t: int
    dt: int = 0
    lat: int = 0
    lon: int = 0
    speed: int = 0
    acc: int = 0

    @classmethod
    def start(cls, t0: int) -> State:
        """The state a chunk whose first fix is at ``t0`` starts from."""
        return cls(t=t0)


# ------------------------------------------------------------------ quanta


def to_ms(at: datetime) -> int:
    """Milliseconds since the epoch, exactly (integer arithmetic, no float rounding)."""
    return (at - EPOCH) // MS


def from_ms(t: int) -> datetime:
    return EPOCH + t * MS


def quantize(at: datetime, lat: float, lon: float, speed_mps: float | None = None,
             accuracy_m: float | None = None, suspect: bool = False) -> Fix:
    return Fix(to_ms(at), round(lat * DEG), round(lon * DEG),
               None if speed_mps is None else round(speed_mps * TENTHS),
               None if accuracy_m is None else round(accuracy_m * TENTHS), suspect)


def degrees(value: int) -> float:
    return value / DEG


def tenths(value: int | None) -> float | None:
    return None if value is None else value / TENTHS


# ------------------------------------------------------------------ varints


def zigzag(n: int) -> int:
    """0, -1, 1, -2, 2 ... -> 0, 1, 2, 3, 4 ... (small magnitudes stay small)."""
    return n * 2 if n >= 0 else -n * 2 - 1


def unzigzag(z: int) -> int:
    return (z >> 1) ^ -(z & 1)


def _put(out: bytearray, value: int) -> None:
    while value > 0x7F:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)


# ------------------------------------------------------------------ records


def encode(fixes: Iterable[Fix], state: State) -> tuple[bytes, State]:
    """The records of ``fixes`` after ``state``, and the state after the last of them."""
    out = bytearray()
    t, dt, lat, lon, speed, acc = state.t, state.dt, state.lat, state.lon, state.speed, state.acc
    for fix in fixes:
        new_dt = fix.t - t
        _put(out, zigzag(new_dt - dt) << 1 | fix.suspect)
        _put(out, zigzag(fix.lat - lat))
        _put(out, zigzag(fix.lon - lon))
        if fix.speed is None:
            out.append(0)
        else:
            _put(out, zigzag(fix.speed - speed) + 1)
            speed = fix.speed
        if fix.acc is None:
            out.append(0)
        else:
            _put(out, zigzag(fix.acc - acc) + 1)
            acc = fix.acc
        t, dt, lat, lon = fix.t, new_dt, fix.lat, fix.lon
    return bytes(out), State(t, dt, lat, lon, speed, acc)


def decode(data: bytes, state: State) -> list[Fix]:
    """Every fix in ``data``, encoded after ``state`` (a chunk: ``State.start(t0)``).

    Replaying a shift decodes thousands of fixes: the varints are read in one tight pass,
    then the records are rebuilt from them five at a time.
    """
    values: list[int] = []
    value = shift = 0
    for byte in data:
        value |= (byte & 0x7F) << shift
        if byte & 0x80:
            shift += 7
            if shift >= 7 * MAX_VARINT_BYTES:
                raise CodecError(f"a value longer than {MAX_VARINT_BYTES} bytes: not track data")
        else:
            values.append(value)
            value = shift = 0
    if shift or len(values) % 5:
        raise CodecError("track data cut short inside a value or a record")
    fixes: list[Fix] = []
    append = fixes.append
    t, dt, lat, lon, speed, acc = state.t, state.dt, state.lat, state.lon, state.speed, state.acc
    for i in range(0, len(values), 5):
        head, z_lat, z_lon, z_speed, z_acc = values[i:i + 5]
        z = head >> 1
        dt += (z >> 1) ^ -(z & 1)
        t += dt
        lat += (z_lat >> 1) ^ -(z_lat & 1)
        lon += (z_lon >> 1) ^ -(z_lon & 1)
        fix_speed = fix_acc = None
        if z_speed:
            z_speed -= 1
            speed += (z_speed >> 1) ^ -(z_speed & 1)
            fix_speed = speed
        if z_acc:
            z_acc -= 1
            acc += (z_acc >> 1) ^ -(z_acc & 1)
            fix_acc = acc
        append(Fix(t, lat, lon, fix_speed, fix_acc, bool(head & 1)))
    return fixes


def encode_chunk(fixes: Sequence[Fix]) -> tuple[bytes, State]:
    """A whole chunk from scratch (its first fix's time is the base): for re-encoding."""
    if not fixes:
        raise ValueError("a chunk holds at least one fix")
    return encode(fixes, State.start(fixes[0].t))
