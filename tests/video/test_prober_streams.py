"""The prober against real cameras (GStreamer's RTSP server read by ffmpeg, an HTTP
snapshot server, the demo's simulated source), and what the API then shows: the health list
with its figures, a camera's history, and uptime by owner class over a period computed from
a known history. SQLite and PostgreSQL.

Loopback is a camera network here only (the settings fixture), as in test_snapshots.
"""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Iterator
from datetime import timedelta
from http.server import ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from safetyzone.assets.models import Camera
from safetyzone.config import Settings
from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from safetyzone.core.outbound import IPAddress, OutboundPolicy, parse_networks
from safetyzone.core.secretbox import SecretBox
from safetyzone.video.models import CameraHealthChange, CameraState
from safetyzone.video.prober import DEMO_OFFLINE, CameraProber
from safetyzone.video.sources import (
    HttpSnapshotSource,
    NoSnapshotSource,
    SimSnapshotSource,
    Sources,
)
from support.rtsp import require_ffmpeg, rtsp_camera
from support.world import World
from video.test_snapshots import Camera as SnapshotCamera
from video.test_snapshots import add_camera

LOOPBACK = OutboundPolicy(parse_networks(["127.0.0.0/8"]))


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"camera_networks": parse_networks(["127.0.0.0/8"])})


@pytest.fixture
def snapshot_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), SnapshotCamera)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/snapshot.jpg"
    finally:
        server.shutdown()
        server.server_close()


async def no_names(host: str, port: int) -> list[IPAddress]:
    """The world's cameras have made-up host names: they resolve to nothing, at once."""
    raise OSError(f"{host} does not resolve")


async def sweeps(prober: CameraProber, clock: ManualClock, count: int) -> None:
    for _ in range(count):
        for _ in range(7):
            await prober.step()
            await prober.drain()
            clock.advance(timedelta(seconds=5))
    await prober.step()


def by_code(db: Database, code: str) -> uuid.UUID:
    with db.read() as s:
        found = s.scalar(select(Camera.id).where(Camera.code == code))
        assert found is not None
        return found


def test_real_cameras_probed_then_one_stopped_midway(
    client: TestClient, world: World, db: Database, clock: ManualClock, tmp_path: Path,
    settings: Settings, snapshot_url: str,
) -> None:
    require_ffmpeg()
    admin = world.headers(client, "admin")
    # The HTTP camera answers the same picture at every fetch.
    add_camera(client, admin, "HTTP-1", snapshot_url, stream_username="viewer",
               stream_password="pw")
    add_camera(client, admin, "SIM-OK", "sim://sim-ok")
    add_camera(client, admin, "SIM-BAD", "sim://sim-bad")

    async def scenario() -> CameraProber:
        async with httpx.AsyncClient(trust_env=False) as http:
            sources = Sources(http=HttpSnapshotSource(http, LOOPBACK), sim=SimSnapshotSource(),
                              none=NoSnapshotSource())
            prober = CameraProber(
                db=db, clock=clock, secrets_box=SecretBox(settings.secret_key.get_secret_value()),
                policy=LOOPBACK, work_dir=tmp_path / "probe", interval_s=30, timeout_s=20,
                sim_faults="SIM-BAD=offline", resolve=no_names)
            await prober.start(sources, loop=False)
            await sweeps(prober, clock, 2)
            await prober.stop()
            return prober

    with rtsp_camera(pattern="moving") as cam:
        rtsp_id = add_camera(client, admin, "RTSP-1", cam.url, stream_username="viewer",
                             stream_password="pw")
        asyncio.run(scenario())
        listed = {r["code"]: r for r in client.get("/api/v1/camera-health",
                                                    headers=admin).json()}
        rtsp = listed["RTSP-1"]
        assert rtsp["state"] == "online", rtsp
        assert (rtsp["width"], rtsp["height"]) == (640, 360)
        assert rtsp["latency_ms"] > 0 and rtsp["checked_at"] and rtsp["monitored"]
        assert listed["HTTP-1"]["state"] == "frozen"  # the same picture at each check
        assert listed["SIM-OK"]["state"] == "online" and listed["SIM-OK"]["width"] == 640
        assert listed["SIM-BAD"]["state"] == "offline"
        assert listed["SIM-BAD"]["detail"] == DEMO_OFFLINE  # marked as the demo's
        assert all(r["checked_at"] for r in listed.values())  # none "not checked"
    # The camera is gone (stopped): the next sweeps find it offline.
    asyncio.run(scenario())
    rows = client.get("/api/v1/camera-health", headers=admin).json()
    assert next(r for r in rows if r["code"] == "RTSP-1")["state"] == "offline"
    since = (clock.now() - timedelta(hours=1)).isoformat()
    history = client.get(f"/api/v1/cameras/{rtsp_id}/health-history",
                         params={"since": since}, headers=admin).json()
    assert [h["state"] for h in history] == ["online", "offline"]
    assert history[0]["until"] == history[1]["since"] and history[1]["until"] is None
    assert history[1]["detail"] and "pw" not in history[1]["detail"]
    operator = world.headers(client, "a.operator")
    seen = client.get(f"/api/v1/cameras/{rtsp_id}/health-history",
                      params={"since": since}, headers=operator).json()
    assert [h["detail"] for h in seen] == [None, None]  # why: admins and commanders only
    other = world.headers(client, "b.operator")
    assert client.get(f"/api/v1/cameras/{rtsp_id}/health-history",
                      headers=other).status_code == 404


def test_uptime_by_owner_class_is_counted_from_the_history(
    client: TestClient, world: World, db: Database, clock: ManualClock,
) -> None:
    start = clock.now() - timedelta(hours=10)
    police, shop = by_code(db, "ST-A-POLICE-P1-C1"), by_code(db, "ST-A-SHOP-P1-C1")
    h = timedelta(hours=1)
    with db.write() as s:
        station = s.get(Camera, police)
        assert station is not None
        for camera, state, since, until in (
                (police, CameraState.ONLINE, start - 5 * h, start + 8 * h),  # cut at start
                (police, CameraState.OFFLINE, start + 8 * h, start + 9 * h),
                (police, CameraState.FROZEN, start + 9 * h, None),  # still frozen now
                (shop, CameraState.OFFLINE, start + 5 * h, start + 6 * h),  # known 5 h only
                (shop, CameraState.ONLINE, start + 6 * h, None)):
            s.add(CameraHealthChange(camera_id=camera, station_id=station.station_id,
                                     state=state, since=since, until=until))
    commander = world.headers(client, "a.commander")
    got = client.get("/api/v1/camera-health/uptime",
                     params={"station_code": "ST-A", "since": start.isoformat(),
                             "until": (start + 10 * h).isoformat()}, headers=commander)
    assert got.status_code == 200, got.text
    [row] = got.json()
    owners = {o["owner_class"]: o for o in row["owners"]}
    assert owners["police"]["uptime_pct"] == 80.0
    assert owners["police"]["online_s"] == 8 * 3600 and owners["police"]["frozen_s"] == 3600
    assert owners["private_business"]["uptime_pct"] == 80.0  # 4 h online of 5 h known
    assert owners["private_business"]["observed_cameras"] == 1
    assert row["total"]["uptime_pct"] == round(100 * 12 / 15, 2)
    # The last two hours only: the police camera frozen one, then the default period.
    late = client.get("/api/v1/camera-health/uptime",
                      params={"station_code": "ST-A",
                              "since": (start + 8 * h).isoformat()}, headers=commander).json()
    assert {o["owner_class"]: o["uptime_pct"] for o in late[0]["owners"]} == {
        "police": 0.0, "private_business": 100.0}
    # A partner counts its own cameras only; another station's people see nothing of ST-A.
    partner = client.get("/api/v1/camera-health/uptime", headers=world.headers(
        client, "a.shop")).json()
    assert [o["owner_class"] for r in partner for o in r["owners"]] == ["private_business"]
    other = world.headers(client, "b.operator")
    assert client.get("/api/v1/camera-health/uptime", params={"station_code": "ST-A"},
                      headers=other).status_code == 404
    assert "ST-A" not in {r["station_code"] for r in client.get(
        "/api/v1/camera-health/uptime", headers=other).json()}
    backwards = client.get("/api/v1/camera-health/uptime",
                           params={"since": clock.now().isoformat(),
                                   "until": start.isoformat()}, headers=commander)
    assert backwards.status_code == 422
