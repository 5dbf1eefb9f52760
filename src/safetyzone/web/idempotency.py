"""Once-only officer actions: ``Idempotency-Key`` on every officer POST.

The officer's phone queues actions in a dead spot and sends them when the link returns; it
cannot know whether a request whose answer was lost was done. So each action carries a
key, and ``once`` runs the action and stores its answer under (user, key) in ONE write
transaction: a retry gets the first answer back (``Idempotent-Replayed: true``) and does
nothing. A refusal the action returns itself (status >= 400, e.g. a refused red-box
check-in) is a recorded fact: stored and committed like a success, and sent as
problem+json. An exception raised by the action rolls everything back and stores nothing,
so the phone may retry it later (a database outage, a bug).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Header
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from safetyzone.core.errors import Conflict, InvalidInput, Problem
from safetyzone.core.security import Scope
from safetyzone.patrol import actions
from safetyzone.patrol.models import OfficerAction
from safetyzone.web.context import AppContext
from safetyzone.web.problems import PROBLEM_JSON, problem_body

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
KEY = re.compile(r"[A-Za-z0-9_-]{8,64}")
# The header as routes declare it (one declaration, so the API docs say the same everywhere).
IdempotencyKey = Annotated[str | None, Header(alias=HEADER, description=(
    "8-64 of A-Z a-z 0-9 _ -, new for each action and the same on its retries: a retry (a "
    "double click, a lost answer, a phone's queue replayed) gets the first answer and "
    "changes nothing."))]
Work = Callable[[Session], tuple[int, dict[str, Any]]]


def check_key(key: str | None) -> str:
    """The key, or 422 saying what a key must look like."""
    if key is None:
        raise InvalidInput(f"this action needs an {HEADER} header (8-64 of A-Z a-z 0-9 _ -), "
                           "the same on every retry", [Problem("missing", HEADER)])
    if KEY.fullmatch(key) is None:
        raise InvalidInput(f"{HEADER} must be 8-64 of A-Z a-z 0-9 _ -",
                           [Problem("malformed", HEADER)])
    return key


def refusal(status: int, *, code: str, detail: str, problems: list[Problem] | None = None,
            **extra: Any) -> tuple[int, dict[str, Any]]:
    """A refusal for ``work`` to return (and so to store): a problem+json body."""
    return status, problem_body(status, code=code, detail=detail,
                                problems=[p.as_dict() for p in problems or []] or None,
                                **extra)


def _answer(status: int, body: dict[str, Any], replayed: bool) -> JSONResponse:
    headers = {REPLAYED: "true"} if replayed else None
    media_type = PROBLEM_JSON if status >= 400 else None
    return JSONResponse(body, status_code=status, headers=headers, media_type=media_type)


def _replay(stored: OfficerAction, route: str) -> JSONResponse:
    if stored.route != route:
        raise Conflict(f"this {HEADER} was already used for another action ({stored.route}): "
                       "use a new key for each action", [Problem("reused key", HEADER)],
                       code="idempotency-key-reused")
    return _answer(stored.status_code, stored.body, replayed=True)


def once(ctx: AppContext, scope: Scope, key: str | None, route: str, work: Work) -> JSONResponse:
    """Run ``work`` once per (caller, key); see the module docstring."""
    key = check_key(key)
    if not 1 <= len(route) <= 64:
        raise ValueError(f"route name {route!r} must be 1-64 characters")
    try:
        with ctx.db.write() as session:
            stored = actions.find(session, user_id=scope.user_id, key=key)
            if stored is not None:
                return _replay(stored, route)
            status, body = work(session)
            body = jsonable_encoder(body)
            actions.record(session, user_id=scope.user_id, key=key, route=route,
                           at=ctx.clock.now(), status_code=status, body=body)
    except IntegrityError:
        # Two copies of one retry raced (PostgreSQL): the other one's answer is the answer.
        with ctx.db.read() as session:
            stored = actions.find(session, user_id=scope.user_id, key=key)
        if stored is None:
            raise
        return _replay(stored, route)
    return _answer(status, body, replayed=False)
