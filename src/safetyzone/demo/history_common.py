"""What the demo history's parts share: each station's profile (how busy, how fast, how
safe its people feel: invented, and different per station so the scorecard has a spread),
the station with its zone and where things cluster, the marks that say "demo data", and
the random draws (a fixed seed per station and part).

Nothing here is a seed fact: every figure below is made up for the demo (docs/measure/
demo-history.md).
"""

from __future__ import annotations

import math
import random
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

import shapely
from shapely.geometry import Point, shape

from safetyzone.core.clock import BANGKOK

SEED = "ssz-demo-history/1"
ACTOR = "demo-history"  # who the synthetic acts are written as
MARK_TH, MARK_EN = "(ข้อมูลสาธิต)", "(demo data)"
MARK = f"{MARK_TH} {MARK_EN}"
METRES_PER_DEGREE = 111_320.0


@dataclass(frozen=True)
class Profile:
    """One station's invented character over the period."""

    incidents_per_day: float
    kinds: dict[str, float]  # call type (ops.calltypes) -> weight
    p1_median_min: float  # minutes from opening to the first unit on scene, P1
    camera_down: float  # share of cameras offline or frozen now
    presence_hours: float  # unit-hours of patrol seen per day
    compliance: float  # share of plan targets that get what the plan asks
    reports_per_day: float
    report_median_h: float  # hours from a citizen's report to its closing
    fear: float  # share feeling unsafe after dark (People Poll)
    worry: float  # share very or extremely worried about burglary
    confidence: float  # share with a lot of or complete confidence in police
    answers: int  # People Poll answers in the wave


# By station code; a station with a zone but no profile here gets DEFAULT.
PROFILES: dict[str, Profile] = {
    # A floating market in Bangkok: busy weekends, petty theft, noise; a quick response and
    # most cameras up, but reports wait for the district office.
    "MPB-PHASI-CHAROEN": Profile(
        6.0, {"theft": 5, "disturbance": 3, "fight": 2, "traffic_accident": 2,
              "assault": 1, "suspicious": 2, "robbery": 0.5, "assistance": 1.5},
        6.5, 0.03, 30.0, 0.80, 1.0, 62.0, 0.36, 0.33, 0.58, 96),
    # A provincial city centre: the busiest, fights and youths racing at night.
    "PPR2-MUEANG-RAYONG": Profile(
        9.0, {"theft": 4, "fight": 3, "youths_gathering": 3, "traffic_accident": 3,
              "assault": 1.5, "drugs": 1.5, "robbery": 0.8, "domestic_violence": 0.7,
              "disturbance": 2},
        9.5, 0.08, 22.0, 0.74, 1.4, 40.0, 0.44, 0.52, 0.51, 118),
    # A market community: burglary and drugs, a slower response over a larger area, the
    # plans kept and people the least afraid.
    "PPR6-MUEANG-PHITSANULOK": Profile(
        5.0, {"theft": 3, "burglary": 2.5, "youths_gathering": 2, "drugs": 1.5,
              "assault": 1, "traffic_accident": 1.5, "domestic_violence": 0.6,
              "assistance": 1},
        11.0, 0.05, 18.0, 0.90, 0.8, 70.0, 0.27, 0.41, 0.68, 74),
    # A rural district town of phase 2: few incidents, far to drive, fewer cameras up; the
    # few reports are closed fast.
    "PPR1-MUEANG-ANG-THONG": Profile(
        3.0, {"theft": 2, "burglary": 2, "traffic_accident": 2, "disturbance": 1,
              "assault": 0.8, "fight": 1, "robbery": 0.4},
        14.5, 0.12, 9.0, 0.62, 0.4, 34.0, 0.52, 0.28, 0.44, 43),
}
DEFAULT = Profile(4.0, {"theft": 3, "fight": 1, "traffic_accident": 1, "assault": 1}, 10.0,
                  0.06, 15.0, 0.75, 0.6, 60.0, 0.40, 0.40, 0.55, 60)

# Bangkok hour (0-23) and weekday (Monday first) weights of incidents: evenings and
# weekends are busier, the small hours quiet.
HOURS = (2.0, 1.5, 1.0, 0.6, 0.4, 0.4, 0.6, 0.9, 1.1, 1.2, 1.3, 1.4, 1.5, 1.4, 1.4, 1.5, 1.7,
         2.0, 2.4, 2.7, 3.0, 3.0, 2.7, 2.4)
WEEKDAYS = (0.9, 0.9, 0.95, 1.0, 1.2, 1.35, 1.1)


@dataclass(frozen=True)
class Cluster:
    """Where a share of the zone's incidents happen: around one of its risk spots."""

    lat: float
    lon: float
    sigma_m: float
    share: float
    name_th: str
    name_en: str


@dataclass(frozen=True)
class Operator:
    id: uuid.UUID
    username: str
    display_name: str
    role: str


@dataclass
class Site:
    """One station with its zone, over the period [since, until)."""

    station_id: uuid.UUID
    station_code: str
    zone_id: uuid.UUID
    zone_code: str
    boundary: dict[str, Any]
    profile: Profile
    since: datetime
    until: datetime
    units: list[tuple[uuid.UUID, str]]  # the zone's patrol units: id, callsign
    clusters: list[Cluster] = field(default_factory=list)
    operator: Operator | None = None

    def __post_init__(self) -> None:
        self._polygon = shape(self.boundary).buffer(-0.0002)  # ~20 m off the edge
        shapely.prepare(self._polygon)

    def rng(self, part: str) -> random.Random:
        return random.Random(f"{SEED}/{self.station_code}/{part}")  # noqa: S311 - demo data

    def inside(self, lat: float, lon: float) -> bool:
        return bool(self._polygon.contains(Point(lon, lat)))

    def anywhere(self, rng: random.Random) -> tuple[float, float]:
        min_x, min_y, max_x, max_y = self._polygon.bounds
        while True:
            lat, lon = rng.uniform(min_y, max_y), rng.uniform(min_x, max_x)
            if self.inside(lat, lon):
                return round(lat, 6), round(lon, 6)

    def near(self, rng: random.Random, cluster: Cluster) -> tuple[float, float]:
        for _ in range(30):
            dy, dx = rng.gauss(0, cluster.sigma_m), rng.gauss(0, cluster.sigma_m)
            lat = cluster.lat + dy / METRES_PER_DEGREE
            lon = cluster.lon + dx / (METRES_PER_DEGREE * math.cos(math.radians(cluster.lat)))
            if self.inside(lat, lon):
                return round(lat, 6), round(lon, 6)
        return self.anywhere(rng)

    def place(self, rng: random.Random) -> tuple[float, float, Cluster | None]:
        """A position in the zone: around a cluster for its share, else anywhere."""
        draw = rng.random()
        for cluster in self.clusters:
            if draw < cluster.share:
                return (*self.near(rng, cluster), cluster)
            draw -= cluster.share
        return (*self.anywhere(rng), None)


class At:
    """A clock stopped at one past moment: what a service is given to act then."""

    def __init__(self, moment: datetime) -> None:
        self._moment = moment

    def now(self) -> datetime:
        return self._moment


def bangkok_days(since: datetime, until: datetime) -> list[date]:
    """The Bangkok calendar days [since, until) touches."""
    first = since.astimezone(BANGKOK).date()
    last = (until - timedelta(microseconds=1)).astimezone(BANGKOK).date()
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def local(day: date, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    """A Bangkok wall-clock time as an aware datetime (stored as UTC by the columns)."""
    return datetime.combine(day, time(hour, minute, second), tzinfo=BANGKOK)


def poisson(rng: random.Random, lam: float) -> int:
    """A Poisson draw (Knuth's method: the daily counts here are small)."""
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def lognormal(rng: random.Random, median: float, sigma: float) -> float:
    """A right-skewed duration around ``median`` (times to respond, to close)."""
    return median * math.exp(rng.gauss(0.0, sigma))


def weighted(rng: random.Random, weights: Mapping[str, float]) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]
