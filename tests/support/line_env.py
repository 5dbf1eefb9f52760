"""A SafetyZone app with a LINE channel registered for station ST-A, the LINE stand-in as
its Messaging API, and webhook bodies signed exactly as LINE signs them."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from safetyzone.adapters.line import sign
from safetyzone.citizen.line_models import JobState, LineJob
from safetyzone.config import Settings
from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from safetyzone.gateways.line import LineGateway
from safetyzone.web.app import create_app
from support.citizen_double import CitizenDouble
from support.line_standin import LineStandIn, line_standin
from support.live import wait_for
from support.world import World

SECRET = "0123456789abcdef0123456789abcdef"
TOKEN = "stationA+channel/access.token-0123456789="
USER = "U" + "1" * 32
OTHER_USER = "U" + "2" * 32
BOT = "U" + "b" * 32


@dataclass
class LineEnv:
    client: TestClient
    db: Database
    clock: ManualClock
    standin: LineStandIn
    gateway: LineGateway
    port: CitizenDouble
    channel: dict[str, Any]
    admin: dict[str, str]
    secret: str = SECRET
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def path(self) -> str:
        return str(self.channel["webhook_path"])

    def event(self, kind: str = "message", *, user: str = USER, redelivery: bool = False,
              event_id: str | None = None, **fields: Any) -> dict[str, Any]:
        """An event shaped as LINE sends it, with a fresh id and a live reply token."""
        n = next(self._ids)
        event = {"type": kind, "mode": "active",
                 "timestamp": int(self.clock.now().timestamp() * 1000),
                 "source": {"type": "user", "userId": user},
                 "webhookEventId": event_id or f"01JH{n:022d}",
                 "deliveryContext": {"isRedelivery": redelivery},
                 "replyToken": self.standin.reply_token()}
        event.update(fields)
        if kind == "unfollow":
            del event["replyToken"]
        return event

    def text(self, text: str, **kw: Any) -> dict[str, Any]:
        return self.event(message={"id": f"m{next(self._ids)}", "type": "text", "text": text,
                                   "quoteToken": "q"}, **kw)

    def location(self, lat: float, lon: float, **kw: Any) -> dict[str, Any]:
        return self.event(message={"id": f"m{next(self._ids)}", "type": "location",
                                   "title": "ปากซอย", "address": "ถนนพระราม 4",
                                   "latitude": lat, "longitude": lon}, **kw)

    def image(self, message_id: str, **kw: Any) -> dict[str, Any]:
        return self.event(message={"id": message_id, "type": "image", "quoteToken": "q",
                                   "contentProvider": {"type": "line"}}, **kw)

    def postback(self, data: str, **kw: Any) -> dict[str, Any]:
        return self.event("postback", postback={"data": data}, **kw)

    def body(self, *events: dict[str, Any]) -> bytes:
        return json.dumps({"destination": BOT, "events": list(events)},
                          ensure_ascii=False).encode()

    def post(self, *events: dict[str, Any], raw: bytes | None = None,
             signature: str | None = None, path: str | None = None) -> httpx.Response:
        """POST a webhook signed as LINE signs it (HMAC-SHA256 of the raw body, base64)."""
        body = raw if raw is not None else self.body(*events)
        headers = {"Content-Type": "application/json; charset=utf-8",
                   "X-Line-Signature": signature if signature is not None
                   else sign(body, self.secret)}
        return self.client.post(path or self.path, content=body, headers=headers)

    def consent(self, user: str = USER) -> None:
        version = self.port.consent()[0]
        answer = self.post(self.postback(f"consent=accept&v={version}", user=user))
        assert answer.status_code == 200, answer.text
        self.settle()

    def settle(self) -> None:
        """Wait until the outbox has sent (or given up on) every job that is due."""
        def idle() -> bool:
            with self.db.read() as session:
                return not session.scalar(select(func.count(LineJob.id)).where(
                    LineJob.state == JobState.PENDING, LineJob.next_at <= self.clock.now()))
        wait_for(idle)

    def replies(self) -> list[str]:
        return self.standin.texts("/v2/bot/message/reply")

    def pushes(self) -> list[str]:
        return self.standin.texts("/v2/bot/message/push")


@contextmanager
def line_env(db: Database, settings: Settings, world: World, routing: str = "per_station",
             real_service: bool = False) -> Iterator[LineEnv]:
    """``real_service``: the chat calls the citizen service (``line_bridge.ServicePort``);
    otherwise the in-memory ``CitizenDouble`` (until citizen-core is merged)."""
    clock = ManualClock()
    with line_standin(TOKEN) as standin:
        settings = settings.model_copy(update={
            "line_api_base": standin.api_base, "line_data_api_base": standin.data_api_base,
            "line_routing": routing, "line_link_base": "https://ssz.example.go.th"})
        app = create_app(settings, db, clock)
        port = CitizenDouble()
        gateway: LineGateway = app.state.line
        if not real_service:
            gateway.port = port
        with TestClient(app) as client:
            admin = world.headers(client, "admin")
            created = client.post("/api/v1/line/channels", headers=admin, json={
                "station_code": "ST-A", "name": "สภ.เอ", "line_channel_id": "1650000001",
                "channel_secret": SECRET, "access_token": TOKEN})
            assert created.status_code == 201, created.text
            env = LineEnv(client=client, db=db, clock=clock, standin=standin,
                          gateway=gateway, port=port, channel=created.json(), admin=admin)
            # The LINE console's "Verify" call, as when the webhook URL is set: the channel
            # learns its bot user id from it.
            assert env.post().status_code == 200
            yield env


def fingerprint(db: Database) -> str:
    """A digest of every row of every table: "nothing stored" means the same digest."""
    import hashlib

    from safetyzone.core.db import Base

    digest = hashlib.sha256()
    with db.read() as session:
        for table in Base.metadata.sorted_tables:
            rows = sorted(repr(tuple(r)) for r in session.execute(select(table)))
            digest.update(f"{table.name}:{len(rows)}:{rows}".encode())
    return digest.hexdigest()
