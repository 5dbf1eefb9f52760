"""Volunteer service posts (seed 002): temporary posts where volunteer police
(ตำรวจจิตอาสา) take citizens' reports and consultation requests.

A post is the citizen domain's ``service_post`` (the public station card lists it) with
weekly hours and a roster here. Admins and commanders (``POST_MANAGE``) create posts, set
hours and rosters. A volunteer (``POST_DUTY``) takes requests only at a post whose roster
names them and only while it is open (Bangkok time); anything else is refused with the
reason, in Thai and English, and changes nothing. What they take goes into the same flows
as the public app (``citizen.service.create_report`` with channel ``post``;
``consult_booking.book`` with the post recorded) and is logged per post (``post_intake``).
"""

from __future__ import annotations

import itertools
import uuid
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from safetyzone.audit import service as audit
from safetyzone.citizen import directory
from safetyzone.citizen import service as citizen
from safetyzone.citizen.models import PostKind, ServicePost
from safetyzone.citizen.schemas import LocationIn, ReportIn
from safetyzone.citizen.taxonomy import Channel, LocationSource
from safetyzone.core.clock import BANGKOK, Clock, as_utc
from safetyzone.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied, Problem
from safetyzone.core.secretbox import SecretBox
from safetyzone.core.security import Permission, Role, Scope
from safetyzone.org import auth
from safetyzone.org import service as org
from safetyzone.org.models import User
from safetyzone.services import consult_booking
from safetyzone.services.consult_models import ConsultRequest
from safetyzone.services.consult_schemas import BookingIn
from safetyzone.services.posts_models import IntakeKind, PostHours, PostIntake, PostRoster
from safetyzone.services.posts_schemas import (
    TAKEN_SHOWN,
    HoursIn,
    HoursRead,
    IntakeRead,
    MyDuty,
    MyPost,
    PostCreate,
    PostRead,
    PostReportCreated,
    PostReportIn,
    PostTaken,
    RosterRead,
)

DAYS_TH = ("จ.", "อ.", "พ.", "พฤ.", "ศ.", "ส.", "อา.")
DAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
# Who may stand on a roster: volunteers, and police who staff a post themselves.
ROSTER_ROLES = frozenset({Role.VOLUNTEER, Role.PATROL_OFFICER, Role.COMMANDER, Role.ADMIN})


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _check_hours(hours: list[HoursIn]) -> list[tuple[int, int, int]]:
    """(weekday, opens, closes) sorted; refused if a window is empty or two overlap."""
    windows = sorted((h.weekday, _minutes(h.opens), _minutes(h.closes)) for h in hours)
    problems = [Problem("closes must be after opens", f"hours[{i}].closes")
                for i, h in enumerate(hours) if _minutes(h.closes) <= _minutes(h.opens)]
    problems += [Problem(f"overlaps another window on weekday {a[0]}", "hours")
                 for a, b in itertools.pairwise(windows)
                 if a[0] == b[0] and b[1] < a[2]]
    if problems:
        raise InvalidInput("the post's hours are not usable", problems)
    return windows


def _hours_text(windows: list[tuple[int, int, int]]) -> tuple[str, str]:
    """The hours as the station card shows them, days with the same hours together."""
    by_day: dict[int, str] = {}
    for day, opens, closes in windows:
        spans = f"{_hhmm(opens)}-{_hhmm(closes)}"
        by_day[day] = f"{by_day[day]}, {spans}" if day in by_day else spans
    groups: dict[str, list[int]] = {}
    for day in sorted(by_day):
        groups.setdefault(by_day[day], []).append(day)
    th = "; ".join(f"{' '.join(DAYS_TH[d] for d in days)} {spans} น."
                   for spans, days in groups.items())
    en = "; ".join(f"{' '.join(DAYS_EN[d] for d in days)} {spans}"
                   for spans, days in groups.items())
    return th or "ยังไม่กำหนดเวลา", en or "Hours not set"


def _set_hours(session: Session, post: ServicePost, hours: list[HoursIn]) -> None:
    windows = _check_hours(hours)
    session.execute(delete(PostHours).where(PostHours.post_id == post.id))
    session.add_all(PostHours(post_id=post.id, weekday=d, opens_min=o, closes_min=c)
                    for d, o, c in windows)
    th, en = _hours_text(windows)
    directory.set_post_hours_text(post, hours_th=th, hours_en=en)


def create_post(session: Session, *, scope: Scope, clock: Clock, data: PostCreate
                ) -> ServicePost:
    scope.require(Permission.POST_MANAGE)
    station = org.get_station(session, scope=scope, code=data.station_code)
    windows = _check_hours(data.hours)
    th, en = _hours_text(windows)
    post = directory.add_post(session, station_id=station.id, kind=PostKind.VOLUNTEER_POST,
                              name_th=data.name_th, name_en=data.name_en, lat=data.lat,
                              lon=data.lon, hours_th=th, hours_en=en)
    _set_hours(session, post, data.hours)
    audit.record(session, actor=scope, at=clock.now(), action="post.create",
                 entity="service_post", entity_id=post.id, station_id=station.id,
                 detail={"name_th": data.name_th, "hours": en})
    return post


def get_post(session: Session, *, scope: Scope, post_id: uuid.UUID) -> ServicePost:
    post = directory.get_post(session, post_id=post_id)
    if post is None or not scope.sees_station(post.station_id):
        raise NotFound("no such post in your scope")
    return post


def set_hours(session: Session, *, scope: Scope, clock: Clock, post_id: uuid.UUID,
              hours: list[HoursIn]) -> ServicePost:
    scope.require(Permission.POST_MANAGE)
    post = get_post(session, scope=scope, post_id=post_id)
    _set_hours(session, post, hours)
    audit.record(session, actor=scope, at=clock.now(), action="post.hours",
                 entity="service_post", entity_id=post.id, station_id=post.station_id,
                 detail={"hours": post.hours_en})
    return post


def add_to_roster(session: Session, *, scope: Scope, clock: Clock, post_id: uuid.UUID,
                  username: str) -> PostRoster:
    scope.require(Permission.POST_MANAGE)
    post = get_post(session, scope=scope, post_id=post_id)
    user = session.scalar(select(User).where(User.username == username))
    if (user is None or not user.is_active
            or not auth.scope_for(session, user).sees_station(post.station_id)):
        raise InvalidInput("no such active user at this post's station",
                           [Problem("unknown user at this station", "username")])
    if user.role not in ROSTER_ROLES:
        raise InvalidInput(f"a {user.role.value} cannot work a post",
                           [Problem("volunteers and patrol officers only", "username")])
    if session.scalar(select(PostRoster.id).where(PostRoster.post_id == post.id,
                                                  PostRoster.user_id == user.id)):
        raise Conflict(f"'{username}' is already on this post's roster",
                       [Problem("duplicate", "username")])
    now = clock.now()
    row = PostRoster(post_id=post.id, station_id=post.station_id, user_id=user.id,
                     added_at=now, added_by=scope.username)
    session.add(row)
    session.flush()
    audit.record(session, actor=scope, at=now, action="post.roster.add",
                 entity="service_post", entity_id=post.id, station_id=post.station_id,
                 detail={"username": username})
    return row


def remove_from_roster(session: Session, *, scope: Scope, clock: Clock, post_id: uuid.UUID,
                       user_id: uuid.UUID) -> None:
    scope.require(Permission.POST_MANAGE)
    post = get_post(session, scope=scope, post_id=post_id)
    row = session.scalar(select(PostRoster).where(PostRoster.post_id == post.id,
                                                  PostRoster.user_id == user_id))
    if row is None:
        raise NotFound("this user is not on the post's roster")
    session.delete(row)
    audit.record(session, actor=scope, at=clock.now(), action="post.roster.remove",
                 entity="service_post", entity_id=post.id, station_id=post.station_id,
                 detail={"user_id": str(user_id)})


def _windows(session: Session, post_id: uuid.UUID) -> list[tuple[int, int, int]]:
    return [(h.weekday, h.opens_min, h.closes_min) for h in session.scalars(
        select(PostHours).where(PostHours.post_id == post_id).order_by(
            PostHours.weekday, PostHours.opens_min))]


def is_open(windows: list[tuple[int, int, int]], at: datetime) -> bool:
    local = as_utc(at).astimezone(BANGKOK)
    minute = local.hour * 60 + local.minute
    return any(day == local.weekday() and opens <= minute < closes
               for day, opens, closes in windows)


def list_posts(session: Session, *, scope: Scope, station_id: uuid.UUID | None = None
               ) -> list[ServicePost]:
    """The stations' posts of every kind (police boxes too: they have hours)."""
    scope.require(Permission.OPS_READ)
    if station_id is not None:
        return directory.station_posts(session, station_id=station_id)
    return directory.posts_in(session, station_ids=scope.station_ids)


def post_reads(session: Session, *, clock: Clock, posts: list[ServicePost]) -> list[PostRead]:
    now = clock.now()
    out = []
    for post in posts:
        roster = session.execute(select(User.id, User.username, User.display_name).join(
            PostRoster, PostRoster.user_id == User.id).where(
            PostRoster.post_id == post.id).order_by(User.username)).all()
        windows = _windows(session, post.id)
        taken = session.scalars(select(PostIntake).where(PostIntake.post_id == post.id).order_by(
            PostIntake.at.desc(), PostIntake.id.desc()).limit(TAKEN_SHOWN))
        out.append(PostRead(
            id=post.id, station_code=org.get_unit(session, unit_id=post.station_id).code,
            kind=post.kind, name_th=post.name_th, name_en=post.name_en, lat=post.lat,
            lon=post.lon, hours=[HoursRead(weekday=d, opens=_hhmm(o), closes=_hhmm(c))
                                 for d, o, c in windows],
            hours_th=post.hours_th, hours_en=post.hours_en, open_now=is_open(windows, now),
            roster=[RosterRead(user_id=i, username=u, display_name=n) for i, u, n in roster],
            taken=[PostTaken(kind=i.kind, code=i.code, at=i.at, username=i.username)
                   for i in taken]))
    return out


# -- a volunteer's duty ----------------------------------------------------------------


def _refusal(session: Session, scope: Scope, post: ServicePost, now: datetime
             ) -> tuple[str, str] | None:
    """Why the caller may not take requests at the post now (Thai, English), or None."""
    if session.scalar(select(PostRoster.id).where(PostRoster.post_id == post.id,
                                                  PostRoster.user_id == scope.user_id)) is None:
        return ("คุณไม่ได้อยู่ในรายชื่อผู้ปฏิบัติหน้าที่ของจุดบริการนี้",
                "you are not on this post's roster")
    if not is_open(_windows(session, post.id), now):
        return (f"จุดบริการปิดอยู่ในขณะนี้ (เวลาทำการ: {post.hours_th})",
                f"the post is closed now (hours: {post.hours_en})")
    return None


def on_duty(session: Session, *, scope: Scope, clock: Clock, post_id: uuid.UUID
            ) -> ServicePost:
    """The post, if the caller is on its roster and it is open now; else refused, with why."""
    scope.require(Permission.POST_DUTY)
    post = get_post(session, scope=scope, post_id=post_id)
    refusal = _refusal(session, scope, post, clock.now())
    if refusal is not None:
        th, en = refusal
        problem = [Problem(f"{th} / {en}", "post_id")]
        if "roster" in en:
            raise PermissionDenied(f"{th} / {en}", problem)
        raise Conflict(f"{th} / {en}", problem)
    return post


def my_duty(session: Session, *, scope: Scope, clock: Clock) -> MyDuty:
    """The caller's posts (open or not, and why not) and what they took lately."""
    scope.require(Permission.POST_DUTY)
    now = clock.now()
    posts = []
    for post in session.scalars(select(ServicePost).join(
            PostRoster, PostRoster.post_id == ServicePost.id).where(
            PostRoster.user_id == scope.user_id).order_by(ServicePost.name_th)):
        if not scope.sees_station(post.station_id):
            continue
        windows = _windows(session, post.id)
        refusal = _refusal(session, scope, post, now)
        posts.append(MyPost(
            id=post.id, station_code=org.get_unit(session, unit_id=post.station_id).code,
            name_th=post.name_th, name_en=post.name_en,
            hours=[HoursRead(weekday=d, opens=_hhmm(o), closes=_hhmm(c))
                   for d, o, c in windows], hours_th=post.hours_th, hours_en=post.hours_en,
            open_now=refusal is None, reason_th=refusal[0] if refusal else None,
            reason_en=refusal[1] if refusal else None))
    taken = [IntakeRead(kind=i.kind, code=i.code, at=i.at) for i in session.scalars(
        select(PostIntake).where(PostIntake.user_id == scope.user_id).order_by(
            PostIntake.at.desc()).limit(50))]
    return MyDuty(posts=posts, taken=taken)


def _intake(session: Session, *, scope: Scope, post: ServicePost, kind: IntakeKind,
            code: str, now: datetime) -> None:
    session.add(PostIntake(post_id=post.id, station_id=post.station_id, kind=kind, code=code,
                           user_id=scope.user_id, username=scope.username, at=now))
    audit.record(session, actor=scope, at=now, action=f"post.intake.{kind.value}",
                 entity="service_post", entity_id=post.id, station_id=post.station_id,
                 detail={"code": code})


def take_report(session: Session, *, scope: Scope, clock: Clock, box: SecretBox,
                post_id: uuid.UUID, data: PostReportIn) -> tuple[PostReportCreated, bool]:
    """A citizen's report taken at the post: the citizen report flow, channel ``post``."""
    post = on_duty(session, scope=scope, clock=clock, post_id=post_id)
    location = data.location or LocationIn(lat=post.lat, lon=post.lon)
    report = ReportIn(client_key=data.client_key, category=data.category,
                      description=data.description, location=location,
                      location_source=LocationSource.PIN, contact=data.contact,
                      consent=data.consent)
    item, created = citizen.create_report(session, clock=clock, box=box, data=report,
                                          channel=Channel.POST, station_id=post.station_id)
    if created:
        _intake(session, scope=scope, post=post, kind=IntakeKind.REPORT, code=item.code,
                now=clock.now())
    return PostReportCreated(code=item.code, status=item.state, post_id=post.id,
                             station_code=org.get_unit(session, unit_id=item.station_id).code
                             ), created


def take_consultation(session: Session, *, scope: Scope, clock: Clock, box: SecretBox,
                      post_id: uuid.UUID, data: BookingIn) -> tuple[ConsultRequest, bool]:
    """A consultation request taken at the post: the same booking as the app's."""
    post = on_duty(session, scope=scope, clock=clock, post_id=post_id)
    if data.post_id is not None and data.post_id != post.id:
        raise InvalidInput("a request taken at a post is for that post",
                           [Problem("not this post", "post_id")])
    request, created = consult_booking.book(session, clock=clock, box=box, data=data,
                                            taken_by=scope, post_id=post.id)
    if created:
        _intake(session, scope=scope, post=post, kind=IntakeKind.CONSULT, code=request.code,
                now=clock.now())
    return request, created


def forget_before(session: Session, cutoff: datetime, *, now: datetime | None = None) -> int:
    """Delete the post intake log older than ``cutoff`` (the reports and requests keep their
    own periods); one audit row per station that lost entries."""
    gone = list(session.scalars(select(PostIntake).where(PostIntake.at < cutoff).limit(5000)))
    for station_id in sorted({g.station_id for g in gone}, key=str):
        audit.record(session, actor=None, username="retention", at=now or cutoff,
                     action="post.intake.retention_delete", entity="post_intake",
                     station_id=station_id,
                     detail={"rows": sum(1 for g in gone if g.station_id == station_id)})
    if gone:
        session.execute(delete(PostIntake).where(PostIntake.id.in_([g.id for g in gone])))
    return len(gone)


def _count(result: object) -> int:
    """Rows an UPDATE or DELETE touched (``Result`` types hide ``rowcount`` from mypy)."""
    return int(getattr(result, "rowcount", 0) or 0)
