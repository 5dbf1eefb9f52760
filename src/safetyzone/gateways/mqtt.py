"""The MQTT bridge: field devices on a broker (Mosquitto) <-> the inbox and the live feed.

Inbound, each message on ``ssz/+/+/+/{event,status,ack}`` is checked (a registered ``mqtt``
device, posting under its own station), decoded, and committed; the broker gets the PUBACK
only after the commit (paho's manual acks, see ``_manual_acks``). The session is persistent
(fixed client id, no clean session, QoS 1 subscriptions), so QoS 1 messages that arrive while
the bridge is away are queued by the broker and delivered when it is back, and a message that
could not be stored is delivered again at the next connection. Device event ids make every
redelivery idempotent. The broker must run with persistence, or its own restart forgets the
session and what it queued (the bridge sees that in the CONNACK and logs it loudly).

A lost connection is retried after 0.5, 1, 2, then every 3 s: a few seconds at most, since
every second away is a second an SOS waits. ``state`` says ``reconnecting`` meanwhile, and
``/readyz`` answers 503.

Outbound, an ``asset.command`` entry on the live feed for an asset that has an ``mqtt``
credential is published on the device's ``cmd`` topic (QoS 1, never retained); the device's
answer on ``ack`` is recorded against the command. An enabled bridge that cannot connect at
startup stops the server.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiomqtt
from prometheus_client import Counter
from sqlalchemy import select

from safetyzone.adapters.errors import AdapterError
from safetyzone.adapters.mqtt import (
    Ack,
    Channel,
    Command,
    MqttSettings,
    Topic,
    decode_ack,
    decode_message,
    encode_command,
    parse_topic,
    subscriptions,
)
from safetyzone.assets.models import Asset
from safetyzone.core.clock import Clock
from safetyzone.core.db import Database
from safetyzone.core.errors import InvalidInput, KindNotAllowed, SafetyZoneError
from safetyzone.intake.directory import ProtocolDirectory, Registered
from safetyzone.intake.models import Protocol, SubjectKind
from safetyzone.intake.service import InboxWriter
from safetyzone.ops import commands
from safetyzone.ops.feed import committed_entries
from safetyzone.org.models import OrgUnit

log = logging.getLogger(__name__)
MESSAGES = Counter("ssz_mqtt_messages_total", "MQTT messages from devices, by outcome",
                   ["outcome"])
COMMANDS = Counter("ssz_mqtt_commands_total", "Commands published to MQTT devices, by outcome",
                   ["outcome"])
SESSIONS_LOST = Counter("ssz_mqtt_sessions_lost_total",
                        "Reconnections where the broker had forgotten the bridge's session "
                        "(messages queued for it are lost: run the broker with persistence)")
RECONNECT_S = (0.5, 1.0, 2.0, 3.0)  # then 3 s for ever


@dataclass(frozen=True)
class _Outbound:
    """Where one command goes: the device's cmd topic and the bytes it reads."""

    topic: str
    payload: bytes


class MqttBridge:
    def __init__(self, settings: MqttSettings, directory: ProtocolDirectory,
                 writer: InboxWriter, db: Database, clock: Clock) -> None:
        self.settings = settings
        self._directory = directory
        self._writer = writer
        self._db = db
        self._clock = clock
        self._client: aiomqtt.Client | None = None
        self._connected = asyncio.Event()
        self._outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self.manual_acks = False
        self._session_present: bool | None = None  # from the last CONNACK
        self._ever_connected = False

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Connect and subscribe, or raise: an enabled bridge that cannot connect is fatal."""
        self._loop = asyncio.get_running_loop()
        try:
            client = await self._connect()
        except (aiomqtt.MqttError, OSError, TimeoutError) as err:
            raise SafetyZoneError(
                f"MQTT bridge cannot connect to the broker at {self.settings.host}:"
                f"{self.settings.port}: {err}", code="gateway-failed") from err
        self._tasks = [asyncio.create_task(self._receive(client), name="mqtt-receive"),
                       asyncio.create_task(self._publish_commands(), name="mqtt-commands")]
        log.info("MQTT bridge connected to %s:%s (manual acks: %s)", self.settings.host,
                 self.settings.port, self.manual_acks)

    @property
    def state(self) -> str:
        """``connected``, ``reconnecting``, ``failed`` (receive loop ended) or ``stopped``."""
        if not self._tasks:
            return "stopped"
        if self._tasks[0].done():
            return "failed"
        return "connected" if self._connected.is_set() else "reconnecting"

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        await self._disconnect()

    async def _connect(self) -> aiomqtt.Client:
        s = self.settings
        client = aiomqtt.Client(
            s.host, s.port, username=s.username,
            password=s.password.get_secret_value() if s.password else None,
            identifier=s.client_id, clean_session=False, timeout=s.connect_timeout_s)
        self.manual_acks = _manual_acks(client)
        self._watch_session(client)
        await asyncio.wait_for(client.__aenter__(), s.connect_timeout_s)
        self._client = client
        if self._session_present is False and self._ever_connected:
            SESSIONS_LOST.inc()
            log.error("the MQTT broker at %s:%s had no session for client id %r: messages "
                      "published while the bridge was away are LOST. Run the broker with "
                      "persistence (docs/devices/mqtt.md) and one fixed client id per server",
                      s.host, s.port, s.client_id)
        self._ever_connected = True
        try:
            for topic in subscriptions(s.topic_prefix):
                # Retained status messages arrive right after this: every device's last word.
                await client.subscribe(topic, qos=1)
        except BaseException:
            await self._disconnect()
            raise
        self._connected.set()
        return client

    def _watch_session(self, client: aiomqtt.Client) -> None:
        """Note the CONNACK's session-present flag (aiomqtt 2.x does not pass it on)."""
        self._session_present = None
        paho = getattr(client, "_client", None)
        original = getattr(paho, "on_connect", None)
        if paho is None or original is None:
            return

        def on_connect(*args: Any) -> None:
            flags = args[2] if len(args) > 2 else None
            self._session_present = bool(getattr(flags, "session_present", False))
            original(*args)

        paho.on_connect = on_connect

    async def _disconnect(self) -> None:
        self._connected.clear()
        client, self._client = self._client, None
        if client is not None:
            with contextlib.suppress(aiomqtt.MqttError, OSError, RuntimeError):
                await client.__aexit__(None, None, None)

    async def _receive(self, client: aiomqtt.Client) -> None:
        """Handle messages in arrival order (PUBACKs must follow it); reconnect when cut."""
        while True:
            try:
                async for message in client.messages:
                    await self._handle(client, message)
                raise aiomqtt.MqttError("message stream ended")
            except aiomqtt.MqttError as err:
                log.warning("MQTT broker connection lost (%s); reconnecting", err)
                await self._disconnect()
                client = await self._reconnect()

    async def _reconnect(self) -> aiomqtt.Client:
        attempt = 0
        while True:
            await asyncio.sleep(RECONNECT_S[min(attempt, len(RECONNECT_S) - 1)])
            attempt += 1
            try:
                client = await self._connect()
            except (aiomqtt.MqttError, OSError, TimeoutError) as err:
                log.warning("MQTT broker still unreachable (attempt %d): %s", attempt, err)
                continue
            log.info("MQTT bridge reconnected")
            return client

    # -- device -> platform ------------------------------------------------------------------

    async def _handle(self, client: aiomqtt.Client, message: aiomqtt.Message) -> None:
        """Store one message, then PUBACK; on a storage failure, no PUBACK (redelivered)."""
        try:
            outcome = await self._store(str(message.topic), _payload(message.payload))
        except Exception:
            MESSAGES.labels("error").inc()
            log.exception("MQTT message on %s not stored; the broker delivers it again "
                          "after the next reconnect", message.topic)
            return
        MESSAGES.labels(outcome).inc()
        if self.manual_acks and message.qos > 0:
            client._client.ack(message.mid, message.qos)  # see _manual_acks

    async def _store(self, topic_text: str, payload: bytes) -> str:
        """Decide, store when right, and return the outcome for the counter."""
        try:
            topic = parse_topic(topic_text, prefix=self.settings.topic_prefix)
        except AdapterError as err:
            log.warning("MQTT message refused: %s", err.detail)
            return "bad_topic"
        registered = await asyncio.to_thread(self._directory.lookup, Protocol.MQTT,
                                             topic.device_id)
        if registered is None:
            log.warning("MQTT message from unknown device %r on %s: register it first "
                        "(protocol mqtt, external id %s); nothing stored", topic.device_id,
                        topic_text, topic.device_id)
            return "unknown_device"
        station = await asyncio.to_thread(self._station_code, registered.identity.station_id)
        if station is None or station.casefold() != topic.station.casefold():
            log.warning("MQTT device %s of station %s posted under station %s; refused",
                        topic.device_id, station, topic.station)
            return "wrong_station"
        now = self._clock.now()
        try:
            if topic.channel is Channel.ACK:
                return await self._record_ack(topic, registered,
                                              decode_ack(payload, received_at=now))
            event = decode_message(topic.channel, payload, received_at=now)
            acks = await self._writer.submit(registered.identity, [event])
        except InvalidInput as err:  # AdapterError included
            log.warning("MQTT message from %s on %s refused: %s", topic.device_id, topic_text,
                        err.detail)
            return "bad_payload"
        except KindNotAllowed as err:  # permanent: PUBACK it, or the broker resends forever
            log.warning("MQTT message from %s on %s refused: %s", topic.device_id, topic_text,
                        err.detail)
            return "kind_not_allowed"
        duplicate = all(ack.duplicate for ack in acks)
        return "duplicate" if duplicate else "stored"

    async def _record_ack(self, topic: Topic, registered: Registered, ack: Ack) -> str:
        try:
            command_id = uuid.UUID(ack.command_id)
        except ValueError:
            log.warning("MQTT ack from %s names no command we sent: %r", topic.device_id,
                        ack.command_id)
            return "bad_payload"
        identity = registered.identity
        if identity.subject_kind is not SubjectKind.ASSET or identity.subject_id is None:
            return "bad_payload"
        asset_id = identity.subject_id
        now = self._clock.now()

        def write() -> bool:
            with self._db.write() as session:
                return commands.record_ack(
                    session, command_id=command_id, asset_id=asset_id, ok=ack.ok, at=now,
                    device_time=ack.at, detail=ack.detail,
                    device=f"mqtt:{topic.device_id}") is not None

        if not await asyncio.to_thread(write):
            log.warning("MQTT ack from %s for command %s, which was not sent to it",
                        topic.device_id, command_id)
            return "bad_payload"
        return "ack"

    def _station_code(self, station_id: uuid.UUID) -> str | None:
        with self._db.read() as session:
            return session.scalar(select(OrgUnit.code).where(OrgUnit.id == station_id))

    # -- platform -> device ------------------------------------------------------------------

    def after_commit(self, info: dict[str, Any]) -> None:
        """Database hook (committing thread): pass new ``asset.command`` entries to the loop."""
        loop = self._loop
        if loop is None:
            return
        for entry in committed_entries(info):
            if entry.type == "asset.command":
                with contextlib.suppress(RuntimeError):  # loop closed: shutting down
                    loop.call_soon_threadsafe(self._outbox.put_nowait, dict(entry.payload))

    async def _publish_commands(self) -> None:
        while True:
            command = await self._outbox.get()
            try:
                outbound = await asyncio.to_thread(self._route, command)
            except Exception:
                COMMANDS.labels("error").inc()
                log.exception("cannot route command %s", command.get("id"))
                continue
            if outbound is None:
                continue  # not an MQTT device
            await self._send(outbound, command)

    async def _send(self, outbound: _Outbound, command: dict[str, Any]) -> None:
        for delay in (*RECONNECT_S, None):
            await self._connected.wait()
            client = self._client
            try:
                if client is None:
                    raise aiomqtt.MqttError("not connected")
                await client.publish(outbound.topic, outbound.payload, qos=1, retain=False)
            except aiomqtt.MqttError as err:
                if delay is None:
                    COMMANDS.labels("failed").inc()
                    log.error("command %s NOT sent to %s: %s", command.get("id"),
                              outbound.topic, err)
                    return
                await asyncio.sleep(delay)
                continue
            COMMANDS.labels("published").inc()
            log.info("command %s published on %s", command.get("id"), outbound.topic)
            return

    def _route(self, command: dict[str, Any]) -> _Outbound | None:
        """Blocking: the cmd topic and payload for this command, or None (no MQTT device)."""
        asset_id = uuid.UUID(str(command["asset_id"]))
        device = next((ext for ext, reg in self._directory.all(Protocol.MQTT).items()
                       if reg.identity.subject_kind is SubjectKind.ASSET
                       and reg.identity.subject_id == asset_id), None)
        if device is None:
            return None
        with self._db.read() as session:
            asset = session.get(Asset, asset_id)
            station = session.scalar(select(OrgUnit.code).where(
                OrgUnit.id == uuid.UUID(str(command["station_id"]))))
        if asset is None or station is None:
            return None
        action = str(command["type"])
        if action not in ("play", "announce", "display", "light_on", "light_off"):
            log.warning("command %s: %r is not an MQTT action", command.get("id"), action)
            return None
        topic = Topic(station, asset.kind.value, device, Channel.CMD, self.settings.topic_prefix)
        payload = encode_command(Command(
            id=str(command["id"]), action=action,  # type: ignore[arg-type]
            at=datetime.fromisoformat(str(command["requested_at"])),
            message=command.get("message_id"), text=command.get("text")))
        return _Outbound(str(topic), payload)


def _manual_acks(client: aiomqtt.Client) -> bool:
    """PUBACK only after the commit, through paho's manual acks.

    aiomqtt 2.x does not expose them, so this reaches the paho client it wraps. Without them
    paho acknowledges on receipt: delivery is then at-least-once only up to the moment the
    message reaches this process, and we log that loudly.
    """
    paho = getattr(client, "_client", None)
    if paho is None or not hasattr(paho, "manual_ack_set") or not hasattr(paho, "ack"):
        log.warning("this aiomqtt/paho has no manual acks: MQTT messages are acknowledged on "
                    "receipt, before they are stored")
        return False
    paho.manual_ack_set(True)
    return True


def _payload(payload: Any) -> bytes:
    if isinstance(payload, bytes | bytearray):
        return bytes(payload)
    if isinstance(payload, str):
        return payload.encode()
    return b"" if payload is None else str(payload).encode()
