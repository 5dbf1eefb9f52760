"""The WISPI-style scorecard: min-max rescaling as the index does it, lower-is-better
indicators turned round, stations without a figure left out (never 0), domains and the
whole as means, regions as their stations' mean, and scores relative to the scope shown."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from safetyzone.core.errors import InvalidInput, PermissionDenied
from safetyzone.core.security import Scope
from safetyzone.measure import scorecard
from safetyzone.measure.kpi_catalog import Direction
from safetyzone.measure.models import FactStatus
from safetyzone.measure.scorecard_schemas import Scorecard
from support.program import ADMIN, add_incident, population, scope_of
from support.world import World

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def card(db: Database, scope: Scope = ADMIN) -> Scorecard:
    with db.read() as session:
        return scorecard.scorecard(session, scope=scope, now=NOW)


@pytest.fixture
def country(db: Database, world: World, clock: ManualClock) -> None:
    """ST-A: 10,000 people, 1 operator, 2 cameras, 3 incidents; ST-B: 20,000 people, 1
    operator, 2 cameras, 1 incident; ST-C: population unknown. No KPI data at all."""
    population(db, clock, "ST-A", 10_000, FactStatus.EXACT)
    population(db, clock, "ST-B", 20_000, FactStatus.EXACT)
    for days in (1, 2, 3):
        add_incident(db, "ST-A", NOW - timedelta(days=days))
    add_incident(db, "ST-B", NOW - timedelta(days=1))
    add_incident(db, "ST-C", NOW - timedelta(days=1))


def test_rescale_is_min_max_with_the_direction_and_needs_a_spread() -> None:
    values = {1: 10.0, 2: 5.0, 3: 7.5}  # type: ignore[dict-item]
    assert scorecard.rescale(values, Direction.HIGHER) == {1: 1.0, 2: 0.0, 3: 0.5}
    assert scorecard.rescale(values, Direction.LOWER) == {1: 0.0, 2: 1.0, 3: 0.5}
    assert scorecard.rescale({1: 4.0}, Direction.HIGHER) == {1: None}  # type: ignore[dict-item]
    assert scorecard.rescale({1: 4.0, 2: 4.0}, Direction.HIGHER) == {  # type: ignore[dict-item]
        1: None, 2: None}


def test_stations_are_scored_on_what_they_have_and_regions_average_them(
        db: Database, country: None) -> None:
    got = card(db)
    assert got.compared == 3
    assert [i.domain for i in got.indicators].count("capacity") == 4
    assert all(i.definition and i.formula and i.source for i in got.indicators)
    rows = {s.station_code: s for s in got.stations}
    a = {v.key: v for v in rows["ST-A"].values}
    b = {v.key: v for v in rows["ST-B"].values}
    c = {v.key: v for v in rows["ST-C"].values}
    assert (a["operators_per_100k"].value, b["operators_per_100k"].value) == (10.0, 5.0)
    assert (a["operators_per_100k"].score, b["operators_per_100k"].score) == (100.0, 0.0)
    assert (a["cameras_per_1000"].value, a["cameras_per_1000"].n) == (0.2, 2)
    assert a["incidents_per_1000"].value == pytest.approx(0.3)
    assert b["incidents_per_1000"].value == pytest.approx(0.05)
    # Fewer incidents per person is better: turned round.
    assert (a["incidents_per_1000"].score, b["incidents_per_1000"].score) == (0.0, 100.0)
    # Unknown population: no value and no score, never a 0 that would rank it last.
    assert c["operators_per_100k"].value is None and c["operators_per_100k"].score is None
    assert c["incidents_per_1000"].score is None
    domains = {d.domain: d for d in rows["ST-A"].domains}
    assert (domains["capacity"].score, domains["capacity"].indicators,
            domains["capacity"].of) == (100.0, 2, 4)
    assert (domains["outcomes"].score, domains["process"].score) == (0.0, None)
    assert rows["ST-A"].overall == 50.0 and rows["ST-B"].overall == 50.0
    assert rows["ST-C"].overall is None
    regions = {r.region_code: r for r in got.regions}
    one = regions["REG-1"]
    assert (one.stations, one.scored, one.overall) == (2, 2, 50.0)
    assert {d.domain: d.score for d in one.domains}["capacity"] == 50.0
    assert (regions["REG-2"].scored, regions["REG-2"].overall) == (0, None)


def test_scores_are_relative_to_the_stations_in_scope(db: Database, country: None) -> None:
    region = card(db, scope_of(db, "reg1.commander"))
    assert region.compared == 2 and [s.station_code for s in region.stations] == [
        "ST-A", "ST-B"]
    alone = card(db, scope_of(db, "a.operator"))
    assert alone.compared == 1
    # One station has nothing to be compared with: its figures, no scores.
    [only] = alone.stations
    assert {v.key: v.value for v in only.values}["operators_per_100k"] == 10.0
    assert all(v.score is None for v in only.values) and only.overall is None
    with pytest.raises(PermissionDenied):
        card(db, scope_of(db, "a.shop"))
    with db.read() as session, pytest.raises(InvalidInput):
        scorecard.scorecard(session, scope=ADMIN, now=NOW, since=NOW, until=NOW)
