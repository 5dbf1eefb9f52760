"""The program view: stations side by side with their rollout and the period's incidents,
regions summed over known populations only, phases counted step by step, scope, and the
recorded start (validated, audited)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from safetyzone.audit.models import AuditEntry
from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from safetyzone.core.errors import InvalidInput, NotFound, PermissionDenied
from safetyzone.core.security import Scope
from safetyzone.measure import program
from safetyzone.measure.models import FactStatus
from safetyzone.measure.program_schemas import ProgramOverview, RolloutIn
from safetyzone.ops.models import IncidentState
from safetyzone.org.models import OrgUnit
from support.program import ADMIN, add_duty, add_incident, population, scope_of
from support.world import World

NOW = datetime(2026, 1, 1, tzinfo=UTC)  # 07:00 in Bangkok


def rollout(db: Database, clock: ManualClock, code: str, data: RolloutIn,
            scope: Scope = ADMIN) -> RolloutIn:
    with db.write() as session:
        return program.set_rollout(session, scope=scope, clock=clock, station_code=code,
                                   data=data)


def overview(db: Database, scope: Scope = ADMIN, **kw: datetime) -> ProgramOverview:
    with db.read() as session:
        return program.overview(session, scope=scope, now=NOW, **kw)


@pytest.fixture
def country(db: Database, world: World, clock: ManualClock) -> None:
    """ST-A: a pilot, started, staffed, 10,000 people; ST-B: phase 2, not started, its
    last duty 30 h ago, population unknown; ST-C (another region): no phase, 5,000 people
    about."""
    population(db, clock, "ST-A", 10_000, FactStatus.EXACT)
    population(db, clock, "ST-C", 5_000, FactStatus.APPROXIMATE)
    rollout(db, clock, "ST-A", RolloutIn(started_on=date(2021, 9, 21), phase=1,
                                         source="program launch, seed 003"))
    rollout(db, clock, "ST-B", RolloutIn(phase=2))
    for days in (1, 2, 29):
        add_incident(db, "ST-A", NOW - timedelta(days=days))
    add_incident(db, "ST-A", NOW - timedelta(days=40))  # before the period
    add_incident(db, "ST-A", NOW - timedelta(hours=1), IncidentState.NEW)
    add_incident(db, "ST-B", NOW - timedelta(days=3))
    add_incident(db, "ST-B", NOW - timedelta(days=4))
    add_incident(db, "ST-C", NOW - timedelta(days=5))
    add_duty(db, "ST-A", NOW - timedelta(hours=3), None)
    add_duty(db, "ST-B", NOW - timedelta(hours=38), NOW - timedelta(hours=30))


def test_stations_side_by_side_with_rollout_and_rates(db: Database, country: None) -> None:
    got = overview(db)
    # The KPIs' default period: from Bangkok midnight 30 days ago (UTC+7) until now.
    assert got.until == NOW
    assert got.since == datetime(2025, 12, 1, 17, tzinfo=UTC)
    rows = {r.station_code: r for r in got.stations}
    assert list(rows) == ["ST-A", "ST-B", "ST-C"]
    a, b, c = rows["ST-A"], rows["ST-B"], rows["ST-C"]
    assert (a.incidents, a.open_now, b.incidents, c.incidents) == (4, 1, 2, 1)
    assert a.incidents_per_1000.value == pytest.approx(0.4)
    assert a.incidents_per_1000.status is FactStatus.EXACT
    assert b.incidents_per_1000.value is None
    assert b.incidents_per_1000.status is FactStatus.UNKNOWN
    assert c.incidents_per_1000.value == pytest.approx(0.2)
    assert c.incidents_per_1000.status is FactStatus.APPROXIMATE
    assert (a.region_code, a.province_code, c.region_code) == ("REG-1", "PROV-1", "REG-2")
    assert (a.phase, b.phase, c.phase) == (1, 2, None)
    ra, rb, rc = a.rollout, b.rollout, c.rollout
    assert ra.started and ra.started_on == date(2021, 9, 21)
    assert ra.source == "program launch, seed 003"
    assert (ra.zones, ra.cameras, ra.operators) == (1, 2, 1)
    assert ra.staffed and ra.last_on_duty_at == NOW and ra.complete
    assert not rb.started and not rb.staffed and not rb.complete
    assert rb.last_on_duty_at == NOW - timedelta(hours=30)
    assert (rb.zones, rb.cameras, rb.operators) == (1, 2, 1)
    assert (rc.operators, rc.last_on_duty_at, rc.complete) == (0, None, False)


def test_regions_sum_their_stations_and_rate_over_known_populations(
        db: Database, country: None) -> None:
    regions = {r.region_code: r for r in overview(db).regions}
    one = regions["REG-1"]
    assert (one.stations, one.started, one.complete, one.incidents, one.open_now) == (
        2, 1, 1, 6, 1)
    assert (one.cameras, one.population_known, one.stations_with_population) == (4, 10_000, 1)
    # ST-B's population is unknown: its 2 incidents are left out of the rate, not spread
    # over ST-A's people.
    assert one.incidents_per_1000 == pytest.approx(0.4)
    assert regions["REG-2"].incidents_per_1000 == pytest.approx(0.2)


def test_phases_count_each_step(db: Database, country: None) -> None:
    phases = {p.phase: p for p in overview(db).phases}
    assert list(phases) == [1, 2, 3, 4, None]
    pilots = phases[1]
    assert (pilots.target, pilots.stations, pilots.started, pilots.zone_defined,
            pilots.cameras_joined, pilots.staffed, pilots.complete) == (15, 1, 1, 1, 1, 1, 1)
    second = phases[2]
    assert (second.target, second.stations, second.started, second.zone_defined,
            second.cameras_joined, second.staffed, second.complete) == (100, 1, 0, 1, 1, 0, 0)
    assert (phases[3].stations, phases[4].stations, phases[None].stations) == (0, 0, 1)


def test_a_period_moves_the_counts_and_bad_periods_are_refused(
        db: Database, country: None) -> None:
    got = overview(db, since=NOW - timedelta(days=45), until=NOW - timedelta(days=10))
    rows = {r.station_code: r.incidents for r in got.stations}
    assert rows == {"ST-A": 2, "ST-B": 0, "ST-C": 0}
    with pytest.raises(InvalidInput, match="must end after it starts"):
        overview(db, since=NOW, until=NOW)
    with pytest.raises(InvalidInput, match="longer than 1096 days"):
        overview(db, since=NOW - timedelta(days=1200), until=NOW)


def test_a_region_sees_its_stations_and_a_station_its_own(db: Database, country: None) -> None:
    region = overview(db, scope_of(db, "reg1.commander"))
    assert [r.station_code for r in region.stations] == ["ST-A", "ST-B"]
    assert [r.region_code for r in region.regions] == ["REG-1"]
    assert sum(p.stations for p in region.phases) == 2
    station = overview(db, scope_of(db, "a.operator"))
    assert [r.station_code for r in station.stations] == ["ST-A"]
    with pytest.raises(PermissionDenied):
        overview(db, scope_of(db, "a.shop"))


def test_recording_a_start_is_checked_scoped_and_audited(
        db: Database, world: World, clock: ManualClock) -> None:
    clock.advance(timedelta(days=365 * 5))
    with pytest.raises(InvalidInput, match="needs its source"):
        rollout(db, clock, "ST-A", RolloutIn(started_on=date(2022, 1, 1)))
    with pytest.raises(InvalidInput, match="once it happened"):
        rollout(db, clock, "ST-A", RolloutIn(started_on=date(2040, 1, 1), source="plan"))
    with pytest.raises(InvalidInput, match="began in 2021"):
        rollout(db, clock, "ST-A", RolloutIn(started_on=date(2019, 1, 1), source="x"))
    with pytest.raises(NotFound):
        rollout(db, clock, "ST-B", RolloutIn(phase=2), scope=scope_of(db, "a.commander"))
    with pytest.raises(PermissionDenied):
        rollout(db, clock, "ST-A", RolloutIn(phase=2), scope=scope_of(db, "a.operator"))
    with db.read() as session:
        assert session.scalars(select(AuditEntry).where(
            AuditEntry.action == "measure.rollout.set")).all() == []
    commander = scope_of(db, "a.commander")
    rollout(db, clock, "ST-A", RolloutIn(started_on=date(2021, 9, 21), phase=1,
                                         source=" order 1/2564 "), scope=commander)
    rollout(db, clock, "ST-A", RolloutIn(started_on=date(2022, 3, 1), phase=2,
                                         source="order 2/2565"), scope=commander)
    with db.read() as session:
        entries = session.scalars(select(AuditEntry).where(
            AuditEntry.action == "measure.rollout.set").order_by(AuditEntry.id)).all()
        assert [e.username for e in entries] == ["a.commander", "a.commander"]
        assert entries[0].detail["after"] == {"started_on": "2021-09-21", "phase": 1,
                                              "source": "order 1/2564"}
        assert entries[1].detail["before"] == entries[0].detail["after"]
        unit = session.scalars(select(OrgUnit).where(OrgUnit.code == "ST-A")).one()
        assert unit.pilot_phase == 2
