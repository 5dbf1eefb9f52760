"""The citizen API at its edges: garbage and oversize bodies refused with nothing stored,
uploads checked, floods throttled (429 + Retry-After), station scope, and a citizen's own
data shown and deleted."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from conftest import SECRET
from safetyzone.citizen.models import CitizenItem, CitizenMedia
from safetyzone.config import Settings
from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from safetyzone.ops.models import Incident
from safetyzone.web.app import create_app
from support.citizen import (
    B_LAT,
    B_LON,
    OFFICER,
    PUBLIC,
    emergency,
    item_by_code,
    new_key,
    photo,
    report,
    send,
    tip,
)
from support.world import World

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "citizen"
JPEG = (SAMPLES / "phitsanulok_gps.jpg").read_bytes()
VOICE = (SAMPLES / "voice.ogg").read_bytes()




def _counts(db: Database) -> tuple[int, int, int]:
    with db.read() as s:
        return (s.scalar(select(func.count(CitizenItem.id))) or 0,
                s.scalar(select(func.count(Incident.id))) or 0,
                s.scalar(select(func.count(CitizenMedia.id))) or 0)


def test_garbage_is_refused_and_changes_nothing(client: TestClient, world: World,
                                                db: Database) -> None:
    key = new_key()
    garbage: list[tuple[str, object]] = [
        ("/emergencies", {"client_key": key}),
        ("/emergencies", emergency("short")),
        ("/emergencies", emergency(key, 100.47, 13.73)),  # swapped axes
        ("/emergencies", emergency(key, 51.5, -0.1)),  # outside Thailand
        ("/emergencies", {**emergency(key), "consent": {"purposes": ["report"],
                                                         "version": "1"}}),
        ("/emergencies", {**emergency(key), "extra": 1}),
        ("/emergencies", {**emergency(key), "message": "x\x00y"}),
        ("/emergencies", {**emergency(key), "message": "x" * 1001}),
        ("/reports", {**report(key), "category": "aliens"}),
        ("/reports", {**report(key), "description": ""}),
        ("/reports", report(key, join="R-NOTACODE")),
        ("/tips", {**tip(key, anonymous=True), "text": "x" * 4001}),
    ]
    for path, body in garbage:
        response = client.post(f"{PUBLIC}{path}", json=body)
        assert response.status_code == 422, (path, body, response.text)
        assert response.headers["content-type"] == "application/problem+json"
    for raw in (b"not json", b"{", b"[]"):
        response = client.post(f"{PUBLIC}/emergencies", content=raw,
                               headers={"Content-Type": "application/json"})
        assert response.status_code in {400, 422}
    abroad = client.post(f"{PUBLIC}/emergencies", json=emergency(key, 51.5, -0.1))
    assert "outside Thailand" in abroad.text
    assert _counts(db) == (0, 0, 0)


def test_oversize_bodies_are_refused_before_anything_is_stored(
        client: TestClient, world: World, db: Database, settings: Settings) -> None:
    response = client.post(f"{PUBLIC}/reports", content=b"{" + b" " * (1024 * 1024 + 10) + b"}",
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    key = new_key()
    code = send(client, "/reports", report(key))["code"]
    huge = b"\xff\xd8\xff" + b"\x00" * (settings.citizen_media_max_bytes + 1)
    response = client.post(f"{PUBLIC}/tickets/{code}/media", headers={"X-Caller-Key": key},
                           files={"file": ("big.jpg", huge, "image/jpeg")})
    assert response.status_code == 413
    assert _counts(db) == (1, 0, 0)
    assert not [f for f in (settings.data_dir / "citizen-media").rglob("*") if f.is_file()]


def test_photos_are_checked_counted_and_shown_to_the_station(
        client: TestClient, world: World, db: Database, settings: Settings) -> None:
    key = new_key()
    code = send(client, "/reports", report(key))["code"]
    url = f"{PUBLIC}/tickets/{code}/media"
    # Not an image, someone else's key, no key: refused, nothing stored.
    assert client.post(url, headers={"X-Caller-Key": key},
                       files={"file": ("x.jpg", b"MZ\x90\x00 not an image", "image/jpeg")}
                       ).status_code in {415, 422}
    assert client.post(url, headers={"X-Caller-Key": new_key()},
                       files={"file": ("x.jpg", JPEG, "image/jpeg")}).status_code == 404
    assert client.post(url, files={"file": ("x.jpg", JPEG, "image/jpeg")}).status_code == 422
    # A voice note goes with an emergency only.
    assert client.post(url, headers={"X-Caller-Key": key},
                       files={"file": ("v.ogg", VOICE, "audio/ogg")}
                       ).status_code in {415, 422}
    assert _counts(db) == (1, 0, 0)
    for i in range(5):
        response = client.post(url, headers={"X-Caller-Key": key},
                               files={"file": (f"{i}.jpg", photo(i), "image/jpeg")})
        assert response.status_code == 201, response.text
        assert response.json()["kind"] == "photo"
    response = client.post(url, headers={"X-Caller-Key": key},
                           files={"file": ("6.jpg", JPEG, "image/jpeg")})
    assert response.status_code == 409
    assert _counts(db) == (1, 0, 5)
    headers = world.headers(client, "a.operator")
    row = item_by_code(client, headers, code)
    assert len(row["media"]) == 5
    media = row["media"][0]
    response = client.get(f"{OFFICER}/items/{row['id']}/media/{media['id']}", headers=headers)
    assert response.status_code == 200 and response.content.startswith(b"\xff\xd8\xff")
    b = world.headers(client, "b.operator")
    assert client.get(f"{OFFICER}/items/{row['id']}/media/{media['id']}",
                      headers=b).status_code == 404


def test_station_a_cannot_read_station_b(client: TestClient, world: World) -> None:
    b_code = send(client, "/reports", report(new_key(), B_LAT, B_LON))["code"]
    b_row = item_by_code(client, world.headers(client, "b.operator"), b_code)
    a = world.headers(client, "a.operator")
    assert b_code not in {r["code"] for r in client.get(f"{OFFICER}/items",
                                                       headers=a).json()}
    for method, path, body in (
            ("GET", f"{OFFICER}/items/{b_row['id']}", None),
            ("POST", f"{OFFICER}/items/{b_row['id']}/messages", {"text": "x"}),
            ("POST", f"{OFFICER}/items/{b_row['id']}/acknowledge", None),
            ("POST", f"{OFFICER}/items/{b_row['id']}/close", {"disposition": "resolved"}),
            ("POST", f"{OFFICER}/items/{b_row['id']}/incident", {})):
        assert client.request(method, path, json=body, headers=a).status_code == 404, path
    assert client.get(f"{OFFICER}/items", params={"station": "ST-B"},
                      headers=a).status_code == 404
    # A partner reads no citizens' items at all.
    assert client.get(f"{OFFICER}/items",
                      headers=world.headers(client, "a.shop")).status_code == 403


def test_my_data_is_shown_and_deleted(client: TestClient, world: World, db: Database,
                                      settings: Settings) -> None:
    key = new_key()
    code = send(client, "/emergencies", emergency(key, contact_phone="0811112222",
                                                  message="มีคนบุกรุกบ้าน"))["code"]
    send(client, f"/tickets/{code}/media", {}, status=422, key=key)  # no file: refused
    response = client.post(f"{PUBLIC}/tickets/{code}/media", headers={"X-Caller-Key": key},
                           files={"file": ("v.ogg", VOICE, "audio/ogg")})
    assert response.status_code == 201 and response.json()["kind"] == "voice"
    # Officers get a voice note as a download (kept as sent), never as a page.
    officer = world.headers(client, "a.operator")
    row = item_by_code(client, officer, code)
    voice = client.get(f"{OFFICER}/items/{row['id']}/media/{row['media'][0]['id']}",
                       headers=officer)
    assert voice.status_code == 200 and voice.content == VOICE
    assert voice.headers["content-disposition"] == "attachment"
    assert client.get(f"{PUBLIC}/my-data/{code}").status_code == 422
    assert client.get(f"{PUBLIC}/my-data/{code}",
                      headers={"X-Caller-Key": new_key()}).status_code == 404
    mine = client.get(f"{PUBLIC}/my-data/{code}", headers={"X-Caller-Key": key}).json()
    assert mine["contact"] == {"name": None, "phone": "0811112222"}
    assert mine["description"] == "มีคนบุกรุกบ้าน" and len(mine["media"]) == 1
    files = list((settings.data_dir / "citizen-media").rglob("*"))
    assert any(f.is_file() for f in files)
    response = client.delete(f"{PUBLIC}/my-data/{code}", headers={"X-Caller-Key": key})
    assert response.status_code == 200 and response.json() == {"code": code, "deleted": True}
    mine = client.get(f"{PUBLIC}/my-data/{code}", headers={"X-Caller-Key": key}).json()
    assert mine["contact"] is None and mine["description"] == "" and mine["media"] == []
    assert mine["lat"] is None and mine["personal_data_deleted"] is True
    assert not any(f.is_file() for f in (settings.data_dir / "citizen-media").rglob("*"))
    # The police record stays: the incident and its ticket.
    with db.read() as s:
        assert s.scalar(select(func.count(Incident.id))) == 1


@pytest.fixture
def tight(db: Database, clock: ManualClock, tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(environment="test", data_dir=tmp_path, secret_key=SECRET,
                        citizen_emergency_per_minute=2, citizen_write_per_minute=3,
                        citizen_read_per_minute=4)
    with TestClient(create_app(settings, db, clock)) as test_client:
        yield test_client


def test_floods_are_throttled_per_route_class(tight: TestClient, world: World,
                                              db: Database) -> None:
    statuses = [tight.post(f"{PUBLIC}/reports", json=report(new_key())).status_code
                for _ in range(4)]
    assert statuses == [201, 201, 201, 429]
    refused = tight.post(f"{PUBLIC}/tips", json=tip(new_key(), anonymous=True))
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.headers["content-type"] == "application/problem+json"
    # Writes used up do not take a caller's emergency presses, nor reads.
    assert tight.post(f"{PUBLIC}/emergencies", json=emergency(new_key())).status_code == 201
    assert tight.post(f"{PUBLIC}/emergencies", json=emergency(new_key())).status_code == 201
    assert tight.post(f"{PUBLIC}/emergencies", json=emergency(new_key())).status_code == 429
    assert [tight.get(f"{PUBLIC}/catalog").status_code for _ in range(5)] == [200] * 4 + [429]
    with db.read() as s:
        assert s.scalar(select(func.count(CitizenItem.id))) == 5
