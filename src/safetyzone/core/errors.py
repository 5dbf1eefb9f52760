"""The one exception tree of SafetyZone.

Services raise these; they never raise HTTP errors. The web layer maps each class to one
RFC 9457 problem type in a single handler, so every error body has the same shape::

    SafetyZoneError                 base; ``code`` is a stable slug, ``detail`` is for people
    ├── InvalidInput                422  bad values; ``problems`` lists each (field/line, reason)
    ├── NotFound                    404  also used when the caller may not know the row exists
    ├── Conflict                    409  duplicate codes, illegal state changes
    ├── AuthenticationFailed        401  bad credentials, expired or forged tokens
    ├── PermissionDenied            403  the role may not do this
    │   └── KindNotAllowed          403  a device sent a kind its subject cannot produce
    ├── PayloadTooLarge             413  bodies over the configured limit
    ├── UnsupportedMediaType        415  a file whose bytes are not a kind we take
    ├── TooManyRequests             429  throttled; ``retry_after_s`` says when to try again
    ├── UpstreamFailed              502  a camera or partner system gave nothing usable
    ├── ServiceUnavailable          503  a part of this server is missing (a media program)
    ├── DatabaseNotReady            503  unmigrated or newer-than-code schema
    └── DatabaseUnavailable         503  + Retry-After: the server is down, unreachable, or
                                         busy (locked); the same request will work later
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    """One reason an input was refused: where (field or line) and why."""

    reason: str
    field: str | None = None
    line: int | None = None

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"reason": self.reason}
        if self.field is not None:
            out["field"] = self.field
        if self.line is not None:
            out["line"] = self.line
        return out


@dataclass
class SafetyZoneError(Exception):
    """Base of every error SafetyZone raises on purpose."""

    detail: str
    problems: list[Problem] = field(default_factory=list)
    code: str = "error"

    def __str__(self) -> str:
        return self.detail


@dataclass
class InvalidInput(SafetyZoneError):
    code: str = "invalid-input"


@dataclass
class NotFound(SafetyZoneError):
    code: str = "not-found"


@dataclass
class Conflict(SafetyZoneError):
    code: str = "conflict"


@dataclass
class AuthenticationFailed(SafetyZoneError):
    code: str = "authentication-failed"


@dataclass
class PermissionDenied(SafetyZoneError):
    code: str = "permission-denied"


@dataclass
class KindNotAllowed(PermissionDenied):
    """A device credential sent an event kind its subject cannot produce (a camera's SOS).

    Permanent for that message: gateways answer it (NAK, PUBACK, 200 "not used") rather
    than leave the device retrying it forever.
    """

    code: str = "event-kind-not-allowed"


@dataclass
class PayloadTooLarge(SafetyZoneError):
    code: str = "payload-too-large"


@dataclass
class UnsupportedMediaType(SafetyZoneError):
    """An upload whose bytes are not a kind this route takes (a text file named .jpg, HEIC).

    Decided by the bytes, never by the declared type or the file name. A file of a kind we
    take that cannot be decoded (a truncated JPEG) is ``InvalidInput`` instead.
    """

    code: str = "unsupported-media-type"


@dataclass
class TooManyRequests(SafetyZoneError):
    """Throttled (login floods): the answer carries ``Retry-After``."""

    code: str = "too-many-requests"
    retry_after_s: int = 1


@dataclass
class UpstreamFailed(SafetyZoneError):
    """Something outside the server (a camera's stream) gave nothing usable; why, in detail
    for admins, is kept on the camera's health record, not sent to every caller."""

    code: str = "upstream-failed"


@dataclass
class ServiceUnavailable(SafetyZoneError):
    """A part of this server is missing or cannot work now (ffmpeg not installed): nothing
    changed, and the same request can work on a server that has it."""

    code: str = "service-unavailable"


@dataclass
class DatabaseNotReady(SafetyZoneError):
    code: str = "database-not-ready"


RETRY_AFTER_S = 5
"""What a client is told to wait while the database is unavailable: short, since an outage
of the store is usually a restart or a fail-over, and devices hold their events meanwhile."""


@dataclass
class DatabaseUnavailable(SafetyZoneError):
    """The database could not be reached or answered "busy": nothing was stored.

    Transient by nature, so the caller is told to retry (503 with ``Retry-After``) rather
    than that the server is broken (500): a device keeps its event and sends it again.
    """

    code: str = "database-unavailable"
    retry_after_s: int = RETRY_AFTER_S
    cause: str = ""  # the driver's message, for the log only: never sent to the client
