"""A citizen's report of a lamp out or an abandoned plot, sent on to the partner responsible as
a work order (``ops.workorders``), and the report following its order.

The order carries the report's place and the words the police write for the partner; the
citizen's description, name, phone and photos stay with the police. The report is then in
progress; when the police verify the fix, it closes with "repaired" (a lamp) or "resolved"
(a plot), and its citizen hears it like any closing. This module sits in the citizen layer
because it changes citizens' items; the order itself is the command center's.
"""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from safetyzone.audit import service as audit
from safetyzone.citizen import notify, officer, records
from safetyzone.citizen.models import CitizenItem
from safetyzone.citizen.taxonomy import TERMINAL, Disposition, ItemKind, ItemState
from safetyzone.core.clock import Clock
from safetyzone.core.errors import Conflict, InvalidInput, NotFound, Problem
from safetyzone.core.security import Permission, Scope
from safetyzone.ops import workorders
from safetyzone.ops.workorder_models import WorkKind, WorkOrder, WorkStatus
from safetyzone.ops.workorder_schemas import FromSourceIn, PoliceActionIn

# The report categories that are a partner's to fix, and how a verified fix reads.
KINDS = {"street_light": WorkKind.STREET_LIGHT, "abandoned_plot": WorkKind.ABANDONED_PLOT}
CLOSING = {WorkKind.STREET_LIGHT: Disposition.MAINTENANCE_DONE,
           WorkKind.ABANDONED_PLOT: Disposition.RESOLVED}
PLACE = "ตำแหน่งที่ประชาชนแจ้ง"  # the place a citizen reported (never their words)


def to_workorder(session: Session, *, scope: Scope, clock: Clock, item_id: uuid.UUID,
                 data: FromSourceIn) -> tuple[CitizenItem, WorkOrder]:
    """Send a report on to a partner; the report is then in progress."""
    scope.require(Permission.CITIZEN_ACT)
    item = session.get(CitizenItem, item_id)
    if item is None or not scope.sees_station(item.station_id):
        raise NotFound(officer.MISSING)
    if item.kind is not ItemKind.REPORT or item.category not in KINDS:
        raise InvalidInput("only a report of a street light or an abandoned plot goes to a "
                           "partner", [Problem(f"a {item.kind.value} of {item.category}",
                                               "item_id")])
    if records.current_state(session, item) in TERMINAL:
        raise Conflict(f"this item is {item.state.value}")
    if item.lat is None or item.lon is None:
        raise InvalidInput("this report has no place to send a partner to: ask the citizen "
                           "where", [Problem("no location", "item_id")])
    order = workorders.create_for_citizen(
        session, scope=scope, clock=clock, station_id=item.station_id, item_id=item.id,
        kind=KINDS[item.category], place=PLACE, lat=item.lat, lon=item.lon, data=data)
    now = clock.now()
    if item.state is not ItemState.IN_PROGRESS:
        records.set_state(item, ItemState.IN_PROGRESS, now)
    else:
        records.touch(item, now)
    audit.record(session, actor=scope, at=now, action="citizen.workorder",
                 entity="citizen_item", entity_id=item.id, station_id=item.station_id,
                 detail={"code": item.code, "workorder": order.code})
    records.publish(session, item, now, "citizen.updated")
    notify.changed(session, item, "status")
    return item, order


def police_act(session: Session, *, scope: Scope, clock: Clock, order_id: uuid.UUID,
               data: PoliceActionIn) -> WorkOrder:
    """Verify, reopen or cancel an order; a verified fix closes the report it came from."""
    order = workorders.police_act(session, scope=scope, clock=clock, order_id=order_id,
                                  data=data)
    if order.status is WorkStatus.VERIFIED and order.citizen_item_id is not None:
        item = session.get(CitizenItem, order.citizen_item_id)
        if item is not None and records.current_state(session, item) not in TERMINAL:
            officer.close(session, scope=scope, clock=clock, item_id=item.id,
                          disposition=CLOSING.get(order.kind, Disposition.RESOLVED),
                          note=f"work order {order.code} verified")
    return order
