"""Plate readers feeding the inbox over HTTP: Hikvision ISAPI, OpenALPR/Rekor, generic JSON.

Cameras cannot send our bearer token, so the camera names itself in the URL path with the
``external_id`` it was registered under (protocol ``lpr_hikvision``/``lpr_openalpr``/
``lpr_generic``). Unknown id: 403. Input that is no plate read: 400 with the reason, nothing
stored. Heartbeats and non-ANPR events: 200, nothing stored. A read: 200 only after commit.

A Hikvision camera's plate picture is kept under ``<data_dir>/lpr/<yyyy>/<mm>/<dd>/<id>.jpg``
(Bangkok date of the read; ``id`` derived from device and camera event id, so a retry writes
the same file) and the event's ``image_ref`` is that relative path.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from http import HTTPStatus
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from safetyzone.adapters.errors import NOT_A_READ, AdapterError
from safetyzone.adapters.lpr.generic import decode_generic
from safetyzone.adapters.lpr.hikvision import read_hikvision, split_multipart
from safetyzone.adapters.lpr.openalpr import decode_openalpr
from safetyzone.core.clock import BANGKOK, Clock
from safetyzone.core.errors import InvalidInput
from safetyzone.core.events import PlateIn
from safetyzone.intake.directory import ProtocolDirectory, Registered
from safetyzone.intake.models import Protocol
from safetyzone.intake.service import InboxWriter

log = logging.getLogger(__name__)
MAX_PICTURE_BODY = 2 * 1024 * 1024  # multipart with JPEGs
MAX_JSON_BODY = 256 * 1024
PICTURE_NS = uuid.UUID("6f1c3f0e-5c1b-4c8e-9f4e-2d7a1b3c4d5e")
JPEG_MAGIC = b"\xff\xd8"


def problem(status: int, code: str, detail: str) -> JSONResponse:
    """RFC 9457 problem+json, shaped as ``web.problems`` shapes it."""
    return JSONResponse({"type": f"https://safetyzone.dev/problems/{code}",
                         "title": HTTPStatus(status).phrase, "status": status, "code": code,
                         "detail": detail}, status_code=status,
                        media_type="application/problem+json")


def picture_ref(device_id: uuid.UUID, device_event_id: str, event_time: datetime) -> str:
    """Where a read's plate picture lives, relative to the data directory."""
    name = uuid.uuid5(PICTURE_NS, f"{device_id}:{device_event_id}")
    day = event_time.astimezone(BANGKOK)
    return f"lpr/{day:%Y}/{day:%m}/{day:%d}/{name}.jpg"


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


class LprGateway:
    def __init__(self, directory: ProtocolDirectory, writer: InboxWriter, clock: Clock,
                 data_dir: Path | None) -> None:
        self._directory = directory
        self._writer = writer
        self._clock = clock
        self._data_dir = data_dir

    async def hikvision(self, request: Request, external_id: str) -> Response:
        """ISAPI ``EventNotificationAlert``: XML alone, or multipart with the JPEGs."""
        content_type = request.headers.get("content-type", "application/xml")

        def decode(body: bytes, now: datetime, reg: Registered) -> list[PlateIn]:
            xml, images = split_multipart(body, content_type)
            event = read_hikvision(xml, received_at=now).event
            return [self._keep_picture(event, images, reg)]

        return await self._handle(request, Protocol.LPR_HIKVISION, external_id,
                                  MAX_PICTURE_BODY, decode)

    async def openalpr(self, request: Request, external_id: str) -> Response:
        """OpenALPR agent (alprd) / Rekor Scout webhook JSON: a group or a results list."""
        return await self._handle(
            request, Protocol.LPR_OPENALPR, external_id, MAX_JSON_BODY,
            lambda body, now, _reg: decode_openalpr(body, received_at=now))

    async def generic(self, request: Request, external_id: str) -> Response:
        """The generic JSON form (``adapters.lpr.generic``)."""
        return await self._handle(
            request, Protocol.LPR_GENERIC, external_id, MAX_JSON_BODY,
            lambda body, now, _reg: [decode_generic(body, received_at=now,
                                                    camera_id=external_id)])

    async def _handle(self, request: Request, protocol: Protocol, external_id: str,
                      limit: int,
                      decode: Callable[[bytes, datetime, Registered], Sequence[PlateIn]]
                      ) -> Response:
        registered = await asyncio.to_thread(self._directory.lookup, protocol, external_id)
        if registered is None:
            return problem(403, "unknown-device",
                           f"no {protocol.value} camera registered as '{external_id[:64]}'")
        body = await request.body()
        if len(body) > limit:
            return problem(413, "payload-too-large", f"request body is larger than {limit} bytes")
        now = self._clock.now()
        try:
            # Decoding parses XML/multipart and may write a JPEG: off the event loop.
            events = await asyncio.to_thread(decode, body, now, registered)
        except AdapterError as err:
            if err.code == NOT_A_READ:
                return JSONResponse({"status": "ignored", "reason": err.detail})
            return problem(400, "device-input-rejected", err.detail)
        if not events:
            return JSONResponse({"status": "ignored", "reason": "no plate in the message"})
        try:
            acks = await self._writer.submit(registered.identity, list(events))
        except InvalidInput as err:
            reasons = "; ".join(p.reason for p in err.problems) or err.detail
            return problem(400, "device-input-rejected", reasons)
        return JSONResponse({"status": "ok", "events": [
            {"id": str(a.id), "seq": a.seq, "duplicate": a.duplicate} for a in acks]})

    def _keep_picture(self, event: PlateIn, images: dict[str, bytes],
                      registered: Registered) -> PlateIn:
        """Store the plate picture (blocking; runs in a thread) and point image_ref at it."""
        named = event.payload.image_ref
        picture = images.get(named) if named else None
        if picture is None:
            picture = next((data for data in images.values() if data.startswith(JPEG_MAGIC)),
                           None)
        ref: str | None = None
        if picture is not None and picture.startswith(JPEG_MAGIC) and self._data_dir:
            ref = picture_ref(registered.identity.device_id, event.device_event_id,
                              event.event_time)
            _write_atomically(self._data_dir / ref, picture)
        payload: dict[str, Any] = {"image_ref": ref}
        return event.model_copy(update={"payload": event.payload.model_copy(update=payload)})
