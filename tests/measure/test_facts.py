"""Station and zone facts: status (exact, approximate, unknown), sources, rates over them,
who may set them (audited), scope, and the demo's seed figures."""

from __future__ import annotations

import math

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from safetyzone.audit.models import AuditEntry
from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from safetyzone.core.errors import InvalidInput, NotFound, PermissionDenied
from safetyzone.core.security import Scope, system_scope
from safetyzone.measure import facts
from safetyzone.measure.models import FactStatus
from safetyzone.measure.schemas import FactIn, Figure
from safetyzone.org import auth
from safetyzone.org.models import User
from support.world import World

ADMIN = system_scope("facts-test")


def user_scope(db: Database, username: str) -> Scope:
    with db.read() as session:
        user = session.scalars(select(User).where(User.username == username)).one()
        return auth.scope_for(session, user)


def put(db: Database, clock: ManualClock, key: str, data: FactIn, station: str = "ST-A",
        scope: Scope = ADMIN) -> Figure:
    with db.write() as session:
        return facts.set_fact(session, scope=scope, clock=clock, station_code=station, key=key,
                              data=data)


def read(db: Database, station: str = "ST-A", scope: Scope = ADMIN) -> facts.StationFacts:
    with db.read() as session:
        return facts.station_facts(session, scope=scope, station_code=station)


def test_unset_figures_are_unknown_and_zones_have_their_boundary_area(
        db: Database, world: World) -> None:
    got = read(db)
    assert got.area_km2.status is FactStatus.UNKNOWN and got.area_km2.value is None
    assert got.population.status is FactStatus.UNKNOWN
    assert {f.status for f in got.facts} == {FactStatus.UNKNOWN}
    zone = got.zones[0]
    # The world's zones are 0.008° squares at 13.7° N: about 0.889 km x 0.865 km.
    side_ns = 0.008 * 111.0
    side_ew = 0.008 * 111.32 * math.cos(math.radians(13.73))
    assert zone.boundary_area_km2.value == pytest.approx(side_ns * side_ew, rel=0.01)
    assert zone.boundary_area_km2.unit == "km2"


def test_set_station_and_zone_figures_with_status_source_and_audit(
        db: Database, world: World, clock: ManualClock) -> None:
    area = put(db, clock, "area_km2", FactIn(value=593.96, status=FactStatus.EXACT,
                                             source="seed 002"))
    assert (area.value, area.status, area.source) == (593.96, FactStatus.EXACT, "seed 002")
    put(db, clock, "population", FactIn(value=260734, status=FactStatus.EXACT,
                                        source="seed 002"))
    zone_code = read(db).zones[0].zone_code
    put(db, clock, "population", FactIn(value=4589, status=FactStatus.APPROXIMATE,
                                        source="seed 002 (ประมาณ)", zone_code=zone_code))
    put(db, clock, "plate_reading_cameras", FactIn(status=FactStatus.UNKNOWN,
                                                   note="not stated in seed 002"))
    put(db, clock, "big6_group_name", FactIn(value="ภาคีเครือข่ายป้องกันอาชญากรรม (Big 6)",
                                             status=FactStatus.EXACT, source="seed 002"))
    got = read(db)
    assert (got.area_km2.value, got.population.value) == (593.96, 260734.0)
    zone = got.zones[0]
    assert (zone.population.value, zone.population.status) == (4589.0, FactStatus.APPROXIMATE)
    by_key = {f.key: f for f in got.facts}
    assert by_key["plate_reading_cameras"].status is FactStatus.UNKNOWN
    assert by_key["plate_reading_cameras"].note == "not stated in seed 002"
    assert by_key["big6_group_name"].value == "ภาคีเครือข่ายป้องกันอาชญากรรม (Big 6)"
    # Setting again replaces the figure; the audit row holds before and after.
    put(db, clock, "area_km2", FactIn(value=600, status=FactStatus.APPROXIMATE,
                                      source="survey"))
    with db.read() as session:
        entries = session.scalars(select(AuditEntry).where(
            AuditEntry.action == "measure.fact.set").order_by(AuditEntry.id)).all()
    assert len(entries) == 6
    assert entries[-1].detail["before"]["value"] == 593.96
    assert entries[-1].detail["after"] == {"value": 600.0, "status": "approximate",
                                           "source": "survey"}


def test_rates_per_1000_people_and_per_km2_carry_the_denominator_status(
        db: Database, world: World, clock: ManualClock) -> None:
    put(db, clock, "area_km2", FactIn(value=593.96, status=FactStatus.EXACT, source="seed 002"))
    zone_code = read(db).zones[0].zone_code
    put(db, clock, "population", FactIn(value=4589, status=FactStatus.APPROXIMATE,
                                        source="seed 002", zone_code=zone_code))
    got = read(db)
    station_rate = facts.per_km2(1188, got.area_km2)
    assert station_rate.value == pytest.approx(2.0001, rel=1e-4)
    assert station_rate.status is FactStatus.EXACT
    unknown = facts.per_1000_people(50, got.population)
    assert (unknown.value, unknown.status) == (None, FactStatus.UNKNOWN)
    zone_rate = facts.per_1000_people(46, got.zones[0].population)
    assert zone_rate.value == pytest.approx(46 * 1000 / 4589)
    assert zone_rate.status is FactStatus.APPROXIMATE


@pytest.mark.parametrize(("key", "data", "field"), [
    ("area_km2", FactIn(value=-1, status=FactStatus.EXACT, source="x"), "value"),
    ("area_km2", FactIn(value="big", status=FactStatus.EXACT, source="x"), "value"),
    ("area_km2", FactIn(value=float("nan"), status=FactStatus.EXACT, source="x"), "value"),
    ("area_km2", FactIn(status=FactStatus.EXACT, source="x"), "value"),
    ("area_km2", FactIn(value=5, status=FactStatus.UNKNOWN), "value"),
    ("area_km2", FactIn(value=5, status=FactStatus.EXACT), "source"),
    ("big6_group_name", FactIn(value=5, status=FactStatus.EXACT, source="x"), "value"),
    ("big6_zone_name", FactIn(value="x", status=FactStatus.EXACT, source="x"), "zone_code"),
], ids=["negative", "text-for-number", "nan", "no-value", "unknown-with-value", "no-source",
        "number-for-text", "zone-key-on-station"])
def test_bad_figures_are_refused_and_change_nothing(
        db: Database, world: World, clock: ManualClock, key: str, data: FactIn,
        field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        put(db, clock, key, data)
    assert {p.field for p in caught.value.problems} == {field}
    assert {f.status for f in read(db).facts} == {FactStatus.UNKNOWN}
    with pytest.raises(NotFound):
        put(db, clock, "no_such_key", FactIn(status=FactStatus.UNKNOWN))


def test_only_admins_and_commanders_set_and_scope_holds(
        db: Database, world: World, clock: ManualClock) -> None:
    data = FactIn(value=10, status=FactStatus.EXACT, source="x")
    with pytest.raises(PermissionDenied):
        put(db, clock, "area_km2", data, scope=user_scope(db, "a.operator"))
    with pytest.raises(NotFound):
        put(db, clock, "area_km2", data, station="ST-B", scope=user_scope(db, "a.commander"))
    put(db, clock, "area_km2", data, scope=user_scope(db, "a.commander"))
    # A zone of another station cannot be named through this one.
    other_zone = read(db, "ST-B").zones[0].zone_code
    with pytest.raises(NotFound):
        put(db, clock, "population", FactIn(value=1, status=FactStatus.EXACT, source="x",
                                            zone_code=other_zone))
    region = user_scope(db, "reg1.commander")
    assert read(db, "ST-A", region).area_km2.value == 10
    with pytest.raises(NotFound):
        read(db, "ST-C", region)
    with pytest.raises(PermissionDenied):
        read(db, "ST-A", user_scope(db, "a.shop"))


def test_facts_over_http(client: TestClient, world: World) -> None:
    commander = world.headers(client, "a.commander")
    url = "/api/v1/stations/ST-A/facts"
    made = client.put(f"{url}/population", headers=commander, json={
        "value": 260734, "status": "exact", "source": "seed 002"})
    assert made.status_code == 200, made.text
    got = client.get(url, headers=world.headers(client, "a.viewer")).json()
    assert got["population"] == {**got["population"], "value": 260734.0, "status": "exact"}
    assert client.put(f"{url}/population", headers=commander, json={
        "value": 1, "status": "exact"}).status_code == 422
    assert client.put(f"{url}/population", headers=world.headers(client, "a.operator"), json={
        "value": 1, "status": "exact", "source": "x"}).status_code == 403
