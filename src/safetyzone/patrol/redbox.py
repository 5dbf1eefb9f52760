"""Red box 4.0 check-ins: is this officer, with this code, at this box, now?

``verify_checkin`` decides in a fixed order and the first failing check names the refusal:

1. ``forged``: not a red box code, no such box among the officer's stations, no key yet,
   a bad signature, or a rotating code that matches no step of the box's key;
2. ``expired``: a printed sheet of an older key version, or a rotating code of another
   time than the scan (or of a key that changed mode since);
3. ``stale``: scanned longer than ``patrol_checkin_max_delay_s`` ago, or more than two
   minutes in the future (a rotating code valid at server time but not at the claimed scan
   time lands here too: the phone's clock is wrong, not the code);
4. ``off_shift``: the caller has no active shift (``patrol.shifts.active_shift``);
5. ``poor_accuracy``: the fix's accuracy radius exceeds ``patrol_checkin_max_accuracy_m``;
6. ``too_far``: the fix is farther than ``patrol_checkin_radius_m`` from the box;
7. ``replayed``: this rotating code was already accepted at this box (a partial unique
   index holds it against a race too);
8. ``repeat``: the same unit was accepted at the same box within
   ``patrol_checkin_repeat_min`` (a printed QR proves no freshness by itself).

Every attempt is stored and audited, accepted or not, and goes on the station's live feed
as ``patrol.checkin``: a forged code is something the station must see. A rotating code is
checked around the phone's scan time, so a check-in scanned in a dead spot still counts
when it is sent later (within the delay).
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from safetyzone.assets.models import Asset, AssetKind, AssetStatus
from safetyzone.audit import service as audit
from safetyzone.core.clock import Clock
from safetyzone.core.geo import haversine_m
from safetyzone.core.secretbox import SecretBox
from safetyzone.core.security import Permission, Scope
from safetyzone.ops import feed
from safetyzone.org.models import OrgUnit, UnitKind
from safetyzone.patrol import redbox_codes as codes
from safetyzone.patrol import shifts
from safetyzone.patrol.redbox_codes import KeyMode, PrintedClaim
from safetyzone.patrol.redbox_models import CheckIn, RedBoxKey
from safetyzone.patrol.redbox_texts import Facts, Reason, message

FEED_TYPE = "patrol.checkin"
FUTURE_LEEWAY = timedelta(minutes=2)
WINDOW_STEPS = 1  # a rotating code is valid one step either side of the scan


@dataclass(frozen=True)
class Rules:
    """The settings a check-in is judged by (``patrol_checkin_*``, ``patrol_totp_step_s``)."""

    radius_m: float
    max_accuracy_m: float
    max_delay_s: int
    repeat_min: int
    totp_step_s: int


@dataclass(frozen=True)
class Attempt:
    code: str
    scanned_at: datetime
    lat: float
    lon: float
    accuracy_m: float
    idempotency_key: str | None = None


@dataclass(frozen=True)
class Verdict:
    checkin: CheckIn
    box: Asset | None
    reason: Reason | None
    message_th: str
    message_en: str
    repeated_request: bool = False  # the same idempotency key was answered before

    @property
    def accepted(self) -> bool:
        return self.reason is None


class ShiftLike(Protocol):
    """What a check-in needs of the officer's shift (``patrol.models.PatrolShift``)."""

    id: uuid.UUID
    unit_id: uuid.UUID
    station_id: uuid.UUID


def _active_shift(session: Session, user_id: uuid.UUID) -> ShiftLike | None:
    return shifts.active_shift(session, user_id=user_id)


@dataclass
class _Case:
    """What verification has learned so far."""

    box: Asset | None = None
    key: RedBoxKey | None = None
    digest: str | None = None
    distance_m: float | None = None
    reason: Reason | None = None
    facts: Facts = field(default_factory=Facts)


def _box(session: Session, scope: Scope, claim: codes.Claim) -> Asset | None:
    """The claimed box if it is in service at a station the caller may see."""
    station = session.scalar(select(OrgUnit).where(OrgUnit.code == claim.station_code,
                                                   OrgUnit.kind == UnitKind.STATION))
    if station is None or not scope.sees_station(station.id):
        return None
    return session.scalar(select(Asset).where(
        Asset.station_id == station.id, Asset.code == claim.box_code,
        Asset.kind == AssetKind.RED_BOX, Asset.status != AssetStatus.RETIRED))


def _stale(rules: Rules, now: datetime, scanned_at: datetime) -> Facts | None:
    if scanned_at > now + FUTURE_LEEWAY:
        return Facts(ahead_min=math.ceil((scanned_at - now).total_seconds() / 60))
    if (now - scanned_at).total_seconds() > rules.max_delay_s:
        return Facts(max_delay_min=rules.max_delay_s // 60)
    return None


def _check_code(case: _Case, claim: codes.Claim, secret: str, key: RedBoxKey,
                rules: Rules, now: datetime, scanned_at: datetime) -> None:
    """Forged or expired (or stale, for a rotating code valid only at server time)."""
    if isinstance(claim, PrintedClaim):
        if claim.version < key.version:
            case.reason = Reason.EXPIRED
            case.facts = Facts(old_version=claim.version, version=key.version)
        elif claim.version > key.version or key.mode != KeyMode.PRINTED \
                or not codes.mac_ok(secret, claim):
            case.reason = Reason.FORGED
        return
    if key.mode != KeyMode.ROTATING:
        case.reason, case.facts = Reason.EXPIRED, Facts(mode_changed=True)
        return
    step = rules.totp_step_s
    scan = codes.step_of(scanned_at, step)
    found = codes.find_step(secret, step, claim.code,
                            range(scan - WINDOW_STEPS, scan + WINDOW_STEPS + 1))
    if found is not None:
        case.digest = codes.code_digest(key.asset_id, key.version, found, claim.code)
        return
    # Outside the window: a real code of another time is "expired", a made-up one "forged".
    reach = math.ceil(rules.max_delay_s / step) + WINDOW_STEPS
    server = codes.step_of(now, step)
    steps = sorted(set(range(scan - reach, scan + reach + 1))
                   | set(range(server - reach, server + reach + 1)))
    if codes.find_step(secret, step, claim.code, steps) is None:
        case.reason = Reason.FORGED
        return
    stale = _stale(rules, now, scanned_at)
    case.reason, case.facts = (Reason.STALE, stale) if stale else (Reason.EXPIRED, Facts())


def _decide(session: Session, *, scope: Scope, secrets: SecretBox, rules: Rules,
            attempt: Attempt, now: datetime, shift: ShiftLike | None) -> _Case:
    case = _Case()
    claim = codes.parse(attempt.code)
    case.box = _box(session, scope, claim) if claim is not None else None
    case.key = session.get(RedBoxKey, case.box.id) if case.box is not None else None
    if case.box is not None:
        case.distance_m = round(haversine_m(attempt.lat, attempt.lon, case.box.lat,
                                            case.box.lon), 1)
    if claim is None or case.key is None:
        case.reason = Reason.FORGED
        return case
    _check_code(case, claim, secrets.open(case.key.secret_sealed), case.key, rules, now,
                attempt.scanned_at)
    if case.reason is not None:
        return case
    stale = _stale(rules, now, attempt.scanned_at)
    if stale is not None:
        case.reason, case.facts = Reason.STALE, stale
    elif shift is None:
        case.reason = Reason.OFF_SHIFT
    elif attempt.accuracy_m > rules.max_accuracy_m:
        case.reason = Reason.POOR_ACCURACY
        case.facts = Facts(accuracy_m=attempt.accuracy_m, max_accuracy_m=rules.max_accuracy_m)
    elif case.distance_m is not None and case.distance_m > rules.radius_m:
        case.reason = Reason.TOO_FAR
        case.facts = Facts(distance_m=case.distance_m, radius_m=rules.radius_m)
    elif case.digest is not None and _used(session, case):
        case.reason = Reason.REPLAYED
    else:
        _repeat(session, case, rules, attempt, shift)
    return case


def _used(session: Session, case: _Case) -> bool:
    assert case.box is not None
    return session.scalar(select(CheckIn.id).where(
        CheckIn.asset_id == case.box.id, CheckIn.code_digest == case.digest,
        CheckIn.accepted.is_(True)).limit(1)) is not None


def _repeat(session: Session, case: _Case, rules: Rules, attempt: Attempt,
            shift: ShiftLike) -> None:
    if rules.repeat_min <= 0 or case.box is None:
        return
    span = timedelta(minutes=rules.repeat_min)
    previous = session.scalars(select(CheckIn.scanned_at).where(
        CheckIn.asset_id == case.box.id, CheckIn.unit_id == shift.unit_id,
        CheckIn.accepted.is_(True), CheckIn.scanned_at > attempt.scanned_at - span,
        CheckIn.scanned_at < attempt.scanned_at + span)).all()
    if previous:
        nearest = min(abs((attempt.scanned_at - at).total_seconds()) for at in previous)
        case.reason = Reason.REPEAT
        case.facts = Facts(since_min=int(nearest // 60), repeat_min=rules.repeat_min)


def _own_station(scope: Scope, shift: ShiftLike | None) -> uuid.UUID | None:
    if shift is not None:
        return shift.station_id
    if scope.station_ids is not None and len(scope.station_ids) == 1:
        return next(iter(scope.station_ids))
    return None


def _store(session: Session, row: CheckIn) -> bool:
    """Insert; False when an accepted twin with the same rotating code won a race."""
    if not (row.accepted and row.code_digest):
        session.add(row)
        session.flush()
        return True
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return False
    return True


def verify_checkin(session: Session, *, scope: Scope, clock: Clock, secrets: SecretBox,
                   rules: Rules, attempt: Attempt) -> Verdict:
    """Judge one scan, store it (accepted or refused), audit it and put it on the feed."""
    scope.require(Permission.PATROL_DUTY)
    if attempt.idempotency_key is not None:
        earlier = session.scalar(select(CheckIn).where(
            CheckIn.user_id == scope.user_id, CheckIn.idempotency_key == attempt.idempotency_key))
        if earlier is not None:
            return _verdict(session, earlier, rules, repeated_request=True)
    now = clock.now()
    shift = _active_shift(session, scope.user_id)
    case = _decide(session, scope=scope, secrets=secrets, rules=rules, attempt=attempt,
                   now=now, shift=shift)
    row = CheckIn(
        station_id=case.box.station_id if case.box is not None else _own_station(scope, shift),
        asset_id=case.box.id if case.box is not None else None,
        unit_id=shift.unit_id if shift is not None else None,
        shift_id=shift.id if shift is not None else None, user_id=scope.user_id,
        username=scope.username, scanned_at=attempt.scanned_at, received_at=now,
        lat=attempt.lat, lon=attempt.lon, accuracy_m=attempt.accuracy_m,
        distance_m=case.distance_m, accepted=case.reason is None,
        reason=case.reason.value if case.reason else None, code_digest=case.digest,
        idempotency_key=attempt.idempotency_key)
    if not _store(session, row):
        row = CheckIn(**{c: getattr(row, c) for c in _COLUMNS if c != "id"})
        row.accepted, row.reason = False, Reason.REPLAYED.value
        case.reason, case.facts = Reason.REPLAYED, Facts()
        _store(session, row)
    if case.reason is None:
        case.facts = Facts(distance_m=case.distance_m)
    th, en = message(case.reason, case.facts)
    audit.record(session, actor=scope, at=now, action=FEED_TYPE, entity="patrol_checkin",
                 entity_id=row.id, station_id=row.station_id,
                 detail={"accepted": row.accepted, "reason": row.reason,
                         "box": case.box.code if case.box else None,
                         "unit_id": str(row.unit_id) if row.unit_id else None,
                         "distance_m": row.distance_m, "accuracy_m": row.accuracy_m})
    if row.station_id is not None:
        feed.append(session, station_id=row.station_id, at=now, type=FEED_TYPE,
                    entity_id=row.id, payload=feed_payload(row, case.box, th, en))
    return Verdict(row, case.box, case.reason, th, en)


_COLUMNS = tuple(c.key for c in CheckIn.__table__.columns)


def feed_payload(row: CheckIn, box: Asset | None, th: str, en: str) -> dict[str, Any]:
    return {"id": str(row.id), "accepted": row.accepted, "reason": row.reason,
            "box": None if box is None else {"id": str(box.id), "code": box.code,
                                             "name_th": box.name_th},
            "unit_id": str(row.unit_id) if row.unit_id else None, "username": row.username,
            "scanned_at": row.scanned_at.isoformat(), "distance_m": row.distance_m,
            "message_th": th, "message_en": en}


def facts_of(row: CheckIn, rules: Rules) -> Facts:
    """The figures a stored row's message can quote again (as far as the row keeps them)."""
    return Facts(distance_m=row.distance_m, radius_m=rules.radius_m,
                 accuracy_m=row.accuracy_m, max_accuracy_m=rules.max_accuracy_m,
                 max_delay_min=rules.max_delay_s // 60,
                 ahead_min=max(1, math.ceil((row.scanned_at - row.received_at)
                                            .total_seconds() / 60))
                 if row.scanned_at > row.received_at + FUTURE_LEEWAY else None,
                 repeat_min=rules.repeat_min)


def _verdict(session: Session, row: CheckIn, rules: Rules, *,
             repeated_request: bool) -> Verdict:
    box = session.get(Asset, row.asset_id) if row.asset_id else None
    reason = Reason(row.reason) if row.reason else None
    th, en = message(reason, facts_of(row, rules))
    return Verdict(row, box, reason, th, en, repeated_request=repeated_request)


def accepted_checkins(session: Session, *, station_id: uuid.UUID, since: datetime,
                      until: datetime) -> list[CheckIn]:
    """Accepted check-ins of a station scanned in [since, until), oldest first (H4 counts
    red box visits from these)."""
    return list(session.scalars(select(CheckIn).where(
        CheckIn.station_id == station_id, CheckIn.accepted.is_(True),
        CheckIn.scanned_at >= since, CheckIn.scanned_at < until)
        .order_by(CheckIn.scanned_at)))

