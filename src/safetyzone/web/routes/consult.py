"""Legal consultation over HTTP: the station's side (consultants, slots, requests, notes)
under ``/api/v1/consult`` and the citizen's side under ``/api/v1/public/consult``.

Permissions, station scope, double-booking protection and audit live in
``services.consult``, ``services.consult_booking`` and ``services.consult_notes``; these
routes only translate HTTP. Public routes are throttled like the citizen tickets' and a
request is read or cancelled only with the key its phone generated (``X-Caller-Key``).
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Query, status
from fastapi.responses import JSONResponse
from pydantic import AwareDatetime

from safetyzone.org import service as org
from safetyzone.services import consult, consult_booking, consult_notes
from safetyzone.services.consult_models import ConsultRequest, RequestState
from safetyzone.services.consult_schemas import (
    CONSULT_CODE_PATTERN,
    BookingIn,
    CloseIn,
    ConsultantCreate,
    ConsultantRead,
    ConsultCreated,
    ConsultRequestRead,
    NoteIn,
    NoteRead,
    PublicConsult,
    PublicSlots,
    SlotCreate,
    SlotRead,
    StationCancelIn,
)
from safetyzone.web.deps import ContextDep, ScopeDep
from safetyzone.web.routes.citizen_public import READ, WRITE, CallerKey

router = APIRouter(prefix="/api/v1", tags=["legal consultation"])
StationCode = Annotated[str, Query(min_length=1, max_length=64, description="Station code.")]
OptionalStation = Annotated[str | None, Query(min_length=1, max_length=64,
                                              description="Station code.")]
Code = Annotated[str, Path(min_length=10, max_length=10, pattern=CONSULT_CODE_PATTERN,
                           description="Consultation code, e.g. C-7K3M9QXP.")]


def created(request: ConsultRequest, starts_at: AwareDatetime, ends_at: AwareDatetime,
            is_new: bool) -> JSONResponse:
    """201 for a new booking, 200 for a retry with the same key (the same booking)."""
    body = ConsultCreated(code=request.code, state=request.state, starts_at=starts_at,
                          ends_at=ends_at, channel=request.channel)
    return JSONResponse(body.model_dump(mode="json"), status_code=201 if is_new else 200)


# --- the station's side -----------------------------------------------------------------


@router.get("/consult/consultants", response_model=list[ConsultantRead])
def list_consultants(ctx: ContextDep, scope: ScopeDep,
                     station_code: OptionalStation = None) -> list[ConsultantRead]:
    """Consultants of your stations (of one, with ``station_code``)."""
    with ctx.db.read() as session:
        station_id = (org.get_station(session, scope=scope, code=station_code).id
                      if station_code else None)
        return consult.consultant_reads(session, consult.list_consultants(
            session, scope=scope, station_id=station_id))


@router.post("/consult/consultants", response_model=ConsultantRead,
             status_code=status.HTTP_201_CREATED)
def create_consultant(ctx: ContextDep, scope: ScopeDep, body: ConsultantCreate
                      ) -> ConsultantRead:
    """Flag a police user of the station as a legal consultant."""
    with ctx.db.write() as session:
        found = consult.add_consultant(session, scope=scope, clock=ctx.clock, data=body)
        return consult.consultant_reads(session, [found])[0]


@router.delete("/consult/consultants/{consultant_id}", response_model=ConsultantRead)
def delete_consultant(ctx: ContextDep, scope: ScopeDep, consultant_id: uuid.UUID
                      ) -> ConsultantRead:
    """Stop a consultant: their open slots close (booked ones stay until cancelled)."""
    with ctx.db.write() as session:
        found = consult.remove_consultant(session, scope=scope, clock=ctx.clock,
                                          consultant_id=consultant_id)
        return consult.consultant_reads(session, [found])[0]


@router.get("/consult/slots", response_model=list[SlotRead])
def list_consult_slots(ctx: ContextDep, scope: ScopeDep, station_code: OptionalStation = None,
                       since: AwareDatetime | None = None,
                       until: AwareDatetime | None = None) -> list[SlotRead]:
    """Slots of your stations, open, booked and cancelled (no citizen's data)."""
    with ctx.db.read() as session:
        station_id = (org.get_station(session, scope=scope, code=station_code).id
                      if station_code else None)
        return consult.slot_reads(session, consult.list_slots(
            session, scope=scope, station_id=station_id, since=since, until=until))


@router.post("/consult/slots", response_model=SlotRead, status_code=status.HTTP_201_CREATED)
def create_consult_slot(ctx: ContextDep, scope: ScopeDep, body: SlotCreate) -> SlotRead:
    """Offer a consultant's time; it may not overlap another slot of the same person."""
    with ctx.db.write() as session:
        slot = consult.create_slot(session, scope=scope, clock=ctx.clock, data=body)
        return consult.slot_reads(session, [slot])[0]


@router.post("/consult/slots/{slot_id}/cancel", response_model=SlotRead)
def cancel_consult_slot(ctx: ContextDep, scope: ScopeDep, slot_id: uuid.UUID,
                        body: StationCancelIn) -> SlotRead:
    """Withdraw a slot; a booking in it is cancelled and its citizen told why."""
    with ctx.db.write() as session:
        slot = consult_booking.cancel_slot(session, scope=scope, clock=ctx.clock,
                                           slot_id=slot_id, reason=body.reason)
        return consult.slot_reads(session, [slot])[0]


@router.get("/consult/requests", response_model=list[ConsultRequestRead])
def list_consult_requests(ctx: ContextDep, scope: ScopeDep,
                          station_code: OptionalStation = None,
                          state: RequestState | None = None) -> list[ConsultRequestRead]:
    """Consultation requests of your stations, newest first, with name and phone."""
    with ctx.db.read() as session:
        station_id = (org.get_station(session, scope=scope, code=station_code).id
                      if station_code else None)
        return [consult_booking.request_read(session, box=ctx.secrets, request=r)
                for r in consult_booking.list_requests(session, scope=scope,
                                                       station_id=station_id, state=state)]


@router.get("/consult/requests/{request_id}", response_model=ConsultRequestRead)
def read_consult_request(ctx: ContextDep, scope: ScopeDep, request_id: uuid.UUID
                         ) -> ConsultRequestRead:
    with ctx.db.read() as session:
        return consult_booking.request_read(session, box=ctx.secrets, request=(
            consult_booking.get_request(session, scope=scope, request_id=request_id)))


@router.post("/consult/requests/{request_id}/cancel", response_model=ConsultRequestRead)
def cancel_consult_request(ctx: ContextDep, scope: ScopeDep, request_id: uuid.UUID,
                           body: StationCancelIn) -> ConsultRequestRead:
    """Cancel a booking for the station, telling the citizen why; the slot reopens."""
    with ctx.db.write() as session:
        request = consult_booking.cancel_by_station(session, scope=scope, clock=ctx.clock,
                                                    request_id=request_id, reason=body.reason)
        return consult_booking.request_read(session, box=ctx.secrets, request=request)


@router.post("/consult/requests/{request_id}/close", response_model=ConsultRequestRead)
def close_consult_request(ctx: ContextDep, scope: ScopeDep, request_id: uuid.UUID,
                          body: CloseIn) -> ConsultRequestRead:
    """After the slot started: held, or the citizen did not come."""
    with ctx.db.write() as session:
        request = consult_booking.close_request(session, scope=scope, clock=ctx.clock,
                                                request_id=request_id,
                                                outcome=RequestState(body.outcome))
        return consult_booking.request_read(session, box=ctx.secrets, request=request)


@router.get("/consult/requests/{request_id}/notes", response_model=list[NoteRead])
def list_consult_notes(ctx: ContextDep, scope: ScopeDep, request_id: uuid.UUID
                       ) -> list[NoteRead]:
    """The consultants' notes: consultants of the station only; every read is audited."""
    with ctx.db.write() as session:  # the read writes its audit row
        return consult_notes.read_notes(session, scope=scope, clock=ctx.clock, box=ctx.secrets,
                                        request_id=request_id)


@router.post("/consult/requests/{request_id}/notes", response_model=NoteRead,
             status_code=status.HTTP_201_CREATED)
def create_consult_note(ctx: ContextDep, scope: ScopeDep, request_id: uuid.UUID,
                        body: NoteIn) -> NoteRead:
    with ctx.db.write() as session:
        return consult_notes.add_note(session, scope=scope, clock=ctx.clock, box=ctx.secrets,
                                      request_id=request_id, text=body.text)


# --- the citizen's side -----------------------------------------------------------------


@router.get("/public/consult/slots", response_model=PublicSlots, dependencies=READ)
def list_public_consult_slots(ctx: ContextDep, station_code: StationCode) -> PublicSlots:
    """The station's free consultation slots, topics, channels, posts and consent text."""
    with ctx.db.read() as session:
        return consult_booking.public_slots(session, clock=ctx.clock, station_code=station_code)


@router.post("/public/consult/requests", response_model=ConsultCreated,
             status_code=status.HTTP_201_CREATED, dependencies=WRITE,
             responses={200: {"model": ConsultCreated,
                              "description": "A retry with the same key: the same booking."}})
def create_public_consult_request(ctx: ContextDep, body: BookingIn) -> JSONResponse:
    """Book a free slot for a legal consultation (409 if someone was faster)."""
    with ctx.db.write() as session:
        request, is_new = consult_booking.book(session, clock=ctx.clock, box=ctx.secrets,
                                               data=body)
        slot = consult.get_slot_row(session, request.slot_id)
        return created(request, slot.starts_at, slot.ends_at, is_new)


@router.get("/public/consult/requests/{code}", response_model=PublicConsult,
            dependencies=READ)
def read_public_consult_request(ctx: ContextDep, code: Code, caller_key: CallerKey
                                ) -> PublicConsult:
    """Your consultation: time, channel, what you were told; only with your key."""
    with ctx.db.read() as session:
        return consult_booking.public_view(session, code=code, caller_key=caller_key)


@router.post("/public/consult/requests/{code}/cancel", response_model=PublicConsult,
             dependencies=WRITE)
def cancel_public_consult_request(ctx: ContextDep, code: Code, caller_key: CallerKey
                                  ) -> PublicConsult:
    """Cancel your consultation before it starts; the time is offered to others again."""
    with ctx.db.write() as session:
        consult_booking.cancel_by_citizen(session, clock=ctx.clock, code=code,
                                          caller_key=caller_key)
        return consult_booking.public_view(session, code=code, caller_key=caller_key)
