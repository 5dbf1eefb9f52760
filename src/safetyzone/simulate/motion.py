"""How a simulated patrol unit moves: legs inside its zone polygon at street speeds, stops
and visits, and the GPS fixes it reports (a slowly wandering error that never puts a fix
outside the zone). Pure geometry and a seeded random generator: no clock, no I/O.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from shapely.geometry import LineString, MultiPolygon, Point, Polygon, shape
from shapely.ops import nearest_points

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
