"""Device intake over HTTP: one event or a batch, answered only after the commit.

A retry with the same ``device_event_id`` gets the first answer again (and the header
``Idempotent-Replayed: true``), never a second row.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Body, Response
from pydantic import BaseModel, ConfigDict, Field

from safetyzone.core.events import EventIn
from safetyzone.core.text import Inbound
from safetyzone.intake.service import MAX_BATCH, Ack
from safetyzone.web.deps import DeviceDep, RuntimeDep

router = APIRouter(prefix="/api/v1/intake", tags=["intake"])


class AckRead(BaseModel):
    id: uuid.UUID
    seq: int
    device_event_id: str
    received_at: datetime
    status: str = "accepted"


class BatchIn(Inbound):
    model_config = ConfigDict(extra="forbid")
    events: list[EventIn] = Field(min_length=1, max_length=MAX_BATCH)


class BatchAck(BaseModel):
    acks: list[AckRead]


def _read(ack: Ack) -> AckRead:
    return AckRead(id=ack.id, seq=ack.seq, device_event_id=ack.device_event_id,
                   received_at=ack.received_at)


@router.post("/events", response_model=AckRead)
async def create_event(
    runtime: RuntimeDep, device: DeviceDep, event: Annotated[EventIn, Body()],
    response: Response,
) -> AckRead:
    """Submit one event from an authenticated device."""
    (ack,) = await runtime.writer.submit(device, [event])
    if ack.duplicate:
        response.headers["Idempotent-Replayed"] = "true"
    return _read(ack)


@router.post("/events/batch", response_model=BatchAck)
async def create_event_batch(
    runtime: RuntimeDep, device: DeviceDep, batch: BatchIn, response: Response,
) -> BatchAck:
    """Submit up to 1,000 events at once: all are stored, or none (every problem is listed)."""
    acks = await runtime.writer.submit(device, batch.events)
    if all(ack.duplicate for ack in acks):
        response.headers["Idempotent-Replayed"] = "true"
    return BatchAck(acks=[_read(ack) for ack in acks])
