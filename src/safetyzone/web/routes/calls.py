"""Incidents entered by hand in the console, the lists its form picks from (call types,
sources, the PDPA notice, Thailand's addresses) and the call behind an incident."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from safetyzone.core import thaiaddress
from safetyzone.core.errors import NotFound
from safetyzone.core.security import Permission
from safetyzone.ops import calls, incidents
from safetyzone.ops.call_schemas import (
    AddressLevel,
    CallCatalog,
    CallCreated,
    CallIn,
    CallRead,
    CallTypeRead,
    Named,
    SubDistrictRead,
)
from safetyzone.ops.calltypes import CALL_TYPES, GROUP_NAMES, SOURCE_NAMES
from safetyzone.web.console.assets import find_node_modules
from safetyzone.web.deps import ContextDep, ScopeDep
from safetyzone.web.idempotency import IdempotencyKey, once
from safetyzone.web.problems import problem_responses

router = APIRouter(prefix="/api/v1", tags=["command center"])
Name = Annotated[str | None, Query(min_length=1, max_length=100)]


def address_book() -> thaiaddress.AddressBook:
    return thaiaddress.load(find_node_modules())


@router.get("/calls/catalog", response_model=CallCatalog)
def read_call_catalog(scope: ScopeDep) -> CallCatalog:
    """What the entry form offers: sources, call types by crime group, the PDPA notice."""
    scope.require(Permission.OPS_READ)
    return CallCatalog(
        sources=[Named(key=s.value, th=th, en=en) for s, (th, en) in SOURCE_NAMES.items()],
        groups=[Named(key=g.value, th=th, en=en) for g, (th, en) in GROUP_NAMES.items()],
        types=[CallTypeRead(key=t.key, group=t.group.value, th=t.th, en=t.en,
                            priority=t.priority) for t in CALL_TYPES],
        notice_th=calls.NOTICE_TH, notice_en=calls.NOTICE_EN,
        notice_version=calls.NOTICE_VERSION)


@router.get("/places/thai-address", response_model=AddressLevel,
            responses=problem_responses(404))
def read_thai_address(scope: ScopeDep, province: Name = None,
                      district: Name = None) -> AddressLevel:
    """Provinces; with ``province``, its districts; with both, the district's sub-districts
    and their postcodes."""
    scope.require(Permission.OPS_READ)
    book = address_book()
    if province is None:
        return AddressLevel(names=[p.name for p in book.provinces])
    found = book.province(province)
    if found is None:
        raise NotFound(f"no province named '{province}'")
    if district is None:
        return AddressLevel(names=[d.name for d in found.districts])
    place = book.district(province, district)
    if place is None:
        raise NotFound(f"no district '{district}' in {province}")
    return AddressLevel(sub_districts=[
        SubDistrictRead(name=s.name, postcodes=list(s.postcodes)) for s in place.sub_districts])


@router.post("/calls", response_model=CallCreated, status_code=201,
             responses=problem_responses(404, 409, 422))
def create_call(ctx: ContextDep, scope: ScopeDep, body: CallIn,
                key: IdempotencyKey = None) -> JSONResponse:
    """Log a call (191 transfer, phone, walk-in, radio, counter) as an incident, acknowledged
    by you; a 191 case number already logged at the station is refused with its incident."""
    book = address_book()

    def work(session: Session) -> tuple[int, dict[str, object]]:
        incident, call = calls.create_call(session, scope=scope, clock=ctx.clock, data=body,
                                           addresses=book)
        session.flush()
        return 201, CallCreated(
            incident=incidents.read_model(session, incident),
            call=calls.call_read(call, with_caller=True)).model_dump(mode="json")
    return once(ctx, scope, key, "calls.create", work)


@router.get("/incidents/{incident_id}/call", response_model=CallRead,
            responses=problem_responses(404))
def read_incident_call(ctx: ContextDep, scope: ScopeDep, incident_id: uuid.UUID) -> CallRead:
    """The call behind an incident entered by hand; the caller's name and phone only for
    those who act on incidents (each such read audited)."""
    with ctx.db.write() as session:
        return calls.get_call(session, scope=scope, clock=ctx.clock, incident_id=incident_id)
