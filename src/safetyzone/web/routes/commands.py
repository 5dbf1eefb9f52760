"""Commands to field devices: loudspeakers play a prerecorded message or announce a text."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Body, status

from safetyzone.ops import commands
from safetyzone.web.deps import ContextDep, ScopeDep

router = APIRouter(prefix="/api/v1", tags=["command center"])


@router.get("/speaker-messages", response_model=list[commands.MessageRead])
def list_speaker_messages(scope: ScopeDep) -> list[commands.MessageRead]:
    """The prerecorded messages every loudspeaker holds."""
    return commands.list_messages(scope=scope)


@router.post("/assets/{asset_id}/commands", response_model=commands.CommandRead,
             status_code=status.HTTP_201_CREATED)
def create_asset_command(
    ctx: ContextDep, scope: ScopeDep, asset_id: uuid.UUID,
    body: Annotated[commands.CommandIn, Body()],
) -> commands.CommandRead:
    """Send a command to a loudspeaker (or an SOS point with one); audited, on the feed."""
    with ctx.db.write() as session:
        row = commands.send(session, scope=scope, clock=ctx.clock, asset_id=asset_id,
                            command=body)
        return commands.CommandRead.model_validate(row)


@router.get("/assets/{asset_id}/commands", response_model=list[commands.CommandRead])
def list_asset_commands(ctx: ContextDep, scope: ScopeDep, asset_id: uuid.UUID
                        ) -> list[commands.CommandRead]:
    """The latest commands sent to this asset, newest first."""
    with ctx.db.read() as session:
        return [commands.CommandRead.model_validate(c) for c in commands.list_commands(
            session, scope=scope, asset_id=asset_id)]
