"""Following a station service's request on LINE: its code and a pin, sent to the chat.

A request made outside the chat (a home-watch request from the public app, issue 11) can
still be told on LINE: its page shows the code and a pin, and the owner sends both to the
station's LINE Official Account ("H-7K3M9QXP 4KX2-9QMD"). The pin is an HMAC of the code
under the server's key, so nothing is stored until the owner sends it, and only someone
who read the page (it needs the request's own key) can follow it. The chat then records a
``line_ticket`` of kind ``follow``: from there the LINE notifier pushes the request's news
(``citizen.notify.service``) like any ticket's, and unfollowing the account deletes it.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import uuid
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from safetyzone.citizen.line_models import LineTicket
from safetyzone.citizen.records import CROCKFORD

FOLLOW_KIND = "follow"
_TEXT = re.compile(r"\s*([A-Z]{1,2}-[0-9A-Z]{8})\s+([0-9A-Z]{4})-?([0-9A-Z]{4})\s*")


def follow_pin(server_key: str, code: str) -> str:
    """The pin that lets a LINE user follow ``code``: 40 bits, ``XXXX-XXXX``."""
    key = hashlib.sha256(b"safetyzone line follow|" + server_key.encode()).digest()
    digest = hmac.new(key, code.encode(), hashlib.sha256).digest()
    number = int.from_bytes(digest[:5], "big")
    chars = "".join(CROCKFORD[(number >> (5 * i)) & 31] for i in range(7, -1, -1))
    return f"{chars[:4]}-{chars[4:]}"


def parse(text: str) -> tuple[str, str] | None:
    """A code and a pin, as a user would type them (any case, with or without the dash)."""
    match = _TEXT.fullmatch(text.upper())
    if match is None:
        return None
    return match.group(1), f"{match.group(2)}-{match.group(3)}"


def valid(server_key: str, code: str, pin: str) -> bool:
    return hmac.compare_digest(pin, follow_pin(server_key, code))


def follow(session: Session, *, channel_id: uuid.UUID, user_hash: str, code: str,
           at: datetime) -> bool:
    """The user follows ``code`` on this channel; False when someone else already does
    (one follower per request: the owner, who read its page)."""
    row = session.scalar(select(LineTicket).where(LineTicket.code == code))
    if row is None:
        session.add(LineTicket(channel_id=channel_id, user_hash=user_hash, code=code,
                               kind=FOLLOW_KIND, created_at=at))
        return True
    return row.channel_id == channel_id and row.user_hash == user_hash


def forget(session: Session, *, code: str) -> None:
    """Nobody follows ``code`` on LINE any more (its request's data is being erased)."""
    session.execute(delete(LineTicket).where(LineTicket.code == code,
                                             LineTicket.kind == FOLLOW_KIND))
