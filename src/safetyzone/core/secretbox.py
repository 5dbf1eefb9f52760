"""Encryption of stored secrets (camera stream URLs and passwords).

A stolen database file must not hand out the credentials of every camera in a zone, so
these values are encrypted with a key derived from ``SSZ_SECRET_KEY`` (Fernet:
AES-128-CBC + HMAC-SHA256).
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from safetyzone.core.errors import SafetyZoneError


class SecretBox:
    def __init__(self, secret_key: str) -> None:
        key = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=b"safetyzone stream secrets"
        ).derive(secret_key.encode())
        self._fernet = Fernet(base64.urlsafe_b64encode(key))

    def seal(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode()

    def open(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken as err:
            raise SafetyZoneError(
                "stored secret cannot be decrypted: SSZ_SECRET_KEY differs from the one "
                "that sealed it",
                code="secret-key-mismatch",
            ) from err
