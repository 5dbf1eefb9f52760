"""The report's two judged sections: a station's KPIs against their targets, and for a
region or the country the WISPI-style scorecard of its stations. Both read the same
functions the console does (``measure.kpis``, ``measure.scorecard``) over the month, so the
paper and the screen never disagree."""

from __future__ import annotations

from safetyzone.measure import kpis, scorecard
from safetyzone.measure.monthly import fmt
from safetyzone.measure.monthly.parts import Label, Part, Report

DOMAINS = (("capacity", Label("ขีดความสามารถ", "Capacity")),
           ("process", Label("กระบวนการ", "Process")),
           ("legitimacy", Label("ความชอบธรรม", "Legitimacy")),
           ("outcomes", Label("ผลลัพธ์", "Outcomes")))
TOP = 10
UNITS = {"min": Label("นาที", "min"), "h": Label("ชม.", "h"), "%": Label("%", "%"),
         "incidents": Label("เรื่อง", "incidents"),
         "unit_h_per_day": Label("ชม.-หน่วย/วัน", "unit-h/day")}


def station_kpis(report: Report) -> Part:
    """Each KPI of the month beside its target, met or not in words."""
    m = report.month
    window = kpis.window_of(since=m.start, until=m.end, now=report.now)
    [station_id] = report.subject.station_ids
    found = kpis.kpis_for_stations(report.session, scope=report.subject.scope,
                                   station_ids=[station_id], window=window)[station_id]
    part = Part("kpis", Label("ตัวชี้วัดเทียบเป้าหมาย", "KPIs against their targets"),
                {"rows": []})
    for k in found:
        label = Label(k.name_th, k.name_en)
        verdict = (report.t("ยังไม่มีข้อมูล", "no data") if k.value is None
                   else report.t("ไม่มีเป้าหมาย", "no target") if k.met is None
                   else report.t("ผ่าน", "met") if k.met else report.t("ไม่ผ่าน", "not met"))
        part.data["rows"].append({
            "name": label.pick(report.lang),
            "value": fmt.number(k.value, 0 if k.unit.value == "incidents" else 1),
            "unit": UNITS[k.unit.value].pick(report.lang) if k.unit.value in UNITS
            else k.unit.value, "n": k.n, "verdict": verdict, "met": k.met,
            "target": "–" if k.target is None else
            f"{'<' if k.direction.value == 'lower' else '≥'} {fmt.number(k.target, 1)}"})
        part.row(k.key, label, "value", k.value)
        part.row(k.key, label, "n", k.n)
        part.row(k.key, label, "target", k.target)
        part.row(k.key, label, "met", k.met)
    return part


def wispi(report: Report) -> Part | None:
    """The scorecard of the subject's stations, compared among themselves: each region's
    domains, and the stations best scored overall."""
    m = report.month
    card = scorecard.scorecard(report.session, scope=report.subject.scope, now=report.now,
                               since=m.start, until=m.end)
    scored = sorted((s for s in card.stations if s.overall is not None),
                    key=lambda s: (-(s.overall or 0), s.station_code))
    part = Part("wispi", Label("คะแนนตามกรอบ WISPI 4 มิติ",
                               "Scorecard in the WISPI's four domains"), {
        "compared": card.compared, "scored": len(scored),
        "domains": [label.pick(report.lang) for _, label in DOMAINS],
        "regions": [{"code": r.region_code, "stations": r.stations, "scored": r.scored,
                     "overall": fmt.number(r.overall),
                     "domains": [fmt.number(next(d.score for d in r.domains if d.domain == key))
                                 for key, _ in DOMAINS]} for r in card.regions],
        "top": [{"code": s.station_code,
                 "name": s.name_en if report.lang == "en" else s.name_th,
                 "overall": fmt.number(s.overall),
                 "domains": [fmt.number(next(d.score for d in s.domains if d.domain == key))
                             for key, _ in DOMAINS]} for s in scored[:TOP]]})
    for s in card.stations:
        label = Label(s.name_th, s.name_en)
        part.row(s.station_code, label, "overall", s.overall)
        for d in s.domains:
            part.row(s.station_code, label, d.domain, d.score)
    return part
