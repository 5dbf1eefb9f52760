"""What the LINE chat needs from the citizen service, and nothing more.

The chat (``citizen.line``) is thin: it decides what a LINE message means (a new report, a
line added to the open one, a tip, an emergency) and calls these operations. The real ones
are the citizen service's public functions (``citizen.line_bridge``); keeping the list here
makes the chat's needs explicit and lets its tests name what they rely on.

Every operation runs in the caller's write transaction and raises ``core.errors``: NotFound
or Conflict when the ticket is gone or closed, InvalidInput for a value the service refuses.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.orm import Session

from safetyzone.core.clock import Clock


@dataclass(frozen=True)
class Opened:
    code: str
    created: bool  # False: the same key found the ticket already open (a retry, a merge)


@dataclass(frozen=True)
class OpenedTip:
    code: str
    followup_code: str | None


@dataclass(frozen=True)
class TicketStatus:
    code: str
    status: str
    status_th: str
    status_en: str
    disposition_th: str | None = None
    disposition_en: str | None = None


@dataclass(frozen=True)
class StationCard:
    code: str
    name_th: str
    name_en: str
    phone: str | None
    line_url: str | None


@dataclass(frozen=True)
class Category:
    key: str
    th: str
    en: str


@dataclass(frozen=True)
class Place:
    lat: float
    lon: float


class CitizenPort(Protocol):
    """The citizen service as the LINE chat calls it (see ``line_bridge.ServicePort``)."""

    def consent(self) -> tuple[str, str, str]:
        """The consent text's version and its words (every purpose), Thai and English."""

    def categories(self) -> list[Category]:
        """The report categories, Thai and English, in menu order."""

    def open_report(self, session: Session, *, clock: Clock, key: str,
                    station_id: uuid.UUID, user_id: str, category: str, text: str,
                    place: Place | None) -> Opened:
        """A report from LINE: routed by ``place`` when given, else to ``station_id``."""

    def open_emergency(self, session: Session, *, clock: Clock, key: str, user_id: str,
                       place: Place, text: str | None) -> Opened:
        """An emergency (a P1 incident); the same ``key`` while it is open merges."""

    def open_tip(self, session: Session, *, clock: Clock, key: str, station_id: uuid.UUID,
                 category: str, text: str, place: Place | None) -> OpenedTip:
        """An anonymous tip: the LINE user is not kept with it."""

    def add_text(self, session: Session, *, clock: Clock, code: str, user_id: str,
                 text: str) -> None:
        """The user writes more to their own ticket."""

    def add_photo(self, session: Session, *, clock: Clock, code: str, user_id: str,
                  data: bytes, content_type: str) -> None:
        """A photo for the user's own ticket (checked, EXIF stripped by the service)."""

    def forget_files(self, session: Session, *, info: dict[str, Any]) -> list[str]:
        """Remove the photo files a transaction (its ``session.info``) stored that no
        committed row refers to: it failed, or kept no row for them. The paths removed."""

    def status(self, session: Session, *, clock: Clock, code: str) -> TicketStatus | None:
        """The public status of a ticket; None when it no longer exists."""

    def station(self, session: Session, *, station_id: uuid.UUID | None = None,
                place: Place | None = None) -> StationCard:
        """A station's public card, by id or by the place it serves."""

    def delivered(self, session: Session, *, message_ref: str, sent: bool,
                  at: datetime) -> None:
        """An officer's message reached the user on LINE (or LINE refused it for good)."""
