"""Reading the audit trail."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from safetyzone.audit import service as audit
from safetyzone.audit.schemas import AuditRead
from safetyzone.core.paging import MAX_OFFSET, Page
from safetyzone.web.deps import ContextDep, ScopeDep

router = APIRouter(prefix="/api/v1", tags=["audit"])


@router.get("/audit", response_model=Page[AuditRead])
def list_audit_entries(
    ctx: ContextDep, scope: ScopeDep, action: str | None = None, entity_id: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> Page[AuditRead]:
    with ctx.db.read() as session:
        rows, total = audit.list_entries(session, scope=scope, action=action,
                                         entity_id=entity_id, limit=limit, offset=offset)
        return Page[AuditRead](items=[AuditRead.model_validate(r) for r in rows], total=total,
                               limit=limit, offset=offset)
