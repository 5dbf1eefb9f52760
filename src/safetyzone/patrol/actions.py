"""The stored answers to the officer phone's actions, by idempotency key.

The phone queues actions in a dead spot and sends them when the link returns; a retry of
an action whose answer was lost must not do it twice. Each answer is kept under
(user, key) in the same transaction as the action itself, so either both exist or neither.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from safetyzone.patrol.models import OfficerAction


def find(session: Session, *, user_id: uuid.UUID, key: str) -> OfficerAction | None:
    return session.scalar(select(OfficerAction).where(OfficerAction.user_id == user_id,
                                                      OfficerAction.key == key))


def record(session: Session, *, user_id: uuid.UUID, key: str, route: str, at: datetime,
           status_code: int, body: dict[str, Any]) -> OfficerAction:
    action = OfficerAction(user_id=user_id, key=key, route=route, at=at,
                           status_code=status_code, body=body)
    session.add(action)
    session.flush()  # a concurrent twin fails here, before the caller answers
    return action


def forget_before(session: Session, *, before: datetime) -> int:
    """Drop answers older than ``before`` (a phone does not retry for days)."""
    result = session.execute(delete(OfficerAction).where(OfficerAction.at < before))
    return int(getattr(result, "rowcount", 0) or 0)
