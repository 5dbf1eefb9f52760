"""Coverage on the demo zones shows real figures: places seen and unseen, cameras at
private premises, every view figure marked as a demo assumption, one PTZ camera in each
zone that has police cameras; and the few cameras the demo records on alarm."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from conftest import SECRET, fresh_db_url
from safetyzone.config import Settings
from safetyzone.core.clock import SystemClock
from safetyzone.core.db import Database
from safetyzone.core.security import system_scope
from safetyzone.demo.coverage import VIEW_NOTE
from safetyzone.demo.loader import load_demo
from safetyzone.demo.recording import MAX_CAMERAS
from safetyzone.org import service as org
from safetyzone.video import coverage_service
from safetyzone.video.recording.models import RecordingMode, RecordingPolicy

SEED_STATIONS = ("MPB-PHASI-CHAROEN", "PPR2-MUEANG-RAYONG", "PPR6-MUEANG-PHITSANULOK",
                 "PPR1-MUEANG-ANG-THONG")


@pytest.fixture(scope="module")
def loaded(backend: str, request: pytest.FixtureRequest,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Database, Path]]:
    directory = tmp_path_factory.mktemp(f"demo-coverage-{backend}")
    db = Database(fresh_db_url(backend, request, directory, with_world=False))
    load_demo(db, Settings(environment="test", data_dir=directory, secret_key=SECRET))
    yield db, directory
    db.dispose()


def test_each_seed_zone_has_real_coverage_figures(loaded: tuple[Database, Path]) -> None:
    db, _ = loaded
    with db.read() as s:
        reports = {code: coverage_service.report(s, scope=system_scope(), clock=SystemClock(),
                                                 station_code=code) for code in SEED_STATIONS}
    for code, report in reports.items():
        places = sum(c.total for c in report.counts.values())
        assert places > 0, code
        assert all(c.covered + c.uncovered == c.total for c in report.counts.values())
        assert report.cameras_total > 0 and report.cameras_direction_unknown == 0
        assert all(c.view_note == VIEW_NOTE and c.purposes for c in report.cameras), code
        assert all(c.range_assumed for c in report.cameras)  # nobody measured a range
        police = any(c.owner_class == "police" for c in report.cameras)
        assert sum(c.ptz for c in report.cameras) == (1 if police else 0), code
    # Phasi Charoen: 216 cameras over 111 points in 1.16 km² see some of its places, not all;
    # its 44 shop points have premises, and some cameras face into them.
    pcr = reports["MPB-PHASI-CHAROEN"]
    assert pcr.cameras_total == 216
    covered = sum(c.covered for c in pcr.counts.values())
    uncovered = sum(c.uncovered for c in pcr.counts.values())
    assert covered > 0 and uncovered > 0
    assert len(pcr.private_areas) == 44
    assert 0 < pcr.cameras_at_private_space < pcr.cameras_total
    assert all(a.synthetic for a in pcr.private_areas)


def test_loading_again_adds_no_second_premises(loaded: tuple[Database, Path]) -> None:
    db, directory = loaded
    with db.read() as s:
        before = coverage_service.report(s, scope=system_scope(), clock=SystemClock(),
                                         station_code="MPB-PHASI-CHAROEN")
    load_demo(db, Settings(environment="test", data_dir=directory, secret_key=SECRET))
    with db.read() as s:
        after = coverage_service.report(s, scope=system_scope(), clock=SystemClock(),
                                        station_code="MPB-PHASI-CHAROEN")
    assert len(after.private_areas) == len(before.private_areas)
    assert after.counts == before.counts


def test_the_demo_records_its_first_zones_sos_cameras_on_alarm_and_keeps_a_chosen_policy(
    loaded: tuple[Database, Path],
) -> None:
    """So that a newcomer's first SOS gives footage to cut a clip from (demo.recording)."""
    db, directory = loaded
    with db.read() as s:
        policies = list(s.scalars(select(RecordingPolicy)))
        stations = {p.station_id for p in policies}
        pcr = org.get_station(s, scope=system_scope(), code="MPB-PHASI-CHAROEN").id
    assert 1 <= len(policies) <= MAX_CAMERAS and stations == {pcr}
    assert all(p.mode is RecordingMode.ON_ALARM and p.pre_roll_s == 30 for p in policies)
    chosen = policies[0].camera_id
    with db.write() as s:
        s.get(RecordingPolicy, chosen).mode = RecordingMode.NONE  # someone turned it off
    load_demo(db, Settings(environment="test", data_dir=directory, secret_key=SECRET))
    with db.read() as s:
        assert s.get(RecordingPolicy, chosen).mode is RecordingMode.NONE
        assert len(list(s.scalars(select(RecordingPolicy)))) == len(policies)
