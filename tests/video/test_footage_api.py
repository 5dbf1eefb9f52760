"""Footage requests between an officer and camera owners, through the HTTP API as the
console and the partner page send them, on SQLite and PostgreSQL: asked by area or by
camera, one request per owner, each owner seeing only its own; a real video uploaded
(hashed, stored once, downloaded as an attachment), access granted, declined, expired and
closed; another station's officer sees nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from conftest import SECRET
from safetyzone.audit.models import AuditEntry
from safetyzone.config import Settings
from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from safetyzone.video import footage
from safetyzone.video.footage_models import FootageEvent
from safetyzone.web.app import create_app
from support import footage as fr
from support.live import Devices, wait_for
from support.world import World

LIMIT = 64 * 1024


def audit_actions(db: Database, request_id: str) -> list[str]:
    with db.read() as s:
        return list(s.scalars(select(AuditEntry.action).where(
            AuditEntry.entity_id == request_id).order_by(AuditEntry.id)))


def test_an_area_request_reaches_each_owner_who_uploads_and_the_officer_downloads(
        client: TestClient, world: World, db: Database, clock: ManualClock,
        settings: Settings) -> None:
    condo_camera = fr.second_partner(db, clock, SECRET)
    devices = Devices(client, world, clock)
    pole = devices.credential("ST-A", "asset", devices.asset_id("ST-A-SOS1"), "pole")
    assert devices.post(pole, devices.sos()).status_code == 200
    incident = wait_for(lambda: next(iter(devices.incidents(station_code="ST-A")), None))
    operator = world.headers(client, "a.operator")
    shop, condo = world.headers(client, "a.shop"), world.headers(client, "b.condo")

    made = fr.ask(client, operator, clock.now(), key="area-request-1", station_code=None,
                  case_number=None, incident_id=incident["id"],
                  area={"lat": fr.LAT, "lon": fr.LON, "radius_m": 300})
    assert [(r["partner_code"], [c["code"] for c in r["cameras"]]) for r in made] == [
        ("CONDO-ST-A", [condo_camera]), ("SHOP-ST-A", ["ST-A-SHOP-P1-C1"])]
    assert len({r["batch_id"] for r in made}) == 1 and all(r["status"] == "sent" for r in made)
    assert [h["action"] for h in made[0]["history"]] == ["created", "sent"]
    # The same click again (a retry) makes nothing new.
    again = fr.ask(client, operator, clock.now(), key="area-request-1", station_code=None,
                   case_number=None, incident_id=incident["id"],
                   area={"lat": fr.LAT, "lon": fr.LON, "radius_m": 300})
    assert [r["id"] for r in again] == [r["id"] for r in made]
    timeline = client.get(f"/api/v1/incidents/{incident['id']}", headers=operator).json()[
        "timeline"]
    assert made[0]["code"] in str([e for e in timeline if e["entry"] == "footage"])

    # Each owner sees only its own request, in the narrow shape: no incident, no case.
    mine = client.get(fr.PARTNER, headers=shop).json()
    assert [r["code"] for r in mine] == [made[1]["code"]]
    assert "incident_id" not in mine[0] and "case_number" not in mine[0]
    assert mine[0]["status"] == "seen"
    assert [c["code"] for c in mine[0]["cameras"]] == ["ST-A-SHOP-P1-C1"]
    assert [r["code"] for r in client.get(fr.PARTNER, headers=condo).json()] == [
        made[0]["code"]]

    data = fr.video()
    sent = fr.upload(client, shop, made[1]["id"], data, name="../../หน้าร้าน 14.00.mp4")
    assert sent["sha256"] == fr.sha(data) and sent["size"] == len(data)
    assert sent["kind"] == "mp4" and sent["name"] == "หน้าร้าน 14.00.mp4"
    # The same bytes again (a retry after a lost answer): the first upload, stored once.
    twice = fr.upload(client, shop, made[1]["id"], data, name="again.mp4", status=200)
    assert twice["id"] == sent["id"]
    store = Path(str(settings.data_dir)) / "footage"
    assert len(list((store / "files").rglob("*.mp4"))) == 1
    assert not list((store / "tmp").glob("*"))

    seen = client.get(f"{fr.REQUESTS}/{made[1]['id']}", headers=operator).json()
    assert seen["status"] == "uploaded" and seen["case_number"] is None
    assert [(f["sha256"], f["size"]) for f in seen["files"]] == [(fr.sha(data), len(data))]
    assert [h["action"] for h in seen["history"]] == ["created", "sent", "seen", "uploaded"]
    got = client.get(f"{fr.REQUESTS}/{made[1]['id']}/files/{sent['id']}", headers=operator)
    assert got.status_code == 200 and got.content == data
    assert got.headers["content-type"] == "video/mp4"
    assert got.headers["content-disposition"].startswith("attachment;")
    assert got.headers["x-content-sha256"] == fr.sha(data)
    assert got.headers["x-content-type-options"] == "nosniff"
    # A second officer role: the investigator downloads too; each download is audited.
    investigator = world.headers(client, "a.investigator")
    assert client.get(f"{fr.REQUESTS}/{made[1]['id']}/files/{sent['id']}",
                      headers=investigator).status_code == 200
    assert audit_actions(db, made[1]["id"]) == [
        "footage.create", "footage.seen", "footage.upload", "footage.download",
        "footage.download"]

    # The condominium grants access to its camera's window instead, then the officer closes.
    granted = client.post(f"{fr.PARTNER}/{made[0]['id']}/grant", headers=condo,
                          json={"note": "ดูได้ที่ห้องนิติฯ"}).json()
    assert granted["status"] == "granted" and granted["cameras"][0]["granted_at"]
    start = datetime.fromisoformat(seen["window_start"])
    camera_id = uuid.UUID(granted["cameras"][0]["camera_id"])
    with db.read() as s:  # what the recording and clip parts ask before showing footage
        assert footage.granted(s, camera_id=camera_id, start=start,
                               end=start + timedelta(minutes=10))
        assert not footage.granted(s, camera_id=camera_id, start=start - timedelta(hours=1),
                                   end=start)
    closed = client.post(f"{fr.REQUESTS}/{made[0]['id']}/close", headers=operator,
                         json={"note": "ได้ภาพแล้ว"})
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    refused = client.post(f"{fr.PARTNER}/{made[0]['id']}/decline", headers=condo,
                          json={"reason": "เปลี่ยนใจ"})
    assert refused.status_code == 409
    assert refused.headers["content-type"].startswith("application/problem+json")
    fr.upload(client, condo, made[0]["id"], data, status=409)
    assert [h["action"] for h in client.get(f"{fr.REQUESTS}/{made[0]['id']}",
                                            headers=operator).json()["history"]] == [
        "created", "sent", "seen", "granted", "closed"]


def test_another_owner_and_another_station_see_nothing(
        client: TestClient, world: World, db: Database, clock: ManualClock) -> None:
    fr.second_partner(db, clock, SECRET)
    operator = world.headers(client, "a.operator")
    shop, condo = world.headers(client, "a.shop"), world.headers(client, "b.condo")
    made = fr.ask(client, operator, clock.now(), camera_codes=["ST-A-SHOP-P1-C1"])
    request_id = made[0]["id"]
    with db.read() as s:
        before = s.scalar(select(func.count()).select_from(FootageEvent))
    # Partner B: A's request looks missing, whatever it tries; nothing changes.
    assert client.get(fr.PARTNER, headers=condo).json() == []
    for call in (lambda: client.get(f"{fr.PARTNER}/{request_id}", headers=condo),
                 lambda: client.post(f"{fr.PARTNER}/{request_id}/grant", headers=condo,
                                     json={}),
                 lambda: client.post(f"{fr.PARTNER}/{request_id}/decline", headers=condo,
                                     json={"reason": "ไม่ใช่ของเรา"}),
                 lambda: client.post(f"{fr.PARTNER}/{request_id}/files", headers=condo,
                                     content=fr.video())):
        assert call().status_code == 404
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(FootageEvent)) == before
    # Partners never read the police side; another station's operator sees nothing.
    assert client.get(f"{fr.REQUESTS}/{request_id}", headers=shop).status_code == 403
    b_operator = world.headers(client, "b.operator")
    assert client.get(f"{fr.REQUESTS}/{request_id}", headers=b_operator).status_code == 404
    assert client.get(fr.REQUESTS, headers=b_operator).json() == []
    assert client.get(fr.REQUESTS, params={"station_code": "ST-A"},
                      headers=b_operator).status_code == 404
    fr.ask(client, b_operator, clock.now(), camera_codes=["ST-A-SHOP-P1-C1"], status=404)
    # ... nor viewers or patrol officers, who read the picture but not evidence.
    for username in ("a.viewer", "a.patrol"):
        assert client.get(fr.REQUESTS, headers=world.headers(
            client, username)).status_code == 403
    # Partner A's own request: answered by A alone.
    declined = client.post(f"{fr.PARTNER}/{request_id}/decline", headers=shop,
                           json={"reason": "เครื่องบันทึกเขียนทับแล้ว"}).json()
    assert declined["status"] == "declined" and declined["decline_reason"]
    assert client.get(f"{fr.REQUESTS}/{request_id}", headers=operator).json()[
        "decline_reason"] == "เครื่องบันทึกเขียนทับแล้ว"


def test_bad_requests_are_refused_whole(client: TestClient, world: World, db: Database,
                                        clock: ManualClock) -> None:
    operator = world.headers(client, "a.operator")
    now = clock.now()
    cases = [
        {"case_number": None},  # neither incident nor case
        {"camera_codes": None},  # neither cameras nor area
        {"area": {"lat": fr.LAT, "lon": fr.LON, "radius_m": 100}},  # both
        {"camera_codes": ["ST-A-POLICE-P1-C1"]},  # a police camera: no owner to ask
        {"camera_codes": ["ST-B-SHOP-P1-C1"]},  # another station's camera
        {**fr.window(now, length_min=25 * 60, hours_ago=30)},  # longer than 24 hours
        {**fr.window(now, hours_ago=-2)},  # in the future
        {**fr.window(now, hours_ago=24 * 91)},  # older than recorders keep
        {"window_start": "2025-12-31T10:00:00"},  # no time zone
        {"area": {"lat": fr.LAT + 0.5, "lon": fr.LON, "radius_m": 50}, "camera_codes": None},
    ]
    # A police camera recorded under a police partner record (as the demo's are) is still
    # the police's own: nobody to ask.
    admin = world.headers(client, "admin")
    made = client.post("/api/v1/cameras", headers=admin, json={
        "station_code": "ST-A", "point_code": "ST-A-SHOP-P1", "code": "ST-A-POLICE-OWNED",
        "name_th": "กล้องตำรวจ", "sharing_level": "live_always", "owner_class": "police"})
    assert made.status_code == 201, made.text
    assert made.json()["owner_partner_id"] is not None
    refused = fr.ask(client, operator, now, status=422, camera_codes=["ST-A-POLICE-OWNED"])
    assert "police camera" in str(refused["problems"])
    for body in cases:
        data = {"camera_codes": ["ST-A-SHOP-P1-C1"], **body}
        fr.ask(client, operator, now, status=422, **data)
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(FootageEvent)) == 0


@pytest.fixture
def small(db: Database, clock: ManualClock, settings: Settings) -> Iterator[TestClient]:
    """The app with a 64 KiB footage limit (the fixture video is 7.4 KB)."""
    limited = settings.model_copy(update={"footage_max_bytes": LIMIT})
    with TestClient(create_app(limited, db, clock)) as built:
        yield built


def test_garbage_oversize_damaged_and_cut_uploads_leave_nothing(
        small: TestClient, world: World, db: Database, clock: ManualClock) -> None:
    client = small
    operator, shop = world.headers(client, "a.operator"), world.headers(client, "a.shop")
    request_id = fr.ask(client, operator, clock.now(), camera_codes=["ST-A-SHOP-P1-C1"])[0][
        "id"]
    data = fr.video()
    store = client.app.state.ctx.settings.data_dir / "footage"  # type: ignore[attr-defined]

    def nothing_changed() -> None:
        body = client.get(f"{fr.REQUESTS}/{request_id}", headers=operator).json()
        assert body["files"] == [] and body["status"] == "sent"
        assert not list(store.rglob("*.mp4")) and not list(store.rglob("*.part"))

    for payload, status in (
            (b"<html><script>alert(1)</script></html>" * 4, 415),  # not footage at all
            (b"\x89PNG\r\n\x1a\n" + bytes(200), 415),  # a picture we do not take
            (data[:64] + bytes(4000), 422),  # an MP4 header over nothing
            (data[: len(data) // 3], 422),  # a file cut short
            (b"", 422)):
        refused = client.post(f"{fr.PARTNER}/{request_id}/files", content=payload,
                              headers={**shop, "Content-Type": "video/mp4"})
        assert refused.status_code == status, refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")
        nothing_changed()
    # A hash sent with the file that is not its hash: damaged on the way.
    fr.upload(client, shop, request_id, data, status=422, **{"X-Content-SHA256": "0" * 64})
    nothing_changed()
    # Past the size limit: 413 problem+json, read no further, nothing kept.
    big = data + bytes(LIMIT)
    over = client.post(f"{fr.PARTNER}/{request_id}/files", content=big, headers=shop)
    assert over.status_code == 413 and over.json()["code"] == "payload-too-large"
    nothing_changed()
    # A connection cut halfway: the body stops, the client is gone; nothing is kept.
    app = client.app
    token = shop["Authorization"].encode()
    chunks = [data[:4096], data[4096:6000]]

    async def cut() -> list[dict[str, object]]:
        sent: list[dict[str, object]] = []
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
                 "method": "POST", "scheme": "http", "server": ("testserver", 80),
                 "client": ("127.0.0.1", 5000), "root_path": "",
                 "path": f"{fr.PARTNER}/{request_id}/files", "raw_path": b"",
                 "query_string": b"filename=cut.mp4",
                 "headers": [(b"host", b"testserver"), (b"authorization", token),
                             (b"content-length", str(len(data)).encode())]}
        messages = [{"type": "http.request", "body": c, "more_body": True} for c in chunks]

        async def receive() -> dict[str, object]:
            return messages.pop(0) if messages else {"type": "http.disconnect"}

        async def send(message: dict[str, object]) -> None:
            sent.append(message)
        await app(scope, receive, send)  # type: ignore[arg-type]
        return sent

    client.portal.call(cut)  # type: ignore[union-attr]
    nothing_changed()
    # And then the whole file goes through.
    fr.upload(client, shop, request_id, data)
    assert len(list(store.rglob("*.mp4"))) == 1


def test_an_mkv_and_a_still_are_taken_and_unanswered_requests_expire(
        client: TestClient, world: World, db: Database, clock: ManualClock,
        tmp_path: Path) -> None:
    operator, shop = world.headers(client, "a.operator"), world.headers(client, "a.shop")
    first, second = (fr.ask(client, operator, clock.now(), camera_codes=["ST-A-SHOP-P1-C1"],
                            due_at=(clock.now() + timedelta(hours=hours)).isoformat())[0]
                     for hours in (2, 48))
    mkv = fr.mkv_of_fixture(tmp_path)
    still = fr.ffmpeg("-i", str(fr.VIDEO), "-frames:v", "1", out=tmp_path / "frame.jpg")
    assert fr.upload(client, shop, second["id"], mkv, name="cam.mkv")["kind"] == "mkv"
    assert fr.upload(client, shop, second["id"], still, name="frame.jpg")[
        "content_type"] == "image/jpeg"
    got = client.get(f"{fr.REQUESTS}/{second['id']}", headers=operator).json()
    assert sorted(f["sha256"] for f in got["files"]) == sorted([fr.sha(mkv), fr.sha(still)])

    clock.advance(timedelta(hours=3))
    assert footage.expire_due(db, clock) == 1  # the first; the second is answered
    operator, shop = world.headers(client, "a.operator"), world.headers(client, "a.shop")
    expired = client.get(f"{fr.REQUESTS}/{first['id']}", headers=operator).json()
    assert expired["status"] == "expired" and expired["history"][-1]["side"] == "system"
    late = client.post(f"{fr.PARTNER}/{first['id']}/grant", headers=shop, json={})
    assert late.status_code == 409
    assert audit_actions(db, first["id"])[-1] == "footage.expire"
