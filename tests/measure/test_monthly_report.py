"""The monthly report's figures on known inputs: the month's edges in Bangkok time, the month
before and the same month a year before, rates only over a known population, a region's
report over its own stations only; and the PDF (its text read back, its pages rendered to
look at) and the CSV of the same figures."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from safetyzone.core.errors import InvalidInput, NotFound, PermissionDenied
from safetyzone.measure.models import FactStatus
from safetyzone.measure.monthly import figures, render, service
from safetyzone.measure.monthly.parts import Part, Report
from safetyzone.measure.monthly.period import Month, parse
from safetyzone.measure.monthly.render import Document
from safetyzone.measure.monthly.station_ops import CELL_M, spots
from safetyzone.measure.records import UnifiedRecord
from safetyzone.ops.calltypes import CrimeGroup
from safetyzone.poll import service as polls
from safetyzone.poll.models import PollResponse
from safetyzone.poll.schemas import PollCreate
from support.monthly import ADMIN, FONTS, NOW, bkk, known_month, pdf_pages, scope_of
from support.world import World

NOV = Month(2026, 11)
OCT = Month(2026, 10)


@pytest.fixture
def month(db: Database, world: World) -> None:
    known_month(db)


def build(db: Database, code: str, *, lang: str = "th", draw: bool = False,
          region: str | None = None, area: bool = False, scope: object = ADMIN) -> Document:
    with db.read() as session:
        subject = (service.area_subject(session, scope=scope, region_code=region)  # type: ignore[arg-type]
                   if area else service.station_subject(session, scope=scope,  # type: ignore[arg-type]
                                                       station_code=code))
        return service.build(session, clock=ManualClock(NOW), subject=subject, month=OCT,
                             lang=lang, fonts_dir=FONTS, draw=draw)  # type: ignore[arg-type]


def part(doc: Document, key: str) -> Part:
    return next(p for p in doc.parts if p.key == key)


# --- the month ---------------------------------------------------------------------------

def test_a_month_is_bangkoks_calendar_month_with_its_neighbours_and_titles() -> None:
    assert NOV.start == datetime(2026, 10, 31, 17, tzinfo=UTC)
    assert NOV.end == datetime(2026, 11, 30, 17, tzinfo=UTC)
    assert (NOV.days, NOV.previous(), NOV.year_before()) == (30, Month(2026, 10),
                                                              Month(2025, 11))
    assert Month(2026, 1).previous() == Month(2025, 12)
    assert Month(2026, 12).next() == Month(2027, 1)
    assert NOV.title("th") == "พฤศจิกายน 2569"
    assert NOV.title("en") == "November 2026"
    assert Month.of(datetime(2026, 10, 31, 17, 0, tzinfo=UTC)) == NOV  # 00:00 on 1 Nov


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "2026-1", "11-2026", "2026-11x",
                                  "2026-12", "2027-01", "2019-12", ""])
def test_a_bad_or_out_of_range_month_is_refused(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse(text, now=NOW)


def test_the_current_month_is_accepted_and_the_default_is_the_last_whole_one() -> None:
    assert parse("2026-11", now=NOW) == NOV
    assert parse("2020-01", now=NOW) == Month(2020, 1)
    assert service.month_of(None, NOW) == OCT


# --- a station's figures -------------------------------------------------------------------

def test_records_count_in_their_bangkok_month_against_last_month_and_last_year(
        db: Database, month: None) -> None:
    doc = build(db, "ST-A")
    summary = part(doc, "summary").data
    # October: three 191 calls at the month's edges and in it, a CCOC theft and an SOS;
    # the covert hotlist hit and the maintenance job are left out; 1 November is not in it.
    assert (summary["records"], summary["previous"], summary["year_before"]) == (5, 1, 2)
    assert summary["diff_previous"] == "+4" and summary["pct_previous"] == "+400 %"
    assert summary["diff_year"] == "+3" and summary["pct_year"] == "+150 %"
    assert [o["n"] for o in summary["origins"]] == [2, 3, 0]  # CCOC, 191, cases
    rows = {r["name"]: r for r in part(doc, "groups").data["rows"]}
    assert set(rows) == {"ความผิดต่อชีวิตและร่างกาย", "ความผิดเกี่ยวกับทรัพย์",
                         "ความสงบเรียบร้อย", "อื่น ๆ", "รวม"}
    prop = rows["ความผิดเกี่ยวกับทรัพย์"]
    assert (prop["ccoc"], prop["call191"], prop["total"], prop["previous"],
            prop["year_before"]) == (1, 1, 2, 1, 2)
    assert (prop["d_previous"], prop["p_previous"], prop["d_year"]) == ("+1", "+100 %", "0")
    life = rows["ความผิดต่อชีวิตและร่างกาย"]
    assert (life["total"], life["previous"], life["p_previous"]) == (1, 0, "–")
    assert rows["อื่น ๆ"]["ccoc"] == 1 and rows["รวม"]["total"] == 5


def test_rates_per_1000_people_only_where_the_population_is_known(
        db: Database, month: None) -> None:
    doc = build(db, "ST-A")
    assert part(doc, "summary").data["rate"] == "0.50"  # 5 records, 10,000 people
    groups = part(doc, "groups")
    assert groups.data["rows"][-1]["rate"] == "0.50"
    total = [r for r in groups.rows if r.item == "total" and r.measure == "per_1000_people"]
    assert [(r.value, r.status) for r in total] == [(0.5, "exact")]
    unknown = build(db, "ST-B")  # nobody recorded ST-B's population
    assert part(unknown, "summary").data["rate"] == "ไม่ทราบ"
    assert not part(unknown, "summary").data["rate_known"]
    rates = [r for r in part(unknown, "groups").rows if r.measure == "per_1000_people"]
    assert rates and all(r.value is None and r.status == "unknown" for r in rates)


def test_hours_weekdays_and_days_in_bangkok_time(db: Database, month: None) -> None:
    found = _records(db)
    hours, days = figures.by_hour(found), figures.by_day(found, OCT)
    assert hours[0] == 1 and hours[23] == 1 and hours[20] == 1 and hours[21] == 1
    assert hours[8] == 1 and sum(hours) == 5
    assert (days[0], days[14], days[19], days[20], days[30], len(days)) == (1, 1, 1, 1, 1, 31)
    weekdays = figures.by_weekday(found)
    assert weekdays[bkk(2026, 10, 1).weekday()] >= 1 and sum(weekdays) == 5


def _records(db: Database) -> list[figures.UnifiedRecord]:
    with db.read() as session:
        subject = service.station_subject(session, scope=ADMIN, station_code="ST-A")
        report = Report(session=session, clock=None, subject=subject, month=OCT,  # type: ignore[arg-type]
                        lang="th", now=NOW, fonts_dir=FONTS)
        return figures.month_records(report, OCT)


def test_response_times_of_the_month(db: Database, month: None) -> None:
    rows = {r["name"]: r for r in part(build(db, "ST-A"), "response").data["rows"]}
    # The theft acknowledged in 60 s and the SOS in 120 s (the covert hit has no answer).
    assert rows["รับเรื่อง"]["n"] == 2
    assert rows["รับเรื่อง"]["p50"] == "1 นาที 00 วินาที"
    assert rows["รับเรื่อง"]["p90"] == "2 นาที 00 วินาที"


# --- scope ----------------------------------------------------------------------------------

def test_a_region_report_covers_its_stations_only(db: Database, month: None) -> None:
    doc = build(db, "", area=True, region="REG-1")
    ranked = part(doc, "ranking").data
    codes = [r["code"] for r in ranked["top"]] + [r["code"] for r in ranked["unknown"]]
    assert sorted(codes) == ["ST-A", "ST-B"]  # not ST-C, of REG-2
    assert [r["code"] for r in ranked["top"]] == ["ST-A"]  # ranked: its population is known
    assert [r["code"] for r in ranked["unknown"]] == ["ST-B"]  # listed apart, not ranked
    assert [r["code"] for r in part(doc, "regions").data["rows"]] == ["REG-1"]
    assert part(doc, "area_summary").data["stations"] == 2


def test_who_may_ask_for_which_scope(db: Database, month: None) -> None:
    with db.read() as session:
        region = scope_of(db, "reg1.commander")
        assert service.area_subject(session, scope=region, region_code="REG-1").code == "REG-1"
        with pytest.raises(NotFound):
            service.area_subject(session, scope=region, region_code="REG-2")
        with pytest.raises(PermissionDenied):
            service.area_subject(session, scope=region, region_code=None)
        station = scope_of(db, "a.operator")
        with pytest.raises(NotFound):  # a station desk does not see its whole region
            service.area_subject(session, scope=station, region_code="REG-1")
        with pytest.raises(NotFound):
            service.station_subject(session, scope=scope_of(db, "b.operator"),
                                    station_code="ST-A")
        with pytest.raises(PermissionDenied):
            service.station_subject(session, scope=scope_of(db, "a.volunteer"),
                                    station_code="ST-A")
        national = service.area_subject(session, scope=scope_of(db, "hq.viewer"),
                                        region_code=None)
        assert len(national.station_ids) == 3


# --- the files ------------------------------------------------------------------------------

def test_the_pdf_reads_back_in_thai_with_the_be_month_and_its_figures(
        db: Database, month: None) -> None:
    doc = build(db, "ST-A", draw=True)
    pdf = render.render_pdf(doc, printed_by="a.commander", fonts_dir=FONTS)
    assert pdf.startswith(b"%PDF")
    text = " ".join(" ".join(pdf_pages(pdf, "station-th")).split())
    for words in ("รายงานประจำเดือนของสถานี", "ตุลาคม 2569", "กันยายน 2569",
                  "ตุลาคม 2568", "ความผิดเกี่ยวกับทรัพย์", "ต่อประชากร 1,000 คน", "0.50",
                  "ตามช่วงเวลาของวัน", "จำนวนเหตุรายวัน", "แผนที่โซนและจุดเกิดเหตุ",
                  "เวลาตอบสนอง", "ความก้าวหน้าของโครงการ", "a.commander"):
        assert words in text, words
    english = render.render_pdf(build(db, "ST-A", lang="en", draw=True),
                                printed_by="a.commander", fonts_dir=FONTS)
    text = " ".join(" ".join(pdf_pages(english, "station-en")).split())
    for words in ("Station monthly report", "October 2026", "Per 1,000 people", "Property"):
        assert words in text, words
    assert "ตุลาคม" not in text


def test_the_area_pdf_has_the_phases_regions_ranking_and_map(db: Database, month: None) -> None:
    doc = build(db, "", area=True, draw=True)
    text = " ".join(" ".join(pdf_pages(render.render_pdf(
        doc, printed_by="hq.viewer", fonts_dir=FONTS), "national-th")).split())
    for words in ("รายงานประจำเดือนระดับประเทศ", "ตุลาคม 2569", "ความก้าวหน้าตามระยะ",
                  "สถานีนำร่อง 15 แห่ง", "หน่วย REG-1", "หน่วย REG-2", "ไม่จัดอันดับ",
                  "สถานีตามอัตราเหตุต่อประชากร 1,000 คน"):
        assert words in text, words


def test_the_csv_holds_the_same_figures_one_per_line(db: Database, month: None) -> None:
    body = render.to_csv(build(db, "ST-A"))
    assert body.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert list(rows[0]) == ["section", "item", "label_th", "label_en", "measure", "value",
                             "status"]
    head = {r["item"]: r["value"] for r in rows if r["section"] == "report"}
    assert head["unit"] == "ST-A" and head["month"] == "2026-10" and head["partial"] == "false"

    def value(section: str, item: str, measure: str) -> str:
        found = [r["value"] for r in rows if (r["section"], r["item"], r["measure"]) == (
            section, item, measure)]
        assert len(found) == 1, (section, item, measure)
        return found[0]

    assert value("groups", "property", "month") == "2"
    assert value("groups", "property", "previous_month") == "1"
    assert value("groups", "property", "same_month_last_year") == "2"
    assert value("groups", "total", "per_1000_people") == "0.5"
    assert value("summary", "records", "month") == "5"
    assert value("timing", "hour:23", "month") == "1"
    assert value("daily", "day:31", "month") == "1"
    groups = {r["item"] for r in rows if r["section"] == "groups"}
    assert groups == {"life_body", "property", "public_order", "other", "total"}
    labels = {r["label_th"] for r in rows if r["section"] == "groups"}
    assert "ความผิดเกี่ยวกับทรัพย์" in labels


def test_a_partial_month_says_so(db: Database, month: None) -> None:
    with db.read() as session:
        subject = service.station_subject(session, scope=ADMIN, station_code="ST-A")
        doc = service.build(session, clock=ManualClock(NOW), subject=subject,
                            month=NOV, lang="th", fonts_dir=FONTS, draw=False)
    assert doc.partial
    assert part(doc, "summary").data["records"] == 1  # the call after midnight on the 1st
    assert len(part(doc, "daily").data["days"]) == 3  # 1 to 3 November, not 30 days of zeros


def test_figure_status_and_groups_are_the_taxonomys() -> None:
    line = figures.GroupCount(CrimeGroup.PROPERTY, {"ccoc": 0, "191": 1, "case": 0}, 1, 0, 0,
                              figures.facts.per_1000_people(1, figures.Figure(
                                  key="population", value=None, status=FactStatus.UNKNOWN)))
    assert line.name("th") == "ความผิดเกี่ยวกับทรัพย์" and line.name("en") == "Property"
    assert line.rate.value is None
    assert figures.change(3, 0) == (3, None) and figures.change(2, 4) == (-2, -50.0)


def test_the_latest_people_poll_wave_of_the_zone_with_its_warnings(
        db: Database, month: None) -> None:
    assert not [p for p in build(db, "ST-A").parts if p.key == "poll"]  # no wave: no section
    with db.write() as session:
        clock = ManualClock(bkk(2026, 9, 20))
        for wave, opens in ((1, bkk(2026, 9, 25)), (2, bkk(2026, 11, 2))):
            poll = polls.create_poll(session, scope=ADMIN, clock=clock, station_code="ST-A",
                                     data=PollCreate(zone_code="Z-ST-A", wave=wave,
                                                     wave_name=f"รอบ {wave}", opens_at=opens,
                                                     closes_at=opens + timedelta(days=20)))
            polls.open_poll(session, scope=ADMIN, clock=clock, code=poll.code)
            for answer in (1, 2, 4, 5) if wave == 1 else (5,):
                session.add(PollResponse(poll_id=poll.id, answers={"safe_dark": answer}))
    waves = part(build(db, "ST-A"), "poll").data["waves"]
    # Wave 2 opened after October ended: the October report shows wave 1.
    assert [(w["wave"], w["responses"], w["fear"], w["fear_met"]) for w in waves] == [
        (1, 4, "50 %", False)]
    fear = waves[0]["indicators"][0]
    assert fear["n"] == 4 and "ผู้ตอบน้อยกว่า 30 คน" in fear["warnings"]


def test_a_stray_position_widens_the_cells_instead_of_failing_the_map() -> None:
    def at(lat: float, lon: float) -> UnifiedRecord:
        return UnifiedRecord("191", "x", uuid.uuid4(), NOW, None, CrimeGroup.OTHER, lat, lon)

    near = [at(13.73 + i * 0.0002, 100.47) for i in range(30)]
    _, cells, cell_m = spots(near)
    assert cell_m == CELL_M and cells > 0
    _, cells, cell_m = spots([*near, at(19.9, 99.8)])  # Chiang Rai, 700 km north
    assert cell_m > CELL_M and cells <= 40_000
    assert spots(near[:1]) == ([], 0, CELL_M)
