"""LINE Official Accounts: register, list, rotate; and the keys a webhook is checked with.

A channel's secret and access token are sealed with the server's SecretBox (like camera
stream passwords) and never returned. Managing them is ``device.manage`` (admins and
commanders, in their stations): whoever holds the token speaks to citizens as the police.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from safetyzone.audit import service as audit
from safetyzone.citizen.line_models import JobState, LineChannel, LineJob
from safetyzone.citizen.line_schemas import LineChannelCreate, LineChannelRead, LineChannelRotate
from safetyzone.core.clock import Clock
from safetyzone.core.errors import Conflict, NotFound, Problem
from safetyzone.core.secretbox import SecretBox
from safetyzone.core.security import Permission, Scope
from safetyzone.org import service as org

Routing = Literal["per_station", "by_location"]
ROTATION_GRACE = timedelta(hours=1)
WEBHOOK = "/line/webhook"


@dataclass(frozen=True)
class ChannelKeys:
    """What the webhook needs to check a body and answer it (opened from the seals)."""

    id: uuid.UUID
    station_id: uuid.UUID
    secrets: list[str]  # the current secret, then the previous one during its grace
    bot_user_id: str | None


class UserHasher:
    """A LINE user id as a keyed hash: rows can be matched to a user, not read back."""

    def __init__(self, server_key: str) -> None:
        self._key = hashlib.sha256(b"safetyzone line users|" + server_key.encode()).digest()

    def __call__(self, channel_id: uuid.UUID, user_id: str) -> str:
        return hmac.new(self._key, f"{channel_id}|{user_id}".encode(),
                        hashlib.sha256).hexdigest()


def webhook_path(routing: Routing, station_code: str) -> str:
    return WEBHOOK if routing == "by_location" else f"{WEBHOOK}/{station_code}"


def register_channel(session: Session, *, scope: Scope, clock: Clock, box: SecretBox,
                     routing: Routing, data: LineChannelCreate) -> LineChannel:
    """Register a station's LINE Official Account (by_location: the one account)."""
    scope.require(Permission.DEVICE_MANAGE)
    station = org.get_station(session, scope=scope, code=data.station_code)
    if session.scalar(select(LineChannel.id).where(LineChannel.station_id == station.id)):
        raise Conflict(f"station {station.code} already has a LINE channel: rotate its keys",
                       [Problem("duplicate", "station_code")])
    if session.scalar(select(LineChannel.id).where(
            LineChannel.line_channel_id == data.line_channel_id)):
        raise Conflict("this LINE channel is already registered",
                       [Problem("duplicate", "line_channel_id")])
    if routing == "by_location" and session.scalar(select(func.count(LineChannel.id))):
        raise Conflict("SSZ_LINE_ROUTING is by_location: one LINE channel serves every "
                       "station, and it is registered already")
    now = clock.now()
    channel = LineChannel(
        station_id=station.id, name=data.name, line_channel_id=data.line_channel_id,
        secret_sealed=box.seal(data.channel_secret.get_secret_value()),
        token_sealed=box.seal(data.access_token.get_secret_value()), active=True,
        created_by=scope.username, created_at=now)
    session.add(channel)
    session.flush()
    audit.record(session, actor=scope, at=now, action="line_channel.register",
                 entity="line_channel", entity_id=channel.id, station_id=station.id,
                 detail={"line_channel_id": data.line_channel_id, "name": data.name})
    return channel


def get_channel(session: Session, *, scope: Scope, channel_id: uuid.UUID) -> LineChannel:
    scope.require(Permission.DEVICE_MANAGE)
    channel = session.get(LineChannel, channel_id)
    if channel is None or not scope.sees_station(channel.station_id):
        raise NotFound("no such LINE channel in your scope")
    return channel


def list_channels(session: Session, *, scope: Scope) -> list[LineChannel]:
    scope.require(Permission.DEVICE_MANAGE)
    return list(session.scalars(select(LineChannel).where(
        scope.station_filter(LineChannel.station_id)).order_by(LineChannel.created_at)))


def rotate_channel(session: Session, *, scope: Scope, clock: Clock, box: SecretBox,
                   channel_id: uuid.UUID, data: LineChannelRotate) -> LineChannel:
    """New secret and/or token; the old secret still verifies for ``ROTATION_GRACE``."""
    channel = get_channel(session, scope=scope, channel_id=channel_id)
    now = clock.now()
    if data.channel_secret is not None:
        channel.previous_secret_sealed = channel.secret_sealed
        channel.previous_valid_until = now + ROTATION_GRACE
        channel.secret_sealed = box.seal(data.channel_secret.get_secret_value())
    if data.access_token is not None:
        channel.token_sealed = box.seal(data.access_token.get_secret_value())
    channel.rotated_at = now
    audit.record(session, actor=scope, at=now, action="line_channel.rotate",
                 entity="line_channel", entity_id=channel.id, station_id=channel.station_id,
                 detail={"secret": data.channel_secret is not None,
                         "token": data.access_token is not None})
    return channel


def channel_read(session: Session, channel: LineChannel, routing: Routing) -> LineChannelRead:
    code = org.get_unit(session, unit_id=channel.station_id).code
    failed = session.scalar(select(func.count(LineJob.id)).where(
        LineJob.channel_id == channel.id, LineJob.state == JobState.FAILED)) or 0
    return LineChannelRead(
        id=channel.id, station_id=channel.station_id, station_code=code, name=channel.name,
        line_channel_id=channel.line_channel_id, bot_user_id=channel.bot_user_id,
        webhook_path=webhook_path(routing, code), active=channel.active,
        rich_menu_id=channel.rich_menu_id, created_by=channel.created_by,
        created_at=channel.created_at, rotated_at=channel.rotated_at,
        previous_valid_until=channel.previous_valid_until, failed_jobs=failed)


# -- for the webhook and the outbox (no caller scope: LINE is the caller) ------------------


def webhook_keys(session: Session, *, box: SecretBox, clock: Clock, routing: Routing,
                 station_code: str | None) -> ChannelKeys:
    """The channel a webhook path names: per_station by its station, by_location the one."""
    if (station_code is None) != (routing == "by_location"):
        raise NotFound("no LINE webhook here: SSZ_LINE_ROUTING is "
                       f"{routing} ({WEBHOOK}{'' if routing == 'by_location' else '/<station>'})")
    query = select(LineChannel).where(LineChannel.active.is_(True))
    if station_code is not None:
        try:
            station = org.get_unit_by_code(session, code=station_code)
        except NotFound:
            raise NotFound("no LINE channel is registered for this webhook") from None
        query = query.where(LineChannel.station_id == station.id)
    channel = session.scalars(query.order_by(LineChannel.created_at).limit(1)).first()
    if channel is None:
        raise NotFound("no LINE channel is registered for this webhook")
    return keys_of(channel, box=box, now=clock.now())


def keys_of(channel: LineChannel, *, box: SecretBox, now: datetime) -> ChannelKeys:
    secrets = [box.open(channel.secret_sealed)]
    if (channel.previous_secret_sealed and channel.previous_valid_until
            and channel.previous_valid_until > now):
        secrets.append(box.open(channel.previous_secret_sealed))
    return ChannelKeys(id=channel.id, station_id=channel.station_id, secrets=secrets,
                       bot_user_id=channel.bot_user_id)


def learn_bot_user(session: Session, *, channel_id: uuid.UUID, destination: str) -> None:
    """Remember the bot's user id from a signed webhook (shown to the admin)."""
    channel = session.get(LineChannel, channel_id)
    if channel is not None and channel.bot_user_id != destination:
        channel.bot_user_id = destination


def access_token(session: Session, *, box: SecretBox, channel_id: uuid.UUID) -> str:
    channel = session.get(LineChannel, channel_id)
    if channel is None:
        raise NotFound("no such LINE channel")
    return box.open(channel.token_sealed)


def channel_for_station(session: Session, *, scope: Scope,
                        station_code: str) -> LineChannel:
    """The channel serving a station (for the CLI's rich menu install)."""
    scope.require(Permission.DEVICE_MANAGE)
    station = org.get_station(session, scope=scope, code=station_code)
    channel = session.scalar(select(LineChannel).where(LineChannel.station_id == station.id))
    if channel is None:
        raise NotFound(f"station {station_code} has no LINE channel: register one first")
    return channel


def set_rich_menu(session: Session, *, scope: Scope, clock: Clock, channel_id: uuid.UUID,
                  rich_menu_id: str) -> None:
    channel = get_channel(session, scope=scope, channel_id=channel_id)
    channel.rich_menu_id = rich_menu_id
    audit.record(session, actor=scope, at=clock.now(), action="line_channel.rich_menu",
                 entity="line_channel", entity_id=channel.id, station_id=channel.station_id,
                 detail={"rich_menu_id": rich_menu_id})
