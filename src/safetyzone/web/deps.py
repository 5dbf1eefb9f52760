"""Dependencies every route uses. ``ScopeDep`` is THE access check: every data route takes it.

A test walks the app's routes and fails if a data route lacks it, so a new router cannot
quietly skip the scope.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Header
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.orm import Session
from starlette.requests import HTTPConnection

from safetyzone.core.clock import Clock
from safetyzone.core.db import Database
from safetyzone.core.errors import AuthenticationFailed
from safetyzone.core.secretbox import SecretBox
from safetyzone.core.security import Scope
from safetyzone.intake.credentials import DeviceIdentity
from safetyzone.org import auth
from safetyzone.web.context import AppContext
from safetyzone.web.runtime import Runtime

oauth2 = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


def get_context(request: HTTPConnection) -> AppContext:
    ctx: AppContext = request.app.state.ctx
    return ctx


ContextDep = Annotated[AppContext, Depends(get_context)]


async def get_runtime(request: HTTPConnection) -> Runtime:
    # async: a plain def dependency would cost a thread hop on the device hot path.
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


async def get_device(
    runtime: RuntimeDep, authorization: Annotated[str | None, Header()] = None
) -> DeviceIdentity:
    """THE device check: every intake route takes it (devices are not users).

    Cached credentials are checked right here; a cache miss reads the database in a thread.
    """
    scheme, _, token = (authorization or "").partition(" ")
    value = token.strip() if scheme.lower() == "bearer" else None
    identity = runtime.devices.authenticate_cached(value)
    if identity is None:
        identity = await asyncio.to_thread(runtime.devices.authenticate, value)
    return identity


DeviceDep = Annotated[DeviceIdentity, Depends(get_device)]


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
