"""Users and passwords, and turning a user into a :class:`Scope`.

Tokens live in ``safetyzone.org.tokens`` (re-exported here for the callers that resolve a
bearer token); logging in, with its throttle, in ``safetyzone.org.login``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from safetyzone.audit import service as audit
from safetyzone.core.clock import Clock
from safetyzone.core.errors import AuthenticationFailed, Conflict, InvalidInput, NotFound, Problem
from safetyzone.core.security import Permission, Role, Scope
from safetyzone.org.models import UnitKind, User, UserScope
from safetyzone.org.schemas import UserCreate
from safetyzone.org.service import get_partner_by_code, get_unit_by_code, station_ids_under
from safetyzone.org.tokens import TokenConfig as TokenConfig
from safetyzone.org.tokens import user_from_token as user_from_token

_hasher = PasswordHasher()
# Verified against when the username is unknown, so both paths cost the same time.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


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
    if data.role is Role.VOLUNTEER and any(u.kind is not UnitKind.STATION for u in units):
        # A volunteer works posts of a station: never a region's or the country's scope.
        raise InvalidInput("a volunteer belongs to stations only",
                           [Problem("stations only for role volunteer", "org_unit_codes")])
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
    user = find_user(session, username=username)
    user.password_hash = hash_password(password)
    user.token_generation += 1
    audit.record(session, actor=scope, at=clock.now(), action="user.set_password",
                 entity="user", entity_id=user.id)
    return user


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password against a stored hash (or a dummy one, so unknown users cost the same).

    CPU-heavy on purpose (argon2): call it outside any write transaction.
    """
    try:
        matched = bool(_hasher.verify(password_hash or _DUMMY_HASH, password))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    return matched and password_hash is not None


def needs_rehash(password_hash: str) -> bool:
    """Whether a hash was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(password_hash)


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


def find_user(session: Session, *, username: str) -> User:
    """A user by login name (break-glass CLI; the API goes by id within the scope)."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"no user '{username}'")
    return user


def _user_in_scope(session: Session, scope: Scope, user_id: uuid.UUID) -> User:
    user = next((u for u in list_users(session, scope=scope) if u.id == user_id), None)
    if user is None:
        raise NotFound("no such user in your scope")
    return user


def deactivate_user(session: Session, *, scope: Scope, clock: Clock, user_id: uuid.UUID) -> User:
    """Disable a user and revoke its tokens; never yourself, never the last active admin.

    Either would leave the station with nobody able to manage users (only ``ssz users`` on
    the server could then help).
    """
    scope.require(Permission.USER_MANAGE)
    user = _user_in_scope(session, scope, user_id)
    if user.id == scope.user_id:
        raise Conflict("you cannot deactivate yourself: ask another admin",
                       [Problem("is the caller", "user_id")])
    if user.is_active and user.role is Role.ADMIN:
        others = session.scalar(select(func.count()).select_from(User).where(
            User.role == Role.ADMIN, User.is_active.is_(True), User.id != user.id)) or 0
        if others == 0:
            raise Conflict("this is the last active admin: make another admin first",
                           [Problem("last active admin", "user_id")])
    user.is_active = False
    user.token_generation += 1
    audit.record(session, actor=scope, at=clock.now(), action="user.deactivate", entity="user",
                 entity_id=user.id)
    return user


def reactivate_user(session: Session, *, scope: Scope, clock: Clock, user_id: uuid.UUID) -> User:
    """Let a deactivated user log in again; tokens issued before stay dead."""
    scope.require(Permission.USER_MANAGE)
    user = _user_in_scope(session, scope, user_id)
    if user.is_active:
        raise Conflict(f"user '{user.username}' is already active",
                       [Problem("already active", "user_id")])
    user.is_active = True
    user.token_generation += 1
    audit.record(session, actor=scope, at=clock.now(), action="user.reactivate", entity="user",
                 entity_id=user.id)
    return user


def usernames(session: Session, user_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
    """Login names by user id (for showing who an item is assigned to)."""
    ids = set(user_ids)
    if not ids:
        return {}
    rows = session.execute(select(User.id, User.username).where(User.id.in_(ids)))
    return {user_id: username for user_id, username in rows}
