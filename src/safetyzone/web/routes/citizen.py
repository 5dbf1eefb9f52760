"""Citizens' items for the station: the queue, answers, merges, incidents, closing, tips.

Station scope and permissions are checked in ``citizen.officer`` / ``citizen.tips``; every
act is audited there.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse

from safetyzone.citizen import officer, records, tips
from safetyzone.citizen.schemas import (
    AssignIn,
    CitizenItemDetail,
    CitizenItemRead,
    CloseIn,
    MergeIn,
    MessageRead,
    ReplyIn,
    TipIdentity,
    ToIncidentIn,
)
from safetyzone.citizen.taxonomy import ItemKind, ItemState
from safetyzone.core.paging import MAX_OFFSET
from safetyzone.org import service as org
from safetyzone.web.deps import ContextDep, RuntimeDep, ScopeDep

router = APIRouter(prefix="/api/v1/citizen", tags=["citizens (station)"])


@router.get("/items", response_model=list[CitizenItemRead])
def list_citizen_items(
    ctx: ContextDep, scope: ScopeDep,
    station: Annotated[str | None, Query(max_length=64, description="Station code.")] = None,
    kind: ItemKind | None = None, state: ItemState | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> list[CitizenItemRead]:
    """Citizens' items in your scope, newest first."""
    with ctx.db.read() as session:
        station_id = org.get_station(session, scope=scope, code=station).id if station else None
        return [records.item_read(session, item) for item in officer.list_items(
            session, scope=scope, station_id=station_id, kind=kind, state=state, limit=limit,
            offset=offset)]


@router.get("/items/{item_id}", response_model=CitizenItemDetail)
def read_citizen_item(ctx: ContextDep, scope: ScopeDep, item_id: uuid.UUID
                      ) -> CitizenItemDetail:
    """One item with its trail, messages and (not for tips) contact."""
    with ctx.db.read() as session:
        return officer.get_item(session, scope=scope, box=ctx.secrets, item_id=item_id)


@router.get("/items/{item_id}/media/{media_id}", response_class=FileResponse,
            responses={200: {"content": {"image/jpeg": {}, "image/png": {}, "image/webp": {},
                                         "audio/ogg": {}, "audio/webm": {}, "audio/mp4": {}},
                             "description": "The stored file (EXIF removed)."}})
def read_citizen_media(ctx: ContextDep, scope: ScopeDep, item_id: uuid.UUID,
                       media_id: uuid.UUID, thumb: bool = False) -> FileResponse:
    """A photo (``thumb=1``: its thumbnail) or voice note of an item."""
    with ctx.db.read() as session:
        path, content_type = officer.media_file(session, scope=scope, store=ctx.media,
                                                item_id=item_id, media_id=media_id,
                                                thumb=thumb)
    # A voice note is kept as sent (only its signature is checked): a download, never
    # something the browser opens as a page.
    disposition = {"Content-Disposition": "attachment"} if content_type.startswith(
        "audio/") else {}
    return FileResponse(path, media_type=content_type,
                        headers={"Cache-Control": "private, no-store", **disposition})


@router.post("/items/{item_id}/messages", response_model=MessageRead, status_code=201)
def create_citizen_reply(ctx: ContextDep, scope: ScopeDep, item_id: uuid.UUID,
                         body: ReplyIn) -> MessageRead:
    """Answer the citizen (``ask_info``: ask for more information)."""
    with ctx.db.write() as session:
        msg = officer.reply(session, scope=scope, clock=ctx.clock, item_id=item_id,
                            text=body.text, ask_info=body.ask_info)
        return MessageRead(at=msg.at, direction=msg.direction, author=msg.author,
                           text=msg.text, ask_info=msg.ask_info, delivery=msg.delivery)


@router.post("/items/{item_id}/acknowledge", response_model=CitizenItemRead)
def acknowledge_citizen_item(ctx: ContextDep, scope: ScopeDep, item_id: uuid.UUID
                             ) -> CitizenItemRead:
    with ctx.db.write() as session:
        item = officer.acknowledge(session, scope=scope, clock=ctx.clock, item_id=item_id)
        return records.item_read(session, item)


@router.post("/items/{item_id}/merge", response_model=CitizenItemRead)
def merge_citizen_item(ctx: ContextDep, scope: ScopeDep, item_id: uuid.UUID,
                       body: MergeIn) -> CitizenItemRead:
    """Join a duplicate into the item it repeats."""
    with ctx.db.write() as session:
        item = officer.merge(session, scope=scope, clock=ctx.clock, item_id=item_id,
                             into=body.into)
        return records.item_read(session, item)


@router.post("/items/{item_id}/incident", response_model=CitizenItemRead)
def create_citizen_incident(ctx: ContextDep, scope: ScopeDep, runtime: RuntimeDep,
                            item_id: uuid.UUID, body: ToIncidentIn | None = None
                            ) -> CitizenItemRead:
    """Turn a report or tip into an incident."""
    with ctx.db.write() as session:
        item = officer.to_incident(session, scope=scope, clock=ctx.clock, item_id=item_id,
                                   priority=body.priority if body else None,
                                   cameras=runtime.cameras)
        return records.item_read(session, item)


@router.post("/items/{item_id}/close", response_model=CitizenItemRead)
def close_citizen_item(ctx: ContextDep, scope: ScopeDep, item_id: uuid.UUID,
                       body: CloseIn) -> CitizenItemRead:
    """Close with a disposition the citizen reads in Thai."""
    with ctx.db.write() as session:
        item = officer.close(session, scope=scope, clock=ctx.clock, item_id=item_id,
                             disposition=body.disposition, note=body.note)
        return records.item_read(session, item)


@router.post("/items/{item_id}/assign", response_model=CitizenItemRead)
def assign_citizen_tip(ctx: ContextDep, scope: ScopeDep, item_id: uuid.UUID,
                       body: AssignIn) -> CitizenItemRead:
    """Give a tip to an investigator of its station."""
    with ctx.db.write() as session:
        item = tips.assign_tip(session, scope=scope, clock=ctx.clock, item_id=item_id,
                               username=body.username)
        return records.item_read(session, item)


@router.get("/items/{item_id}/identity", response_model=TipIdentity)
def read_tip_identity(ctx: ContextDep, scope: ScopeDep, item_id: uuid.UUID) -> TipIdentity:
    """Who sent a tip: the assigned investigator only; every read is audited."""
    with ctx.db.write() as session:  # the audit row commits with the read
        return tips.tip_identity(session, scope=scope, clock=ctx.clock, box=ctx.secrets,
                                 item_id=item_id)
