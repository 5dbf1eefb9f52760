"""The device simulator: its devices file, its patrol paths, and a run against a real server."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter
from shapely.geometry import Point, shape
from sqlalchemy import create_engine, text

from safetyzone.citizen.schemas import ReportIn
from safetyzone.citizen.taxonomy import CONSENT_VERSION
from safetyzone.core.events import EventIn
from safetyzone.core.geo import haversine_m
from safetyzone.simulate.devices import (
    DEVICES_FILE,
    DevicesFile,
    DevicesFileError,
    load_devices,
    write_devices,
)
from safetyzone.simulate.motion import SPEEDS_KMH, Patrol
from safetyzone.simulate.plan import CITIZEN_REPORT, SimConfig, Simulation, thai_plate
from safetyzone.simulate.sender import BackgroundSimulator, Simulator
from support.live import wait_for
from support.postgres import free_loopback_port

ZONES: list[dict[str, Any]] = json.loads(
    (Path(__file__).parents[2] / "src/safetyzone/demo/data/zones.json").read_text("utf-8"))
EVENT_IN: TypeAdapter[Any] = TypeAdapter(EventIn)
PASSWORD = "demo-password-for-the-simulator-test"


def token(n: int) -> str:
    return f"ssz_dev_{n:016x}.{'s' * 40}{n:03d}"


def centre(zone: dict[str, Any]) -> tuple[float, float]:
    point = shape(zone["boundary"]).representative_point()
    return point.y, point.x


def devices_file() -> DevicesFile:
    """Two stations: one with units, SOS points (one a bank) and a plate camera."""
    pcr, atg = ZONES[0], ZONES[3]
    lat, lon = centre(pcr)
    alat, alon = centre(atg)
    return DevicesFile.model_validate({"version": 1, "stations": [
        {"station_code": pcr["station"], "zone_code": pcr["code"], "province_code": "TH-10",
         "boundary": pcr["boundary"],
         "units": [{"code": "U1", "kind": "car", "callsign": "ภาษีเจริญ 11", "token": token(1),
                    "lat": lat, "lon": lon},
                   {"code": "U2", "kind": "motorcycle", "token": token(2), "lat": lat,
                    "lon": lon}],
         "sos_points": [{"code": "S1", "site_kind": "unspecified", "token": token(3),
                         "lat": lat, "lon": lon}],
         "plate_cameras": [{"code": "P1", "token": token(4), "lat": lat, "lon": lon}]},
        {"station_code": atg["station"], "zone_code": atg["code"], "boundary": atg["boundary"],
         "sos_points": [{"code": "B1", "site_kind": "bank", "token": token(5), "lat": alat,
                         "lon": alon}]},
    ]})


# --- (a) the devices file ---------------------------------------------------------------


def test_devices_file_round_trip_is_private(tmp_path: Path) -> None:
    path = tmp_path / "data" / DEVICES_FILE
    devices = devices_file()
    write_devices(path, devices)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_devices(path) == devices
    assert devices.device_count == 5
    assert token(1) not in repr(devices)  # tokens never show up in logs or tracebacks
    path.chmod(0o644)
    write_devices(path, devices)  # rewriting tightens the mode again
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not [p for p in path.parent.iterdir() if p.name != DEVICES_FILE]  # no temp left


@pytest.mark.parametrize(("content", "fragment"), [
    (b"\x00\xff garbage", "not a JSON devices file"),
    (b"[1, 2]", "expected a JSON object"),
    (b'{"version": 2, "stations": []}', "version 2 is not supported"),
    (b'{"stations": []}', "version None"),
    (b'{"version": 1, "stations": [{"station_code": "X"}]}', "zone_code"),
    (b'{"version": 1, "stations": [], "extra": true}', "extra"),
])
def test_devices_file_refuses_garbage(tmp_path: Path, content: bytes, fragment: str) -> None:
    path = tmp_path / DEVICES_FILE
    path.write_bytes(content)
    with pytest.raises(DevicesFileError, match=fragment):
        load_devices(path)


@pytest.mark.parametrize(("change", "fragment"), [
    (lambda d: d["stations"][0]["units"][0].update(token="hunter2"), "token"),
    (lambda d: d["stations"][0]["units"][0].update(lat=100.47, lon=13.73), "swapped"),
    (lambda d: d["stations"][0]["units"][1].update(code="U1"), "used twice"),
    (lambda d: d["stations"][1]["sos_points"][0].update(token=token(1)), "share one token"),
    (lambda d: d["stations"][0].update(boundary={"type": "Polygon", "coordinates": [
        [[100.0, 13.0], [100.1, 13.1], [100.1, 13.0], [100.0, 13.1], [100.0, 13.0]]]}),
     "not a valid polygon"),
    (lambda d: d["stations"][0]["units"][0].update(kind="tank"), "kind"),
])
def test_devices_file_refuses_bad_devices(tmp_path: Path, change: Any, fragment: str) -> None:
    data = json.loads(devices_file().model_dump_json())
    change(data)
    path = tmp_path / DEVICES_FILE
    path.write_text(json.dumps(data), "utf-8")
    with pytest.raises(DevicesFileError, match=fragment):
        load_devices(path)


def test_missing_devices_file_says_where_it_comes_from(tmp_path: Path) -> None:
    with pytest.raises(DevicesFileError, match="ssz demo"):
        load_devices(tmp_path / DEVICES_FILE)


# --- (b) patrol paths -----------------------------------------------------------------------


def drive(zone: dict[str, Any], kind: str, seed: str, steps: list[float]) -> None:
    """Every fix inside the zone; speeds between fixes plausible for the kind."""
    polygon = shape(zone["boundary"])
    lat, lon = centre(zone)
    patrol = Patrol(zone["boundary"], lat, lon, kind, seed=seed)
    top = SPEEDS_KMH[kind][1] / 3.6
    previous = None
    travelled = 0.0
    for dt in steps:
        fix = patrol.step(dt)
        assert polygon.contains(Point(fix.lon, fix.lat)), (zone["code"], fix)
        assert haversine_m(fix.lat, fix.lon, fix.true_lat, fix.true_lon) <= 10.5
        assert 0 <= fix.speed_mps <= top + 1.0
        assert 0 <= fix.heading_deg <= 360
        if previous is not None:
            metres = haversine_m(previous[0], previous[1], fix.true_lat, fix.true_lon)
            assert metres <= top * dt * 1.01 + 1e-6, (zone["code"], metres, dt)
            travelled += metres
        previous = (fix.true_lat, fix.true_lon)
    if sum(steps) > 3600:  # over hours, patrols patrol: stops are short and few
        assert travelled >= sum(steps[1:]) * SPEEDS_KMH[kind][0] / 3.6 / 2


@pytest.mark.parametrize("zone", ZONES, ids=[z["code"] for z in ZONES])
@pytest.mark.parametrize("kind", ["car", "motorcycle"])
def test_patrols_stay_inside_their_zone_at_street_speeds(zone: dict[str, Any],
                                                         kind: str) -> None:
    for seed in ("a", "b", "c"):
        drive(zone, kind, seed, [1.0, 4.0, 0.25, 2.0, 7.0] * 1200)  # 4 h of patrol each


@settings(max_examples=30, deadline=None)
@given(zone=st.sampled_from(ZONES), seed=st.text(max_size=8),
       steps=st.lists(st.floats(0.0, 120.0), min_size=1, max_size=200))
def test_any_patrol_stays_inside(zone: dict[str, Any], seed: str, steps: list[float]) -> None:
    drive(zone, "car", seed, steps)


def test_a_patrol_path_does_not_depend_on_how_often_it_reports() -> None:
    zone = ZONES[1]
    lat, lon = centre(zone)
    often = Patrol(zone["boundary"], lat, lon, "car", seed="same")
    rarely = Patrol(zone["boundary"], lat, lon, "car", seed="same")
    for _ in range(600):
        often.step(1.0)
    for _ in range(20):
        rarely.step(30.0)
    assert often.position() == pytest.approx(rarely.position(), abs=1e-9)


def test_plans_are_deterministic_valid_and_at_the_rate() -> None:
    devices = devices_file()
    config = SimConfig(rate=20, sos_per_minute=6, bank_alarm_per_minute=3,
                       officer_sos_per_minute=3, citizen_reports_per_minute=2)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    everything = Simulation(devices, config, seed=7, start=start, run_id="r").advance_to(600)
    reports = [e for e in everything if e.kind == CITIZEN_REPORT]
    plan = [e for e in everything if e.kind != CITIZEN_REPORT]
    # Stepping the clock differently gives exactly the same events.
    stepped = Simulation(devices, config, seed=7, start=start, run_id="r")
    again = [e for t in range(1, 601) for e in stepped.advance_to(float(t))]
    assert [e.body for e in again] == [e.body for e in everything]
    other = Simulation(devices, config, seed=8, start=start, run_id="r").advance_to(600)
    assert [e.body for e in other] != [e.body for e in plan]
    assert len(plan) == pytest.approx(20 * 600, rel=0.1)
    ids = [e.body["device_event_id"] for e in plan]
    assert len(set(ids)) == len(ids)
    for event in plan:
        EVENT_IN.validate_python(event.body)  # what the server's intake accepts
    kinds = Counter(e.kind for e in plan)
    assert kinds["sos.press"] == pytest.approx(60, rel=0.5)
    assert kinds["plate.read"] == pytest.approx(20 * 600 * 0.1, rel=0.1)
    assert kinds["device.status"] >= 2  # SOS heartbeats, so they never look silent
    alarms = [e for e in plan if e.kind == "alarm"]
    assert alarms and {e.device_code for e in alarms} == {"B1"}  # banks only
    assert alarms[0].body["payload"] == {"category": "hold_up", "code": "HA",
                                         "protocol": "http", "zone": "1",
                                         "text": "hold-up button (simulated)"}
    officer = [e for e in plan if e.kind == "gps.position" and "alarm" in e.body["payload"]]
    assert officer and all(e.urgent and e.body["payload"]["alarm"] == "sos" for e in officer)
    assert all(e.urgent for e in plan if e.kind in {"sos.press", "alarm"})
    # Citizens report through the public API: what the public app sends, inside the zone,
    # each with its own caller key.
    assert len(reports) == pytest.approx(20, rel=0.6)
    zones = {s.station_code: shape(s.boundary) for s in devices.stations}
    for event in reports:
        body = {**event.body, "consent": {"purposes": ["report"], "version": CONSENT_VERSION}}
        sent = ReportIn.model_validate(body)
        assert zones[event.station_code].contains(Point(sent.location.lon, sent.location.lat))
        assert not event.urgent and not event.batchable and event.token == ""
    assert len({e.body["client_key"] for e in reports}) == len(reports)
    times: dict[str, str] = {}
    for event in plan:
        assert event.body["event_time"] >= times.get(event.key, "")
        times[event.key] = event.body["event_time"]


def test_a_newcomer_gets_an_sos_at_the_first_station_within_half_a_minute() -> None:
    devices = devices_file()
    config = SimConfig(rate=5, sos_per_minute=0, bank_alarm_per_minute=0,
                       officer_sos_per_minute=0)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    plan = Simulation(devices, config, seed=3, start=start, run_id="r").advance_to(30)
    presses = [p for p in plan if p.body["kind"] == "sos.press"]
    assert len(presses) == 1
    assert presses[0].t == pytest.approx(20.0)
    first_codes = {point.code for point in devices.stations[0].sos_points}
    assert presses[0].device_code in first_codes
    quiet = SimConfig(rate=5, sos_per_minute=0, bank_alarm_per_minute=0,
                      officer_sos_per_minute=0, first_sos_after_s=None)
    none = Simulation(devices, quiet, seed=3, start=start, run_id="r").advance_to(30)
    assert not [p for p in none if p.body["kind"] == "sos.press"]


def test_thai_plates() -> None:
    import random

    rng = random.Random(1)
    for _ in range(200):
        plate, folded = thai_plate(rng)
        series, number = plate.split(" ")
        assert folded == series + number
        assert 1 <= len(number) <= 4 and number.isdigit()
        assert len(series.lstrip("123456789")) == 2


# --- (c) against a real server --------------------------------------------------------------


def start_demo(data_dir: Path, port: int, *extra: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SSZ_")}
    env["SSZ_DEMO_PASSWORD"] = PASSWORD
    return subprocess.Popen(
        [sys.executable, "-m", "safetyzone", "demo", "--port", str(port),
         "--data-dir", str(data_dir), "--no-history", *extra],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def wait_ready(proc: subprocess.Popen[str], url: str) -> None:
    deadline = time.monotonic() + 120  # loading the demo takes seconds on a slow machine
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"ssz demo exited early:\n{proc.stdout.read() if proc.stdout else ''}")
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail("ssz demo did not become ready")


def interrupt(proc: subprocess.Popen[str]) -> tuple[int, str]:
    proc.send_signal(signal.SIGINT)
    try:
        output, _ = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        output, _ = proc.communicate()
        pytest.fail(f"ssz demo did not stop on Ctrl-C:\n{output}")
    return proc.returncode, output


def admin(url: str) -> dict[str, str]:
    response = httpx.post(f"{url}/api/v1/auth/token",
                          data={"username": "admin", "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("sim-demo")


@pytest.fixture
def quiet_demo(demo_dir: Path) -> Iterator[str]:
    """``ssz demo --no-simulate``: the server with the demo's devices, and no simulator."""
    url = f"http://127.0.0.1:{free_loopback_port()}"
    proc = start_demo(demo_dir, int(url.rsplit(":", 1)[1]), "--no-simulate")
    try:
        wait_ready(proc, url)
        yield url
    finally:
        if proc.poll() is None:
            interrupt(proc)


SEED = 4  # in 4 s this seed presses SOS buttons, a bank's hold-up button and an officer's SOS
DURATION = 4.0
CONFIG = SimConfig(rate=40, sos_per_minute=30, bank_alarm_per_minute=15,
                   officer_sos_per_minute=15, citizen_reports_per_minute=60)


def test_simulator_against_a_real_server(quiet_demo: str, demo_dir: Path) -> None:
    url = quiet_demo
    devices = load_devices(demo_dir / DEVICES_FILE)
    assert stat.S_IMODE((demo_dir / DEVICES_FILE).stat().st_mode) == 0o600
    # The plan is a function of the seed: this one guarantees the rare events in the run.
    plan = Simulation(devices, CONFIG, seed=SEED, start=datetime.now(UTC),
                      run_id="plan").advance_to(DURATION)
    kinds = Counter(e.kind for e in plan)
    assert kinds["sos.press"] >= 1 and kinds["alarm"] >= 1 and kinds[CITIZEN_REPORT] >= 1
    assert any("alarm" in e.body["payload"] for e in plan if e.kind == "gps.position")

    simulator = Simulator(url, devices, CONFIG, seed=SEED, concurrency=8, summary_every=1.0)
    # On its own thread and event loop, as in ``ssz demo``.
    background = BackgroundSimulator(simulator, duration=DURATION, wait_ready_s=30)
    background.start()
    assert background.join(timeout=120), "the simulator did not finish"
    assert background.error is None
    stats = background.stats
    assert stats.errors == 0
    assert stats.sent == stats.acked == len(plan)
    assert stats.by_kind == kinds

    # Every acknowledged event is one inbox row, and nothing else is there.
    engine = create_engine(f"sqlite:///file:{demo_dir / 'safetyzone.db'}?mode=ro&uri=true")
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("select count(*) from inbox_event")).scalar_one()
    finally:
        engine.dispose()
    assert rows == stats.acked - kinds[CITIZEN_REPORT]  # citizens are not devices

    # Units stand where their last fix put them, away from where they started.
    headers = admin(url)
    starts = {f"{s.station_code}/{u.code}": (u.lat, u.lon)
              for s in devices.stations for u in s.units}
    assert set(stats.last_fix) == set(starts)
    codes = {key.split("/", 1)[1]: key for key in starts}  # unit codes carry the zone's

    def placed() -> list[dict[str, Any]] | None:
        units = [u for u in httpx.get(f"{url}/api/v1/units", headers=headers).json()
                 if u["code"] in codes]
        done = all(u["lat"] is not None and (u["lat"], u["lon"]) == pytest.approx(
            stats.last_fix[codes[u["code"]]][1:], abs=1e-7) for u in units)
        return units if done and len(units) == len(codes) else None

    units = wait_for(placed, seconds=30, every=0.2)
    for unit in units:
        start = starts[codes[unit["code"]]]
        assert haversine_m(start[0], start[1], unit["lat"], unit["lon"]) > 5, unit["code"]
        assert unit["position_suspect"] is False
        assert unit["speed_mps"] is not None

    # The SOS presses opened incidents with the cameras of the button docked.
    def incidents(kind: str) -> list[dict[str, Any]]:
        response = httpx.get(f"{url}/api/v1/incidents", params={"kind": kind}, headers=headers)
        assert response.status_code == 200
        found: list[dict[str, Any]] = response.json()
        return found

    sos = wait_for(lambda: incidents("sos"), seconds=30, every=0.2)
    assert all(i["priority"] == 1 and i["cameras"] for i in sos)
    assert any(c["reason"] == "bound" for i in sos for c in i["cameras"])
    bank = wait_for(lambda: incidents("bank_alarm"), seconds=30, every=0.2)
    assert "ธนาคาร" in bank[0]["title_th"] and bank[0]["priority"] == 1
    officer = wait_for(lambda: incidents("officer_in_danger"), seconds=30, every=0.2)
    assert officer[0]["priority"] == 1

    # The citizens' reports wait in the stations' queues, one item each.
    items = httpx.get(f"{url}/api/v1/citizen/items", params={"kind": "report"},
                      headers=headers).json()
    assert len(items) == kinds[CITIZEN_REPORT]
    assert {i["channel"] for i in items} == {"web"} and all(i["description"] for i in items)


def test_the_demo_comes_alive_and_stops_on_ctrl_c(demo_dir: Path) -> None:
    """After the test above, the demo is loaded already and its devices file is kept."""
    path = demo_dir / DEVICES_FILE
    before = path.read_bytes() if path.exists() else None
    port = free_loopback_port()
    url = f"http://127.0.0.1:{port}"
    proc = start_demo(demo_dir, port)
    try:
        wait_ready(proc, url)
        headers = admin(url)
        fixes = {u["code"]: u["fix_time"]
                 for u in httpx.get(f"{url}/api/v1/units", headers=headers).json()}

        def moved() -> bool:
            now = httpx.get(f"{url}/api/v1/units", headers=headers).json()
            return sum(u["fix_time"] != fixes.get(u["code"]) for u in now) >= 10

        wait_for(moved, seconds=60, every=0.5)
    finally:
        code, output = interrupt(proc)
    assert code == 0, output
    if before is not None:
        assert path.read_bytes() == before  # its tokens still work: kept, not reissued
    assert "simulator: 36 devices" in output
    assert "simulator stopped: sent" in output
    assert output.index("simulator stopped") < output.index("Shutting down")
    assert "Traceback" not in output


def test_ssz_simulate_command(quiet_demo: str, demo_dir: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SSZ_")}
    result = subprocess.run(
        [sys.executable, "-m", "safetyzone", "simulate", "--url", quiet_demo,
         "--devices", str(demo_dir / DEVICES_FILE), "--rate", "200", "--concurrency", "4",
         "--duration", "2", "--seed", "3", "--summary-every", "1"],
        env=env, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    summary = result.stdout.strip().splitlines()[-1]
    assert summary.startswith("simulator: sent ") and ", errors 0," in summary
    assert "simulator: sent" in result.stderr  # the periodic log line
    assert "token" not in result.stdout + result.stderr and "ssz_dev_" not in result.stderr
    missing = subprocess.run(
        [sys.executable, "-m", "safetyzone", "simulate", "--devices",
         str(demo_dir / "nope.json"), "--duration", "1"],
        env=env, capture_output=True, text=True, timeout=60, check=False)
    assert missing.returncode == 2
    assert "ssz demo" in missing.stderr
