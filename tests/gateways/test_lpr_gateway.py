"""Plate cameras end to end: real Hikvision/OpenALPR/generic posts -> inbox -> hotlist hit."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from safetyzone.config import Settings
from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from safetyzone.intake.models import InboxEvent
from support.live import Devices, wait_for
from support.plates import (
    FIXTURES,
    JPEG,
    add_hotlist,
    generic_read,
    hikvision_multipart,
    hikvision_xml,
    register_lpr_camera,
)
from support.world import World

HIK = "/api/v1/gateways/lpr/hikvision"


def stored(db: Database) -> int:
    with db.read() as session:
        return int(session.scalar(select(func.count()).select_from(InboxEvent)) or 0)


def test_hikvision_multipart_thai_plate_on_hotlist_opens_incident_with_camera(
    client: TestClient, world: World, clock: ManualClock, settings: Settings, db: Database,
) -> None:
    devices = Devices(client, world, clock)
    register_lpr_camera(devices, "lpr_hikvision", "HIK-ANPR-01")
    operator = world.headers(client, "a.operator")
    entry = add_hotlist(devices, operator, "8กผ 444", province="กรุงเทพมหานคร", priority=2)
    assert entry["plate"] == "8กผ444"
    assert entry["province_code"] == "TH-10"
    body, ctype = hikvision_multipart(hikvision_xml(clock.now()))
    response = client.post(f"{HIK}/HIK-ANPR-01", content=body, headers={"content-type": ctype})
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "ok"
    # The plate picture is kept under the data dir, the event points at it.
    pictures = list(Path(settings.data_dir, "lpr", "2026", "01", "01").glob("*.jpg"))
    assert [p.read_bytes() for p in pictures] == [JPEG]
    incident = wait_for(lambda: devices.incidents("a.operator", kind="plate_hit"))[0]
    assert incident["priority"] == 2
    assert "8กผ444" in incident["title_th"] and "8กผ444" in incident["title_en"]
    assert incident["cameras"][0]["code"] == "ST-A-POLICE-P1-C1"
    ref = incident["detail"]["snapshot_ref"]
    assert ref == f"lpr/2026/01/01/{pictures[0].name}"
    assert incident["detail"]["match"] == "exact"
    assert incident["detail"]["hotlist_entry_id"] == entry["id"]
    # A retry (same camera event UUID) is stored once and opens nothing new.
    again = client.post(f"{HIK}/HIK-ANPR-01", content=body, headers={"content-type": ctype})
    assert again.json()["events"][0]["duplicate"] is True
    assert stored(db) == 1


def test_plain_xml_read_without_picture_and_plate_not_listed(
    client: TestClient, world: World, clock: ManualClock, db: Database,
) -> None:
    devices = Devices(client, world, clock)
    register_lpr_camera(devices, "lpr_hikvision", "HIK-ANPR-02")
    response = client.post(f"{HIK}/HIK-ANPR-02", content=hikvision_xml(clock.now()),
                           headers={"content-type": "application/xml"})
    assert response.status_code == 200, response.text
    assert stored(db) == 1
    wait_for(lambda: client.get("/api/v1/plate-reads", headers=devices.admin, params={
        "plate": "8กผ444", "purpose": "checking the intake test read"}).json())
    assert devices.incidents(kind="plate_hit") == []


def test_generic_read_fuzzy_hit_shows_its_reason(
    client: TestClient, world: World, clock: ManualClock,
) -> None:
    devices = Devices(client, world, clock)
    register_lpr_camera(devices, "lpr_generic", "gate-2")
    operator = world.headers(client, "a.operator")
    add_hotlist(devices, operator, "1กช 1234")  # the camera will read ข where ช is
    response = client.post("/api/v1/gateways/lpr/generic/gate-2", content=generic_read(
        clock.now()), headers={"content-type": "application/json"})
    assert response.status_code == 200, response.text
    incident = wait_for(lambda: devices.incidents("a.operator", kind="plate_hit"))[0]
    assert incident["detail"]["match"] == "fuzzy"
    assert incident["detail"]["match_th"] == "อ่าน ช เป็น ข"
    assert incident["detail"]["match_en"] == "read ช as ข"
    assert "อ่าน ช เป็น ข" in incident["title_th"]
    assert "read ช as ข" in incident["title_en"]


def test_openalpr_heartbeat_is_acknowledged_and_not_stored(
    client: TestClient, world: World, clock: ManualClock, db: Database,
) -> None:
    devices = Devices(client, world, clock)
    register_lpr_camera(devices, "lpr_openalpr", "alprd-site-1")
    body = FIXTURES.joinpath("openalpr_alprd_heartbeat.json").read_bytes()
    response = client.post("/api/v1/gateways/lpr/openalpr/alprd-site-1", content=body,
                           headers={"content-type": "application/json"})
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "ignored"
    heartbeat = FIXTURES.joinpath("hikvision_heartbeat_videoloss.xml").read_bytes()
    register_lpr_camera(devices, "lpr_hikvision", "HIK-ANPR-03", code="ST-A-LPR3")
    response = client.post(f"{HIK}/HIK-ANPR-03", content=heartbeat,
                           headers={"content-type": "application/xml"})
    assert response.status_code == 200
    assert stored(db) == 0


def test_garbage_unknown_camera_wrong_protocol_and_oversize_are_refused(
    client: TestClient, world: World, clock: ManualClock, db: Database,
) -> None:
    devices = Devices(client, world, clock)
    register_lpr_camera(devices, "lpr_hikvision", "HIK-ANPR-01")
    xml = {"content-type": "application/xml"}
    garbage = client.post(f"{HIK}/HIK-ANPR-01", content=b"<EventNotificationAlert><oops",
                          headers=xml)
    assert garbage.status_code == 400
    assert garbage.headers["content-type"] == "application/problem+json"
    assert garbage.json()["detail"]
    old = client.post(f"{HIK}/HIK-ANPR-01", content=FIXTURES.joinpath(
        "hikvision_thai_isapi.xml").read_bytes(), headers=xml)  # 2025: outside the window
    assert old.status_code == 400
    unknown = client.post(f"{HIK}/NOT-REGISTERED", content=hikvision_xml(clock.now()),
                          headers=xml)
    assert unknown.status_code == 403
    # Registered as Hikvision, posting to the generic endpoint: unknown there.
    assert client.post("/api/v1/gateways/lpr/generic/HIK-ANPR-01", content=generic_read(
        clock.now())).status_code == 403
    body, ctype = hikvision_multipart(hikvision_xml(clock.now()), b"\xff\xd8" + b"x" * 2_200_000)
    oversize = client.post(f"{HIK}/HIK-ANPR-01", content=body, headers={"content-type": ctype})
    assert oversize.status_code == 413
    assert stored(db) == 0
