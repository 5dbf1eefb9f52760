"""Visible presence: how long patrol units were seen in each H3 cell, per station and day.

The time between two consecutive trusted fixes of a unit counts for the cell of the earlier
fix, when it is at most ``PRESENCE_GAP`` (two minutes): a longer gap says nothing about where
the unit was, so it counts nothing. The day is the Bangkok calendar day of the earlier fix
(an interval that crosses midnight, at most two minutes, counts for the day it began). Each
engine batch adds its seconds to the rows with one upsert; a page reads one station's day.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import h3  # type: ignore[import-untyped]
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from safetyzone.core.clock import BANGKOK
from safetyzone.core.security import Permission, Scope
from safetyzone.org import service as org
from safetyzone.patrol.track_models import PRESENCE_TABLE, Presence
from safetyzone.patrol.track_schemas import PresenceCell, PresenceDay

PRESENCE_GAP = timedelta(seconds=120)


def cell_of(lat: float, lon: float, res: int) -> str:
    cell: str = h3.latlng_to_cell(lat, lon, res)
    return cell


def bangkok_day(at: datetime) -> date:
    return at.astimezone(BANGKOK).date()


@dataclass
class Tally:
    """Seconds per (station, Bangkok day, cell) gathered over one batch, then upserted."""

    res: int
    seconds: dict[tuple[uuid.UUID, date, str], float] = field(
        default_factory=lambda: defaultdict(float))

    def add(self, *, station_id: uuid.UUID, since: datetime, until: datetime, lat: float,
            lon: float) -> None:
        """The unit stood at (lat, lon) from ``since`` to ``until`` (its next trusted fix)."""
        gap = until - since
        if timedelta(0) < gap <= PRESENCE_GAP:
            key = (station_id, bangkok_day(since), cell_of(lat, lon, self.res))
            self.seconds[key] += gap.total_seconds()

    def upsert(self, session: Session) -> int:
        """Add the batch's seconds to the stored rows, one statement; how many rows."""
        if not self.seconds:
            return 0
        rows = [{"station_id": station, "day": day, "cell": cell, "res": self.res,
                 "seconds": seconds} for (station, day, cell), seconds in self.seconds.items()]
        dialect = session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        table = PRESENCE_TABLE
        statement = insert(table)
        session.execute(statement.on_conflict_do_update(
            index_elements=[table.c.station_id, table.c.day, table.c.cell],
            set_={"seconds": table.c.seconds + statement.excluded.seconds}), rows)
        return len(rows)


def boundary(cell: str) -> list[list[float]]:
    """The cell's corners as [lat, lon] pairs (what Leaflet draws)."""
    return [[round(lat, 7), round(lon, 7)] for lat, lon in h3.cell_to_boundary(cell)]


def station_day(session: Session, *, scope: Scope, station_code: str, day: date,
                res: int) -> PresenceDay:
    """One station's presence on one Bangkok day: minutes per cell, most first."""
    scope.require(Permission.OPS_READ)
    station = org.get_station(session, scope=scope, code=station_code)
    rows = session.execute(select(Presence.cell, Presence.seconds).where(
        Presence.station_id == station.id, Presence.day == day, Presence.res == res)
        .order_by(Presence.seconds.desc(), Presence.cell)).all()
    cells = [PresenceCell(cell=cell, minutes=round(seconds / 60, 1), boundary=boundary(cell))
             for cell, seconds in rows]
    return PresenceDay(station_code=station.code, day=day, res=res,
                       total_minutes=round(sum(s for _, s in rows) / 60, 1), cells=cells)
