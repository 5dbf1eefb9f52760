"""The LINE chat's :class:`CitizenPort`, made of the citizen service's public functions.

The chat decides what a LINE message means; this turns each decision into one call of
``citizen.service`` (create_report, create_emergency, create_tip, add_citizen_message,
add_media, public_ticket, locate) with the LINE user as the ticket's owner, so a ticket
opened in the chat is the same ticket the console and the public page see.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from safetyzone.citizen import service
from safetyzone.citizen.line_port import (
    Category,
    Opened,
    OpenedTip,
    Place,
    StationCard,
    TicketStatus,
)
from safetyzone.citizen.media import MediaStore
from safetyzone.citizen.models import CitizenMessage, Delivery
from safetyzone.citizen.routing import station_card
from safetyzone.citizen.schemas import (
    ConsentIn,
    EmergencyIn,
    LocationIn,
    PublicTicket,
    ReportIn,
    TipIn,
)
from safetyzone.citizen.taxonomy import (
    CONSENT_VERSION,
    PURPOSES,
    REPORT_CATEGORIES,
    Channel,
    LocationSource,
    Purpose,
    ReportCategory,
    TipCategory,
    term,
)
from safetyzone.core.clock import Clock
from safetyzone.core.errors import NotFound
from safetyzone.core.secretbox import SecretBox
from safetyzone.org import service as org

MAX_DESCRIPTION = 4000
MAX_MESSAGE = 2000
MAX_EMERGENCY_MESSAGE = 1000


def _consent(purpose: Purpose) -> ConsentIn:
    """What the LINE user accepted in the chat (``line_user.consent_version``)."""
    return ConsentIn(purposes=[purpose], version=CONSENT_VERSION)


def _location(place: Place | None) -> LocationIn | None:
    return LocationIn(lat=place.lat, lon=place.lon) if place is not None else None


class ServicePort:
    def __init__(self, *, box: SecretBox, media: MediaStore) -> None:
        self.box = box
        self.media = media

    def consent(self) -> tuple[str, str, str]:
        """The service's consent version and texts (every purpose), Thai and English."""
        return (CONSENT_VERSION, "\n".join(p.th for p in PURPOSES),
                "\n".join(p.en for p in PURPOSES))

    def categories(self) -> list[Category]:
        return [Category(c.key, c.th, c.en) for c in REPORT_CATEGORIES]

    def open_report(self, session: Session, *, clock: Clock, key: str,
                    station_id: uuid.UUID, user_id: str, category: str, text: str,
                    place: Place | None) -> Opened:
        data = ReportIn(client_key=key, category=ReportCategory(category),
                        description=text[:MAX_DESCRIPTION], location=_location(place),
                        location_source=LocationSource.LINE if place else LocationSource.NONE,
                        consent=_consent(Purpose.REPORT))
        item, created = service.create_report(session, clock=clock, box=self.box, data=data,
                                              channel=Channel.LINE, line_user=user_id,
                                              station_id=station_id)
        return Opened(code=item.code, created=created)

    def open_emergency(self, session: Session, *, clock: Clock, key: str, user_id: str,
                       place: Place, text: str | None) -> Opened:
        data = EmergencyIn(client_key=key, location=LocationIn(lat=place.lat, lon=place.lon),
                           location_source=LocationSource.LINE,
                           message=text[:MAX_EMERGENCY_MESSAGE] if text else None,
                           consent=_consent(Purpose.EMERGENCY))
        item, created = service.create_emergency(session, clock=clock, box=self.box,
                                                 data=data, channel=Channel.LINE,
                                                 line_user=user_id)
        return Opened(code=item.code, created=created)

    def open_tip(self, session: Session, *, clock: Clock, key: str, station_id: uuid.UUID,
                 category: str, text: str, place: Place | None) -> OpenedTip:
        data = TipIn(client_key=key, anonymous=True, category=TipCategory(category),
                     text=text[:MAX_DESCRIPTION], location=_location(place),
                     consent=_consent(Purpose.TIP))
        item, _, followup = service.create_tip(session, clock=clock, box=self.box, data=data,
                                               channel=Channel.LINE, line_user=None,
                                               station_id=station_id)
        return OpenedTip(code=item.code, followup_code=followup)

    def add_text(self, session: Session, *, clock: Clock, code: str, user_id: str,
                 text: str) -> None:
        service.add_citizen_message(session, clock=clock, code=code, line_user=user_id,
                                    text=text[:MAX_MESSAGE])

    def add_photo(self, session: Session, *, clock: Clock, code: str, user_id: str,
                  data: bytes, content_type: str) -> None:
        service.add_media(session, store=self.media, clock=clock, code=code, caller_key=None,
                          line_user=user_id, data=data, declared_type=content_type)

    def forget_files(self, session: Session, *, info: dict[str, Any]) -> list[str]:
        """Remove the photo files a transaction stored that no committed row refers to."""
        stored = [str(p) for p in info.get(service.FILES_KEY, []) or []]
        gone = service.unreferenced(session, stored) if stored else []
        for path in gone:
            self.media.delete(path)
        return gone

    def status(self, session: Session, *, clock: Clock, code: str) -> TicketStatus | None:
        try:
            ticket = service.public_ticket(session, clock=clock, code=code)
        except NotFound:
            return None
        if not isinstance(ticket, PublicTicket):  # a tip shows its status only
            label = term("status", ticket.status.value)
            return TicketStatus(code=ticket.code, status=ticket.status.value,
                                status_th=label.th, status_en=label.en)
        disposition = ticket.disposition
        return TicketStatus(code=ticket.code, status=ticket.status.value,
                            status_th=ticket.status_th, status_en=ticket.status_en,
                            disposition_th=disposition.th if disposition else None,
                            disposition_en=disposition.en if disposition else None)

    def station(self, session: Session, *, station_id: uuid.UUID | None = None,
                place: Place | None = None) -> StationCard:
        if place is not None:
            card = service.locate(session, lat=place.lat, lon=place.lon).station
            return StationCard(code=card.code, name_th=card.name_th, name_en=card.name_en,
                               phone=card.phone, line_url=card.line_url)
        if station_id is None:
            raise NotFound("no station: neither a place nor a station was given")
        name_th, name_en, phone = station_card(session, station_id=station_id)
        return StationCard(code=org.get_unit(session, unit_id=station_id).code,
                           name_th=name_th, name_en=name_en, phone=phone, line_url=None)

    def delivered(self, session: Session, *, message_ref: str, sent: bool,
                  at: datetime) -> None:
        message = session.get(CitizenMessage, int(message_ref))  # a sequence number
        if message is not None:
            message.delivery = Delivery.SENT if sent else Delivery.FAILED
