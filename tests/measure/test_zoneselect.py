"""Zone selection: the scoring arithmetic on known inputs, weights that change the ranking,
the Big 6 decision's immutability and history, a chosen zone before and after its launch
with known counts, the boundary checks and the station scope."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, text

from safetyzone.audit.models import AuditEntry
from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from safetyzone.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from safetyzone.core.security import Scope
from safetyzone.measure import facts, zonebeforeafter, zonedecisions, zonescore, zoneselect
from safetyzone.measure.models import FactStatus
from safetyzone.measure.schemas import FactIn, Figure
from safetyzone.measure.zoneselect_models import ZoneCandidate, ZoneDecision
from safetyzone.measure.zoneselect_schemas import (
    CandidateIn,
    CandidatePatch,
    DecisionIn,
    EnteredCount,
    WeightsIn,
)
from safetyzone.org import zones
from support.world import World, square
from support.zoneselect import ADMIN, C1, C2, at, candidate, places_zone, plant, user_scope

# --- the arithmetic on known inputs ---------------------------------------------------------


def known_inputs() -> list[zonescore.CandidateInput]:
    """A: 2 km², 10 records, half its area hot, 2 temples and a market (registered).
    B: 1 km², 2 records, no hot cell, a temple and a market registered, 7 convenience stores
    and 3 markets typed in from a document (the 3 replace the registry's 1)."""
    seed = EnteredCount(criterion="economic", kind="convenience_store", count=7,
                        source="seed 002")
    markets = EnteredCount(criterion="economic", kind="market", count=3, source="survey")
    return [
        zonescore.CandidateInput(
            id=uuid.UUID(int=1), name_th="ก", name_en="A", area_km2=2.0, records=10,
            by_group={"property": 6, "body": 4}, hot_share=0.5,
            places=[zonescore.Place("temple", "วัด 1"), zonescore.Place("temple", "วัด 2"),
                    zonescore.Place("market", "ตลาด"), zonescore.Place("pier", "ท่าน้ำ")]),
        zonescore.CandidateInput(
            id=uuid.UUID(int=2), name_th="ข", name_en="B", area_km2=1.0, records=2,
            places=[zonescore.Place("temple", "วัด 3"), zonescore.Place("market", "ตลาด 2")],
            entered=[seed, markets]),
    ]


def test_scores_follow_the_documented_arithmetic() -> None:
    weights = zonescore.Weights(risk=1, landmark=1, economic=2, hotspot_share=0.5)
    a, b = sorted(zonescore.score(known_inputs(), weights), key=lambda s: s.name_en)
    # Weights scaled to sum 1: 0.25, 0.25, 0.5.
    assert (a.risk.weight, a.landmark.weight, a.economic.weight) == (0.25, 0.25, 0.5)
    # Risk: records per km² A 5, B 2 (scaled 1, 0.4); hot share A 0.5, B 0 (scaled 1, 0);
    # mixed half and half: A 1.0, B 0.2.
    assert (a.risk.count, a.risk.per_km2, a.risk.records_normalized) == (10, 5.0, 1.0)
    assert (b.risk.per_km2, b.risk.records_normalized, b.risk.hot_normalized) == (2.0, 0.4, 0)
    assert (a.risk.normalized, b.risk.normalized) == (1.0, 0.2)
    assert a.risk.by_group == {"body": 4, "property": 6}
    # Landmark: A 2 temples / 2 km² = 1, B 1 / 1 km² = 1; the pier is no criterion's.
    assert (a.landmark.count, a.landmark.per_km2, b.landmark.per_km2) == (2, 1.0, 1.0)
    assert [p.kind for p in a.unclassified] == ["pier"]
    # Economic: A 1 market / 2 km² = 0.5; B 7 stores + 3 markets (not the registry's 1).
    assert b.economic.count == 10
    registered = next(p for p in b.economic.items if p.origin == "registered")
    assert (registered.kind, registered.count, registered.used) == ("market", 1, False)
    assert a.economic.normalized == pytest.approx(0.5 / 10, abs=1e-6)
    # Score = sum of contributions.
    assert a.score == pytest.approx(0.25 * 1 + 0.25 * 1 + 0.5 * 0.05, abs=1e-6)
    assert b.score == pytest.approx(0.25 * 0.2 + 0.25 * 1 + 0.5 * 1, abs=1e-6)
    for s in (a, b):
        parts = s.risk.contribution + s.landmark.contribution + s.economic.contribution
        assert s.score == pytest.approx(parts, abs=1e-5)
    assert (b.rank, a.rank) == (1, 2)


def test_weights_change_the_ranking_and_equal_scores_share_a_rank() -> None:
    def first(**w: float) -> str:
        ranked = zonescore.score(known_inputs(), zonescore.Weights(**{
            "risk": 0, "landmark": 0, "economic": 0, "hotspot_share": 0.5, **w}))
        return ranked[0].name_en

    assert first(risk=1) == "A"
    assert first(economic=1) == "B"
    tied = zonescore.score(known_inputs(), zonescore.Weights(0, 1, 0, 0.5))
    assert [s.rank for s in tied] == [1, 1]  # both 1 landmark per km²
    with pytest.raises(InvalidInput):
        zonescore.score(known_inputs(), zonescore.Weights(0, 0, 0, 0.5))


def test_no_hot_cell_anywhere_takes_risk_from_records_alone() -> None:
    inputs = known_inputs()
    inputs[0].hot_share = 0.0
    a, b = sorted(zonescore.score(inputs, zonescore.Weights(1, 0, 0, 0.9)),
                  key=lambda s: s.name_en)
    assert (a.risk.hotspot_share, a.risk.normalized, b.risk.normalized) == (0.0, 1.0, 0.4)


# --- candidates, weights and the ranking on real records --------------------------------------


def add(db: Database, clock: ManualClock, body: dict[str, Any], scope: Scope = ADMIN,
        station: str = "ST-A") -> uuid.UUID:
    with db.write() as s:
        return zoneselect.create_candidate(s, scope=scope, clock=clock, station_code=station,
                                           data=CandidateIn(**body)).id


def rank(db: Database, clock: ManualClock, scope: Scope = ADMIN, station: str = "ST-A") -> Any:
    with db.read() as s:
        return zoneselect.ranking(s, scope=scope, clock=clock, station_code=station)


def weigh(db: Database, clock: ManualClock, **w: Any) -> None:
    with db.write() as s:
        zoneselect.set_weights(s, scope=ADMIN, clock=clock, station_code="ST-A",
                               data=WeightsIn(**w))


def test_ranking_counts_records_hot_cells_and_places_inside_each_candidate(
        db: Database, world: World, clock: ManualClock) -> None:
    import numpy as np
    rng = np.random.default_rng(7)
    when = clock.now() - timedelta(days=100)
    spread = [(when + timedelta(hours=i), C1[0] + a, C1[1] + o, "ลักทรัพย์")
              for i, (a, o) in enumerate(rng.uniform(-0.03, 0.03, (300, 2)))]
    cluster = [(when + timedelta(hours=i, minutes=7), C1[0] + a, C1[1] + o, "ทำร้ายร่างกาย")
               for i, (a, o) in enumerate(rng.normal(0, 0.0004, (80, 2)))]
    old = [(clock.now() - timedelta(days=400), C1[0], C1[1], "ลักทรัพย์")]  # before the window
    nowhere = [(when, None, None, "ลักทรัพย์")]
    assert plant(db, clock, spread + cluster + old + nowhere) == 382
    places_zone(db, clock, "Z-PLACES", C2, [("temple", "วัด ก"), ("temple", "วัด ข"),
                                            ("temple", "วัด ค"), ("bank", "ธนาคาร"),
                                            ("pier", "ท่าเรือ")])
    first = add(db, clock, candidate("ตลาด", C1))
    second = add(db, clock, candidate("วัด", C2))
    got = rank(db, clock)
    assert (got.records, got.placed) == (381, 380)
    assert "unplaced_records" in got.notes
    assert got.hotspots.computed and got.hotspots.hot_cells > 0
    by_id = {c.candidate_id: c for c in got.candidates}
    one, two = by_id[first], by_id[second]
    inside = [r for r in spread + cluster if abs(r[1] - C1[0]) < 0.004  # type: ignore[operator]
              and abs(r[2] - C1[1]) < 0.004]  # type: ignore[operator]
    assert one.risk.count == len(inside) >= 80
    assert one.risk.by_group["life_body"] == 80
    assert one.risk.hot_share > 0 and two.risk.hot_share == 0
    assert one.risk.per_km2 == pytest.approx(one.risk.count / one.area_km2, rel=1e-5)
    assert (two.landmark.count, two.economic.count, one.landmark.count) == (3, 1, 0)
    assert [p.kind for p in two.unclassified] == ["pier"]
    assert sorted(two.landmark.items[0].names) == ["วัด ก", "วัด ข", "วัด ค"]
    # Equal weights by default: the first leads on risk, the second on places.
    assert got.weights.is_default and got.weights.normalized["risk"] == pytest.approx(1 / 3)
    weigh(db, clock, risk=1, landmark=0, economic=0)
    assert rank(db, clock).candidates[0].candidate_id == first
    weigh(db, clock, risk=0.2, landmark=1, economic=0.5)
    after = rank(db, clock)
    assert after.candidates[0].candidate_id == second
    assert after.weights.normalized == pytest.approx(
        {"risk": 0.2 / 1.7, "landmark": 1 / 1.7, "economic": 0.5 / 1.7}, abs=1e-6)
    # A risk window that holds only the old record counts it alone.
    old_day = (clock.now() - timedelta(days=400)).date()
    weigh(db, clock, risk=1, landmark=0, economic=0, risk_from=old_day, risk_to=old_day)
    narrow = rank(db, clock)
    assert narrow.records == 1 and by_count(narrow) == {first: 1, second: 0}
    assert "hotspots_skipped" in narrow.notes


def by_count(got: Any) -> dict[uuid.UUID, int]:
    return {c.candidate_id: c.risk.count for c in got.candidates}


def test_retired_candidates_are_kept_but_not_scored(
        db: Database, world: World, clock: ManualClock) -> None:
    first = add(db, clock, candidate("หนึ่ง", C1))
    add(db, clock, candidate("สอง", C2))
    with db.write() as s:
        zoneselect.update_candidate(s, scope=ADMIN, clock=clock, station_code="ST-A",
                                    candidate_id=first, data=CandidatePatch(retired=True))
    got = rank(db, clock)
    assert [c.name_th for c in got.candidates] == ["สอง"]
    with db.read() as s:
        listed = zoneselect.list_candidates(s, scope=ADMIN, station_code="ST-A")
    assert {c.name_th: c.retired for c in listed} == {"หนึ่ง": True, "สอง": False}


BAD_BOUNDARIES: dict[str, Any] = {
    "not-an-object": "POLYGON((100 13, ...))",
    "point": {"type": "Point", "coordinates": [100.47, 13.73]},
    "multipolygon": {"type": "MultiPolygon", "coordinates": []},
    "no-rings": {"type": "Polygon", "coordinates": []},
    "text-position": {"type": "Polygon", "coordinates": [[["a", "b"], [1, 2], [3, 4], [1, 2]]]},
    "bool-position": {"type": "Polygon", "coordinates": [[[True, 13.7], [100.48, 13.72],
                                                          [100.48, 13.74], [True, 13.7]]]},
    "too-few": {"type": "Polygon", "coordinates": [[[100.46, 13.72], [100.48, 13.72],
                                                    [100.46, 13.72]]]},
    "not-closed": {"type": "Polygon", "coordinates": [[[100.46, 13.72], [100.48, 13.72],
                                                       [100.48, 13.74], [100.46, 13.74]]]},
    "bow-tie": {"type": "Polygon", "coordinates": [[[100.46, 13.72], [100.48, 13.74],
                                                    [100.48, 13.72], [100.46, 13.74],
                                                    [100.46, 13.72]]]},
    "outside-thailand": square(35.68, 139.69),
    "swapped-axes": {"type": "Polygon", "coordinates": [[[13.72, 100.46], [13.72, 100.48],
                                                         [13.74, 100.48], [13.72, 100.46]]]},
    "too-small": square(13.73, 100.47, 0.0001),
    "too-large": square(13.73, 100.47, 0.3),
    "too-many-vertices": {"type": "Polygon", "coordinates": [
        [[100.46 + 0.00001 * i, 13.72] for i in range(2500)] + [[100.47, 13.75], [100.46, 13.72]]]},
    "too-many-holes": {"type": "Polygon", "coordinates": [square(13.73, 100.47, 0.02)[
        "coordinates"][0]] + [square(13.72 + 0.001 * i, 100.47, 0.0002)["coordinates"][0]  # type: ignore[index]
                              for i in range(21)]},
}


@pytest.mark.parametrize("boundary", list(BAD_BOUNDARIES.values()), ids=list(BAD_BOUNDARIES))
def test_bad_boundaries_are_refused_with_the_reason(boundary: Any) -> None:
    with pytest.raises(InvalidInput) as caught:
        zoneselect.check_boundary(boundary)
    assert caught.value.problems and caught.value.problems[0].field
    assert caught.value.problems[0].field.startswith("boundary")


def test_a_good_boundary_with_a_hole_measures_its_area() -> None:
    outer = square(13.73, 100.47, 0.004)["coordinates"][0]  # type: ignore[index]
    hole = square(13.73, 100.47, 0.001)["coordinates"][0]  # type: ignore[index]
    _, geojson, area = zoneselect.check_boundary({"type": "Polygon",
                                                  "coordinates": [outer, hole[::-1]]})
    assert len(geojson["coordinates"]) == 2
    full = zoneselect.check_boundary(square(13.73, 100.47, 0.004))[2]
    assert area == pytest.approx(full * (1 - 1 / 16), rel=1e-3)


def test_refused_candidates_and_weights_change_nothing(
        db: Database, world: World, clock: ManualClock) -> None:
    def audits() -> int:
        with db.read() as s:
            return int(s.scalar(select(func.count()).select_from(AuditEntry)) or 0)

    before = audits()
    with pytest.raises(InvalidInput):
        add(db, clock, candidate("x", C1) | {"boundary": BAD_BOUNDARIES["bow-tie"]})
    dup = [{"criterion": "economic", "kind": "bank", "count": 1, "source": "a"}] * 2
    with pytest.raises(InvalidInput):
        add(db, clock, candidate("x", C1, entered_counts=dup))
    with pytest.raises(InvalidInput):
        weigh(db, clock, risk=0, landmark=0, economic=0)
    with pytest.raises(InvalidInput):
        weigh(db, clock, risk=1, landmark=1, economic=1, risk_from=date(2025, 5, 1),
              risk_to=date(2025, 4, 1))
    with pytest.raises(InvalidInput):
        weigh(db, clock, risk=1, landmark=1, economic=1, risk_from=date(2020, 1, 1),
              risk_to=date(2025, 1, 1))
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(ZoneCandidate)) == 0
        assert zoneselect.get_weights(s, scope=ADMIN, station_code="ST-A").is_default
    assert audits() == before


def test_only_admins_and_commanders_edit_and_the_station_scope_holds(
        db: Database, world: World, clock: ManualClock) -> None:
    with pytest.raises(PermissionDenied):
        add(db, clock, candidate("x", C1), scope=user_scope(db, "a.operator"))
    with pytest.raises(NotFound):
        add(db, clock, candidate("x", C1), scope=user_scope(db, "b.operator"))
    mine = add(db, clock, candidate("x", C1), scope=user_scope(db, "a.commander"))
    assert [c.name_th for c in rank(db, clock, scope=user_scope(db, "a.viewer")).candidates] == [
        "x"]
    assert rank(db, clock, scope=user_scope(db, "reg1.commander")).candidates
    for outsider in ("b.operator", "a.shop"):
        with pytest.raises((NotFound, PermissionDenied)):
            rank(db, clock, scope=user_scope(db, outsider))
    # ST-B's commander-equivalent cannot reach ST-A's candidate through its own station.
    with db.read() as s, pytest.raises(NotFound):
        zoneselect.get_candidate(s, scope=ADMIN, station_code="ST-B", candidate_id=mine)


# --- the Big 6 decision --------------------------------------------------------------------------


def decide(db: Database, clock: ManualClock, scope: Scope = ADMIN, **body: Any) -> Any:
    data = {"meeting_on": "2025-06-15", "members": [
        {"name": "พ.ต.อ. ก", "role": "ผู้กำกับการ", "agency": "สภ. ก"},
        {"name": "นาย ข", "role": "นายก", "agency": "เทศบาล"}],
        "rationale": "สถิติ 191 สูง มีตลาดและจุดตัดถนนสายหลัก", **body}
    with db.write() as s:
        return zonedecisions.record_decision(s, scope=scope, clock=clock, station_code="ST-A",
                                             data=DecisionIn(**data))


def test_a_decision_is_recorded_once_and_superseded_never_changed(
        db: Database, world: World, clock: ManualClock) -> None:
    first = add(db, clock, candidate("ตลาด", C1))
    second = add(db, clock, candidate("วัด", C2))
    one = decide(db, clock, choices=[{"candidate_id": str(first), "new_zone_code": "Z-NEW"}],
                 reasons={"risk": ["191 สูง"], "economic": ["ตลาด"]}, launch_on="2025-07-01")
    assert (one.number, one.in_force, one.choices[0].zone_code) == (1, True, "Z-NEW")
    assert one.choices[0].zone_created and one.choices[0].rank == 1
    assert [m.agency for m in one.members] == ["สภ. ก", "เทศบาล"]
    with db.read() as s:
        zone = zones.get_zone_by_code(s, scope=ADMIN, code="Z-NEW")
        assert zone.selection == {"risk": ["191 สูง"], "landmark": [], "economic": ["ตลาด"]}
        assert zone.boundary["coordinates"] == square(*C1)["coordinates"]
    # A second decision must name the one in force; nothing is written when it does not.
    with pytest.raises(Conflict):
        decide(db, clock, choices=[{"candidate_id": str(second)}])
    # The ranking the meeting saw is kept, whatever the candidate becomes.
    with db.write() as s:
        zoneselect.update_candidate(s, scope=ADMIN, clock=clock, station_code="ST-A",
                                    candidate_id=first, data=CandidatePatch(name_th="แก้ชื่อ"))
    two = decide(db, clock, meeting_on="2025-09-01", supersedes_id=str(one.id),
                 choices=[{"candidate_id": str(second), "zone_code": "Z-ST-A"}])
    with db.read() as s:
        history = zonedecisions.list_decisions(s, scope=ADMIN, station_code="ST-A")
    assert [(d.number, d.in_force, d.superseded_by_number, d.supersedes_number)
            for d in history] == [(2, True, None, 1), (1, False, 2, None)]
    assert history[1].ranking[0].name_th == "ตลาด"
    assert history[0].choices[0].zone_code == "Z-ST-A" and not history[0].choices[0].zone_created
    with pytest.raises(Conflict):  # a superseded decision is not superseded again
        decide(db, clock, supersedes_id=str(one.id), choices=[{"candidate_id": str(first)}])
    # The database itself refuses to change or delete a decision.
    for statement in ("UPDATE zone_decision SET rationale = 'forged'",
                      "DELETE FROM zone_decision_choice"):
        with pytest.raises(Exception, match="append-only"), db.engine.begin() as conn:
            conn.execute(text(statement))
    with db.read() as s:
        recorded = s.scalars(select(AuditEntry.detail).where(
            AuditEntry.action == "measure.zone_decision.record")).all()
        assert [d["number"] for d in recorded] == [1, 2]
        made = s.scalar(select(AuditEntry).where(AuditEntry.action == "zone.create",
                                                 AuditEntry.entity_id == str(zone.id)))
        assert made is not None
        assert s.scalar(select(ZoneDecision.rationale).where(ZoneDecision.id == two.id))


@pytest.mark.parametrize(("body", "field"), [
    ({"choices": [{"candidate_id": str(uuid.uuid4())}]}, "choices[0].candidate_id"),
    ({"meeting_on": "2026-01-02"}, "meeting_on"),
    ({"launch_on": "2025-06-01"}, "launch_on"),
    ({"choices": "twice"}, "choices[1].candidate_id"),
    ({"choices": "both"}, "choices[0]"),
    ({"choices": "unknown-zone"}, "choices[0].zone_code"),
    ({"members": [{"name": "ก", "partner_code": "NO-SUCH"}]}, "members[0].partner_code"),
], ids=["unknown-candidate", "future-meeting", "launch-before-meeting", "chosen-twice",
        "link-and-make", "unknown-zone", "unknown-partner"])
def test_bad_decisions_are_refused_and_change_nothing(
        db: Database, world: World, clock: ManualClock, body: dict[str, Any],
        field: str) -> None:
    first = add(db, clock, candidate("ตลาด", C1))
    choices = {"twice": [{"candidate_id": str(first)}, {"candidate_id": str(first)}],
               "both": [{"candidate_id": str(first), "zone_code": "Z-ST-A",
                         "new_zone_code": "Z-X"}],
               "unknown-zone": [{"candidate_id": str(first), "zone_code": "Z-ST-B"}]}
    if isinstance(body.get("choices"), str):
        body = {**body, "choices": choices[body["choices"]]}
    body = {"choices": [{"candidate_id": str(first)}], **body}
    with pytest.raises(InvalidInput) as caught:
        decide(db, clock, **body)
    assert [p.field for p in caught.value.problems] == [field]
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(ZoneDecision)) == 0


def test_a_new_zone_code_already_taken_refuses_the_whole_decision(
        db: Database, world: World, clock: ManualClock) -> None:
    first = add(db, clock, candidate("ตลาด", C1))
    with pytest.raises(Conflict):
        decide(db, clock, choices=[{"candidate_id": str(first), "new_zone_code": "Z-ST-B"}])
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(ZoneDecision)) == 0
    with pytest.raises(PermissionDenied):
        decide(db, clock, scope=user_scope(db, "a.operator"),
               choices=[{"candidate_id": str(first)}])


# --- before and after -------------------------------------------------------------------------


def set_fact(db: Database, clock: ManualClock, key: str, value: float, status: str,
             zone: str | None = None) -> None:
    with db.write() as s:
        facts.set_fact(s, scope=ADMIN, clock=clock, station_code="ST-A", key=key, data=FactIn(
            value=value, status=FactStatus(status), source="test", zone_code=zone))


def plant_before_after(db: Database, clock: ManualClock) -> None:
    """Around a launch on 1 Jul 2025: in the zone 10 before and 4 after, in the rest of
    the station 20 before and 22 after, 3 without a position (before), and one of each far
    outside both windows."""
    zone, rest = (13.7300, 100.4700), (13.7600, 100.5000)
    rows = ([(at(2025, 5, 1 + i), *zone, "ลักทรัพย์") for i in range(10)]
            + [(at(2025, 8, 1 + i), *zone, "ทำร้ายร่างกาย") for i in range(4)]
            + [(at(2025, 6, 1 + i), *rest, "ลักทรัพย์") for i in range(20)]
            + [(at(2025, 9, 1 + i), *rest, "ลักทรัพย์") for i in range(22)]
            + [(at(2025, 6, 20, 9, i), None, None, "ลักทรัพย์") for i in range(3)]
            + [(at(2024, 1, 5), *zone, "ลักทรัพย์"), (at(2025, 12, 20), *rest, "ลักทรัพย์")])
    assert plant(db, clock, rows) == len(rows)  # type: ignore[arg-type]


def compare(db: Database, clock: ManualClock, **kw: Any) -> Any:
    with db.read() as s:
        return zonebeforeafter.before_after(s, scope=kw.pop("scope", ADMIN), clock=clock,
                                            station_code="ST-A", zone_code="Z-ST-A", **kw)


def test_before_after_counts_rates_and_difference_in_differences(
        db: Database, world: World, clock: ManualClock) -> None:
    plant_before_after(db, clock)
    set_fact(db, clock, "area_km2", 100, "exact")
    set_fact(db, clock, "population", 100_000, "exact")
    set_fact(db, clock, "area_km2", 1, "exact", zone="Z-ST-A")
    set_fact(db, clock, "population", 5000, "approximate", zone="Z-ST-A")
    got = compare(db, clock, launch_on=date(2025, 7, 1), months=3)
    # 1 Jul to 1 Oct 2025 is 92 days; the before window is the 92 days to 1 Jul.
    assert (got.window_days, got.complete, got.launch_from) == (92, True, "query")
    assert got.before_from.isoformat() == "2025-03-30T17:00:00+00:00"
    assert (got.zone.before.count, got.zone.after.count) == (10, 4)
    assert (got.rest.before.count, got.rest.after.count) == (20, 22)
    assert (got.unplaced.before, got.unplaced.after) == (3, 0)
    assert {g: (c.before, c.after) for g, c in got.zone_by_group.items()} == {
        "life_body": (0, 4), "property": (10, 0)}
    assert got.zone.change_pct == -60.0 and got.rest.change_pct == 10.0
    # Zone per 1,000 people (about 5,000): 2.0 then 0.8; the rest (95,000): 20 and 22 of it.
    assert (got.zone.before.per_1000.value, got.zone.after.per_1000.value) == (2.0, 0.8)
    assert got.zone.before.per_1000.status is FactStatus.APPROXIMATE
    assert got.rest.population.value == 95_000
    assert got.did_per_1000.value == pytest.approx((0.8 - 2.0) - (22 - 20) / 95, abs=1e-6)
    assert got.did_per_1000.status is FactStatus.APPROXIMATE
    # Per km²: the zone's 1 km², the rest's 99.
    assert got.did_per_km2.value == pytest.approx((4 - 10) - (22 - 20) / 99, abs=1e-6)
    assert got.did_per_km2.status is FactStatus.EXACT
    assert "approximate_denominators" in got.warnings and "few_records" in got.warnings


def test_unknown_denominators_give_unknown_rates_never_guesses(
        db: Database, world: World, clock: ManualClock) -> None:
    plant_before_after(db, clock)
    got = compare(db, clock, launch_on=date(2025, 7, 1), months=3)
    assert got.zone.before.count == 10
    assert got.zone.before.per_1000.value is None
    assert got.zone.before.per_1000.status is FactStatus.UNKNOWN
    assert got.did_per_1000.value is None and got.did_per_km2.value is None
    assert got.rest.area_km2.status is FactStatus.UNKNOWN
    assert {"zone_population_unknown", "rest_population_unknown", "area_unknown"} <= set(
        got.warnings)


def test_the_launch_comes_from_the_decision_and_a_short_after_window_says_so(
        db: Database, world: World, clock: ManualClock) -> None:
    plant_before_after(db, clock)
    with pytest.raises(InvalidInput):  # no decision, no launch day given
        compare(db, clock)
    first = add(db, clock, candidate("ตลาด", C1))
    decide(db, clock, choices=[{"candidate_id": str(first), "zone_code": "Z-ST-A"}],
           launch_on="2025-07-01")
    got = compare(db, clock, months=3)
    assert (got.launch_on, got.launch_from, got.decision_number) == (date(2025, 7, 1),
                                                                     "decision", 1)
    assert (got.zone.before.count, got.zone.after.count) == (10, 4)
    # The clock stands at 1 Jan 2026: a launch on 1 Dec 2025 has 31 days after it (7 h of
    # 1 Jan in Bangkok too), both windows are cut to that, and the answer says so.
    short = compare(db, clock, launch_on=date(2025, 12, 1), months=3)
    assert not short.complete and "after_window_partial" in short.warnings
    assert short.window_days == pytest.approx(31 + 7 / 24, abs=1e-4)
    assert short.rest.after.count == 1
    with pytest.raises(InvalidInput):
        compare(db, clock, launch_on=date(2026, 1, 2))
    with pytest.raises(NotFound), db.read() as s:
        zonebeforeafter.before_after(s, scope=ADMIN, clock=clock, station_code="ST-A",
                                     zone_code="Z-ST-B", launch_on=date(2025, 7, 1))


def test_rest_of_station_is_the_difference_of_known_figures() -> None:
    whole = Figure(key="population", value=100.0, status=FactStatus.EXACT)
    part = Figure(key="population", value=30.0, status=FactStatus.APPROXIMATE)
    rest = zonebeforeafter.difference(whole, part, "population")
    assert (rest.value, rest.status) == (70.0, FactStatus.APPROXIMATE)
    assert zonebeforeafter.difference(part, whole, "population").status is FactStatus.UNKNOWN
    unknown = Figure(key="population", value=None, status=FactStatus.UNKNOWN)
    assert zonebeforeafter.difference(whole, unknown, "population").value is None
    assert zonebeforeafter.add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert zonebeforeafter.add_months(date(2024, 3, 31), -1) == date(2024, 2, 29)
    assert zonebeforeafter.add_months(date(2025, 11, 15), 3) == date(2026, 2, 15)
