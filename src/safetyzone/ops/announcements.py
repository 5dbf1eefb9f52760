"""Announcements to the zone: loudspeakers and LED signs addressed together.

A station names groups of its devices (the market's speakers and its LED sign, every SOS
pole with a speaker on the main road). An announcement goes to a group at once, live from
the console or on a schedule (public information: "this area is recorded by CCTV", every
hour from 18:00 to 24:00). Each device gets its own command (``ops.commands``): a speaker
plays the prerecorded message or reads the text out, an LED sign shows the text. Devices
answer each command, so the announcement shows how many played it, how many failed and who
has not answered yet; a device with no link to the platform is named as such, not counted
as sent.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, Uuid, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from safetyzone.assets.models import Asset, AssetKind, AssetStatus
from safetyzone.audit import service as audit
from safetyzone.core.clock import Clock
from safetyzone.core.db import Base, Database, UTCDateTime, new_id
from safetyzone.core.errors import Conflict, InvalidInput, NotFound, Problem
from safetyzone.core.security import Permission, Scope, system_scope
from safetyzone.core.text import Inbound
from safetyzone.intake.models import DeviceCredential, Protocol, SubjectKind
from safetyzone.ops import commands
from safetyzone.ops.commands import AssetCommand, CommandStatus, DisplayIn, PlayIn
from safetyzone.org import service as org

MAX_MEMBERS = 500
MIN_EVERY = timedelta(minutes=5)  # a schedule repeating faster than this is noise


class AnnounceGroup(Base):
    __tablename__ = "announce_group"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    station_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("org_unit.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    asset_ids: Mapped[list[str]] = mapped_column(JSON)  # in the order they were given
    created_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Announcement(Base):
    __tablename__ = "announcement"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    station_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    group_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("announce_group.id", ondelete="CASCADE"), index=True)
    message_id: Mapped[str | None] = mapped_column(String(64))
    text: Mapped[str | None] = mapped_column(Text)
    schedule_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    requested_by: Mapped[str] = mapped_column(String(64))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    unlinked: Mapped[int] = mapped_column(Integer, default=0)


class AnnounceSchedule(Base):
    __tablename__ = "announce_schedule"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    station_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    group_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("announce_group.id", ondelete="CASCADE"), index=True)
    message_id: Mapped[str | None] = mapped_column(String(64))
    text: Mapped[str | None] = mapped_column(Text)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    every_min: Mapped[int] = mapped_column(Integer)
    next_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    stopped_by: Mapped[str | None] = mapped_column(String(64))


# -- shapes ------------------------------------------------------------------------------


class GroupIn(Inbound):
    model_config = ConfigDict(extra="forbid")
    station_code: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=100)
    asset_codes: list[str] = Field(min_length=1, max_length=MAX_MEMBERS)


class GroupRead(BaseModel):
    id: uuid.UUID
    station_id: uuid.UUID
    name: str
    members: list[dict[str, Any]]
    created_by: str
    updated_at: datetime


class Content(Inbound):
    """What is said: a prerecorded message (its text shown on signs) or a text."""

    model_config = ConfigDict(extra="forbid")
    message_id: str | None = Field(None, max_length=64)
    text: str | None = Field(None, min_length=1, max_length=500)

    @model_validator(mode="after")
    def _one(self) -> Content:
        if (self.message_id is None) == (self.text is None):
            raise ValueError("give either message_id or text")
        return self


class AnnouncementIn(Content):
    group_id: uuid.UUID


class ScheduleIn(Content):
    group_id: uuid.UUID
    starts_at: datetime
    ends_at: datetime
    every_min: int = Field(ge=5, le=24 * 60)


class Progress(BaseModel):
    devices: int
    acknowledged: int
    failed: int
    waiting: int
    unlinked: int = Field(description="Devices with no link to the platform: nothing reached "
                                      "them.")


class AnnouncementRead(BaseModel):
    id: uuid.UUID
    group_id: uuid.UUID
    group_name: str
    message_id: str | None
    text: str | None
    scheduled: bool
    requested_by: str
    requested_at: datetime
    progress: Progress
    failures: list[dict[str, Any]]


class ScheduleRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    group_id: uuid.UUID
    message_id: str | None
    text: str | None
    starts_at: datetime
    ends_at: datetime
    every_min: int
    next_at: datetime | None
    active: bool
    created_by: str
    stopped_by: str | None


# -- groups ------------------------------------------------------------------------------


def _member_ids(group: AnnounceGroup) -> list[uuid.UUID]:
    return [uuid.UUID(v) for v in group.asset_ids]


def _devices(session: Session, station_id: uuid.UUID, codes: list[str]) -> list[Asset]:
    wanted = list(dict.fromkeys(codes))
    found = {a.code: a for a in session.scalars(select(Asset).where(
        Asset.station_id == station_id, Asset.code.in_(wanted)))}
    missing = [c for c in wanted if c not in found]
    if missing:
        raise InvalidInput(f"no device {', '.join(missing[:5])} at this station",
                           [Problem("unknown", "asset_codes")])
    mute = [a.code for a in found.values()
            if not commands.speaks(a) and a.kind is not AssetKind.LED_SIGN]
    if mute:
        raise InvalidInput(f"{', '.join(mute[:5])} neither speaks nor shows text",
                           [Problem("not a loudspeaker or LED sign", "asset_codes")])
    return [found[c] for c in wanted]


def group_read(session: Session, group: AnnounceGroup) -> GroupRead:
    ids = _member_ids(group)
    assets = {a.id: a for a in session.scalars(select(Asset).where(Asset.id.in_(ids)))}
    return GroupRead(id=group.id, station_id=group.station_id, name=group.name, members=[
        {"asset_id": str(i), "code": assets[i].code, "name_th": assets[i].name_th,
         "kind": assets[i].kind.value, "speaks": commands.speaks(assets[i])}
        for i in ids if i in assets], created_by=group.created_by, updated_at=group.updated_at)


def create_group(session: Session, *, scope: Scope, clock: Clock, data: GroupIn
                 ) -> AnnounceGroup:
    scope.require(Permission.ZONE_WRITE)
    station = org.get_station(session, scope=scope, code=data.station_code)
    if session.scalar(select(AnnounceGroup.id).where(
            AnnounceGroup.station_id == station.id, AnnounceGroup.name == data.name)):
        raise Conflict(f"a group named '{data.name}' exists at this station",
                       [Problem("duplicate", "name")])
    devices = _devices(session, station.id, data.asset_codes)
    now = clock.now()
    group = AnnounceGroup(station_id=station.id, name=data.name,
                          asset_ids=[str(a.id) for a in devices],
                          created_by=scope.username, updated_at=now)
    session.add(group)
    session.flush()
    audit.record(session, actor=scope, at=now, action="announce.group", entity="announce_group",
                 entity_id=group.id, station_id=station.id,
                 detail={"name": data.name, "devices": len(devices)})
    return group


def get_group(session: Session, *, scope: Scope, group_id: uuid.UUID) -> AnnounceGroup:
    scope.require(Permission.OPS_READ)
    group = session.get(AnnounceGroup, group_id)
    if group is None or not scope.sees_station(group.station_id):
        raise NotFound("no such announcement group in your scope")
    return group


def list_groups(session: Session, *, scope: Scope, station_id: uuid.UUID
                ) -> list[AnnounceGroup]:
    scope.require(Permission.OPS_READ)
    return list(session.scalars(select(AnnounceGroup).where(
        AnnounceGroup.station_id == station_id).order_by(AnnounceGroup.name)))


# -- announcing --------------------------------------------------------------------------


def _linked(session: Session, asset_ids: list[uuid.UUID]) -> set[uuid.UUID]:
    """Devices the platform can reach: an unrevoked MQTT credential for the asset."""
    return set(session.scalars(select(DeviceCredential.subject_id).where(
        DeviceCredential.subject_kind == SubjectKind.ASSET,
        DeviceCredential.subject_id.in_(asset_ids), DeviceCredential.protocol == Protocol.MQTT,
        DeviceCredential.revoked_at.is_(None))))


def _announce(session: Session, *, scope: Scope, clock: Clock, group: AnnounceGroup,
              content: Content, schedule_id: uuid.UUID | None = None) -> Announcement:
    if content.message_id is not None and content.message_id not in commands.MESSAGES:
        raise InvalidInput(f"no prerecorded message '{content.message_id}'",
                           [Problem(f"one of {sorted(commands.MESSAGES)}", "message_id")])
    ids = _member_ids(group)
    devices = [a for a in session.scalars(select(Asset).where(Asset.id.in_(ids)))
               if a.status is not AssetStatus.RETIRED]
    if not devices:
        raise Conflict(f"group '{group.name}' has no device in service")
    now = clock.now()
    linked = _linked(session, [a.id for a in devices])
    row = Announcement(station_id=group.station_id, group_id=group.id,
                       message_id=content.message_id, text=content.text,
                       schedule_id=schedule_id, requested_by=scope.username, requested_at=now,
                       unlinked=sum(1 for a in devices if a.id not in linked))
    session.add(row)
    session.flush()
    shown = content.text or commands.MESSAGES[content.message_id or ""][0]
    for device in devices:
        command: PlayIn | commands.AnnounceIn | DisplayIn
        if device.kind is AssetKind.LED_SIGN:
            command = DisplayIn(type="display", text=shown)
        elif content.message_id is not None:
            command = PlayIn(type="play", message_id=content.message_id)
        else:
            command = commands.AnnounceIn(type="announce", text=shown)
        commands.send(session, scope=scope, clock=clock, asset_id=device.id, command=command,
                      announcement_id=row.id)
    audit.record(session, actor=scope, at=now, action="announce.send", entity="announcement",
                 entity_id=row.id, station_id=group.station_id,
                 detail={"group": group.name, "devices": len(devices),
                         "message_id": content.message_id, "scheduled": bool(schedule_id)})
    return row


def announce(session: Session, *, scope: Scope, clock: Clock, data: AnnouncementIn
             ) -> Announcement:
    """Say it now, to every device of the group in service."""
    scope.require(Permission.COMMAND_SEND)
    group = get_group(session, scope=scope, group_id=data.group_id)
    return _announce(session, scope=scope, clock=clock, group=group, content=data)


def announcement_read(session: Session, row: Announcement) -> AnnouncementRead:
    counts: dict[str, int] = {status: n for status, n in session.execute(
        select(AssetCommand.status, func.count()).where(AssetCommand.announcement_id == row.id)
        .group_by(AssetCommand.status))}
    failures = [{"code": code, "detail": detail} for code, detail in session.execute(
        select(Asset.code, AssetCommand.ack_detail).join(Asset, Asset.id == AssetCommand.asset_id)
        .where(AssetCommand.announcement_id == row.id,
               AssetCommand.status == CommandStatus.FAILED).order_by(Asset.code))]
    group = session.get(AnnounceGroup, row.group_id)
    devices = sum(counts.values())
    acknowledged = counts.get(CommandStatus.ACKNOWLEDGED, 0)
    failed = counts.get(CommandStatus.FAILED, 0)
    return AnnouncementRead(
        id=row.id, group_id=row.group_id, group_name=group.name if group else "",
        message_id=row.message_id, text=row.text, scheduled=row.schedule_id is not None,
        requested_by=row.requested_by, requested_at=row.requested_at,
        progress=Progress(devices=devices, acknowledged=acknowledged, failed=failed,
                          waiting=max(devices - acknowledged - failed - row.unlinked, 0),
                          unlinked=row.unlinked),
        failures=failures)


def list_announcements(session: Session, *, scope: Scope, station_id: uuid.UUID,
                       limit: int = 20) -> list[Announcement]:
    scope.require(Permission.OPS_READ)
    return list(session.scalars(select(Announcement).where(
        Announcement.station_id == station_id).order_by(Announcement.requested_at.desc())
        .limit(limit)))


# -- schedules ---------------------------------------------------------------------------


def create_schedule(session: Session, *, scope: Scope, clock: Clock, data: ScheduleIn
                    ) -> AnnounceSchedule:
    """Public information on a timer: from ``starts_at`` every ``every_min`` until
    ``ends_at``. Commanders and admins set them (``zone.write``): what a zone hears every
    hour is the station's decision, not a shift's."""
    scope.require(Permission.ZONE_WRITE)
    group = get_group(session, scope=scope, group_id=data.group_id)
    if data.starts_at.tzinfo is None or data.ends_at.tzinfo is None:
        raise InvalidInput("times need a time zone (e.g. +07:00)",
                           [Problem("no time zone", "starts_at")])
    now = clock.now()
    if data.ends_at <= data.starts_at or data.ends_at <= now:
        raise InvalidInput("ends_at must be after starts_at and in the future",
                           [Problem("out of order", "ends_at")])
    if data.ends_at - data.starts_at > timedelta(days=366):
        raise InvalidInput("a schedule runs at most a year", [Problem("too long", "ends_at")])
    if data.message_id is not None and data.message_id not in commands.MESSAGES:
        raise InvalidInput(f"no prerecorded message '{data.message_id}'",
                           [Problem(f"one of {sorted(commands.MESSAGES)}", "message_id")])
    schedule = AnnounceSchedule(
        station_id=group.station_id, group_id=group.id, message_id=data.message_id,
        text=data.text, starts_at=data.starts_at, ends_at=data.ends_at,
        every_min=data.every_min, next_at=_next(data.starts_at, data.every_min, now),
        active=True, created_by=scope.username, created_at=now)
    session.add(schedule)
    session.flush()
    audit.record(session, actor=scope, at=now, action="announce.schedule",
                 entity="announce_schedule", entity_id=schedule.id,
                 station_id=group.station_id,
                 detail={"group": group.name, "every_min": data.every_min})
    return schedule


def _next(starts_at: datetime, every_min: int, after: datetime) -> datetime:
    """The first time of the series at or after ``after`` (a missed one is not made up)."""
    if starts_at >= after:
        return starts_at
    step = timedelta(minutes=every_min)
    missed = (after - starts_at) // step
    due = starts_at + missed * step
    return due if due >= after else due + step


def list_schedules(session: Session, *, scope: Scope, station_id: uuid.UUID
                   ) -> list[AnnounceSchedule]:
    scope.require(Permission.OPS_READ)
    return list(session.scalars(select(AnnounceSchedule).where(
        AnnounceSchedule.station_id == station_id).order_by(AnnounceSchedule.created_at.desc())))


def stop_schedule(session: Session, *, scope: Scope, clock: Clock, schedule_id: uuid.UUID
                  ) -> AnnounceSchedule:
    scope.require(Permission.ZONE_WRITE)
    schedule = session.get(AnnounceSchedule, schedule_id)
    if schedule is None or not scope.sees_station(schedule.station_id):
        raise NotFound("no such schedule in your scope")
    if schedule.active:
        schedule.active, schedule.next_at, schedule.stopped_by = False, None, scope.username
        audit.record(session, actor=scope, at=clock.now(), action="announce.schedule_stop",
                     entity="announce_schedule", entity_id=schedule.id,
                     station_id=schedule.station_id)
    return schedule


def run_due(db: Database, clock: Clock) -> int:
    """The sweeper's pass: send every schedule that is due, once, and set its next time.

    A platform that was down over several due times sends once when it is back, not a burst
    of every missed one."""
    now = clock.now()
    sent = 0
    with db.write() as session:
        due = list(session.scalars(select(AnnounceSchedule).where(
            AnnounceSchedule.active.is_(True), AnnounceSchedule.next_at <= now)
            .with_for_update(skip_locked=True)))
        for schedule in due:
            group = session.get(AnnounceGroup, schedule.group_id)
            if group is not None and now < schedule.ends_at:
                scope = system_scope(f"schedule:{schedule.created_by}"[:64])
                content = Content(message_id=schedule.message_id, text=schedule.text)
                try:
                    with session.begin_nested():
                        _announce(session, scope=scope, clock=clock, group=group,
                                  content=content, schedule_id=schedule.id)
                    sent += 1
                except Conflict:
                    pass  # no device in service now: the next time may find one
            following = _next(schedule.starts_at, schedule.every_min, now + timedelta(seconds=1))
            if group is None or following >= schedule.ends_at:
                schedule.active, schedule.next_at = False, None
            else:
                schedule.next_at = following
    return sent
