"""Per-device credentials: issued to a registered device, rotated with a grace period, revoked.

A device authenticates with ``Authorization: Bearer ssz_dev_<key_id>.<secret>``. Secrets are
32 random bytes, so a keyed SHA-256 (HMAC) is as strong as a slow password hash here and
cheap enough for thousands of requests a second. Only the hash is stored; the secret is
shown once, when issued or rotated.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from safetyzone.assets import service as assets
from safetyzone.audit import service as audit
from safetyzone.core.clock import Clock
from safetyzone.core.db import Database
from safetyzone.core.errors import AuthenticationFailed, Conflict, NotFound, Problem
from safetyzone.core.events import EventKind
from safetyzone.core.security import Permission, Scope
from safetyzone.intake.kinds import allowed as allowed_kinds
from safetyzone.intake.kinds import describe as describe_sender
from safetyzone.intake.models import DeviceCredential, Protocol, SubjectKind

TOKEN_PREFIX = "ssz_dev_"  # noqa: S105 - a prefix, not a secret
ROTATION_GRACE = timedelta(hours=24)


@dataclass(frozen=True)
class DeviceIdentity:
    """Who is posting: resolved from a device token, cached between requests."""

    device_id: uuid.UUID
    key_id: str
    station_id: uuid.UUID
    subject_kind: SubjectKind
    subject_id: uuid.UUID | None
    label: str
    # What the subject can produce (intake.kinds); empty: the device may send nothing.
    kinds: frozenset[EventKind] = frozenset()
    sender: str = "an unknown subject"


def asset_kinds(session: Session, rows: list[DeviceCredential]) -> dict[uuid.UUID, str]:
    """The kind of every asset these credentials speak for, in one query."""
    return assets.kinds_of(session, [r.subject_id for r in rows if r.subject_id is not None
                                     and r.subject_kind is SubjectKind.ASSET])


def identity_of(row: DeviceCredential, asset_kinds: dict[uuid.UUID, str]) -> DeviceIdentity:
    """The identity a device acts as, with the event kinds its subject may send."""
    asset_kind = (asset_kinds.get(row.subject_id)
                  if row.subject_kind is SubjectKind.ASSET and row.subject_id else None)
    return DeviceIdentity(
        row.id, row.key_id, row.station_id, row.subject_kind, row.subject_id, row.label,
        kinds=allowed_kinds(row.subject_kind, asset_kind, row.protocol),
        sender=describe_sender(row.subject_kind, asset_kind, row.protocol))


@dataclass(frozen=True)
class IssuedCredential:
    credential: DeviceCredential
    token: str


class SecretHasher:
    def __init__(self, server_key: str) -> None:
        self._key = hashlib.sha256(b"safetyzone device credentials|" + server_key.encode()).digest()

    def hash(self, secret: str) -> str:
        return hmac.new(self._key, secret.encode(), hashlib.sha256).hexdigest()


def _new_token() -> tuple[str, str, str]:
    key_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    return key_id, secret, f"{TOKEN_PREFIX}{key_id}.{secret}"


@dataclass(frozen=True)
class ProtocolIdentity:
    """How a device that speaks its own protocol names itself (a SIA account, a tracker id)."""

    protocol: Protocol
    external_id: str
    key_sealed: str | None = None


def issue(
    session: Session, *, scope: Scope, clock: Clock, hasher: SecretHasher,
    station_id: uuid.UUID, subject_kind: SubjectKind, subject_id: uuid.UUID | None, label: str,
    protocol: ProtocolIdentity | None = None,
) -> IssuedCredential:
    """Issue a credential; the caller has already checked the subject is in scope."""
    scope.require(Permission.DEVICE_MANAGE)
    if protocol is not None and session.scalar(select(DeviceCredential.id).where(
            DeviceCredential.protocol == protocol.protocol,
            DeviceCredential.external_id == protocol.external_id)):
        raise Conflict(f"{protocol.protocol.value} id '{protocol.external_id}' is already "
                       "registered", [Problem("duplicate", "external_id")])
    key_id, secret, token = _new_token()
    now = clock.now()
    credential = DeviceCredential(
        key_id=key_id, station_id=station_id, subject_kind=subject_kind, subject_id=subject_id,
        label=label, secret_hash=hasher.hash(secret), created_at=now,
        protocol=protocol.protocol if protocol else None,
        external_id=protocol.external_id if protocol else None,
        protocol_key_sealed=protocol.key_sealed if protocol else None,
    )
    session.add(credential)
    session.flush()
    audit.record(session, actor=scope, at=now, action="device_credential.issue",
                 entity="device_credential", entity_id=credential.id, station_id=station_id,
                 detail={"key_id": key_id, "subject_kind": subject_kind.value,
                         "protocol": protocol.protocol.value if protocol else None,
                         "external_id": protocol.external_id if protocol else None})
    return IssuedCredential(credential, token)


def internal(session: Session, *, scope: Scope, clock: Clock, station_id: uuid.UUID,
             subject_kind: SubjectKind, subject_id: uuid.UUID, label: str) -> DeviceCredential:
    """The credential the server itself files a subject's events under (the officer app
    posts through a logged-in user, not a device token), created on first use.

    Its secret hash is random and its secret never existed, so no token opens it; it needs
    no ``DEVICE_MANAGE`` for that reason, and an admin may still revoke it (a new one is
    then made). The caller has already checked the subject is the user's to speak for.
    """
    row = session.scalar(select(DeviceCredential).where(
        DeviceCredential.subject_kind == subject_kind, DeviceCredential.subject_id == subject_id,
        DeviceCredential.label == label, DeviceCredential.protocol.is_(None),
        DeviceCredential.revoked_at.is_(None)).order_by(DeviceCredential.created_at).limit(1))
    if row is not None:
        return row
    now = clock.now()
    row = DeviceCredential(key_id=secrets.token_hex(8), station_id=station_id,
                           subject_kind=subject_kind, subject_id=subject_id, label=label,
                           secret_hash=secrets.token_hex(32), created_at=now)
    session.add(row)
    session.flush()
    audit.record(session, actor=scope, at=now, action="device_credential.internal",
                 entity="device_credential", entity_id=row.id, station_id=station_id,
                 detail={"key_id": row.key_id, "subject_kind": subject_kind.value,
                         "label": label})
    return row


def get(session: Session, *, scope: Scope, credential_id: uuid.UUID) -> DeviceCredential:
    scope.require(Permission.DEVICE_MANAGE)
    credential = session.get(DeviceCredential, credential_id)
    if credential is None or not scope.sees_station(credential.station_id):
        raise NotFound("no such device credential in your scope")
    return credential


def list_for_station(session: Session, *, scope: Scope,
                     station_id: uuid.UUID | None = None) -> list[DeviceCredential]:
    scope.require(Permission.DEVICE_MANAGE)
    query = select(DeviceCredential).where(scope.station_filter(DeviceCredential.station_id))
    if station_id is not None:
        query = query.where(DeviceCredential.station_id == station_id)
    return list(session.scalars(query.order_by(DeviceCredential.created_at)))


def rotate(
    session: Session, *, scope: Scope, clock: Clock, hasher: SecretHasher,
    credential_id: uuid.UUID,
) -> IssuedCredential:
    """New secret now; the old one keeps working for ``ROTATION_GRACE``."""
    scope.require(Permission.DEVICE_MANAGE)
    credential = get(session, scope=scope, credential_id=credential_id)
    if credential.revoked_at is not None:
        raise NotFound("this credential is revoked: issue a new one")
    secret = secrets.token_urlsafe(32)
    now = clock.now()
    credential.previous_secret_hash = credential.secret_hash
    credential.previous_valid_until = now + ROTATION_GRACE
    credential.secret_hash = hasher.hash(secret)
    credential.rotated_at = now
    audit.record(session, actor=scope, at=now, action="device_credential.rotate",
                 entity="device_credential", entity_id=credential.id,
                 station_id=credential.station_id)
    return IssuedCredential(credential, f"{TOKEN_PREFIX}{credential.key_id}.{secret}")


def revoke(session: Session, *, scope: Scope, clock: Clock,
           credential_id: uuid.UUID) -> DeviceCredential:
    scope.require(Permission.DEVICE_MANAGE)
    credential = get(session, scope=scope, credential_id=credential_id)
    credential.revoked_at = credential.revoked_at or clock.now()
    audit.record(session, actor=scope, at=clock.now(), action="device_credential.revoke",
                 entity="device_credential", entity_id=credential.id,
                 station_id=credential.station_id)
    return credential


@dataclass(frozen=True)
class _Cached:
    identity: DeviceIdentity
    secret_hash: str
    previous_hash: str | None
    previous_valid_until: datetime | None
    revoked: bool


class DeviceAuthenticator:
    """Resolve device tokens, with a small cache so the hot path does not hit the database.

    The cache is dropped on every issue/rotate/revoke in this process (``forget``) and
    entries expire after ``ttl`` so another process's revocation takes effect too.
    """

    def __init__(self, db: Database, hasher: SecretHasher, clock: Clock,
                 ttl: timedelta = timedelta(seconds=30)) -> None:
        self._db = db
        self._hasher = hasher
        self._clock = clock
        self._ttl = ttl
        self._cache: dict[str, tuple[datetime, _Cached]] = {}
        self._lock = threading.Lock()

    def forget(self, key_id: str | None = None) -> None:
        with self._lock:
            if key_id is None:
                self._cache.clear()
            else:
                self._cache.pop(key_id, None)

    def _load(self, key_id: str) -> _Cached | None:
        with self._db.read() as session:
            row = session.scalar(
                select(DeviceCredential).where(DeviceCredential.key_id == key_id))
            if row is None:
                return None
            return _Cached(
                identity=identity_of(row, asset_kinds(session, [row])),
                secret_hash=row.secret_hash, previous_hash=row.previous_secret_hash,
                previous_valid_until=row.previous_valid_until,
                revoked=row.revoked_at is not None,
            )

    def authenticate_cached(self, token: str | None) -> DeviceIdentity | None:
        """The answer from the cache alone, or ``None`` when the database must be read."""
        key_id, secret = self._split(token)
        now = self._clock.now()
        with self._lock:
            hit = self._cache.get(key_id)
        if hit is None or hit[0] <= now:
            return None
        return self._check(hit[1], secret, now)

    def authenticate(self, token: str | None) -> DeviceIdentity:
        """Check a device token, reading the database on a cache miss (blocking)."""
        key_id, secret = self._split(token)
        now = self._clock.now()
        cached = self._load(key_id)
        if cached is None:
            raise AuthenticationFailed("unknown device")
        with self._lock:
            self._cache[key_id] = (now + self._ttl, cached)
        return self._check(cached, secret, now)

    @staticmethod
    def _split(token: str | None) -> tuple[str, str]:
        if not token or not token.startswith(TOKEN_PREFIX) or "." not in token:
            raise AuthenticationFailed(
                "device token missing or malformed: send 'Authorization: Bearer ssz_dev_...'")
        key_id, _, secret = token[len(TOKEN_PREFIX):].partition(".")
        return key_id, secret

    def _check(self, cached: _Cached, secret: str, now: datetime) -> DeviceIdentity:
        if cached.revoked:
            raise AuthenticationFailed("device credential revoked")
        given = self._hasher.hash(secret)
        if hmac.compare_digest(given, cached.secret_hash):
            return cached.identity
        if (cached.previous_hash and cached.previous_valid_until
                and cached.previous_valid_until > now
                and hmac.compare_digest(given, cached.previous_hash)):
            return cached.identity
        raise AuthenticationFailed("wrong device secret")
