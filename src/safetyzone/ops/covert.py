"""The covert rule, in one place: a hit on a covert hotlist entry is its list owner's alone.

Its incident carries ``detail.covert_owner_user_id`` (``mark``); only that user sees it, in
the queue, the live feed, searches and the shift log, whatever their role or station. Three
forms of one rule: a Python check on an incident's detail (``may_see``: one incident, the
live feed's entries), and its SQL twins for queries (``visible_sql``, ``is_covert_sql``).
Every reader goes through these, so the rule cannot drift between them.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import ColumnElement, or_

from safetyzone.ops.models import Incident

COVERT_OWNER = "covert_owner_user_id"


def mark(detail: dict[str, Any], owner_user_id: uuid.UUID) -> None:
    """Make the incident whose detail this is a covert hit of ``owner_user_id``."""
    detail[COVERT_OWNER] = str(owner_user_id)


def may_see(detail: object, user_id: uuid.UUID | None) -> bool:
    """False for a covert hit of someone else; ``detail`` as stored (any shape)."""
    owner = detail.get(COVERT_OWNER) if isinstance(detail, Mapping) else None
    return owner is None or owner == str(user_id)


def visible_sql(user_id: uuid.UUID) -> ColumnElement[bool]:
    """``may_see`` as a WHERE clause on incidents."""
    owner = Incident.detail[COVERT_OWNER].as_string()
    return or_(owner.is_(None), owner == str(user_id))


def is_covert_sql() -> ColumnElement[bool]:
    """Covert hits, whoever owns them (counted, never shown: the monthly figures)."""
    covert: ColumnElement[bool] = Incident.detail[COVERT_OWNER].as_string().is_not(None)
    return covert


def not_covert_sql() -> ColumnElement[bool]:
    """No covert hit at all (what a shift handover names, whoever asks)."""
    open_: ColumnElement[bool] = Incident.detail[COVERT_OWNER].as_string().is_(None)
    return open_
