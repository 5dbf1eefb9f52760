"""The server's Ed25519 key that signs evidence manifests.

Derived from the server's secret key (HKDF-SHA256, its own label), not stored in a file: every
node of a station's cluster signs with the same key, and there is no second secret to back
up. The public key travels inside each export package, and its fingerprint (SHA-256 of the
raw 32 bytes) is what a court or a defence lawyer compares against the one the station
publishes (``ssz evidence verify --public-key``).
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

LABEL = b"safetyzone evidence manifest signing key v1"


class EvidenceSigner:
    def __init__(self, secret_key: str) -> None:
        seed = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                    info=LABEL).derive(secret_key.encode("utf-8"))
        self._key = Ed25519PrivateKey.from_private_bytes(seed)

    def sign(self, data: bytes) -> bytes:
        return self._key.sign(data)

    @property
    def public_raw(self) -> bytes:
        return self._key.public_key().public_bytes(serialization.Encoding.Raw,
                                                   serialization.PublicFormat.Raw)

    @property
    def public_pem(self) -> bytes:
        return self._key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_raw)


def fingerprint(public_raw: bytes) -> str:
    """``SHA256:<base64>`` of the raw public key, the way people compare keys."""
    return "SHA256:" + base64.b64encode(hashlib.sha256(public_raw).digest()).decode().rstrip("=")
