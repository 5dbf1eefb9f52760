"""The demo holds the seed documents' real figures, flagged where they disagree."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest

from conftest import fresh_db_url
from safetyzone.assets import service as assets
from safetyzone.assets.models import AssetKind
from safetyzone.config import Settings
from safetyzone.core.db import Database
from safetyzone.core.security import system_scope
from safetyzone.demo.loader import load_demo
from safetyzone.org import service as org
from safetyzone.org import zones
from safetyzone.org.models import UnitKind

PILOTS = {"สน.ลุมพินี", "สน.ห้วยขวาง", "สน.ภาษีเจริญ", "สภ.ปากเกร็ด", "สภ.เมืองสมุทรปราการ",
          "สภ.เมืองพัทยา", "สภ.เมืองระยอง", "สภ.เมืองปราจีนบุรี", "สภ.ปากช่อง",
          "สภ.เมืองอุดรธานี", "สภ.เมืองเชียงใหม่", "สภ.เมืองพิษณุโลก", "สภ.เมืองราชบุรี",
          "สภ.เมืองภูเก็ต", "สภ.หาดใหญ่"}


@pytest.fixture(scope="module")
def loaded(
    backend: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Database]:
    """The demo, loaded once per backend for this module (loading takes seconds)."""
    directory = tmp_path_factory.mktemp("demo")
    db = Database(fresh_db_url(backend, request, directory, with_world=False))
    load_demo(db, Settings(environment="test", data_dir=directory))
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
    assert n_plk == 183 and all(c.plate_reading for c in plk_cams)
    assert plk_sos == 2
    assert sum(1 for m in plk.landmarks if m.kind == "convenience_store") == 7
    assert {a.attributes["site_kind"] for a in atg_sos} == {"market", "bank"}
    assert all(a.note and "count not stated" in a.note for a in atg_sos)


def test_loading_twice_changes_nothing_but_the_password(loaded: Database) -> None:
    scope = system_scope()
    with loaded.read() as s:
        before = assets.list_assets(s, scope=scope, limit=1)[1]
    result = load_demo(loaded, Settings(environment="test"))
    with loaded.read() as s:
        assert assets.list_assets(s, scope=scope, limit=1)[1] == before
    assert "already there" in result.summary
    assert len(result.password) >= 12
