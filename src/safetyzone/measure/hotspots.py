"""Hotspot statistics on points: grid and H3 counts, kernel density, Getis-Ord Gi*, local
Moran's I, the Knox near-repeat test, and PAI/PEI of a forecast on a later window.

Pure functions on numpy arrays, no database: ``measure.points`` reads the records and
``measure.hotspot_service`` ties both to a station. The statistics are the field's own
(PySAL's ``esda``, ``libpysal`` and ``pointpats``, SciPy's Benjamini-Hochberg): what lives here
is the wrapping they need, which is where mistakes hide — the projection to metres, the
lattice and its weights, which p-value goes into the false-discovery-rate correction.
See docs/measure/hotspots.md.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from functools import cache

import esda
import h3  # type: ignore[import-untyped]
import numpy as np
import numpy.typing as npt
from libpysal.weights import W, lat2W
from pointpats.spacetime import Knox
from pyproj import Transformer
from scipy import ndimage, stats

from safetyzone.core.errors import InvalidInput, Problem
from safetyzone.core.geo import utm_epsg

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]

# A lattice larger than this is refused: the weights and permutations grow with the cells.
MAX_CELLS = 250_000
MAX_PERMUTATIONS = 999
# Cells x permutations one call may draw: about 4 s of one core without numba, and 80 MB of
# simulations that local Moran's I keeps to estimate its z.
MAX_WORK = 10_000_000


@cache
def _transformer(epsg: int, inverse: bool) -> Transformer:
    a, b = ("EPSG:4326", f"EPSG:{epsg}")
    return Transformer.from_crs(b, a, always_xy=True) if inverse else Transformer.from_crs(
        a, b, always_xy=True)


def project(lat: Floats, lon: Floats) -> tuple[Floats, Floats, int]:
    """WGS84 to metres in the UTM zone of the points' median longitude (47N or 48N, as the
    rest of SafetyZone measures). Within one station the UTM scale error is under 0.1 %."""
    epsg = utm_epsg(float(np.median(lon))) if len(lon) else 32647
    x, y = _transformer(epsg, False).transform(np.asarray(lon), np.asarray(lat))
    return np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64), epsg


@dataclass(frozen=True)
class Grid:
    """Square cells of ``cell_m`` metres; ``counts[row, col]`` with row 0 in the south.

    Cells are numbered row-major (``row * nx + col``), the order of ``counts.ravel()`` and of
    libpysal's ``lat2W(ny, nx)``: one numbering for counts, weights and results.
    """

    epsg: int
    x0: float
    y0: float
    cell_m: float
    nx: int
    ny: int
    counts: Ints

    @property
    def n_cells(self) -> int:
        return self.nx * self.ny

    def cell_index(self, x: Floats, y: Floats) -> Ints:
        """The cell of each point, -1 outside the grid."""
        col = np.floor((x - self.x0) / self.cell_m).astype(np.int64)
        row = np.floor((y - self.y0) / self.cell_m).astype(np.int64)
        inside = (col >= 0) & (col < self.nx) & (row >= 0) & (row < self.ny)
        return np.where(inside, row * self.nx + col, -1)

    def count(self, x: Floats, y: Floats) -> Ints:
        """Points per cell on this grid (points outside it are not counted)."""
        idx = self.cell_index(x, y)
        flat = np.bincount(idx[idx >= 0], minlength=self.n_cells)
        return flat.astype(np.int64).reshape(self.ny, self.nx)

    def polygons(self, cells: Ints) -> list[list[list[float]]]:
        """Each cell's outline as a closed GeoJSON ring of [lon, lat]."""
        row, col = np.divmod(np.asarray(cells, dtype=np.int64), self.nx)
        xs = self.x0 + col * self.cell_m
        ys = self.y0 + row * self.cell_m
        cx = np.stack([xs, xs + self.cell_m, xs + self.cell_m, xs, xs], axis=1)
        cy = np.stack([ys, ys, ys + self.cell_m, ys + self.cell_m, ys], axis=1)
        lon, lat = _transformer(self.epsg, True).transform(cx.ravel(), cy.ravel())
        ring = np.stack([np.round(lon, 6), np.round(lat, 6)], axis=1).reshape(-1, 5, 2)
        return [r.tolist() for r in ring]


def make_grid(x: Floats, y: Floats, *, epsg: int, cell_m: float, pad_cells: int = 1,
              bounds: tuple[float, float, float, float] | None = None) -> Grid:
    """A grid over the points' extent (or ``bounds`` = x_min, y_min, x_max, y_max), with
    ``pad_cells`` empty cells around so that edge cells have neighbours, and their counts."""
    if not cell_m > 0:
        raise InvalidInput("the cell size must be positive", [Problem("> 0", "cell_m")])
    if bounds is None:
        if len(x) == 0:
            raise InvalidInput("no records in the window", [Problem("no points", "since")])
        bounds = (float(x.min()), float(y.min()), float(x.max()), float(y.max()))
    x_min, y_min, x_max, y_max = bounds
    x0 = np.floor(x_min / cell_m) * cell_m - pad_cells * cell_m
    y0 = np.floor(y_min / cell_m) * cell_m - pad_cells * cell_m
    nx = int(np.floor((x_max - x0) / cell_m)) + 1 + pad_cells
    ny = int(np.floor((y_max - y0) / cell_m)) + 1 + pad_cells
    if nx * ny > MAX_CELLS:
        raise InvalidInput(f"{nx * ny} cells, at most {MAX_CELLS}: choose larger cells",
                           [Problem("too small for this extent", "cell_m")])
    grid = Grid(epsg, float(x0), float(y0), float(cell_m), nx, ny,
                np.zeros((ny, nx), dtype=np.int64))
    return Grid(epsg, grid.x0, grid.y0, grid.cell_m, nx, ny, grid.count(x, y))


def h3_counts(lat: Floats, lon: Floats, resolution: int) -> dict[str, int]:
    """Points per H3 cell at ``resolution`` (0-15; 9 is about 0.1 km², 8 about 0.7 km²)."""
    if not 0 <= resolution <= 15:
        raise InvalidInput("H3 resolution is 0 to 15", [Problem("0..15", "resolution")])
    cells = [h3.latlng_to_cell(a, o, resolution) for a, o in zip(lat.tolist(), lon.tolist(),
                                                                   strict=True)]
    keys, counts = np.unique(np.asarray(cells, dtype=object), return_counts=True)
    return {str(k): int(c) for k, c in zip(keys, counts, strict=True)}


def scott_bandwidth(x: Floats, y: Floats) -> float:
    """Scott's rule in two dimensions, isotropic: h = sigma * n^(-1/6), sigma the root mean of
    the two variances (SciPy's ``gaussian_kde`` default factor). Tends to over-smooth
    several separate hotspots; pass a bandwidth when the map needs finer detail."""
    n = len(x)
    sigma = float(np.sqrt((np.var(x) + np.var(y)) / 2)) if n > 1 else 0.0
    return sigma * n ** (-1 / 6) if n else 0.0


def kde(grid: Grid, *, n: int, bandwidth_m: float) -> Floats:
    """Kernel density on the grid: a Gaussian kernel of ``bandwidth_m`` applied to the binned
    counts (a binned KDE, linear in points and cells; exact KDE is points x cells). Returns
    the share of the density in each cell (sums to about 1 when the grid reaches 4 bandwidths
    past the points); divide by the cell area for a density per m²."""
    if n == 0:
        return np.zeros(grid.counts.shape)
    sigma = max(bandwidth_m, grid.cell_m / 2) / grid.cell_m
    smooth = ndimage.gaussian_filter(grid.counts.astype(np.float64), sigma=sigma,
                                     mode="constant", truncate=4.0)
    return np.asarray(smooth / n, dtype=np.float64)


def lattice_weights(grid: Grid) -> W:
    """Queen contiguity on the lattice (the 8 surrounding cells), libpysal's ``lat2W``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return lat2W(grid.ny, grid.nx, rook=False)


def bh(p: Floats) -> Floats:
    """Benjamini-Hochberg adjusted p-values (SciPy): a cell is significant at false-discovery
    rate ``alpha`` when its adjusted p is at most ``alpha``; equivalently its raw p is at most
    ``esda.fdr(p, alpha)``."""
    if len(p) == 0:
        return p
    return np.asarray(stats.false_discovery_control(np.clip(p, 0, 1), method="bh"),
                      dtype=np.float64)


@dataclass(frozen=True)
class CellStats:
    """A local statistic for every cell, in the grid's numbering."""

    value: Floats  # Gi*'s G or local Moran's I
    z: Floats
    p: Floats  # the p-value that the false-discovery-rate correction used
    p_fdr: Floats
    label: npt.NDArray[np.str_]  # hot/cold/ns or HH/LL/HL/LH/ns
    fdr_threshold: float  # esda.fdr: the BH cut-off; a raw p at or below it is significant


def _check(permutations: int, alpha: float, cells: int = 0) -> None:
    if not 0 <= permutations <= MAX_PERMUTATIONS:
        raise InvalidInput(f"permutations 0 to {MAX_PERMUTATIONS}",
                           [Problem(f"0..{MAX_PERMUTATIONS}", "permutations")])
    if cells * permutations > MAX_WORK:
        raise InvalidInput(f"{cells} cells x {permutations} permutations is too much work "
                           f"(at most {MAX_WORK:,}): fewer permutations or larger cells",
                           [Problem("too many for this grid", "permutations")])
    if not 0 < alpha < 1:
        raise InvalidInput("alpha between 0 and 1", [Problem("0 < alpha < 1", "alpha")])


def _flat(grid: Grid) -> Floats | None:
    y = grid.counts.ravel().astype(np.float64)
    return None if np.all(y == y[0]) else y


def gi_star(grid: Grid, *, alpha: float = 0.05, permutations: int = 0, seed: int = 0
            ) -> CellStats:
    """Getis-Ord Gi* (``esda.G_Local(star=True)``, binary queen weights with the cell itself)
    of the counts. Inference is analytical: p is two-sided from Gi*'s z (as ArcGIS's Hot Spot
    Analysis), because a permutation p of 99 draws cannot go below 0.01 and so rarely survives
    a false-discovery-rate correction over thousands of cells. ``permutations`` > 0 also runs
    esda's conditional randomisation (kept in the library's object, not used for classes)."""
    _check(permutations, alpha, grid.n_cells)
    y = _flat(grid)
    if y is None:
        return _nothing(grid.n_cells)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        g = esda.G_Local(y, lattice_weights(grid), transform="B", star=True,
                         permutations=permutations, seed=seed, keep_simulations=False)
    z = np.nan_to_num(np.asarray(g.Zs, dtype=np.float64))
    p = 2 * stats.norm.sf(np.abs(z))
    p_fdr = bh(p)
    sig = p_fdr <= alpha
    label = np.where(sig & (z > 0), "hot", np.where(sig & (z < 0), "cold", "ns"))
    return CellStats(np.asarray(g.Gs, dtype=np.float64), z, p, p_fdr, label,
                     float(esda.fdr(p, alpha)))


QUADRANTS = np.array(["ns", "HH", "LH", "LL", "HL"])


def local_moran(grid: Grid, *, alpha: float = 0.05, permutations: int = 99, seed: int = 0
                ) -> CellStats:
    """Local Moran's I (``esda.Moran_Local``, row-standardised queen weights) of the counts.
    Inference from esda's conditional permutations: p is two-sided from ``z_sim`` (I against
    the mean and spread of its permutations, esda's ``p_z_sim`` doubled), corrected for false
    discoveries. The pseudo p (``p_sim``) cannot go below 1/(permutations+1), so over
    thousands of cells no cell would ever survive the correction. Labels: HH (high among
    high, a hotspot), LL, HL (a high outlier), LH, or ns."""
    _check(permutations, alpha, grid.n_cells)
    if permutations < 1:
        raise InvalidInput("local Moran's I needs permutations",
                           [Problem("at least 1", "permutations")])
    y = _flat(grid)
    if y is None:
        return _nothing(grid.n_cells)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        m = esda.Moran_Local(y, lattice_weights(grid), transformation="r",
                             permutations=permutations, seed=seed, keep_simulations=True)
    z = np.nan_to_num(np.asarray(m.z_sim, dtype=np.float64))
    p = 2 * stats.norm.sf(np.abs(z))
    p_fdr = bh(p)
    label = np.where(p_fdr <= alpha, QUADRANTS[np.asarray(m.q, dtype=np.int64)], "ns")
    return CellStats(np.asarray(m.Is, dtype=np.float64), z, p, p_fdr, label,
                     float(esda.fdr(p, alpha)))


def _nothing(n: int) -> CellStats:
    """Every cell alike (all empty, or the same count): nothing stands out, by definition."""
    zeros = np.zeros(n)
    return CellStats(zeros, zeros, np.ones(n), np.ones(n), np.full(n, "ns"), 0.0)


@dataclass(frozen=True)
class KnoxResult:
    """Pairs close in space (within ``distance_m``) and in time (within ``days``), against
    how many a random shuffle of the times gives; p from pointpats' permutations."""

    pairs: int
    expected: float
    ratio: float
    p_sim: float
    p_norm: float
    permutations: int


def knox(x: Floats, y: Floats, t_days: Floats, *, distance_m: float, days: float,
         permutations: int = 99, seed: int = 0) -> KnoxResult:
    """The Knox near-repeat test (``pointpats.spacetime.Knox``): are pairs near in space
    also near in time more often than chance? ``ratio`` > 1 with a small ``p_sim`` means
    near repeats (a burglary raises the risk next door for some days)."""
    _check(permutations, 0.5)
    if not (distance_m > 0 and days > 0):
        raise InvalidInput("distance and days must be positive",
                           [Problem("> 0", "distance_m"), Problem("> 0", "days")])
    if len(x) < 3:
        raise InvalidInput("the Knox test needs at least 3 records", [Problem("few", "since")])
    coords = np.column_stack([x, y])
    np.random.seed(seed)  # pointpats draws from numpy's global generator
    result = Knox(coords, np.asarray(t_days, dtype=np.float64).reshape(-1, 1),
                  delta=distance_m, tau=days, permutations=max(permutations, 1))
    table = np.asarray(result.observed)
    expected = np.asarray(result.expected)
    pairs = int(table[0, 0])
    exp = float(expected[0, 0])
    return KnoxResult(pairs, exp, pairs / exp if exp > 0 else float("nan"),
                      float(result.p_sim), float(result.p_poisson), permutations)


@dataclass(frozen=True)
class Evaluation:
    """How well cells chosen on a training window caught a later test window's records."""

    method: str
    cells: int
    total_cells: int
    hits: int
    test_total: int
    best_hits: int  # what the best ``cells`` cells of the test window itself would catch
    pai: float | None
    pei: float | None

    @property
    def area_share(self) -> float:
        return self.cells / self.total_cells


def pai_pei(chosen: npt.NDArray[np.bool_], test_counts: Ints, method: str) -> Evaluation:
    """PAI = (hits / N) / (a / A): the share of test records in the chosen cells over the
    share of area they cover. PEI = PAI / PAI*, PAI* the PAI of the best ``a`` cells of the
    test window (so PEI = hits / best hits, 0 to 1). None when undefined (no record or no
    cell)."""
    counts = test_counts.ravel()
    chosen = chosen.ravel()
    a, big_a, n = int(chosen.sum()), len(counts), int(counts.sum())
    hits = int(counts[chosen].sum())
    best = int(np.sort(counts)[::-1][:a].sum())
    pai = (hits / n) / (a / big_a) if n and a else None
    pei = hits / best if best else None
    return Evaluation(method, a, big_a, hits, n, best, pai, pei)


def top_cells(score: Floats, share: float) -> npt.NDArray[np.bool_]:
    """The ``share`` of cells (at least one) with the highest score; ties by cell number."""
    flat = score.ravel()
    k = max(1, round(share * len(flat)))
    order = np.lexsort((np.arange(len(flat)), -flat))
    chosen = np.zeros(len(flat), dtype=bool)
    chosen[order[:k]] = True
    return chosen
