"""The OsmAnd protocol (Traccar Client, many trackers and phone apps) feeding the inbox.

Served at ``/api/v1/gateways/osmand`` on the main port and, when ``SSZ_OSMAND_PORT`` is set,
at ``/`` on its own port (5055 is what Traccar uses and what trackers expect).

Answers: 400 for a request that cannot be parsed, 403 for an unknown device, and 200 for
every parsed request of a known device, stored or not. Traccar Client treats any non-2xx as
a failure and resends its oldest fix every 30 s forever, so refusing one fix it buffered
(0,0, a dead clock, a week old, ahead of our clock, outside Thailand) would jam every newer
fix behind it. Such a fix is not stored (the unit does not move); its reason is counted and
noted on the device's health page (``gateways/problems.py``).
"""

from __future__ import annotations

import asyncio
import json
from datetime import datetime

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from safetyzone.adapters.errors import AdapterError, UnusableFix
from safetyzone.adapters.osmand import decode_osmand, decode_osmand_json, parse_form
from safetyzone.core.clock import Clock
from safetyzone.core.errors import InvalidInput, KindNotAllowed
from safetyzone.gateways import problems
from safetyzone.intake.directory import ProtocolDirectory
from safetyzone.intake.frames import FrameLog
from safetyzone.intake.models import Protocol
from safetyzone.intake.service import InboxWriter

MAX_BODY = 64 * 1024


class OsmAndGateway:
    def __init__(self, directory: ProtocolDirectory, writer: InboxWriter, clock: Clock,
                 frames: FrameLog | None = None) -> None:
        self._directory = directory
        self._writer = writer
        self._clock = clock
        self._frames = frames

    async def handle(self, request: Request) -> Response:
        """Decode one fix, find its registered unit, store it; 200 only after the commit."""
        body = await request.body()
        if len(body) > MAX_BODY:
            return PlainTextResponse("body too large", status_code=413)
        now = self._clock.now()
        try:
            content_type = request.headers.get("content-type", "")
            if body and "json" in content_type:
                fix = decode_osmand_json(body, received_at=now)
            else:
                pairs = list(request.query_params.multi_items())
                if body:
                    pairs += parse_form(body)
                fix = decode_osmand(pairs, received_at=now)
        except UnusableFix as err:
            return await self._unusable(request, body, err.device_id, err.reason, str(err), now)
        except (AdapterError, json.JSONDecodeError, UnicodeDecodeError) as err:
            await self._record(request, body, pairs_id(request), 400)
            return PlainTextResponse(f"bad request: {err}", status_code=400)
        registered = await asyncio.to_thread(self._directory.lookup, Protocol.OSMAND,
                                             fix.device_id)
        if registered is None:
            return PlainTextResponse(f"unknown device id '{fix.device_id}': register it first",
                                     status_code=403)
        refused = problems.unusable(fix.event, now=now)
        if refused is None:
            try:
                await self._writer.submit(registered.identity, [fix.event])
            except InvalidInput as err:  # a check the gateway did not foresee: still no jam
                refused = problems.classify(err.problems, fix.event, now=now)
            except KindNotAllowed as err:  # registered to a subject that sends no positions
                refused = ("kind_not_allowed", err.detail)
        if refused is not None:
            reason, detail = refused
            problems.report(self._frames, Protocol.OSMAND, fix.device_id, reason, detail, now)
        await self._record(request, body, fix.device_id, 200, known=True)
        return PlainTextResponse("OK" if refused is None else f"OK, not used: {refused[1]}")

    async def _unusable(self, request: Request, body: bytes, device_id: str | None,
                        reason: str, detail: str, now: datetime) -> Response:
        """A parsed fix we will not use: 200 for a known device (see the module docstring)."""
        registered = None if device_id is None else await asyncio.to_thread(
            self._directory.lookup, Protocol.OSMAND, device_id)
        if registered is None or device_id is None:
            return PlainTextResponse(f"unknown device id '{device_id}': register it first",
                                     status_code=403)
        problems.report(self._frames, Protocol.OSMAND, device_id, reason, detail, now)
        await self._record(request, body, device_id, 200, known=True)
        return PlainTextResponse(f"OK, not used: {detail}")

    async def _record(self, request: Request, body: bytes, device_id: str | None, status: int,
                      *, known: bool = False) -> None:
        """Keep the query string (or body) and the status, for registered devices only."""
        if self._frames is None or not device_id:
            return
        if not known and await asyncio.to_thread(
                self._directory.lookup, Protocol.OSMAND, device_id) is None:
            return
        peer = f"{request.client.host}:{request.client.port}" if request.client else "?"
        now = self._clock.now()
        raw = body or request.url.query.encode("latin-1", "replace")
        self._frames.record(Protocol.OSMAND, device_id, "rx", peer, raw, now)
        self._frames.record(Protocol.OSMAND, device_id, "tx", peer, str(status).encode(), now)


def pairs_id(request: Request) -> str | None:
    """The id a malformed GET fix names, so its bad frame is kept for the admins."""
    return request.query_params.get("id") or request.query_params.get("deviceid")
