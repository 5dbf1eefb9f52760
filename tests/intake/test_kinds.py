"""A credential sends only the event kinds its subject can produce (intake.kinds).

Each subject type is tried with what it may send (accepted) and with what it may not
(403 problem+json naming the kind, nothing stored, no incident opened).
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from safetyzone.core.security import system_scope
from safetyzone.intake import credentials
from safetyzone.intake.credentials import SecretHasher
from safetyzone.intake.models import InboxEvent, SubjectKind
from safetyzone.org import service as org
from support.live import Devices
from support.world import STATIONS, World

_, LAT, LON = STATIONS["ST-A"]
ALARM = {"category": "hold_up", "code": "HA", "protocol": "http"}
PLATE = {"plate": "กข 1234", "plate_normalized": "กข1234"}


def bodies(devices: Devices) -> dict[str, dict[str, Any]]:
    """One valid event of every kind a device can send over the JSON intake."""
    where = {"location": {"lat": LAT, "lon": LON}}
    return {
        "sos.press": devices.sos(**where),
        "alarm": {**devices.sos(**where), "kind": "alarm", "payload": ALARM},
        "gps.position": devices.gps(LAT, LON),
        "plate.read": {**devices.sos(**where), "kind": "plate.read", "payload": PLATE},
        "device.status": {**devices.sos(), "kind": "device.status",
                          "payload": {"state": "heartbeat"}},
    }


def stored(db: Database) -> int:
    with db.read() as session:
        return int(session.scalar(select(func.count(InboxEvent.seq))) or 0)


def _asset_token(devices: Devices, code: str) -> str:
    return devices.credential("ST-A", "asset", devices.asset_id(code))


@pytest.mark.parametrize(("subject", "may"), [
    ("camera", {"plate.read", "device.status"}),
    ("sos_point", {"sos.press", "alarm", "device.status"}),
    ("loudspeaker", {"device.status"}),
    ("unit", {"gps.position"}),
    ("sia_gateway", {"alarm", "device.status"}),
    ("legacy_gateway", set()),
])
def test_a_credential_sends_only_what_its_subject_can_produce(
    client: TestClient, world: World, clock: ManualClock, db: Database, subject: str,
    may: set[str],
) -> None:
    devices = Devices(client, world, clock)
    if subject == "camera":
        token = _asset_token(devices, "ST-A-POLICE-P1")
    elif subject == "sos_point":
        token = _asset_token(devices, "ST-A-SOS1")
    elif subject == "loudspeaker":
        speaker = client.post("/api/v1/assets", headers=devices.admin, json={
            "station_code": "ST-A", "zone_code": "Z-ST-A", "kind": "loudspeaker",
            "code": "ST-A-SPK1", "name_th": "ลำโพง", "lat": LAT, "lon": LON,
            "owner_class": "police"})
        assert speaker.status_code == 201, speaker.text
        token = devices.credential("ST-A", "asset", speaker.json()["id"])
    elif subject == "unit":
        _, token = devices.unit("ST-A", "A-KINDS")
    elif subject == "sia_gateway":
        response = client.post("/api/v1/devices", headers=devices.admin, json={
            "station_code": "ST-A", "subject_kind": "gateway", "label": "ARC",
            "protocol": "sia_dc09", "external_id": "4D2"})
        assert response.status_code == 201, response.text
        token = response.json()["token"]
    else:  # issued before gateways had to name a protocol: bound to nothing
        with db.write() as s:
            scope = system_scope()
            token = credentials.issue(
                s, scope=scope, clock=clock, hasher=SecretHasher(world.settings.secret_key
                                                                 .get_secret_value()),
                station_id=org.get_station(s, scope=scope, code="ST-A").id,
                subject_kind=SubjectKind.GATEWAY, subject_id=None, label="old").token
    for kind, body in bodies(devices).items():
        before = stored(db)
        response = devices.post(token, body)
        if kind in may:
            assert response.status_code == 200, (subject, kind, response.text)
            assert stored(db) == before + 1
            continue
        assert response.status_code == 403, (subject, kind, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        problem = response.json()
        assert problem["code"] == "event-kind-not-allowed"
        assert f"'{kind}'" in problem["detail"], problem
        assert stored(db) == before, (subject, kind)
    # One forbidden kind in a batch refuses the whole batch.
    batch = list(bodies(devices).values())
    response = client.post("/api/v1/intake/events/batch", json={"events": batch},
                           headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403


def test_a_camera_cannot_open_an_sos_incident(
    client: TestClient, world: World, clock: ManualClock
) -> None:
    devices = Devices(client, world, clock)
    camera = _asset_token(devices, "ST-A-POLICE-P1")
    assert devices.post(camera, devices.sos()).status_code == 403
    assert devices.post(camera, {**devices.sos(), "kind": "alarm",
                                 "payload": ALARM}).status_code == 403
    assert devices.incidents() == []


def test_a_gateway_must_name_its_protocol(client: TestClient, world: World,
                                          clock: ManualClock) -> None:
    devices = Devices(client, world, clock)
    response = client.post("/api/v1/devices", headers=devices.admin, json={
        "station_code": "ST-A", "subject_kind": "gateway", "label": "x"})
    assert response.status_code == 422
    assert response.json()["problems"][0]["field"] == "protocol"
    with_subject = client.post("/api/v1/devices", headers=devices.admin, json={
        "station_code": "ST-A", "subject_kind": "gateway", "label": "x", "protocol": "osmand",
        "external_id": "x1", "subject_id": devices.asset_id("ST-A-SOS1")})
    assert with_subject.status_code == 422
