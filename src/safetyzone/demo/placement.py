"""Deterministic synthetic positions inside a zone, for assets the seeds count but never place."""

from __future__ import annotations

import random
from typing import Any

from shapely.geometry import Point, shape


class Placer:
    """Scatter points inside a polygon; the same zone code always gives the same points."""

    def __init__(self, boundary: dict[str, Any], seed: str) -> None:
        self._polygon = shape(boundary).buffer(-0.0002)  # keep ~20 m off the edge
        self._rng = random.Random(seed)  # noqa: S311 - layout, not security
        self._bounds = self._polygon.bounds

    def point(self) -> tuple[float, float]:
        """A (lat, lon) inside the polygon."""
        min_x, min_y, max_x, max_y = self._bounds
        while True:
            lon = self._rng.uniform(min_x, max_x)
            lat = self._rng.uniform(min_y, max_y)
            if self._polygon.contains(Point(lon, lat)):
                return round(lat, 6), round(lon, 6)

    def near(self, lat: float, lon: float, metres: float = 25) -> tuple[float, float]:
        """A point a few metres from another, for the cameras on one pole."""
        d = metres / 111_000
        for _ in range(20):
            cand = (lat + self._rng.uniform(-d, d), lon + self._rng.uniform(-d, d))
            if self._polygon.contains(Point(cand[1], cand[0])):
                return round(cand[0], 6), round(cand[1], 6)
        return lat, lon

    def heading(self) -> float:
        return float(self._rng.randrange(0, 360, 15))
