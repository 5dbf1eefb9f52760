"""The signature a lost-document certificate's QR carries, and its check.

The server's Ed25519 key is derived from ``SSZ_SECRET_KEY`` with HKDF-SHA256 under its own
``info`` label, so every process of one server signs alike, nothing extra is stored, and no
other use of the secret shares the key. The public key is published
(``GET /api/v1/public/lostdocs/verify-key``), so anyone can check a certificate offline.

The QR carries a URL of the verify page with the signed fields as query parameters::

    {public_url}/lostdocs/verify?v=1&c=L-7K3M9QXP&r=ST-A/12/2569&d=2026-12-01&s=<sig>

and the signature (base64url, no padding, 86 characters) is over the UTF-8 bytes of
``"SZLD1\\n" + c + "\\n" + r + "\\n" + d``: the certificate's code, its record number (station
code / number / B.E. year) and its issue date in Bangkok. Changing any of them, or the
signature, makes the signature wrong; revocation is answered online only.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from urllib.parse import urlencode

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

VERSION = "1"
PREFIX = "SZLD1"
VERIFY_PATH = "/lostdocs/verify"
CODE_PATTERN = r"^L-[0-9A-HJKMNP-TV-Z]{8}$"
RECORD_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}/[0-9]{1,7}/[0-9]{4}$"
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
SIG_PATTERN = r"^[A-Za-z0-9_-]{86}$"


@dataclass(frozen=True)
class Claim:
    """What a certificate's QR says about itself."""

    code: str
    record_no: str
    issued_on: str  # YYYY-MM-DD in Bangkok

    def message(self) -> bytes:
        return f"{PREFIX}\n{self.code}\n{self.record_no}\n{self.issued_on}".encode()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class CertificateSigner:
    """Signs and checks certificate claims with the server's derived Ed25519 key."""

    def __init__(self, secret_key: str) -> None:
        seed = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                    info=b"safetyzone lost-document certificates ed25519").derive(
                        secret_key.encode())
        self._private = Ed25519PrivateKey.from_private_bytes(seed)
        self.public_key: Ed25519PublicKey = self._private.public_key()

    def public_raw(self) -> str:
        """The 32-byte public key, base64url without padding."""
        return _b64(self.public_key.public_bytes(serialization.Encoding.Raw,
                                                 serialization.PublicFormat.Raw))

    def public_pem(self) -> str:
        return self.public_key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode()

    def sign(self, claim: Claim) -> str:
        return _b64(self._private.sign(claim.message()))

    def verify(self, claim: Claim, signature: str) -> bool:
        """Whether ``signature`` is this server's over exactly ``claim``."""
        if not re.fullmatch(SIG_PATTERN, signature):
            return False
        try:
            self.public_key.verify(_unb64(signature), claim.message())
        except (InvalidSignature, binascii.Error, ValueError):
            return False
        return True

    def url(self, public_url: str, claim: Claim) -> str:
        """The verify page's address for ``claim``, signed: what the QR carries."""
        query = urlencode({"v": VERSION, "c": claim.code, "r": claim.record_no,
                           "d": claim.issued_on, "s": self.sign(claim)}, safe="/")
        return f"{public_url}{VERIFY_PATH}?{query}"
