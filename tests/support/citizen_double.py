"""A stand-in for the citizen service as the LINE chat calls it (``CitizenPort``).

TEMPORARY, for the citizen-line branch only: citizen-core's service is not on this branch
yet. At merge the LINE tests run against ``citizen.line_bridge.ServicePort`` (the real
service) instead, and this file goes; see the ``port`` fixture in tests/citizen/line_env.py.
It keeps tickets in memory with the service's rules that the chat relies on: one ticket per
client key, ownership by LINE user, closed tickets refuse additions, at most 5 photos.
"""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from safetyzone.citizen.line_port import (
    Category,
    Opened,
    OpenedTip,
    Place,
    StationCard,
    TicketStatus,
)
from safetyzone.core.clock import Clock
from safetyzone.core.errors import Conflict, InvalidInput, NotFound

STATUS = {"new": ("รับแจ้งแล้ว", "Received"), "closed": ("ปิดเรื่องแล้ว", "Closed"),
          "acknowledged": ("เจ้าหน้าที่รับเรื่องแล้ว", "Acknowledged")}


@dataclass
class Ticket:
    code: str
    kind: str
    key: str
    station_id: uuid.UUID
    user_id: str | None
    category: str
    text: str
    place: Place | None
    state: str = "new"
    messages: list[str] = field(default_factory=list)
    photos: list[tuple[bytes, str]] = field(default_factory=list)
    presses: int = 1
    disposition: tuple[str, str] | None = None


@dataclass
class CitizenDouble:
    tickets: dict[str, Ticket] = field(default_factory=dict)
    deliveries: dict[str, bool] = field(default_factory=dict)
    version: str = "2026-12-01"
    _numbers: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def consent(self) -> tuple[str, str, str]:
        return self.version, "ยินยอมให้เก็บข้อมูล", "I agree that the station keeps it."

    def categories(self) -> list[Category]:
        return [Category("theft", "ลักทรัพย์", "Theft"),
                Category("street_light", "ไฟฟ้าส่องสว่างชำรุด", "Broken street light"),
                Category("other", "อื่น ๆ", "Other")]

    def _new(self, prefix: str, **values: object) -> Ticket:
        code = f"{prefix}-{next(self._numbers):08d}"
        ticket = Ticket(code=code, **values)  # type: ignore[arg-type]
        self.tickets[code] = ticket
        return ticket

    def _by_key(self, kind: str, key: str) -> Ticket | None:
        return next((t for t in self.tickets.values() if t.kind == kind and t.key == key
                     and (kind != "emergency" or t.state != "closed")), None)

    def open_report(self, session: Session, *, clock: Clock, key: str,
                    station_id: uuid.UUID, user_id: str, category: str, text: str,
                    place: Place | None) -> Opened:
        if not text:
            raise InvalidInput("description is empty")
        found = self._by_key("report", key)
        if found:
            return Opened(found.code, False)
        return Opened(self._new("R", kind="report", key=key, station_id=station_id,
                                user_id=user_id, category=category, text=text,
                                place=place).code, True)

    def open_emergency(self, session: Session, *, clock: Clock, key: str, user_id: str,
                       place: Place, text: str | None) -> Opened:
        found = self._by_key("emergency", key)
        if found:
            found.presses += 1
            return Opened(found.code, False)
        return Opened(self._new("E", kind="emergency", key=key, station_id=uuid.uuid4(),
                                user_id=user_id, category="emergency", text=text or "",
                                place=place).code, True)

    def open_tip(self, session: Session, *, clock: Clock, key: str, station_id: uuid.UUID,
                 category: str, text: str, place: Place | None) -> OpenedTip:
        found = self._by_key("tip", key)
        ticket = found or self._new("T", kind="tip", key=key, station_id=station_id,
                                    user_id=None, category=category, text=text, place=place)
        return OpenedTip(ticket.code, f"FUP-{uuid.uuid4().hex[:12]}")

    def _owned(self, code: str, user_id: str) -> Ticket:
        ticket = self.tickets.get(code)
        if ticket is None or ticket.user_id != user_id:
            raise NotFound("no such ticket, or it is not yours")
        if ticket.state == "closed":
            raise Conflict("this ticket is closed")
        return ticket

    def add_text(self, session: Session, *, clock: Clock, code: str, user_id: str,
                 text: str) -> None:
        self._owned(code, user_id).messages.append(text)

    def add_photo(self, session: Session, *, clock: Clock, code: str, user_id: str,
                  data: bytes, content_type: str) -> None:
        ticket = self._owned(code, user_id)
        if len(ticket.photos) >= 5:
            raise Conflict("this ticket already has 5 photos")
        if not data.startswith((b"\xff\xd8\xff", b"\x89PNG")):
            raise InvalidInput("not a photo")
        ticket.photos.append((data, content_type))

    def status(self, session: Session, *, clock: Clock, code: str) -> TicketStatus | None:
        ticket = self.tickets.get(code)
        if ticket is None:
            return None
        th, en = STATUS[ticket.state]
        return TicketStatus(code=code, status=ticket.state, status_th=th, status_en=en,
                            disposition_th=ticket.disposition[0] if ticket.disposition else None,
                            disposition_en=ticket.disposition[1] if ticket.disposition else None)

    def station(self, session: Session, *, station_id: uuid.UUID | None = None,
                place: Place | None = None) -> StationCard:
        return StationCard(code="ST-A", name_th="สถานีตำรวจ เอ", name_en="Station A",
                           phone="02-000-0000", line_url="https://lin.ee/demo")

    def delivered(self, session: Session, *, message_ref: str, sent: bool,
                  at: datetime) -> None:
        self.deliveries[message_ref] = sent
