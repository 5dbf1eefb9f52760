"""The public side of the People Poll: the questions, and one response per person per wave.

A person is known only by a token: the random key the phone generated for this poll (the
citizen app's ``X-Caller-Key`` pattern), or, for a link sent in LINE, a key derived from
the LINE user by the chat. The server keeps ``HMAC(server key, poll id | token)`` in
``poll_ballot`` and the answers in ``poll_response``, with nothing joining the two: the
ballot says that the holder of some token answered, the response says what somebody
answered. A second response with the same token is refused (409) and changes nothing.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from safetyzone.core.clock import Clock
from safetyzone.core.errors import Conflict, InvalidInput, NotFound, Problem
from safetyzone.core.security import system_scope
from safetyzone.org import service as org
from safetyzone.org import zones
from safetyzone.poll import items as bank
from safetyzone.poll.models import Poll, PollBallot, PollResponse, PollStatus
from safetyzone.poll.schemas import (
    PublicPoll,
    PublicPollCard,
    ResponseAccepted,
    ResponseIn,
    public_items,
)
from safetyzone.poll.service import accepting

PUBLIC_LIST_MAX = 20


def ballot_key(server_key: str) -> bytes:
    """The HMAC key of the ballots, derived from the server's secret (never stored)."""
    return hashlib.sha256(b"safetyzone poll ballots|" + server_key.encode()).digest()


def ballot_digest(key: bytes, poll: Poll, token: str) -> str:
    return hmac.new(key, f"{poll.id}|{token}".encode(), hashlib.sha256).hexdigest()


def _public(session: Session, code: str) -> Poll:
    poll = session.scalar(select(Poll).where(Poll.code == code.upper()))
    if poll is None or poll.status is PollStatus.DRAFT:
        raise NotFound(f"no poll '{code}'")
    return poll


def public_poll(session: Session, *, code: str, now: datetime) -> PublicPoll:
    """A poll's questions in Thai and English (a draft looks missing)."""
    poll = _public(session, code)
    station = org.get_unit(session, unit_id=poll.station_id)
    zone = zones.get_zone(session, scope=system_scope("poll"), zone_id=poll.zone_id)
    return PublicPoll(code=poll.code, station_name_th=station.name_th,
                      station_name_en=station.name_en, zone_name_th=zone.name_th,
                      zone_name_en=zone.name_en, wave_name=poll.wave_name,
                      opens_at=poll.opens_at, closes_at=poll.closes_at,
                      accepting=accepting(poll, now), items=public_items(poll.items))


def open_polls(session: Session, *, station_code: str, now: datetime) -> list[PublicPollCard]:
    """The polls a station takes answers to now (what a LINE link or a QR poster lists)."""
    station = org.get_unit_by_code(session, code=station_code)
    polls = session.scalars(select(Poll).where(
        Poll.station_id == station.id, Poll.status == PollStatus.OPEN,
        Poll.opens_at <= now, Poll.closes_at > now).order_by(Poll.closes_at, Poll.code)
        .limit(PUBLIC_LIST_MAX))
    scope = system_scope("poll")
    out = []
    for poll in polls:
        zone = zones.get_zone(session, scope=scope, zone_id=poll.zone_id)
        out.append(PublicPollCard(code=poll.code, zone_name_th=zone.name_th,
                                  zone_name_en=zone.name_en, wave_name=poll.wave_name,
                                  closes_at=poll.closes_at))
    return out


def checked_answers(poll: Poll, data: ResponseIn) -> dict[str, Any]:
    """The answers against the poll's own items: every problem named, nothing guessed."""
    by_key = {i["key"]: bank.from_json(i) for i in poll.items}
    problems: list[Problem] = []
    clean: dict[str, Any] = {}
    for key, value in data.answers.items():
        item = by_key.get(key)
        field = f"answers.{key}"
        if item is None:
            problems.append(Problem("not an item of this poll", field))
        elif item.kind == bank.LIKERT:
            if not isinstance(value, int) or not 1 <= value <= 5:
                problems.append(Problem("must be a whole number 1-5", field))
            else:
                clean[key] = value
        else:
            known = {o[0] for o in item.options}
            if not isinstance(value, list) or not value:
                problems.append(Problem("must be a list of one or more options", field))
            elif len(set(value)) != len(value) or not set(value) <= known:
                problems.append(Problem(f"options are distinct, of: {', '.join(sorted(known))}",
                                        field))
            else:
                clean[key] = sorted(value)
    if problems:
        raise InvalidInput("the answers do not fit the poll", problems)
    return clean


def submit(session: Session, *, clock: Clock, key: bytes, code: str, token: str,
           data: ResponseIn) -> ResponseAccepted:
    """Store one person's answers and their ballot, or refuse and change nothing."""
    poll = _public(session, code)
    if not accepting(poll, clock.now()):
        raise Conflict("the poll is not taking answers now",
                       [Problem(poll.status.value, "status")])
    clean = checked_answers(poll, data)
    digest = ballot_digest(key, poll, token)
    if session.get(PollBallot, (poll.id, digest)) is not None:
        raise Conflict("already answered: one response per person per wave",
                       [Problem("already answered", "X-Caller-Key")])
    session.add(PollBallot(poll_id=poll.id, digest=digest))
    try:
        session.flush()
    except IntegrityError as err:  # the same token sent twice at once
        raise Conflict("already answered: one response per person per wave",
                       [Problem("already answered", "X-Caller-Key")]) from err
    session.add(PollResponse(poll_id=poll.id, answers=clean))
    return ResponseAccepted(poll=poll.code)
