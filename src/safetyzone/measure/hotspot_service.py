"""Hotspots of one station: reads its records (``measure.points``), runs the statistics
(``measure.hotspots``) and shapes map layers and tables. No HTTP here; the routes in
``web/routes/hotspots.py`` only translate.

Reads change nothing and are not audited (like the incident search): the answers are
aggregates over cells, not single incidents.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import h3  # type: ignore[import-untyped]
import numpy as np
from sqlalchemy.orm import Session

from safetyzone.core.clock import Clock
from safetyzone.core.errors import InvalidInput, Problem
from safetyzone.core.security import Permission, Scope
from safetyzone.measure import hotspots as hs
from safetyzone.measure.hotspot_schemas import (
    DEFAULT_WINDOW_DAYS,
    MAX_WINDOW_DAYS,
    CellQuery,
    EvaluationRow,
    Feature,
    ForecastOut,
    ForecastQuery,
    H3Query,
    KnoxOut,
    KnoxQuery,
    Layer,
    Summary,
    Window,
)
from safetyzone.measure.points import Point, points
from safetyzone.org import service as org

# Knox compares every pair near in space: more records than this is refused.
MAX_KNOX_POINTS = 20_000
# The KDE layer draws cells above this share of the densest cell.
KDE_FLOOR = 0.02


def _window(session: Session, scope: Scope, clock: Clock, q: Window, until: datetime | None = None
            ) -> tuple[str, datetime, datetime, list[Point]]:
    scope.require(Permission.OPS_READ)
    end = until or q.until or clock.now()
    start = q.since or end - timedelta(days=DEFAULT_WINDOW_DAYS)
    if start >= end:
        raise InvalidInput("the window ends before it starts",
                           [Problem("must be after since", "until")])
    if end - start > timedelta(days=MAX_WINDOW_DAYS):
        raise InvalidInput(f"at most {MAX_WINDOW_DAYS} days in one request",
                           [Problem("window too long", "since")])
    station = org.get_station(session, scope=scope, code=q.station_code)
    found = points(session, scope=scope, station_id=station.id, since=start, until=end)
    return station.code, start, end, found


def _arrays(found: list[Point]) -> tuple[hs.Floats, hs.Floats]:
    lat = np.fromiter((p.lat for p in found), dtype=np.float64, count=len(found))
    lon = np.fromiter((p.lon for p in found), dtype=np.float64, count=len(found))
    return lat, lon


def _count_labels(labels: list[str]) -> dict[str, int]:
    keys, counts = np.unique(np.asarray(labels, dtype=str), return_counts=True)
    return {str(k): int(c) for k, c in zip(keys, counts, strict=True)}


def cells(session: Session, *, scope: Scope, clock: Clock, q: CellQuery) -> Layer:
    """The station's grid layer by ``q.method``: cells with records, and every significant
    cell (a cold spot may be empty), each with its count and statistic."""
    code, start, end, found = _window(session, scope, clock, q)
    lat, lon = _arrays(found)
    summary = Summary(station_code=code, since=start, until=end, method=q.method,
                      points=len(found), cells=0, cell_m=q.cell_m, alpha=q.alpha)
    if not found:
        return Layer(features=[], summary=summary)
    x, y, epsg = hs.project(lat, lon)
    bandwidth = q.bandwidth_m or max(hs.scott_bandwidth(x, y), float(q.cell_m))
    pad = math.ceil(4 * bandwidth / q.cell_m) if q.method == "kde" else 1
    grid = hs.make_grid(x, y, epsg=epsg, cell_m=q.cell_m, pad_cells=pad)
    counts = grid.counts.ravel()
    summary.cells = grid.n_cells
    props: dict[str, hs.Floats | np.ndarray] = {"count": counts}
    if q.method == "kde":
        density = hs.kde(grid, n=len(found), bandwidth_m=bandwidth).ravel()
        summary.bandwidth_m = round(bandwidth, 1)
        keep = density >= KDE_FLOOR * density.max()
        props["density"] = density / (q.cell_m / 1000) ** 2  # share of records per km²
    elif q.method == "grid":
        keep = counts > 0
    else:
        stat = (hs.gi_star(grid, alpha=q.alpha) if q.method == "gi_star"
                else hs.local_moran(grid, alpha=q.alpha, permutations=q.permutations))
        keep = (counts > 0) | (stat.label != "ns")
        props.update(value=stat.value, z=stat.z, p=stat.p, p_fdr=stat.p_fdr, **{
            "class": stat.label})
        summary.fdr_threshold = stat.fdr_threshold
        summary.classes = _count_labels([str(v) for v in stat.label])
    index = np.flatnonzero(keep)
    rings = grid.polygons(index)
    features = [Feature(geometry={"type": "Polygon", "coordinates": [ring]}, properties={
        "cell": int(i), **{k: _plain(v[i]) for k, v in props.items()}})
        for i, ring in zip(index, rings, strict=True)]
    return Layer(features=features, summary=summary)


def _plain(value: object) -> object:
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return round(float(value), 8)
    return str(value)


def h3_cells(session: Session, *, scope: Scope, clock: Clock, q: H3Query) -> Layer:
    """Records per H3 cell at ``q.resolution``, as hexagons."""
    code, start, end, found = _window(session, scope, clock, q)
    lat, lon = _arrays(found)
    counted = hs.h3_counts(lat, lon, q.resolution) if found else {}
    features = []
    for cell, n in counted.items():
        ring = [[round(b, 6), round(a, 6)] for a, b in h3.cell_to_boundary(cell)]
        features.append(Feature(geometry={"type": "Polygon", "coordinates": [
            [*ring, ring[0]]]}, properties={"cell": cell, "count": n}))
    return Layer(features=features, summary=Summary(
        station_code=code, since=start, until=end, method="h3", points=len(found),
        cells=len(counted), resolution=q.resolution))


def knox(session: Session, *, scope: Scope, clock: Clock, q: KnoxQuery) -> KnoxOut:
    """The Knox near-repeat test over the station's records in the window."""
    code, start, end, found = _window(session, scope, clock, q)
    if len(found) > MAX_KNOX_POINTS:
        raise InvalidInput(f"{len(found)} records, the Knox test takes at most "
                           f"{MAX_KNOX_POINTS}", [Problem("narrow the time window", "since")])
    lat, lon = _arrays(found)
    x, y, _ = hs.project(lat, lon)
    t = np.fromiter(((p.time - start).total_seconds() / 86400 for p in found), dtype=np.float64,
                    count=len(found))
    r = hs.knox(x, y, t, distance_m=q.distance_m, days=q.days, permutations=q.permutations)
    return KnoxOut(station_code=code, since=start, until=end, points=len(found),
                   distance_m=q.distance_m, days=q.days, pairs=r.pairs,
                   expected=round(r.expected, 4),
                   ratio=None if math.isnan(r.ratio) else round(r.ratio, 4), p_sim=r.p_sim,
                   p_poisson=r.p_norm, permutations=r.permutations)


def forecast(session: Session, *, scope: Scope, clock: Clock, q: ForecastQuery) -> ForecastOut:
    """Cells flagged on [since, split) judged on [split, until) by PAI and PEI: the top
    ``area_pct`` % of cells by training counts, by training KDE, and the training Gi* hot
    cells (whatever their share). The grid covers both windows' records."""
    end = q.until or clock.now()
    if not (q.since and q.since < q.split < end):
        raise InvalidInput("since < split < until", [Problem("must lie inside the window",
                                                             "split")])
    code, start, end, found = _window(session, scope, clock, q, until=end)
    lat, lon = _arrays(found)
    if not found:
        raise InvalidInput("no records in the window", [Problem("no points", "since")])
    x, y, epsg = hs.project(lat, lon)
    train = np.fromiter((p.time < q.split for p in found), dtype=bool, count=len(found))
    grid = hs.make_grid(x, y, epsg=epsg, cell_m=q.cell_m)
    fitted = grid.count(x[train], y[train])
    tested = grid.count(x[~train], y[~train])
    share = q.area_pct / 100
    fitted_grid = hs.Grid(grid.epsg, grid.x0, grid.y0, grid.cell_m, grid.nx, grid.ny, fitted)
    bandwidth = max(hs.scott_bandwidth(x[train], y[train]), float(q.cell_m))
    density = hs.kde(fitted_grid, n=int(train.sum()), bandwidth_m=bandwidth)
    hot = hs.gi_star(fitted_grid, alpha=q.alpha).label == "hot"
    rows = [hs.pai_pei(hs.top_cells(fitted.astype(np.float64), share), tested, "counts"),
            hs.pai_pei(hs.top_cells(density, share), tested, "kde"),
            hs.pai_pei(hot, tested, "gi_star")]
    return ForecastOut(
        station_code=code, since=start, split=q.split, until=end,
        train_points=int(train.sum()), test_points=int((~train).sum()), cell_m=q.cell_m,
        rows=[EvaluationRow(method=r.method, cells=r.cells, total_cells=r.total_cells,
                            area_share=round(r.area_share, 6), hits=r.hits,
                            test_total=r.test_total, best_hits=r.best_hits, pai=r.pai,
                            pei=r.pei) for r in rows])
