"""Commands to field devices: loudspeakers play a prerecorded message or read out a text,
LED signs display a text; from the console, one device at a time or as a zone announcement
(``ops.announcements`` sends one command per device of a group).

A command is a row (who asked, when, what) and an ``asset.command`` entry on the live feed,
committed together; the device side (MQTT to the speaker) follows that feed. The table
lives here with its service because it is one small concept: a command, sent.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import ForeignKey, String, Text, Uuid, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from safetyzone.assets import service as assets
from safetyzone.assets.models import Asset, AssetKind, AssetStatus
from safetyzone.audit import service as audit
from safetyzone.core.clock import Clock
from safetyzone.core.db import Base, UTCDateTime, new_id, str_enum
from safetyzone.core.errors import Conflict, InvalidInput, Problem
from safetyzone.core.security import Permission, Scope
from safetyzone.core.text import Inbound
from safetyzone.ops import feed


class CommandType(enum.StrEnum):
    PLAY = "play"
    ANNOUNCE = "announce"
    DISPLAY = "display"  # an LED sign shows the text


class CommandStatus(enum.StrEnum):
    QUEUED = "queued"  # stored and on the feed; the device side reports what follows
    ACKNOWLEDGED = "acknowledged"  # the device said it played or showed it
    FAILED = "failed"  # the device said it could not (its reason is in ack_detail)


# Prerecorded messages every speaker holds, by id.
MESSAGES: dict[str, tuple[str, str]] = {
    "help_coming": ("เจ้าหน้าที่ตำรวจกำลังเดินทางไป กรุณารอ ณ จุดนี้",
                    "Police officers are on their way, please wait here."),
    "stay_calm": ("กรุณาอยู่ในความสงบ เจ้าหน้าที่กำลังดูภาพจากกล้องวงจรปิด",
                  "Please stay calm, officers are watching the cameras."),
    "leave_area": ("พื้นที่นี้อยู่ภายใต้การเฝ้าระวังของตำรวจ กรุณาแยกย้ายออกจากพื้นที่",
                   "This area is under police watch, please leave the area."),
    "cctv_warning": ("พื้นที่นี้มีกล้องวงจรปิดบันทึกภาพตลอด 24 ชั่วโมง",
                     "This area is recorded by CCTV 24 hours a day."),
    "speaker_test": ("ทดสอบระบบเสียงตามสาย", "Loudspeaker test."),
}


class AssetCommand(Base):
    __tablename__ = "asset_command"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    station_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    asset_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("asset.id", ondelete="CASCADE"), index=True)
    type: Mapped[CommandType] = mapped_column(str_enum(CommandType, "command_type"))
    message_id: Mapped[str | None] = mapped_column(String(64))
    text: Mapped[str | None] = mapped_column(Text)
    incident_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    announcement_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    status: Mapped[CommandStatus] = mapped_column(str_enum(CommandStatus, "command_status"))
    requested_by: Mapped[str] = mapped_column(String(64))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    acked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ack_detail: Mapped[str | None] = mapped_column(String(500))


class PlayIn(Inbound):
    model_config = ConfigDict(extra="forbid")
    type: Literal["play"]
    message_id: str = Field(max_length=64, description="One of GET /api/v1/speaker-messages.")
    incident_id: uuid.UUID | None = None


class AnnounceIn(Inbound):
    model_config = ConfigDict(extra="forbid")
    type: Literal["announce"]
    text: str = Field(min_length=1, max_length=500, description="Read out by text-to-speech.")
    incident_id: uuid.UUID | None = None


class DisplayIn(Inbound):
    model_config = ConfigDict(extra="forbid")
    type: Literal["display"]
    text: str = Field(min_length=1, max_length=500, description="Shown on an LED sign.")
    incident_id: uuid.UUID | None = None


CommandIn = Annotated[PlayIn | AnnounceIn | DisplayIn, Field(discriminator="type")]


class CommandRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    station_id: uuid.UUID
    asset_id: uuid.UUID
    type: CommandType
    message_id: str | None
    text: str | None
    incident_id: uuid.UUID | None
    announcement_id: uuid.UUID | None = None
    status: CommandStatus
    requested_by: str
    requested_at: datetime
    acked_at: datetime | None = None
    ack_detail: str | None = None


class MessageRead(BaseModel):
    id: str
    text_th: str
    text_en: str


def list_messages(*, scope: Scope) -> list[MessageRead]:
    scope.require(Permission.OPS_READ)
    return [MessageRead(id=k, text_th=th, text_en=en) for k, (th, en) in MESSAGES.items()]


def speaks(asset: Asset) -> bool:
    return asset.kind is AssetKind.LOUDSPEAKER or bool(asset.has_speaker)


def send(session: Session, *, scope: Scope, clock: Clock, asset_id: uuid.UUID,
         command: PlayIn | AnnounceIn | DisplayIn,
         announcement_id: uuid.UUID | None = None) -> AssetCommand:
    """Store a command and put it on the feed; audited. A loudspeaker plays or announces,
    an LED sign displays."""
    scope.require(Permission.COMMAND_SEND)
    asset = assets.get_asset(session, scope=scope, asset_id=asset_id)
    if isinstance(command, DisplayIn):
        if asset.kind is not AssetKind.LED_SIGN:
            raise InvalidInput("only an LED sign displays a text",
                               [Problem("not an LED sign", "asset_id")])
    elif not speaks(asset):
        raise InvalidInput("this asset has no loudspeaker",
                           [Problem("not a loudspeaker or an SOS point with one", "asset_id")])
    if asset.status is AssetStatus.RETIRED:
        raise Conflict(f"{asset.code} is retired")
    if isinstance(command, PlayIn) and command.message_id not in MESSAGES:
        raise InvalidInput(f"no prerecorded message '{command.message_id}'",
                           [Problem(f"one of {sorted(MESSAGES)}", "message_id")])
    now = clock.now()
    row = AssetCommand(
        station_id=asset.station_id, asset_id=asset.id, type=CommandType(command.type),
        message_id=command.message_id if isinstance(command, PlayIn) else None,
        text=command.text if isinstance(command, AnnounceIn | DisplayIn) else None,
        incident_id=command.incident_id, announcement_id=announcement_id,
        status=CommandStatus.QUEUED,
        requested_by=scope.username, requested_at=now)
    session.add(row)
    session.flush()
    audit.record(session, actor=scope, at=now, action="asset.command", entity="asset",
                 entity_id=asset.id, station_id=asset.station_id,
                 detail={"type": row.type.value, "message_id": row.message_id,
                         "command_id": str(row.id)})
    feed.append(session, station_id=asset.station_id, at=now, type="asset.command",
                entity_id=asset.id,
                payload=CommandRead.model_validate(row).model_dump(mode="json"))
    return row


def list_commands(session: Session, *, scope: Scope, asset_id: uuid.UUID, limit: int = 20
                  ) -> list[AssetCommand]:
    scope.require(Permission.OPS_READ)
    asset = assets.get_asset(session, scope=scope, asset_id=asset_id)
    return list(session.scalars(select(AssetCommand).where(
        AssetCommand.asset_id == asset.id).order_by(AssetCommand.requested_at.desc())
        .limit(limit)))


def record_ack(session: Session, *, command_id: uuid.UUID, asset_id: uuid.UUID, ok: bool,
               at: datetime, device_time: datetime, detail: str | None, device: str
               ) -> AssetCommand | None:
    """Record a device's answer to a command (audit row + ``asset.command.ack`` on the feed).

    ``None`` when no such command was sent to ``asset_id``: a device answers only for itself.
    """
    row = session.get(AssetCommand, command_id)
    if row is None or row.asset_id != asset_id:
        return None
    # The first answer counts (QoS 1 may deliver an ack twice); later ones are only logged.
    if row.status is CommandStatus.QUEUED:
        row.status = CommandStatus.ACKNOWLEDGED if ok else CommandStatus.FAILED
        row.acked_at, row.ack_detail = at, detail[:500] if detail else None
    result = {"command_id": str(row.id), "ok": ok, "device_time": device_time.isoformat(),
              "detail": detail}
    audit.record(session, actor=None, username=device[:64], at=at, action="asset.command.ack",
                 entity="asset", entity_id=row.asset_id, station_id=row.station_id,
                 detail=result)
    feed.append(session, station_id=row.station_id, at=at, type="asset.command.ack",
                entity_id=row.asset_id, payload=result)
    return row
