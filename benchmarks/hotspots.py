"""Hotspot analysis of 1,000,000 records of one station, against a plain numpy baseline and
the reference library, in the same run.

    .venv/bin/python benchmarks/hotspots.py [--points N] [--cell M] [--json PATH]

The points: a station of about 30 x 30 km around Mueang Phitsanulok, 80 % uniform
background and 20 % in 40 Gaussian clusters (sd 150 m), fixed seed. Phases, each timed:

* **baseline**: ``np.histogram2d`` of already-projected metres into the same cells (the least
  any grid count can cost);
* **ours**: the pipeline the routes run: lat/lon -> UTM (pyproj) -> grid counts
  (``measure.hotspots.make_grid``) -> Gi* with BH false-discovery rate (``gi_star``);
* **reference**: ``esda.G_Local(star=True)`` alone on the same counts and weights (what the
  statistic itself costs in PySAL), and local Moran's I with 99 permutations (capped
  grids only: ``MAX_WORK``);
* H3 counts at resolution 9 (``h3.latlng_to_cell`` per point).

Prints a table, then the figures as JSON on the last line. Not a test: asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import esda
import numpy as np

from safetyzone.measure import hotspots as hs


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--cell", type=int, default=250)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    rng = np.random.default_rng(2024)
    n = args.points
    n_bg = int(n * 0.8)
    lat = 16.82 + rng.uniform(-0.135, 0.135, n_bg)
    lon = 100.26 + rng.uniform(-0.14, 0.14, n_bg)
    centres = rng.uniform(-0.12, 0.12, (40, 2))
    which = rng.integers(0, 40, n - n_bg)
    lat = np.r_[lat, 16.82 + centres[which, 0] + rng.normal(0, 0.00135, n - n_bg)]
    lon = np.r_[lon, 100.26 + centres[which, 1] + rng.normal(0, 0.0014, n - n_bg)]

    t_proj, (x, y, epsg) = timed(lambda: hs.project(lat, lon))
    t_grid, grid = timed(lambda: hs.make_grid(x, y, epsg=epsg, cell_m=args.cell))
    t_gi, gi = timed(lambda: hs.gi_star(grid))
    ours = t_proj + t_grid + t_gi
    edges_x = grid.x0 + np.arange(grid.nx + 1) * grid.cell_m
    edges_y = grid.y0 + np.arange(grid.ny + 1) * grid.cell_m
    t_hist, (hist, _, _) = timed(lambda: np.histogram2d(y, x, bins=[edges_y, edges_x]))
    assert int(hist.sum()) == int(grid.counts.sum())  # the same cells, the same counts
    weights = hs.lattice_weights(grid)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t_ref, _ = timed(lambda: esda.G_Local(grid.counts.ravel().astype(float), weights,
                                              transform="B", star=True, permutations=0))
    moran_grid = hs.make_grid(x, y, epsg=epsg, cell_m=max(args.cell, 500))
    t_moran, moran = timed(lambda: hs.local_moran(moran_grid, permutations=99))
    t_h3, cells = timed(lambda: hs.h3_counts(lat, lon, 9))
    figures = {
        "points": n, "cells": grid.n_cells, "cell_m": args.cell,
        "project_s": round(t_proj, 3), "grid_s": round(t_grid, 3), "gi_star_s": round(t_gi, 3),
        "ours_total_s": round(ours, 3), "numpy_histogram2d_s": round(t_hist, 3),
        "grid_vs_histogram2d": round(t_grid / t_hist, 2),
        "ours_total_vs_histogram2d": round(ours / t_hist, 2),
        "esda_g_local_s": round(t_ref, 3), "gi_star_vs_esda": round(t_gi / t_ref, 2),
        "hot_cells": int((gi.label == "hot").sum()),
        "moran_cells": moran_grid.n_cells, "moran_99_s": round(t_moran, 3),
        "moran_hh": int((moran.label == "HH").sum()),
        "h3_res9_s": round(t_h3, 3), "h3_cells": len(cells),
    }
    for key, value in figures.items():
        print(f"{key:28} {value}")
    line = json.dumps(figures)
    if args.json:
        args.json.write_text(line + "\n")
    print(line)


if __name__ == "__main__":
    main()
