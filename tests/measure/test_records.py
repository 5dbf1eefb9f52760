"""Importing 191-call and crime-case records: every problem with its line, all or nothing,
duplicates in the file and against what is stored, garbage files, Excel and CSV, station
scope, and the one stream that adds the CCOC's incidents."""

from __future__ import annotations

import io
import uuid
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook
from sqlalchemy import func, select

from safetyzone.audit.models import AuditEntry
from safetyzone.core.clock import BANGKOK as ZONE
from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from safetyzone.core.errors import InvalidInput, NotFound, PayloadTooLarge, PermissionDenied
from safetyzone.core.security import Scope, system_scope
from safetyzone.measure import points, record_files, records, taxonomy
from safetyzone.measure.models import Record, RecordImport, RecordSource
from safetyzone.measure.schemas import RecordImportReport
from safetyzone.ops.calltypes import CALL_TYPES, CrimeGroup
from safetyzone.ops.models import Incident, IncidentState
from safetyzone.org import auth
from safetyzone.org import service as org
from safetyzone.org.models import User
from support.world import World

FIXTURES = Path(__file__).parent.parent / "fixtures" / "records"
ADMIN = system_scope("records-test")
CASE_HEADER = ["วันที่รับแจ้ง", "เวลา", "ประเภทเหตุ", "สถานที่", "ละติจูด", "ลองจิจูด", "เลขคดี"]


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def user_scope(db: Database, username: str) -> Scope:
    with db.read() as session:
        user = session.scalars(select(User).where(User.username == username)).one()
        return auth.scope_for(session, user)


def run_import(db: Database, clock: ManualClock, body: bytes, *, station: str = "ST-A",
               source: RecordSource = RecordSource.CALL_191, scope: Scope = ADMIN,
               dry_run: bool = False, name: str = "calls.csv") -> RecordImportReport:
    with db.write() as session:
        return records.import_records(session, scope=scope, clock=clock, station_code=station,
                                      source=source, file_name=name, body=body,
                                      dry_run=dry_run)


def refused(db: Database, clock: ManualClock, body: bytes, **kw: Any) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        run_import(db, clock, body, **kw)
    return caught.value


def stored(db: Database) -> tuple[int, int, int]:
    """Row counts an import could change: records, imports, audit rows."""
    with db.read() as session:
        def count(table: Any) -> int:
            return session.scalar(select(func.count()).select_from(table)) or 0
        return count(Record), count(RecordImport), count(AuditEntry)


def xlsx(rows: list[list[Any]], header: list[str] = CASE_HEADER) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def where(error: InvalidInput) -> set[tuple[int | None, str | None]]:
    return {(p.line, p.field) for p in error.problems}


def test_a_191_csv_with_thai_headers_is_stored_mapped_and_audited(
        db: Database, world: World, clock: ManualClock) -> None:
    before = stored(db)
    report = run_import(db, clock, fixture("calls_191.csv"))
    assert report.rows == 7 and report.file_format == "csv" and report.import_id is not None
    assert report.group_counts == {"public_order": 4, "property": 1, "traffic": 1, "other": 1}
    assert report.kind_counts["disturbance"] == 2 and report.kind_counts["theft"] == 1
    with db.read() as session:
        rows = {r.external_no: r for r in session.scalars(select(Record))}
        audit = session.scalars(select(AuditEntry).where(
            AuditEntry.action == "measure.records.import")).one()
    assert stored(db) == (before[0] + 7, before[1] + 1, before[2] + 1)
    assert audit.detail["rows"] == 7 and audit.detail["source"] == "191"
    first = rows["191-640301-0001"]
    # 01/03/2564 21:15 Bangkok (Buddhist Era year) = 2021-03-01 14:15 UTC.
    assert first.occurred_at == datetime(2021, 3, 1, 14, 15, tzinfo=UTC)
    assert (first.kind, first.crime_group, first.line) == ("fight", "public_order", 2)
    assert rows["191-640302-0002"].occurred_at == datetime(2021, 3, 2, 16, 40, tzinfo=UTC)
    assert rows["191-640305-0003"].type_label == "คดีลักทรัพย์"
    assert rows["191-640410-0004"].lat is None  # no position given: kept without one
    assert rows["191-640515-0005"].place == "ตลาดบ้านคลอง, ทางเข้าตลาด"
    assert rows["191-640515-0005"].detail == 'เมาสุรา "อาละวาด" หน้าตลาด'
    assert rows["191-640520-0006"].occurred_at == datetime(2021, 5, 20, 1, 45, tzinfo=UTC)
    # อื่นๆ is the file's own word for "other"; a formula-looking cell is kept as text.
    assert (rows["191-640528-0007"].kind, rows["191-640528-0007"].crime_group) == (
        "other", "other")
    assert rows["191-640528-0007"].detail == '=HYPERLINK("http://example.invalid")'


def test_bad_rows_are_each_named_with_their_line_and_nothing_is_stored(
        db: Database, world: World, clock: ManualClock) -> None:
    before = stored(db)
    error = refused(db, clock, fixture("calls_191_bad.csv"))
    assert error.detail == "9 rows refused; nothing was imported"
    assert where(error) == {(3, "date"), (4, "time"), (5, "type"), (6, "place"), (7, "lat"),
                            (8, "lon"), (9, "number"), (10, "type"), (11, "date")}
    reasons = {p.line: p.reason for p in error.problems}
    assert "ยูเอฟโอ" in reasons[5] and "อื่นๆ" in reasons[5]
    assert "swapped" in reasons[7]
    assert "line 2" in reasons[9] and "line 2" in reasons[10]
    assert "future" in reasons[11]
    assert stored(db) == before
    # A dry run says the same, and stores nothing either.
    assert where(refused(db, clock, fixture("calls_191_bad.csv"), dry_run=True)) == where(error)
    assert stored(db) == before


def test_one_bad_row_among_good_ones_stores_none_of_them(
        db: Database, world: World, clock: ManualClock) -> None:
    good = fixture("calls_191.csv").decode()
    body = (good + "29/05/2564,10:00,ลักทรัพย์,ตลาด,13.73,100.47,191-X-1,\n"
            "30/05/2564,10:00,ไม่มีในตาราง,ตลาด,13.73,100.47,191-X-2,\n").encode()
    before = stored(db)
    error = refused(db, clock, body)
    assert where(error) == {(10, "type")}
    assert stored(db) == before


def test_dry_run_reports_without_storing_then_the_import_stores(
        db: Database, world: World, clock: ManualClock) -> None:
    before = stored(db)
    dry = run_import(db, clock, fixture("calls_191.csv"), dry_run=True)
    assert dry.dry_run and dry.import_id is None and dry.rows == 7
    assert stored(db) == before
    real = run_import(db, clock, fixture("calls_191.csv"))
    assert real.rows == 7 and real.group_counts == dry.group_counts


def test_duplicates_against_what_is_stored_are_refused_on_every_line(
        db: Database, world: World, clock: ManualClock) -> None:
    run_import(db, clock, fixture("calls_191.csv"))
    before = stored(db)
    again = refused(db, clock, fixture("calls_191.csv"))
    assert {line for line, _ in where(again)} == set(range(2, 9))
    assert all("already stored" in p.reason for p in again.problems)
    # Same time, place (spaces and case folded) and type under another number: the same call.
    same = ("วันที่รับแจ้ง,เวลา,ประเภทเหตุ,สถานที่,เลขรับแจ้ง\n"
            "01/03/2564,21:15,ทะเลาะ วิวาท,ตลาดบ้านคลอง  หน้าร้าน 7-11,191-OTHER-1\n").encode()
    assert where(refused(db, clock, same)) == {(2, "type")}
    # The same number from the other source (a case register) is another record.
    case = ("วันที่รับแจ้ง,เวลา,ประเภทเหตุ,สถานที่,เลขคดี\n"
            "01/03/2564,09:00,ลักทรัพย์,ตลาด,191-640301-0001\n").encode()
    assert run_import(db, clock, case, source=RecordSource.CASE).rows == 1
    assert stored(db)[0] == before[0] + 1
    # ... and the same file at another station is that station's own.
    assert run_import(db, clock, fixture("calls_191.csv"), station="ST-B").rows == 7


def test_a_crime_case_excel_file_is_read_with_dates_times_and_numbers_as_excel_keeps_them(
        db: Database, world: World, clock: ManualClock) -> None:
    body = xlsx([
        [datetime(2021, 3, 15), "14:30", "ชิงทรัพย์", "ถนนมิตรภาพ", 13.7301, 100.4702, 1234],
        [datetime(2021, 3, 16, 9, 5), None, "ข่มขืนกระทำชำเรา", "บ้านเช่า", None, None, "88/2564"],
        ["17/03/2564", datetime(1900, 1, 1, 22, 0).time(), "ครอบครองยาเสพติด",
         "=CMD|' /C calc'!A0", 13.73, 100.47, "89/2564"],
        [datetime(2021, 3, 18), 0.5, "พกพาอาวุธปืน", "ป้ายรถเมล์", 13.73, 100.47, "90/2564"],
        [datetime(2021, 3, 19), "10:00", "ฆ่าผู้อื่น", "สวนสาธารณะ", 13.73, 100.47, "91/2564"],
    ])
    report = run_import(db, clock, body, source=RecordSource.CASE, name="cases.xlsx")
    assert report.file_format == "xlsx" and report.rows == 5
    with db.read() as session:
        rows = {r.external_no: r for r in session.scalars(select(Record))}
    assert rows["1234"].occurred_at == datetime(2021, 3, 15, 7, 30, tzinfo=UTC)
    assert (rows["1234"].kind, rows["1234"].crime_group, rows["1234"].line) == (
        "robbery", "property", 2)
    assert rows["88/2564"].occurred_at == datetime(2021, 3, 16, 2, 5, tzinfo=UTC)
    assert rows["88/2564"].crime_group == "sexual"
    # A formula in a cell is text: never computed, stored as written.
    assert rows["89/2564"].place == "=CMD|' /C calc'!A0" and rows["89/2564"].kind == "drugs"
    assert rows["90/2564"].occurred_at == datetime(2021, 3, 18, 5, 0, tzinfo=UTC)
    assert rows["90/2564"].crime_group == "weapons"
    assert (rows["91/2564"].kind, rows["91/2564"].crime_group) == (None, "life_body")


def test_bad_rows_in_excel_are_named_by_their_sheet_row(
        db: Database, world: World, clock: ManualClock) -> None:
    body = xlsx([
        [datetime(2021, 3, 15), "14:30", "ชิงทรัพย์", "ถนน", 13.73, 100.47, "1/2564"],
        [],  # an empty row is skipped, and the next keeps its own row number
        [datetime(2021, 3, 15), "14:30", "แมวหาย", "ถนน", 13.73, 100.47, "2/2564"],
        [True, "14:30", "ชิงทรัพย์", "ถนน", "north", 100.47, "3/2564"],
    ])
    error = refused(db, clock, body, source=RecordSource.CASE)
    assert where(error) == {(4, "type"), (5, "date"), (5, "lat")}
    assert stored(db)[0] == 0


@pytest.mark.parametrize(("body", "words"), [
    (b"", "empty"),
    (b"   \n\n", "empty"),
    (b"\x00\x01\x02binary\x00", "NUL"),
    (b"\xff\xfe\x00\x00garbage", "UTF-8"),
    (b"PK\x03\x04 not really a zip", "Excel"),
    ("วันที่รับแจ้ง,เวลา,ประเภทเหตุ,สถานที่\n".encode(), "no rows"),
    (b'date,time,type,place\n"01/03/2564,10:00\n', "not valid CSV"),
], ids=["empty", "blank", "binary", "not-utf8", "fake-zip", "header-only", "broken-quote"])
def test_garbage_files_are_refused_clearly(db: Database, world: World, clock: ManualClock,
                                           body: bytes, words: str) -> None:
    error = refused(db, clock, body)
    assert words in error.detail + " ".join(p.reason for p in error.problems)
    assert stored(db) == (0, 0, stored(db)[2])


def test_a_zip_that_is_no_workbook_and_wrong_headers_are_refused(
        db: Database, world: World, clock: ManualClock) -> None:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("hello.txt", "not a workbook")
    assert "Excel" in refused(db, clock, archive.getvalue()).detail
    error = refused(db, clock, fixture("wrong_headers.csv"))
    assert error.detail == "the header was refused; nothing was imported"
    reasons = " | ".join(p.reason for p in error.problems)
    assert "unknown column 'สีรถ'" in reasons
    assert "missing required column 'time'" in reasons
    assert "missing required column 'place'" in reasons
    assert all(p.line == 1 for p in error.problems)


def test_oversize_files_and_too_many_rows_are_refused(
        db: Database, world: World, clock: ManualClock) -> None:
    with pytest.raises(PayloadTooLarge):
        run_import(db, clock, b"x" * (record_files.MAX_FILE_BYTES + 1))
    row = "01/03/2564,10:00,ลักทรัพย์,ตลาด\n"
    body = ("date,time,type,place\n" + row * (record_files.MAX_ROWS + 1)).encode()
    error = refused(db, clock, body)
    assert "more than 50000 rows" in error.detail
    # A small .xlsx that would inflate past the limit is refused before openpyxl opens it.
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (record_files.MAX_INFLATED_BYTES + 1))
    assert len(bomb.getvalue()) < record_files.MAX_FILE_BYTES
    with pytest.raises(PayloadTooLarge):
        run_import(db, clock, bomb.getvalue())
    assert stored(db)[0] == 0


def test_only_admins_and_commanders_import_and_delete_and_scope_holds(
        db: Database, world: World, clock: ManualClock) -> None:
    operator = user_scope(db, "a.operator")
    with pytest.raises(PermissionDenied):
        run_import(db, clock, fixture("calls_191.csv"), scope=operator)
    commander = user_scope(db, "a.commander")
    with pytest.raises(NotFound):  # another station looks missing
        run_import(db, clock, fixture("calls_191.csv"), scope=commander, station="ST-B")
    made = run_import(db, clock, fixture("calls_191.csv"), scope=commander)
    region = user_scope(db, "reg1.commander")  # REG-1: ST-A and ST-B, not ST-C
    run_import(db, clock, fixture("calls_191.csv"), scope=region, station="ST-B")
    run_import(db, clock, fixture("calls_191.csv"), station="ST-C")
    with db.read() as session:
        assert records.list_records(session, scope=region, station_code="ST-A").total == 7
        assert records.list_imports(session, scope=region, station_code="ST-B").total == 1
        with pytest.raises(NotFound):
            records.list_records(session, scope=region, station_code="ST-C")
        with pytest.raises(NotFound):
            records.list_imports(session, scope=commander, station_code="ST-B")
        c_import = records.list_imports(session, scope=ADMIN, station_code="ST-C").items[0].id
        assert records.list_records(session, scope=operator, station_code="ST-A",
                                    group=CrimeGroup.PUBLIC_ORDER).total == 4
    with db.write() as session, pytest.raises(NotFound):
        records.delete_import(session, scope=region, clock=clock, import_id=c_import)
    with db.write() as session, pytest.raises(PermissionDenied):
        records.delete_import(session, scope=operator, clock=clock, import_id=made.import_id)
    assert made.import_id is not None
    with db.write() as session:
        records.delete_import(session, scope=commander, clock=clock, import_id=made.import_id)
    with db.read() as session:
        assert records.list_records(session, scope=commander, station_code="ST-A").total == 0
        entry = session.scalars(select(AuditEntry).where(
            AuditEntry.action == "measure.records.delete")).one()
        assert entry.detail["rows"] == 7 and entry.username == "a.commander"
    # Deleted, the same file can come in again.
    assert run_import(db, clock, fixture("calls_191.csv"), scope=commander).rows == 7


def test_the_http_routes_upload_dry_run_list_filter_and_delete(
        client: TestClient, world: World, db: Database) -> None:
    admin = world.headers(client, "admin")
    files = {"file": ("calls.csv", fixture("calls_191.csv"), "text/csv")}
    url = "/api/v1/stations/ST-A/records/import"
    dry = client.post(url, params={"source": "191", "dry_run": "true"}, files=files,
                      headers=admin)
    assert dry.status_code == 200, dry.text
    assert dry.json()["dry_run"] is True and dry.json()["import_id"] is None
    assert client.get("/api/v1/stations/ST-A/records", headers=admin).json()["total"] == 0
    made = client.post(url, params={"source": "191"}, files=files, headers=admin)
    assert made.status_code == 200 and made.json()["rows"] == 7
    bad = client.post(url, params={"source": "191"}, headers=admin, files={
        "file": ("bad.csv", fixture("calls_191_bad.csv"), "text/csv")})
    assert bad.status_code == 422
    assert {(p["line"], p["field"]) for p in bad.json()["problems"]} >= {(3, "date"), (5, "type")}
    listed = client.get("/api/v1/stations/ST-A/record-imports", headers=admin).json()
    assert listed["total"] == 1
    assert listed["items"][0]["file_name"] == "calls.csv"
    assert listed["items"][0]["created_by"] == "admin"
    found = client.get("/api/v1/stations/ST-A/records", headers=admin, params={
        "group": "property", "since": "2021-03-01T00:00:00+07:00"}).json()
    assert found["total"] == 1 and found["items"][0]["kind"] == "theft"
    assert client.get("/api/v1/stations/ST-A/records", headers=admin, params={
        "since": "2021-03-01T00:00:00"}).status_code == 422  # a time without its zone
    gone = client.delete(f"/api/v1/record-imports/{made.json()['import_id']}", headers=admin)
    assert gone.status_code == 200
    assert client.get("/api/v1/stations/ST-A/records", headers=admin).json()["total"] == 0
    assert client.delete(f"/api/v1/record-imports/{uuid.uuid4()}",
                         headers=admin).status_code == 404


def test_every_call_type_name_maps_to_its_own_key_and_group() -> None:
    for t in CALL_TYPES:
        for name in (t.key, t.th, t.en):
            mapped = taxonomy.map_type(name)
            assert mapped is not None and (mapped.kind, mapped.group) == (t.key, t.group), name
    assert taxonomy.map_type("อื่น ๆ") == taxonomy.map_type("อื่นๆ")
    assert taxonomy.map_type("แมวหาย") is None
    # Seed 002's 191 types, each under a group.
    for label in ("คดีทำร้ายร่างกาย", "คดีลักทรัพย์", "ทะเลาะวิวาท", "ดื่มสุราส่งเสียงดัง",
                  "วัยรุ่นรวมตัว", "เมาสุราประพฤติตนวุ่นวาย"):
        assert taxonomy.map_type(label) is not None, label


def _incident(db: Database, station: str, kind: str, at: datetime) -> uuid.UUID:
    """A CCOC incident as the rules engine stores it (an SOS press, a repair request)."""
    with db.write() as session:
        unit = org.get_station(session, scope=ADMIN, code=station)
        row = Incident(station_id=unit.id, kind=kind, priority=1, title_th=kind, title_en=kind,
                       state=IncidentState.NEW, lat=13.73, lon=100.47, device_time=at,
                       opened_at=at, last_event_at=at, updated_at=at)
        session.add(row)
        session.flush()
        return row.id


def test_the_unified_stream_adds_ccoc_incidents_and_counts_a_191_call_once(
        client: TestClient, world: World, db: Database, clock: ManualClock) -> None:
    admin = world.headers(client, "admin")
    now = clock.now()

    def call(source: str, call_type: str, ref: str | None) -> str:
        made = client.post("/api/v1/calls", headers={**admin, "Idempotency-Key": (
            f"unified-{call_type}-{ref}")}, json={
            "station_code": "ST-A", "source": source, "call_type": call_type,
            "external_ref": ref, "description": "เหตุ", "lat": 13.73, "lon": 100.47,
            "received_at": (now - timedelta(hours=1)).isoformat()})
        assert made.status_code == 201, made.text
        return str(made.json()["incident"]["id"])

    fight = call("phone", "fight", None)
    transfer = call("transfer_191", "theft", "191-DUP-1")
    sos = _incident(db, "ST-A", "sos", now - timedelta(minutes=30))
    _incident(db, "ST-A", "maintenance", now - timedelta(minutes=20))  # operational: left out
    _incident(db, "ST-B", "sos", now - timedelta(minutes=10))  # another station
    local = (now - timedelta(hours=2)).astimezone(ZONE)
    body = ("วันที่รับแจ้ง,เวลา,ประเภทเหตุ,สถานที่,เลขรับแจ้ง\n"
            f"{local:%d/%m}/{local.year + 543},{local:%H:%M},ลักทรัพย์,ตลาด,191-DUP-1\n"
            f"{local:%d/%m}/{local.year + 543},{local:%H:%M},ชิงทรัพย์,ตลาด,191-OTHER-2\n"
            ).encode()
    run_import(db, clock, body)
    with db.read() as session:
        stream = list(records.unified_records(
            session, scope=user_scope(db, "a.operator"), station_code="ST-A",
            since=now - timedelta(days=1), until=now + timedelta(minutes=1)))
        with pytest.raises(NotFound):
            list(records.unified_records(session, scope=user_scope(db, "a.operator"),
                                         station_code="ST-B", since=now - timedelta(days=1),
                                         until=now))
    got = {(u.origin, u.kind, u.group) for u in stream}
    assert got == {("191", "theft", CrimeGroup.PROPERTY), ("191", "robbery", CrimeGroup.PROPERTY),
                   ("ccoc", "fight", CrimeGroup.PUBLIC_ORDER), ("ccoc", "sos", CrimeGroup.OTHER)}
    refs = {u.ref for u in stream}
    assert fight in refs and str(sos) in refs and transfer not in refs  # 191-DUP-1 once
    assert [u.at for u in stream] == sorted(u.at for u in stream)
    assert len(stream) == 4





def test_hotspot_points_join_imported_records_with_a_position_and_count_a_191_call_once(
        client: TestClient, world: World, db: Database, clock: ManualClock) -> None:
    """The hotspot layers read one stream: imported records that carry a position beside
    the reported incidents; a 191 transfer whose number was imported is one point, a record
    without a position and a device's SOS are none."""
    admin = world.headers(client, "admin")
    now = clock.now()
    made = client.post("/api/v1/calls", headers={**admin, "Idempotency-Key": "points-dup"},
                       json={"station_code": "ST-A", "source": "transfer_191",
                             "call_type": "theft", "external_ref": "191-PT-1",
                             "description": "เหตุ", "lat": 13.7301, "lon": 100.4702,
                             "received_at": (now - timedelta(hours=1)).isoformat()})
    assert made.status_code == 201, made.text
    phone = client.post("/api/v1/calls", headers={**admin, "Idempotency-Key": "points-own"},
                        json={"station_code": "ST-A", "source": "phone", "call_type": "fight",
                              "description": "เหตุ", "lat": 13.7320, "lon": 100.4710,
                              "received_at": (now - timedelta(hours=1)).isoformat()})
    assert phone.status_code == 201, phone.text
    _incident(db, "ST-A", "sos", now - timedelta(minutes=30))
    local = (now - timedelta(hours=2)).astimezone(ZONE)
    day = f"{local:%d/%m}/{local.year + 543},{local:%H:%M}"
    run_import(db, clock, (
        "วันที่รับแจ้ง,เวลา,ประเภทเหตุ,สถานที่,ละติจูด,ลองจิจูด,เลขรับแจ้ง\n"
        f"{day},ลักทรัพย์,ตลาด,13.7302,100.4703,191-PT-1\n"
        f"{day},ชิงทรัพย์,ซอย 3,13.7290,100.4690,191-PT-2\n"
        f"{day},ทะเลาะวิวาท,ไม่ทราบพิกัด,,,191-PT-3\n").encode())
    with db.read() as session:
        station = org.get_station(session, scope=system_scope(), code="ST-A")
        found = points.points(session, scope=user_scope(db, "a.operator"),
                              station_id=station.id, since=now - timedelta(days=1),
                              until=now + timedelta(minutes=1))
        with pytest.raises(InvalidInput, match="at most 2 are analysed"):
            points.points(session, scope=system_scope(), station_id=station.id,
                          since=now - timedelta(days=1), until=now + timedelta(minutes=1),
                          limit=2)
    assert sorted((round(p.lat, 4), p.group) for p in found) == [
        (13.729, "property"), (13.7302, "property"), (13.732, "public_order")]
    assert [p.time for p in found] == sorted(p.time for p in found)
