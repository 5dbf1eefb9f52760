"""Zone selection test helpers: candidate squares, records planted where a test wants them
(imported through the real 191 import), and registered places in a zone of their own."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select

from safetyzone.core.clock import BANGKOK, ManualClock
from safetyzone.core.db import Database
from safetyzone.core.security import Scope, system_scope
from safetyzone.measure import records
from safetyzone.measure.models import RecordSource
from safetyzone.org import auth, zones
from safetyzone.org.models import User
from safetyzone.org.schemas import LandmarkIn, ZoneCreate
from support.world import square

ADMIN = system_scope("zoneselect-test")
# Two candidate areas of ST-A (whose zone is centred on 13.7300, 100.4700): the first on
# the zone, the second about 3 km north-east of it. Squares of 0.008° (about 0.77 km²).
C1 = (13.7300, 100.4700)
C2 = (13.7550, 100.4950)

Row = tuple[datetime, float | None, float | None, str]  # (when, lat, lon, Thai type)


def candidate(name: str, centre: tuple[float, float], half: float = 0.004,
              **extra: Any) -> dict[str, Any]:
    return {"name_th": name, "name_en": name, "boundary": square(*centre, half), **extra}


def at(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BANGKOK)


def csv_rows(rows: Iterable[Row], prefix: str = "R") -> bytes:
    """A 191 file of the rows; every row its own number."""
    lines = ["วันที่รับแจ้ง,เวลา,ประเภทเหตุ,สถานที่,ละติจูด,ลองจิจูด,เลขรับแจ้ง"]
    for i, (when, lat, lon, kind) in enumerate(rows):
        local = when.astimezone(BANGKOK)
        position = f"{lat},{lon}" if lat is not None and lon is not None else ","
        lines.append(f"{local:%d/%m/%Y},{local:%H:%M},{kind},จุด {prefix}{i},{position},"
                     f"{prefix}-{i}")
    return ("\n".join(lines) + "\n").encode()


def plant(db: Database, clock: ManualClock, rows: Iterable[Row], station: str = "ST-A",
          prefix: str = "R", scope: Scope = ADMIN) -> int:
    """Import the rows as one 191 file; how many were stored."""
    with db.write() as session:
        report = records.import_records(session, scope=scope, clock=clock, station_code=station,
                                        source=RecordSource.CALL_191, file_name="plant.csv",
                                        body=csv_rows(rows, prefix))
    return report.rows


def places_zone(db: Database, clock: ManualClock, code: str, centre: tuple[float, float],
                places: list[tuple[str, str]], station: str = "ST-A") -> None:
    """A zone of the station around ``centre`` holding registered places (kind, name)."""
    lat, lon = centre
    with db.write() as session:
        zones.create_zone(session, scope=ADMIN, clock=clock, data=ZoneCreate(
            code=code, station_code=station, name_th=f"โซน {code}", name_en=code,
            boundary=square(lat, lon, 0.005), landmarks=[
                LandmarkIn(name_th=name, kind=kind, lat=lat + 0.0005 * (i % 5 - 2),
                           lon=lon + 0.0005 * (i // 5 - 1))
                for i, (kind, name) in enumerate(places)]))


def user_scope(db: Database, username: str) -> Scope:
    with db.read() as session:
        user = session.scalars(select(User).where(User.username == username)).one()
        return auth.scope_for(session, user)
