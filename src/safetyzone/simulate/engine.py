"""The simulation: what the devices do (deterministic given a seed), and sending it over HTTP.

Two halves:

- :class:`Simulation` plans events on a simulated clock: patrol units drive legs inside
  their zone polygon at street speeds and report GPS fixes (with a slowly wandering GPS
  error, never leaving the zone), SOS buttons are pressed now and then, bank buttons raise
  hold-up alarms, plate cameras read Thai plates, officers' phones occasionally send an SOS
  in a fix, SOS kiosks send heartbeats. The same devices, config, seed, start time and
  run id give exactly the same events, however the time is stepped.
- :class:`Simulator` plays the plan in real time against a server through the public
  intake (``POST /api/v1/intake/events`` and ``.../events/batch``), each device with its own
  token, over an HTTP keep-alive connection pool. Fast reporters are batched per device;
  SOS, alarms and officer SOS go alone and first. A retry after a connection error sends
  the same body (same ``device_event_id``), so the server stores it at most once.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
import math
import random
import secrets
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
import numpy as np
import shapely
from shapely.geometry import LineString, MultiPolygon, Point, Polygon, shape
from shapely.ops import nearest_points

from safetyzone.core.clock import Clock, SystemClock
from safetyzone.simulate import citizens
from safetyzone.simulate.devices import DevicesFile, StationDevices

log = logging.getLogger(__name__)

# Street speeds by unit kind, km/h (a Thai soi is slow; a main road in town is not fast).
SPEEDS_KMH = {"car": (20.0, 40.0), "motorcycle": (20.0, 45.0), "foot": (3.0, 6.0),
              "volunteer": (10.0, 25.0), "investigation": (20.0, 40.0)}
# Turns at the end of a leg, degrees: mostly straight on or a right-angle turn.
TURNS = (0.0, 0.0, 0.0, 0.0, 90.0, -90.0, 90.0, -90.0, 180.0)
STOP_CHANCE = 0.15  # at the end of a leg: stop to check a red box, talk to a shop owner
STOP_S = (10.0, 60.0)
VISIT_CHANCE = 0.05  # at the end of a leg: head for one of the plan's places (a risk spot)
VISIT_S = (90.0, 300.0)  # and stay there this long, seen (a visit counts after a minute)
MARGIN_M = 15.0  # the true track stays this far inside the zone edge
MAX_GPS_ERROR_M = 10.0  # < MARGIN_M: a reported fix never lies outside the zone
GPS_TAU_S = 20.0  # how slowly the GPS error wanders (Ornstein-Uhlenbeck time constant)
THAI_LETTERS = "กขคฆงจฉชซญฎฐฒณดตถทธนบปผพฟภมยรลวศษสหฬอฮ"
OTHER_PROVINCES = ("TH-10", "TH-11", "TH-12", "TH-13", "TH-14", "TH-15", "TH-20", "TH-21",
                   "TH-30", "TH-40", "TH-50", "TH-60", "TH-64", "TH-65", "TH-66", "TH-67")
RETRY_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})
INTAKE = "/api/v1/intake/events"
CITIZEN_REPORT = "citizen.report"  # a report from the public app, not a device event


# --- geometry -----------------------------------------------------------------------------


@dataclass(frozen=True)
class LocalFrame:
    """Metres east/north of a point: exact enough inside a zone of a few km²."""

    lat0: float
    lon0: float

    @property
    def m_per_deg_lat(self) -> float:
        p = math.radians(self.lat0)
        return 111_132.954 - 559.822 * math.cos(2 * p) + 1.175 * math.cos(4 * p)

    @property
    def m_per_deg_lon(self) -> float:
        p = math.radians(self.lat0)
        return 111_412.84 * math.cos(p) - 93.5 * math.cos(3 * p)

    def to_xy(self, lat: float, lon: float) -> tuple[float, float]:
        return (lon - self.lon0) * self.m_per_deg_lon, (lat - self.lat0) * self.m_per_deg_lat

    def to_latlon(self, x: float, y: float) -> tuple[float, float]:
        return self.lat0 + y / self.m_per_deg_lat, self.lon0 + x / self.m_per_deg_lon

    def polygon(self, boundary: dict[str, Any]) -> Any:
        kx, ky = self.m_per_deg_lon, self.m_per_deg_lat

        def project(xy: Any) -> Any:
            return np.column_stack(((xy[:, 0] - self.lon0) * kx, (xy[:, 1] - self.lat0) * ky))

        return shapely.transform(shape(boundary), project)


@dataclass(frozen=True)
class Fix:
    """One GPS report: the position as reported (with GPS error) and as driven."""

    lat: float
    lon: float
    true_lat: float
    true_lon: float
    speed_mps: float
    heading_deg: float
    accuracy_m: float
    hdop: float


class Patrol:
    """A patrol unit driving inside its zone: legs of 60-350 m, mostly straight on or at
    right angles (streets), each at one speed in the kind's range, now and then a stop.
    Given the plan's places (``points``, lat/lon), at the end of a leg it sometimes heads
    for one of them (``VISIT_CHANCE``), leg by leg, and stays there a few minutes
    (``VISIT_S``): a patrol following its plan.

    Every leg is checked to lie inside the zone shrunk by ``MARGIN_M``, and the GPS error
    is kept under ``MAX_GPS_ERROR_M``, so every reported fix lies inside the zone. The
    path depends only on the seed, not on how often the unit reports.
    """

    def __init__(self, boundary: dict[str, Any], lat: float, lon: float, kind: str = "car",
                 *, seed: str, gps_sigma_m: float = 3.0,
                 points: Sequence[tuple[float, float]] = ()) -> None:
        outer = shape(boundary)
        self.frame = LocalFrame(outer.centroid.y, outer.centroid.x)
        zone = self.frame.polygon(boundary)
        start = Point(self.frame.to_xy(lat, lon))
        inner, max_error = zone.buffer(-MARGIN_M), MAX_GPS_ERROR_M
        if inner.is_empty or inner.area < 0.05 * zone.area:  # a sliver of a zone
            inner, max_error = zone.buffer(-2.0), 1.0
        if isinstance(inner, MultiPolygon):
            parts = sorted(inner.geoms, key=lambda g: (not g.contains(start), -g.area))
            inner = parts[0]
        self.inner: Polygon = inner
        shapely.prepare(self.inner)
        self._x, self._y = self._inside(start)
        self._rng = random.Random(f"{seed}/path")  # noqa: S311 - simulation, not security
        self._noise = random.Random(f"{seed}/gps")  # noqa: S311
        low, high = SPEEDS_KMH.get(kind, SPEEDS_KMH["car"])
        self.speed_range = (low / 3.6, high / 3.6)
        self._heading = self._rng.uniform(0.0, 360.0)
        self._target: tuple[float, float] | None = None
        self._speed = 0.0
        self._pause = 0.0
        self._max_error = max_error
        self._sigma = min(gps_sigma_m, max_error / 2)
        self._error = [0.0, 0.0]
        self._points = [self._inside(Point(self.frame.to_xy(p_lat, p_lon)))
                        for p_lat, p_lon in points]
        self._goal: tuple[float, float] | None = None
        self._visiting = False  # the current leg ends at the goal

    def _inside(self, point: Point) -> tuple[float, float]:
        if self.inner.contains(point):
            return float(point.x), float(point.y)
        edge = nearest_points(self.inner, point)[0]
        inward = self.inner.representative_point()
        dx, dy = inward.x - edge.x, inward.y - edge.y
        norm = math.hypot(dx, dy) or 1.0
        nudged = Point(edge.x + dx / norm, edge.y + dy / norm)
        chosen = nudged if self.inner.contains(nudged) else inward
        return float(chosen.x), float(chosen.y)

    @property
    def moving(self) -> bool:
        return self._pause <= 0 and self._target is not None

    def position(self) -> tuple[float, float]:
        """The true (lat, lon), without GPS error."""
        return self.frame.to_latlon(self._x, self._y)

    def _leg_to_goal(self) -> bool:
        """A leg straight to the goal if the street allows, else as far toward it as does."""
        assert self._goal is not None
        x, y = self._x, self._y
        gx, gy = self._goal
        distance = math.hypot(gx - x, gy - y)
        if distance <= 1.0:  # there already
            self._goal = None
            self._pause = self._rng.uniform(*VISIT_S)
            return True
        heading = math.degrees(math.atan2(gx - x, gy - y)) % 360.0
        for length in (distance, min(distance, 350.0), min(distance, 150.0),
                       min(distance, 60.0)):
            rad = math.radians(heading)
            target = (x + length * math.sin(rad), y + length * math.cos(rad))
            if length > 1.0 and self.inner.contains(LineString([(x, y), target])):
                self._target, self._heading = target, heading
                self._visiting = length == distance
                self._speed = self._rng.uniform(*self.speed_range)
                return True
        self._goal = None  # no way there from here: patrol on
        return False

    def _new_leg(self) -> None:
        if self._points and self._goal is None and self._rng.random() < VISIT_CHANCE:
            self._goal = self._rng.choice(self._points)
        if self._goal is not None and self._leg_to_goal():
            return
        x, y = self._x, self._y
        for attempt in range(60):
            if attempt < 24:
                heading = self._heading + self._rng.choice(TURNS) + self._rng.gauss(0.0, 6.0)
            else:
                heading = self._rng.uniform(0.0, 360.0)
            length = self._rng.uniform(60.0, 350.0) if attempt < 40 else self._rng.uniform(
                15.0, 80.0)
            rad = math.radians(heading)
            target = (x + length * math.sin(rad), y + length * math.cos(rad))
            if self.inner.contains(LineString([(x, y), target])):
                self._target = target
                self._heading = heading % 360.0
                self._speed = self._rng.uniform(*self.speed_range)
                return
        self._pause = 5.0  # boxed into a corner: wait, then look again

    def advance(self, dt: float) -> None:
        """Drive for ``dt`` seconds."""
        remaining = max(0.0, dt)
        for _ in range(100_000):  # each pass uses up time or ends a leg; bounded for safety
            if remaining <= 1e-9:
                return
            if self._pause > 0:
                used = min(self._pause, remaining)
                self._pause -= used
                remaining -= used
                continue
            if self._target is None:
                self._new_leg()
                continue
            tx, ty = self._target
            distance = math.hypot(tx - self._x, ty - self._y)
            reach = self._speed * remaining
            if reach < distance:
                share = reach / distance
                self._x += (tx - self._x) * share
                self._y += (ty - self._y) * share
                return
            self._x, self._y = tx, ty
            remaining -= distance / self._speed
            self._target = None
            if self._visiting:  # at the plan's place: stay a while, seen
                self._visiting, self._goal = False, None
                self._pause = self._rng.uniform(*VISIT_S)
            elif self._rng.random() < STOP_CHANCE:
                self._pause = self._rng.uniform(*STOP_S)

    def step(self, dt: float) -> Fix:
        """Drive for ``dt`` seconds, then report a fix."""
        self.advance(dt)
        decay = math.exp(-max(dt, 0.0) / GPS_TAU_S)
        spread = self._sigma * math.sqrt(1.0 - decay * decay)
        self._error = [e * decay + spread * self._noise.gauss(0.0, 1.0) for e in self._error]
        size = math.hypot(*self._error)
        if size > self._max_error:
            self._error = [e * self._max_error / size for e in self._error]
        speed_noise = self._noise.gauss(0.0, 0.3)
        heading_noise = self._noise.gauss(0.0, 2.0)
        accuracy = 3.0 + 4.0 * self._noise.random()
        speed = min(max(0.0, self._speed + speed_noise), self.speed_range[1] + 1.0)
        lat, lon = self.frame.to_latlon(self._x + self._error[0], self._y + self._error[1])
        true_lat, true_lon = self.position()
        return Fix(lat=round(lat, 7), lon=round(lon, 7), true_lat=true_lat, true_lon=true_lon,
                   speed_mps=round(speed, 2) if self.moving else 0.0,
                   heading_deg=round((self._heading + heading_noise) % 360.0, 1),
                   accuracy_m=round(accuracy, 1), hdop=round(accuracy / 5.0, 1))


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


# --- sending --------------------------------------------------------------------------------


@dataclass
class Stats:
    """Counts in events (a batch of 50 counts 50). ``acked`` counts each event once, retries
    included, so it equals the inbox rows this run created."""

    sent: int = 0
    acked: int = 0
    replayed: int = 0  # acknowledged as already stored (a retry whose first try landed)
    errors: int = 0
    retries: int = 0
    requests: int = 0
    by_kind: Counter[str] = field(default_factory=Counter)
    last_fix: dict[str, tuple[float, float, float]] = field(default_factory=dict)
    started: float = field(default_factory=time.monotonic)
    sim_seconds: float = 0.0

    def line(self) -> str:
        elapsed = max(time.monotonic() - self.started, 1e-9)
        kinds = ", ".join(f"{k} {n}" for k, n in sorted(self.by_kind.items()))
        return (f"sent {self.sent}, acked {self.acked}, errors {self.errors}, "
                f"retries {self.retries}, {self.acked / elapsed:.1f} events/s over "
                f"{elapsed:.0f} s" + (f" ({kinds})" if kinds else ""))


@dataclass(frozen=True)
class _Job:
    token: str = field(repr=False)
    events: list[Planned]


class Simulator:
    """Plays a :class:`Simulation` in real time against a server (see the module docstring)."""

    def __init__(self, url: str, devices: DevicesFile, config: SimConfig | None = None, *,
                 seed: int = 1, concurrency: int = 8, clock: Clock | None = None,
                 run_id: str | None = None, summary_every: float = 10.0,
                 max_attempts: int = 5, drain_s: float = 10.0, timeout_s: float = 10.0,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.url = url.rstrip("/")
        self.devices = devices
        self.config = config or SimConfig()
        self.seed = seed
        self.concurrency = concurrency
        self.clock: Clock = clock or SystemClock()
        self.run_id = run_id or f"sim-{seed}-{secrets.token_hex(4)}"
        self.summary_every = summary_every
        self.max_attempts = max(1, max_attempts)
        self.drain_s = drain_s
        self.timeout_s = timeout_s
        self.stats = Stats()
        self.simulation: Simulation | None = None
        self._transport = transport
        self._backoff = random.Random(seed)  # noqa: S311 - retry jitter
        self._order = itertools.count()
        self._refusals = 0
        self._consent: str | None = None

    def _client(self) -> httpx.AsyncClient:
        limits = httpx.Limits(max_connections=self.concurrency,
                              max_keepalive_connections=self.concurrency)
        return httpx.AsyncClient(base_url=self.url, limits=limits, transport=self._transport,
                                 timeout=httpx.Timeout(self.timeout_s, connect=5.0),
                                 headers={"User-Agent": "ssz-simulate/1"})

    async def wait_ready(self, stop: threading.Event | None = None,
                         within_s: float = 120.0) -> bool:
        """Poll ``/readyz`` until the server answers 200; False after ``within_s`` or stop."""
        deadline = time.monotonic() + within_s
        async with self._client() as client:
            while time.monotonic() < deadline and not (stop and stop.is_set()):
                try:
                    if (await client.get("/readyz", timeout=2.0)).status_code == 200:
                        return True
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.25)
        return False

    async def run(self, duration: float | None = None,
                  stop: threading.Event | None = None) -> Stats:
        """Send until ``duration`` simulated seconds (≈ wall seconds) or until ``stop``."""
        self.stats = Stats()
        sim = Simulation(self.devices, self.config, seed=self.seed, start=self.clock.now(),
                         run_id=self.run_id)
        self.simulation = sim
        queue: asyncio.PriorityQueue[tuple[int, int, _Job]] = asyncio.PriorityQueue(
            maxsize=self.concurrency * 4)
        buffers: dict[str, list[Planned]] = {}
        log.info("simulating %d devices of %d stations against %s: %g events/s "
                 "(GPS every %.2g s per unit), seed %d, run %s", self.devices.device_count,
                 len(self.devices.stations), self.url, self.config.rate, sim.gps_interval,
                 self.seed, self.run_id)
        async with self._client() as client:
            workers = [asyncio.create_task(self._worker(client, queue), name=f"sim-send-{i}")
                       for i in range(self.concurrency)]
            try:
                start = time.monotonic()
                next_summary = start + self.summary_every
                last_acked, last_time = 0, start
                while True:
                    now = time.monotonic()
                    target = now - start if duration is None else min(now - start, duration)
                    for event in sim.advance_to(target):
                        if event.batchable:
                            buffers.setdefault(event.key, []).append(event)
                        else:
                            await self._put(queue, [event])
                    await self._flush(queue, buffers, sim.now, everything=False)
                    self.stats.sim_seconds = sim.now
                    if now >= next_summary:
                        rate = (self.stats.acked - last_acked) / max(now - last_time, 1e-9)
                        log.info("simulator: %s; last %.0f s: %.1f events/s, %.1f s behind",
                                 self.stats.line(), now - last_time, rate,
                                 max(0.0, now - start - sim.now))
                        last_acked, last_time = self.stats.acked, now
                        next_summary = now + self.summary_every
                    if (duration is not None and target >= duration) or (stop and stop.is_set()):
                        break
                    await asyncio.sleep(0.05)
                try:
                    await asyncio.wait_for(self._drain(queue, buffers, sim.now), self.drain_s)
                except TimeoutError:
                    log.warning("simulator: %d requests still unanswered after %.0f s; "
                                "giving up on them", queue.qsize(), self.drain_s)
            finally:
                for worker in workers:
                    worker.cancel()
                await asyncio.gather(*workers, return_exceptions=True)
        log.info("simulator stopped: %s", self.stats.line())
        return self.stats

    async def _put(self, queue: asyncio.PriorityQueue[tuple[int, int, _Job]],
                   events: list[Planned]) -> None:
        priority = 0 if events[0].urgent else 1
        await queue.put((priority, next(self._order), _Job(events[0].token, events)))

    async def _flush(self, queue: asyncio.PriorityQueue[tuple[int, int, _Job]],
                     buffers: dict[str, list[Planned]], now: float, *, everything: bool) -> None:
        for key in list(buffers):
            pending = buffers[key]
            while pending and (everything or len(pending) >= self.config.batch_max
                               or now - pending[0].t >= self.config.flush_s):
                chunk, pending[:] = pending[:self.config.batch_max], pending[self.config.batch_max:]
                await self._put(queue, chunk)
            if not pending:
                del buffers[key]

    async def _drain(self, queue: asyncio.PriorityQueue[tuple[int, int, _Job]],
                     buffers: dict[str, list[Planned]], now: float) -> None:
        await self._flush(queue, buffers, now, everything=True)
        await queue.join()

    async def _worker(self, client: httpx.AsyncClient,
                      queue: asyncio.PriorityQueue[tuple[int, int, _Job]]) -> None:
        while True:
            _, _, job = await queue.get()
            try:
                await self._send(client, job)
            except Exception:  # a bug here must not silently stop a sender
                log.exception("simulator: sending %d events failed", len(job.events))
                self.stats.errors += len(job.events)
            finally:
                queue.task_done()

    async def _send(self, client: httpx.AsyncClient, job: _Job) -> None:
        n = len(job.events)
        citizen = job.events[0].kind == CITIZEN_REPORT  # a phone: the public API, no token
        if citizen:
            version = await self._consent_version(client)
            if version is None:
                self._refused(job, "the public catalog did not answer")
                return
            path, ok = citizens.REPORTS, 201
            body = {**job.events[0].body, "consent": {"purposes": ["report"],
                                                      "version": version}}
        elif n == 1:
            path, body, ok = INTAKE, job.events[0].body, 200
        else:
            path, body, ok = f"{INTAKE}/batch", {"events": [e.body for e in job.events]}, 200
        headers = {} if citizen else {"Authorization": f"Bearer {job.token}"}
        self.stats.sent += n
        for attempt in range(1, self.max_attempts + 1):
            self.stats.requests += 1
            try:
                response = await client.post(path, json=body, headers=headers)
            except httpx.TransportError as err:
                if attempt == self.max_attempts:
                    self._refused(job, f"{type(err).__name__}: {err}")
                    return
            else:
                if response.status_code == ok:
                    self._acked(job, replayed=response.headers.get("idempotent-replayed")
                                == "true")
                    return
                if response.status_code not in RETRY_STATUS or attempt == self.max_attempts:
                    self._refused(job, f"HTTP {response.status_code} {response.text[:300]}")
                    return
            self.stats.retries += 1
            await asyncio.sleep(min(4.0, 0.25 * 2 ** (attempt - 1))
                                * (0.5 + self._backoff.random()))

    async def _consent_version(self, client: httpx.AsyncClient) -> str | None:
        """Read once from the catalog, as the public app does before it asks for consent."""
        if self._consent is None:
            try:
                response = await client.get(citizens.CATALOG)
                if response.status_code == 200:
                    self._consent = citizens.consent_version(response.json())
            except (httpx.TransportError, KeyError, StopIteration, ValueError) as err:
                log.warning("simulator: reading the public catalog failed: %s", err)
        return self._consent

    def _acked(self, job: _Job, *, replayed: bool) -> None:
        self.stats.acked += len(job.events)
        if replayed:
            self.stats.replayed += len(job.events)
        for event in job.events:
            self.stats.by_kind[event.kind] += 1
            location = event.body.get("location")
            if event.kind == "gps.position" and location:
                seen = self.stats.last_fix.get(event.key)
                if seen is None or seen[0] < event.t:
                    self.stats.last_fix[event.key] = (event.t, location["lat"], location["lon"])

    def _refused(self, job: _Job, why: str) -> None:
        self.stats.errors += len(job.events)
        self._refusals += 1
        if self._refusals <= 10 or self._refusals % 1000 == 0:
            log.warning("simulator: %d %s event(s) from %s not accepted (%d so far): %s",
                        len(job.events), job.events[0].kind, job.events[0].key,
                        self._refusals, why)


class BackgroundSimulator:
    """A simulator on its own thread and event loop, for ``ssz demo`` and tests.

    It waits for the server's ``/readyz`` first; ``stop()`` asks it to finish what is in
    flight (bounded by the simulator's ``drain_s``) and waits for the thread.
    """

    def __init__(self, simulator: Simulator, *, duration: float | None = None,
                 wait_ready_s: float = 120.0) -> None:
        self.simulator = simulator
        self._duration = duration
        self._wait_ready_s = wait_ready_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.error: BaseException | None = None

    @property
    def stats(self) -> Stats:
        return self.simulator.stats

    def start(self) -> None:
        self._thread = threading.Thread(target=self._main, name="ssz-simulator", daemon=True)
        self._thread.start()

    def _main(self) -> None:
        try:
            asyncio.run(self._amain())
        except Exception as err:
            self.error = err
            log.exception("simulator stopped on an error")

    async def _amain(self) -> None:
        if not await self.simulator.wait_ready(self._stop, self._wait_ready_s):
            if not self._stop.is_set():
                log.warning("simulator: %s did not become ready; not simulating",
                            self.simulator.url)
            return
        await self.simulator.run(duration=self._duration, stop=self._stop)

    def request_stop(self) -> None:
        self._stop.set()

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the thread; True when it has ended."""
        if self._thread is not None:
            self._thread.join(timeout)
            return not self._thread.is_alive()
        return True

    def stop(self, timeout: float = 15.0) -> bool:
        self.request_stop()
        return self.join(timeout)
