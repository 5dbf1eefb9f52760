"""Open311 GeoReport v2 (JSON) for partners' reporting platforms, and the police routes that
issue and revoke their API keys. Errors under /open311/ follow GeoReport (see web.problems).

GeoReport puts the format in the path (``requests.json``); this server speaks JSON only.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Form, Path, Query, Request, status
from fastapi.responses import JSONResponse

from safetyzone.citizen import open311
from safetyzone.citizen.open311 import (
    ClientCreate,
    ClientIssued,
    ClientRead,
    GeoCreated,
    GeoRequest,
    GeoService,
)
from safetyzone.citizen.schemas import CODE_PATTERN
from safetyzone.web.deps import ContextDep, ScopeDep

router = APIRouter(tags=["Open311 GeoReport v2"])
PREFIX = "/open311/v2"
FORMAT = "http://wiki.open311.org/GeoReport_v2"
STATUSES = "^(open|closed)(,(open|closed))?$"
ApiKey = Annotated[str | None, Query(max_length=100, description="The client's API key.")]


def _throttle(request: Request, ctx: ContextDep, route_class: str) -> None:
    ctx.public_guard.check("write" if route_class == "write" else "read",
                           request.client.host if request.client else "unknown")


def _list(values: list[GeoService] | list[GeoRequest] | list[GeoCreated]) -> JSONResponse:
    return JSONResponse([v.model_dump(mode="json") for v in values])


@router.get(f"{PREFIX}/discovery.json")
def read_discovery(request: Request, ctx: ContextDep) -> dict[str, object]:
    """Where this GeoReport endpoint is and what it speaks (Open311 service discovery)."""
    _throttle(request, ctx, "read")
    base = str(request.base_url).rstrip("/") + PREFIX
    return {"changeset": "2026-11-30T00:00:00+07:00", "contact": "the station's CCOC",
            "key_service": "the station's administrator issues API keys",
            "endpoints": [{"specification": FORMAT, "url": base, "changeset":
                           "2026-11-30T00:00:00+07:00", "type": "production",
                           "formats": ["application/json"]}]}


@router.get(f"{PREFIX}/services.json", response_model=list[GeoService])
def list_services(request: Request, ctx: ContextDep,
                  lang: Annotated[str, Query(pattern="^(th|en)$")] = "th") -> JSONResponse:
    """The report categories a platform can send; Thai names unless ``lang=en``."""
    _throttle(request, ctx, "read")
    return _list(open311.services(lang))


FormText = Annotated[str | None, Form(max_length=4000)]


@router.post(f"{PREFIX}/requests.json", response_model=list[GeoCreated],
             status_code=status.HTTP_201_CREATED)
def create_service_request(
    request: Request, ctx: ContextDep,
    api_key: Annotated[str | None, Form(max_length=100)] = None,
    service_code: FormText = None, lat: FormText = None, long: FormText = None,
    description: FormText = None, first_name: FormText = None, last_name: FormText = None,
    phone: FormText = None, email: FormText = None,
) -> JSONResponse:
    """A non-emergency report from a platform, with the form fields GeoReport defines (others,
    such as attribute[] or media_url, are ignored: the server fetches nothing). The place
    must lie in the stations of the key's partner. Posting the same request again answers
    the same service_request_id."""
    _throttle(request, ctx, "write")
    given = {"service_code": service_code, "lat": lat, "long": long,
             "description": description, "first_name": first_name, "last_name": last_name,
             "phone": phone, "email": email}
    data = open311.parse_form([(k, v) for k, v in given.items() if v is not None])
    with ctx.db.write() as session:
        caller = open311.authenticate(session, api_key)
        created = open311.create_request(session, clock=ctx.clock, box=ctx.secrets,
                                         caller=caller, form=data)
    return JSONResponse([created.model_dump(mode="json")], status_code=201)


@router.get(f"{PREFIX}/requests.json", response_model=list[GeoRequest])
def list_service_requests(
    request: Request, ctx: ContextDep, api_key: ApiKey = None,
    service_request_id: Annotated[str | None, Query(max_length=2000)] = None,
    service_code: Annotated[str | None, Query(max_length=64)] = None,
    start_date: datetime | None = None, end_date: datetime | None = None,
    status_: Annotated[str | None, Query(alias="status", pattern=STATUSES)] = None,
) -> JSONResponse:
    """The key's own requests and its stations' public-space reports (last 90 days unless
    dates or ids are given; at most 1,000)."""
    _throttle(request, ctx, "read")
    codes = [c.strip() for c in (service_request_id or "").split(",") if c.strip()][:100]
    with ctx.db.write() as session:  # records the key's last use
        caller = open311.authenticate(session, api_key)
        found = open311.list_requests(
            session, clock=ctx.clock, caller=caller, codes=codes, service_code=service_code,
            start=start_date, end=end_date, status=set((status_ or "").split(",")) - {""})
    return _list(found)


@router.get(f"{PREFIX}/requests/{{code}}.json", response_model=list[GeoRequest])
def read_service_request(
    request: Request, ctx: ContextDep,
    code: Annotated[str, Path(min_length=10, max_length=10, pattern=CODE_PATTERN)],
    api_key: ApiKey = None,
) -> JSONResponse:
    """One request by its service_request_id (the ticket code), if the key may see it."""
    _throttle(request, ctx, "read")
    with ctx.db.read() as session:
        caller = open311.authenticate(session, api_key)
        return _list([open311.get_request(session, caller=caller, code=code)])


@router.get("/api/v1/open311/clients", response_model=list[ClientRead],
            tags=["Open311 GeoReport v2"])
def list_open311_clients(ctx: ContextDep, scope: ScopeDep) -> list[ClientRead]:
    """The platforms holding keys, for partners in your scope (keys are never shown again)."""
    with ctx.db.read() as session:
        return open311.list_clients(session, scope=scope)


@router.post("/api/v1/open311/clients", response_model=ClientIssued,
             status_code=status.HTTP_201_CREATED, tags=["Open311 GeoReport v2"])
def create_open311_client(ctx: ContextDep, scope: ScopeDep, body: ClientCreate) -> ClientIssued:
    """Issue an API key to a partner's platform: shown once, in this answer only."""
    with ctx.db.write() as session:
        return open311.issue_client(session, scope=scope, clock=ctx.clock, data=body)


@router.delete("/api/v1/open311/clients/{client_id}", response_model=ClientRead,
               tags=["Open311 GeoReport v2"])
def revoke_open311_client(ctx: ContextDep, scope: ScopeDep, client_id: uuid.UUID) -> ClientRead:
    """Revoke a key at once; the platform's requests stay with the station."""
    with ctx.db.write() as session:
        return open311.revoke_client(session, scope=scope, clock=ctx.clock,
                                     client_id=client_id)
