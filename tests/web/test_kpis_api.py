"""KPIs over HTTP: a station's and a zone's figures with their targets, a region user's
reach (its stations, no other), bad periods refused with 422 naming the parameter, and a
target set by a commander (audited) but not by an operator. Few tests: each pays an app."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from safetyzone.audit.models import AuditEntry
from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from support import changes
from support import kpis as k
from support.kpis import OUT, bkk
from support.world import World

PERIOD = {"since": bkk(5).isoformat(), "until": bkk(12).isoformat()}


def get(client: TestClient, world: World, user: str, path: str, **params: Any) -> Any:
    return client.get(path, params=params, headers=world.headers(client, user))


def test_station_and_zone_kpis_within_the_callers_scope(
        client: TestClient, db: Database, world: World, clock: ManualClock) -> None:
    clock.advance(bkk(20) - clock.now())
    with db.write() as s:
        for minutes, at in ((4, k.IN), (6, k.IN), (30, OUT)):
            k.incident(s, "ST-A", kind="sos", priority=1, opened=bkk(6), arrive_min=minutes,
                       at=at)
    answer = get(client, world, "a.viewer", "/api/v1/stations/ST-A/kpis", **PERIOD)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["period"] == {"since": "2026-01-04T17:00:00Z", "until": "2026-01-11T17:00:00Z",
                              "timezone": "Asia/Bangkok"}
    p1 = next(x for x in body["kpis"] if x["key"] == "response_p1")
    assert (p1["value"], p1["n"], p1["target"], p1["met"]) == (6.0, 3, 10.0, True)
    assert p1["name_th"] and p1["name_en"] == "P1 median response time"
    zone = get(client, world, "a.viewer", "/api/v1/stations/ST-A/zones/Z-ST-A/kpis", **PERIOD)
    assert zone.status_code == 200, zone.text
    zp1 = next(x for x in zone.json()["kpis"] if x["key"] == "response_p1")
    assert (zp1["value"], zp1["n"]) == (4.0, 2)
    default = get(client, world, "a.viewer", "/api/v1/stations/ST-A/kpis").json()["period"]
    assert default == {"since": "2025-12-20T17:00:00Z", "until": "2026-01-19T17:00:00Z",
                       "timezone": "Asia/Bangkok"}  # Bangkok midnight 30 days ago, to now
    # A region commander reads its two stations, not a third; a station user only its own.
    for user, code, status in (("reg1.commander", "ST-B", 200), ("reg1.commander", "ST-C", 404),
                               ("a.viewer", "ST-B", 404), ("a.shop", "ST-A", 403),
                               ("a.volunteer", "ST-A", 403)):
        assert get(client, world, user, f"/api/v1/stations/{code}/kpis").status_code == status
    assert get(client, world, "a.viewer",
               "/api/v1/stations/ST-A/zones/Z-ST-B/kpis").status_code == 404
    assert get(client, world, "reg1.commander",
               "/api/v1/stations/ST-C/zones/Z-ST-C/kpis").status_code == 404


def test_bad_periods_are_refused_with_422_naming_the_parameter(
        client: TestClient, world: World) -> None:
    path = "/api/v1/stations/ST-A/kpis"
    for params, field, words in (
            ({"since": "2026-01-05T00:00:00"}, "since", "timezone"),  # no offset
            ({"until": "yesterday"}, "until", "datetime"),
            ({"since": bkk(12).isoformat(), "until": bkk(5).isoformat()}, "until",
             "since < until"),
            ({"since": (bkk(5) - timedelta(days=1200)).isoformat(),
              "until": bkk(5).isoformat()}, "since", "1096 days")):
        answer = get(client, world, "a.viewer", path, **params)
        assert answer.status_code == 422, (params, answer.text)
        body = answer.json()
        assert answer.headers["content-type"] == "application/problem+json"
        assert [p["field"] for p in body["problems"]] == [field], body
        assert words in answer.text, body


def test_targets_set_by_a_commander_audited_not_by_an_operator(
        client: TestClient, db: Database, world: World) -> None:
    changes.install(db)
    path = "/api/v1/stations/ST-A/kpi-targets/response_p1"
    headers = {user: world.headers(client, user)
               for user in ("a.operator", "a.commander", "b.operator")}  # logins are audited
    at = changes.mark(db)
    for user, body, status in (("a.operator", {"value": 8}, 403),
                               ("a.commander", {"value": -1}, 422),
                               ("a.commander", {"value": 8, "extra": 1}, 422),
                               ("b.operator", {"value": 8}, 404)):
        answer = client.put(path, json=body, headers=headers[user])
        assert answer.status_code == status, (user, answer.text)
    assert changes.since(db, at) == []  # refused: nothing changed
    answer = client.put(path, json={"value": 8, "note": "เขตเมือง"},
                        headers=headers["a.commander"])
    assert answer.status_code == 200, answer.text
    assert answer.json() | {"updated_at": None} == {
        "station_code": "ST-A", "key": "response_p1", "unit": "min", "direction": "lower",
        "value": 8.0, "source": "station", "default": 10.0, "note": "เขตเมือง",
        "updated_at": None, "updated_by": "a.commander"}
    read = get(client, world, "a.viewer", "/api/v1/stations/ST-A/kpis").json()
    assert next(x for x in read["kpis"] if x["key"] == "response_p1")["target"] == 8.0
    assert client.put("/api/v1/stations/ST-A/kpi-targets/nope", json={"value": 1},
                      headers=world.headers(client, "admin")).status_code == 404
    with db.read() as s:
        entry = s.scalars(select(AuditEntry).where(
            AuditEntry.action == "measure.kpi_target.set")).one()
    assert (entry.username, entry.detail["after"]) == (
        "a.commander", {"value": 8.0, "source": "station"})
