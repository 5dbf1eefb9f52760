"""The public side of the citizen domain: emergencies, reports, fixes, media, messages.

Every function runs inside the caller's write transaction and raises ``core.errors``. The
rules that matter to a person in trouble:

* An emergency opens a P1 incident in the same transaction: the phone gets its ticket only
  once the incident exists. Pressing again with the same key while it is open merges
  (``press_count``, the incident's ``event_count`` and a "merged" timeline entry); a key
  whose emergency is closed opens a new one.
* A later fix is a trail (``citizen_fix`` and a "trail" entry); it never moves the item's
  or the incident's location.
* A report or tip retried with the same key is the same ticket (nothing stored twice).
"""

from __future__ import annotations

import math
import uuid
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from safetyzone.citizen import records
from safetyzone.citizen.media import MediaKind, MediaStore
from safetyzone.citizen.models import (
    CitizenFix,
    CitizenItem,
    CitizenMedia,
    CitizenMessage,
    Delivery,
    Direction,
)
from safetyzone.citizen.privacy import delete_my_data as delete_my_data
from safetyzone.citizen.privacy import my_data as my_data
from safetyzone.citizen.routing import locate as locate
from safetyzone.citizen.schemas import EmergencyIn, FixIn, ReportIn, SimilarReport
from safetyzone.citizen.status import public_ticket as public_ticket
from safetyzone.citizen.taxonomy import (
    TERMINAL,
    Channel,
    ItemKind,
    ItemState,
    LocationSource,
)
from safetyzone.citizen.tips import create_tip as create_tip
from safetyzone.citizen.tips import tip_followup as tip_followup
from safetyzone.core.clock import Clock
from safetyzone.core.errors import Conflict, InvalidInput, NotFound, Problem
from safetyzone.core.geo import check_position, haversine_m, position_problem
from safetyzone.core.secretbox import SecretBox
from safetyzone.ops import emergencies
from safetyzone.ops.cameras import CameraIndexCache

MAX_PHOTOS = 5
MAX_VOICE = 1
SIMILAR_RADIUS_M = 50.0
# Reports about public space, whose place may be shown to other citizens (see similar_reports).
SHAREABLE = frozenset({"street_light", "abandoned_plot", "traffic", "youths_gathering"})
SIMILAR_WINDOW = timedelta(hours=6)
FIX_FUTURE_SLACK = timedelta(minutes=5)  # phone clocks drift; a fix from later is a typo
METRES_PER_DEGREE = 111_320.0


def create_emergency(
    session: Session, *, clock: Clock, box: SecretBox, data: EmergencyIn,
    channel: Channel | str = Channel.WEB, line_user: str | None = None,
    cameras: CameraIndexCache | None = None,
) -> tuple[CitizenItem, bool]:
    """Open an emergency and its P1 incident, or merge a repeated press into the open one."""
    now = clock.now()
    channel = Channel(channel)
    consent = records.check_consent(ItemKind.EMERGENCY, data.consent, now)
    records.check_source(channel, data.location_source)
    check_position(data.location.lat, data.location.lon, "location")
    key_hash = records.digest(data.client_key)
    records.lock_key(session, key_hash)
    for existing in session.scalars(select(CitizenItem).where(
            CitizenItem.kind == ItemKind.EMERGENCY, CitizenItem.channel == channel,
            CitizenItem.client_key_hash == key_hash).order_by(CitizenItem.created_at.desc())):
        if existing.incident_id is not None and not records.withdrawn(existing) and \
                emergencies.view(session, incident_id=existing.incident_id).open:
            _merge_press(session, existing, data, now)
            return existing, False
        break
    item = records.new_item(session, kind=ItemKind.EMERGENCY, channel=channel, key_hash=key_hash,
                    location=data.location, source=LocationSource(data.location_source),
                    category="emergency", description=data.message or "", consent=consent,
                    now=now, line_user=line_user, box=box)
    item.contact_sealed = records.seal_contact(box, None, data.contact_phone)
    item.incident_id = emergencies.open_citizen_emergency(
        session, station_id=item.station_id, lat=data.location.lat, lon=data.location.lon,
        ticket_code=item.code, title_th=f"ประชาชนแจ้งเหตุฉุกเฉิน ({item.code})",
        title_en=f"Citizen emergency ({item.code})", now=now, cameras=cameras,
        detail={"channel": channel.value, "accuracy_m": data.location.accuracy_m,
                "location_source": item.location_source.value,
                "message": data.message or ""})
    records.publish(session, item, now, "citizen.created")
    return item, True


def _merge_press(session: Session, item: CitizenItem, data: EmergencyIn, now: datetime) -> None:
    item.press_count += 1
    records.touch(item, now)
    assert item.incident_id is not None
    emergencies.merge_citizen_press(session, incident_id=item.incident_id,
                                    ticket_code=item.code, now=now)
    if data.message:
        session.add(CitizenMessage(item_id=item.id, at=now, direction=Direction.FROM_CITIZEN,
                                   author="citizen", text=data.message, ask_info=False))
    records.publish(session, item, now, "citizen.updated")


def add_fixes(session: Session, *, clock: Clock, code: str, caller_key: str | None,
              fixes: list[FixIn], line_user: str | None = None) -> int:
    """Add later positions to an open emergency's trail; a fix already stored is skipped."""
    item = records.still_consented(records.owned(session, code=code, caller_key=caller_key,
                                                 line_user=line_user))
    if item.kind is not ItemKind.EMERGENCY:
        raise NotFound(records.NOT_YOURS)
    now = clock.now()
    problems = [p for i, f in enumerate(fixes)
                if (p := position_problem(f.lat, f.lon, f"fixes[{i}]")) is not None]
    problems += [Problem("taken in the future", f"fixes[{i}].at")
                 for i, f in enumerate(fixes) if f.at > now + FIX_FUTURE_SLACK]
    if problems:
        raise InvalidInput("some fixes are not usable", problems)
    if records.current_state(session, item) in TERMINAL:
        raise Conflict("this emergency is closed: its trail takes no more fixes")
    stored = set(session.scalars(select(CitizenFix.at).where(CitizenFix.item_id == item.id)))
    fresh: dict[datetime, FixIn] = {}
    for fix in fixes:
        if fix.at not in stored:
            fresh.setdefault(fix.at, fix)
    for at, fix in sorted(fresh.items()):
        session.add(CitizenFix(item_id=item.id, at=at, received_at=now, lat=fix.lat,
                               lon=fix.lon, accuracy_m=fix.accuracy_m))
    if fresh and item.incident_id is not None:
        emergencies.log_trail(session, incident_id=item.incident_id, ticket_code=item.code,
                              now=now, fixes=[{"at": at.isoformat(), "lat": f.lat,
                                               "lon": f.lon, "accuracy_m": f.accuracy_m}
                                              for at, f in sorted(fresh.items())])
        records.touch(item, now)
        records.publish(session, item, now, "citizen.updated")
    return len(fresh)


def similar_reports(session: Session, *, clock: Clock, category: str, lat: float,
                    lon: float) -> list[SimilarReport]:
    """Open reports of the same category within 50 m in the last 6 hours, nearest first.

    Only for things in public space (``SHAREABLE``): anyone may ask, so a grid of questions
    would find where each report was made; a dark street light may be found, a drug report
    made from someone's home must not. Distances come in 10 m steps.
    """
    check_position(lat, lon, "location")
    if category not in SHAREABLE:
        return []
    now = clock.now()
    dlat = SIMILAR_RADIUS_M / METRES_PER_DEGREE * 1.5
    dlon = dlat * 1.1  # Thailand lies within 21 degrees of the equator
    rows = session.scalars(select(CitizenItem).where(
        CitizenItem.kind == ItemKind.REPORT, CitizenItem.category == category,
        CitizenItem.created_at >= now - SIMILAR_WINDOW,
        CitizenItem.state.not_in([ItemState.CLOSED, ItemState.MERGED]),
        CitizenItem.lat.between(lat - dlat, lat + dlat),
        CitizenItem.lon.between(lon - dlon, lon + dlon)))
    out = []
    for item in rows:
        assert item.lat is not None and item.lon is not None
        distance = haversine_m(lat, lon, item.lat, item.lon)
        if distance <= SIMILAR_RADIUS_M:
            out.append(SimilarReport(
                code=item.code, category=item.category,
                distance_m=float(max(10, math.ceil(distance / 10) * 10)),
                age_min=int((now - item.created_at).total_seconds() // 60),
                status=item.state, joined=records.joined_count(session, item)))
    return sorted(out, key=lambda s: (s.distance_m, s.code))


def create_report(
    session: Session, *, clock: Clock, box: SecretBox, data: ReportIn,
    channel: Channel | str = Channel.WEB, line_user: str | None = None,
    station_id: uuid.UUID | None = None,
) -> tuple[CitizenItem, bool]:
    """A new report, or (``join``) the caller's own ticket merged into an open one.

    ``station_id`` is for a channel that belongs to one station (a LINE Official Account):
    a report without a place goes there; one with a place goes where the place is. From the
    public app (no station) a report without its place is refused.
    """
    now = clock.now()
    channel = Channel(channel)
    _check_place(data, station_id)
    consent = records.check_consent(ItemKind.REPORT, data.consent, now)
    records.check_source(channel, data.location_source)
    key_hash = records.digest(data.client_key)
    records.lock_key(session, key_hash)
    existing = session.scalar(select(CitizenItem).where(
        CitizenItem.kind == ItemKind.REPORT, CitizenItem.channel == channel,
        CitizenItem.client_key_hash == key_hash).limit(1))
    if existing is not None:
        return existing, False
    target = _join_target(session, data.join) if data.join else None
    if target is not None:
        _check_join(data, target, now)
    item = records.new_item(session, kind=ItemKind.REPORT, channel=channel, key_hash=key_hash,
                    location=data.location, source=LocationSource(data.location_source),
                    category=data.category.value, description=data.description,
                    consent=consent, now=now, line_user=line_user, box=box,
                    station_id=station_id)
    if data.contact is not None:
        item.contact_sealed = records.seal_contact(box, data.contact.name, data.contact.phone)
    if target is not None:
        item.station_id, item.zone_id, item.merged_into_id = (
            target.station_id, target.zone_id, target.id)
        records.set_state(item, ItemState.MERGED, now)
        records.touch(target, now)
        records.publish(session, target, now, "citizen.updated")
    records.publish(session, item, now, "citizen.created")
    return item, True


def _check_place(data: ReportIn, station_id: uuid.UUID | None) -> None:
    """A place and its source agree; no place only where the channel names the station."""
    if data.location is None and station_id is None:
        raise InvalidInput("a report needs its place: a location on the map",
                           [Problem("required", "location")])
    if (data.location is None) != (data.location_source == LocationSource.NONE):
        raise InvalidInput("location_source 'none' is for a report without a location, and "
                           "only for one", [Problem("does not match location",
                                                    "location_source")])


def _join_target(session: Session, code: str) -> CitizenItem:
    target = records.by_code(session, code)
    seen = {target.id}
    while target.state is ItemState.MERGED and target.merged_into_id is not None:
        nxt = session.get(CitizenItem, target.merged_into_id)
        if nxt is None or nxt.id in seen:
            break
        seen.add(nxt.id)
        target = nxt
    if target.kind is not ItemKind.REPORT:
        raise NotFound("no such open report to join", [Problem("unknown report", "join")])
    if target.state in TERMINAL:
        raise Conflict("that report is closed: send your own instead",
                       [Problem("closed", "join")])
    return target


def _check_join(data: ReportIn, target: CitizenItem, now: datetime) -> None:
    """Join only what ``similar_reports`` offers: same public-space category, the same
    place (within 50 m), recent; anything else would move the caller's report, their words
    and contact, to another station's queue."""
    near = (data.location is not None and target.lat is not None and target.lon is not None
            and haversine_m(data.location.lat, data.location.lon, target.lat, target.lon)
            <= SIMILAR_RADIUS_M)
    if (data.category.value != target.category or target.category not in SHAREABLE
            or not near or target.created_at < now - SIMILAR_WINDOW):
        raise Conflict("that report is not the same thing at the same place: send your own",
                       [Problem("not a similar report", "join")])


def joined_to(session: Session, item: CitizenItem) -> str | None:
    if item.merged_into_id is None:
        return None
    target = session.get(CitizenItem, item.merged_into_id)
    return target.code if target else None


def add_media(session: Session, *, store: MediaStore, clock: Clock, code: str,
              caller_key: str | None, line_user: str | None = None, data: bytes,
              declared_type: str | None) -> CitizenMedia:
    """A photo (at most 5) or, for an emergency, one voice note; stored, then recorded."""
    item = records.still_consented(records.owned(session, code=code, caller_key=caller_key,
                                                 line_user=line_user))
    if records.current_state(session, item) is ItemState.CLOSED:
        raise Conflict("this ticket is closed: it takes no more photos")
    counts = {kind: 0 for kind in MediaKind}
    for row in records.media(session, item):
        counts[row.kind] += 1
    allow = set()
    if counts[MediaKind.PHOTO] < MAX_PHOTOS:
        allow.add(MediaKind.PHOTO)
    if item.kind is ItemKind.EMERGENCY and counts[MediaKind.VOICE] < MAX_VOICE:
        allow.add(MediaKind.VOICE)
    if not allow:
        raise Conflict(f"this ticket already has {MAX_PHOTOS} photos"
                       + (" and a voice note" if item.kind is ItemKind.EMERGENCY else ""))
    stored = store.accept(data, declared_type=declared_type, allow=allow)
    session.info.setdefault(FILES_KEY, []).append(stored.path)
    now = clock.now()
    row = CitizenMedia(item_id=item.id, kind=stored.kind, content_type=stored.content_type,
                       size=stored.size, sha256=stored.sha256, path=stored.path,
                       thumb_path=stored.thumb_path, exif_lat=stored.exif_lat,
                       exif_lon=stored.exif_lon, created_at=now)
    session.add(row)
    records.touch(item, now)
    records.publish(session, item, now, "citizen.updated")
    return row


FILES_KEY = "ssz.citizen.files"
"""Files stored during a transaction: the route removes them if it does not commit (and no
committed row shares them: identical uploads are one file)."""


def unreferenced(session: Session, paths: list[str]) -> list[str]:
    """The stored files no media row points at any more (safe to delete)."""
    used = set(session.scalars(select(CitizenMedia.path).where(CitizenMedia.path.in_(paths))))
    return [p for p in dict.fromkeys(paths) if p not in used]


def add_citizen_message(session: Session, *, clock: Clock, code: str,
                        caller_key: str | None = None, line_user: str | None = None,
                        text: str) -> CitizenMessage:
    """The citizen writes to the station; an answer to "more information" reopens the item."""
    item = records.still_consented(records.owned(session, code=code, caller_key=caller_key,
                                                 line_user=line_user))
    now = clock.now()
    if records.current_state(session, item) is ItemState.CLOSED:
        raise Conflict("this ticket is closed: send a new report instead")
    msg = CitizenMessage(item_id=item.id, at=now, direction=Direction.FROM_CITIZEN,
                         author="citizen", text=text, ask_info=False)
    session.add(msg)
    if item.state is ItemState.INFO_REQUESTED:
        records.set_state(item, ItemState.ACKNOWLEDGED, now)
    else:
        records.touch(item, now)
    records.publish(session, item, now, "citizen.updated")
    return msg


def pending_delivery(item: CitizenItem) -> Delivery | None:
    """A message to a LINE user waits to be pushed; the web app reads its page instead."""
    return Delivery.PENDING if item.line_user_sealed else None


__all__ = ["add_citizen_message", "add_fixes", "add_media", "create_emergency",
           "create_report", "create_tip", "delete_my_data", "joined_to", "locate", "my_data",
           "public_ticket", "similar_reports", "tip_followup"]
