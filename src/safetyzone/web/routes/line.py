"""LINE: the webhook LINE calls, and the admin routes for the stations' channels.

The webhook is not for people: it is reachable without a login, but only a body signed
with a registered channel's secret does anything (``docs/security/access.md``, cell
``device``). Its body is read raw, with a cap, before anything parses it: the signature is
over the exact bytes.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Header, Request, status
from pydantic import BaseModel

from safetyzone.adapters import line as wire
from safetyzone.citizen import line_channels
from safetyzone.citizen.line_schemas import LineChannelCreate, LineChannelRead, LineChannelRotate
from safetyzone.core.errors import PayloadTooLarge
from safetyzone.gateways.line import LineGateway
from safetyzone.web.deps import ContextDep, ScopeDep
from safetyzone.web.problems import problem_responses

router = APIRouter(tags=["line"])
WEBHOOK_BODY = {"requestBody": {"required": True, "content": {"application/json": {
    "schema": {"type": "object", "description": "LINE webhook body: {destination, events}, "
               "https://developers.line.biz/en/reference/messaging-api/#request-body"}}}}}


class WebhookAnswer(BaseModel):
    """LINE reads only the status; the body is empty."""


def _gateway(request: Request) -> LineGateway:
    gateway: LineGateway = request.app.state.line
    return gateway


async def _raw_body(request: Request) -> bytes:
    """The body as sent, refused (413) as soon as it passes ``wire.MAX_BODY``."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > wire.MAX_BODY:
        raise PayloadTooLarge(f"a LINE webhook body is at most {wire.MAX_BODY} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > wire.MAX_BODY:
            raise PayloadTooLarge(f"a LINE webhook body is at most {wire.MAX_BODY} bytes")
    return bytes(body)


async def _receive(request: Request, background: BackgroundTasks, station_code: str | None,
                   signature: str | None) -> WebhookAnswer:
    gateway = _gateway(request)
    body = await _raw_body(request)
    unkept = await asyncio.to_thread(gateway.receive, station_code=station_code, body=body,
                                     signature=signature)
    if unkept:
        background.add_task(gateway.send_unkept, unkept)
    return WebhookAnswer()


Signature = Annotated[str | None, Header(alias="X-Line-Signature",
                                         description="base64 HMAC-SHA256 of the raw body "
                                         "with the channel secret.")]
WEBHOOK_PROBLEMS = problem_responses(401, 404, 413)


@router.post("/line/webhook", response_model=WebhookAnswer, responses=WEBHOOK_PROBLEMS,
             openapi_extra=WEBHOOK_BODY)
async def receive_line_webhook(request: Request, background: BackgroundTasks,
                               signature: Signature = None) -> WebhookAnswer:
    """LINE's webhook when one channel serves every station (``SSZ_LINE_ROUTING=by_location``).
    """
    return await _receive(request, background, None, signature)


@router.post("/line/webhook/{station_code}", response_model=WebhookAnswer,
             responses=WEBHOOK_PROBLEMS, openapi_extra=WEBHOOK_BODY)
async def receive_station_line_webhook(request: Request, background: BackgroundTasks,
                                       station_code: str,
                                       signature: Signature = None) -> WebhookAnswer:
    """LINE's webhook of one station's own channel (``SSZ_LINE_ROUTING=per_station``)."""
    return await _receive(request, background, station_code, signature)


# -- admin: the stations' channels (device.manage) -------------------------------------------


@router.post("/api/v1/line/channels", response_model=LineChannelRead,
             status_code=status.HTTP_201_CREATED)
def create_line_channel(ctx: ContextDep, scope: ScopeDep,
                        body: LineChannelCreate) -> LineChannelRead:
    """Register a station's LINE Official Account (admins, commanders); secrets are sealed."""
    routing = ctx.settings.line_routing
    with ctx.db.write() as session:
        channel = line_channels.register_channel(session, scope=scope, clock=ctx.clock,
                                                 box=ctx.secrets, routing=routing, data=body)
        return line_channels.channel_read(session, channel, routing)


@router.get("/api/v1/line/channels", response_model=list[LineChannelRead])
def list_line_channels(ctx: ContextDep, scope: ScopeDep) -> list[LineChannelRead]:
    with ctx.db.read() as session:
        return [line_channels.channel_read(session, c, ctx.settings.line_routing)
                for c in line_channels.list_channels(session, scope=scope)]


@router.post("/api/v1/line/channels/{channel_id}/rotate", response_model=LineChannelRead)
def rotate_line_channel(ctx: ContextDep, scope: ScopeDep, channel_id: uuid.UUID,
                        body: LineChannelRotate) -> LineChannelRead:
    """Store a reissued channel secret and/or access token (the old secret: one more hour)."""
    with ctx.db.write() as session:
        channel = line_channels.rotate_channel(session, scope=scope, clock=ctx.clock,
                                               box=ctx.secrets, channel_id=channel_id,
                                               data=body)
        return line_channels.channel_read(session, channel, ctx.settings.line_routing)
