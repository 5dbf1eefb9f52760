"""Writing and reading the audit trail."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from safetyzone.audit.models import AuditEntry
from safetyzone.core.security import Permission, Scope


def record(
    session: Session,
    *,
    actor: Scope | None,
    at: datetime,
    action: str,
    entity: str,
    entity_id: uuid.UUID | str | None = None,
    station_id: uuid.UUID | None = None,
    reason: str | None = None,
    detail: dict[str, Any] | None = None,
    username: str | None = None,
) -> AuditEntry:
    """Add one audit row inside the caller's transaction, so the row and the act commit together."""
    entry = AuditEntry(
        at=at,
        user_id=actor.user_id if actor else None,
        username=actor.username if actor else (username or "system"),
        action=action,
        entity=entity,
        entity_id=str(entity_id) if entity_id is not None else None,
        station_id=station_id,
        reason=reason,
        detail=detail or {},
    )
    session.add(entry)
    return entry


def list_entries(
    session: Session,
    *,
    scope: Scope,
    action: str | None = None,
    entity_id: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[AuditEntry], int]:
    """Audit rows the caller may read: its stations' rows, and its own acts."""
    scope.require(Permission.AUDIT_READ)
    query = select(AuditEntry)
    if not scope.is_national:
        query = query.where(
            scope.station_filter(AuditEntry.station_id) | (AuditEntry.user_id == scope.user_id)
        )
    if action:
        query = query.where(AuditEntry.action == action)
    if entity_id:
        query = query.where(AuditEntry.entity_id == entity_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(AuditEntry.id.desc()).limit(limit).offset(offset))
    return list(rows), total


def latest_of(session: Session, *, action: str, entity_ids: Iterable[str]
              ) -> dict[str, AuditEntry]:
    """The newest row of ``action`` for each entity, unscoped: for a domain that already
    holds those entities in the caller's scope (the reason a unit went out of service)."""
    ids = list(entity_ids)
    if not ids:
        return {}
    out: dict[str, AuditEntry] = {}
    for row in session.scalars(select(AuditEntry).where(
            AuditEntry.action == action, AuditEntry.entity_id.in_(ids))
            .order_by(AuditEntry.id)):
        assert row.entity_id is not None
        out[row.entity_id] = row
    return out
