"""The demo holds the seed documents' real figures, flagged where they disagree."""

from __future__ import annotations

import re
import stat
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from conftest import SECRET, fresh_db_url
from safetyzone.assets import service as assets
from safetyzone.assets.models import AssetKind
from safetyzone.citizen import routing
from safetyzone.config import Settings
from safetyzone.core.clock import SystemClock
from safetyzone.core.db import Database
from safetyzone.core.security import system_scope
from safetyzone.demo.loader import load_demo
from safetyzone.intake.models import DeviceCredential
from safetyzone.measure import facts as measure_facts
from safetyzone.measure import program, zonedecisions, zoneselect
from safetyzone.measure.models import Fact, FactStatus
from safetyzone.measure.rollout_models import StationRollout
from safetyzone.ops import units as patrol
from safetyzone.ops.models import UnitStatus
from safetyzone.org import service as org
from safetyzone.org import zones
from safetyzone.org.models import UnitKind
from safetyzone.simulate.devices import DEVICES_FILE, load_devices

PILOTS = {"สน.ลุมพินี", "สน.ห้วยขวาง", "สน.ภาษีเจริญ", "สภ.ปากเกร็ด", "สภ.เมืองสมุทรปราการ",
          "สภ.เมืองพัทยา", "สภ.เมืองระยอง", "สภ.เมืองปราจีนบุรี", "สภ.ปากช่อง",
          "สภ.เมืองอุดรธานี", "สภ.เมืองเชียงใหม่", "สภ.เมืองพิษณุโลก", "สภ.เมืองราชบุรี",
          "สภ.เมืองภูเก็ต", "สภ.หาดใหญ่"}


@pytest.fixture(scope="module")
def demo_dir(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp(f"demo-{backend}")


@pytest.fixture(scope="module")
def loaded(backend: str, request: pytest.FixtureRequest, demo_dir: Path) -> Iterator[Database]:
    """The demo, loaded once per backend for this module (loading takes seconds)."""
    db = Database(fresh_db_url(backend, request, demo_dir, with_world=False))
    load_demo(db, Settings(environment="test", data_dir=demo_dir, secret_key=SECRET))
    yield db
    db.dispose()


def test_all_fifteen_pilot_stations(loaded: Database) -> None:
    with loaded.read() as s:
        units = org.list_units(s, scope=system_scope())
    stations = {u.name_th: u for u in units if u.kind is UnitKind.STATION}
    assert set(stations) >= PILOTS
    assert {u.pilot_phase for name, u in stations.items() if name in PILOTS} == {1}
    assert {u.kind for u in units} == set(UnitKind)


def test_phasi_charoen_figures_and_cameras(loaded: Database) -> None:
    scope = system_scope()
    with loaded.read() as s:
        zone = zones.get_zone_by_code(s, scope=scope, code="PCR-KBL")
        assert (zone.households, zone.families, zone.population_total) == (275, 453, 3183)
        assert (zone.population_male, zone.population_female) == (1331, 1852)
        assert zone.population_non_registered == 200
        assert zone.area_km2 == pytest.approx(1.16, rel=0.05)
        assert zone.warnings == []
        cameras, n_cameras = assets.list_cameras(s, scope=scope, station_id=zone.station_id,
                                                 limit=1000)
        points, _ = assets.list_assets(s, scope=scope, zone_id=zone.id,
                                       kind=AssetKind.CAMERA_POINT, limit=1000)
        sos, _ = assets.list_assets(s, scope=scope, zone_id=zone.id, kind=AssetKind.SOS_POINT)
        speakers, _ = assets.list_assets(s, scope=scope, zone_id=zone.id,
                                         kind=AssetKind.LOUDSPEAKER)
        bound = [assets.bound_camera_ids(s, p.id) for p in sos]
    assert n_cameras == 216
    assert Counter(c.owner_class.value for c in cameras) == {
        "city": 125, "police": 14, "private_business": 77}
    assert Counter(p.owner_class.value for p in points) == {
        "city": 57, "police": 10, "private_business": 44}
    assert len(sos) == 4 and all(p.has_speaker for p in sos)
    assert all(len(b) == 3 for b in bound)
    assert len(speakers) == 6
    assert all(c.synthetic for c in cameras)


def test_rayong_population_is_flagged_not_fixed(loaded: Database) -> None:
    with loaded.read() as s:
        zone = zones.get_zone_by_code(s, scope=system_scope(), code="RYG-CITY")
        _, n_cameras = assets.list_cameras(s, scope=system_scope(), station_id=zone.station_id)
    assert (zone.population_total, zone.population_male, zone.population_female) == (
        15151, 7994, 7757)
    assert [w["code"] for w in zone.warnings] == ["population-sum-mismatch"]
    assert zone.households == 8053
    assert len(zone.municipalities) == 3
    assert n_cameras == 416


def test_phitsanulok_and_ang_thong(loaded: Database) -> None:
    scope = system_scope()
    with loaded.read() as s:
        plk = zones.get_zone_by_code(s, scope=scope, code="PLK-BKL")
        plk_cams, n_plk = assets.list_cameras(s, scope=scope, station_id=plk.station_id,
                                              limit=1000)
        plk_sos = assets.list_assets(s, scope=scope, zone_id=plk.id,
                                     kind=AssetKind.SOS_POINT)[1]
        atg = zones.get_zone_by_code(s, scope=scope, code="ATG-KRS")
        atg_sos, _ = assets.list_assets(s, scope=scope, zone_id=atg.id,
                                        kind=AssetKind.SOS_POINT)
    assert plk.population_total == 4589
    # Seed 002 does not say how many of the 183 read plates: the demo's 4 simulated readers'
    # points say they are a demo assumption, and the rest are not marked as readers.
    readers = {c.point_id for c in plk_cams if c.plate_reading}
    assert n_plk == 183 and len(readers) == 4
    assert sum(c.plate_reading for c in plk_cams) < 183
    with loaded.read() as s:
        notes = [assets.get_asset(s, scope=scope, asset_id=p).note or "" for p in readers]
    assert all("License Plate" in n for n in notes)
    assert plk_sos == 2
    assert sum(1 for m in plk.landmarks if m.kind == "convenience_store") == 7
    assert {a.attributes["site_kind"] for a in atg_sos} == {"market", "bank"}
    assert all(a.note and "count not stated" in a.note for a in atg_sos)


def active_simulator_keys(db: Database) -> set[str]:
    with db.read() as s:
        return set(s.scalars(select(DeviceCredential.key_id).where(
            DeviceCredential.label.startswith("simulator "),
            DeviceCredential.revoked_at.is_(None))))


def test_patrol_units_and_the_simulators_devices(loaded: Database, demo_dir: Path) -> None:
    scope = system_scope()
    with loaded.read() as s:
        pcr = org.get_station(s, scope=scope, code="MPB-PHASI-CHAROEN")
        units = patrol.list_units(s, scope=scope, station_id=pcr.id)
        n_units = len(patrol.list_units(s, scope=scope))
    assert [u.callsign for u in units] == ["ภาษีเจริญ 11", "ภาษีเจริญ 12", "ภาษีเจริญ 13",
                                           "ภาษีเจริญ 21", "ภาษีเจริญ 22"]
    assert {u.status for u in units} == {UnitStatus.AVAILABLE}
    assert Counter(u.kind.value for u in units) == {"car": 3, "motorcycle": 2}
    assert n_units == 20
    path = demo_dir / DEVICES_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    devices = load_devices(path)
    by_zone = {s.zone_code: s for s in devices.stations}
    assert set(by_zone) == {"PCR-KBL", "RYG-CITY", "PLK-BKL", "ATG-KRS"}
    assert all(len(s.units) == 5 for s in devices.stations)
    assert [len(by_zone[z].sos_points) for z in ("PCR-KBL", "RYG-CITY", "PLK-BKL")] == [4, 0, 2]
    # Banks where the seed documents put them (Ang Thong), nowhere else.
    assert Counter(p.site_kind for p in by_zone["ATG-KRS"].sos_points) == {
        "market": 4, "bank": 2}
    assert {p.site_kind for z in ("PCR-KBL", "PLK-BKL")
            for p in by_zone[z].sos_points} == {"unspecified"}
    assert len(by_zone["PLK-BKL"].plate_cameras) == 4  # only Phitsanulok reads plates
    assert sum(len(s.plate_cameras) for s in devices.stations) == 4
    assert by_zone["PLK-BKL"].province_code == "TH-65"
    assert active_simulator_keys(loaded) == {
        d.key_id for s in devices.stations for d in s.devices()}


def test_loading_twice_changes_nothing_but_the_password(loaded: Database,
                                                        demo_dir: Path) -> None:
    scope = system_scope()
    path = demo_dir / DEVICES_FILE
    devices_before = path.read_bytes()
    with loaded.read() as s:
        before = assets.list_assets(s, scope=scope, limit=1)[1]
        units_before = len(patrol.list_units(s, scope=scope))
    result = load_demo(loaded, Settings(environment="test", data_dir=demo_dir, secret_key=SECRET))
    with loaded.read() as s:
        assert assets.list_assets(s, scope=scope, limit=1)[1] == before
        assert len(patrol.list_units(s, scope=scope)) == units_before
    assert "already there" in result.summary
    assert len(result.password) >= 12
    assert path.read_bytes() == devices_before  # tokens are shown once: the file is kept


def test_a_lost_devices_file_gets_new_tokens(loaded: Database, demo_dir: Path) -> None:
    path = demo_dir / DEVICES_FILE
    old_keys = active_simulator_keys(loaded)
    path.unlink()
    load_demo(loaded, Settings(environment="test", data_dir=demo_dir, secret_key=SECRET))
    new_keys = {d.key_id for s in load_devices(path).stations for d in s.devices()}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert active_simulator_keys(loaded) == new_keys
    assert len(new_keys) == len(old_keys) and not new_keys & old_keys  # old ones revoked
    path.write_text("{not json", "utf-8")  # a damaged file is replaced the same way
    load_demo(loaded, Settings(environment="test", data_dir=demo_dir, secret_key=SECRET))
    assert active_simulator_keys(loaded) == {
        d.key_id for s in load_devices(path).stations for d in s.devices()}


def test_each_seed_station_has_a_public_card(loaded: Database) -> None:
    with loaded.read() as s:
        # A point in Phitsanulok's seed zone (Ban Khlong market, seed 002).
        card = routing.locate(s, lat=16.8165, lon=100.2468)
    assert card.how == "zone" and card.zone is not None and card.zone.code == "PLK-BKL"
    assert card.station.name_th == "สภ.เมืองพิษณุโลก"
    assert card.station.phone == "191" and card.station.line_url is None
    kinds = {p.kind.value for p in card.posts}
    assert kinds == {"station", "volunteer_post"}
    volunteer = next(p for p in card.posts if p.kind.value == "volunteer_post")
    assert "demo data" in volunteer.name_en  # the seed names the post, not its place


def test_each_seed_zone_has_risk_spots_and_a_plan_for_the_shift(loaded: Database,
                                                                demo_dir: Path) -> None:
    from datetime import UTC, datetime

    from safetyzone.demo import patrol_plans
    from safetyzone.patrol import plans, riskspots

    scope = system_scope()
    now = datetime.now(UTC)
    with loaded.read() as s:
        spots = riskspots.list_spots(s, scope=scope)
        running = plans.list_plans(s, scope=scope, station_id=None, at=now, now=now)
        detail = [plans.plan_detail(s, p, now) for p in running]
    assert len(spots) == 4 * len(patrol_plans.RISK_SPOTS)
    assert all(p.synthetic and "(ข้อมูลสาธิต)" in p.name_th and p.high_risk_hours
               for p in spots)
    assert len(running) == 4 and all(p.auto for p in detail)
    assert all(len(p.unit_ids) == 5 for p in detail)
    rayong = next(p for p in detail if p.station_code == "PPR2-MUEANG-RAYONG")
    assert sorted(t.kind for t in rayong.targets) == ["red_box"] + ["risk_spot"] * 4
    # The simulator visits the plan's places, all but one risk spot per zone.
    devices = load_devices(demo_dir / DEVICES_FILE)
    by_zone = {s.zone_code: s for s in devices.stations}
    assert len(by_zone["RYG-CITY"].patrol_points) == 1 + 3
    assert all(len(s.patrol_points) >= 3 for s in devices.stations)


def test_the_demo_shift_window() -> None:
    from datetime import UTC, datetime, timedelta

    from safetyzone.demo.patrol_plans import shift_window

    def at(hour: int, minute: int = 0) -> datetime:  # Bangkok time on 1 Jan 2026
        return datetime(2026, 1, 1, hour, minute, tzinfo=UTC) - timedelta(hours=7)

    assert shift_window(at(15)) == (at(14), at(22))
    assert shift_window(at(19)) == (at(14), at(22) + timedelta(hours=8))  # 3 h left
    assert shift_window(at(23)) == (at(22), at(22) + timedelta(hours=8))
    assert shift_window(at(7, 30)) == (at(6), at(14))
    assert shift_window(at(3)) == (at(22) - timedelta(days=1), at(14))  # night, then day


README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_counts_the_stations_the_demo_loads(loaded: Database) -> None:
    """The README once said 15 stations where the demo loads 16 (a phase-2 one as well)."""
    with loaded.read() as s:
        stations = [u for u in org.list_units(s, scope=system_scope())
                    if u.kind is UnitKind.STATION]
    phases = Counter(u.pilot_phase for u in stations)
    claim = re.search(r"the (\d+) stations \((\d+) pilot stations of phase 1 and (\d+)\s+of "
                      r"phase 2\)", README.read_text("utf-8"))
    assert claim, "the README no longer says how many stations the demo loads"
    assert tuple(int(n) for n in claim.groups()) == (len(stations), phases[1], phases[2])


def test_the_seeds_station_and_zone_figures_keep_their_status(loaded: Database,
                                                               demo_dir: Path) -> None:
    """Seed 002's station area and population, seed 001's 130 cameras in use beside its 416
    by owner, the Big 6 names; "about" figures approximate; what the seeds leave open
    unknown, never invented. Loading again sets nothing anew."""
    scope = system_scope()
    with loaded.read() as s:
        plk = measure_facts.station_facts(s, scope=scope, station_code="PPR6-MUEANG-PHITSANULOK")
        ryg = measure_facts.station_facts(s, scope=scope, station_code="PPR2-MUEANG-RAYONG")
        pcr = measure_facts.station_facts(s, scope=scope, station_code="MPB-PHASI-CHAROEN")
        count = s.scalar(select(func.count()).select_from(Fact))
    assert (plk.area_km2.value, plk.area_km2.status) == (593.96, FactStatus.EXACT)
    assert (plk.population.value, plk.population.status) == (260734.0, FactStatus.EXACT)
    plk_facts = {f.key: f for f in plk.facts}
    assert plk_facts["plate_reading_cameras"].status is FactStatus.UNKNOWN
    assert plk_facts["plate_reading_cameras"].value is None
    assert plk_facts["cameras_by_owner"].value == 183
    assert plk_facts["big6_group_name"].value == "ภาคีเครือข่ายป้องกันอาชญากรรม (Big 6)"
    assert plk_facts["big6_members"].status is FactStatus.UNKNOWN
    zone = plk.zones[0]
    assert (zone.population.value, zone.population.status) == (4589.0, FactStatus.APPROXIMATE)
    assert {f.key: f.value for f in zone.facts}["big6_zone_name"] == (
        "ชุมชนตำบลบ้านคลอง Smart Safety Zone 4.0")
    assert zone.boundary_area_km2.status is FactStatus.APPROXIMATE  # a drawn boundary
    ryg_facts = {f.key: f for f in ryg.facts}
    assert (ryg_facts["cameras_in_use"].value, ryg_facts["cameras_by_owner"].value) == (130, 416)
    assert ryg.area_km2.status is FactStatus.UNKNOWN
    pcr_zone = {f.key: f for f in pcr.zones[0].facts}
    assert pcr_zone["population_non_registered"].status is FactStatus.APPROXIMATE
    assert pcr.area_km2.status is FactStatus.UNKNOWN and pcr.area_km2.note
    load_demo(loaded, Settings(environment="test", data_dir=demo_dir, secret_key=SECRET))
    with loaded.read() as s:
        assert s.scalar(select(func.count()).select_from(Fact)) == count


def test_the_pilots_start_on_the_launch_day_and_the_rest_stay_unrecorded(
        loaded: Database, demo_dir: Path) -> None:
    """Seed 003 gives the launch day of the 15 pilots; the phase-2 station's start is not in
    any seed, so the program view counts it as not started rather than guessing."""
    with loaded.read() as s:
        view = program.overview(s, scope=system_scope(), now=datetime(2026, 12, 1, tzinfo=UTC))
    by_phase = {p.phase: p for p in view.phases}
    assert (by_phase[1].stations, by_phase[1].started, by_phase[1].target) == (15, 15, 15)
    assert (by_phase[2].stations, by_phase[2].started) == (1, 0)
    plk = next(r for r in view.stations if r.station_code == "PPR6-MUEANG-PHITSANULOK")
    assert plk.rollout.started_on == date(2021, 9, 21) and "seed 003" in (plk.rollout.source or "")
    assert plk.rollout.zones == 1 and plk.rollout.cameras > 0
    assert plk.population == 260734.0
    load_demo(loaded, Settings(environment="test", data_dir=demo_dir, secret_key=SECRET))
    with loaded.read() as s:
        assert s.scalar(select(func.count()).select_from(StationRollout)) == 15


def test_phitsanulok_zone_selection_holds_what_seed_002_gives(loaded: Database,
                                                              demo_dir: Path) -> None:
    """Seed 002's chosen area as a candidate with its 7 convenience stores and its road
    junction (sources named), scored over the seed's 191 window; no decision, since the seed
    gives neither the meeting's date nor its members. Loading again adds nothing."""
    scope = system_scope()
    code = "PPR6-MUEANG-PHITSANULOK"
    with loaded.read() as s:
        weights = zoneselect.get_weights(s, scope=scope, station_code=code)
        ranking = zoneselect.ranking(s, scope=scope, clock=SystemClock(), station_code=code)
        decisions = zonedecisions.list_decisions(s, scope=scope, station_code=code)
    assert (weights.risk_from, weights.risk_to) == (date(2021, 3, 1), date(2021, 5, 31))
    assert decisions == []
    [only] = ranking.candidates
    assert only.name_th == "ชุมชนตำบลบ้านคลอง Smart Safety Zone 4.0"
    entered = {p.kind: p for p in only.economic.items + only.landmark.items
               if p.origin == "entered"}
    assert entered["convenience_store"].count == 7
    assert entered["convenience_store"].source and "7 แห่ง" in entered["convenience_store"].source
    assert entered["junction"].count == 1
    assert only.economic.count == 8  # the 7 stores (entered) and the market (registered)
    assert only.risk.count == 0 and "no_records" in ranking.notes
    load_demo(loaded, Settings(environment="test", data_dir=demo_dir, secret_key=SECRET))
    with loaded.read() as s:
        assert len(zoneselect.list_candidates(s, scope=scope, station_code=code)) == 1
