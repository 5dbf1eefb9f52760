"""Users, passwords, tokens, and turning a token into a :class:`Scope`.

Access tokens are short-lived JWTs (HS256); refresh tokens live one shift. Both carry the
user's ``token_generation``: deactivating a user or changing a password bumps it, which
kills every token issued before, without a token table.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from safetyzone.audit import service as audit
from safetyzone.core.clock import Clock
from safetyzone.core.errors import AuthenticationFailed, Conflict, InvalidInput, NotFound, Problem
from safetyzone.core.security import Permission, Role, Scope
from safetyzone.org.models import User, UserScope
from safetyzone.org.schemas import TokenPair, UserCreate
from safetyzone.org.service import get_partner_by_code, get_unit_by_code, station_ids_under

_hasher = PasswordHasher()
# Verified against when the username is unknown, so both paths cost the same time.
_DUMMY_HASH = _hasher.hash("not-a-real-password")
ALGORITHM = "HS256"
TokenType = Literal["access", "refresh"]


@dataclass(frozen=True)
class TokenConfig:
    secret: str
    access_ttl: timedelta
    refresh_ttl: timedelta


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def create_user(session: Session, *, scope: Scope, clock: Clock, data: UserCreate) -> User:
    scope.require(Permission.USER_MANAGE)
    if session.scalar(select(User.id).where(User.username == data.username)):
        raise Conflict(f"user '{data.username}' already exists", [Problem("taken", "username")])
    units = [get_unit_by_code(session, code=c) for c in data.org_unit_codes]
    if not scope.is_national:
        allowed = station_ids_under(session, scope.org_unit_ids) or frozenset()
        granted = station_ids_under(session, [u.id for u in units])
        if granted is None or not granted <= allowed:
            raise InvalidInput("you can only grant scope inside your own",
                               [Problem("outside your scope", "org_unit_codes")])
    partner_id = None
    if data.role is Role.PARTNER:
        if not data.partner_code:
            raise InvalidInput("a partner user needs partner_code",
                               [Problem("required for role partner", "partner_code")])
        partner_id = get_partner_by_code(session, scope=scope, code=data.partner_code).id
    elif data.partner_code:
        raise InvalidInput("partner_code is only for role partner",
                           [Problem("only for role partner", "partner_code")])
    user = User(
        username=data.username, display_name=data.display_name,
        password_hash=hash_password(data.password), role=data.role, partner_id=partner_id,
        is_active=True, token_generation=0, created_at=clock.now(),
        scopes=[UserScope(org_unit_id=u.id) for u in units],
    )
    session.add(user)
    session.flush()
    audit.record(session, actor=scope, at=clock.now(), action="user.create", entity="user",
                 entity_id=user.id, detail={"role": data.role.value,
                                            "org_units": data.org_unit_codes})
    return user


def set_password(session: Session, *, scope: Scope, clock: Clock, username: str,
                 password: str) -> User:
    """Replace a password; every token the user holds stops working."""
    scope.require(Permission.USER_MANAGE)
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"no user '{username}'")
    user.password_hash = hash_password(password)
    user.token_generation += 1
    audit.record(session, actor=scope, at=clock.now(), action="user.set_password",
                 entity="user", entity_id=user.id)
    return user


def authenticate(session: Session, *, clock: Clock, username: str, password: str) -> User:
    """Check a password; every failure says the same thing so usernames cannot be probed."""
    user = session.scalar(select(User).where(User.username == username))
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        user = None
    if user is None or not user.is_active:
        raise AuthenticationFailed("wrong username or password")
    return user


def _encode(config: TokenConfig, clock: Clock, user: User, kind: TokenType) -> str:
    now = clock.now()
    ttl = config.access_ttl if kind == "access" else config.refresh_ttl
    claims = {
        "sub": str(user.id), "gen": user.token_generation, "typ": kind,
        "iat": int(now.timestamp()), "exp": int((now + ttl).timestamp()),
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, config.secret, algorithm=ALGORITHM)


def issue_tokens(config: TokenConfig, clock: Clock, user: User) -> TokenPair:
    return TokenPair(
        access_token=_encode(config, clock, user, "access"),
        refresh_token=_encode(config, clock, user, "refresh"),
        expires_in=int(config.access_ttl.total_seconds()),
    )


def user_from_token(
    session: Session, *, config: TokenConfig, clock: Clock, token: str, kind: TokenType
) -> User:
    try:
        claims = jwt.decode(
            token, config.secret, algorithms=[ALGORITHM],
            options={"require": ["exp", "sub", "typ", "gen"], "verify_exp": False},
        )
    except jwt.PyJWTError as err:
        raise AuthenticationFailed("invalid token") from err
    # Expiry is checked against the injected clock, not the wall clock, so tests can move time.
    if int(claims["exp"]) <= clock.now().timestamp():
        raise AuthenticationFailed("token expired: log in again or refresh")
    if claims["typ"] != kind:
        raise AuthenticationFailed(f"expected an {kind} token")
    try:
        user_id = uuid.UUID(str(claims["sub"]))
    except ValueError as err:
        raise AuthenticationFailed("invalid token") from err
    user = session.get(User, user_id, options=[selectinload(User.scopes)])
    if user is None or not user.is_active or user.token_generation != claims["gen"]:
        raise AuthenticationFailed("token revoked: log in again")
    return user


def scope_for(session: Session, user: User) -> Scope:
    unit_ids = frozenset(s.org_unit_id for s in user.scopes)
    return Scope(
        user_id=user.id, username=user.username, role=user.role,
        station_ids=station_ids_under(session, unit_ids), org_unit_ids=unit_ids,
        partner_id=user.partner_id,
    )


def get_user(session: Session, *, scope: Scope) -> User:
    """The caller's own user row."""
    user = session.get(User, scope.user_id)
    if user is None:
        raise AuthenticationFailed("token revoked: log in again")
    return user


def list_users(session: Session, *, scope: Scope) -> list[User]:
    scope.require(Permission.USER_MANAGE)
    users = session.scalars(select(User).options(selectinload(User.scopes)).order_by(User.username))
    if scope.is_national:
        return list(users)
    allowed = scope.station_ids or frozenset()

    def within(user: User) -> bool:
        granted = station_ids_under(session, [s.org_unit_id for s in user.scopes])
        return granted is not None and granted <= allowed

    return [u for u in users if within(u)]


def deactivate_user(session: Session, *, scope: Scope, clock: Clock, user_id: uuid.UUID) -> User:
    scope.require(Permission.USER_MANAGE)
    user = next((u for u in list_users(session, scope=scope) if u.id == user_id), None)
    if user is None:
        raise NotFound("no such user in your scope")
    user.is_active = False
    user.token_generation += 1
    audit.record(session, actor=scope, at=clock.now(), action="user.deactivate", entity="user",
                 entity_id=user.id)
    return user
