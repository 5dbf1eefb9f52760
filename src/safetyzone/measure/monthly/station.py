"""A station's sections, part one: the month at a glance, the records by crime group, by
hour and weekday, and day by day. Each section: the figures for its template block and the
same figures as CSV rows; every chart has its table beside it."""

from __future__ import annotations

from safetyzone.core.clock import BANGKOK, as_utc
from safetyzone.measure.models import FactStatus
from safetyzone.measure.monthly import drawing, fmt
from safetyzone.measure.monthly.figures import (
    ORIGINS,
    by_day,
    by_group,
    by_hour,
    by_weekday,
    change,
    month_records,
    station_facts,
)
from safetyzone.measure.monthly.parts import Label, Part, Report

WEEKDAYS = (Label("จันทร์", "Mon"), Label("อังคาร", "Tue"), Label("พุธ", "Wed"),
            Label("พฤหัสบดี", "Thu"), Label("ศุกร์", "Fri"), Label("เสาร์", "Sat"),
            Label("อาทิตย์", "Sun"))
WEEKDAYS_SHORT = ("จ.", "อ.", "พ.", "พฤ.", "ศ.", "ส.", "อา.")
ORIGIN_NAMES = {"ccoc": Label("ศูนย์สั่งการ (CCOC)", "CCOC"),
                "191": Label("สายด่วน 191", "191 calls"),
                "case": Label("คดีที่รับแจ้ง", "Crime cases")}
RECORDS = Label("เหตุและการรับแจ้งทั้งหมด", "All incidents and records")


def _figure_text(report: Report, value: float | str | None, status: FactStatus,
                 unit: str) -> str:
    if value is None or status is FactStatus.UNKNOWN:
        return report.t("ไม่ทราบ", "unknown")
    about = "≈ " if status is FactStatus.APPROXIMATE else ""
    if isinstance(value, str):
        return value
    return f"{about}{fmt.number(value, 2 if unit == 'km2' and value < 100 else 0)}"


def summary(report: Report) -> Part:
    """The month at a glance: records now, the month before, a year before; the rate."""
    m = report.month
    now, last, ago = (month_records(report, x) for x in (m, m.previous(), m.year_before()))
    found = station_facts(report)
    population = found.population
    line = by_group(now, last, ago, population)[-1]
    big6 = next((f for f in found.facts if f.key == "big6_group_name"), None)
    diff_last, pct_last = change(len(now), len(last))
    diff_ago, pct_ago = change(len(now), len(ago))
    part = Part("summary", Label("สรุปประจำเดือน", "The month at a glance"), {
        "records": len(now), "previous": len(last), "year_before": len(ago),
        "diff_previous": fmt.signed(diff_last), "pct_previous": fmt.percent(pct_last),
        "diff_year": fmt.signed(diff_ago), "pct_year": fmt.percent(pct_ago),
        "previous_title": m.previous().title(report.lang),
        "year_title": m.year_before().title(report.lang),
        "origins": [{"name": ORIGIN_NAMES[o].pick(report.lang), "n": line.by_origin[o]}
                    for o in ORIGINS],
        "population": _figure_text(report, population.value, population.status, "people"),
        "population_status": population.status.value,
        "population_source": population.source or "",
        "rate": fmt.rate(line.rate, report.lang),
        "rate_known": line.rate.value is not None,
        "big6": big6.value if big6 and isinstance(big6.value, str) else None,
        "zones": [{"code": z.zone_code, "name": z.name_en if report.lang == "en" and z.name_en
                   else z.name_th,
                   "area": _figure_text(report, z.area_km2.value, z.area_km2.status, "km2"),
                   "population": _figure_text(report, z.population.value,
                                              z.population.status, "people")}
                  for z in found.zones],
    })
    part.row("records", RECORDS, "month", len(now))
    part.row("records", RECORDS, "previous_month", len(last))
    part.row("records", RECORDS, "same_month_last_year", len(ago))
    for origin in ORIGINS:
        part.row(f"origin:{origin}", ORIGIN_NAMES[origin], "month", line.by_origin[origin])
    part.row("population", Label("ประชากร", "population"), "people", population.value,
             population.status.value)
    part.row("records", RECORDS, "per_1000_people",
             None if line.rate.value is None else round(line.rate.value, 4),
             line.rate.status.value)
    return part


def groups(report: Report) -> Part:
    """Records by crime group: by origin, against the month before and a year before, and
    per 1,000 people where the population is known."""
    m = report.month
    now, last, ago = (month_records(report, x) for x in (m, m.previous(), m.year_before()))
    lines = by_group(now, last, ago, station_facts(report).population)
    part = Part("groups", Label("เหตุตามกลุ่มความผิด", "Incidents and records by crime group"),
                {"rows": [], "rate_known": lines[-1].rate.value is not None,
                 "previous_title": m.previous().title(report.lang),
                 "year_title": m.year_before().title(report.lang)})
    for line in lines:
        d_last, p_last = change(line.total, line.previous)
        d_ago, p_ago = change(line.total, line.year_before)
        part.data["rows"].append({
            "name": line.name(report.lang), "total_line": line.group is None,
            **{o.replace("191", "call191"): line.by_origin[o] for o in ORIGINS},
            "total": line.total, "previous": line.previous, "year_before": line.year_before,
            "d_previous": fmt.signed(d_last), "p_previous": fmt.percent(p_last),
            "d_year": fmt.signed(d_ago), "p_year": fmt.percent(p_ago),
            "rate": fmt.rate(line.rate, report.lang)})
        item = line.group.value if line.group else "total"
        label = Label(line.name("th"), line.name("en"))
        for origin in ORIGINS:
            part.row(item, label, origin, line.by_origin[origin])
        part.row(item, label, "month", line.total)
        part.row(item, label, "previous_month", line.previous)
        part.row(item, label, "same_month_last_year", line.year_before)
        part.row(item, label, "per_1000_people",
                 None if line.rate.value is None else round(line.rate.value, 4),
                 line.rate.status.value)
    return part


def timing(report: Report) -> Part:
    """When: records by hour of the day and by weekday (Bangkok time), a chart and tables."""
    now = month_records(report, report.month)
    hours, days = by_hour(now), by_weekday(now)
    names = [w.pick(report.lang) for w in WEEKDAYS]
    short = names if report.lang == "en" else list(WEEKDAYS_SHORT)
    picture = None if not report.draw else drawing.bars(report.fonts_dir, panels=[
        (drawing.Words(report.t("ตามช่วงเวลาของวัน", "By hour of the day"),
                       report.t("ชั่วโมง (เวลากรุงเทพฯ)", "hour (Bangkok time)"),
                       report.t("จำนวน", "records")),
         [str(h) if h % 3 == 0 else "" for h in range(24)], hours),
        (drawing.Words(report.t("ตามวันในสัปดาห์", "By weekday"), "",
                       report.t("จำนวน", "records")), short, days)],
        widths=[3, 1.2], alt=report.t("กราฟจำนวนเหตุตามชั่วโมงและวัน",
                                      "Chart of records by hour and weekday"))
    part = Part("timing", Label("ช่วงเวลาที่เกิดเหตุ", "When: hour of day and weekday"), {
        "picture": picture, "hours": hours, "weekdays": list(zip(names, days, strict=True))})
    for h, n in enumerate(hours):
        part.row(f"hour:{h:02d}", Label(f"{h:02d}:00–{h:02d}:59", f"{h:02d}:00–{h:02d}:59"),
                 "month", n)
    for w, n in zip(WEEKDAYS, days, strict=True):
        part.row(f"weekday:{w.en.lower()}", w, "month", n)
    return part


def daily(report: Report) -> Part:
    """Day by day: this month's line, the same month a year before, last month's mean."""
    m = report.month
    now = by_day(month_records(report, m), m)
    ago = by_day(month_records(report, m.year_before()), m.year_before())[:m.days]
    last = month_records(report, m.previous())
    mean = len(last) / m.previous().days
    shown = now
    if report.partial:  # the days not yet lived are not zeros
        shown = now[:as_utc(report.now).astimezone(BANGKOK).day]
    picture = None if not report.draw else drawing.daily(
        report.fonts_dir, words=drawing.Words(
            report.t("จำนวนเหตุรายวัน", "Records per day"), report.t("วันที่", "day"),
            report.t("จำนวน", "records")),
        days=m.days, values=shown, year_before=ago, previous_mean=mean, legend=[
            m.title(report.lang), m.year_before().title(report.lang),
            report.t(f"ค่าเฉลี่ยต่อวัน {m.previous().title('th')}",
                     f"Daily mean, {m.previous().title('en')}")],
        alt=report.t("กราฟจำนวนเหตุรายวัน", "Chart of records per day"))
    part = Part("daily", Label("รายวัน", "Day by day"), {
        "picture": picture, "days": list(enumerate(shown, start=1)),
        "mean": fmt.number(mean, 1 if mean >= 1 else 2)})
    for d, n in enumerate(shown, start=1):
        part.row(f"day:{d:02d}", Label(str(d), str(d)), "month", n)
    for d, n in enumerate(ago, start=1):
        part.row(f"day:{d:02d}", Label(str(d), str(d)), "same_month_last_year", n)
    part.row("daily_mean", Label("ค่าเฉลี่ยต่อวัน", "daily mean"), "previous_month",
             round(mean, 3))
    return part
