"""The program view over HTTP: one read for the whole scope, the start recorded through a
checked body, and bad input refused with nothing changed."""

from __future__ import annotations

from fastapi.testclient import TestClient

from support.world import World


def program(client: TestClient, headers: dict[str, str], **params: str) -> dict[str, object]:
    response = client.get("/api/v1/program", headers=headers, params=params)
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


def test_a_region_desk_reads_its_stations_and_a_commander_records_a_start(
        client: TestClient, world: World) -> None:
    region = program(client, world.headers(client, "reg1.commander"))
    assert [s["station_code"] for s in region["stations"]] == ["ST-A", "ST-B"]  # type: ignore[index]
    commander = world.headers(client, "a.commander")
    response = client.put("/api/v1/stations/ST-A/rollout", headers=commander, json={
        "started_on": "2021-09-21", "phase": 1, "source": "คำสั่ง ตร. ที่ 1/2564"})
    assert response.status_code == 200, response.text
    row = program(client, commander)["stations"][0]  # type: ignore[index]
    assert row["rollout"]["started_on"] == "2021-09-21" and row["phase"] == 1
    assert row["rollout"]["source"] == "คำสั่ง ตร. ที่ 1/2564"


def test_bad_bodies_and_periods_are_refused_and_change_nothing(
        client: TestClient, world: World) -> None:
    admin = world.headers(client, "admin")
    before = program(client, admin)["stations"]
    for body in ({"started_on": "yesterday", "source": "x"}, {"phase": 7},
                 {"phase": 1, "owner": "me"}, {"started_on": "2021-09-21"},
                 {"started_on": "2021-09-21", "source": "x" * 501}, [1, 2]):
        response = client.put("/api/v1/stations/ST-A/rollout", headers=admin, json=body)
        assert response.status_code == 422, (body, response.text)
    response = client.put("/api/v1/stations/ST-A/rollout", headers={
        **admin, "Content-Type": "application/json"}, content=b"{not json")
    assert response.status_code in {400, 422}
    assert client.put("/api/v1/stations/NOPE/rollout", headers=admin,
                      json={"phase": 1}).status_code == 404
    assert program(client, admin)["stations"] == before
    for params in ({"since": "2026-01-02T00:00:00+07:00", "until": "2026-01-01T00:00:00+07:00"},
                   {"since": "2020-01-01T00:00:00+07:00", "until": "2026-01-01T00:00:00+07:00"},
                   {"since": "2026-01-01T00:00:00"}, {"until": "soon"}):
        response = client.get("/api/v1/program", headers=admin, params=params)
        assert response.status_code == 422, (params, response.text)
