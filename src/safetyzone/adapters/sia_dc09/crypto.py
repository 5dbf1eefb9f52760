"""DC-09 encryption: AES-CBC, all-zero IV, the block carried as hex text (DC-09 5.4.6).

The plaintext of an encrypted block is ``pad | data ] [xdata]... _timestamp``: the pad
makes the length a multiple of 16 and is made of random bytes other than ``|``, ``[`` and
``]``, so the first ``|`` (or, in a NULL message some panels send without it, the first ``]``)
ends it.

Keys are given per account as text, in one of two spellings:

========== ================================ ==========================
format     text                             key
========== ================================ ==========================
``hex``    32, 48 or 64 hex digits          16, 24 or 32 bytes (AES-128/192/256)
``ascii``  16, 24 or 32 printable characters  those bytes as they are
========== ================================ ==========================

``auto`` decides by length: 16 or 24 characters are ASCII (no hex spelling has that length),
48 or 64 are hex; 32 characters are hex when all are hex digits (AES-128, what most panels
show) and ASCII otherwise. A 32-character all-hex ASCII key (AES-256) needs ``ascii``.
"""

from __future__ import annotations

import secrets
import string
from collections.abc import Callable
from typing import Literal

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

KeyFormat = Literal["auto", "hex", "ascii"]
PadSource = Callable[[int], bytes]
"""Returns ``n`` pad bytes; injected so tests can reproduce published frames."""

BLOCK = 16
ZERO_IV = bytes(BLOCK)
PAD_FORBIDDEN = frozenset(b"|[]")
MAX_ENCRYPTED_HEX = 0x1000
"""No frame can hold more hex than its length field allows (0xFFF bytes)."""

_PIPE, _OPEN, _CLOSE = b"|[]"
_HEX_DIGITS = frozenset(string.hexdigits)
_PRINTABLE = frozenset(chr(c) for c in range(0x20, 0x7F))


class KeyFormatError(ValueError):
    """A key that is neither valid hex nor valid ASCII of an AES length."""


class DecryptionError(ValueError):
    """Hex text that cannot be an encrypted DC-09 block."""


def parse_key(text: str, key_format: KeyFormat = "auto") -> bytes:
    """Turn a configured key into AES key bytes, by the rule in the module docstring."""
    is_hex = bool(text) and all(c in _HEX_DIGITS for c in text)
    if key_format == "auto":
        looks_hex = len(text) in (48, 64) or (len(text) == 32 and is_hex)
        key_format = "hex" if looks_hex else "ascii"
    if key_format == "hex":
        if not is_hex or len(text) not in (32, 48, 64):
            raise KeyFormatError("a hex key has 32, 48 or 64 hex digits")
        return bytes.fromhex(text)
    if len(text) not in (16, 24, 32) or not all(c in _PRINTABLE for c in text):
        raise KeyFormatError("an ASCII key has 16, 24 or 32 printable characters")
    return text.encode("ascii")


def random_pad(n: int) -> bytes:
    """Return ``n`` random pad bytes, none of them ``|``, ``[`` or ``]``."""
    out = bytearray()
    while len(out) < n:
        out.extend(b for b in secrets.token_bytes(n) if b not in PAD_FORBIDDEN)
    return bytes(out[:n])


def _cbc(key: bytes, iv: bytes, data: bytes, *, encrypt: bool) -> bytes:
    cipher = Cipher(algorithms.AES(key), modes.CBC(iv))
    worker = cipher.encryptor() if encrypt else cipher.decryptor()
    return worker.update(data) + worker.finalize()


def encrypt_content(key: bytes, content: bytes, pad: PadSource = random_pad) -> str:
    """Encrypt ``content`` (what follows the pad's ``|``) into upper-case hex text."""
    n = BLOCK - (len(content) + 1) % BLOCK
    padding = pad(n)
    if len(padding) != n or PAD_FORBIDDEN.intersection(padding):
        raise ValueError("pad source returned a wrong length or a forbidden byte")
    return _cbc(key, ZERO_IV, padding + b"|" + content, encrypt=True).hex().upper()


def decrypt_block(key: bytes, hex_text: str) -> bytes:
    """Decrypt the hex block of a frame into its plaintext, pad included."""
    if not hex_text or len(hex_text) > MAX_ENCRYPTED_HEX or len(hex_text) % (2 * BLOCK):
        raise DecryptionError("encrypted block is empty, too long or not whole AES blocks")
    if not all(c in _HEX_DIGITS for c in hex_text):
        raise DecryptionError("encrypted block is not hex text")
    return _cbc(key, ZERO_IV, bytes.fromhex(hex_text), encrypt=False)


def strip_pad(plaintext: bytes) -> bytes:
    """Return what follows the pad: after the first ``|``, or from the first ``]``."""
    for i, byte in enumerate(plaintext):
        if byte == _PIPE:
            return plaintext[i + 1:]
        if byte == _CLOSE:  # a NULL or ACK with no data and no "|"
            return plaintext[i:]
        if byte == _OPEN:
            break
    raise DecryptionError("no end of pad: wrong key or not a DC-09 block")
