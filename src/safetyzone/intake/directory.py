"""Devices that name themselves in their own protocol: a SIA account, a tracker's id.

Adapters hand over ``(protocol, external_id)``; this directory answers with the device's
identity (station, subject) — or nothing, and the device is refused. Registrations change
rarely and are read on every message, so the whole directory is cached and reloaded when a
credential changes in this process, and at least every ``ttl`` for other processes.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select

from safetyzone.core.db import Database
from safetyzone.core.secretbox import SecretBox
from safetyzone.intake.credentials import DeviceIdentity, asset_kinds, identity_of
from safetyzone.intake.models import DeviceCredential, Protocol


@dataclass(frozen=True)
class Registered:
    identity: DeviceIdentity
    key: str | None = None  # opened protocol key (e.g. SIA AES), never logged


class ProtocolDirectory:
    def __init__(self, db: Database, secrets: SecretBox, ttl_s: float = 30.0) -> None:
        self._db = db
        self._secrets = secrets
        self._ttl_s = ttl_s
        self._lock = threading.Lock()
        self._entries: dict[tuple[Protocol, str], Registered] = {}
        self._loaded_at = float("-inf")
        self._listeners: list[Callable[[], None]] = []

    def on_change(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` (in the changing thread) after registrations change here."""
        self._listeners.append(listener)

    def forget(self) -> None:
        """A credential changed in this process: reload now and tell the listeners."""
        with self._lock:
            self._loaded_at = float("-inf")
        for listener in self._listeners:
            listener()

    def _load(self) -> None:
        with self._db.read() as session:
            rows = list(session.scalars(select(DeviceCredential).where(
                DeviceCredential.protocol.is_not(None), DeviceCredential.revoked_at.is_(None))))
            kinds = asset_kinds(session, rows)
            entries = {
                (row.protocol, normalize(row.protocol, row.external_id or "")): Registered(
                    identity_of(row, kinds),
                    self._secrets.open(row.protocol_key_sealed)
                    if row.protocol_key_sealed else None)
                for row in rows if row.protocol is not None
            }
        with self._lock:
            self._entries = entries
            self._loaded_at = time.monotonic()

    def _fresh(self) -> dict[tuple[Protocol, str], Registered]:
        with self._lock:
            stale = time.monotonic() - self._loaded_at > self._ttl_s
        if stale:
            self._load()
        with self._lock:
            return self._entries

    def lookup(self, protocol: Protocol, external_id: str) -> Registered | None:
        """The registered device, or ``None``. May read the database: call from a thread."""
        return self._fresh().get((protocol, normalize(protocol, external_id)))

    def all(self, protocol: Protocol) -> dict[str, Registered]:
        return {ext: reg for (proto, ext), reg in self._fresh().items() if proto is protocol}


def normalize(protocol: Protocol, external_id: str) -> str:
    """SIA accounts are hex and matched case-insensitively; other ids are kept as typed."""
    value = external_id.strip()
    return value.upper() if protocol is Protocol.SIA_DC09 else value
