"""Logging in: the password is checked outside any write transaction, and guessing is slowed.

A login used to verify the argon2 hash inside the database write transaction: on SQLite
that holds the one write lock for the whole hash, so sixteen parallel wrong logins pushed
SOS intake from milliseconds to seconds. Now the user is read in a read session, the hash
is verified with no transaction open (at most ``MAX_VERIFYING`` at once and
``MAX_QUEUED`` waiting, beyond which the answer is 429 at once, so a flood cannot take every
core either), and only then a short write records the audit row, a rehash and
the new token family.

Guessing is throttled per account (the username as typed, known or not, so the answers do
not reveal which usernames exist) and per client address:

* account: the 5th failure in 15 min blocks the name for 1 s, each further one doubles it
  (2, 4, 8, 16 s); the 10th locks it for 15 min;
* address: the 20th failure blocks the address for 1 s, doubling likewise (capped at
  15 min); the 100th locks it for 15 min. Higher than per account because a station's
  consoles often share one address behind NAT.

A blocked attempt is answered 429 with ``Retry-After`` *before* the password is looked at,
so the right password during a lock is refused too, and a flood costs no hashing. A lock
is audited (``auth.lockout``) and admins see and lift blocks (``lockouts``, ``clear``).

The throttle state lives in memory, not in the database, on purpose: counting a failure
must not need the write lock that the flood is competing for, and a blocked attempt must
cost nothing at all. What matters afterwards is kept as data: every failure and every lock
is an audit row. The price: a restart forgets the counters (the attacker cannot restart
the server), and several server processes behind one address each count on their own.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from sqlalchemy import select

from safetyzone.audit import service as audit
from safetyzone.core.clock import Clock
from safetyzone.core.db import Database
from safetyzone.core.errors import AuthenticationFailed, NotFound, TooManyRequests
from safetyzone.core.security import Permission, Scope
from safetyzone.core.throttle import Backoff, Blocked, FailureLimiter
from safetyzone.org import auth, tokens
from safetyzone.org.models import User
from safetyzone.org.schemas import TokenPair

ACCOUNT = Backoff(delay_after=5, lock_after=10, lock_s=15 * 60, window_s=15 * 60)
ADDRESS = Backoff(delay_after=20, lock_after=100, lock_s=15 * 60, window_s=15 * 60)
MAX_VERIFYING = 2  # argon2 hashes checked at once; each uses several cores and 64 MiB
MAX_QUEUED = 8  # logins waiting for or in verification; more are answered 429 at once
WRONG = "wrong username or password"
LockKind = Literal["account", "address"]


@dataclass(frozen=True)
class Lockout:
    """An account name or client address that may not try to log in before ``until``."""

    kind: LockKind
    key: str
    failures: int
    until: datetime
    locked: bool


def account_key(username: str) -> str:
    return username.strip().lower()[:64]


class LoginGuard:
    """Logs people in and refreshes their tokens, behind the two failure limiters."""

    def __init__(self, db: Database, clock: Clock, config: tokens.TokenConfig,
                 account: Backoff = ACCOUNT, address: Backoff = ADDRESS) -> None:
        self.db = db
        self.clock = clock
        self.config = config
        seconds = self._seconds
        self.limiters: dict[LockKind, FailureLimiter] = {
            "account": FailureLimiter(account, clock=seconds),
            "address": FailureLimiter(address, clock=seconds),
        }
        self._verifying = threading.BoundedSemaphore(MAX_VERIFYING)
        self._queue_lock = threading.Lock()
        self._queued = 0

    def _seconds(self) -> float:
        return self.clock.now().timestamp()

    def login(self, *, username: str, password: str, address: str) -> TokenPair:
        """A new token pair for the right password; 401 otherwise, 429 while blocked."""
        keys: dict[LockKind, str] = {"account": account_key(username), "address": address}
        self._refuse_if_blocked(keys)
        with self.db.read() as session:
            user = session.scalar(select(User).where(User.username == username))
            user_id, stored = (user.id, user.password_hash) if user else (None, None)
            active = bool(user and user.is_active)
        with self._queue_lock:
            if self._queued >= MAX_QUEUED:
                raise TooManyRequests("too many logins at once: try again in a moment",
                                      retry_after_s=1)
            self._queued += 1
        try:
            with self._verifying:
                # Checked again: a flood's requests queue here while its first failures
                # start a block, and none of them may cost a hash after that.
                self._refuse_if_blocked(keys)
                matched = auth.verify_password(stored, password)
        finally:
            with self._queue_lock:
                self._queued -= 1
        if not (matched and active and user_id and stored):
            self._failed(keys, username)
            raise AuthenticationFailed(WRONG)
        rehashed = auth.hash_password(password) if auth.needs_rehash(stored) else None
        self.limiters["account"].succeed(keys["account"])
        with self.db.write() as session:
            user = session.get(User, user_id)
            if user is None or not user.is_active:  # deactivated while we hashed
                raise AuthenticationFailed(WRONG)
            if rehashed and user.password_hash == stored:
                user.password_hash = rehashed
            audit.record(session, actor=auth.scope_for(session, user), at=self.clock.now(),
                         action="auth.login", entity="user", entity_id=user.id,
                         detail={"address": address})
            return tokens.start_session(session, config=self.config, clock=self.clock,
                                        user=user)

    def address_retry_after(self, address: str) -> float:
        """Seconds the address must still wait (0: it may try); cheap, no database."""
        return self.limiters["address"].retry_after(address)

    def _refuse_if_blocked(self, keys: dict[LockKind, str]) -> None:
        wait = max(self.limiters[k].retry_after(v) for k, v in keys.items())
        if wait > 0:
            raise TooManyRequests("too many failed logins: wait before trying again",
                                  retry_after_s=math.ceil(wait))

    def _failed(self, keys: dict[LockKind, str], username: str) -> None:
        locks = [(kind, block) for kind, key in keys.items()
                 if (block := self.limiters[kind].fail(key)) is not None and block.locked]
        now = self.clock.now()
        with self.db.write() as session:
            audit.record(session, actor=None, at=now, action="auth.login_failed",
                         entity="user", username=username[:64],
                         detail={"address": keys["address"]})
            for kind, block in locks:
                audit.record(session, actor=None, at=now, action="auth.lockout",
                             entity="user" if kind == "account" else "address",
                             entity_id=block.key, username=username[:64],
                             reason=f"{block.failures} failed logins",
                             detail={"kind": kind, "until": _at(block.until).isoformat(),
                                     "address": keys["address"]})

    def refresh(self, token: str, attempt: str | None = None) -> TokenPair:
        """Spend a refresh token for a new pair (see ``safetyzone.org.tokens``)."""
        with self.db.write() as session:
            return tokens.refresh(session, config=self.config, clock=self.clock, token=token,
                                  attempt=attempt)

    def lockouts(self, *, scope: Scope) -> list[Lockout]:
        """Blocked account names and addresses the caller may see.

        National admins see all; a station admin sees its own users' names only.
        """
        scope.require(Permission.USER_MANAGE)
        visible = self._visible_names(scope)
        out = []
        for kind, limiter in self.limiters.items():
            for block in limiter.blocked():
                if visible is None or (kind == "account" and block.key in visible):
                    out.append(_lockout(kind, block))
        return out

    def clear(self, *, scope: Scope, kind: LockKind, key: str) -> Lockout:
        """Lift a delay or lock before it ends (audited)."""
        scope.require(Permission.USER_MANAGE)
        visible = self._visible_names(scope)
        key = account_key(key) if kind == "account" else key
        if visible is not None and (kind != "account" or key not in visible):
            raise NotFound(f"no {kind} lockout for '{key}' in your scope")
        block = self.limiters[kind].clear(key)
        if block is None:
            raise NotFound(f"no {kind} lockout for '{key}'")
        with self.db.write() as session:
            audit.record(session, actor=scope, at=self.clock.now(),
                         action="auth.lockout_cleared",
                         entity="user" if kind == "account" else "address", entity_id=key,
                         detail={"kind": kind, "failures": block.failures,
                                 "until": _at(block.until).isoformat()})
        return _lockout(kind, block)

    def _visible_names(self, scope: Scope) -> set[str] | None:
        if scope.is_national:
            return None
        with self.db.read() as session:
            return {account_key(u.username) for u in auth.list_users(session, scope=scope)}


def _at(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)


def _lockout(kind: LockKind, block: Blocked) -> Lockout:
    return Lockout(kind=kind, key=block.key, failures=block.failures, until=_at(block.until),
                   locked=block.locked)

