"""The Thai national ID number (เลขประจำตัวประชาชน): 13 digits, the last a check digit.

The check digit is ``(11 - sum(d[i] * (13 - i) for i in 0..11) % 11) % 10``. A typo in one
digit, or two neighbouring digits swapped, mostly breaks it, so a form refuses the
number at once instead of a station issuing a record under a wrong identity. Not
every typo: the third digit's weight is 11, so the sum modulo 11 never sees it, and the
fold to one digit makes sums 0 and 10 alike; the name, phone and an officer's look are the
other checks. The first digit is the person's category (1-8); 0 is never issued to a
person.
"""

from __future__ import annotations

import re

_DIGITS = re.compile(r"[0-9]{13}")
_SEPARATORS = re.compile(r"[\s-]")


def check_digit(first12: str) -> int:
    """The check digit of the first twelve digits."""
    total = sum(int(d) * (13 - i) for i, d in enumerate(first12))
    return (11 - total % 11) % 10


def thai_id_valid(s: str) -> bool:
    """Whether ``s`` is exactly 13 ASCII digits, not starting with 0, with a right checksum."""
    if not _DIGITS.fullmatch(s) or s[0] == "0":
        return False
    return check_digit(s[:12]) == int(s[12])


def normalize_thai_id(s: str) -> str:
    """Drop the spaces and dashes people type (``1-2345-67890-12-1``); nothing else."""
    return _SEPARATORS.sub("", s)


def mask_thai_id(s: str) -> str:
    """Only the last three digits, for screens and logs: ``X-XXXX-XXXXX-81-1``."""
    return f"X-XXXX-XXXXX-{s[10:12]}-{s[12]}" if len(s) == 13 else "X" * len(s)
