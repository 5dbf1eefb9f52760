"""What a citizen should hear about, told to whoever can reach them (LINE pushes), after
the change is committed.

Services queue notices in the session (``changed``, ``message``); the app's database hook
(:class:`NoticeDispatcher`) hands them to the :class:`Notifier` only once the transaction
committed, so a citizen is never told about a change that was rolled back. The default
notifier does nothing (the public app polls its ticket page); the LINE channel replaces it
with one that pushes. A notifier runs in the committing thread: it must return quickly
(queue the push, do not make it there) and must not raise.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from sqlalchemy.orm import Session

from safetyzone.citizen.models import CitizenItem, CitizenMessage

log = logging.getLogger(__name__)
NOTICES_KEY = "ssz.citizen.notices"
# What changed: the status (acknowledged, dispatched, on scene, closed ...), more
# information asked for, joined into another report, or its incident opened.
What = Literal["status", "info_requested", "merged", "incident", "closed"]


class Notifier(Protocol):
    def changed(self, item: CitizenItem, what: str) -> None:
        """The item's citizen should hear that ``what`` changed (see :data:`What`)."""

    def message(self, item: CitizenItem, message: CitizenMessage) -> None:
        """An officer wrote to the item's citizen."""

    def service(self, notice: ServiceNotice) -> None:
        """A station service's request (a consultation, a home watch) has something to tell
        whoever follows its code."""


@dataclass(frozen=True)
class ServiceNotice:
    """What a station service request's citizen should hear: a consultation booked, a
    reminder before it, a cancellation. ``code`` is the request's code (the citizen's
    page); ``th`` and ``en`` are the words, Thai first."""

    code: str
    what: str
    th: str
    en: str


class NoopNotifier:
    """The default: nothing is pushed; the public app reads its ticket page."""

    def changed(self, item: CitizenItem, what: str) -> None:
        return None

    def message(self, item: CitizenItem, message: CitizenMessage) -> None:
        return None

    def service(self, notice: ServiceNotice) -> None:
        return None


@dataclass(frozen=True)
class Notice:
    item: CitizenItem
    what: str | None = None
    message: CitizenMessage | None = None


def changed(session: Session, item: CitizenItem, what: What) -> None:
    session.info.setdefault(NOTICES_KEY, []).append(Notice(item=item, what=what))


def message(session: Session, item: CitizenItem, msg: CitizenMessage) -> None:
    session.info.setdefault(NOTICES_KEY, []).append(Notice(item=item, message=msg))


def service(session: Session, notice: ServiceNotice) -> None:
    """Queue a station service's notice; it reaches the notifier only if this commits."""
    session.info.setdefault(NOTICES_KEY, []).append(notice)


class NoticeDispatcher:
    """Database after-commit hook: committed notices go to the notifier, in order."""

    def __init__(self, notifier: Notifier) -> None:
        self.notifier = notifier

    def after_commit(self, info: dict[str, Any]) -> None:
        for notice in info.get(NOTICES_KEY, []):
            if isinstance(notice, ServiceNotice):
                try:
                    self.notifier.service(notice)
                except Exception:  # as below: never break the commit's other hooks
                    log.exception("citizen notifier failed for %s", notice.code)
                continue
            try:
                if notice.message is not None:
                    self.notifier.message(notice.item, notice.message)
                elif notice.what is not None:
                    self.notifier.changed(notice.item, notice.what)
            except Exception:  # a broken notifier must not break the commit's other hooks
                log.exception("citizen notifier failed for %s", notice.item.code)
