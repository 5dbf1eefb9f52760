"""The report's charts and maps, drawn with matplotlib (see ``svg`` for how their words
reach the page). Maps are vector shapes only, no tiles: the zone's boundary, the month's
points, the Gi* cells, a scale bar and a north arrow, in the UTM zone of the map's centre
(metres, as the rest of SafetyZone measures)."""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from pyproj import Transformer

from safetyzone.core.geo import utm_epsg
from safetyzone.measure.monthly.svg import Picture, figure, picture

BRAND = "#922b21"
GREY = "#8a8a8a"
HOT, COLD = "#d7301f", "#2b6cb0"
GROUP_COLOURS = {"life_body": "#b2182b", "property": "#ef8a62", "sexual": "#762a83",
                 "drugs": "#1b7837", "weapons": "#111111", "public_order": "#2166ac",
                 "traffic": "#e6ab02", "other": "#7f7f7f"}
WIDTH_MM = 180.0  # the page's text width (A4 less the margins), a little spare
BACKGROUND_FROM_M = 200_000.0


@dataclass(frozen=True)
class Words:
    """What a chart says, in the report's language."""

    title: str
    x: str = ""
    y: str = ""


def _axes_style(ax: Any) -> None:
    ax.grid(axis="y", color="#dddddd", linewidth=0.5)
    ax.set_axisbelow(True)


def _integer_ticks(ax: Any) -> None:
    from matplotlib.ticker import MaxNLocator

    ax.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=True, min_n_ticks=2))


def bars(fonts_dir: Path, *, panels: Sequence[tuple[Words, Sequence[str], Sequence[int]]],
         widths: Sequence[float], alt: str, height_mm: float = 55) -> Picture:
    """Bar charts side by side (hour of day | weekday), sharing nothing but the figure."""
    fig = figure(fonts_dir, WIDTH_MM, height_mm)
    axes = fig.subplots(1, len(panels), gridspec_kw={"width_ratios": list(widths)})
    for ax, (words, labels, values) in zip(axes, panels, strict=True):
        ax.bar(range(len(values)), values, color=BRAND, width=0.75)
        ax.set_xticks(range(len(labels)), labels)
        ax.set_title(words.title, loc="left")
        ax.set_xlabel(words.x)
        ax.set_ylabel(words.y)
        _axes_style(ax)
        _integer_ticks(ax)
        ax.set_xlim(-0.6, len(values) - 0.4)
    return picture(fig, alt)


def daily(fonts_dir: Path, *, words: Words, days: int, values: Sequence[int],
          year_before: Sequence[int], previous_mean: float | None, legend: Sequence[str],
          alt: str, height_mm: float = 55) -> Picture:
    """Records per day: this month, the same month a year before, last month's mean."""
    fig = figure(fonts_dir, WIDTH_MM, height_mm)
    ax = fig.subplots()
    x = list(range(1, days + 1))
    ax.plot(x[:len(year_before)], year_before, color=GREY, linewidth=1, linestyle="--",
            label=legend[1])
    if previous_mean is not None:
        ax.axhline(previous_mean, color="#555555", linewidth=0.8, linestyle=":",
                   label=legend[2])
    ax.plot(x[:len(values)], values, color=BRAND, linewidth=1.6, marker="o", markersize=2.5,
            label=legend[0])
    ax.set_xticks([d for d in x if d == 1 or d % 5 == 0])
    ax.set_xlim(0.5, days + 0.5)
    ax.set_ylim(bottom=0)
    ax.set_title(words.title, loc="left")
    ax.set_xlabel(words.x)
    ax.set_ylabel(words.y)
    _axes_style(ax)
    _integer_ticks(ax)
    fig.legend(loc="outside upper right", frameon=False, ncols=3)
    return picture(fig, alt)


# --- maps ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Dot:
    lon: float
    lat: float
    colour: str
    size: float = 12.0
    label: str = ""
    hollow: bool = False


@dataclass(frozen=True)
class Cell:
    ring: Sequence[Sequence[float]]  # [lon, lat] pairs, closed
    hot: bool


@dataclass(frozen=True)
class MapWords:
    title: str
    metres: str  # "m" / "ม."
    kilometres: str  # "km" / "กม."
    # (kind, colour, label); kind: dot, hollow, hot, cold or zone
    legend: Sequence[tuple[str, str, str]]


def _nice_length(span_m: float) -> float:
    """A round scale-bar length near a fifth of the map's width: 1, 2 or 5 times 10^n m."""
    target = max(span_m / 5, 1.0)
    power = 10.0 ** math.floor(math.log10(target))
    return float(max(step * power for step in (1, 2, 5) if step * power <= target))


def _scale_bar(ax: Any, span_m: float, words: MapWords) -> None:
    from mpl_toolkits.axes_grid1.anchored_artists import AnchoredSizeBar

    length = _nice_length(span_m)
    text = (f"{length / 1000:g} {words.kilometres}" if length >= 1000
            else f"{length:g} {words.metres}")
    ax.add_artist(AnchoredSizeBar(ax.transData, length, text, loc="lower left", pad=0.6,
                                  sep=3, frameon=False, size_vertical=span_m / 180,
                                  fontproperties={"size": 7}))


def _north_arrow(ax: Any) -> None:
    from matplotlib.patches import Polygon

    x, y = 0.95, 0.84
    ax.add_patch(Polygon([(x, y + 0.09), (x - 0.018, y), (x, y + 0.025), (x + 0.018, y)],
                         closed=True, transform=ax.transAxes, facecolor="black",
                         edgecolor="black", zorder=6))
    ax.text(x, y + 0.105, "N", transform=ax.transAxes, ha="center", va="baseline",
            fontsize=9, fontweight="bold", zorder=6)


def _legend(ax: Any, words: MapWords) -> None:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles: list[Any] = []
    for kind, colour, label in words.legend:
        if kind == "zone":
            handles.append(Patch(facecolor="#f6efe3", edgecolor=BRAND, linewidth=1.2,
                                 label=label))
        elif kind in {"hot", "cold"}:
            handles.append(Patch(facecolor=colour, alpha=0.45, edgecolor=colour, label=label))
        else:
            handles.append(Line2D([], [], linestyle="", marker="o", markersize=5,
                                  markerfacecolor="none" if kind == "hollow" else colour,
                                  markeredgecolor=colour if kind == "hollow" else "white",
                                  markeredgewidth=0.8, label=label))
    if handles:
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0),
                  frameon=False, borderaxespad=0)


@functools.cache
def thailand() -> list[list[float]]:
    """The country's outline (Natural Earth 1:110m, coarse), for orientation only."""
    data = json.loads((Path(__file__).with_name("thailand.json")).read_text("utf-8"))
    ring: list[list[float]] = data["coordinates"][0]
    return ring


def area_map(fonts_dir: Path, *, zones: Sequence[Sequence[Sequence[Sequence[float]]]],
             dots: Sequence[Dot], cells: Sequence[Cell], words: MapWords, alt: str,
             height_mm: float = 105, label_dots: bool = False,
             background: Sequence[Sequence[float]] = ()) -> Picture:
    """Zone outlines (each a polygon's rings of [lon, lat]), cells and dots, north up; a
    ``background`` outline (the country) drawn faintly under them, not widening the map,
    where the map spans ``BACKGROUND_FROM_M`` or more (closer, its coarse coast misleads)."""
    from matplotlib.patches import Polygon

    lons = [p[0] for z in zones for ring in z for p in ring] + [d.lon for d in dots] + [
        p[0] for c in cells for p in c.ring]
    lats = [p[1] for z in zones for ring in z for p in ring] + [d.lat for d in dots] + [
        p[1] for c in cells for p in c.ring]
    fig = figure(fonts_dir, WIDTH_MM, height_mm)
    ax = fig.subplots()
    ax.set_title(words.title, loc="left")
    ax.set_axis_off()
    if not lons:
        ax.text(0.5, 0.5, "–", transform=ax.transAxes, ha="center")
        return picture(fig, alt)
    centre = sorted(lons)[len(lons) // 2]
    to_m = Transformer.from_crs("EPSG:4326", f"EPSG:{utm_epsg(centre)}", always_xy=True)

    def xy(points: Sequence[Sequence[float]]) -> list[tuple[float, float]]:
        xs, ys = to_m.transform([p[0] for p in points], [p[1] for p in points])
        return list(zip(xs, ys, strict=True))

    spread = xy([(min(lons), min(lats)), (max(lons), max(lats))])
    if background and max(spread[1][0] - spread[0][0],
                          spread[1][1] - spread[0][1]) >= BACKGROUND_FROM_M:
        ax.add_patch(Polygon(xy(background), closed=True, facecolor="#f1f1ee",
                             edgecolor="#b9b9b0", linewidth=0.6, zorder=0))
    for zone in zones:
        for i, ring in enumerate(zone):
            ax.add_patch(Polygon(xy(ring), closed=True, facecolor="#f6efe3" if i == 0
                                 else "white", edgecolor=BRAND, linewidth=1.2, zorder=1))
    for cell in cells:
        colour = HOT if cell.hot else COLD
        ax.add_patch(Polygon(xy(cell.ring), closed=True, facecolor=colour, alpha=0.45,
                             edgecolor=colour, linewidth=0.4, zorder=2))
    if dots:
        points = xy([(d.lon, d.lat) for d in dots])
        ax.scatter([p[0] for p in points], [p[1] for p in points],
                   s=[d.size for d in dots], c=["none" if d.hollow else d.colour for d in dots],
                   edgecolors=[d.colour if d.hollow else "white" for d in dots],
                   linewidths=0.6, zorder=3)
        if label_dots:
            for (px, py), d in zip(points, dots, strict=True):
                if d.label:
                    ax.annotate(d.label, (px, py), xytext=(3, 3), textcoords="offset points",
                                fontsize=6, zorder=4)
    every = xy(list(zip(lons, lats, strict=True)))
    x0, x1 = min(p[0] for p in every), max(p[0] for p in every)
    y0, y1 = min(p[1] for p in every), max(p[1] for p in every)
    pad = max(x1 - x0, y1 - y0, 200.0) * 0.08
    ax.dataLim.set_points(np.array([[x0 - pad, y0 - pad * 1.5], [x1 + pad, y1 + pad * 1.5]]))
    ax.ignore_existing_data_limits = True
    ax.margins(0)
    ax.set_aspect("equal", adjustable="datalim")  # the box keeps its size; the map widens
    ax.autoscale_view()
    _scale_bar(ax, x1 - x0 + 2 * pad, words)
    _north_arrow(ax)
    _legend(ax, words)
    return picture(fig, alt)
