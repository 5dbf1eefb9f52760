"""Escalations that reach a person: a station commander's LINE, linked to their login.

An incident nobody takes climbs to the commander (``ops.incidents.escalate_overdue``). A
console beeping in an empty room reaches nobody, so the commander also gets a LINE push on
the phone they carry, through the station's own LINE Official Account and its outbox
(``citizen.line_outbox``: sent after the commit, retried, never lost once queued).

Linking: the commander asks the console for a one-time code (6 digits, 10 minutes) and sends
``SSZ <code>`` to the station's LINE account. The chat links that LINE user to the login;
the code is kept only as a hash and dies with its first use. Blocking the account (unfollow)
removes the link, as it removes a citizen's. Alerts go to every linked commander whose scope
holds the incident's station, once per incident and escalation level (a unique row), each
audited. The commit hook sends at once; a sweep catches any escalation the hook missed (a
crash between the two commits).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
import uuid
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel
from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint, Uuid, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from safetyzone.audit import service as audit
from safetyzone.citizen.line_client import text_message
from safetyzone.citizen.line_models import JobKind, LineChannel
from safetyzone.citizen.line_outbox import Outbox
from safetyzone.core.clock import BANGKOK, Clock
from safetyzone.core.db import Base, Database, UTCDateTime, new_id
from safetyzone.core.errors import NotFound, PermissionDenied
from safetyzone.core.secretbox import SecretBox
from safetyzone.core.security import Role, Scope
from safetyzone.ops import feed
from safetyzone.ops.incidents import S as IncidentState
from safetyzone.ops.models import Incident
from safetyzone.org import auth
from safetyzone.org.models import OrgUnit, User

log = logging.getLogger(__name__)
CODE_TTL = timedelta(minutes=10)
CATCH_UP = timedelta(hours=2)
LINK_TEXT = re.compile(r"^\s*SSZ[\s-]*(\d{6})\s*$", re.IGNORECASE)


class StaffLineLink(Base):
    __tablename__ = "staff_line_link"
    __table_args__ = (UniqueConstraint("user_id", "channel_id"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    channel_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("line_channel.id", ondelete="CASCADE"))
    user_hash: Mapped[str] = mapped_column(String(64), index=True)
    user_sealed: Mapped[str] = mapped_column(Text)
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime)


class StaffLinkCode(Base):
    __tablename__ = "staff_link_code"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), index=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class StaffAlert(Base):
    __tablename__ = "staff_alert"
    __table_args__ = (UniqueConstraint("incident_id", "level", "user_id"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    incident_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("incident.id", ondelete="CASCADE"), index=True)
    level: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class LinkCode(BaseModel):
    code: str
    expires_at: datetime
    channels: list[str]


class LinkState(BaseModel):
    linked: list[dict[str, Any]]
    may_link: bool


def _code_hash(server_key: str, code: str) -> str:
    return hmac.new(server_key.encode(), f"staff-link|{code}".encode(), hashlib.sha256).hexdigest()


def may_link(scope: Scope) -> bool:
    """Commanders carry the escalations (the console is staffed by operators); partner
    accounts hear the footage requests addressed to their partner (``video.footage``)."""
    return scope.role in {Role.COMMANDER, Role.PARTNER}


def _channels(session: Session, scope: Scope) -> list[LineChannel]:
    return [c for c in session.scalars(select(LineChannel).order_by(LineChannel.name))
            if scope.sees_station(c.station_id)]


def new_code(session: Session, *, scope: Scope, clock: Clock, server_key: str) -> LinkCode:
    """A one-time code to send to a station's LINE account; replaces an earlier one."""
    if not may_link(scope):
        raise PermissionDenied("only commanders (escalations) and partners (footage "
                               "requests) receive alerts on LINE")
    channels = _channels(session, scope)
    if not channels:
        raise NotFound("none of your stations has a LINE account to link")
    code = f"{secrets.randbelow(1_000_000):06d}"
    now = clock.now()
    row = session.get(StaffLinkCode, scope.user_id)
    if row is None:
        session.add(StaffLinkCode(user_id=scope.user_id, code_hash=_code_hash(server_key, code),
                                  expires_at=now + CODE_TTL))
    else:
        row.code_hash, row.expires_at = _code_hash(server_key, code), now + CODE_TTL
    audit.record(session, actor=scope, at=now, action="staff.line_code", entity="user",
                 entity_id=scope.user_id)
    return LinkCode(code=code, expires_at=now + CODE_TTL, channels=[c.name for c in channels])


def link_state(session: Session, *, scope: Scope) -> LinkState:
    rows = session.execute(select(StaffLineLink, LineChannel).join(
        LineChannel, LineChannel.id == StaffLineLink.channel_id).where(
        StaffLineLink.user_id == scope.user_id)).all()
    return LinkState(linked=[{"channel": channel.name, "linked_at": link.linked_at}
                             for link, channel in rows], may_link=may_link(scope))


def unlink(session: Session, *, scope: Scope, clock: Clock) -> None:
    session.execute(delete(StaffLineLink).where(StaffLineLink.user_id == scope.user_id))
    audit.record(session, actor=scope, at=clock.now(), action="staff.line_unlink",
                 entity="user", entity_id=scope.user_id)


def link_from_chat(session: Session, *, text: str, channel_id: uuid.UUID, user_hash: str,
                   user_sealed: str, clock: Clock, server_key: str) -> str | None:
    """The chat's part: ``SSZ 123456`` from a LINE user. The answer to send, or None when
    the text is not a link code at all (the chat goes on as for any citizen)."""
    found = LINK_TEXT.match(text)
    if found is None:
        return None
    now = clock.now()
    row = session.scalar(select(StaffLinkCode).where(
        StaffLinkCode.code_hash == _code_hash(server_key, found.group(1)),
        StaffLinkCode.expires_at > now))
    channel = session.get(LineChannel, channel_id)
    user = session.get(User, row.user_id) if row is not None else None
    if row is None or channel is None or user is None or not user.is_active or not auth.scope_for(
            session, user).sees_station(channel.station_id):
        return ("รหัสไม่ถูกต้องหรือหมดอายุ ขอรหัสใหม่จากหน้าจอศูนย์ฯ / The code is wrong or "
                "expired: ask the console for a new one.")
    session.delete(row)
    existing = session.scalar(select(StaffLineLink).where(
        StaffLineLink.user_id == user.id, StaffLineLink.channel_id == channel_id))
    if existing is None:
        session.add(StaffLineLink(user_id=user.id, channel_id=channel_id, user_hash=user_hash,
                                  user_sealed=user_sealed, linked_at=now))
    else:
        existing.user_hash, existing.user_sealed, existing.linked_at = (
            user_hash, user_sealed, now)
    audit.record(session, actor=None, username=user.username, at=now, action="staff.line_link",
                 entity="user", entity_id=user.id, station_id=channel.station_id)
    if user.role is Role.PARTNER:
        return (f"ผูกบัญชี {user.display_name} แล้ว จะได้รับแจ้งเมื่อตำรวจขอภาพจากกล้อง / "
                f"Linked: {user.display_name} will get footage requests here.")
    return (f"ผูกบัญชี {user.display_name} แล้ว จะได้รับแจ้งเมื่อเหตุถูกยกระดับ / Linked: "
            f"{user.display_name} will get escalations here.")


def forget(session: Session, *, channel_id: uuid.UUID, user_hash: str) -> None:
    """The LINE user blocked the account: their staff links go too."""
    session.execute(delete(StaffLineLink).where(StaffLineLink.channel_id == channel_id,
                                                StaffLineLink.user_hash == user_hash))


def push_to_partner(session: Session, *, outbox: Outbox, box: SecretBox,
                    partner_id: uuid.UUID, text: str) -> int:
    """Queue ``text`` to the LINE of every active account of a partner that linked one
    (sent after the commit by the outbox); returns how many were queued."""
    rows = session.execute(select(StaffLineLink).join(User, User.id == StaffLineLink.user_id)
                           .where(User.partner_id == partner_id, User.role == Role.PARTNER,
                                  User.is_active.is_(True))).scalars().all()
    for link in rows:
        outbox.add(session, kind=JobKind.PUSH, channel_id=link.channel_id,
                   user_hash=link.user_hash, user_id=box.open(link.user_sealed),
                   payload={"messages": [text_message(text)]})
    return len(rows)


class EscalationAlerts:
    """Sends an escalated incident to its station's linked commanders (see the module)."""

    def __init__(self, *, db: Database, clock: Clock, box: SecretBox, outbox: Outbox,
                 console_url: str | None) -> None:
        self.db, self.clock, self.box, self.outbox = db, clock, box, outbox
        self.console_url = (console_url or "").rstrip("/")

    def after_commit(self, info: dict[str, Any]) -> None:
        """Database hook (committing thread): escalations just committed, sent now."""
        escalated = [e.entity_id for e in feed.committed_entries(info)
                     if e.type == "incident.escalated"]
        for incident_id in escalated:
            try:
                self.send(incident_id)
            except Exception:  # a hook never breaks the commit that called it
                log.exception("escalation alert for %s not queued", incident_id)

    def sweep(self, db: Database, clock: Clock) -> int:
        """The sweeper's pass: escalations of the last two hours that no alert row names."""
        with db.read() as session:
            ids = list(session.scalars(select(Incident.id).where(
                Incident.state == IncidentState.NEW, Incident.escalation_level > 0,
                Incident.escalated_at >= clock.now() - CATCH_UP)))
        return sum(self.send(i) for i in ids)

    def send(self, incident_id: uuid.UUID) -> int:
        with self.db.write() as session:
            incident = session.get(Incident, incident_id)
            if incident is None or incident.escalation_level == 0:
                return 0
            station = session.get(OrgUnit, incident.station_id)
            sent = 0
            rows = session.execute(select(StaffLineLink, User, LineChannel).join(
                User, User.id == StaffLineLink.user_id).join(
                LineChannel, LineChannel.id == StaffLineLink.channel_id).where(
                User.role == Role.COMMANDER, User.is_active.is_(True))).all()
            for link, user, channel in rows:
                if not auth.scope_for(session, user).sees_station(incident.station_id):
                    continue
                if session.scalar(select(StaffAlert.id).where(
                        StaffAlert.incident_id == incident.id,
                        StaffAlert.level == incident.escalation_level,
                        StaffAlert.user_id == user.id)) is not None:
                    continue
                try:
                    with session.begin_nested():
                        session.add(StaffAlert(incident_id=incident.id,
                                               level=incident.escalation_level,
                                               user_id=user.id, created_at=self.clock.now()))
                except IntegrityError:
                    continue  # the hook and the sweep met: one alert
                self.outbox.add(session, kind=JobKind.PUSH, channel_id=channel.id,
                                user_hash=link.user_hash, user_id=self.box.open(link.user_sealed),
                                payload={"messages": [text_message(self._text(
                                    incident, station))]})
                audit.record(session, actor=None, username="system", at=self.clock.now(),
                             action="incident.escalation_alert", entity="incident",
                             entity_id=incident.id, station_id=incident.station_id,
                             detail={"to": user.username, "level": incident.escalation_level,
                                     "via": "line"})
                sent += 1
            return sent

    def _text(self, incident: Incident, station: OrgUnit | None) -> str:
        opened = incident.opened_at.astimezone(BANGKOK)
        code = station.code if station else ""
        link = f"\n{self.console_url}/console" if self.console_url else ""
        return (f"⚠ เหตุยังไม่มีผู้รับเรื่อง (ยกระดับครั้งที่ {incident.escalation_level})\n"
                f"P{incident.priority} {incident.title_th}\n{code} · เปิดเมื่อ {opened:%H:%M} น.\n"
                f"⚠ Unacknowledged incident (escalation {incident.escalation_level}): "
                f"P{incident.priority} {incident.title_en}, {code}, opened {opened:%H:%M}."
                f"{link}")
