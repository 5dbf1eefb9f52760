"""Login (OAuth2 password flow), token refresh, and who-am-I."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.security import OAuth2PasswordRequestForm

from safetyzone.audit import service as audit
from safetyzone.core.errors import AuthenticationFailed
from safetyzone.core.security import ROLE_PERMISSIONS
from safetyzone.org import auth
from safetyzone.org.schemas import Me, RefreshRequest, TokenPair
from safetyzone.web.deps import ContextDep, ScopeDep

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


@router.post("/token", response_model=TokenPair)
def create_token(
    ctx: ContextDep, form: Annotated[OAuth2PasswordRequestForm, Depends()]
) -> TokenPair:
    """Log in with username and password; returns an access and a refresh token."""
    with ctx.db.write() as session:
        try:
            user = auth.authenticate(session, clock=ctx.clock, username=form.username,
                                     password=form.password)
        except AuthenticationFailed:
            audit.record(session, actor=None, at=ctx.clock.now(), action="auth.login_failed",
                         entity="user", username=form.username[:64])
            session.commit()
            raise
        audit.record(session, actor=auth.scope_for(session, user), at=ctx.clock.now(),
                     action="auth.login", entity="user", entity_id=user.id)
        return auth.issue_tokens(ctx.tokens, ctx.clock, user)


@router.post("/refresh", response_model=TokenPair)
def refresh_token(ctx: ContextDep, body: RefreshRequest) -> TokenPair:
    """Trade a refresh token for a new pair, so a 12-hour shift needs one login."""
    with ctx.db.read() as session:
        user = auth.user_from_token(session, config=ctx.tokens, clock=ctx.clock,
                                    token=body.refresh_token, kind="refresh")
        return auth.issue_tokens(ctx.tokens, ctx.clock, user)


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
