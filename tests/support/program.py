"""Rows the program view and the scorecard count, put straight into the tables: incidents,
duty shifts and station populations with known values, for arithmetic on known inputs."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select

from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from safetyzone.core.security import Scope, system_scope
from safetyzone.measure import facts
from safetyzone.measure.models import FactStatus
from safetyzone.measure.schemas import FactIn
from safetyzone.ops.models import Incident, IncidentState
from safetyzone.ops.shiftlog_models import DutyShift
from safetyzone.org import auth
from safetyzone.org.models import OrgUnit, User

ADMIN = system_scope("program-test")


def scope_of(db: Database, username: str) -> Scope:
    with db.read() as session:
        user = session.scalars(select(User).where(User.username == username)).one()
        return auth.scope_for(session, user)


def station_id(db: Database, code: str) -> uuid.UUID:
    with db.read() as session:
        return session.scalars(select(OrgUnit.id).where(OrgUnit.code == code)).one()


def add_incident(db: Database, code: str, opened_at: datetime,
                 state: IncidentState = IncidentState.CLOSED) -> None:
    with db.write() as session:
        session.add(Incident(
            station_id=station_id(db, code), kind="sos", priority=1, title_th="เหตุ",
            title_en="event", state=state, device_time=opened_at, opened_at=opened_at,
            last_event_at=opened_at, updated_at=opened_at))


def add_duty(db: Database, code: str, started: datetime, ended: datetime | None) -> None:
    with db.write() as session:
        session.add(DutyShift(station_id=station_id(db, code), user_id=uuid.uuid4(),
                              username="x.operator", display_name="x", role="operator",
                              started_at=started, ended_at=ended))


def population(db: Database, clock: ManualClock, code: str, value: float,
               status: FactStatus) -> None:
    with db.write() as session:
        facts.set_fact(session, scope=ADMIN, clock=clock, station_code=code,
                       key="population", data=FactIn(value=value, status=status,
                                                     source="census"))
