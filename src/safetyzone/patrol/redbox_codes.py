"""What a red box's QR says, and how its signature and rotating code are checked.

The text is one line the officer app sends verbatim, fields joined by ``:`` (asset and
station codes may hold dots, never colons)::

    printed   SSZRB1:P:<box code>:<station code>:<key version>:<mac>
    rotating  SSZRB1:R:<box code>:<station code>:<8 digits>

``mac`` is HMAC-SHA256 with the box's secret over everything before it (``SSZRB1:P:...:
<version>``), truncated to 128 bits and written in base32 without padding (26 characters,
upper case, so a QR of upper-case codes stays in the compact alphanumeric mode). The
rotating code is RFC 6238 TOTP (HMAC-SHA1, 8 digits, ``patrol_totp_step_s``) over the same
secret, which is what a box's screen is provisioned with (``otpauth_uri``).

Nothing here touches the database; ``patrol.redbox`` decides what a parsed claim means.
"""

from __future__ import annotations

import base64
import enum
import hashlib
import hmac
import math
import re
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import pyotp

PREFIX = "SSZRB1"
SEP = ":"
MAX_CODE_CHARS = 512
"""Longer than any code this module writes (about 180 characters at most): anything longer
is not a red box code, whatever it says."""
SECRET_BYTES = 32
TOTP_DIGITS = 8
MAC_BYTES = 16
ISSUER = "SafetyZone"

_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
_VERSION = re.compile(r"[1-9][0-9]{0,8}")
_MAC = re.compile(r"[A-Z2-7]{26}")
_TOTP = re.compile(r"[0-9]{8}")


class KeyMode(enum.StrEnum):
    PRINTED = "printed"    # a QR printed once, signed with the box's key
    ROTATING = "rotating"  # a code on the box's screen that changes every step


@dataclass(frozen=True)
class PrintedClaim:
    box_code: str
    station_code: str
    version: int
    mac: str


@dataclass(frozen=True)
class RotatingClaim:
    box_code: str
    station_code: str
    code: str


Claim = PrintedClaim | RotatingClaim


def parse(text: str) -> Claim | None:
    """The claim in a scanned text, or ``None`` when it is no red box code at all.

    Only whitespace around the line is forgiven (scanner apps add a newline); case,
    separators and lengths must be exact.
    """
    if len(text) > MAX_CODE_CHARS:
        return None
    parts = text.strip().split(SEP)
    if len(parts) < 5 or parts[0] != PREFIX:
        return None
    kind, box, station = parts[1], parts[2], parts[3]
    if not (_CODE.fullmatch(box) and _CODE.fullmatch(station)):
        return None
    if kind == "P" and len(parts) == 6 and _VERSION.fullmatch(parts[4]) \
            and _MAC.fullmatch(parts[5]):
        return PrintedClaim(box, station, int(parts[4]), parts[5])
    if kind == "R" and len(parts) == 5 and _TOTP.fullmatch(parts[4]):
        return RotatingClaim(box, station, parts[4])
    return None


def new_secret() -> str:
    """A fresh box secret: 32 random bytes as base32 without padding (what TOTP apps read)."""
    return base64.b32encode(secrets.token_bytes(SECRET_BYTES)).decode().rstrip("=")


def _key(secret: str) -> bytes:
    return base64.b32decode(secret + "=" * (-len(secret) % 8))


def _signed_part(box_code: str, station_code: str, version: int) -> str:
    return SEP.join((PREFIX, "P", box_code, station_code, str(version)))


def mac(secret: str, box_code: str, station_code: str, version: int) -> str:
    digest = hmac.new(_key(secret), _signed_part(box_code, station_code, version).encode(),
                      hashlib.sha256).digest()[:MAC_BYTES]
    return base64.b32encode(digest).decode().rstrip("=")


def printed_payload(secret: str, box_code: str, station_code: str, version: int) -> str:
    """The text of a box's printed QR."""
    return SEP.join((_signed_part(box_code, station_code, version),
                     mac(secret, box_code, station_code, version)))


def mac_ok(secret: str, claim: PrintedClaim) -> bool:
    expected = mac(secret, claim.box_code, claim.station_code, claim.version)
    return hmac.compare_digest(expected, claim.mac)


def rotating_prefix(box_code: str, station_code: str) -> str:
    """What a box's screen shows before the current code (``<prefix><8 digits>``)."""
    return SEP.join((PREFIX, "R", box_code, station_code, ""))


def _totp(secret: str, step_s: int) -> pyotp.TOTP:
    return pyotp.TOTP(secret, digits=TOTP_DIGITS, interval=step_s)


def rotating_payload(secret: str, box_code: str, station_code: str, step_s: int,
                     at: datetime) -> str:
    """The text a box's screen shows at ``at`` (for tests and the simulator)."""
    return rotating_prefix(box_code, station_code) + _totp(secret, step_s).generate_otp(
        step_of(at, step_s))


def otpauth_uri(secret: str, box_code: str, station_code: str, step_s: int) -> str:
    """The provisioning URI of a box's screen (shown once, when its key is made)."""
    return _totp(secret, step_s).provisioning_uri(name=f"{station_code} {box_code}",
                                                  issuer_name=ISSUER)


def step_of(at: datetime, step_s: int) -> int:
    """The TOTP time step (counter) that ``at`` falls in."""
    return math.floor(at.timestamp() / step_s)


def find_step(secret: str, step_s: int, code: str, steps: Iterable[int]) -> int | None:
    """The first of ``steps`` whose code is ``code``, or ``None``."""
    totp = _totp(secret, step_s)
    for counter in steps:
        if hmac.compare_digest(totp.generate_otp(counter), code):
            return counter
    return None


def code_digest(asset_id: uuid.UUID, version: int, step: int, code: str) -> str:
    """What replay protection compares: one rotating code of one key at one step."""
    return hashlib.sha256(f"{asset_id}:{version}:{step}:{code}".encode()).hexdigest()
