"""Search and history (ops.history): closed incidents are found again by every filter, only
in the caller's scope, covert hits only by their owner; words are matched literally (LIKE
wildcards escaped); exports and reports are audited, and refuse rather than cut."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from safetyzone.audit.models import AuditEntry
from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from safetyzone.core.errors import InvalidInput, NotFound, PermissionDenied
from safetyzone.ops import history
from safetyzone.ops.history_schemas import IncidentFilters
from support.history import FORMULA, NOTE, Past, build_past, scope_of
from support.world import World


@pytest.fixture
def past(db: Database, clock: ManualClock, world: World) -> Past:
    return build_past(db, clock)


def found(db: Database, username: str, past: Past, **filters: Any) -> list[str]:
    """The names (see support.history) of what ``username`` finds, in the order given."""
    names = {v: k for k, v in past.ids.items()}
    with db.read() as s:
        rows, total = history.search(s, scope=scope_of(db, username),
                                     filters=IncidentFilters(**filters), limit=200, offset=0)
    assert total == len(rows)
    return [names[r.id] for r in rows]


ST_A = ["covert", "formula", "axb", "underscore", "thousand", "percent", "sos"]


def test_everything_in_scope_newest_first_closed_ones_included(db: Database, past: Past
                                                               ) -> None:
    assert found(db, "a.operator", past) == ST_A
    # The covert hit is its owner's alone, even for the station's commander.
    assert found(db, "a.commander", past) == ST_A[1:]
    assert found(db, "a.patrol", past) == ST_A[1:]
    assert found(db, "b.operator", past) == ["other"]
    assert found(db, "admin", past) == ["other", *ST_A[1:]]
    with db.read() as s:
        for partner in ("a.shop", "a.volunteer"):
            with pytest.raises(PermissionDenied):
                history.search(s, scope=scope_of(db, partner), filters=IncidentFilters(),
                               limit=10, offset=0)


def test_rows_name_the_station_and_every_unit_ever_assigned(db: Database, past: Past) -> None:
    with db.read() as s:
        rows, _ = history.search(s, scope=scope_of(db, "admin"),
                                 filters=IncidentFilters(kind=["sos"], station_code="ST-A"),
                                 limit=10, offset=0)
    [row] = rows
    assert (row.station_code, row.station_name_th) == ("ST-A", "หน่วย ST-A")
    assert row.units == ["Alpha 11", "สายตรวจ 12"]  # CAR-11 was released, and still counts
    assert row.disposition == "resolved" and row.closed_at is not None


def test_each_filter(db: Database, past: Past) -> None:
    def a(**filters: Any) -> list[str]:
        return found(db, "a.commander", past, **filters)

    assert a(state=["closed"]) == ["axb", "thousand", "sos"]
    assert a(state=["new", "cleared"]) == ["formula", "underscore", "percent"]
    assert a(kind=["maintenance"]) == ["axb", "underscore"]
    assert a(kind=["alarm", "sos"]) == ["thousand", "percent", "sos"]
    assert a(kind=["no_such_kind"]) == []
    assert a(priority=[1]) == ["sos"]
    assert a(priority=[2, 3]) == ["formula", "thousand", "percent"]
    assert a(disposition=["false_alarm", "maintenance_done"]) == ["axb", "thousand"]
    assert a(station_code="ST-A") == ST_A[1:]
    assert found(db, "admin", past, station_code="ST-B") == ["other"]
    start = past.start
    assert a(opened_from=start + timedelta(hours=1), opened_to=start + timedelta(hours=4)) == [
        "underscore", "thousand", "percent"]
    assert a(opened_to=start + timedelta(seconds=1)) == ["sos"]  # "to" is exclusive
    assert a(state=["closed"], kind=["alarm", "maintenance"],
             opened_from=start + timedelta(hours=3)) == ["axb"]


def test_a_unit_by_call_sign_code_or_id_only_in_scope(db: Database, past: Past) -> None:
    assert found(db, "a.operator", past, unit="alpha 11") == ["sos"]  # any case
    assert found(db, "a.operator", past, unit="สายตรวจ 12") == ["sos"]
    assert found(db, "a.operator", past, unit="CAR-12") == ["sos"]
    assert found(db, "a.operator", past, unit=str(past.units["CAR-11"])) == ["sos"]
    assert found(db, "admin", past, unit="Bravo 21") == ["other"]
    # The other station's unit names nothing here, by call sign or by id.
    assert found(db, "a.operator", past, unit="Bravo 21") == []
    assert found(db, "a.operator", past, unit=str(past.units["CAR-21"])) == []
    assert found(db, "a.operator", past, unit="nobody") == []


def test_words_in_title_notes_source_and_address_any_case(db: Database, past: Past) -> None:
    def a(q: str) -> list[str]:
        return found(db, "a.commander", past, q=q)

    assert a("gold SHOP") == ["percent"]  # every word, any case, any order
    assert a("ผู้ใหญ่บ้าน") == ["sos"]  # only in a timeline note
    assert a("ปิดเหตุ") == ["sos"]  # the note given when closing
    assert a("Taling chan") == ST_A[1:]  # the source's name
    assert a("ซอยวัดน้ำ") == ["formula"]  # the address a person wrote
    assert a("onerror=alert") == ["axb"]  # markup is only text
    assert a("ตลาดน้ำ nothing-like-this") == []
    assert found(db, "b.operator", past, q="ผู้ใหญ่บ้าน") == []  # words never cross stations


def test_like_wildcards_typed_by_a_person_match_themselves(db: Database, past: Past) -> None:
    def a(q: str) -> list[str]:
        return found(db, "a.operator", past, q=q)

    assert a("100%") == ["percent", "sos"]  # not "1000"
    assert a("1000") == ["thousand"]
    assert a("cam_a_b") == ["underscore"]  # not "camxaxb"
    assert a("cam_") == ["underscore"]
    assert a("%") == ["percent", "sos"]
    assert a("_") == ["underscore"]
    assert a("//evil") == ["formula"]  # the escape character itself
    assert a("\\") == []


def test_bad_filters_are_refused(db: Database, past: Past) -> None:
    with db.read() as s:
        operator = scope_of(db, "a.operator")
        with pytest.raises(InvalidInput) as refused:
            history.search(s, scope=operator, filters=IncidentFilters(
                opened_from=past.start, opened_to=past.start), limit=10, offset=0)
        assert refused.value.problems[0].field == "opened_to"
        with pytest.raises(InvalidInput):
            history.search(s, scope=operator, filters=IncidentFilters(q="a " * 9), limit=10,
                           offset=0)
        with pytest.raises(NotFound):  # another station looks exactly like a missing one
            history.search(s, scope=operator, filters=IncidentFilters(station_code="ST-B"),
                           limit=10, offset=0)
    for bad in ({"disposition": ["closed_for_good"]}, {"kind": ["SOS; DROP"]},
                {"priority": [0]}, {"state": ["gone"]}, {"q": "x" * 201},
                {"opened_from": "2026-01-01T00:00:00"}):  # no UTC offset: which time?
        with pytest.raises(ValueError, match="validation error"):
            IncidentFilters(**bad)


def test_paging_counts_every_match(db: Database, past: Past) -> None:
    with db.read() as s:
        scope = scope_of(db, "a.operator")
        pages = [history.search(s, scope=scope, filters=IncidentFilters(), limit=3, offset=o)
                 for o in (0, 3, 6, 9)]
    assert [total for _, total in pages] == [7] * 4
    names = {v: k for k, v in past.ids.items()}
    assert [names[r.id] for rows, _ in pages for r in rows] == ST_A
    assert pages[-1][0] == []


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _audits(db: Database, action: str) -> list[AuditEntry]:
    with db.read() as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_the_export_is_safe_in_a_spreadsheet_and_audited(db: Database, clock: ManualClock,
                                                         past: Past) -> None:
    with db.write() as s:
        text = history.export_csv(s, scope=scope_of(db, "a.operator"), clock=clock,
                                  filters=IncidentFilters(kind=["citizen", "sos"]))
    rows = _rows(text)
    assert [r["kind"] for r in rows] == ["citizen", "sos"]
    formula, sos = rows
    assert formula["title_th"] == "'" + FORMULA  # a spreadsheet shows it, never runs it
    assert formula["title_en"] == "'-1+1 citizen report"
    assert sos["units"] == "Alpha 11;สายตรวจ 12" and sos["disposition_th"] == "ระงับเหตุแล้ว"
    assert sos["opened_at_bangkok"] == "2026-01-01 07:00:00"  # 00:00 UTC is 07:00 in Bangkok
    assert sos["lat"] == "13.7301" and sos["station_th"] == "หน่วย ST-A"
    [entry] = _audits(db, "incident.export")
    assert entry.username == "a.operator"
    assert entry.detail == {"rows": 2, "filters": {"kind": ["citizen", "sos"]}}


def test_an_export_past_its_cap_is_refused_not_cut(db: Database, clock: ManualClock,
                                                   past: Past) -> None:
    with db.write() as s, pytest.raises(InvalidInput, match="7 incidents match"):
        history.export_csv(s, scope=scope_of(db, "a.operator"), clock=clock,
                           filters=IncidentFilters(), max_rows=6)
    assert _audits(db, "incident.export") == []


def test_a_report_holds_steps_units_cameras_and_the_whole_timeline(
        db: Database, clock: ManualClock, past: Past) -> None:
    with db.write() as s:
        report = history.report(s, scope=scope_of(db, "a.viewer"), clock=clock,
                                incident_id=past.ids["sos"], action="incident.print")
    assert report.station.code == "ST-A"
    assert [(step.key, step.at is not None) for step in report.steps] == [
        (k, True) for k in ("new", "acknowledged", "dispatched", "en_route", "on_scene",
                            "cleared", "closed")]
    assert report.steps[1].by == "a.operator"
    assert [(p.callsign, p.released_at is not None) for p in report.postings] == [
        ("Alpha 11", True), ("สายตรวจ 12", True)]
    assert [(e.entry, e.to_state, e.callsign) for e in report.timeline] == [
        ("created", "new", None), ("transition", "acknowledged", None),
        ("dispatched", None, "Alpha 11"), ("transition", "dispatched", None),
        ("released", None, "Alpha 11"),  # a release names its unit too
        ("transition", "acknowledged", None), ("dispatched", None, "สายตรวจ 12"),
        ("transition", "dispatched", None), ("transition", "en_route", None),
        ("transition", "on_scene", None), ("note", None, None),
        ("released", None, "สายตรวจ 12"), ("transition", "cleared", None),
        ("transition", "closed", None)]
    assert report.timeline[10].text == NOTE
    assert [c["code"] for c in report.cameras] == ["ST-A-CAM-1"]
    rows = _rows(history.timeline_csv(report))
    assert [r["entry"] for r in rows] == [e.entry for e in report.timeline]
    assert rows[-1]["disposition_th"] == "ระงับเหตุแล้ว" and rows[-1]["text"] == "ปิดเหตุ"
    [entry] = _audits(db, "incident.print")
    assert (entry.username, entry.entity_id) == ("a.viewer", str(past.ids["sos"]))
    # Another station's incident, and a covert one not the caller's, look missing.
    with db.write() as s:
        for user, name in (("a.viewer", "other"), ("a.commander", "covert")):
            with pytest.raises(NotFound):
                history.report(s, scope=scope_of(db, user), clock=clock,
                               incident_id=past.ids[name], action="incident.print")
