"""A SafetyZone app with a LINE channel registered for station ST-A, the LINE stand-in as
its Messaging API, and webhook bodies signed exactly as LINE signs them.

The chat runs on the real citizen service (``citizen.line_bridge.ServicePort``) and the real
media store; what it produced is read back through the station's API (``/api/v1/citizen``)
as an officer sees it, or from the database where the API shows nothing (on purpose)."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from safetyzone.adapters.line import sign
from safetyzone.citizen import records
from safetyzone.citizen.line_models import JobState, LineJob
from safetyzone.citizen.line_port import CitizenPort
from safetyzone.citizen.models import CitizenItem
from safetyzone.config import Settings
from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from safetyzone.gateways.line import LineGateway
from safetyzone.web.app import create_app
from support.line_standin import LineStandIn, line_standin
from support.live import wait_for
from support.world import World

SECRET = "0123456789abcdef0123456789abcdef"
TOKEN = "stationA+channel/access.token-0123456789="
USER = "U" + "1" * 32
OTHER_USER = "U" + "2" * 32
BOT = "U" + "b" * 32
ITEMS = "/api/v1/citizen/items"


@dataclass
class LineEnv:
    client: TestClient
    db: Database
    clock: ManualClock
    standin: LineStandIn
    gateway: LineGateway
    world: World
    media_root: Path  # the media store's folder (SSZ_DATA_DIR/citizen-media)
    channel: dict[str, Any]
    admin: dict[str, str]
    secret: str = SECRET
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    _logins: dict[str, tuple[datetime, dict[str, str]]] = field(default_factory=dict)

    @property
    def port(self) -> CitizenPort:
        return self.gateway.port

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

    # -- what the station sees (the officer API) -------------------------------------------

    def officer(self, username: str = "admin") -> dict[str, str]:
        """An officer's headers, logging in again once the test clock outran the token."""
        now = self.clock.now()
        cached = self._logins.get(username)
        if cached is None or now - cached[0] > timedelta(minutes=10):
            cached = (now, self.world.headers(self.client, username))
            self._logins[username] = cached
        return cached[1]

    def items(self, username: str = "admin", **params: Any) -> list[dict[str, Any]]:
        """Citizens' items as ``username`` lists them (admin: every station)."""
        answer = self.client.get(ITEMS, headers=self.officer(username),
                                 params={"limit": 500, **params})
        assert answer.status_code == 200, answer.text
        found: list[dict[str, Any]] = answer.json()
        return found

    def item(self, code: str, username: str = "admin") -> dict[str, Any]:
        """One item with its messages and fixes, found by its ticket code."""
        (listed,) = [i for i in self.items(username) if i["code"] == code]
        answer = self.client.get(f"{ITEMS}/{listed['id']}", headers=self.officer(username))
        assert answer.status_code == 200, answer.text
        detail: dict[str, Any] = answer.json()
        return detail

    def the_item(self, **params: Any) -> dict[str, Any]:
        """The only item there is (of ``params``), with its messages."""
        (only,) = self.items(**params)
        return self.item(only["code"])

    def act(self, item: dict[str, Any], action: str, username: str = "a.operator",
            **body: Any) -> dict[str, Any]:
        """An officer's action on an item (messages, acknowledge, close ...)."""
        answer = self.client.post(f"{ITEMS}/{item['id']}/{action}",
                                  headers=self.officer(username), json=body or None)
        assert answer.status_code in (200, 201), answer.text
        result: dict[str, Any] = answer.json()
        return result

    def from_citizen(self, code: str) -> list[str]:
        """What the citizen wrote to a ticket after opening it, oldest first."""
        return [m["text"] for m in self.item(code)["messages"]
                if m["direction"] == "from_citizen"]

    def owned_by(self, code: str, user: str) -> bool:
        """Whether the ticket belongs to this LINE user (the API never shows LINE ids)."""
        with self.db.read() as session:
            row = records.by_code(session, code)
            return records.same_digest(row.line_user_hash, user, "line")

    def line_user_kept(self, code: str) -> bool:
        with self.db.read() as session:
            row = records.by_code(session, code)
            return row.line_user_hash is not None or row.line_user_sealed is not None

    def stored_files(self) -> list[Path]:
        """Every file the media store holds (photos and their thumbnails)."""
        root = self.media_root
        return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []

    def item_count(self) -> int:
        with self.db.read() as session:
            return int(session.scalar(select(func.count(CitizenItem.id))) or 0)


@contextmanager
def line_env(db: Database, settings: Settings, world: World,
             routing: str = "per_station") -> Iterator[LineEnv]:
    clock = ManualClock()
    with line_standin(TOKEN) as standin:
        settings = settings.model_copy(update={
            "line_api_base": standin.api_base, "line_data_api_base": standin.data_api_base,
            "line_routing": routing, "line_link_base": "https://ssz.example.go.th"})
        app = create_app(settings, db, clock)
        gateway: LineGateway = app.state.line
        with TestClient(app) as client:
            admin = world.headers(client, "admin")
            created = client.post("/api/v1/line/channels", headers=admin, json={
                "station_code": "ST-A", "name": "สภ.เอ", "line_channel_id": "1650000001",
                "channel_secret": SECRET, "access_token": TOKEN})
            assert created.status_code == 201, created.text
            env = LineEnv(client=client, db=db, clock=clock, standin=standin,
                          gateway=gateway, world=world,
                          media_root=settings.data_dir / "citizen-media",
                          channel=created.json(), admin=admin)
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
