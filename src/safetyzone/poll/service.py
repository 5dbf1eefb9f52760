"""The staff's side of the People Poll: create a zone's wave, open it, close it; list them.

Creating, opening and closing need POLL_MANAGE (commanders and admins) and are audited;
reading needs OPS_READ in the caller's station scope. A poll keeps a copy of the standard
items of the bank version it was created with, plus the station's own items.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from safetyzone.audit import service as audit
from safetyzone.core.clock import Clock, as_utc
from safetyzone.core.errors import Conflict, InvalidInput, NotFound, Problem
from safetyzone.core.security import Permission, Scope
from safetyzone.org import service as org
from safetyzone.org import zones
from safetyzone.org.models import OrgUnit, Zone
from safetyzone.poll import items as bank
from safetyzone.poll.models import Poll, PollResponse, PollStatus
from safetyzone.poll.schemas import PollCreate, PollRead

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LIST_MAX = 200
# A wave runs for weeks, not seasons: a longer window is a typing mistake.
MAX_OPEN = timedelta(days=120)


def new_code(session: Session) -> str:
    """A fresh public poll code, e.g. ``P-7K3M9QXP`` (40 random bits)."""
    while True:
        code = "P-" + "".join(secrets.choice(CROCKFORD) for _ in range(8))
        if session.scalar(select(Poll.id).where(Poll.code == code)) is None:
            return code


def link(public_url: str, code: str) -> str:
    """The address a poll is answered at (what the QR and LINE carry)."""
    return f"{public_url.rstrip('/')}/citizen/poll/{code}"


def counts(session: Session, poll_ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    if not poll_ids:
        return {}
    rows = session.execute(select(PollResponse.poll_id, func.count()).where(
        PollResponse.poll_id.in_(poll_ids)).group_by(PollResponse.poll_id))
    return {pid: n for pid, n in rows}


def read(session: Session, poll: Poll, *, public_url: str, responses: int | None = None
         ) -> PollRead:
    station = org.get_unit(session, unit_id=poll.station_id)
    zone = session.get(Zone, poll.zone_id)
    assert zone is not None
    n = responses if responses is not None else counts(session, [poll.id]).get(poll.id, 0)
    return PollRead(id=poll.id, code=poll.code, station_code=station.code, zone_code=zone.code,
                    zone_name_th=zone.name_th, zone_name_en=zone.name_en, wave=poll.wave,
                    wave_name=poll.wave_name, opens_at=poll.opens_at, closes_at=poll.closes_at,
                    status=poll.status, zone_launch_on=poll.zone_launch_on,
                    bank_version=poll.bank_version, responses=n,
                    link=link(public_url, poll.code))


def _station(session: Session, scope: Scope, code: str) -> OrgUnit:
    scope.require(Permission.OPS_READ)
    return org.get_station(session, scope=scope, code=code)


def list_polls(session: Session, *, scope: Scope, station_code: str,
               public_url: str) -> list[PollRead]:
    """The station's polls, newest wave first."""
    station = _station(session, scope, station_code)
    polls = list(session.scalars(select(Poll).where(Poll.station_id == station.id)
                                 .order_by(Poll.opens_at.desc(), Poll.code).limit(LIST_MAX)))
    n = counts(session, [p.id for p in polls])
    return [read(session, p, public_url=public_url, responses=n.get(p.id, 0)) for p in polls]


def get_poll(session: Session, *, scope: Scope, code: str) -> Poll:
    """A poll of the caller's stations (another station's looks missing)."""
    scope.require(Permission.OPS_READ)
    poll = session.scalar(select(Poll).where(Poll.code == code.upper()))
    if poll is None or not scope.sees_station(poll.station_id):
        raise NotFound(f"no poll '{code}' in your scope")
    return poll


def create_poll(session: Session, *, scope: Scope, clock: Clock, station_code: str,
                data: PollCreate) -> Poll:
    """A draft wave for one of the station's zones, with the standard items and its own."""
    scope.require(Permission.POLL_MANAGE)
    station = _station(session, scope, station_code)
    zone = zones.get_zone_by_code(session, scope=scope, code=data.zone_code)
    problems: list[Problem] = []
    if zone.station_id != station.id:
        problems.append(Problem("the zone is not the station's", "zone_code"))
    opens, closes = as_utc(data.opens_at), as_utc(data.closes_at)
    if closes <= opens:
        problems.append(Problem("must be after opens_at", "closes_at"))
    if closes - opens > MAX_OPEN:
        problems.append(Problem("a wave is open for at most 120 days", "closes_at"))
    keys = [c.key for c in data.custom_items]
    clash = sorted({k for k in keys if k in bank.STANDARD_KEYS or keys.count(k) > 1})
    if clash:
        problems.append(Problem(f"repeated or standard keys: {', '.join(clash)}",
                                "custom_items"))
    if problems:
        raise InvalidInput("the poll cannot be created", problems)
    if session.scalar(select(Poll.id).where(Poll.zone_id == zone.id,
                                            Poll.wave == data.wave)) is not None:
        raise Conflict(f"the zone already has wave {data.wave}",
                       [Problem("already exists", "wave")])
    items = [i.as_json() for i in bank.STANDARD] + [
        bank.custom_item(c.key, c.th, c.en).as_json() for c in data.custom_items]
    poll = Poll(code=new_code(session), station_id=station.id, zone_id=zone.id, wave=data.wave,
                wave_name=data.wave_name, opens_at=opens, closes_at=closes,
                status=PollStatus.DRAFT, zone_launch_on=data.zone_launch_on,
                bank_version=bank.BANK_VERSION, items=items, created_at=clock.now(),
                created_by=scope.username)
    session.add(poll)
    session.flush()
    audit.record(session, actor=scope, at=clock.now(), action="poll.create", entity="poll",
                 entity_id=poll.code, station_id=station.id,
                 detail={"zone": zone.code, "wave": data.wave})
    return poll


def _managed(session: Session, scope: Scope, code: str) -> Poll:
    scope.require(Permission.POLL_MANAGE)
    return get_poll(session, scope=scope, code=code)


def open_poll(session: Session, *, scope: Scope, clock: Clock, code: str) -> Poll:
    """Open a draft for answers (between its opens_at and closes_at). Audited."""
    poll = _managed(session, scope, code)
    now = clock.now()
    if poll.status is not PollStatus.DRAFT:
        raise Conflict(f"the poll is {poll.status.value}, not a draft",
                       [Problem(poll.status.value, "status")])
    if as_utc(poll.closes_at) <= now:
        raise Conflict("the poll's closing time has passed", [Problem("passed", "closes_at")])
    poll.status = PollStatus.OPEN
    audit.record(session, actor=scope, at=now, action="poll.open", entity="poll",
                 entity_id=poll.code, station_id=poll.station_id)
    return poll


def close_poll(session: Session, *, scope: Scope, clock: Clock, code: str) -> Poll:
    """Close an open poll (or a draft that will not run): no more answers. Audited."""
    poll = _managed(session, scope, code)
    if poll.status is PollStatus.CLOSED:
        raise Conflict("the poll is closed already", [Problem("closed", "status")])
    poll.status = PollStatus.CLOSED
    audit.record(session, actor=scope, at=clock.now(), action="poll.close", entity="poll",
                 entity_id=poll.code, station_id=poll.station_id)
    return poll


def accepting(poll: Poll, now: datetime) -> bool:
    """Whether answers are taken now: open, and inside its window."""
    return (poll.status is PollStatus.OPEN
            and as_utc(poll.opens_at) <= now < as_utc(poll.closes_at))

