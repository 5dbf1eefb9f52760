"""The camera prober's schedule, its caps, what it writes, and the alert for cameras down at
risk spots and SOS points: stepped with a manual clock (no wall-clock waits), on SQLite and
PostgreSQL. The RTSP probe itself is replaced by a stand-in whose answers the test sets;
tests/video/test_probe.py and test_prober_streams.py run the real ffmpeg.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from pathlib import Path
from typing import cast

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import func, select

from conftest import SECRET
from safetyzone.assets.models import Camera
from safetyzone.audit.models import AuditEntry
from safetyzone.config import Settings
from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from safetyzone.core.outbound import OutboundPolicy, parse_networks
from safetyzone.core.secretbox import SecretBox
from safetyzone.ops.models import Incident, IncidentLog
from safetyzone.patrol.plan_models import RiskSpot
from safetyzone.video.health_store import ProbeTarget
from safetyzone.video.models import CameraHealth, CameraHealthChange, CameraState
from safetyzone.video.probe import ProbeResult, offline
from safetyzone.video.prober import CameraProber, Schedule, parse_faults
from safetyzone.video.sources import StreamAddress
from safetyzone.web.app import create_app
from support.world import World

INTERVAL = timedelta(seconds=60)
POLICE_A, SHOP_A = "ST-A-POLICE-P1-C1", "ST-A-SHOP-P1-C1"


def target(n: int) -> ProbeTarget:
    return ProbeTarget(uuid.UUID(int=n + 1), uuid.UUID(int=999), f"CAM-{n}",
                       StreamAddress(f"rtsp://10.0.0.{n + 1}/live"))


def test_a_sweep_spreads_its_cameras_evenly_over_the_interval() -> None:
    clock = ManualClock()
    start = clock.now()
    schedule = Schedule([target(n) for n in range(6)], start, INTERVAL)
    assert [at - start for at, _ in schedule.slots] == [
        timedelta(seconds=s) for s in (0, 10, 20, 30, 40, 50)]
    assert len(schedule.due(start)) == 1
    assert schedule.due(start + timedelta(seconds=9)) == []
    assert len(schedule.due(start + timedelta(seconds=10))) == 1
    assert len(schedule.due(start + timedelta(seconds=35))) == 2
    assert not schedule.over(start + timedelta(seconds=59))
    assert len(schedule.due(start + timedelta(seconds=60))) == 2  # nobody is left out
    assert schedule.over(start + timedelta(seconds=60))
    assert len({t.camera_id for _, t in schedule.slots}) == 6


def test_never_more_ffmpeg_probes_at_once_than_the_cap(tmp_path: Path) -> None:
    async def scenario() -> None:
        gate = asyncio.Event()
        calls: list[str] = []

        async def stand_in(t: ProbeTarget) -> ProbeResult:
            calls.append(t.code)
            await gate.wait()
            return ProbeResult(CameraState.ONLINE, latency_ms=5, width=640, height=360)

        prober = CameraProber(db=cast(Database, None), clock=ManualClock(),
                              secrets_box=SecretBox("x" * 40), policy=OutboundPolicy(()),
                              work_dir=tmp_path, max_processes=3, stream_probe=stand_in)
        targets = [target(n) for n in range(10)]
        prober.launch(targets)
        prober.launch(targets)  # still waiting or running: not queued twice
        for _ in range(50):
            await asyncio.sleep(0)
        assert prober.running_processes == 3 and len(calls) == 3
        gate.set()
        await prober.drain()
        assert sorted(calls) == sorted(t.code for t in targets)  # each once
        assert prober.peak_processes == 3 and prober.running_processes == 0

    asyncio.run(scenario())


class Cameras:
    """The stand-in RTSP probe: each camera answers what the test says (online by default)."""

    def __init__(self) -> None:
        self.states: dict[str, CameraState] = {}

    async def __call__(self, t: ProbeTarget) -> ProbeResult:
        state = self.states.get(t.code, CameraState.ONLINE)
        if state is CameraState.OFFLINE:
            return offline(f"camera {t.code}: Connection refused")
        return ProbeResult(state, latency_ms=120, width=1920, height=1080)


def make_prober(db: Database, clock: ManualClock, world: World, tmp_path: Path,
                cameras: Cameras) -> CameraProber:
    return CameraProber(db=db, clock=clock,
                        secrets_box=SecretBox(world.settings.secret_key.get_secret_value()),
                        policy=OutboundPolicy(parse_networks(["10.0.0.0/8"])),
                        work_dir=tmp_path / "probe", interval_s=INTERVAL.total_seconds(),
                        alert_after_s=300, stream_probe=cameras)


async def sweep(prober: CameraProber, clock: ManualClock) -> None:
    """One whole sweep, a tick every 5 s, then the probes finished and written."""
    for _ in range(12):
        await prober.step()
        await prober.drain()
        clock.advance(timedelta(seconds=5))
    await prober.step()  # the next sweep begins: last sweep's figures written


def camera_id(db: Database, code: str) -> uuid.UUID:
    with db.read() as s:
        found = s.scalar(select(Camera.id).where(Camera.code == code))
        assert found is not None
        return found


def maintenance_alerts(db: Database) -> list[Incident]:
    with db.read() as s:
        return list(s.scalars(select(Incident).where(Incident.kind == "maintenance")
                              .order_by(Incident.opened_at)))


def audits(db: Database, action: str) -> int:
    with db.read() as s:
        return int(s.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == action)) or 0)


def test_every_camera_is_checked_and_changes_go_into_the_history(
    db: Database, world: World, clock: ManualClock, tmp_path: Path,
) -> None:
    cameras = Cameras()

    async def scenario() -> None:
        prober = make_prober(db, clock, world, tmp_path, cameras)
        await prober.start(None, loop=False)
        await sweep(prober, clock)
        writes_first = prober.writes
        await sweep(prober, clock)  # nothing changed: one write for the sweep's figures
        assert prober.writes - writes_first == 1
        cameras.states[SHOP_A] = CameraState.FROZEN
        await sweep(prober, clock)
        await prober.stop()

    asyncio.run(scenario())
    shop = camera_id(db, SHOP_A)
    with db.read() as s:
        rows = list(s.scalars(select(CameraHealth)))
        registered = s.scalar(select(func.count()).select_from(Camera))
        assert registered and len(rows) == registered  # every camera, none "not checked"
        assert all(r.checked_at is not None and r.latency_ms == 120 and r.width == 1920
                   for r in rows)
        history = list(s.scalars(select(CameraHealthChange).where(
            CameraHealthChange.camera_id == shop).order_by(CameraHealthChange.since)))
    assert [h.state for h in history] == [CameraState.ONLINE, CameraState.FROZEN]
    assert history[0].until == history[1].since and history[1].until is None


def test_a_camera_down_at_an_sos_point_alerts_once_per_outage_and_notes_its_recovery(
    db: Database, world: World, clock: ManualClock, tmp_path: Path,
) -> None:
    cameras = Cameras()
    police = camera_id(db, POLICE_A)

    async def scenario() -> None:
        prober = make_prober(db, clock, world, tmp_path, cameras)
        await prober.start(None, loop=False)
        await sweep(prober, clock)
        cameras.states[POLICE_A] = CameraState.OFFLINE  # bound to ST-A's SOS point
        cameras.states[SHOP_A] = CameraState.OFFLINE  # covers nothing: no alert, ever
        for _ in range(4):  # four minutes down: within the grace period
            await sweep(prober, clock)
        assert maintenance_alerts(db) == []
        for _ in range(5):  # past it, and many probes more
            await sweep(prober, clock)
        assert len(maintenance_alerts(db)) == 1
        cameras.states[POLICE_A] = CameraState.FROZEN  # still the same outage
        await sweep(prober, clock)
        assert len(maintenance_alerts(db)) == 1
        cameras.states[POLICE_A] = CameraState.ONLINE
        await sweep(prober, clock)
        await sweep(prober, clock)
        cameras.states[POLICE_A] = CameraState.OFFLINE  # a new outage: a new alert
        for _ in range(7):
            await sweep(prober, clock)
        await prober.stop()

    asyncio.run(scenario())
    alerts = maintenance_alerts(db)
    assert len(alerts) == 2
    first = alerts[0]
    assert first.detail["camera_id"] == str(police)
    assert first.detail["places"][0]["kind"] == "sos_point"
    assert first.detail["places"][0]["bound"] is True
    assert "ST-A-POLICE-P1-C1" in first.title_en and "SOS point" in first.title_en
    assert first.priority == 3 and first.source_asset_id is not None
    with db.read() as s:
        notes = list(s.scalars(select(IncidentLog).where(
            IncidentLog.incident_id == first.id, IncidentLog.entry == "camera_recovered")))
        assert len(notes) == 1 and notes[0].text and "back online" in notes[0].text
        health = s.get(CameraHealth, police)
        assert health is not None and health.alert_incident_id == alerts[1].id
    assert audits(db, "camera.down.alert") == 2
    assert audits(db, "camera.down.recovered") == 1


def test_a_camera_near_a_risk_spot_alerts_and_a_restart_does_not_alert_again(
    db: Database, world: World, clock: ManualClock, tmp_path: Path,
) -> None:
    cameras = Cameras()
    shop = camera_id(db, SHOP_A)
    with db.write() as s:  # a risk spot right under the shop's camera (world: 13.731, 100.47)
        cam = s.get(Camera, shop)
        assert cam is not None
        s.add(RiskSpot(station_id=cam.station_id, code="RS-1", name_th="ซอยเปลี่ยว",
                       name_en="Dark alley", lat=cam.lat + 0.0003, lon=cam.lon, radius_m=50,
                       risk_score=0.8, high_risk_hours=[22, 23], source="manual",
                       created_at=clock.now(), updated_at=clock.now(), updated_by="test"))

    async def run_for(sweeps: int) -> None:
        prober = make_prober(db, clock, world, tmp_path, cameras)
        await prober.start(None, loop=False)
        for _ in range(sweeps):
            await sweep(prober, clock)
        await prober.stop()

    cameras.states[SHOP_A] = CameraState.OFFLINE
    asyncio.run(run_for(7))
    asyncio.run(run_for(7))  # the server restarted; the same outage goes on
    alerts = maintenance_alerts(db)
    assert len(alerts) == 1
    assert alerts[0].detail["places"][0]["code"] == "RS-1"
    assert "risk spot Dark alley" in alerts[0].title_en


def test_the_demo_faults_setting_is_checked_and_read() -> None:
    assert parse_faults("PCR-C1=offline, pcr-c2=FROZEN") == {
        "pcr-c1": CameraState.OFFLINE, "pcr-c2": CameraState.FROZEN}
    for good in ("auto", "none", "", "CAM-1=frozen"):
        Settings(environment="test", secret_key=SECRET, camera_sim_faults=good)
    for bad in ("CAM-1=broken", "=offline", "sometimes"):
        with pytest.raises(ValidationError):
            Settings(environment="test", secret_key=SECRET, camera_sim_faults=bad)


def test_the_app_starts_and_stops_its_prober(db: Database, tmp_path: Path) -> None:
    settings = Settings(environment="test", data_dir=tmp_path, secret_key=SECRET,
                        camera_probe_interval_s=60)
    app = create_app(settings, db, ManualClock())
    with TestClient(app):
        prober = app.state.prober
        assert isinstance(prober, CameraProber)
        assert app.state.snapshots.write_health is False  # one writer of the record
    assert not (tmp_path / "probe").exists()  # its work folder is gone with it
    off = create_app(settings.model_copy(update={"camera_probe_interval_s": 0}), db)
    assert off.state.prober is None and off.state.snapshots.write_health is True
