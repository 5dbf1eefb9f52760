"""Volunteer service posts over HTTP: posts, hours and rosters for the station (admins and
commanders), and the volunteer's duty: their posts, and reports and consultation requests
taken at a post into the same flows as the public app.

Roster, hours, station scope and audit live in ``services.posts``; these routes only
translate HTTP.
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status
from fastapi.responses import JSONResponse

from safetyzone.org import service as org
from safetyzone.services import consult, posts
from safetyzone.services.consult_schemas import BookingIn, ConsultCreated
from safetyzone.services.posts_schemas import (
    HoursSet,
    MyDuty,
    PostCreate,
    PostRead,
    PostReportCreated,
    PostReportIn,
    RosterAdd,
)
from safetyzone.web.deps import ContextDep, ScopeDep
from safetyzone.web.routes.consult import OptionalStation, created

router = APIRouter(prefix="/api/v1", tags=["volunteer posts"])


@router.get("/posts", response_model=list[PostRead])
def list_posts(ctx: ContextDep, scope: ScopeDep, station_code: OptionalStation = None
               ) -> list[PostRead]:
    """Service posts of your stations with hours, open now, and roster."""
    with ctx.db.read() as session:
        station_id = (org.get_station(session, scope=scope, code=station_code).id
                      if station_code else None)
        return posts.post_reads(session, clock=ctx.clock, posts=posts.list_posts(
            session, scope=scope, station_id=station_id))


@router.post("/posts", response_model=PostRead, status_code=status.HTTP_201_CREATED)
def create_post(ctx: ContextDep, scope: ScopeDep, body: PostCreate) -> PostRead:
    """A volunteer service post with its weekly hours (Bangkok time)."""
    with ctx.db.write() as session:
        post = posts.create_post(session, scope=scope, clock=ctx.clock, data=body)
        return posts.post_reads(session, clock=ctx.clock, posts=[post])[0]


@router.put("/posts/{post_id}/hours", response_model=PostRead)
def set_post_hours(ctx: ContextDep, scope: ScopeDep, post_id: uuid.UUID, body: HoursSet
                   ) -> PostRead:
    with ctx.db.write() as session:
        post = posts.set_hours(session, scope=scope, clock=ctx.clock, post_id=post_id,
                               hours=body.hours)
        return posts.post_reads(session, clock=ctx.clock, posts=[post])[0]


@router.post("/posts/{post_id}/roster", response_model=PostRead,
             status_code=status.HTTP_201_CREATED)
def add_post_roster(ctx: ContextDep, scope: ScopeDep, post_id: uuid.UUID, body: RosterAdd
                    ) -> PostRead:
    """Put a volunteer of the post's station on its roster."""
    with ctx.db.write() as session:
        posts.add_to_roster(session, scope=scope, clock=ctx.clock, post_id=post_id,
                            username=body.username)
        post = posts.get_post(session, scope=scope, post_id=post_id)
        return posts.post_reads(session, clock=ctx.clock, posts=[post])[0]


@router.delete("/posts/{post_id}/roster/{user_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_post_roster(ctx: ContextDep, scope: ScopeDep, post_id: uuid.UUID,
                       user_id: uuid.UUID) -> Response:
    with ctx.db.write() as session:
        posts.remove_from_roster(session, scope=scope, clock=ctx.clock, post_id=post_id,
                                 user_id=user_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/posts/mine", response_model=MyDuty)
def read_my_posts(ctx: ContextDep, scope: ScopeDep) -> MyDuty:
    """Your posts: open now or why not, and what you took lately (codes only)."""
    with ctx.db.read() as session:
        return posts.my_duty(session, scope=scope, clock=ctx.clock)


@router.post("/posts/{post_id}/reports", response_model=PostReportCreated,
             status_code=status.HTTP_201_CREATED,
             responses={200: {"model": PostReportCreated,
                              "description": "A retry with the same key: the same report."}})
def create_post_report(ctx: ContextDep, scope: ScopeDep, post_id: uuid.UUID,
                       body: PostReportIn) -> JSONResponse:
    """A citizen's report taken at your post, while it is open (channel ``post``)."""
    with ctx.db.write() as session:
        answer, is_new = posts.take_report(session, scope=scope, clock=ctx.clock,
                                           box=ctx.secrets, post_id=post_id, data=body)
    return JSONResponse(answer.model_dump(mode="json"), status_code=201 if is_new else 200)


@router.post("/posts/{post_id}/consult-requests", response_model=ConsultCreated,
             status_code=status.HTTP_201_CREATED,
             responses={200: {"model": ConsultCreated,
                              "description": "A retry with the same key: the same booking."}})
def create_post_consult_request(ctx: ContextDep, scope: ScopeDep, post_id: uuid.UUID,
                                body: BookingIn) -> JSONResponse:
    """A consultation request taken at your post, booked into a free slot."""
    with ctx.db.write() as session:
        request, is_new = posts.take_consultation(session, scope=scope, clock=ctx.clock,
                                                  box=ctx.secrets, post_id=post_id, data=body)
        slot = consult.get_slot_row(session, request.slot_id)
        return created(request, slot.starts_at, slot.ends_at, is_new)
