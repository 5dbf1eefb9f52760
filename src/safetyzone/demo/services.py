"""Station services in the demo: each zone's duty officer gives legal consultations (slots
on weekdays for the next two weeks), and the volunteer post of seed 002 (Phitsanulok) gets
hours and its volunteer on the roster. All of it is demo data; the seeds give no hours."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from safetyzone.citizen import directory
from safetyzone.citizen.models import PostKind
from safetyzone.core.clock import BANGKOK, Clock
from safetyzone.core.errors import Conflict
from safetyzone.core.security import Scope
from safetyzone.org import service as org
from safetyzone.services import consult, posts
from safetyzone.services.consult_models import Consultant, ConsultChannel
from safetyzone.services.consult_schemas import ConsultantCreate, SlotCreate
from safetyzone.services.posts_models import PostHours, PostRoster
from safetyzone.services.posts_schemas import HoursIn

# Station code -> (its consultant, its volunteer or None): users of DEMO_USERS.
PEOPLE = {"MPB-PHASI-CHAROEN": ("pcr.operator", None),
          "PPR2-MUEANG-RAYONG": ("ryg.operator", None),
          "PPR6-MUEANG-PHITSANULOK": ("plk.operator", "plk.volunteer")}
SLOT_TIMES = (time(10, 0), time(10, 30), time(13, 30), time(14, 0))
DAYS_AHEAD = 14
# A volunteer post's hours (Bangkok): evenings on weekdays, the day at weekends.
POST_HOURS = [HoursIn(weekday=d, opens="16:00", closes="21:00") for d in range(5)] + [
    HoursIn(weekday=d, opens="09:00", closes="17:00") for d in (5, 6)]


def ensure_services(session: Session, scope: Scope, clock: Clock, zone: dict[str, Any]) -> None:
    people = PEOPLE.get(zone["station"])
    if people is None:
        return
    adviser, volunteer = people
    station = org.get_station(session, scope=scope, code=zone["station"])
    found = session.scalar(select(Consultant).where(Consultant.station_id == station.id,
                                                    Consultant.active.is_(True)).limit(1))
    if found is None:
        found = consult.add_consultant(session, scope=scope, clock=clock, data=ConsultantCreate(
            station_code=station.code, username=adviser))
    volunteer_posts = directory.station_posts(session, station_id=station.id,
                                              kind=PostKind.VOLUNTEER_POST)
    channels = [ConsultChannel.STATION, ConsultChannel.PHONE, ConsultChannel.VIDEO]
    if volunteer_posts:
        channels.append(ConsultChannel.POST)
    today = clock.now().astimezone(BANGKOK).date()
    for offset in range(1, DAYS_AHEAD + 1):
        day = today + timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        for at in SLOT_TIMES:
            starts = datetime.combine(day, at, tzinfo=BANGKOK)
            try:  # an overlap is refused before anything is written
                consult.create_slot(session, scope=scope, clock=clock, data=SlotCreate(
                    consultant_id=found.id, starts_at=starts,
                    ends_at=starts + timedelta(minutes=30), channels=channels,
                    video_url=f"https://meet.example.org/ssz-{station.code.lower()}"))
            except Conflict:
                continue  # already offered by an earlier run
    for post in volunteer_posts:
        if not session.scalar(select(PostHours.post_id).where(PostHours.post_id == post.id)):
            posts.set_hours(session, scope=scope, clock=clock, post_id=post.id,
                            hours=POST_HOURS)
        if volunteer and not session.scalar(select(PostRoster.id).where(
                PostRoster.post_id == post.id)):
            posts.add_to_roster(session, scope=scope, clock=clock, post_id=post.id,
                                username=volunteer)
