"""Who may handle evidence, and what the database lets anyone do to the chain of custody.

Investigators, operators and commanders of the incident's station (and admins): yes;
partners, volunteers, viewers and patrol officers: no; another station's people: the clip
and the incident do not exist. Custody rows cannot be updated or deleted on either backend.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from safetyzone.assets.models import Camera
from safetyzone.config import Settings
from safetyzone.core.db import Database
from safetyzone.core.security import system_scope
from safetyzone.ops.models import Incident
from safetyzone.video.evidence import service
from safetyzone.video.evidence.service import ClipPlan, MadeFile
from support.recording import dock, recording_settings
from support.world import World

AT = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return recording_settings(settings)


def a_clip(db: Database, settings: Settings, station: str = "ST-A") -> tuple[str, str, str]:
    """An incident docking a camera of the station and a clip of it (a file of bytes as the
    desk stores one): (incident id, clip id, camera id)."""
    with db.read() as s:
        camera = s.scalar(select(Camera).where(Camera.code.like(f"{station}-%")).limit(1))
        assert camera is not None
        camera_id, code = camera.id, camera.code
    incident = dock(db, str(camera_id), code, station)
    data = b"not really a video, but bytes with a hash"
    clip_id = uuid.uuid4()
    relative = f"{station}/{clip_id.hex}.mp4"
    path = settings.data_dir / "evidence" / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    with db.write() as s:
        row = s.get(Incident, uuid.UUID(incident))
        assert row is not None
        plan = ClipPlan(row.id, row.station_id, station, service.incident_number(row),
                        AT, AT + timedelta(seconds=5), [])
        service.store_clips(s, scope=system_scope("maker"), plan=plan, made=[MadeFile(
            clip_id, camera_id, code, AT, AT + timedelta(seconds=5), relative, len(data),
            hashlib.sha256(data).hexdigest(), [])], at=AT, address="10.0.0.1")
    return incident, str(clip_id), str(camera_id)


def test_only_the_stations_evidence_roles_handle_its_clips(
    client: TestClient, world: World, db: Database, settings: Settings,
) -> None:
    incident, clip, _ = a_clip(db, settings)
    for user in ("a.investigator", "a.operator", "a.commander", "admin"):
        headers = world.headers(client, user)
        assert client.get(f"/api/v1/clips/{clip}", headers=headers).status_code == 200, user
        listed = client.get(f"/api/v1/incidents/{incident}/clips", headers=headers)
        assert [c["id"] for c in listed.json()] == [clip], user
    for user in ("a.shop", "a.volunteer", "a.viewer", "a.patrol"):
        headers = world.headers(client, user)
        for path in (f"/api/v1/clips/{clip}", f"/api/v1/clips/{clip}/view",
                     f"/api/v1/clips/{clip}/download", f"/api/v1/incidents/{incident}/clips"):
            assert client.get(path, headers=headers).status_code == 403, (user, path)
        assert client.post(f"/api/v1/incidents/{incident}/evidence-export", headers=headers,
                           json={}).status_code == 403
    # Station B's operator: A's clip, incident and export do not exist.
    other = world.headers(client, "b.operator")
    for path in (f"/api/v1/clips/{clip}", f"/api/v1/clips/{clip}/download",
                 f"/api/v1/incidents/{incident}/clips"):
        assert client.get(path, headers=other).status_code == 404, path
    assert client.post(f"/api/v1/incidents/{incident}/evidence-export", headers=other,
                       json={}).status_code == 404
    assert client.post(f"/api/v1/incidents/{incident}/clips", headers=other,
                       json={}).status_code == 404
    # And B's own clip is not A's to export with A's incident.
    _, b_clip, _ = a_clip(db, settings, "ST-B")
    operator = world.headers(client, "a.operator")
    assert client.post(f"/api/v1/incidents/{incident}/evidence-export", headers=operator,
                       json={"clip_ids": [b_clip]}).status_code == 404
    custody = client.get(f"/api/v1/clips/{clip}", headers=operator).json()["custody"]
    assert [c["action"] for c in custody] == ["made"]  # nothing refused left a trace


def test_garbage_is_refused_and_changes_nothing(
    client: TestClient, world: World, db: Database, settings: Settings,
) -> None:
    incident, clip, camera = a_clip(db, settings)
    operator = world.headers(client, "a.operator")
    url = f"/api/v1/incidents/{incident}/clips"
    for body in ({"before_s": -1}, {"after_s": 0}, {"after_s": 100_000}, {"at": "yesterday"},
                 {"camera_ids": ["not-a-uuid"]}, {"camera_ids": [camera] * 33},
                 {"surprise": True}, [1, 2]):
        assert client.post(url, headers=operator, json=body).status_code == 422, body
    assert client.post(url, headers=operator, content=b"\x00\xff{").status_code == 422
    # A camera of another station, or none at all: it does not exist for this incident.
    assert client.post(url, headers=operator, json={
        "camera_ids": [str(uuid.uuid4())]}).status_code == 404
    # No footage of the docked camera at that time (it never recorded).
    none = client.post(url, headers=operator, json={"at": "2001-01-01T00:00:00Z"})
    assert none.status_code in {409, 503} and none.json()["code"] in {
        "no-footage", "media-tool-missing"}
    assert client.get("/api/v1/clips/not-a-uuid", headers=operator).status_code == 422
    assert client.get(f"/api/v1/clips/{uuid.uuid4()}", headers=operator).status_code == 404
    assert client.post(f"/api/v1/incidents/{incident}/evidence-export", headers=operator,
                       json={"clip_ids": "all"}).status_code == 422
    assert client.post(f"/api/v1/incidents/{incident}/evidence-export", headers=operator,
                       json={"clip_ids": [str(uuid.uuid4())]}).status_code == 404
    custody = client.get(f"/api/v1/clips/{clip}", headers=operator).json()["custody"]
    assert [c["action"] for c in custody] == ["made"]


def test_custody_rows_cannot_be_updated_or_deleted(
    db: Database, world: World, settings: Settings, tmp_path: Path,
) -> None:
    a_clip(db, settings)
    for statement in ("UPDATE evidence_custody SET username = 'forged'",
                      "UPDATE evidence_custody SET intact = false",
                      "DELETE FROM evidence_custody"):
        with pytest.raises(Exception, match="append-only"), db.engine.begin() as conn:
            conn.execute(text(statement))
    with db.engine.connect() as conn:
        rows = conn.execute(text("SELECT action, username FROM evidence_custody")).all()
    assert [tuple(r) for r in rows] == [("made", "maker")]


def test_a_case_holds_footage_until_it_releases_it(
    client: TestClient, world: World, db: Database, settings: Settings,
) -> None:
    incident, _, camera = a_clip(db, settings)
    investigator = world.headers(client, "a.investigator")
    url = f"/api/v1/incidents/{incident}/footage-holds"
    body = {"since": "2026-11-01T11:00:00Z", "until": "2026-11-01T13:00:00Z",
            "note": "คดีอาญาที่ 123/2569"}
    made = client.post(url, headers=investigator, json=body)
    assert made.status_code == 201, made.text
    assert [(h["camera_id"], h["reason"]) for h in made.json()] == [(camera, "case")]
    listed = client.get(url, headers=investigator).json()
    assert sorted(h["reason"] for h in listed) == ["case", "clip"]
    for bad in ({**body, "until": "2026-11-01T10:00:00Z"},
                {**body, "until": "2027-11-01T10:00:00Z"}):
        answer = client.post(url, headers=investigator, json=bad)
        assert answer.status_code == 409 and answer.json()["code"] == "hold-window"
    for garbage in ({**body, "since": "soon"}, {**body, "x": 1}, {**body, "note": "n" * 501}):
        assert client.post(url, headers=investigator, json=garbage).status_code == 422
    assert client.post(url, headers=world.headers(client, "a.viewer"),
                       json=body).status_code == 403
    other = world.headers(client, "b.operator")
    assert client.post(url, headers=other, json=body).status_code == 404
    case_hold = made.json()[0]["id"]
    assert client.delete(f"/api/v1/footage-holds/{case_hold}", headers=other).status_code == 404
    clip_hold = next(h["id"] for h in listed if h["reason"] == "clip")
    kept = client.delete(f"/api/v1/footage-holds/{clip_hold}", headers=investigator)
    assert kept.status_code == 409 and kept.json()["code"] == "hold-of-clip"
    assert client.delete(f"/api/v1/footage-holds/{case_hold}",
                         headers=world.headers(client, "a.operator")).status_code == 204
    assert [h["reason"] for h in client.get(url, headers=investigator).json()] == ["clip"]
    actions = [row["action"] for row in client.get(
        "/api/v1/audit", params={"entity_id": camera},
        headers=world.headers(client, "admin")).json()["items"]]
    assert "recording.hold" in actions and "recording.hold.release" in actions
