"""A station's sections, part two: the map of its zones with the month's points and Gi*
hotspot cells, response times, the latest People Poll of each zone, and the rollout."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sqlalchemy import select

from safetyzone.core.clock import as_utc
from safetyzone.measure import hotspots as hs
from safetyzone.measure import program
from safetyzone.measure.monthly import drawing, fmt
from safetyzone.measure.monthly.figures import month_records
from safetyzone.measure.monthly.parts import Label, Part, Report
from safetyzone.measure.records import UnifiedRecord
from safetyzone.ops import stats
from safetyzone.ops.calltypes import GROUP_NAMES, CrimeGroup
from safetyzone.ops.history_report import when
from safetyzone.ops.shift_report import MILESTONES, duration
from safetyzone.org.models import Zone
from safetyzone.poll import results as poll_results
from safetyzone.poll import service as polls
from safetyzone.poll.models import PollStatus
from safetyzone.poll.schemas import PollRead

CELL_M = 250  # the hotspot layer's default cell
MAX_CELLS = 40_000  # a station's month on a grid of at most this many cells
ALPHA = 0.05
CELLS_SHOWN = 8
WARNINGS = {"small_sample": Label("ผู้ตอบน้อยกว่า 30 คน", "fewer than 30 answers"),
            "wide_interval": Label("ช่วงความเชื่อมั่นกว้างเกิน ±10 จุด",
                                   "interval wider than ±10 points")}


def _zones(report: Report) -> list[Zone]:
    return list(report.session.scalars(select(Zone).where(
        Zone.station_id == report.subject.unit_id).order_by(Zone.code)))


def _rings(boundary: dict[str, object]) -> list[list[list[float]]]:
    coordinates = boundary.get("coordinates")
    if boundary.get("type") == "Polygon" and isinstance(coordinates, list):
        return coordinates
    if boundary.get("type") == "MultiPolygon" and isinstance(coordinates, list):
        return [ring for polygon in coordinates for ring in polygon]
    return []


@dataclass(frozen=True)
class Spot:
    ring: list[list[float]]  # [lon, lat], closed
    hot: bool
    count: int
    z: float
    lat: float
    lon: float


def spots(placed: list[UnifiedRecord]) -> tuple[list[Spot], int, int]:
    """Getis-Ord Gi* (``hotspots.gi_star``: queen neighbours, false discovery rate 5 %) of
    the points on square cells of ``CELL_M`` metres, larger where the points spread so far
    that the grid would pass ``MAX_CELLS`` (one stray position must not sink the report);
    the significant cells, hottest first, the cells analysed and the cell size used."""
    if len(placed) < 2:
        return [], 0, CELL_M
    lat = np.fromiter((r.lat for r in placed), dtype=np.float64, count=len(placed))
    lon = np.fromiter((r.lon for r in placed), dtype=np.float64, count=len(placed))
    x, y, epsg = hs.project(lat, lon)
    cell = CELL_M
    while ((float(x.max() - x.min()) / cell + 3) * (float(y.max() - y.min()) / cell + 3)
           > MAX_CELLS):
        cell *= 2
    grid = hs.make_grid(x, y, epsg=epsg, cell_m=cell)
    stat = hs.gi_star(grid, alpha=ALPHA)
    index = np.flatnonzero(stat.label != "ns")
    counts = grid.counts.ravel()
    out = []
    for i, ring in zip(index, grid.polygons(index), strict=True):
        corners = ring[:4]
        out.append(Spot(ring=ring, hot=str(stat.label[i]) == "hot", count=int(counts[i]),
                        z=float(stat.z[i]), lat=sum(p[1] for p in corners) / 4,
                        lon=sum(p[0] for p in corners) / 4))
    out.sort(key=lambda s: (-abs(s.z), s.lat, s.lon))
    return out, grid.n_cells, cell


def zone_map(report: Report) -> Part:
    """The station's zones, the month's records that have a position, and the cells where
    they cluster (Gi*) or are scarcer than around them."""
    m, lang = report.month, report.lang
    found = month_records(report, m)
    placed = [r for r in found if r.lat is not None and r.lon is not None]
    significant, analysed, cell_m = spots(placed)
    groups = [g for g in CrimeGroup if any(r.group is g for r in placed)]
    legend: list[tuple[str, str, str]] = [("zone", drawing.BRAND, report.t("เขตโซน", "Zone"))]
    if any(s.hot for s in significant):
        legend.append(("hot", drawing.HOT, report.t("จุดร้อน (Gi*)", "Hot spot (Gi*)")))
    if any(not s.hot for s in significant):
        legend.append(("cold", drawing.COLD, report.t("จุดเย็น (Gi*)", "Cold spot (Gi*)")))
    legend += [("dot", drawing.GROUP_COLOURS[g.value], GROUP_NAMES[g][1 if lang == "en" else 0])
               for g in groups]
    picture = None if not report.draw else drawing.area_map(
        report.fonts_dir,
        zones=[_rings(z.boundary) for z in _zones(report)],
        dots=[drawing.Dot(r.lon, r.lat, drawing.GROUP_COLOURS[r.group.value])  # type: ignore[arg-type]
              for r in placed],
        cells=[drawing.Cell(s.ring, s.hot) for s in significant],
        words=drawing.MapWords(report.t("แผนที่โซนและจุดเกิดเหตุ", "Zone map and the month's "
                                        "points"), report.t("ม.", "m"), report.t("กม.", "km"),
                               legend),
        alt=report.t("แผนที่โซน จุดเกิดเหตุ และจุดร้อน", "Map of the zone, points and hot spots"))
    part = Part("map", Label("แผนที่", "Map"), {
        "picture": picture, "placed": len(placed), "unplaced": len(found) - len(placed),
        "cells": significant[:CELLS_SHOWN], "more_cells": max(0, len(significant) - CELLS_SHOWN),
        "analysed": analysed, "cell_m": cell_m})
    part.row("points", Label("จุดที่มีพิกัด", "records with a position"), "month", len(placed))
    part.row("points", Label("ไม่มีพิกัด", "records without a position"), "unplaced",
             len(found) - len(placed))
    for s in significant:
        label = Label("จุดร้อน" if s.hot else "จุดเย็น", "hot spot" if s.hot else "cold spot")
        item = f"cell:{s.lat:.5f},{s.lon:.5f}"
        part.row(item, label, "count", s.count)
        part.row(item, label, "z", round(s.z, 3))
    return part


def response(report: Report) -> Part:
    """How fast the CCOC answered the month's incidents: p50 and p90 of each step."""
    m = report.month
    times = stats.response_times(report.session, scope=report.subject.scope,
                                 station_id=report.subject.unit_id,  # type: ignore[arg-type]
                                 since=m.start, until=m.end)
    part = Part("response", Label("เวลาตอบสนอง", "Response times"),
                {"incidents": times.incidents, "rows": []})
    for key, names in MILESTONES.items():
        got, dev = times.by_receive_time[key], times.by_device_time[key]
        part.data["rows"].append({
            "name": names.en if report.lang == "en" else names.th, "n": got.count,
            "p50": duration(got.p50_s, report.lang), "p90": duration(got.p90_s, report.lang),
            "d50": duration(dev.p50_s, report.lang), "d90": duration(dev.p90_s, report.lang)})
        label = Label(names.th, names.en)
        part.row(key, label, "count", got.count)
        part.row(key, label, "p50_s_from_receipt", got.p50_s)
        part.row(key, label, "p90_s_from_receipt", got.p90_s)
        part.row(key, label, "p50_s_from_device", dev.p50_s)
        part.row(key, label, "p90_s_from_device", dev.p90_s)
    return part


def people_poll(report: Report) -> Part | None:
    """The latest People Poll wave of each zone that opened before the month ended."""
    session, end = report.session, report.month.end
    reads = polls.list_polls(session, scope=report.subject.scope,
                             station_code=report.subject.code, public_url="")
    latest: dict[str, PollRead] = {}
    for read in reads:  # newest first
        if read.status is not PollStatus.DRAFT and as_utc(read.opens_at) < end:
            latest.setdefault(read.zone_code, read)
    if not latest:
        return None
    part = Part("poll", Label("ผลสำรวจความคิดเห็นประชาชน (People Poll)", "People Poll"),
                {"waves": []})
    for zone_code in sorted(latest):
        read = latest[zone_code]
        poll = polls.get_poll(session, scope=report.subject.scope, code=read.code)
        found = poll_results.poll_results(session, poll, read)
        part.data["waves"].append({
            "zone": read.zone_name_en if report.lang == "en" else read.zone_name_th,
            "wave": read.wave, "name": read.wave_name, "responses": found.responses,
            "opens": when(read.opens_at, report.lang), "closes": when(read.closes_at,
                                                                      report.lang),
            "open": read.status is PollStatus.OPEN,
            "fear": fmt.share(found.fear_of_crime), "target": fmt.share(found.fear_target),
            "fear_met": (found.fear_of_crime is not None
                         and found.fear_of_crime < found.fear_target),
            "indicators": [{"name": s.indicator_en if report.lang == "en" else s.indicator_th,
                       "n": s.n, "share": fmt.share(s.share),
                       "ci": (f"{fmt.share(s.share_ci.low)} – {fmt.share(s.share_ci.high)}"
                              if s.share_ci else fmt.DASH),
                       "warnings": ", ".join(WARNINGS[w].pick(report.lang) if w in WARNINGS
                                             else w for w in s.warnings)}
                      for s in found.likert]})
        for s in found.likert:
            item = f"{read.zone_code}:wave{read.wave}:{s.key}"
            label = Label(s.indicator_th or s.th, s.indicator_en or s.en)
            part.row(item, label, "n", s.n)
            part.row(item, label, "share", None if s.share is None else round(s.share, 4))
            part.row(item, label, "share_low", round(s.share_ci.low, 4) if s.share_ci else None)
            part.row(item, label, "share_high",
                     round(s.share_ci.high, 4) if s.share_ci else None, ";".join(s.warnings))
    return part


def rollout(report: Report) -> Part:
    """Where the station stands in the program's four steps, as of printing."""
    m = report.month
    found = program.overview(report.session, scope=report.subject.scope, now=report.now,
                             since=m.start, until=m.end)
    row = found.stations[0]
    r = row.rollout
    steps = [("started", Label("เริ่มโครงการ", "Started"), r.started),
             ("zone_defined", Label("กำหนดโซน", "Zone defined"), r.zones > 0),
             ("cameras_joined", Label("เชื่อมกล้อง", "Cameras joined"), r.cameras > 0),
             ("staffed", Label("ศูนย์ CCOC มีเจ้าหน้าที่ (24 ชม.)", "CCOC staffed (24 h)"),
              r.staffed)]
    part = Part("rollout", Label("ความก้าวหน้าของโครงการ", "Rollout"), {
        "phase": row.phase, "started_on": fmt.day(r.started_on, report.lang),
        "source": r.source or "", "zones": r.zones, "cameras": r.cameras,
        "online": r.cameras_online, "operators": r.operators,
        "last_on_duty": when(r.last_on_duty_at, report.lang) if r.last_on_duty_at else None,
        "steps": [{"name": label.pick(report.lang), "done": done} for _, label, done in steps],
        "complete": r.complete, "as_of": when(report.now, report.lang)})
    for key, label, done in steps:
        part.row(key, label, "done", done)
    part.row("phase", Label("ระยะ", "phase"), "phase", row.phase)
    part.row("cameras", Label("กล้อง", "cameras"), "joined", r.cameras)
    part.row("cameras", Label("กล้อง", "cameras"), "online", r.cameras_online)
    return part

