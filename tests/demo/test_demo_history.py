"""The demo's synthetic past: seeded once, marked as demo data everywhere, plausible, and
enough for the KPIs, the scorecard and the hotspot maps to show figures."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from shapely.geometry import Point, shape
from sqlalchemy import func, select

from conftest import SECRET, fresh_db_url
from safetyzone.audit.models import AuditEntry
from safetyzone.citizen.models import CitizenItem
from safetyzone.citizen.taxonomy import ItemState
from safetyzone.config import Settings
from safetyzone.core.clock import BANGKOK, ManualClock
from safetyzone.core.db import Database
from safetyzone.core.geo import haversine_m
from safetyzone.core.security import system_scope
from safetyzone.demo import history
from safetyzone.demo.history_common import MARK_EN, MARK_TH, PROFILES
from safetyzone.demo.loader import load_demo
from safetyzone.demo.patrol_plans import spot_code
from safetyzone.measure import hotspot_service, kpis, program, scorecard
from safetyzone.measure.hotspot_schemas import CellQuery
from safetyzone.ops.models import Assignment, Incident, IncidentCall, IncidentLog
from safetyzone.ops.shiftlog_models import DutyShift, ShiftLogEntry
from safetyzone.org import service as org
from safetyzone.org import zones
from safetyzone.patrol.plan_models import PatrolPlan, PlanTarget, PlanVisit
from safetyzone.patrol.riskspots import list_spots
from safetyzone.patrol.track_models import Presence
from safetyzone.poll.models import Poll, PollBallot, PollResponse, PollStatus
from safetyzone.video.models import CameraHealth

DAYS = 30
NOW = datetime(2026, 11, 20, 3, 30, tzinfo=UTC)  # 10.30 in Bangkok
ZONES = {"MPB-PHASI-CHAROEN": "PCR-KBL", "PPR2-MUEANG-RAYONG": "RYG-CITY",
         "PPR6-MUEANG-PHITSANULOK": "PLK-BKL", "PPR1-MUEANG-ANG-THONG": "ATG-KRS"}
WITH_OPERATOR = {"MPB-PHASI-CHAROEN", "PPR2-MUEANG-RAYONG", "PPR6-MUEANG-PHITSANULOK"}
TABLES = (Incident, IncidentCall, IncidentLog, Assignment, CitizenItem, Poll, PollResponse,
          PollBallot, PatrolPlan, PlanTarget, PlanVisit, DutyShift, ShiftLogEntry,
          CameraHealth, Presence, AuditEntry)


@pytest.fixture(scope="module")
def seeded(backend: str, request: pytest.FixtureRequest,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Database, Settings,
                                                                     history.HistoryResult]]:
    """The demo and 30 days of its history, once per backend for this module."""
    folder = tmp_path_factory.mktemp(f"history-{backend}")
    db = Database(fresh_db_url(backend, request, folder, with_world=False))
    settings = Settings(environment="test", data_dir=folder, secret_key=SECRET)
    load_demo(db, settings, clock=ManualClock(NOW))
    result = history.seed_history(db, settings, days=DAYS, clock=ManualClock(NOW))
    yield db, settings, result
    db.dispose()


def _ids(db: Database) -> dict[str, object]:
    scope = system_scope()
    with db.read() as s:
        return {code: org.get_station(s, scope=scope, code=code).id for code in ZONES}


def _counts(db: Database) -> dict[str, int]:
    with db.read() as s:
        return {t.__tablename__: int(s.scalar(select(func.count()).select_from(t)) or 0)
                for t in TABLES}


def test_a_second_seeding_adds_nothing(
        seeded: tuple[Database, Settings, history.HistoryResult]) -> None:
    db, settings, first = seeded
    assert first.seeded and first.counts["stations"] == 4
    before = _counts(db)
    again = history.seed_history(db, settings, days=90, clock=ManualClock(NOW + timedelta(1)))
    assert (again.seeded, again.days) == (False, DAYS)  # the first seeding's length
    assert "already there" in again.summary
    assert _counts(db) == before
    with db.read() as s:
        markers = s.scalars(select(AuditEntry).where(AuditEntry.action == history.MARKER)).all()
    assert len(markers) == 1 and markers[0].detail["synthetic"] is True
    assert markers[0].detail["incidents"] == first.counts["incidents"]


def test_the_days_are_bounded(seeded: tuple[Database, Settings, history.HistoryResult]) -> None:
    db, settings, _ = seeded
    for days in (0, history.MAX_DAYS + 1):
        with pytest.raises(ValueError, match="history days"):
            history.seed_history(db, settings, days=days)


def test_everything_made_says_it_is_demo_data(
        seeded: tuple[Database, Settings, history.HistoryResult]) -> None:
    db, _, _ = seeded
    with db.read() as s:
        incidents = s.scalars(select(Incident)).all()
        assert incidents
        assert all(i.title_th.endswith(MARK_TH) and i.title_en.endswith(MARK_EN)
                   and i.detail["synthetic"] is True for i in incidents)
        created = s.scalars(select(IncidentLog.text).where(IncidentLog.entry == "created"))
        assert all("ข้อมูลสาธิต" in (t or "") and "demo data" in (t or "") for t in created)
        assert all(c.external_ref is None or c.external_ref.startswith("DEMO-")
                   for c in s.scalars(select(IncidentCall)))
        reports = s.scalars(select(CitizenItem)).all()
        assert reports and all(MARK_TH in r.description and MARK_EN in r.description
                               for r in reports)
        polls = s.scalars(select(Poll)).all()
        assert len(polls) == 4
        assert all(MARK_TH in p.wave_name and MARK_EN in p.wave_name for p in polls)
        assert all(p.name.endswith(MARK_TH) for p in s.scalars(
            select(PatrolPlan).where(PatrolPlan.ends_at < NOW)))
        assert all(MARK_EN in (h.detail or "") for h in s.scalars(select(CameraHealth)))
        assert all(MARK_EN in (e.text or "") for e in s.scalars(select(ShiftLogEntry)))


def test_seed_figures_are_not_invented(
        seeded: tuple[Database, Settings, history.HistoryResult]) -> None:
    """Only Mueang Phitsanulok's seed gives the station's population; the others stay
    unknown, so the per-person indicators score nobody rather than a made-up figure."""
    db, _, _ = seeded
    with db.read() as s:
        view = program.overview(s, scope=system_scope(), now=NOW)
    people = {r.station_code: r.population for r in view.stations if r.station_code in ZONES}
    assert people == {"MPB-PHASI-CHAROEN": None, "PPR2-MUEANG-RAYONG": None,
                      "PPR6-MUEANG-PHITSANULOK": 260734, "PPR1-MUEANG-ANG-THONG": None}


def test_counts_are_plausible(seeded: tuple[Database, Settings, history.HistoryResult]) -> None:
    db, _, result = seeded
    ids = _ids(db)
    with db.read() as s:
        incidents = s.scalars(select(Incident)).all()
        by_station = Counter(i.station_id for i in incidents)
        for code, station_id in ids.items():
            rate = PROFILES[code].incidents_per_day
            assert rate * DAYS * 0.6 < by_station[station_id] < rate * DAYS * 1.4, code
        assert len(incidents) == result.counts["incidents"]
        hours = Counter(i.opened_at.astimezone(BANGKOK).hour for i in incidents)
        assert sum(hours[h] for h in (19, 20, 21)) > 2 * sum(hours[h] for h in (3, 4, 5))
        p1 = [i for i in incidents if i.priority == 1]
        assert 0.05 < len(p1) / len(incidents) < 0.4
        assert all(i.closed_at is not None and i.closed_at < NOW for i in incidents)
        reached = [i for i in p1 if i.arrived_at is not None]
        assert len(reached) > len(p1) * 0.9
        assert all(i.opened_at < i.dispatched_at <= i.en_route_at < i.arrived_at  # type: ignore[operator]
                   < i.cleared_at < i.closed_at for i in reached)  # type: ignore[operator]
        assert s.scalar(select(func.count()).select_from(Assignment)) == sum(
            1 for i in incidents if i.dispatched_at is not None)

        polls = s.scalars(select(Poll)).all()
        assert all(p.status is PollStatus.CLOSED for p in polls)
        answers = Counter(s.scalars(select(PollResponse.poll_id)))
        assert all(35 <= answers[p.id] <= 135 for p in polls)
        ballots = Counter(s.scalars(select(PollBallot.poll_id)))
        assert ballots == answers  # one ballot per response, nothing joining the two

        reports = s.scalars(select(CitizenItem)).all()
        closed = [r for r in reports if r.state is ItemState.CLOSED]
        assert closed == reports  # none left waiting in the live queue
        assert all(r.closed_at is not None and r.created_at < r.closed_at < NOW for r in closed)

        plans = Counter(s.scalars(select(PatrolPlan.station_id).where(PatrolPlan.ends_at < NOW)))
        assert all(DAYS - 1 <= plans[i] <= DAYS + 1 for i in ids.values())
        duties = s.scalars(select(DutyShift)).all()
        assert {d.station_id for d in duties} == {ids[c] for c in WITH_OPERATOR}
        still_on = Counter(d.station_id for d in duties if d.ended_at is None)
        assert still_on == Counter({ids[c]: 1 for c in WITH_OPERATOR})
        assert s.scalar(select(func.count()).select_from(CameraHealth)) == result.counts[
            "camera_states"] > 800


def test_incidents_cluster_around_two_risk_spots(
        seeded: tuple[Database, Settings, history.HistoryResult]) -> None:
    db, _, _ = seeded
    scope = system_scope()
    ids = _ids(db)
    with db.read() as s:
        for code, zone_code in ZONES.items():
            spots = {sp.code: sp for sp in list_spots(s, scope=scope, station_id=ids[code])}
            soi = spots[spot_code({"code": zone_code}, 3)]
            points = s.execute(select(Incident.lat, Incident.lon).where(
                Incident.station_id == ids[code])).all()
            near = sum(1 for lat, lon in points if haversine_m(lat, lon, soi.lat, soi.lon) < 150)
            area = zones.get_zone_by_code(s, scope=scope, code=zone_code).area_km2
            uniform = math.pi * 0.15**2 / area  # the share a scatter over the zone puts there
            assert near / len(points) > 1.5 * uniform, (code, near / len(points), uniform)


def test_the_kpis_have_figures_for_the_four_stations(
        seeded: tuple[Database, Settings, history.HistoryResult]) -> None:
    db, _, _ = seeded
    ids = _ids(db)
    window = kpis.window_of(since=None, until=None, now=NOW)
    with db.read() as s:
        found = kpis.kpis_for_stations(s, scope=system_scope(), station_ids=list(ids.values()),
                                       window=window)
    values = {code: {k.key: k.value for k in found[ids[code]]} for code in ZONES}
    for code, figures in values.items():
        for key in ("response_p1", "camera_uptime", "fear_of_crime", "incidents",
                    "patrol_compliance", "patrol_presence", "report_resolution",
                    "confidence_police", "worry_burglary"):
            assert figures[key] is not None, (code, key)
        assert figures["homewatch_coverage"] is None  # nothing was seeded: no figure, not 0
    # Stations differ, so a scorecard has something to rank.
    assert len({v["response_p1"] for v in values.values()}) == 4
    assert values["MPB-PHASI-CHAROEN"]["response_p1"] < values["PPR1-MUEANG-ANG-THONG"][
        "response_p1"]
    assert values["PPR1-MUEANG-ANG-THONG"]["camera_uptime"] < values["MPB-PHASI-CHAROEN"][
        "camera_uptime"]


def test_the_scorecard_scores_the_seeded_stations(
        seeded: tuple[Database, Settings, history.HistoryResult]) -> None:
    db, _, _ = seeded
    with db.read() as s:
        card = scorecard.scorecard(s, scope=system_scope(), now=NOW)
        view = program.overview(s, scope=system_scope(), now=NOW)
    overall = {st.station_code: st.overall for st in card.stations}
    assert all(overall[code] is not None for code in ZONES)
    assert all(v is None for code, v in overall.items() if code not in ZONES)
    assert len({overall[code] for code in ZONES}) == 4
    staffed = {r.station_code: r.rollout.staffed for r in view.stations if r.station_code in ZONES}
    assert staffed == {code: code in WITH_OPERATOR for code in ZONES}


def test_gi_star_finds_a_hot_cell_on_a_seeded_cluster(
        seeded: tuple[Database, Settings, history.HistoryResult]) -> None:
    db, _, _ = seeded
    scope = system_scope()
    ids = _ids(db)
    found = {}
    with db.read() as s:
        for code, zone_code in ZONES.items():
            layer = hotspot_service.cells(s, scope=scope, clock=ManualClock(NOW),
                                          q=CellQuery(station_code=code, method="gi_star"))
            spots = {sp.code: sp for sp in list_spots(s, scope=scope, station_id=ids[code])}
            centres = [spots[spot_code({"code": zone_code}, i)] for i in (1, 3)]
            hot = [shape(f.geometry) for f in layer.features if f.properties["class"] == "hot"]
            found[code] = any(cell.distance(Point(c.lon, c.lat)) < 0.002  # about 200 m
                              for cell in hot for c in centres)
    assert all(found.values()), found
