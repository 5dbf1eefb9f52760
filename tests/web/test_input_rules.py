"""Input rules at the edge, on both backends: text no backend can store (NUL, other control
characters, lone surrogates) is refused with 422 problem+json on every kind of input and
changes nothing; integers are bounded; PATCH cannot null a required field."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from safetyzone.audit.models import AuditEntry
from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from safetyzone.intake.models import InboxEvent
from support.live import Devices
from support.world import World

BAD = {"nul": "\x00", "escape": "\x1b", "surrogate": "\ud800"}
bad_text = pytest.mark.parametrize("bad", list(BAD.values()), ids=list(BAD))
PROBLEM = "application/problem+json"


def send(client: TestClient, method: str, url: str, body: Any, headers: dict[str, str]) -> Any:
    """JSON with ``\\uXXXX`` escapes, as a client would send a lone surrogate."""
    return client.request(method, url, content=json.dumps(body),
                          headers={**headers, "Content-Type": "application/json"})


def changes(db: Database) -> tuple[int, int]:
    """Audit rows and inbox rows: every registry write is audited, every event stored."""
    with db.read() as s:
        return (int(s.scalar(select(func.count()).select_from(AuditEntry)) or 0),
                int(s.scalar(select(func.count()).select_from(InboxEvent)) or 0))


def refused(response: Any) -> dict[str, Any]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["code"] == "invalid-input"
    return body


def ids(client: TestClient, headers: dict[str, str]) -> dict[str, str]:
    asset = client.get("/api/v1/assets", params={"q": "ST-A-SOS1"}, headers=headers).json()
    camera = client.get("/api/v1/cameras", params={"station_code": "ST-A"},
                        headers=headers).json()
    zone = client.get("/api/v1/zones", params={"station_code": "ST-A"}, headers=headers).json()
    return {"asset": asset["items"][0]["id"], "camera": camera["items"][0]["id"],
            "zone": zone["items"][0]["id"]}


def registry_requests(bad: str, known: dict[str, str]) -> list[tuple[str, str, Any]]:
    """One request per registry input, each with the bad text in one place."""
    point = {"lat": 13.7301, "lon": 100.4701}
    square = {"type": "Polygon", "coordinates": [[[100.46, 13.72], [100.48, 13.72],
                                                  [100.48, 13.74], [100.46, 13.72]]]}
    return [
        ("POST", "/api/v1/assets", {
            "station_code": "ST-A", "kind": "red_box", "code": "RB-NEW", "name_th": f"ตู้{bad}",
            "owner_class": "police", **point}),
        ("POST", "/api/v1/assets", {
            "station_code": "ST-A", "kind": "red_box", "code": "RB-NEW", "name_th": "ตู้แดง",
            "owner_class": "police", "attributes": {"floor": [f"a{bad}"]}, **point}),
        ("PATCH", f"/api/v1/assets/{known['asset']}", {"note": f"x{bad}y"}),
        ("POST", "/api/v1/cameras", {
            "station_code": "ST-A", "point_code": "ST-A-POLICE-P1", "code": "CAM-NEW",
            "name_th": "กล้อง", "stream_username": f"u{bad}"}),
        ("PATCH", f"/api/v1/cameras/{known['camera']}", {"name_th": f"{bad}"}),
        ("POST", "/api/v1/zones", {
            "code": "Z-NEW", "station_code": "ST-A", "name_th": f"โซน{bad}", "name_en": "Zone",
            "boundary": square}),
        ("PATCH", f"/api/v1/zones/{known['zone']}", {"selection": {"risk": [f"r{bad}"]}}),
        ("POST", "/api/v1/org-units", {
            "code": "ST-NEW", "kind": "station", "parent_code": "PROV-1", "name_th": f"ส{bad}",
            "name_en": "Station"}),
        ("POST", "/api/v1/partners", {
            "code": "P-NEW", "org_unit_code": "ST-A", "name_th": "ร้าน", "owner_class":
            "private_business", "contact_name": f"n{bad}"}),
        ("POST", "/api/v1/users", {
            "username": "new.user", "display_name": f"ผู้ใช้{bad}", "password": "long-enough-pw",
            "role": "viewer", "org_unit_codes": ["ST-A"]}),
        ("POST", f"/api/v1/incidents/{uuid.uuid4()}/notes", {"text": f"note{bad}"}),
        ("POST", "/api/v1/hotlists", {
            "station_code": "ST-A", "plate": "กข 1234", "reason": f"stolen{bad}"}),
        ("PUT", "/api/v1/stations/ST-A/rules", [{
            "name": f"rule{bad}", "position": 1, "trigger": {"kinds": ["sos.press"]},
            "action": {"incident_kind": "sos", "priority": 1, "title_th": "t",
                       "title_en": "t"}}]),
        ("POST", f"/api/v1/assets/{known['asset']}/commands",
         {"type": "announce", "text": f"hello{bad}"}),
    ]


@bad_text
def test_registry_text_no_backend_stores_is_refused(
    client: TestClient, world: World, db: Database, bad: str
) -> None:
    headers = world.headers(client, "admin")
    known = ids(client, headers)
    before = changes(db)
    for method, url, body in registry_requests(bad, known):
        problems = refused(send(client, method, url, body, headers))["problems"]
        assert any(word in p["reason"] for p in problems
                   for word in ("control character", "surrogate", "unicode")), (url, problems)
    assert changes(db) == before


@bad_text
def test_device_events_with_unstorable_text_are_refused(
    client: TestClient, world: World, db: Database, clock: ManualClock, bad: str
) -> None:
    devices = Devices(client, world, clock)
    token = devices.credential("ST-A", "asset", devices.asset_id("ST-A-SOS1"), "SOS pole 1")
    auth = {"Authorization": f"Bearer {token}"}
    before = changes(db)
    for event in (devices.sos(device_event_id=f"evt{bad}"),
                  devices.sos(payload={"message": f"help{bad}"})):
        refused(send(client, "POST", "/api/v1/intake/events", event, auth))
        refused(send(client, "POST", "/api/v1/intake/events/batch",
                     {"events": [devices.sos(), event]}, auth))
    assert changes(db) == before


@bad_text
def test_import_cells_are_refused_with_their_line(
    client: TestClient, world: World, db: Database, bad: str
) -> None:
    headers = world.headers(client, "admin")
    before = changes(db)
    csv = ("kind,code,name_th,lat,lon,owner_class\n"
           "red_box,RB-1,ตู้แดง,13.7300,100.4700,police\n"
           f"red_box,RB-2,ตู้{bad}แดง,13.7301,100.4701,police\n")
    response = client.post("/api/v1/stations/ST-A/assets/import",
                           content=csv.encode("utf-8", "surrogatepass"),
                           headers={**headers, "Content-Type": "text/csv"})
    problems = refused(response)["problems"]
    assert [p["line"] for p in problems] == [3]  # a surrogate: "not UTF-8" on its line
    if bad == "\x1b":
        assert "control character" in problems[0]["reason"]
    geojson = {"type": "FeatureCollection", "features": [{
        "type": "Feature", "geometry": {"type": "Point", "coordinates": [100.47, 13.73]},
        "properties": {"kind": "red_box", "code": "RB-3", "name_th": f"ตู้{bad}",
                       "owner_class": "police"}}]}
    response = client.post("/api/v1/stations/ST-A/assets/import", content=json.dumps(geojson),
                           headers={**headers, "Content-Type": "application/geo+json"})
    problems = refused(response)["problems"]
    assert problems[0]["field"].startswith("features[0]")
    assert changes(db) == before


@bad_text
def test_path_query_and_form_text_is_refused(
    client: TestClient, world: World, db: Database, bad: str
) -> None:
    headers = world.headers(client, "admin")
    before = changes(db)
    escaped = "%00" if bad == "\x00" else "%1B" if bad == "\x1b" else "%ED%A0%80"
    if bad != "\ud800":  # a surrogate cannot arrive percent-encoded (it is not UTF-8)
        refused(client.get("/api/v1/assets", params={"q": f"a{bad}"}, headers=headers))
        refused(client.get("/api/v1/audit", params={"action": f"a{bad}"}, headers=headers))
        refused(client.get(f"/api/v1/stations/ST-A{escaped}/panel", headers=headers))
        refused(client.post("/api/v1/auth/token", data={"username": f"admin{bad}",
                                                          "password": "whatever-it-is"}))
    assert changes(db) == before


def test_a_huge_offset_is_refused_not_a_server_error(client: TestClient, world: World) -> None:
    headers = world.headers(client, "admin")
    for url in ("/api/v1/assets", "/api/v1/cameras", "/api/v1/zones", "/api/v1/audit",
                "/api/v1/incidents", "/api/v1/hotlists"):
        body = refused(client.get(url, params={"offset": 2**70}, headers=headers))
        assert body["problems"][0]["field"] == "offset"
        assert client.get(url, params={"offset": 10_000_000}, headers=headers).status_code == 200


def test_patch_cannot_null_a_required_field(
    client: TestClient, world: World, db: Database
) -> None:
    headers = world.headers(client, "admin")
    known = ids(client, headers)
    before = changes(db)
    for url, body in ((f"/api/v1/zones/{known['zone']}", {"boundary": None}),
                      (f"/api/v1/zones/{known['zone']}", {"name_th": None}),
                      (f"/api/v1/zones/{known['zone']}", {"selection": None}),
                      (f"/api/v1/assets/{known['asset']}", {"name_th": None}),
                      (f"/api/v1/assets/{known['asset']}", {"lat": None}),
                      (f"/api/v1/cameras/{known['camera']}", {"sharing_level": None})):
        problems = refused(client.patch(url, json=body, headers=headers))["problems"]
        assert any("may not be null" in p["reason"] for p in problems), (url, problems)
    assert changes(db) == before
    # A nullable field is cleared by null; an omitted one stays as it was.
    zone = client.patch(f"/api/v1/zones/{known['zone']}", json={"households": None},
                        headers=headers)
    assert zone.status_code == 200, zone.text
    assert zone.json()["households"] is None and zone.json()["boundary"]["type"] == "Polygon"
    camera = client.patch(f"/api/v1/cameras/{known['camera']}", json={"heading_deg": None},
                          headers=headers)
    assert camera.status_code == 200, camera.text
    assert camera.json()["heading_deg"] is None


def test_body_numbers_are_bounded(client: TestClient, world: World, db: Database) -> None:
    headers = world.headers(client, "admin")
    known = ids(client, headers)
    before = changes(db)
    refused(client.patch(f"/api/v1/zones/{known['zone']}", json={"population_total": 2**40},
                         headers=headers))
    refused(client.post(f"/api/v1/incidents/{uuid.uuid4()}/acknowledge",
                        json={"expected_version": 2**63}, headers=headers))
    for raw in ('{"attributes": {"x": NaN}}', '{"lat": Infinity}'):
        refused(client.patch(f"/api/v1/assets/{known['asset']}", content=raw,
                             headers={**headers, "Content-Type": "application/json"}))
    assert changes(db) == before
