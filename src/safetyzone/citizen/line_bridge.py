"""The LINE chat's :class:`CitizenPort`, made of the citizen service's public functions.

Written against citizen-core's ``citizen.service`` (create_report, create_emergency,
create_tip, add_citizen_message, add_media, public_ticket, locate): see CITIZEN.md. The
service modules are imported where they are used, so the LINE channel's own parts (webhook,
outbox, channels) import and run before the service is merged in.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

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
from safetyzone.core.errors import NotFound
from safetyzone.core.secretbox import SecretBox

MAX_DESCRIPTION = 4000
MAX_MESSAGE = 2000


class ServicePort:
    def __init__(self, *, box: SecretBox, media: Any) -> None:
        self.box = box
        self.media = media  # citizen.media.MediaStore

    def consent(self) -> tuple[str, str, str]:
        """The service's consent version and texts (every purpose), Thai and English."""
        from safetyzone.citizen.taxonomy import CONSENT_VERSION, PURPOSES

        return (CONSENT_VERSION, "\n".join(p.th for p in PURPOSES),
                "\n".join(p.en for p in PURPOSES))

    def categories(self) -> list[Category]:
        from safetyzone.citizen.taxonomy import REPORT_CATEGORIES

        return [Category(c.key, c.th, c.en) for c in REPORT_CATEGORIES]

    def _consent(self, purpose: str) -> Any:
        from safetyzone.citizen.schemas import ConsentIn
        from safetyzone.citizen.taxonomy import CONSENT_VERSION

        return ConsentIn(purposes=[purpose], version=CONSENT_VERSION)

    def open_report(self, session: Session, *, clock: Clock, key: str,
                    station_id: uuid.UUID, user_id: str, category: str, text: str,
                    place: Place | None) -> Opened:
        from safetyzone.citizen.schemas import LocationIn, ReportIn
        from safetyzone.citizen.service import create_report

        data = ReportIn(client_key=key, category=category, description=text[:MAX_DESCRIPTION],
                        location=LocationIn(lat=place.lat, lon=place.lon) if place else None,
                        location_source="line" if place else "none",
                        consent=self._consent("report"))
        item, created = create_report(session, clock=clock, box=self.box, data=data,
                                              channel="line", line_user=user_id,
                                              station_id=station_id)
        return Opened(code=item.code, created=created)

    def open_emergency(self, session: Session, *, clock: Clock, key: str, user_id: str,
                       place: Place, text: str | None) -> Opened:
        from safetyzone.citizen.schemas import EmergencyIn, LocationIn
        from safetyzone.citizen.service import create_emergency

        data = EmergencyIn(client_key=key, location=LocationIn(lat=place.lat, lon=place.lon),
                           location_source="line", message=(text or None) and text[:1000],
                           consent=self._consent("emergency"))
        item, created = create_emergency(session, clock=clock, box=self.box,
                                                 data=data, channel="line", line_user=user_id)
        return Opened(code=item.code, created=created)

    def open_tip(self, session: Session, *, clock: Clock, key: str, station_id: uuid.UUID,
                 category: str, text: str, place: Place | None) -> OpenedTip:
        from safetyzone.citizen.schemas import LocationIn, TipIn
        from safetyzone.citizen.service import create_tip

        data = TipIn(client_key=key, anonymous=True, category=category,
                     text=text[:MAX_DESCRIPTION],
                     location=LocationIn(lat=place.lat, lon=place.lon) if place else None,
                     consent=self._consent("tip"))
        item, _, followup = create_tip(session, clock=clock, box=self.box, data=data,
                                               channel="line", line_user=None,
                                               station_id=station_id)
        return OpenedTip(code=item.code, followup_code=followup)

    def add_text(self, session: Session, *, clock: Clock, code: str, user_id: str,
                 text: str) -> None:
        from safetyzone.citizen.service import add_citizen_message

        add_citizen_message(session, clock=clock, code=code, line_user=user_id,
                                    text=text[:MAX_MESSAGE])

    def add_photo(self, session: Session, *, clock: Clock, code: str, user_id: str,
                  data: bytes, content_type: str) -> None:
        from safetyzone.citizen.service import add_media

        add_media(session, store=self.media, clock=clock, code=code, caller_key=None,
                          line_user=user_id, data=data, declared_type=content_type)

    def status(self, session: Session, *, clock: Clock, code: str) -> TicketStatus | None:
        from safetyzone.citizen.service import public_ticket
        from safetyzone.citizen.taxonomy import term

        try:
            ticket = public_ticket(session, clock=clock, code=code)
        except NotFound:
            return None
        label = term("status", str(ticket.status))
        disposition = getattr(ticket, "disposition", None)
        return TicketStatus(code=ticket.code, status=str(ticket.status), status_th=label.th,
                            status_en=label.en,
                            disposition_th=disposition.th if disposition else None,
                            disposition_en=disposition.en if disposition else None)

    def station(self, session: Session, *, station_id: uuid.UUID | None = None,
                place: Place | None = None) -> StationCard:
        from safetyzone.citizen.routing import station_card
        from safetyzone.citizen.service import locate
        from safetyzone.org import service as org

        if place is not None:
            card = locate(session, lat=place.lat, lon=place.lon).station
            return StationCard(code=card.code, name_th=card.name_th, name_en=card.name_en,
                               phone=card.phone, line_url=card.line_url)
        assert station_id is not None
        name_th, name_en, phone = station_card(session, station_id=station_id)
        return StationCard(code=org.get_unit(session, unit_id=station_id).code,
                           name_th=name_th, name_en=name_en, phone=phone, line_url=None)

    def delivered(self, session: Session, *, message_ref: str, sent: bool,
                  at: datetime) -> None:
        from safetyzone.citizen.models import CitizenMessage, Delivery

        message = session.get(CitizenMessage, int(message_ref))  # a sequence number
        if message is not None:
            message.delivery = Delivery.SENT if sent else Delivery.FAILED
