"""The monthly report on the demo's Phitsanulok station (seed 002: 260,734 people, its Big 6
network, the Ban Khlong market zone) with a month of generated 191 calls of seed 002's
types clustered at the zone's landmarks, CCOC incidents with their response times, and a
People Poll wave: the pages a Big 6 meeting would read, rendered to look at
(test-artifacts/monthly-demo/), and the README's pictures when asked
(SSZ_TEST_DOCS_SCREENSHOTS=1). SQLite only: it is about the pages, not the backend."""

from __future__ import annotations

import os
import random
import shutil
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pypdfium2 as pdfium
from sqlalchemy import select

from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from safetyzone.measure import records
from safetyzone.measure.models import RecordSource
from safetyzone.measure.monthly import render, service
from safetyzone.measure.monthly.period import Month
from safetyzone.ops.models import Incident, IncidentState
from safetyzone.org.models import OrgUnit
from safetyzone.poll import service as polls
from safetyzone.poll.models import PollResponse
from safetyzone.poll.schemas import PollCreate
from support.console import prepare_demo
from support.lostdocs import pdf_text
from support.monthly import ADMIN, FONTS, bkk

STATION = "PPR6-MUEANG-PHITSANULOK"
OCT = Month(2026, 10)
NOW = datetime(2026, 11, 3, 3, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "monthly-demo"
DOCS = ROOT / "docs" / "screenshots"
REFRESH_DOCS = os.environ.get("SSZ_TEST_DOCS_SCREENSHOTS") == "1"
# The zone's market, the junction and a convenience store (demo/data/zones.json, PLK-BKL).
HOTSPOTS = ((16.8165, 100.2468), (16.813, 100.243), (16.8175, 100.249))
CENTRE = (16.8165, 100.2468)
# Seed 002's 191 types, weighted as a market zone's evenings might be.
TYPES = (("ทะเลาะวิวาท", 5), ("ดื่มสุราส่งเสียงดัง", 6), ("วัยรุ่นรวมตัว", 4), ("ลักทรัพย์", 5),
         ("ทำร้ายร่างกาย", 2), ("เมาสุราประพฤติตนวุ่นวาย", 3), ("อุบัติเหตุ", 2), ("ยาเสพติด", 1))
CCOC_KINDS = ("theft", "fight", "disturbance", "youths_gathering", "traffic_accident")


def _month_calls(rng: random.Random, month: Month, n: int, first: int) -> list[str]:
    lines = []
    kinds = [k for k, w in TYPES for _ in range(w)]
    for i in range(n):
        day = rng.randint(1, month.days)
        hour = rng.choice([*range(24), *range(17, 24), *range(19, 24), 20, 21, 22])
        if rng.random() < 0.5:
            lat, lon = rng.choice(HOTSPOTS)
            lat, lon = lat + rng.gauss(0, 0.0007), lon + rng.gauss(0, 0.0007)
        else:
            lat = CENTRE[0] + rng.uniform(-0.018, 0.018)
            lon = CENTRE[1] + rng.uniform(-0.02, 0.02)
        lines.append(f"{day:02d}/{month.month:02d}/{month.year + 543},{hour:02d}:"
                     f"{rng.randint(0, 59):02d},{rng.choice(kinds)},ถนนในเขต {i % 40},"
                     f"{lat:.6f},{lon:.6f},PLK-{first + i}")
    return lines


def _fill(db: Database, clock: ManualClock) -> int:
    rng = random.Random(2566)
    lines = ["วันที่รับแจ้ง,เวลา,ประเภทเหตุ,สถานที่,ละติจูด,ลองจิจูด,เลขรับแจ้ง"]
    lines += _month_calls(rng, OCT, 168, 1)
    lines += _month_calls(rng, OCT.previous(), 141, 1000)
    lines += _month_calls(rng, OCT.year_before(), 196, 2000)
    with db.write() as session:
        records.import_records(session, scope=ADMIN, clock=clock, station_code=STATION,
                               source=RecordSource.CALL_191, file_name="191-plk.csv",
                               body=("\n".join(lines) + "\n").encode())
        station = session.scalars(select(OrgUnit.id).where(OrgUnit.code == STATION)).one()
        for i in range(36):
            opened = bkk(2026, 10, rng.randint(1, 31), rng.choice([9, 13, 18, 20, 21, 22]),
                         rng.randint(0, 59)).astimezone(UTC)
            lat, lon = rng.choice(HOTSPOTS)
            ack, dispatch, arrive = (rng.uniform(20, 90), rng.uniform(60, 240),
                                     rng.uniform(240, 900))
            session.add(Incident(
                station_id=station, kind=CCOC_KINDS[i % len(CCOC_KINDS)], priority=2,
                title_th="เหตุ", title_en="event", state=IncidentState.CLOSED,
                device_time=opened - timedelta(seconds=rng.uniform(2, 15)), opened_at=opened,
                last_event_at=opened, updated_at=opened, event_count=1,
                acknowledged_at=opened + timedelta(seconds=ack),
                dispatched_at=opened + timedelta(seconds=ack + dispatch),
                arrived_at=opened + timedelta(seconds=ack + dispatch + arrive),
                cleared_at=opened + timedelta(seconds=ack + dispatch + arrive + 1500),
                lat=lat + rng.gauss(0, 0.0006), lon=lon + rng.gauss(0, 0.0006)))
        poll = polls.create_poll(session, scope=ADMIN, clock=ManualClock(bkk(2026, 9, 25)),
                                 station_code=STATION, data=PollCreate(
                                     zone_code="PLK-BKL", wave=1, wave_name="รอบตุลาคม 2569",
                                     opens_at=bkk(2026, 10, 1), closes_at=bkk(2026, 10, 25)))
        polls.open_poll(session, scope=ADMIN, clock=ManualClock(bkk(2026, 9, 26)),
                        code=poll.code)
        for _ in range(86):
            session.add(PollResponse(id=uuid.uuid4(), poll_id=poll.id, answers={
                "safe_dark": rng.choice([1, 2, 2, 3, 3, 4, 4, 4, 5]),
                "worry_burglary": rng.choice([1, 2, 3, 3, 4, 5]),
                "confidence_police": rng.choice([2, 3, 4, 4, 4, 5, 5]),
                "needs": rng.sample(["lighting", "patrols", "cctv", "vacant_lots", "drugs"], 2)}))
        polls.close_poll(session, scope=ADMIN, clock=clock, code=poll.code)
    return 168 + 36


def _pages(pdf: bytes, name: str) -> list[Path]:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for stale in ARTIFACTS.glob(f"{name}-*.png"):
        stale.unlink()
    out = []
    document = pdfium.PdfDocument(pdf)
    try:
        for i in range(len(document)):
            path = ARTIFACTS / f"{name}-{i + 1}.png"
            document[i].render(scale=1.4).to_pil().save(path)
            out.append(path)
    finally:
        document.close()
    return out


def test_the_demo_station_s_month_as_its_big6_meeting_reads_it(tmp_path: Path) -> None:
    prepare_demo(tmp_path)
    db = Database(f"sqlite:///{tmp_path / 'safetyzone.db'}")
    try:
        clock = ManualClock(NOW)
        total = _fill(db, clock)
        with db.read() as session:
            subject = service.station_subject(session, scope=ADMIN, station_code=STATION)
            station = service.build(session, clock=clock, subject=subject, month=OCT,
                                    lang="th", fonts_dir=FONTS)
            country = service.build(session, clock=clock, subject=service.area_subject(
                session, scope=ADMIN, region_code=None), month=OCT, lang="th",
                fonts_dir=FONTS)
    finally:
        db.dispose()
    pdf = render.render_pdf(station, printed_by="plk.commander", fonts_dir=FONTS)
    text = " ".join(pdf_text(pdf).split())
    for words in ("สภ.เมืองพิษณุโลก", "ตุลาคม 2569", "ภาคีเครือข่ายป้องกันอาชญากรรม (Big 6)",
                  f"{total:,}", "260,734", "ชุมชนตลาดบ้านคลอง", "รอบตุลาคม 2569",
                  "ความหวาดกลัวภัยอาชญากรรม", "จุดร้อน"):
        assert words in text, words
    pages = _pages(pdf, "station-th")
    national = _pages(render.render_pdf(country, printed_by="hq.viewer", fonts_dir=FONTS),
                      "national-th")
    if REFRESH_DOCS:
        for i, page in enumerate(pages[:2], start=1):
            shutil.copy(page, DOCS / f"monthly-report-station-th-{i}.png")
        shutil.copy(national[0], DOCS / "monthly-report-national-th-1.png")
