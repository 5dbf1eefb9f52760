"""What a citizen sees of their ticket, and keeping emergencies in step with their incidents.

An emergency's status is its incident's, read live: received, acknowledged, unit dispatched
(with its callsign, distance and ETA), on scene, closed. ``sync_emergencies`` (run by the
server's sweeper) copies changed incident states onto the items, so the console's filters,
the feed and the LINE pushes follow too.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from safetyzone.citizen import notify, records
from safetyzone.citizen.models import CitizenItem
from safetyzone.citizen.routing import station_card
from safetyzone.citizen.schemas import (
    PublicMessage,
    PublicStation,
    PublicTicket,
    PublicTip,
    Step,
    TermRead,
    UnitInfo,
)
from safetyzone.citizen.taxonomy import TERMINAL, ItemKind, ItemState, term
from safetyzone.core.clock import Clock
from safetyzone.core.db import Database
from safetyzone.ops import emergencies
from safetyzone.ops.emergencies import IncidentView

SHOWS_UNIT = {ItemState.DISPATCHED, ItemState.ON_SCENE, ItemState.IN_PROGRESS}


def _incident_steps(view: IncidentView) -> list[Step]:
    stamps = [(ItemState.NEW, view.opened_at), (ItemState.ACKNOWLEDGED, view.acknowledged_at),
              (ItemState.DISPATCHED, view.dispatched_at), (ItemState.ON_SCENE, view.arrived_at),
              (ItemState.CLOSED, view.cleared_at or view.closed_at)]
    return [Step(status=state, at=at) for state, at in stamps if at is not None]


def _history_steps(item: CitizenItem) -> list[Step]:
    return [Step(status=ItemState(h["status"]), at=datetime.fromisoformat(h["at"]))
            for h in item.history or []]


def public_ticket(session: Session, *, clock: Clock, code: str,
                  caller_key: str | None = None) -> PublicTicket | PublicTip:
    """The ticket page by code: no personal data, no location.

    Messages are shown only to the ticket's owner (``caller_key``): an officer's answer is
    meant for the person who asked. A joined report shows the status of the one it joined.
    """
    item = records.by_code(session, code)
    if item.kind is ItemKind.TIP:
        return PublicTip(code=item.code, kind=ItemKind.TIP, status=item.state)
    owner = bool(caller_key) and records.same_digest(item.client_key_hash, caller_key or "")
    shown = item
    if item.state is ItemState.MERGED and item.merged_into_id is not None:
        shown = session.get(CitizenItem, item.merged_into_id) or item
    status = records.current_state(session, shown)
    view = (emergencies.view(session, incident_id=shown.incident_id)
            if shown.incident_id is not None else None)
    steps = (_incident_steps(view) if view is not None and shown.kind is ItemKind.EMERGENCY
             else _history_steps(shown))
    unit = None
    if view is not None and view.unit is not None and status in SHOWS_UNIT and view.open:
        unit = UnitInfo(callsign=view.unit.callsign, eta_min=view.unit.eta_min,
                        distance_m=view.unit.distance_m)
    disposition_key = shown.disposition or (view.disposition if view is not None
                                            and shown.kind is ItemKind.EMERGENCY else None)
    disposition = None
    if disposition_key and status is ItemState.CLOSED:
        found = term("disposition", disposition_key)
        disposition = TermRead(key=found.key, th=found.th, en=found.en)
    name_th, name_en, phone = station_card(session, station_id=shown.station_id)
    label = term("status", status.value)
    messages = ([PublicMessage(at=m.at, text=m.text, ask_info=m.ask_info, direction=m.direction)
                 for m in records.messages(session, item)] if owner else [])
    return PublicTicket(
        code=item.code, kind=item.kind, category=item.category, status=status,
        status_th=label.th, status_en=label.en, created_at=item.created_at,
        updated_at=max(item.updated_at, shown.updated_at),
        station=PublicStation(name_th=name_th, name_en=name_en, phone=phone), steps=steps,
        unit=unit, disposition=disposition, messages=messages,
        merged_into=shown.code if shown is not item else None,
        joined=records.joined_count(session, shown))


def _behind(session: Session) -> list[tuple[CitizenItem, IncidentView]]:
    """Open emergencies whose incident moved on since they were last synced."""
    out = []
    for item in session.scalars(select(CitizenItem).where(
            CitizenItem.kind == ItemKind.EMERGENCY, CitizenItem.incident_id.is_not(None),
            CitizenItem.state.not_in(list(TERMINAL)))):
        assert item.incident_id is not None
        view = emergencies.view(session, incident_id=item.incident_id)
        if records.mirror(view.state.value) is not item.state:
            out.append((item, view))
    return out


def sync_emergencies(session: Session, *, clock: Clock) -> int:
    """Copy each open emergency's incident state onto it; how many changed."""
    now = clock.now()
    changed = 0
    for item, view in _behind(session):
        state = records.mirror(view.state.value)
        records.set_state(item, state, now)
        if state is ItemState.CLOSED:
            item.disposition = view.disposition
        records.publish(session, item, now, "citizen.updated")
        notify.changed(session, item, "closed" if state is ItemState.CLOSED else "status")
        changed += 1
    return changed


def sync_all(db: Database, clock: Clock) -> int:
    """The sweeper's entry point: a read, and a short write only when something moved."""
    with db.read() as session:
        if not _behind(session):
            return 0
    with db.write() as session:
        return sync_emergencies(session, clock=clock)
