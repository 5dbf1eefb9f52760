"""The simulation's plan: what the devices do, deterministic given a seed.

:class:`Simulation` plans events on a simulated clock: patrol units (``motion``) report GPS
fixes, SOS buttons are pressed now and then, bank buttons raise hold-up alarms, plate
cameras read Thai plates, officers' phones occasionally send an SOS in a fix, SOS kiosks
send heartbeats, citizens report through the public app. The same devices, config, seed,
start time and run id give exactly the same events, however the time is stepped.
"""

from __future__ import annotations

import heapq
import itertools
import math
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from safetyzone.simulate import citizens
from safetyzone.simulate.devices import DevicesFile, StationDevices
from safetyzone.simulate.motion import Patrol

THAI_LETTERS = "กขคฆงจฉชซญฎฐฒณดตถทธนบปผพฟภมยรลวศษสหฬอฮ"
OTHER_PROVINCES = ("TH-10", "TH-11", "TH-12", "TH-13", "TH-14", "TH-15", "TH-20", "TH-21",
                   "TH-30", "TH-40", "TH-50", "TH-60", "TH-64", "TH-65", "TH-66", "TH-67")
CITIZEN_REPORT = "citizen.report"  # a report from the public app, not a device event


def thai_plate(rng: random.Random) -> tuple[str, str]:
    """A plate as printed (``1กข 1234``) and folded (``1กข1234``)."""
    lead = str(rng.randint(1, 9)) if rng.random() < 0.6 else ""
    series = lead + rng.choice(THAI_LETTERS) + rng.choice(THAI_LETTERS)
    number = str(rng.randint(1, 9999))
    return f"{series} {number}", f"{series}{number}"


# --- planning -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SimConfig:
    """How busy the devices are. ``rate`` is events per second over all devices; the rare
    events have their own rates and GPS fixes fill the rest."""

    rate: float = 5.0
    sos_per_minute: float = 1.0
    bank_alarm_per_minute: float = 0.2
    officer_sos_per_minute: float = 0.1
    citizen_reports_per_minute: float = 0.3  # through the public app's API (citizens.py)
    plate_share: float = 0.1
    heartbeat_s: float = 300.0
    batch_max: int = 100
    flush_s: float = 1.0
    gps_sigma_m: float = 3.0
    # A newcomer opening the console should not wait minutes for the first alert: one SOS
    # at the first station this many seconds in (None: only the random ones).
    first_sos_after_s: float | None = 20.0

    def __post_init__(self) -> None:
        if not (self.rate > 0 and math.isfinite(self.rate)):
            raise ValueError("rate must be a positive number of events per second")
        for name in ("sos_per_minute", "bank_alarm_per_minute", "officer_sos_per_minute",
                     "citizen_reports_per_minute"):
            if not (getattr(self, name) >= 0 and math.isfinite(getattr(self, name))):
                raise ValueError(f"{name} must be zero or more")
        if not 0 <= self.plate_share < 1:
            raise ValueError("plate_share must be in [0, 1)")
        if self.heartbeat_s <= 0 or self.flush_s <= 0 or not 1 <= self.batch_max <= 1000:
            raise ValueError("heartbeat_s and flush_s must be positive, batch_max 1..1000")


@dataclass(frozen=True)
class Planned:
    """One event to send: for which device, and the complete EventIn body."""

    t: float  # simulated seconds since the start
    station_code: str
    device_code: str
    token: str = field(repr=False)
    kind: str
    body: dict[str, Any]
    urgent: bool  # goes alone and before anything waiting
    batchable: bool  # the device reports faster than the flush interval: batch it

    @property
    def key(self) -> str:
        return f"{self.station_code}/{self.device_code}"


@dataclass
class _Unit:
    station: StationDevices
    code: str
    token: str
    patrol: Patrol
    last_t: float = 0.0


class Simulation:
    """The deterministic plan: same inputs, same events (see the module docstring)."""

    def __init__(self, devices: DevicesFile, config: SimConfig, *, seed: int,
                 start: datetime, run_id: str) -> None:
        self.config = config
        self.start = start
        self.run_id = run_id
        self._rng = random.Random(f"{seed}/events")  # noqa: S311 - simulation, not security
        # Citizens draw from their own stream: the devices' plan does not change with them.
        self._citizens = random.Random(f"{seed}/citizens")  # noqa: S311
        self._heap: list[tuple[float, int, str, int]] = []
        self._order = itertools.count()
        self._ids = itertools.count(1)
        self._now = 0.0
        self.units: list[_Unit] = []
        self.sos: list[tuple[StationDevices, Any]] = []
        self.banks: list[tuple[StationDevices, Any]] = []
        self.cameras: list[tuple[StationDevices, Any]] = []
        for station in devices.stations:
            for unit in station.units:
                patrol = Patrol(station.boundary, unit.lat, unit.lon, unit.kind,
                                seed=f"{seed}/{station.station_code}/{unit.code}",
                                gps_sigma_m=config.gps_sigma_m,
                                points=[(p.lat, p.lon) for p in station.patrol_points])
                self.units.append(_Unit(station, unit.code, unit.token, patrol))
            self.sos.extend((station, p) for p in station.sos_points)
            self.banks.extend((station, p) for p in station.sos_points if p.site_kind == "bank")
            self.cameras.extend((station, c) for c in station.plate_cameras)
        rare = (config.sos_per_minute * bool(self.sos)
                + config.bank_alarm_per_minute * bool(self.banks)
                + config.officer_sos_per_minute * bool(self.units)) / 60.0
        self.plate_rate = config.rate * config.plate_share if self.cameras else 0.0
        heartbeats = len(self.sos) / config.heartbeat_s
        self.gps_rate = max(config.rate - self.plate_rate - rare - heartbeats,
                            0.1 * config.rate) if self.units else 0.0
        self.gps_interval = len(self.units) / self.gps_rate if self.gps_rate else math.inf
        camera_interval = len(self.cameras) / self.plate_rate if self.plate_rate else math.inf
        self._gps_batch = self.gps_interval < config.flush_s
        self._plate_batch = camera_interval < config.flush_s
        for i in range(len(self.units)):
            self._at(self._rng.uniform(0.0, min(self.gps_interval, 2.0)), "gps", i)
        for j in range(len(self.sos)):
            self._at(self._rng.uniform(0.0, config.heartbeat_s), "heartbeat", j)
        self._poisson("sos", config.sos_per_minute / 60.0 if self.sos else 0.0)
        first_station = [i for i, (st, _) in enumerate(self.sos)
                         if st is devices.stations[0]] if devices.stations else []
        if config.first_sos_after_s is not None and first_station:
            self._at(config.first_sos_after_s, "first_sos", first_station[0])
        self._poisson("bank", config.bank_alarm_per_minute / 60.0 if self.banks else 0.0)
        self._poisson("officer", config.officer_sos_per_minute / 60.0 if self.units else 0.0)
        self._poisson("plate", self.plate_rate)
        self.stations = list(devices.stations)
        self._poisson("citizen", config.citizen_reports_per_minute / 60.0
                      if self.stations else 0.0)

    @property
    def now(self) -> float:
        return self._now

    def _at(self, t: float, action: str, index: int) -> None:
        heapq.heappush(self._heap, (t, next(self._order), action, index))

    def _poisson(self, action: str, rate: float, after: float = 0.0) -> None:
        if rate > 0:
            rng = self._citizens if action == "citizen" else self._rng
            self._at(after + rng.expovariate(rate), action, -1)

    def advance_to(self, t: float) -> list[Planned]:
        """Every event due up to simulated time ``t``, in time order."""
        out: list[Planned] = []
        while self._heap and self._heap[0][0] <= t:
            at, _, action, index = heapq.heappop(self._heap)
            out.append(self._fire(at, action, index))
        self._now = max(self._now, t)
        return out

    def _fire(self, t: float, action: str, index: int) -> Planned:
        cfg, rng = self.config, self._rng
        if action == "gps":
            self._at(t + self.gps_interval * rng.uniform(0.9, 1.1), "gps", index)
            return self._fix(t, self.units[index], alarm=None)
        if action == "officer":
            self._poisson("officer", cfg.officer_sos_per_minute / 60.0, t)
            return self._fix(t, rng.choice(self.units), alarm="sos")
        if action == "heartbeat":
            self._at(t + cfg.heartbeat_s * rng.uniform(0.9, 1.1), "heartbeat", index)
            station, point = self.sos[index]
            return self._event(t, station, point, "device.status", {"state": "heartbeat"},
                               location=False)
        if action == "sos":
            self._poisson("sos", cfg.sos_per_minute / 60.0, t)
            station, point = rng.choice(self.sos)
            return self._event(t, station, point, "sos.press", {"button": "1"}, urgent=True)
        if action == "first_sos":
            station, point = self.sos[index]
            return self._event(t, station, point, "sos.press", {"button": "1"}, urgent=True)
        if action == "bank":
            self._poisson("bank", cfg.bank_alarm_per_minute / 60.0, t)
            station, point = rng.choice(self.banks)
            return self._event(t, station, point, "alarm", {
                "category": "hold_up", "code": "HA", "protocol": "http", "zone": "1",
                "text": "hold-up button (simulated)"}, urgent=True)
        if action == "plate":
            self._poisson("plate", self.plate_rate, t)
            station, camera = rng.choice(self.cameras)
            plate, folded = thai_plate(rng)
            local = station.province_code
            province = local if local and rng.random() < 0.7 else rng.choice(OTHER_PROVINCES)
            return self._event(t, station, camera, "plate.read", {
                "plate": plate, "plate_normalized": folded, "province": province,
                "confidence": round(rng.uniform(70.0, 99.5), 1),
                "direction": rng.choice(("in", "out"))}, batchable=self._plate_batch)
        if action == "citizen":
            self._poisson("citizen", cfg.citizen_reports_per_minute / 60.0, t)
            station = self._citizens.choice(self.stations)
            key = f"{self.run_id}-citizen-{next(self._ids)}".ljust(22, "0")[:64]
            return Planned(t, station.station_code, "citizen", "", CITIZEN_REPORT,
                           citizens.report(station.boundary, self._citizens, key),
                           urgent=False, batchable=False)
        raise AssertionError(f"unknown action {action}")

    def _iso(self, t: float) -> str:
        return (self.start + timedelta(seconds=t)).isoformat()

    def _next_id(self) -> str:
        return f"{self.run_id}-{next(self._ids)}"

    def _fix(self, t: float, unit: _Unit, *, alarm: str | None) -> Planned:
        fix = unit.patrol.step(t - unit.last_t)
        unit.last_t = t
        payload: dict[str, Any] = {"speed_mps": fix.speed_mps, "heading_deg": fix.heading_deg,
                                   "hdop": fix.hdop}
        if alarm:
            payload["alarm"] = alarm
        body = {"kind": "gps.position", "device_event_id": self._next_id(),
                "event_time": self._iso(t),
                "location": {"lat": fix.lat, "lon": fix.lon, "accuracy_m": fix.accuracy_m},
                "payload": payload}
        return Planned(t, unit.station.station_code, unit.code, unit.token, "gps.position",
                       body, urgent=alarm is not None,
                       batchable=alarm is None and self._gps_batch)

    def _event(self, t: float, station: StationDevices, device: Any, kind: str,
               payload: dict[str, Any], *, urgent: bool = False, batchable: bool = False,
               location: bool = True) -> Planned:
        body: dict[str, Any] = {"kind": kind, "device_event_id": self._next_id(),
                                "event_time": self._iso(t), "payload": payload}
        if location:
            body["location"] = {"lat": device.lat, "lon": device.lon}
        return Planned(t, station.station_code, device.code, device.token, kind, body,
                       urgent=urgent, batchable=batchable)
