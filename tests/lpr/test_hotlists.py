"""Hotlists: matching, expiry, covert hits, searching reads with a purpose, retention."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from safetyzone.config import Settings
from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from safetyzone.intake.models import InboxEvent
from safetyzone.lpr import service as lpr
from safetyzone.lpr.models import PlateHit
from safetyzone.ops.engine import sweep
from support.live import Devices, wait_for
from support.plates import (
    add_hotlist,
    generic_read,
    hikvision_multipart,
    hikvision_xml,
    register_lpr_camera,
)
from support.world import World

GENERIC = "/api/v1/gateways/lpr/generic/gate-2"


def post_read(client: TestClient, clock: ManualClock, plate: str, event_id: str) -> str:
    response = client.post(GENERIC, content=generic_read(
        clock.now(), plate=plate, camera_event_id=event_id))
    assert response.status_code == 200, response.text
    event: str = response.json()["events"][0]["id"]
    return event


def processed(db: Database, event_id: str) -> bool:
    with db.read() as session:
        row = session.scalar(select(InboxEvent).where(InboxEvent.id == uuid.UUID(event_id)))
        return row is not None and row.processed_at is not None


def test_match_exact_fuzzy_expired_removed_and_province(
    client: TestClient, world: World, clock: ManualClock, db: Database,
) -> None:
    devices = Devices(client, world, clock)
    operator = world.headers(client, "a.operator")
    exact = add_hotlist(devices, operator, "กข 1234", province="TH-10")
    add_hotlist(devices, operator, "กข 5678", expires_at=(clock.now() + timedelta(hours=1))
                .isoformat())
    removed = add_hotlist(devices, operator, "ฮฮ 9")
    assert client.delete(f"/api/v1/hotlists/{removed['id']}", headers=operator,
                         params={"reason": "car recovered"}).status_code == 200
    now = clock.now()
    with db.read() as session:
        hits = lpr.match(session, plate="กข1234", province="TH-10", now=now)
        assert [(str(h.entry_id), h.fuzzy) for h in hits] == [(exact["id"], False)]
        fuzzy = lpr.match(session, plate="กช1234", province=None, now=now)
        assert [(h.fuzzy, h.match_th, h.match_en) for h in fuzzy] == [
            (True, "อ่าน ข เป็น ช", "read ข as ช")]
        assert lpr.match(session, plate="กข1234", province="TH-50", now=now) == []
        assert lpr.match(session, plate="ฮฮ9", province=None, now=now) == []
        assert len(lpr.match(session, plate="กข5678", province=None, now=now)) == 1
        later = now + timedelta(hours=2)
        assert lpr.match(session, plate="กข5678", province=None, now=later) == []
    listed = {e["plate"] for e in client.get("/api/v1/hotlists", headers=operator).json()}
    assert listed == {"กข1234", "กข5678"}
    audit = client.get("/api/v1/audit", params={"action": "hotlist.add"},
                       headers=world.headers(client, "a.commander")).json()
    assert audit["total"] == 3
    removal = client.get("/api/v1/audit", params={"action": "hotlist.remove"},
                         headers=world.headers(client, "a.commander")).json()["items"]
    assert [(r["username"], r["reason"]) for r in removal] == [("a.operator", "car recovered")]
    # Viewers and other stations cannot touch the list.
    assert client.post("/api/v1/hotlists", headers=world.headers(client, "a.viewer"), json={
        "station_code": "ST-A", "plate": "กข 1", "reason": "x" * 5}).status_code == 403
    assert client.post("/api/v1/hotlists", headers=world.headers(client, "b.operator"), json={
        "station_code": "ST-A", "plate": "กข 1", "reason": "x" * 5}).status_code == 404
    assert client.get("/api/v1/hotlists", headers=world.headers(client, "b.operator")
                      ).json() == []


def test_expired_entry_raises_no_incident(
    client: TestClient, world: World, clock: ManualClock, db: Database,
) -> None:
    devices = Devices(client, world, clock)
    register_lpr_camera(devices, "lpr_generic", "gate-2")
    add_hotlist(devices, world.headers(client, "a.operator"), "1กข1234",
                expires_at=(clock.now() + timedelta(minutes=5)).isoformat())
    clock.advance(timedelta(minutes=10))
    event_id = post_read(client, clock, "1กข1234", "late-1")
    wait_for(lambda: processed(db, event_id))
    assert devices.incidents(kind="plate_hit") == []


def _incident_messages(ws: Any, until_plate: str) -> list[dict[str, Any]]:
    """Read feed messages until an incident for ``until_plate`` arrives."""
    seen = []
    while True:
        message: dict[str, Any] = ws.receive_json()
        if message.get("type", "").startswith("incident."):
            seen.append(message)
            if message["data"]["detail"].get("plate_normalized") == until_plate:
                return seen


def test_covert_hit_is_seen_by_the_list_owner_only(
    client: TestClient, world: World, clock: ManualClock, settings: Settings,
) -> None:
    devices = Devices(client, world, clock)
    register_lpr_camera(devices, "lpr_hikvision", "HIK-ANPR-01")
    owner = world.headers(client, "a.operator")
    add_hotlist(devices, owner, "8กผ444", covert=True, reason="surveillance, do not stop")
    add_hotlist(devices, owner, "1กข1234")  # an overt one, read afterwards
    commander_token = world.token(client, "a.commander")
    owner_token = world.token(client, "a.operator")
    with client.websocket_connect(f"/api/v1/stream?access_token={commander_token}") as other, \
            client.websocket_connect(f"/api/v1/stream?access_token={owner_token}") as mine:
        assert other.receive_json()["type"] == "hello"
        assert mine.receive_json()["type"] == "hello"
        body, ctype = hikvision_multipart(hikvision_xml(clock.now()))
        assert client.post("/api/v1/gateways/lpr/hikvision/HIK-ANPR-01", content=body,
                           headers={"content-type": ctype}).status_code == 200
        overt = hikvision_xml(clock.now(), plate="1กข1234", uuid="overt-read-1")
        assert client.post("/api/v1/gateways/lpr/hikvision/HIK-ANPR-01", content=overt,
                           headers={"content-type": "application/xml"}).status_code == 200
        pushed_to_other = _incident_messages(other, "1กข1234")
        pushed_to_owner = _incident_messages(mine, "1กข1234")
    assert {m["data"]["detail"]["plate_normalized"] for m in pushed_to_other} == {"1กข1234"}
    assert {m["data"]["detail"]["plate_normalized"] for m in pushed_to_owner} == {
        "8กผ444", "1กข1234"}
    covert = next(i for i in devices.incidents("a.operator", kind="plate_hit")
                  if i["detail"]["plate_normalized"] == "8กผ444")
    assert covert["detail"]["covert_owner_user_id"]
    for username in ("a.commander", "admin", "reg1.commander"):
        plates = {i["detail"]["plate_normalized"]
                  for i in devices.incidents(username, kind="plate_hit")}
        assert plates == {"1กข1234"}, username
        got = client.get(f"/api/v1/incidents/{covert['id']}",
                         headers=world.headers(client, username))
        assert got.status_code == 404
    assert client.get(f"/api/v1/incidents/{covert['id']}", headers=owner).status_code == 200
    # A console resuming from the start does not get it replayed either.
    with client.websocket_connect(f"/api/v1/stream?access_token={commander_token}&after=0"
                                  ) as resumed:
        assert resumed.receive_json()["type"] == "hello"
        replayed = _incident_messages(resumed, "1กข1234")
    assert {m["data"]["detail"]["plate_normalized"] for m in replayed} == {"1กข1234"}
    # The covert entry itself is the owner's alone too.
    listed = client.get("/api/v1/hotlists", headers=world.headers(client, "a.commander")).json()
    assert [e["plate"] for e in listed] == ["1กข1234"]


def test_search_needs_a_purpose_and_is_audited(
    client: TestClient, world: World, clock: ManualClock, db: Database,
) -> None:
    devices = Devices(client, world, clock)
    register_lpr_camera(devices, "lpr_generic", "gate-2")
    event_id = post_read(client, clock, "๑กข ๑๒๓๔", "read-1")
    wait_for(lambda: processed(db, event_id))
    operator = world.headers(client, "a.operator")
    missing = client.get("/api/v1/plate-reads", params={"plate": "1กข1234"}, headers=operator)
    assert missing.status_code == 422
    short = client.get("/api/v1/plate-reads", params={"plate": "1กข1234", "purpose": "because"},
                       headers=operator)
    assert short.status_code == 422
    purpose = "คดีลักทรัพย์ 123/2569 ตรวจสอบเส้นทางรถ"
    found = client.get("/api/v1/plate-reads", params={"plate": "1 กข 1234", "purpose": purpose},
                       headers=operator)
    assert found.status_code == 200, found.text
    assert [(r["id"], r["plate_normalized"], r["hit"]) for r in found.json()] == [
        (event_id, "1กข1234", False)]
    other_station = client.get("/api/v1/plate-reads", params={
        "plate": "1กข1234", "purpose": purpose}, headers=world.headers(client, "b.operator"))
    assert other_station.json() == []
    assert client.get("/api/v1/plate-reads", params={"plate": "1กข1234", "purpose": purpose},
                      headers=world.headers(client, "a.viewer")).status_code == 403
    audit = client.get("/api/v1/audit", params={"action": "plate_read.search"},
                       headers=world.headers(client, "a.commander")).json()["items"]
    assert [(a["username"], a["reason"]) for a in audit] == [("a.operator", purpose)]


def test_retention_sweep_deletes_old_reads_that_hit_nothing(
    client: TestClient, world: World, clock: ManualClock, db: Database, settings: Settings,
) -> None:
    devices = Devices(client, world, clock)
    register_lpr_camera(devices, "lpr_hikvision", "HIK-ANPR-01")
    add_hotlist(devices, world.headers(client, "a.operator"), "8กผ444")
    body, ctype = hikvision_multipart(hikvision_xml(clock.now()))
    hit = client.post("/api/v1/gateways/lpr/hikvision/HIK-ANPR-01", content=body,
                      headers={"content-type": ctype}).json()["events"][0]["id"]
    body, ctype = hikvision_multipart(hikvision_xml(clock.now(), plate="2กก22",
                                                    uuid="no-hit-1"))
    miss = client.post("/api/v1/gateways/lpr/hikvision/HIK-ANPR-01", content=body,
                       headers={"content-type": ctype}).json()["events"][0]["id"]
    wait_for(lambda: processed(db, hit) and processed(db, miss))
    pictures = set(Path(settings.data_dir, "lpr").rglob("*.jpg"))
    assert len(pictures) == 2
    assert client.get("/api/v1/plate-reads/retention", params={"station_code": "ST-A"},
                      headers=devices.admin).json()["days"] == lpr.DEFAULT_RETENTION_DAYS
    clock.advance(timedelta(days=lpr.DEFAULT_RETENTION_DAYS - 1))
    assert sweep(db, clock, data_dir=settings.data_dir)["plate_reads_deleted"] == 0
    clock.advance(timedelta(days=2))
    # A station that keeps reads longer keeps them.
    response = client.put("/api/v1/plate-reads/retention", headers=devices.admin,
                          json={"station_code": "ST-A", "days": 60})
    assert response.status_code == 200, response.text
    assert sweep(db, clock, data_dir=settings.data_dir)["plate_reads_deleted"] == 0
    assert client.put("/api/v1/plate-reads/retention", json={"station_code": "ST-A", "days": 30},
                      headers=world.headers(client, "a.operator")).status_code == 403
    client.put("/api/v1/plate-reads/retention", headers=devices.admin,
               json={"station_code": "ST-A", "days": 30})
    sweep(db, clock, data_dir=settings.data_dir)
    with db.read() as session:
        left = set(map(str, session.scalars(select(InboxEvent.id))))
        assert session.scalar(select(PlateHit.event_id)) is not None
    assert left == {hit}
    remaining = set(Path(settings.data_dir, "lpr").rglob("*.jpg"))
    assert len(remaining) == 1 and remaining < pictures
