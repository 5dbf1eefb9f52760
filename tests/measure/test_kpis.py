"""KPIs per station and zone (issue 12.6): each figure from known rows against a value worked
out by hand, Bangkok hours and weekdays, n=0 with a null value on empty data, targets
(defaults, met, a station's own, audited, scoped), the many-stations function's fixed
number of queries, and the docs naming every KPI."""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import event, select

from safetyzone.assets.models import AssetStatus, Camera
from safetyzone.audit.models import AuditEntry
from safetyzone.citizen.taxonomy import ItemKind, ItemState
from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from safetyzone.core.errors import InvalidInput, NotFound, PermissionDenied
from safetyzone.core.security import Scope, system_scope
from safetyzone.measure import kpi_people, kpis
from safetyzone.measure.kpi_catalog import CATALOG
from safetyzone.measure.kpi_common import Window
from safetyzone.measure.kpi_schemas import Kpi, TargetIn
from safetyzone.org import auth, zones
from safetyzone.org.models import OwnerClass, User
from safetyzone.org.schemas import ZoneCreate
from safetyzone.patrol import compliance
from safetyzone.patrol.plan_models import PatrolPlan
from safetyzone.poll import results
from safetyzone.poll.models import PollStatus
from safetyzone.services.homewatch_models import WatchState
from safetyzone.video.models import CameraState
from support import kpis as k
from support.kpis import IN, OUT, bkk
from support.world import World, square

ADMIN = system_scope("kpi-test")
SINCE, UNTIL, NOW = bkk(5), bkk(12), bkk(20)  # a week, Monday 5 to Monday 12 January 2026
DOC = Path(__file__).resolve().parents[2] / "docs" / "measure" / "kpis.md"


def user_scope(db: Database, username: str) -> Scope:
    with db.read() as session:
        return auth.scope_for(session, session.scalars(
            select(User).where(User.username == username)).one())


def station(db: Database, code: str = "ST-A", scope: Scope = ADMIN,
            since: datetime = SINCE) -> dict[str, Kpi]:
    with db.read() as session:
        got = kpis.station_kpis(session, scope=scope, clock=ManualClock(NOW),
                                station_code=code, since=since, until=UNTIL)
    return {kpi.key: kpi for kpi in got.kpis}


def zone(db: Database, code: str = "Z-ST-A", station_code: str = "ST-A") -> dict[str, Kpi]:
    with db.read() as session:
        got = kpis.zone_kpis(session, scope=ADMIN, clock=ManualClock(NOW),
                             station_code=station_code, zone_code=code, since=SINCE,
                             until=UNTIL)
    return {kpi.key: kpi for kpi in got.kpis}


def cells(kpi: Kpi, name: str) -> dict[str, tuple[int, float | None, float | None]]:
    return {c.key: (c.n, c.value, c.p90) for c in kpi.breakdowns[name]}


def test_response_time_and_incidents_by_priority_hour_and_weekday(
        db: Database, world: World) -> None:
    with db.write() as s:
        for opened, kind, minutes in ((bkk(5, 8, 15), "sos", 4), (bkk(5, 8, 40), "sos", 6),
                                      (bkk(6, 22, 10), "sos", 9),
                                      # 01:30 Thursday in Bangkok is still Wednesday in UTC
                                      (bkk(8, 1, 30), "bank_alarm", 12),
                                      (bkk(10, 13), "bank_alarm", 30)):
            k.incident(s, "ST-A", kind=kind, priority=1, opened=opened, arrive_min=minutes)
        k.incident(s, "ST-A", kind="sos", priority=1, opened=bkk(9, 10), arrive_min=1, at=OUT)
        k.incident(s, "ST-A", kind="fight", priority=2, opened=bkk(5, 8, 50), arrive_min=10)
        k.incident(s, "ST-A", kind="fight", priority=2, opened=bkk(11, 23), arrive_min=20)
        k.incident(s, "ST-A", kind="noise", priority=3, opened=bkk(11, 23, 30), arrive_min=None)
        # Outside the period ([since, until)) and at another station: not counted.
        k.incident(s, "ST-A", kind="sos", priority=1, opened=bkk(4, 23, 59), arrive_min=1)
        k.incident(s, "ST-A", kind="sos", priority=1, opened=UNTIL, arrive_min=1)
        k.incident(s, "ST-B", kind="sos", priority=1, opened=bkk(6), arrive_min=2, at=OUT)
    got = station(db)
    response = got["response_p1"]
    # P1 minutes [1, 4, 6, 9, 12, 30]: nearest rank ceil(0.5 x 6) = 3rd -> 6, 90 %: 6th -> 30.
    assert (response.value, response.n, response.unit) == (6.0, 6, "min")
    assert (response.target, response.target_source, response.met) == (10.0, "default", True)
    assert cells(response, "priority") == {"1": (6, 6.0, 30.0), "2": (2, 10.0, 20.0)}
    hours = cells(response, "hour")
    assert hours["8"] == (3, 6.0, 10.0)  # 4, 6 (P1) and 10 (P2) minutes at 08:xx
    assert hours["1"] == (1, 12.0, 12.0) and hours["23"] == (1, 20.0, 20.0)
    assert hours["0"] == (0, None, None) and len(hours) == 24
    count = got["incidents"]
    assert (count.value, count.n, count.target, count.met) == (9.0, 9, None, None)
    assert [(c.key, c.n) for c in count.breakdowns["kind"]] == [
        ("sos", 4), ("bank_alarm", 2), ("fight", 2), ("noise", 1)]
    assert {key: n for key, (n, _, _) in cells(count, "hour").items() if n} == {
        "8": 3, "22": 1, "1": 1, "13": 1, "23": 2, "10": 1}
    assert [c.n for c in count.breakdowns["weekday"]] == [3, 1, 0, 1, 1, 1, 2]  # Mon..Sun
    inside = zone(db)  # the zone leaves out the 1-minute P1 at OUT
    assert (inside["response_p1"].value, inside["response_p1"].n) == (9.0, 5)
    assert inside["incidents"].value == 8.0
    with db.read() as s:
        ids = [k.station_id(s, "ST-A"), k.station_id(s, "ST-B")]
        both = kpis.kpis_for_stations(s, scope=ADMIN, station_ids=ids,
                                      window=Window(SINCE, UNTIL, NOW))
    assert [(x.value, x.n) for x in both[ids[1]] if x.key == "response_p1"] == [(2.0, 1)]


def test_patrol_compliance_counts_red_box_check_ins_like_the_live_status(
        db: Database, world: World) -> None:
    with db.write() as s:
        box, box2 = k.red_box(s, "ST-A", "RB-1"), k.red_box(s, "ST-A", "RB-2")
        ended = k.plan(s, "ST-A", bkk(6, 0), bkk(6, 8))
        k.stay(s, one := k.target(s, ended, kind="risk_spot", visits=2), bkk(6, 1), 90, True)
        k.stay(s, one, bkk(6, 4), 120, True)  # 2 of 2: visited
        k.stay(s, k.target(s, ended, kind="risk_spot", visits=1, minutes=10, at=OUT),
               bkk(6, 2), 300, True)  # 1 visit but 5 of 10 minutes: missed
        k.stay(s, k.target(s, ended, kind="point", visits=1, at=OUT), bkk(6, 3), 30,
               False)  # a drive-past: missed
        # Box 1 asks 3: check-ins at 02:00 and 03:05 (inside a stay 03:00-03:10, the same
        # visit), one after the plan's end: 2 visits, missed.
        rb = k.target(s, ended, kind="red_box", visits=3, ref_id=box)
        k.stay(s, rb, bkk(6, 3), 600, True)
        for at in (bkk(6, 2), bkk(6, 3, 5), bkk(6, 9)):
            k.checkin(s, "ST-A", box, at)
        # Box 2 asks 2: a check-in at 01:00 and a stay at 05:00 without one: visited.
        rb2 = k.target(s, ended, kind="red_box", visits=2, ref_id=box2, at=OUT)
        k.stay(s, rb2, bkk(6, 5), 300, True)
        k.checkin(s, "ST-A", box2, bkk(6, 1))
        k.target(s, k.plan(s, "ST-A", bkk(7), bkk(7, 8), cancelled=True), kind="point",
                 visits=1)  # called off: left out
        k.target(s, k.plan(s, "ST-A", bkk(11, 20), bkk(12, 2)), kind="point",
                 visits=1)  # ends after the period: left out
        k.stay(s, k.target(s, k.plan(s, "ST-B", bkk(6), bkk(6, 8)), kind="point",
                           visits=1, at=OUT), bkk(6, 1), 120, True)
        plan_id = ended.id
    got = station(db)["patrol_compliance"]
    assert (got.value, got.n, got.unit, got.target, got.met) == (40.0, 5, "%", 80.0, False)
    with db.read() as s:  # the live plan status says the same of the ended plan
        live = compliance.target_statuses(s, s.get_one(PatrolPlan, plan_id), NOW)
    assert sorted(t.status for t in live) == ["missed", "missed", "missed", "visited",
                                              "visited"]
    assert cells(got, "kind") == {"point": (1, 0.0, None), "red_box": (2, 50.0, None),
                                  "risk_spot": (2, 50.0, None)}
    inside = zone(db)["patrol_compliance"]  # the first risk spot and box 1
    assert (inside.value, inside.n) == (50.0, 2)
    assert station(db, "ST-B")["patrol_compliance"].value == 100.0


def test_presence_is_unit_hours_per_day_of_the_period(db: Database, world: World) -> None:
    with db.write() as s:
        k.presence(s, "ST-A", 5, IN, 3600)
        k.presence(s, "ST-A", 5, OUT, 1800)
        k.presence(s, "ST-A", 7, IN, 7200)
        k.presence(s, "ST-A", 4, IN, 99_999)  # the day before: left out
        k.presence(s, "ST-A", 12, IN, 99_999)  # the day of until (midnight): left out
    got = station(db)["patrol_presence"]
    # 3,600 + 1,800 + 7,200 s = 3.5 h over 7 days; seen on 2 days.
    assert (got.value, got.n, got.unit, got.target, got.met) == (
        0.5, 2, "unit_h_per_day", 24.0, False)
    inside = zone(db)["patrol_presence"]  # 3 h / 7 days
    assert (inside.value, inside.n) == (round(3 / 7, 2), 2)


def test_camera_uptime_over_the_observed_time_by_owner(db: Database, world: World) -> None:
    with db.write() as s:
        a = k.station_id(s, "ST-A")
        police, shop = (s.scalars(select(Camera.id).where(Camera.code == code)).one()
                        for code in ("ST-A-POLICE-P1-C1", "ST-A-SHOP-P1-C1"))
        k.health(s, police, a, CameraState.ONLINE, bkk(1))  # online all 7 days
        k.health(s, shop, a, CameraState.OFFLINE, bkk(8))  # offline from the 8th: 4 days
        k.camera(s, "ST-A", owner=OwnerClass.CITY, at=OUT, state=CameraState.ONLINE,
                 since=bkk(10))  # online from the 10th: 2 days
        k.camera(s, "ST-A", owner=OwnerClass.CITY, at=OUT, state=CameraState.FROZEN,
                 since=bkk(15))  # changed after the period: not observed in it
        k.camera(s, "ST-A", owner=OwnerClass.CITY, at=OUT, state=None, since=None)
        k.camera(s, "ST-A", owner=OwnerClass.CITY, at=OUT, state=CameraState.OFFLINE,
                 since=bkk(1), status=AssetStatus.RETIRED)  # retired: left out
    got = station(db)["camera_uptime"]
    # Online 7 + 2 camera-days of 7 + 4 + 2 observed: 9 / 13.
    assert (got.value, got.n, got.target, got.met) == (round(900 / 13, 2), 3, 95.0, False)
    assert cells(got, "owner") == {"city": (1, 100.0, None), "police": (1, 100.0, None),
                                   "private_business": (1, 0.0, None)}
    assert {c.key: c.n for c in got.breakdowns["state_now"]} == {
        "online": 2, "offline": 1, "frozen": 1, "unknown": 1}
    assert got.note and "not known" in got.note
    inside = zone(db)["camera_uptime"]  # the police and the shop camera: 7 / 11
    assert (inside.value, inside.n) == (round(700 / 11, 2), 2)


def test_citizen_report_resolution_median_with_the_open_ones_beside(
        db: Database, world: World) -> None:
    with db.write() as s:
        k.report(s, "ST-A", category="street_light", created=bkk(5, 10), hours=2, zone="Z-ST-A")
        k.report(s, "ST-A", category="street_light", created=bkk(6), hours=10, zone="Z-ST-A")
        k.report(s, "ST-A", category="theft", created=bkk(7), hours=50)
        k.report(s, "ST-A", category="theft", created=bkk(8), hours=100)
        k.report(s, "ST-A", category="theft", created=bkk(9), hours=None, zone="Z-ST-A")
        k.report(s, "ST-A", category="theft", created=bkk(9), hours=1,
                 state=ItemState.MERGED)  # joined into another: left out
        k.report(s, "ST-A", category="theft", created=bkk(9), hours=1, kind=ItemKind.TIP)
        k.report(s, "ST-A", category="theft", created=bkk(4), hours=1)  # before the period
    got = station(db)["report_resolution"]
    # Closed [2, 10, 50, 100] hours: nearest rank 2nd -> 10.
    assert (got.value, got.n, got.unit, got.target, got.met) == (10.0, 4, "h", 72.0, True)
    assert cells(got, "category") == {"street_light": (2, 2.0, 10.0),
                                      "theft": (2, 50.0, 100.0)}
    assert cells(got, "state") == {"closed": (4, 4.0, None), "open": (1, 1.0, None)}
    inside = zone(db)["report_resolution"]
    assert (inside.value, inside.n) == (2.0, 2)
    assert cells(inside, "state")["open"] == (1, 1.0, None)


def test_home_watch_coverage_is_watched_days_with_a_visit(db: Database, world: World) -> None:
    with db.write() as s:
        # In care from the period's start (Jan 5) to its closing on Jan 8 noon: 4 days;
        # visited on the 5th (twice) and the 7th.
        k.house(s, "ST-A", state=WatchState.CLOSED, away=(bkk(4, 18), bkk(8, 12)),
                decided=bkk(4, 12), closed=bkk(8, 12), zone="Z-ST-A",
                visits=(bkk(5, 9), bkk(5, 20), bkk(7, 10)))
        # Approved at 15:00 on the 9th (after it began), cancelled at noon on the 10th:
        # 2 days, visited on the 10th.
        k.house(s, "ST-A", state=WatchState.CANCELLED, away=(bkk(9, 8), bkk(20)),
                decided=bkk(9, 15), closed=bkk(10, 12), visits=(bkk(10, 8),))
        # From 20:00 on the 11th to the period's end: 1 day, no visit.
        k.house(s, "ST-A", state=WatchState.APPROVED, away=(bkk(11, 20), bkk(15)),
                decided=bkk(11, 10), created=bkk(11, 9))
        k.house(s, "ST-A", state=WatchState.DECLINED, away=(bkk(6), bkk(9)), decided=bkk(5),
                created=bkk(6))
        k.house(s, "ST-A", state=WatchState.CLOSED, away=(bkk(6), bkk(9)), decided=None,
                closed=bkk(9))  # never approved
    got = station(db)["homewatch_coverage"]
    assert (got.value, got.n, got.target, got.met) == (round(300 / 7, 2), 7, 90.0, False)
    assert cells(got, "houses") == {"watched": (3, 3.0, None)}
    assert cells(got, "requested") == {"approved": (1, 1.0, None), "declined": (1, 1.0, None)}
    inside = zone(db)["homewatch_coverage"]
    assert (inside.value, inside.n) == (50.0, 4)


def wilson(k_: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """The Wilson score interval by its formula, in percent."""
    p = k_ / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return round(100 * (centre - half), 2), round(100 * (centre + half), 2)


def test_fear_and_confidence_pool_each_zones_latest_wave(db: Database, world: World,
                                                         clock: ManualClock) -> None:
    with db.write() as s:
        zones.create_zone(s, scope=ADMIN, clock=clock, data=ZoneCreate(
            code="Z-ST-A2", station_code="ST-A", name_th="โซน 2", name_en="Zone 2",
            boundary=square(*OUT)))
        k.poll(s, "ST-A", "Z-ST-A", wave=1, opens=bkk(1), closes=bkk(6),
               answers={"safe_dark": [1, 1, 1, 1]})  # an earlier wave of the same zone
        latest = k.poll(s, "ST-A", "Z-ST-A", wave=2, opens=bkk(7), closes=bkk(20),
                        status=PollStatus.OPEN, answers={
                            "safe_dark": [1, 2, 3, 4, 5, 1, 2, 2, 5, 4],
                            "confidence_police": [4, 5, 3, 3, 3, 3, 3, 3, 3, 3]})
        other = k.poll(s, "ST-A", "Z-ST-A2", wave=1, opens=bkk(8), closes=bkk(9),
                       answers={"safe_dark": [1, 5, 5, 5, 5], "confidence_police": [5, 5, 5]})
        k.poll(s, "ST-A", "Z-ST-A2", wave=2, opens=bkk(8), closes=bkk(9),
               status=PollStatus.DRAFT, answers={"safe_dark": [1]})
        k.poll(s, "ST-A", "Z-ST-A2", wave=3, opens=bkk(12), closes=bkk(19),
               answers={"safe_dark": [1]})  # opens at the period's end: left out
    got = station(db)
    fear = got["fear_of_crime"]  # unsafe (1-2): 5 of 10 and 1 of 5
    assert (fear.value, fear.n, fear.target, fear.met) == (40.0, 15, 40.0, False)
    assert fear.ci is not None and (fear.ci.low, fear.ci.high) == wilson(6, 15)
    assert fear.warnings == ["small_sample", "wide_interval"]
    assert cells(fear, "wave") == {latest: (10, 50.0, None), other: (5, 20.0, None)}
    confidence = got["confidence_police"]  # 4-5: 2 of 10 and 3 of 3
    assert (confidence.value, confidence.n, confidence.target) == (round(500 / 13, 2), 13, 60.0)
    assert confidence.met is False and confidence.direction == "higher"
    assert got["worry_burglary"].n == 0 and got["worry_burglary"].value is None
    inside = zone(db)["fear_of_crime"]
    assert (inside.value, inside.n, inside.met) == (50.0, 10, False)


def test_the_closed_form_wilson_interval_is_the_polls_scipy_one() -> None:
    for k_, n in ((0, 1), (1, 1), (0, 30), (6, 15), (7, 13), (29, 30), (412, 1000)):
        ours, theirs = kpi_people.wilson(k_, n), results.wilson(k_, n)
        assert ours is not None and theirs is not None
        assert (ours.low, ours.high) == (pytest.approx(theirs.low, abs=1e-12),
                                         pytest.approx(theirs.high, abs=1e-12)), (k_, n)
    assert kpi_people.wilson(0, 0) is None


def test_no_data_is_n_zero_and_a_null_value_not_zero(db: Database, world: World) -> None:
    got = station(db, "ST-C")
    assert list(got) == [spec.key for spec in CATALOG]
    for kpi in got.values():
        assert (kpi.n, kpi.value, kpi.met) == (0, None, None), kpi.key
        assert kpi.name_th and kpi.name_en and kpi.definition and kpi.formula and kpi.source
    assert {c.key: c.n for c in got["camera_uptime"].breakdowns["state_now"]}["unknown"] == 2


def test_targets_are_set_by_admins_and_commanders_audited_and_scoped(
        db: Database, world: World, clock: ManualClock) -> None:
    with db.write() as s:
        k.incident(s, "ST-A", kind="sos", priority=1, opened=bkk(6), arrive_min=8)

    def put(key: str, value: float | None, scope: Scope = ADMIN, code: str = "ST-A") -> object:
        with db.write() as s:
            return kpis.set_target(s, scope=scope, clock=clock, station_code=code, key=key,
                                   data=TargetIn(value=value, note="เขตเมือง"))

    assert station(db)["response_p1"].met is True  # 8 < 10 (the default)
    commander = user_scope(db, "a.commander")
    put("response_p1", 5, commander)
    own = station(db)["response_p1"]
    assert (own.target, own.target_source, own.met) == (5.0, "station", False)
    assert station(db, "ST-B")["response_p1"].target == 10.0  # one station's target only
    put("incidents", 100)
    assert station(db)["incidents"].met is True  # 1 < 100
    back = put("response_p1", None, commander)
    assert back.source == "default" and back.value == 10.0  # type: ignore[attr-defined]
    with db.read() as s:
        entries = s.scalars(select(AuditEntry).where(
            AuditEntry.action == "measure.kpi_target.set").order_by(AuditEntry.id)).all()
    assert [(e.username, e.detail["key"], e.detail["before"]["value"],
             e.detail["after"]["value"]) for e in entries] == [
        ("a.commander", "response_p1", 10.0, 5.0), ("kpi-test", "incidents", None, 100.0),
        ("a.commander", "response_p1", 5.0, 10.0)]
    with pytest.raises(NotFound):
        put("response_p1", 5, commander, "ST-B")  # another station looks missing
    with pytest.raises(PermissionDenied):
        put("response_p1", 5, user_scope(db, "a.operator"))
    with pytest.raises(NotFound, match="the KPIs are"):
        put("no_such_kpi", 5)
    for bad in (-1, 101, math.inf):
        with pytest.raises(InvalidInput, match="from 0 to 100"):
            put("fear_of_crime", bad)


def test_scope_a_region_sees_its_stations_and_no_other(db: Database, world: World) -> None:
    region = user_scope(db, "reg1.commander")  # REG-1: ST-A and ST-B, not ST-C
    assert station(db, "ST-B", region)
    with pytest.raises(NotFound):
        station(db, "ST-C", region)
    with pytest.raises(NotFound):
        station(db, "ST-B", user_scope(db, "a.operator"))
    with pytest.raises(PermissionDenied):
        station(db, "ST-A", user_scope(db, "a.shop"))  # partners never read KPIs
    with pytest.raises(NotFound):
        zone(db, "Z-ST-B", "ST-A")  # a zone of another station
    with db.read() as s:
        c = k.station_id(s, "ST-C")
        with pytest.raises(NotFound, match="not in your scope"):
            kpis.kpis_for_stations(s, scope=region, station_ids=[c],
                                   window=Window(SINCE, UNTIL, NOW))


@contextmanager
def counted(db: Database) -> Iterator[list[str]]:
    statements: list[str] = []

    def note(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", note)


def test_many_stations_cost_the_same_queries_as_one(db: Database, world: World) -> None:
    with db.write() as s:
        for code in ("ST-A", "ST-B", "ST-C"):
            k.incident(s, code, kind="sos", priority=1, opened=bkk(6), arrive_min=3, at=OUT)
            k.red_box(s, code, f"RB-{code}")
    window = Window(SINCE, UNTIL, NOW)

    def run(codes: tuple[str, ...]) -> int:
        with db.read() as s:
            ids = [k.station_id(s, c) for c in codes]
        with counted(db) as statements, db.read() as session:
            got = kpis.kpis_for_stations(session, scope=ADMIN, station_ids=ids, window=window)
        assert set(got) == set(ids)
        return len(statements)

    assert run(("ST-A",)) == run(("ST-A", "ST-B", "ST-C"))


def test_the_period_defaults_to_thirty_bangkok_days_and_refuses_nonsense() -> None:
    now = bkk(20, 5)  # 05:00 Bangkok is still the 19th in UTC
    window = kpis.window_of(since=None, until=None, now=now)
    assert (window.since, window.until) == (bkk(20) - timedelta(days=30), now)
    with pytest.raises(InvalidInput, match="since < until"):
        kpis.window_of(since=UNTIL, until=SINCE, now=NOW)
    with pytest.raises(InvalidInput, match="longer than 1096 days"):
        kpis.window_of(since=SINCE - timedelta(days=1100), until=SINCE, now=NOW)


def test_the_docs_name_every_kpi_with_its_default_target() -> None:
    text = DOC.read_text("utf-8")
    for spec in CATALOG:
        assert f"`{spec.key}`" in text, spec.key
        assert spec.th in text and spec.en in text, spec.key

