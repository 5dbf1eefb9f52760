"""A month of known records for the monthly report's tests, around the Bangkok month's edges.

ST-A, October 2026 (Bangkok): three imported 191 calls (the first minutes of the 1st, the
15th, the last minutes of the 31st), two CCOC incidents that count (a theft, an SOS) and
two that do not (a covert hotlist hit, a maintenance job); September 2026: one call in its
last minutes; October 2025: two calls; 1 November 2026: one call just after midnight.
ST-A has 10,000 people; ST-B's population is unknown.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pypdfium2 as pdfium
from sqlalchemy import select

from safetyzone.core.clock import BANGKOK, ManualClock
from safetyzone.core.db import Database
from safetyzone.core.security import Scope, system_scope
from safetyzone.measure import facts, records
from safetyzone.measure.models import FactStatus, RecordSource
from safetyzone.measure.schemas import FactIn
from safetyzone.ops.covert import COVERT_OWNER
from safetyzone.ops.models import Incident, IncidentState
from safetyzone.org import auth
from safetyzone.org.models import OrgUnit, User
from support.world import STATIONS

ADMIN = system_scope("monthly-test")
# 10:00 on 3 November 2026 in Bangkok; not after the real clock, which checks tokens.
NOW = datetime(2026, 11, 3, 3, tzinfo=UTC)
FONTS = Path(__file__).resolve().parents[2] / "node_modules" / "@fontsource" / "sarabun" / "files"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "monthly"


def bkk(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BANGKOK)


# (Bangkok time, the 191 log's type, its number)
CALLS = [
    (bkk(2026, 10, 1, 0, 10), "ทำร้ายร่างกาย", "N-1"),  # life and body, the month's first minutes
    (bkk(2026, 10, 15, 20, 0), "ทะเลาะวิวาท", "N-2"),  # public order
    (bkk(2026, 10, 31, 23, 30), "ลักทรัพย์", "N-3"),  # property, the month's last minutes
    (bkk(2026, 9, 30, 23, 30), "ลักทรัพย์", "O-1"),  # September
    (bkk(2025, 10, 10, 10, 0), "ลักทรัพย์", "Y-1"),  # a year before
    (bkk(2025, 10, 20, 9, 0), "ชิงทรัพย์", "Y-2"),
    (bkk(2026, 11, 1, 0, 5), "ลักทรัพย์", "D-1"),  # November: not October's
]


@dataclass
class KnownMonth:
    clock: ManualClock
    station_a: uuid.UUID


def scope_of(db: Database, username: str) -> Scope:
    with db.read() as session:
        user = session.scalars(select(User).where(User.username == username)).one()
        return auth.scope_for(session, user)


def station_id(db: Database, code: str) -> uuid.UUID:
    with db.read() as session:
        return session.scalars(select(OrgUnit.id).where(OrgUnit.code == code)).one()


def _csv(station: str) -> bytes:
    _, lat, lon = STATIONS[station]
    lines = ["วันที่รับแจ้ง,เวลา,ประเภทเหตุ,สถานที่,ละติจูด,ลองจิจูด,เลขรับแจ้ง"]
    for i, (at, kind, number) in enumerate(CALLS):
        lines.append(f"{at.day:02d}/{at.month:02d}/{at.year + 543},{at:%H:%M},{kind},"
                     f"ซอย {i},{lat + 0.0005 * i:.6f},{lon:.6f},{number}")
    return ("\n".join(lines) + "\n").encode()


def incident(db: Database, station: uuid.UUID, at: datetime, kind: str, *,
             covert: bool = False, answered_s: float | None = None) -> None:
    opened = at.astimezone(UTC)
    with db.write() as session:
        session.add(Incident(
            station_id=station, kind=kind, priority=2, title_th="เหตุ", title_en="event",
            state=IncidentState.CLOSED, device_time=opened - timedelta(seconds=5),
            opened_at=opened, last_event_at=opened, updated_at=opened, event_count=1,
            acknowledged_at=opened + timedelta(seconds=answered_s) if answered_s else None,
            lat=STATIONS["ST-A"][1], lon=STATIONS["ST-A"][2],
            detail={COVERT_OWNER: str(uuid.uuid4())} if covert else {}))


def known_month(db: Database) -> KnownMonth:
    clock = ManualClock(NOW)
    a = station_id(db, "ST-A")
    with db.write() as session:
        records.import_records(session, scope=ADMIN, clock=clock, station_code="ST-A",
                               source=RecordSource.CALL_191, file_name="191.csv",
                               body=_csv("ST-A"))
        facts.set_fact(session, scope=ADMIN, clock=clock, station_code="ST-A",
                       key="population", data=FactIn(value=10_000, status=FactStatus.EXACT,
                                                     source="census"))
    incident(db, a, bkk(2026, 10, 20, 21, 0), "theft", answered_s=60)
    incident(db, a, bkk(2026, 10, 21, 8, 0), "sos", answered_s=120)
    incident(db, a, bkk(2026, 10, 22, 8, 0), "theft", covert=True)
    incident(db, a, bkk(2026, 10, 23, 8, 0), "maintenance")
    return KnownMonth(clock=clock, station_a=a)


def pdf_pages(pdf: bytes, name: str, scale: float = 1.5) -> list[str]:
    """Each page's text; each page rendered to test-artifacts/monthly/<name>-<n>.png."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for stale in ARTIFACTS.glob(f"{name}-*.png"):
        stale.unlink()
    document = pdfium.PdfDocument(pdf)
    try:
        texts = []
        for i in range(len(document)):
            page = document[i]
            page.render(scale=scale).to_pil().save(ARTIFACTS / f"{name}-{i + 1}.png")
            texts.append(page.get_textpage().get_text_range())
        return texts
    finally:
        document.close()
