"""The sections of a region's or the country's report: the month over every station, the
rollout phase by phase, the regions, the stations ranked by their rate (those whose
population is unknown listed apart, never ranked) and a map of the stations.

Figures come from the program view (``program.overview``): CCOC incidents counted with
grouped queries, so HQ's 1,480 stations cost a fixed handful of queries per month read.
"""

from __future__ import annotations

from safetyzone.measure import program
from safetyzone.measure.models import FactStatus
from safetyzone.measure.monthly import drawing, fmt
from safetyzone.measure.monthly.figures import change
from safetyzone.measure.monthly.parts import Label, Part, Report
from safetyzone.measure.monthly.period import Month
from safetyzone.measure.program_schemas import ProgramOverview, ProgramStation

RANKED = 10  # the top and the bottom ten
UNKNOWN_SHOWN = 40
LABELLED_DOTS = 5  # the highest rates get their code on the map; the rest is in the tables
ALL_LABELLED = 12  # ... or every station, when a region has this few
RATE_COLOURS = ("#fcbba1", "#fb6a4a", "#cb181d", "#67000d")  # quartiles, low to high
INCIDENTS = Label("เหตุที่ศูนย์สั่งการรับ", "CCOC incidents")


def overview(report: Report, month: Month) -> ProgramOverview:
    return report.memo(f"overview:{month.key}", lambda: program.overview(
        report.session, scope=report.subject.scope, now=report.now, since=month.start,
        until=month.end))


def _name(report: Report, row: ProgramStation) -> str:
    return row.name_en if report.lang == "en" and row.name_en else row.name_th


def area_summary(report: Report) -> Part:
    m = report.month
    now, last, ago = (overview(report, x) for x in (m, m.previous(), m.year_before()))
    n_now, n_last, n_ago = (sum(s.incidents for s in o.stations) for o in (now, last, ago))
    known = [s for s in now.stations if s.incidents_per_1000.value is not None]
    people = sum(s.population or 0.0 for s in known)
    rate = (sum(s.incidents for s in known) * 1000.0 / people) if people else None
    d_last, p_last = change(n_now, n_last)
    d_ago, p_ago = change(n_now, n_ago)
    part = Part("area_summary", Label("สรุปประจำเดือน", "The month at a glance"), {
        "stations": len(now.stations), "started": sum(s.rollout.started for s in now.stations),
        "complete": sum(s.rollout.complete for s in now.stations),
        "incidents": n_now, "previous": n_last, "year_before": n_ago,
        "diff_previous": fmt.signed(d_last), "pct_previous": fmt.percent(p_last),
        "diff_year": fmt.signed(d_ago), "pct_year": fmt.percent(p_ago),
        "previous_title": m.previous().title(report.lang),
        "year_title": m.year_before().title(report.lang),
        "known": len(known), "people": fmt.number(people),
        "rate": fmt.number(rate, 2) if rate is not None else report.t("ไม่ทราบ", "unknown")})
    part.row("stations", Label("สถานี", "stations"), "count", len(now.stations))
    part.row("incidents", INCIDENTS, "month", n_now)
    part.row("incidents", INCIDENTS, "previous_month", n_last)
    part.row("incidents", INCIDENTS, "same_month_last_year", n_ago)
    part.row("incidents", INCIDENTS, "per_1000_people_known",
             None if rate is None else round(rate, 4),
             FactStatus.UNKNOWN.value if rate is None else "")
    part.row("population", Label("ประชากรของสถานีที่ทราบจำนวน", "population, known stations"),
             "people", people)
    return part


def phases(report: Report) -> Part:
    steps = ("started", "zone_defined", "cameras_joined", "staffed", "complete")
    names = {"started": Label("เริ่มแล้ว", "Started"), "zone_defined": Label("มีโซน", "Zone"),
             "cameras_joined": Label("เชื่อมกล้อง", "Cameras"),
             "staffed": Label("มีเจ้าหน้าที่", "Staffed"),
             "complete": Label("ครบ 4 ขั้น", "All four")}
    found = overview(report, report.month).phases
    part = Part("phases", Label("ความก้าวหน้าตามระยะ", "Rollout by phase"), {
        "steps": [names[s].pick(report.lang) for s in steps], "rows": []})
    for p in found:
        name = Label(p.name_th, p.name_en)
        part.data["rows"].append({"name": name.pick(report.lang), "target": p.target,
                                  "stations": p.stations,
                                  "steps": [getattr(p, s) for s in steps]})
        item = f"phase:{p.phase if p.phase is not None else 'none'}"
        part.row(item, name, "stations", p.stations)
        for s in steps:
            part.row(item, name, s, getattr(p, s))
    return part


def regions(report: Report) -> Part | None:
    m = report.month
    now = overview(report, m)
    if not now.regions:
        return None
    last = {r.region_code: r for r in overview(report, m.previous()).regions}
    ago = {r.region_code: r for r in overview(report, m.year_before()).regions}
    part = Part("regions", Label("ภาค", "Regions"), {
        "rows": [], "previous_title": m.previous().title(report.lang),
        "year_title": m.year_before().title(report.lang)})
    for r in now.regions:
        before = last[r.region_code].incidents if r.region_code in last else 0
        year = ago[r.region_code].incidents if r.region_code in ago else 0
        d_last, p_last = change(r.incidents, before)
        name = Label(r.name_th, r.name_en)
        part.data["rows"].append({
            "code": r.region_code, "name": name.pick(report.lang), "stations": r.stations,
            "started": r.started, "complete": r.complete, "incidents": r.incidents,
            "previous": before, "year_before": year, "p_previous": fmt.percent(p_last),
            "d_previous": fmt.signed(d_last), "known": r.stations_with_population,
            "rate": fmt.number(r.incidents_per_1000, 2) if r.incidents_per_1000 is not None
            else report.t("ไม่ทราบ", "unknown")})
        item = f"region:{r.region_code}"
        part.row(item, name, "stations", r.stations)
        part.row(item, name, "month", r.incidents)
        part.row(item, name, "previous_month", before)
        part.row(item, name, "same_month_last_year", year)
        part.row(item, name, "per_1000_people_known",
                 None if r.incidents_per_1000 is None else round(r.incidents_per_1000, 4))
    return part


def _station_line(report: Report, row: ProgramStation, rank: int | None) -> dict[str, object]:
    return {"rank": rank, "code": row.station_code, "name": _name(report, row),
            "region": row.region_code or fmt.DASH, "incidents": row.incidents,
            "population": fmt.number(row.population),
            "rate": fmt.rate(row.incidents_per_1000, report.lang)}


def ranking(report: Report) -> Part:
    """Stations by incidents per 1,000 people, highest first; unknown populations apart."""
    rows = overview(report, report.month).stations
    known = sorted((r for r in rows if r.incidents_per_1000.value is not None),
                   key=lambda r: (-(r.incidents_per_1000.value or 0.0), r.station_code))
    unknown = [r for r in rows if r.incidents_per_1000.value is None]
    whole = len(known) <= 2 * RANKED
    top = [_station_line(report, r, i) for i, r in enumerate(known, start=1)]
    part = Part("ranking", Label("อันดับสถานีตามอัตราต่อประชากร 1,000 คน",
                                 "Stations ranked by incidents per 1,000 people"), {
        "whole": whole, "top": top if whole else top[:RANKED],
        "bottom": [] if whole else top[-RANKED:],
        "unknown": [_station_line(report, r, None) for r in unknown[:UNKNOWN_SHOWN]],
        "unknown_total": len(unknown), "unknown_more": max(0, len(unknown) - UNKNOWN_SHOWN),
        "known": len(known)})
    for i, r in enumerate(known, start=1):
        name = Label(r.name_th, r.name_en)
        part.row(f"station:{r.station_code}", name, "rank", i)
        part.row(f"station:{r.station_code}", name, "month", r.incidents)
        part.row(f"station:{r.station_code}", name, "per_1000_people",
                 round(r.incidents_per_1000.value or 0.0, 4), r.incidents_per_1000.status.value)
    for r in unknown:
        name = Label(r.name_th, r.name_en)
        part.row(f"station:{r.station_code}", name, "month", r.incidents)
        part.row(f"station:{r.station_code}", name, "per_1000_people", None,
                 FactStatus.UNKNOWN.value)
    return part


def _classes(rates: list[float]) -> list[float]:
    """Upper bounds of up to four classes (quartiles) of the known rates, without repeats."""
    if not rates:
        return []
    cuts = sorted({rates[len(rates) * q // 4] for q in (1, 2, 3)} | {rates[-1]})
    return cuts[-4:]


def stations_map(report: Report) -> Part:
    rows = [r for r in overview(report, report.month).stations
            if r.lat is not None and r.lon is not None]
    rates = sorted(r.incidents_per_1000.value for r in rows
                   if r.incidents_per_1000.value is not None)
    bounds = _classes(rates)
    colours = RATE_COLOURS[-len(bounds):] if bounds else ()
    ranked = {r.station_code for r in sorted(
        (r for r in rows if r.incidents_per_1000.value is not None),
        key=lambda r: -(r.incidents_per_1000.value or 0.0))[:LABELLED_DOTS]}
    dots = []
    for r in rows:
        size = 28 + min(140.0, 6.0 * r.incidents ** 0.5)
        value = r.incidents_per_1000.value
        colour = (drawing.GREY if value is None
                  else colours[next(i for i, b in enumerate(bounds) if value <= b)])
        dots.append(drawing.Dot(r.lon, r.lat, colour, size,  # type: ignore[arg-type]
                                r.station_code if r.station_code in ranked
                                or len(rows) <= ALL_LABELLED else "",
                                hollow=value is None))
    legend: list[tuple[str, str, str]] = []
    low = rates[0] if rates else 0.0
    for colour, high in zip(colours, bounds, strict=True):
        text = f"{high:.2f}" if high == low else f"{low:.2f} – {high:.2f}"
        legend.append(("dot", colour, text))
        low = high
    legend.append(("hollow", drawing.GREY, report.t("ไม่ทราบจำนวนประชากร",
                                                    "population unknown")))
    picture = None if not report.draw else drawing.area_map(
        report.fonts_dir, zones=[], dots=dots, cells=[], label_dots=True,
        background=drawing.thailand(),
        words=drawing.MapWords(report.t("สถานีตามอัตราเหตุต่อประชากร 1,000 คน",
                                        "Stations by incidents per 1,000 people"),
                               report.t("ม.", "m"), report.t("กม.", "km"), legend),
        alt=report.t("แผนที่สถานี", "Map of the stations"), height_mm=120)
    part = Part("stations_map", Label("แผนที่สถานี", "Map of stations"), {
        "picture": picture, "placed": len(rows),
        "unplaced": len(overview(report, report.month).stations) - len(rows)})
    part.row("stations", Label("สถานีที่มีพิกัด", "stations with a position"), "count",
             len(rows))
    return part
