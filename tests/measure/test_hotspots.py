"""The hotspot statistics against the reference libraries: our wrapping (projection, lattice
numbering, weights, which p goes into the false-discovery-rate correction) must give the
libraries' own numbers, find a planted cluster and find nothing in noise."""

from __future__ import annotations

import math

import esda
import geopandas
import h3
import libpysal
import numpy as np
import pytest
from pointpats.spacetime import Knox
from scipy import stats

from safetyzone.core.errors import InvalidInput
from safetyzone.measure import hotspots as hs

LAT, LON = 16.8211, 100.2659  # Mueang Phitsanulok


def planted(seed: int, noise: int = 2000, cluster: int = 200) -> tuple[np.ndarray, np.ndarray]:
    """Uniform noise over about 8 x 8 km plus a tight cluster 1.5 km north-east of centre."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 8000, noise)
    y = rng.uniform(0, 8000, noise)
    if cluster:
        x = np.r_[x, rng.normal(5500, 80, cluster)]
        y = np.r_[y, rng.normal(5500, 80, cluster)]
    return x + 600_000, y + 1_860_000


def test_projection_measures_metres() -> None:
    # 0.01 degree of latitude is 1,106 m at 17 N; the grid must see that distance.
    x, y, epsg = hs.project(np.array([LAT, LAT + 0.01]), np.array([LON, LON]))
    assert epsg == 32647
    assert math.hypot(x[1] - x[0], y[1] - y[0]) == pytest.approx(1106.5, abs=2)


def test_grid_counts_known_points() -> None:
    x = np.array([10.0, 20.0, 260.0, 260.0, 740.0])
    y = np.array([10.0, 240.0, 10.0, 12.0, 499.0])
    grid = hs.make_grid(x, y, epsg=32647, cell_m=250, pad_cells=0)
    assert (grid.nx, grid.ny) == (3, 2)
    assert grid.counts.tolist() == [[2, 2, 0], [0, 0, 1]]  # row 0 is the south
    assert grid.count(np.array([-1.0]), np.array([5.0])).sum() == 0  # outside: not counted
    padded = hs.make_grid(x, y, epsg=32647, cell_m=250)
    assert (padded.nx, padded.ny, int(padded.counts.sum())) == (5, 4, 5)
    assert padded.counts[1, 1] == 2
    ring = padded.polygons(np.array([0]))[0]
    assert ring[0] == ring[-1] and len(ring) == 5


def test_grid_refuses_too_many_cells() -> None:
    x, y = planted(1)
    with pytest.raises(InvalidInput, match="cells"):
        hs.make_grid(x, y, epsg=32647, cell_m=10)


def test_h3_counts_known_points() -> None:
    lat = np.array([LAT, LAT + 1e-6, LAT + 0.05])
    lon = np.array([LON, LON, LON])
    counted = hs.h3_counts(lat, lon, 9)
    assert counted == {h3.latlng_to_cell(LAT, LON, 9): 2,
                       h3.latlng_to_cell(LAT + 0.05, LON, 9): 1}
    with pytest.raises(InvalidInput):
        hs.h3_counts(lat, lon, 16)


def test_kde_integrates_to_one_and_matches_scipy() -> None:
    rng = np.random.default_rng(7)
    x = rng.normal(0, 500, 3000) + 600_000
    y = rng.normal(0, 500, 3000) + 1_860_000
    h = hs.scott_bandwidth(x, y)
    assert h == pytest.approx(500 * 3000 ** (-1 / 6), rel=0.05)
    grid = hs.make_grid(x, y, epsg=32647, cell_m=50, pad_cells=math.ceil(4 * h / 50))
    share = hs.kde(grid, n=len(x), bandwidth_m=h)
    assert share.sum() == pytest.approx(1, abs=0.01)
    # SciPy's exact KDE at the cell centres, its factor set to the same bandwidth (the data
    # are isotropic, so its covariance is about h^2 I).
    sigma = math.sqrt((np.var(x) + np.var(y)) / 2)
    reference = stats.gaussian_kde(np.vstack([x, y]), bw_method=h / sigma)
    cx = grid.x0 + (np.arange(grid.nx) + 0.5) * grid.cell_m
    cy = grid.y0 + (np.arange(grid.ny) + 0.5) * grid.cell_m
    gx, gy = np.meshgrid(cx, cy)
    exact = reference(np.vstack([gx.ravel(), gy.ravel()])).reshape(grid.ny, grid.nx) * 50**2
    assert np.abs(share - exact).sum() < 0.02  # binned vs exact: under 2 % of the mass


def test_gi_star_is_esda_on_our_lattice_and_finds_the_planted_cluster() -> None:
    x, y = planted(3)
    grid = hs.make_grid(x, y, epsg=32647, cell_m=250)
    ours = hs.gi_star(grid, alpha=0.05)
    w = libpysal.weights.lat2W(grid.ny, grid.nx, rook=False)
    theirs = esda.G_Local(grid.counts.ravel().astype(float), w, transform="B", star=True,
                          permutations=0)
    np.testing.assert_allclose(ours.z, theirs.Zs)
    np.testing.assert_allclose(ours.p, 2 * theirs.p_norm)
    # The BH-adjusted p and esda's FDR threshold agree on which cells are significant.
    assert np.array_equal(ours.p_fdr <= 0.05, ours.p <= ours.fdr_threshold)
    # The hot cells are where the cluster was planted (the lattice numbering is right).
    hot = np.flatnonzero(ours.label == "hot")
    assert len(hot) >= 1
    row, col = np.divmod(hot, grid.nx)
    cx = grid.x0 + (col + 0.5) * grid.cell_m - 600_000
    cy = grid.y0 + (row + 0.5) * grid.cell_m - 1_860_000
    assert np.all(np.hypot(cx - 5500, cy - 5500) < 600)


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_noise_has_no_hotspot_after_fdr(seed: int) -> None:
    x, y = planted(seed, noise=3000, cluster=0)
    grid = hs.make_grid(x, y, epsg=32647, cell_m=400)
    gi = hs.gi_star(grid)
    assert set(gi.label.tolist()) == {"ns"}
    assert (gi.p < 0.05).any()  # uncorrected, noise "finds" spots: the correction matters
    moran = hs.local_moran(grid, permutations=199, seed=seed)
    assert set(moran.label.tolist()) == {"ns"}


def test_local_moran_is_esda_and_labels_the_cluster_hh() -> None:
    x, y = planted(5)
    grid = hs.make_grid(x, y, epsg=32647, cell_m=250)
    ours = hs.local_moran(grid, permutations=199, seed=1)
    w = libpysal.weights.lat2W(grid.ny, grid.nx, rook=False)
    theirs = esda.Moran_Local(grid.counts.ravel().astype(float), w, transformation="r",
                              permutations=199, seed=1)
    np.testing.assert_allclose(ours.value, theirs.Is)
    np.testing.assert_allclose(ours.p, 2 * theirs.p_z_sim)
    assert np.array_equal(ours.p_fdr <= 0.05, ours.p <= ours.fdr_threshold)
    hh = np.flatnonzero(ours.label == "HH")
    assert len(hh) >= 1 and set(theirs.q[hh].tolist()) == {1}
    row, col = np.divmod(hh, grid.nx)
    cx = grid.x0 + (col + 0.5) * grid.cell_m - 600_000
    cy = grid.y0 + (row + 0.5) * grid.cell_m - 1_860_000
    assert np.all(np.hypot(cx - 5500, cy - 5500) < 800)


def test_bh_is_benjamini_hochberg() -> None:
    p = np.array([0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216])
    adjusted = hs.bh(p)
    # By hand: p_(i) * m / i, then the running minimum from the largest.
    m = len(p)
    by_hand = np.minimum.accumulate((p * m / np.arange(1, m + 1))[::-1])[::-1]
    np.testing.assert_allclose(adjusted, np.minimum(by_hand, 1))
    # esda.fdr answers the cut-off alpha * k / m: raw p at or below it is significant.
    assert esda.fdr(p, 0.05) == pytest.approx(0.05 * 2 / 10)
    assert (adjusted <= 0.05).sum() == (p <= esda.fdr(p, 0.05)).sum() == 2


def test_permutations_and_work_are_capped() -> None:
    grid = hs.make_grid(*planted(1), epsg=32647, cell_m=250)
    with pytest.raises(InvalidInput):
        hs.local_moran(grid, permutations=1000)
    with pytest.raises(InvalidInput):
        hs.local_moran(grid, permutations=0)
    big = hs.make_grid(*planted(1), epsg=32647, cell_m=20)
    with pytest.raises(InvalidInput, match="too much work"):
        hs.local_moran(big, permutations=999)


def test_knox_on_the_bundled_burkitt_data_is_pointpats() -> None:
    # libpysal ships burkitt inside its wheel: no download. Figures from pointpats' docs.
    df = geopandas.read_file(libpysal.examples.get_path("burkitt.shp"))
    result = hs.knox(df.X.to_numpy(float), df.Y.to_numpy(float), df["T"].to_numpy(float),
                     distance_m=20, days=5, permutations=99)
    assert result.pairs == 13
    assert result.p_norm == pytest.approx(0.14624558197140414)
    assert result.expected == pytest.approx(10.1438161, rel=1e-6)
    np.random.seed(0)
    again = Knox(df[["X", "Y"]].to_numpy(float), df[["T"]].to_numpy(float), delta=20, tau=5,
                 permutations=99)
    assert again.p_sim == result.p_sim  # the same seed, the same draws


def test_knox_finds_planted_near_repeats_not_random_ones() -> None:
    rng = np.random.default_rng(2)
    n = 300
    x, y = rng.uniform(0, 10_000, n), rng.uniform(0, 10_000, n)
    t = rng.uniform(0, 365, n)
    # Each of 60 first events is followed by a repeat within 100 m and 3 days.
    first = rng.choice(n, 60, replace=False)
    xr = np.r_[x, x[first] + rng.uniform(-70, 70, 60)]
    yr = np.r_[y, y[first] + rng.uniform(-70, 70, 60)]
    tr = np.r_[t, t[first] + rng.uniform(0, 3, 60)]
    near = hs.knox(xr, yr, tr, distance_m=200, days=7, permutations=199)
    assert near.ratio > 2 and near.p_sim <= 0.01
    x2, y2, t2 = rng.uniform(0, 10_000, n + 60), rng.uniform(0, 10_000, n + 60), rng.uniform(
        0, 365, n + 60)
    random = hs.knox(x2, y2, t2, distance_m=200, days=7, permutations=199)
    assert random.p_sim > 0.05


def test_pai_pei_arithmetic() -> None:
    test = np.array([[5, 0, 1, 0], [0, 2, 0, 0], [0, 0, 0, 2]])  # 10 records, 12 cells
    chosen = np.zeros(12, dtype=bool)
    chosen[[2, 5]] = True  # 1 + 2 = 3 hits in 2 cells
    r = hs.pai_pei(chosen, test, "x")
    assert (r.hits, r.test_total, r.cells, r.total_cells, r.best_hits) == (3, 10, 2, 12, 7)
    assert r.pai == pytest.approx((3 / 10) / (2 / 12))  # 1.8
    assert r.pei == pytest.approx(3 / 7)  # PAI / PAI*, PAI* = (7/10)/(2/12)
    assert hs.pai_pei(chosen, np.zeros((3, 4), dtype=np.int64), "x").pai is None
    assert hs.top_cells(np.array([1.0, 3.0, 3.0, 0.0]), 0.5).tolist() == [False, True, True,
                                                                          False]
