"""Hotlists, plate-read search (with a stated purpose) and plate-read retention."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from safetyzone.core.paging import MAX_OFFSET
from safetyzone.lpr import service as lpr
from safetyzone.lpr.schemas import (
    HotlistCreate,
    HotlistRead,
    PlateReadOut,
    RetentionIn,
    RetentionRead,
)
from safetyzone.org import service as org
from safetyzone.web.deps import ContextDep, ScopeDep

router = APIRouter(prefix="/api/v1", tags=["plate readers"])


@router.post("/hotlists", response_model=HotlistRead, status_code=status.HTTP_201_CREATED)
def create_hotlist_entry(ctx: ContextDep, scope: ScopeDep, body: HotlistCreate) -> HotlistRead:
    """Put a plate on your station's hotlist (you own the entry; audited)."""
    with ctx.db.write() as session:
        entry = lpr.add_entry(session, scope=scope, clock=ctx.clock, data=body)
        return HotlistRead.model_validate(entry)


@router.get("/hotlists", response_model=list[HotlistRead])
def list_hotlist_entries(
    ctx: ContextDep, scope: ScopeDep, station_code: str | None = None,
    include_removed: bool = False, limit: Annotated[int, Query(ge=1, le=1000)] = 500,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> list[HotlistRead]:
    """Entries in your scope; covert ones only if they are yours."""
    with ctx.db.read() as session:
        station_id = (org.get_station(session, scope=scope, code=station_code).id
                      if station_code else None)
        return [HotlistRead.model_validate(e) for e in lpr.list_entries(
            session, scope=scope, station_id=station_id, include_removed=include_removed,
            limit=limit, offset=offset)]


@router.delete("/hotlists/{entry_id}", response_model=HotlistRead)
def remove_hotlist_entry(
    ctx: ContextDep, scope: ScopeDep, entry_id: uuid.UUID,
    reason: Annotated[str | None, Query(max_length=300)] = None,
) -> HotlistRead:
    """Take a plate off the list (the entry is kept, marked removed; audited)."""
    with ctx.db.write() as session:
        entry = lpr.remove_entry(session, scope=scope, clock=ctx.clock, entry_id=entry_id,
                                 reason=reason)
        return HotlistRead.model_validate(entry)


@router.get("/plate-reads", response_model=list[PlateReadOut])
def search_plate_reads(
    ctx: ContextDep, scope: ScopeDep,
    plate: Annotated[str, Query(min_length=2, max_length=32)],
    purpose: Annotated[str, Query(min_length=lpr.MIN_PURPOSE, max_length=300,
                                  description="Why you search: kept in the audit log.")],
    station_code: str | None = None, limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[PlateReadOut]:
    """Reads of one plate in your scope; every search is audited with its purpose."""
    with ctx.db.write() as session:  # the audit row commits with the answer
        station_id = (org.get_station(session, scope=scope, code=station_code).id
                      if station_code else None)
        return lpr.search_reads(session, scope=scope, clock=ctx.clock, plate=plate,
                                purpose=purpose, station_id=station_id, limit=limit)


@router.get("/plate-reads/retention", response_model=RetentionRead)
def read_plate_read_retention(ctx: ContextDep, scope: ScopeDep,
                              station_code: str) -> RetentionRead:
    with ctx.db.read() as session:
        return lpr.get_retention(session, scope=scope, station_code=station_code)


@router.put("/plate-reads/retention", response_model=RetentionRead)
def update_plate_read_retention(ctx: ContextDep, scope: ScopeDep,
                                body: RetentionIn) -> RetentionRead:
    """How many days the station keeps plate reads that hit nothing (audited)."""
    with ctx.db.write() as session:
        return lpr.set_retention(session, scope=scope, clock=ctx.clock,
                                 station_code=body.station_code, days=body.days)
