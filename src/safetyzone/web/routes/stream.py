"""The live WebSocket: committed feed entries for the caller's scope, resumable by cursor.

Get a one-time ticket with ``POST /api/v1/stream/tickets`` (bearer token), then connect to
``/api/v1/stream?ticket=...&after=<seq>`` within 30 s (see ``safetyzone.org.tickets``;
``access_token=`` is still accepted during the transition, and masked in the logs). The
server first replays every
entry after ``after`` from the database, then streams live ones; each message carries its
``seq``, so a console that reconnects with its last seq misses nothing. A console that
falls ``QUEUE_LIMIT`` entries behind is disconnected with code 4008 and should reconnect.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, WebSocket, WebSocketDisconnect, status
from pydantic import BaseModel

from safetyzone.core.errors import SafetyZoneError
from safetyzone.core.security import Permission, Scope
from safetyzone.ops import feed
from safetyzone.org import auth, tokens
from safetyzone.org import service as org
from safetyzone.web.context import AppContext
from safetyzone.web.deps import ContextDep, ScopeDep, oauth2
from safetyzone.web.hub import Listener, visible_to
from safetyzone.web.runtime import Runtime

router = APIRouter(prefix="/api/v1", tags=["command center"])
TOO_SLOW = 4008
UNAUTHORIZED = 4401
FORBIDDEN = 4403
PING_S = 20.0
SEND_TIMEOUT_S = 10.0


class StreamTicket(BaseModel):
    ticket: str
    expires_in: int


@router.post("/stream/tickets", response_model=StreamTicket,
             status_code=status.HTTP_201_CREATED)
def create_stream_ticket(
    ctx: ContextDep, scope: ScopeDep, token: Annotated[str | None, Depends(oauth2)]
) -> StreamTicket:
    """A one-time ticket (30 s) to open the live feed with ``?ticket=``: no token in the URL."""
    scope.require(Permission.OPS_READ)  # the feed itself refuses the rest; say so up front
    claims = tokens.decode(ctx.tokens, ctx.clock, token or "", "access")
    ticket = ctx.tickets.issue(user_id=scope.user_id, generation=claims["gen"],
                               family_id=claims["fam"])
    return StreamTicket(ticket=ticket, expires_in=ctx.tickets.ttl_s)


def websocket_scope(ctx: AppContext, token: str | None, ticket: str | None = None) -> Scope:
    """THE scope check for WebSockets (browsers cannot set headers on them)."""
    with ctx.db.read() as session:
        if ticket:
            held = ctx.tickets.redeem(ticket)
            user = tokens.holder(session, user_id=held.user_id, generation=held.generation,
                                 family_id=held.family_id)
        else:
            user = auth.user_from_token(session, config=ctx.tokens, clock=ctx.clock,
                                        token=token or "", kind="access")
        return auth.scope_for(session, user)


def narrow(ctx: AppContext, scope: Scope, codes: list[str]) -> Scope:
    """Subscribe to some stations only; asking for one outside the scope is refused."""
    with ctx.db.read() as session:
        ids = frozenset(org.get_station(session, scope=scope, code=c).id for c in codes)
    return dataclasses.replace(scope, station_ids=ids)


def _item(entry: Any) -> dict[str, Any]:
    return {"seq": entry.seq, "type": entry.type, "station_id": str(entry.station_id),
            "at": entry.at.isoformat(), "entity_id": str(entry.entity_id), "data": entry.payload}


@router.websocket("/stream")
async def stream_feed(
    websocket: WebSocket,
    ticket: Annotated[str | None, Query(max_length=128,
                                        description="From POST /api/v1/stream/tickets.")]
    = None,
    access_token: Annotated[str | None, Query(
        deprecated=True, description="Transition only: use ticket.")] = None,
    after: Annotated[int | None, Query(ge=0, le=2**63 - 1)] = None,
    station: Annotated[list[str] | None, Query(description="Narrow to these station codes.")]
    = None,
) -> None:
    ctx: AppContext = websocket.app.state.ctx
    runtime: Runtime = websocket.app.state.runtime
    await websocket.accept()
    try:
        scope = await asyncio.to_thread(websocket_scope, ctx, access_token, ticket)
    except SafetyZoneError as err:
        await websocket.close(UNAUTHORIZED, err.detail[:120])
        return
    if not scope.can(Permission.OPS_READ):
        await websocket.close(FORBIDDEN, f"role '{scope.role.value}' does not receive the feed")
        return
    if station:
        try:
            scope = await asyncio.to_thread(narrow, ctx, scope, station)
        except SafetyZoneError as err:
            await websocket.close(FORBIDDEN, err.detail[:120])
            return
    listener = Listener(station_ids=scope.station_ids, user_id=scope.user_id)
    runtime.hub.add(listener)  # before the replay, so nothing falls between the two
    try:
        last = await _replay(ctx, websocket, scope, after)
        await _live(websocket, listener, last)
    except WebSocketDisconnect:
        pass
    finally:
        runtime.hub.remove(listener)


async def _replay(ctx: AppContext, websocket: WebSocket, scope: Scope, after: int | None) -> int:
    def load(cursor: int) -> tuple[list[dict[str, Any]], int]:
        with ctx.db.read() as session:
            if cursor < 0:
                return [], feed.last_seq(session)
            entries = feed.entries_after(session, after_seq=cursor,
                                         station_ids=scope.station_ids)
            items = [i for i in map(_item, entries) if visible_to(i, scope.user_id)]
            return items, (entries[-1].seq if entries else cursor)

    cursor = -1 if after is None else after
    items, last = await asyncio.to_thread(load, cursor)
    await websocket.send_json({"type": "hello", "cursor": last, "user": scope.username,
                               "role": scope.role.value})
    while items:
        for item in items:
            await _send(websocket, item)
        items, last = await asyncio.to_thread(load, last)
    return last


async def _live(websocket: WebSocket, listener: Listener, last: int) -> None:
    closed_by_client = asyncio.create_task(_drain_client(websocket))
    try:
        while True:
            getter = asyncio.create_task(listener.queue.get())
            done, _ = await asyncio.wait({getter, closed_by_client}, timeout=PING_S,
                                         return_when=asyncio.FIRST_COMPLETED)
            if closed_by_client in done:
                getter.cancel()
                return
            if getter not in done:
                getter.cancel()
                await _send(websocket, {"type": "ping", "cursor": last})
                continue
            item = getter.result()
            if item["type"] == "overflow":
                await websocket.close(TOO_SLOW, f"too far behind: reconnect with after={last}")
                return
            if item["seq"] <= last:
                continue  # already sent during the replay
            await _send(websocket, item)
            last = item["seq"]
    finally:
        closed_by_client.cancel()
        with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect):
            await closed_by_client


async def _send(websocket: WebSocket, item: dict[str, Any]) -> None:
    """Send, giving up on a client that has stopped reading (its TCP window stays full)."""
    try:
        await asyncio.wait_for(websocket.send_json(item), timeout=SEND_TIMEOUT_S)
    except TimeoutError:
        with contextlib.suppress(Exception):
            await websocket.close(TOO_SLOW, "not reading: reconnect with your last seq")
        raise WebSocketDisconnect(TOO_SLOW) from None


async def _drain_client(websocket: WebSocket) -> None:
    """Read (and ignore) what the client sends, so a close from its side is noticed."""
    while True:
        await websocket.receive_text()
