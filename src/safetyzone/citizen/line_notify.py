"""Status changes and officers' answers, pushed to the LINE user whose ticket it is.

:class:`LineNotifier` is the citizen service's ``Notifier`` (``citizen.notify``): the service
calls it after a change has been committed, in the committing thread. It writes a push job
to the outbox at once, in a transaction of its own (one small row), so a notice is durable
by the time it returns and is sent by the outbox worker; it never calls LINE itself and
never raises. Only tickets opened from LINE (``line_ticket``) of users who still follow the
account (``line_user``) are pushed to; everyone else reads the ticket page.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from safetyzone.citizen import line_texts as t
from safetyzone.citizen.line import ANSWER_WINDOW
from safetyzone.citizen.line_client import text_message
from safetyzone.citizen.line_models import JobKind, LineTicket, LineUser
from safetyzone.citizen.line_outbox import Outbox
from safetyzone.citizen.line_port import CitizenPort
from safetyzone.citizen.notify import ServiceNotice
from safetyzone.core.clock import Clock
from safetyzone.core.db import Database
from safetyzone.core.secretbox import SecretBox

log = logging.getLogger(__name__)


class NotifiedItem(Protocol):
    """What the notifier reads of a citizen item (``citizen.models.CitizenItem``)."""

    @property
    def code(self) -> str: ...


class NotifiedMessage(Protocol):
    """What it reads of an officer's message (``citizen.models.CitizenMessage``)."""

    @property
    def id(self) -> Any: ...

    @property
    def text(self) -> str: ...

    @property
    def ask_info(self) -> bool: ...


class LineNotifier:
    def __init__(self, *, db: Database, clock: Clock, box: SecretBox, outbox: Outbox,
                 port: CitizenPort, link: Callable[[str], str]) -> None:
        self.db = db
        self.clock = clock
        self.box = box
        self.outbox = outbox
        self.port = port
        self.link = link

    def changed(self, item: NotifiedItem, what: str) -> None:
        """The item's status (or what its citizen is asked) changed: push the new status."""
        self._push(item.code, lambda session: self._status(session, item.code), None)

    def message(self, item: NotifiedItem, message: NotifiedMessage) -> None:
        """An officer wrote to the citizen: push it; their answers go to this ticket."""
        code = item.code
        text = f"{t.th('officer', code=code)} / {t.en('officer', code=code)}\n\n{message.text}"
        if message.ask_info:
            text += "\n\n" + t.both("answer_here")

        def compose(session: Session) -> list[dict[str, Any]] | None:
            return [text_message(text)]

        self._push(code, compose, str(message.id))

    def service(self, notice: ServiceNotice) -> None:
        """A station service's notice (a consultation booked, a home watch approved or
        visited ...): pushed when its request was opened or followed from LINE
        (``citizen.line_follow``); the app's page shows it either way."""
        text = f"{notice.th}\n{notice.en}\n\n{self.link(notice.code)}"
        self._push(notice.code, lambda session: [text_message(text)], None)

    def _status(self, session: Session, code: str) -> list[dict[str, Any]] | None:
        status = self.port.status(session, clock=self.clock, code=code)
        if status is None:
            return None
        text = (f"{t.th('status', code=code, status_th=status.status_th)}\n"
                f"{t.en('status', code=code, status_en=status.status_en)}")
        if status.disposition_th:
            text += (f"\n\n{t.th('disposition', th=status.disposition_th)}\n"
                     f"{t.en('disposition', en=status.disposition_en)}")
        return [text_message(f"{text}\n\n{self.link(code)}")]

    def _push(self, code: str, compose: Callable[[Session], list[dict[str, Any]] | None],
              message_ref: str | None) -> None:
        try:
            with self.db.write() as session:
                ticket = session.scalar(select(LineTicket).where(LineTicket.code == code))
                if ticket is None:
                    return  # not opened from LINE
                user = session.scalar(select(LineUser).where(
                    LineUser.channel_id == ticket.channel_id,
                    LineUser.user_hash == ticket.user_hash))
                if user is None:
                    return  # unfollowed: their LINE contact is gone
                messages = compose(session)
                if not messages:
                    return
                self.outbox.add(session, kind=JobKind.PUSH, channel_id=ticket.channel_id,
                                user_hash=ticket.user_hash,
                                user_id=self.box.open(user.user_sealed),
                                payload={"messages": messages}, item_code=code,
                                message_ref=message_ref)
                if message_ref is not None:  # the user's answers join this ticket
                    user.draft_code = code
                    user.draft_until = self.clock.now() + ANSWER_WINDOW
        except Exception:  # a notifier must never break the commit that called it
            log.exception("LINE notice for %s not queued", code)
