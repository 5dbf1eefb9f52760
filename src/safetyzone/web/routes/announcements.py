"""Announcements to the zone over HTTP: groups of loudspeakers and LED signs, announcements
now (with each device's answer) and on a schedule. Rules live in ``ops.announcements``."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from safetyzone.ops import announcements as ann
from safetyzone.org import service as org
from safetyzone.web.deps import ContextDep, ScopeDep
from safetyzone.web.problems import problem_responses

router = APIRouter(prefix="/api/v1", tags=["announcements"])
REFUSALS = problem_responses(404, 409, 422)
Station = Annotated[str, Query(min_length=1, max_length=64)]


@router.get("/announce-groups", response_model=list[ann.GroupRead])
def list_announce_groups(ctx: ContextDep, scope: ScopeDep, station_code: Station
                         ) -> list[ann.GroupRead]:
    """The station's groups of loudspeakers and LED signs."""
    with ctx.db.read() as session:
        station = org.get_station(session, scope=scope, code=station_code)
        return [ann.group_read(session, g)
                for g in ann.list_groups(session, scope=scope, station_id=station.id)]


@router.post("/announce-groups", response_model=ann.GroupRead,
             status_code=status.HTTP_201_CREATED, responses=REFUSALS)
def create_announce_group(ctx: ContextDep, scope: ScopeDep, body: ann.GroupIn) -> ann.GroupRead:
    """Name a group of the station's loudspeakers and LED signs (commanders, admins)."""
    with ctx.db.write() as session:
        group = ann.create_group(session, scope=scope, clock=ctx.clock, data=body)
        return ann.group_read(session, group)


@router.get("/announcements", response_model=list[ann.AnnouncementRead])
def list_station_announcements(ctx: ContextDep, scope: ScopeDep, station_code: Station
                               ) -> list[ann.AnnouncementRead]:
    """The station's latest announcements, each with how many devices played it, failed
    (and why) or have not answered yet."""
    with ctx.db.read() as session:
        station = org.get_station(session, scope=scope, code=station_code)
        return [ann.announcement_read(session, a) for a in ann.list_announcements(
            session, scope=scope, station_id=station.id)]


@router.post("/announcements", response_model=ann.AnnouncementRead,
             status_code=status.HTTP_201_CREATED, responses=REFUSALS)
def create_announcement(ctx: ContextDep, scope: ScopeDep, body: ann.AnnouncementIn
                        ) -> ann.AnnouncementRead:
    """Announce now to every device of a group: speakers play or read it, signs show it."""
    with ctx.db.write() as session:
        row = ann.announce(session, scope=scope, clock=ctx.clock, data=body)
        return ann.announcement_read(session, row)


@router.get("/announce-schedules", response_model=list[ann.ScheduleRead])
def list_announce_schedules(ctx: ContextDep, scope: ScopeDep, station_code: Station
                            ) -> list[ann.ScheduleRead]:
    with ctx.db.read() as session:
        station = org.get_station(session, scope=scope, code=station_code)
        return [ann.ScheduleRead.model_validate(s)
                for s in ann.list_schedules(session, scope=scope, station_id=station.id)]


@router.post("/announce-schedules", response_model=ann.ScheduleRead,
             status_code=status.HTTP_201_CREATED, responses=REFUSALS)
def create_announce_schedule(ctx: ContextDep, scope: ScopeDep, body: ann.ScheduleIn
                             ) -> ann.ScheduleRead:
    """Public information on a timer (commanders, admins): every N minutes in a window."""
    with ctx.db.write() as session:
        return ann.ScheduleRead.model_validate(
            ann.create_schedule(session, scope=scope, clock=ctx.clock, data=body))


@router.post("/announce-schedules/{schedule_id}/stop", response_model=ann.ScheduleRead,
             responses=problem_responses(404))
def stop_announce_schedule(ctx: ContextDep, scope: ScopeDep, schedule_id: uuid.UUID
                           ) -> ann.ScheduleRead:
    with ctx.db.write() as session:
        return ann.ScheduleRead.model_validate(
            ann.stop_schedule(session, scope=scope, clock=ctx.clock, schedule_id=schedule_id))
