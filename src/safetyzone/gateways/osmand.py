"""The OsmAnd protocol (Traccar Client, many trackers and phone apps) feeding the inbox.

Served at ``/api/v1/gateways/osmand`` on the main port and, when ``SSZ_OSMAND_PORT`` is set,
at ``/`` on its own port (5055 is what Traccar uses and what trackers expect).
"""

from __future__ import annotations

import asyncio
import json

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from safetyzone.adapters.errors import AdapterError
from safetyzone.adapters.osmand import decode_osmand, decode_osmand_json, parse_form
from safetyzone.core.clock import Clock
from safetyzone.intake.directory import ProtocolDirectory
from safetyzone.intake.models import Protocol
from safetyzone.intake.service import InboxWriter

MAX_BODY = 64 * 1024


class OsmAndGateway:
    def __init__(self, directory: ProtocolDirectory, writer: InboxWriter, clock: Clock) -> None:
        self._directory = directory
        self._writer = writer
        self._clock = clock

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
        except (AdapterError, json.JSONDecodeError, UnicodeDecodeError) as err:
            return PlainTextResponse(f"bad request: {err}", status_code=400)
        registered = await asyncio.to_thread(self._directory.lookup, Protocol.OSMAND,
                                             fix.device_id)
        if registered is None:
            return PlainTextResponse(f"unknown device id '{fix.device_id}': register it first",
                                     status_code=403)
        await self._writer.submit(registered.identity, [fix.event])
        return PlainTextResponse("OK")
