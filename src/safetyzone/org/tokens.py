"""Access and refresh tokens, their families (one per login), rotation and revocation.

Access tokens are short-lived JWTs (HS256); refresh tokens live one shift. Every token
carries the user's ``token_generation`` (deactivating a user or changing a password bumps
it, which kills every token issued before) and its family id ``fam``: the
:class:`~safetyzone.org.models.LoginSession` row of the login it came from.

A refresh token is spent by its first use: the refresh answers a new pair and the family
remembers only the newest refresh token. A spent one presented again means two parties hold
the same login (a stolen copy, or the thief already refreshed), and nobody can tell which is
honest, so the whole family is revoked: both parties' refresh and access tokens stop working
and the person logs in again. That costs one primary-key read per authenticated request.

A refresh whose answer is lost (a phone in a dead spot: the server spent the token, the new
pair never arrived) would look like reuse when the phone tries again. So a client may name
each attempt (``attempt``, a random key it keeps in memory and sends again only with the
same token): the new refresh token's id is then derived from the spent one and the attempt
(HMAC with the server's secret), and the same token with the same attempt, while the family
still honours exactly that derived id and within ``RETRY_GRACE``, gets the same answer again
instead of a revocation. A copy of the token without the attempt key is still reuse.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal

import jwt
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, selectinload

from safetyzone.audit import service as audit
from safetyzone.core.clock import Clock
from safetyzone.core.errors import AuthenticationFailed
from safetyzone.org.models import LoginSession, User
from safetyzone.org.schemas import TokenPair

ALGORITHM = "HS256"
TokenType = Literal["access", "refresh"]
REUSED = "refresh token reused"
# How long after a refresh its lost answer may be asked for again (a dead spot's length).
RETRY_GRACE = timedelta(minutes=30)


@dataclass(frozen=True)
class TokenConfig:
    secret: str
    access_ttl: timedelta
    refresh_ttl: timedelta


def _encode(config: TokenConfig, clock: Clock, user: User, kind: TokenType,
            family: uuid.UUID, jti: str) -> str:
    now = clock.now()
    ttl = config.access_ttl if kind == "access" else config.refresh_ttl
    claims = {
        "sub": str(user.id), "gen": user.token_generation, "typ": kind, "fam": str(family),
        "iat": int(now.timestamp()), "exp": int((now + ttl).timestamp()), "jti": jti,
    }
    return jwt.encode(claims, config.secret, algorithm=ALGORITHM)


def _retry_jti(config: TokenConfig, spent_jti: str, attempt: str) -> str:
    """The refresh token id a refresh of ``spent_jti`` under ``attempt`` issues."""
    message = f"refresh-retry\x00{spent_jti}\x00{attempt}".encode()
    return hmac.new(config.secret.encode(), message, hashlib.sha256).hexdigest()[:32]


def _pair(config: TokenConfig, clock: Clock, user: User, family: LoginSession,
          jti: str | None = None) -> TokenPair:
    """A new pair in ``family``; its refresh token becomes the only one the family honours."""
    now = clock.now()
    family.refresh_jti = jti or uuid.uuid4().hex
    family.refreshed_at = now
    family.expires_at = now + config.refresh_ttl
    return TokenPair(
        access_token=_encode(config, clock, user, "access", family.id, uuid.uuid4().hex),
        refresh_token=_encode(config, clock, user, "refresh", family.id, family.refresh_jti),
        expires_in=int(config.access_ttl.total_seconds()),
    )


def start_session(session: Session, *, config: TokenConfig, clock: Clock,
                  user: User) -> TokenPair:
    """A new token family for a login; families whose refresh token expired are dropped."""
    now = clock.now()
    session.execute(delete(LoginSession).where(LoginSession.expires_at < now))
    family = LoginSession(id=uuid.uuid4(), user_id=user.id, created_at=now, refreshed_at=now,
                          expires_at=now, refresh_jti="")
    session.add(family)
    pair = _pair(config, clock, user, family)
    session.flush()
    return pair


def decode(config: TokenConfig, clock: Clock, token: str, kind: TokenType) -> dict[str, Any]:
    """Verified claims of a token of ``kind``; every defect is ``AuthenticationFailed``."""
    try:
        claims: dict[str, Any] = jwt.decode(
            token, config.secret, algorithms=[ALGORITHM],
            options={"require": ["exp", "sub", "typ", "gen", "fam", "jti"],
                     "verify_exp": False},
        )
    except jwt.PyJWTError as err:
        raise AuthenticationFailed("invalid token") from err
    # Expiry is checked against the injected clock, not the wall clock, so tests can move time.
    if int(claims["exp"]) <= clock.now().timestamp():
        raise AuthenticationFailed("token expired: log in again or refresh")
    if claims["typ"] != kind:
        raise AuthenticationFailed(f"expected an {kind} token")
    try:
        claims["sub"] = uuid.UUID(str(claims["sub"]))
        claims["fam"] = uuid.UUID(str(claims["fam"]))
    except ValueError as err:
        raise AuthenticationFailed("invalid token") from err
    return claims


def holder(session: Session, *, user_id: uuid.UUID, generation: int | None,
           family_id: uuid.UUID) -> User:
    """The active user behind a token of a live family, or ``AuthenticationFailed``."""
    user = session.get(User, user_id, options=[selectinload(User.scopes)])
    family = session.get(LoginSession, family_id)
    if (user is None or not user.is_active
            or (generation is not None and user.token_generation != generation)
            or family is None or family.user_id != user.id or family.revoked_at is not None):
        raise AuthenticationFailed("token revoked: log in again")
    return user


def user_from_token(
    session: Session, *, config: TokenConfig, clock: Clock, token: str, kind: TokenType
) -> User:
    claims = decode(config, clock, token, kind)
    return holder(session, user_id=claims["sub"], generation=claims["gen"],
                  family_id=claims["fam"])


def refresh(session: Session, *, config: TokenConfig, clock: Clock, token: str,
            attempt: str | None = None) -> TokenPair:
    """Spend a refresh token for a new pair; a spent one revokes its whole family, unless it
    is the retry of a refresh whose answer was lost (same token, same ``attempt``).

    The revocation is committed here even though the caller then answers 401: the request
    fails, the revocation must not.
    """
    claims = decode(config, clock, token, "refresh")
    family = session.scalar(select(LoginSession).where(LoginSession.id == claims["fam"])
                            .with_for_update())
    retry_jti = _retry_jti(config, claims["jti"], attempt) if attempt else None
    if (family is not None and family.revoked_at is None and retry_jti is not None
            and family.refresh_jti == retry_jti
            and clock.now() - family.refreshed_at <= RETRY_GRACE):
        user = holder(session, user_id=claims["sub"], generation=claims["gen"],
                      family_id=claims["fam"])
        audit.record(session, actor=None, at=clock.now(), action="auth.refresh_retried",
                     entity="user", entity_id=user.id, username=user.username,
                     detail={"family": str(family.id)})
        return _pair(config, clock, user, family, retry_jti)
    if family is not None and family.revoked_at is None and claims["jti"] != family.refresh_jti:
        family.revoked_at = clock.now()
        family.revoked_reason = REUSED
        owner = session.get(User, family.user_id)
        audit.record(session, actor=None, at=clock.now(), action="auth.token_family_revoked",
                     entity="user", entity_id=family.user_id, reason=REUSED,
                     username=owner.username if owner else None,
                     detail={"family": str(family.id)})
        session.commit()
        raise AuthenticationFailed("refresh token already used: this login is revoked, "
                                   "log in again")
    user = holder(session, user_id=claims["sub"], generation=claims["gen"],
                  family_id=claims["fam"])
    if family is None:  # holder already refused it; this tells the type checker
        raise AuthenticationFailed("token revoked: log in again")
    return _pair(config, clock, user, family, retry_jti)
