"""Open311 GeoReport v2: a municipality's or a city's reporting platform and the station
exchange non-emergency reports.

Who sees what. A client is a partner's platform holding an API key (issued by police, shown
once, kept as a hash). It sends reports at places inside the stations of its partner's org
unit; it follows the requests it sent (with their descriptions); and it sees the reports of
its stations in the categories a municipality is there to fix (street lights, abandoned
plots, traffic), from every channel, without description, contact or photos: the place, the
category and the status are what a repair crew needs, and the citizen's own words stay with
the police. Emergencies and tips never leave through Open311.

Requests are the citizen domain's reports (``channel = open311``); the GeoReport
``service_request_id`` is the ticket code. A platform that posts the same request twice
(same service, place and text) gets the first ticket back, not a second one.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import ColumnElement, Select, and_, or_, select
from sqlalchemy.orm import Session

from safetyzone.audit import service as audit
from safetyzone.citizen import records, routing, service, taxonomy
from safetyzone.citizen.models import CitizenItem, Open311Client
from safetyzone.citizen.schemas import ConsentIn, ContactIn, LocationIn, Phone, ReportIn
from safetyzone.citizen.taxonomy import ItemKind, ItemState, LocationSource, ReportCategory
from safetyzone.core.clock import Clock
from safetyzone.core.errors import AuthenticationFailed, InvalidInput, NotFound, Problem
from safetyzone.core.secretbox import SecretBox
from safetyzone.core.security import Permission, Scope
from safetyzone.core.text import Inbound
from safetyzone.org import service as org

KEY_PREFIX = "o311_"
BANGKOK = ZoneInfo("Asia/Bangkok")
# What a municipality repairs: it sees these reports of its stations, whoever sent them.
SHARED = frozenset({ReportCategory.STREET_LIGHT, ReportCategory.ABANDONED_PLOT,
                    ReportCategory.TRAFFIC})
GROUPS = {ReportCategory.STREET_LIGHT: "public space", ReportCategory.ABANDONED_PLOT:
          "public space", ReportCategory.TRAFFIC: "traffic"}
DEFAULT_WINDOW = timedelta(days=90)  # GeoReport: without dates, the last 90 days
MAX_RESULTS = 1000  # GeoReport: at most 1,000 requests per answer
CLOSED = {ItemState.CLOSED}


class GeoService(BaseModel):
    service_code: str
    service_name: str
    description: str
    metadata: bool = False
    type: Literal["realtime", "batch", "blackbox"] = "realtime"
    keywords: str = ""
    group: str = ""


class GeoRequest(BaseModel):
    service_request_id: str
    status: Literal["open", "closed"]
    status_notes: str | None = None
    service_name: str
    service_code: str
    description: str | None = None
    agency_responsible: str
    service_notice: str | None = None
    requested_datetime: datetime
    updated_datetime: datetime
    expected_datetime: datetime | None = None
    address: str | None = None
    address_id: str | None = None
    zipcode: str | None = None
    lat: float | None = None
    long: float | None = None
    media_url: str | None = None


class GeoCreated(BaseModel):
    service_request_id: str
    service_notice: str | None = None
    account_id: str | None = None


class RequestForm(Inbound):
    """The fields of a GeoReport POST this server reads (others are accepted and ignored)."""

    service_code: ReportCategory
    lat: float = Field(ge=-90, le=90, allow_inf_nan=False)
    long: float = Field(ge=-180, le=180, allow_inf_nan=False)
    description: str = Field(min_length=1, max_length=4000)
    first_name: str | None = Field(None, max_length=100)
    last_name: str | None = Field(None, max_length=100)
    phone: Phone | None = None
    email: str | None = Field(None, max_length=200)


class ClientIssued(BaseModel):
    id: uuid.UUID
    partner_code: str
    label: str
    api_key: str = Field(description="Shown once: only its hash is kept.")


class ClientRead(BaseModel):
    id: uuid.UUID
    partner_code: str
    label: str
    key_prefix: str
    created_at: datetime
    created_by: str
    revoked_at: datetime | None
    last_used_at: datetime | None


class ClientCreate(Inbound):
    partner_code: str = Field(min_length=1, max_length=64)
    label: str = Field(min_length=1, max_length=200)


@dataclass(frozen=True)
class Caller:
    """An authenticated Open311 client and the stations it serves (None: every station)."""

    client: Open311Client
    station_ids: frozenset[uuid.UUID] | None


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def services(lang: str = "th") -> list[GeoService]:
    """Each report category is one service; Thai names first (``lang=en`` for English)."""
    out = []
    for term in taxonomy.REPORT_CATEGORIES:
        category = ReportCategory(term.key)
        name, other = (term.en, term.th) if lang == "en" else (term.th, term.en)
        out.append(GeoService(service_code=term.key, service_name=name, description=other,
                              keywords=term.key.replace("_", " "),
                              group=GROUPS.get(category, "crime and safety")))
    return out


# --- keys (police side) -------------------------------------------------------------------

def issue_client(session: Session, *, scope: Scope, clock: Clock,
                 data: ClientCreate) -> ClientIssued:
    scope.require(Permission.DEVICE_MANAGE)
    partner = org.get_partner_by_code(session, scope=scope, code=data.partner_code)
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    now = clock.now()
    client = Open311Client(partner_id=partner.id, label=data.label, key_hash=_hash(key),
                           key_prefix=key[:12], created_at=now, created_by=scope.username)
    session.add(client)
    session.flush()
    audit.record(session, actor=scope, at=now, action="open311.client.issue",
                 entity="open311_client", entity_id=client.id, station_id=None,
                 detail={"partner": partner.code, "label": data.label})
    return ClientIssued(id=client.id, partner_code=partner.code, label=client.label,
                        api_key=key)


def _visible_clients(session: Session, scope: Scope) -> Select[Open311Client]:
    scope.require(Permission.DEVICE_MANAGE)
    query = select(Open311Client)
    if not scope.is_national:
        visible = [p.id for p in org.list_partners(session, scope=scope)]
        query = query.where(Open311Client.partner_id.in_(visible))
    return query


def _client_read(client: Open311Client, code: str) -> ClientRead:
    return ClientRead(id=client.id, partner_code=code, label=client.label,
                      key_prefix=client.key_prefix, created_at=client.created_at,
                      created_by=client.created_by, revoked_at=client.revoked_at,
                      last_used_at=client.last_used_at)


def list_clients(session: Session, *, scope: Scope) -> list[ClientRead]:
    clients = list(session.scalars(_visible_clients(session, scope)
                                   .order_by(Open311Client.created_at)))
    codes = org.partner_codes(session, {c.partner_id for c in clients})
    return [_client_read(c, codes[c.partner_id]) for c in clients]


def revoke_client(session: Session, *, scope: Scope, clock: Clock,
                  client_id: uuid.UUID) -> ClientRead:
    client = session.scalar(_visible_clients(session, scope).where(
        Open311Client.id == client_id))
    if client is None:
        raise NotFound("no Open311 client with this id in your scope")
    code = org.partner_by_id(session, client.partner_id).code
    now = clock.now()
    if client.revoked_at is None:
        client.revoked_at = now
        audit.record(session, actor=scope, at=now, action="open311.client.revoke",
                     entity="open311_client", entity_id=client.id,
                     detail={"partner": code, "label": client.label})
    return _client_read(client, code)


# --- the GeoReport side ---------------------------------------------------------------------

def authenticate(session: Session, api_key: str | None) -> Caller:
    """The client holding ``api_key``; a missing, unknown or revoked key is refused alike."""
    if not api_key or not api_key.startswith(KEY_PREFIX) or len(api_key) > 100:
        raise AuthenticationFailed("a valid api_key is required")
    client = session.scalar(select(Open311Client).where(Open311Client.key_hash == _hash(api_key)))
    if client is None or client.revoked_at is not None:
        raise AuthenticationFailed("a valid api_key is required")
    partner = org.partner_by_id(session, client.partner_id)
    return Caller(client, org.station_ids_under(session, [partner.org_unit_id]))


def parse_form(fields: Sequence[tuple[str, str]]) -> RequestForm:
    """The POST body as GeoReport sends it (form fields); clear problems for each field."""
    data: dict[str, str] = {}
    for name, value in fields:
        if name in RequestForm.model_fields:
            data.setdefault(name, value)
    try:
        return RequestForm.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput("the request is not a valid GeoReport service request", [
            Problem(str(e["msg"]), ".".join(str(p) for p in e["loc"]) or None)
            for e in exc.errors()]) from None


def create_request(session: Session, *, clock: Clock, box: SecretBox, caller: Caller,
                   form: RequestForm) -> GeoCreated:
    """A report from the platform, routed by its place; the same request again is the same
    ticket (GeoReport has no idempotency key, so the request itself is the key)."""
    placement = routing.place(session, lat=form.lat, lon=form.long)
    if caller.station_ids is not None and placement.station_id not in caller.station_ids:
        raise InvalidInput("this place is outside the stations your key serves", [
            Problem("outside the key's stations", "lat")])
    digest = hashlib.sha256("|".join((
        str(caller.client.id), form.service_code.value, f"{form.lat:.6f}", f"{form.long:.6f}",
        form.description)).encode()).hexdigest()
    name = " ".join(n for n in (form.first_name, form.last_name) if n) or None
    contact = ContactIn(name=name, phone=form.phone) if name or form.phone else None
    report = ReportIn(
        client_key=f"open311-{digest[:48]}", category=form.service_code,
        description=form.description,
        location=LocationIn(lat=form.lat, lon=form.long, accuracy_m=None),
        location_source=LocationSource.PIN, contact=contact,
        consent=ConsentIn(purposes=["report"], version=taxonomy.CONSENT_VERSION))
    item, created = service.create_report(session, clock=clock, box=box, data=report,
                                          channel=taxonomy.Channel.OPEN311)
    if created:
        item.open311_client_id = caller.client.id
    caller.client.last_used_at = clock.now()
    return GeoCreated(service_request_id=item.code)


def _visible(caller: Caller) -> ColumnElement[bool]:
    mine = CitizenItem.open311_client_id == caller.client.id
    shared = and_(CitizenItem.kind == ItemKind.REPORT,
                  CitizenItem.category.in_([c.value for c in SHARED]))
    if caller.station_ids is not None:
        shared = and_(shared, CitizenItem.station_id.in_(caller.station_ids))
    return or_(mine, shared)


def list_requests(session: Session, *, clock: Clock, caller: Caller, codes: list[str],
                  service_code: str | None, start: datetime | None, end: datetime | None,
                  status: set[str]) -> list[GeoRequest]:
    # GeoReport dates are ISO 8601 with an offset; platforms also send plain dates and
    # times, read here as Bangkok time (where the station is).
    start, end = (None if d is None else d if d.tzinfo else d.replace(tzinfo=BANGKOK)
                  for d in (start, end))
    query = select(CitizenItem).where(_visible(caller))
    if codes:
        query = query.where(CitizenItem.code.in_([records.normalize_code(c) for c in codes]))
    else:
        end = end or clock.now()
        start = start or end - DEFAULT_WINDOW
        query = query.where(CitizenItem.created_at >= start, CitizenItem.created_at <= end)
    if service_code:
        query = query.where(CitizenItem.category == service_code)
    rows = session.scalars(query.order_by(CitizenItem.created_at.desc())
                           .limit(MAX_RESULTS * 2))
    out = [_read(session, caller, item) for item in rows]
    if status:
        out = [r for r in out if r.status in status]
    return out[:MAX_RESULTS]


def get_request(session: Session, *, caller: Caller, code: str) -> GeoRequest:
    item = session.scalar(select(CitizenItem).where(
        CitizenItem.code == records.normalize_code(code), _visible(caller)))
    if item is None:
        raise NotFound("no service request with this id for your key")
    return _read(session, caller, item)


def _read(session: Session, caller: Caller, item: CitizenItem) -> GeoRequest:
    """One request as GeoReport shows it; descriptions only of the client's own requests."""
    shown = item
    if item.merged_into_id is not None:  # a joined or merged report follows its target
        shown = records.item_by_id(session, item.merged_into_id) or item
    state = records.current_state(session, shown)
    category = taxonomy.term("category", item.category)
    notes = taxonomy.term("status", state.value).th
    if shown.disposition:
        notes = taxonomy.term("disposition", shown.disposition).th
    if shown is not item:
        notes = f"{notes} (รวมกับเรื่อง {shown.code})"
    station = org.get_unit(session, unit_id=item.station_id).name_th
    own = item.open311_client_id == caller.client.id
    return GeoRequest(
        service_request_id=item.code, status="closed" if state in CLOSED else "open",
        status_notes=notes, service_name=category.th, service_code=item.category,
        description=item.description if own else None, agency_responsible=station,
        requested_datetime=item.created_at.astimezone(BANGKOK),
        updated_datetime=max(item.updated_at, shown.updated_at).astimezone(BANGKOK),
        lat=item.lat, long=item.lon)
