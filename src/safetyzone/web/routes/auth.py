"""Login (OAuth2 password flow), token refresh, who-am-I, and login lockouts for admins."""

from __future__ import annotations

import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel

from safetyzone.citizen import staff_line
from safetyzone.core.security import ROLE_PERMISSIONS
from safetyzone.org import auth, layouts
from safetyzone.org.login import LockKind, Lockout
from safetyzone.org.schemas import Me, RefreshRequest, TokenPair
from safetyzone.web.deps import ContextDep, ScopeDep
from safetyzone.web.problems import problem_responses

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


class LockoutRead(BaseModel):
    kind: LockKind
    key: str
    failures: int
    until: datetime.datetime
    locked: bool


def _read(lockout: Lockout) -> LockoutRead:
    return LockoutRead(kind=lockout.kind, key=lockout.key, failures=lockout.failures,
                       until=lockout.until, locked=lockout.locked)


def client_address(request: Request) -> str:
    """The peer's address (behind a proxy: what uvicorn's --proxy-headers made of it)."""
    return request.client.host if request.client else "unknown"


@router.post("/token", response_model=TokenPair)
def create_token(
    ctx: ContextDep, request: Request, form: Annotated[OAuth2PasswordRequestForm, Depends()]
) -> TokenPair:
    """Log in with username and password; returns an access and a refresh token.

    Repeated failures are answered 429 with Retry-After (see docs/security/auth.md).
    """
    return ctx.login.login(username=form.username, password=form.password,
                           address=client_address(request))


@router.post("/refresh", response_model=TokenPair)
def refresh_token(ctx: ContextDep, body: RefreshRequest) -> TokenPair:
    """Spend a refresh token for a new pair; a refresh token already spent revokes the login."""
    return ctx.login.refresh(body.refresh_token, body.attempt)


@router.get("/me", response_model=Me)
def read_me(ctx: ContextDep, scope: ScopeDep) -> Me:
    """The caller's role, permissions and scope, for the console to shape itself."""
    with ctx.db.read() as session:
        user = auth.get_user(session, scope=scope)
        return Me(
            id=user.id, username=user.username, display_name=user.display_name, role=user.role,
            permissions=sorted(p.value for p in ROLE_PERMISSIONS[user.role]),
            org_unit_ids=sorted(scope.org_unit_ids),
            station_ids=sorted(scope.station_ids) if scope.station_ids is not None else None,
            partner_id=scope.partner_id,
        )


@router.get("/lockouts", response_model=list[LockoutRead])
def list_lockouts(ctx: ContextDep, scope: ScopeDep) -> list[LockoutRead]:
    """Account names and client addresses blocked from logging in right now (admins)."""
    return [_read(lock) for lock in ctx.login.lockouts(scope=scope)]


@router.delete("/lockouts/{kind}/{key}", response_model=LockoutRead)
def clear_lockout(
    ctx: ContextDep, scope: ScopeDep, kind: LockKind,
    key: Annotated[str, Path(max_length=64)],
) -> LockoutRead:
    """Lift a login block before it ends (admins; audited as auth.lockout_cleared)."""
    return _read(ctx.login.clear(scope=scope, kind=kind, key=key))


@router.get("/me/layout", response_model=layouts.LayoutRead)
def read_my_layout(ctx: ContextDep, scope: ScopeDep) -> layouts.LayoutRead:
    """Your console layout (wall cameras, layers, popped-out windows), on any workstation."""
    with ctx.db.read() as session:
        return layouts.read(session, scope=scope)


@router.put("/me/layout", response_model=layouts.LayoutRead,
            responses=problem_responses(422))
def save_my_layout(ctx: ContextDep, scope: ScopeDep, body: layouts.Layout
                   ) -> layouts.LayoutRead:
    """Replace your console layout; yours only, nobody else reads it."""
    with ctx.db.write() as session:
        return layouts.save(session, scope=scope, clock=ctx.clock, layout=body)


@router.get("/me/line-link", response_model=staff_line.LinkState)
def read_my_line_link(ctx: ContextDep, scope: ScopeDep) -> staff_line.LinkState:
    """The LINE accounts your escalations go to (commanders)."""
    with ctx.db.read() as session:
        return staff_line.link_state(session, scope=scope)


@router.post("/me/line-link", response_model=staff_line.LinkCode,
             responses=problem_responses(403, 404))
def create_my_line_link_code(ctx: ContextDep, scope: ScopeDep) -> staff_line.LinkCode:
    """A one-time code (10 minutes): send "SSZ <code>" to your station's LINE account and
    escalated incidents reach that LINE. Commanders only."""
    with ctx.db.write() as session:
        return staff_line.new_code(session, scope=scope, clock=ctx.clock,
                                   server_key=ctx.settings.secret_key.get_secret_value())


@router.delete("/me/line-link", status_code=204)
def delete_my_line_link(ctx: ContextDep, scope: ScopeDep) -> None:
    """Stop escalations on LINE (every linked account of yours)."""
    with ctx.db.write() as session:
        staff_line.unlink(session, scope=scope, clock=ctx.clock)
