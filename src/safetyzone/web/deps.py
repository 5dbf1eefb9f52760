"""Dependencies every route uses. ``ScopeDep`` is THE access check: every data route takes it.

A test walks the app's routes and fails if a data route lacks it, so a new router cannot
quietly skip the scope.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.orm import Session

from safetyzone.core.clock import Clock
from safetyzone.core.db import Database
from safetyzone.core.errors import AuthenticationFailed
from safetyzone.core.secretbox import SecretBox
from safetyzone.core.security import Scope
from safetyzone.org import auth
from safetyzone.web.context import AppContext

oauth2 = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


def get_context(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.ctx
    return ctx


ContextDep = Annotated[AppContext, Depends(get_context)]


def get_clock(ctx: ContextDep) -> Clock:
    return ctx.clock


def get_secrets(ctx: ContextDep) -> SecretBox:
    return ctx.secrets


def read_session(ctx: ContextDep) -> Iterator[Session]:
    with ctx.db.read() as session:
        yield session


def get_db(ctx: ContextDep) -> Database:
    return ctx.db


ClockDep = Annotated[Clock, Depends(get_clock)]
SecretsDep = Annotated[SecretBox, Depends(get_secrets)]
ReadSession = Annotated[Session, Depends(read_session)]
# Writes open their transaction inside the route (``with db.write() as session``) so the
# commit happens before the response: a client never holds an ACK for an uncommitted change.
DbDep = Annotated[Database, Depends(get_db)]


def get_scope(
    ctx: ContextDep, token: Annotated[str | None, Depends(oauth2)]
) -> Scope:
    """Resolve the bearer token to the caller's scope, in a short read of its own."""
    if not token:
        raise AuthenticationFailed("not logged in: send 'Authorization: Bearer <token>'")
    with ctx.db.read() as session:
        user = auth.user_from_token(session, config=ctx.tokens, clock=ctx.clock, token=token,
                                    kind="access")
        return auth.scope_for(session, user)


ScopeDep = Annotated[Scope, Depends(get_scope)]
