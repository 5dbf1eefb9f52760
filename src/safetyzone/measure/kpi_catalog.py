"""The KPIs a station and a zone are judged by: what each means, how it is computed, where
its data comes from, and the program's default target. ``docs/measure/kpis.md`` is the same
list for people, with why each default is what it is; a test holds the two together.

A target is met when the value is below it (``lower`` is better) or at or above it
(``higher`` is better). A station's admin or commander may set its own target per KPI
(``measure.kpis.set_target``); the direction never changes.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from safetyzone.poll.items import FEAR_TARGET


class Direction(enum.StrEnum):
    LOWER = "lower"  # met when the value is below the target
    HIGHER = "higher"  # met when the value is at or above the target


class Unit(enum.StrEnum):
    MINUTES = "min"
    HOURS = "h"
    PERCENT = "%"
    INCIDENTS = "incidents"
    UNIT_HOURS_PER_DAY = "unit_h_per_day"


@dataclass(frozen=True)
class KpiSpec:
    key: str
    th: str
    en: str
    unit: Unit
    direction: Direction
    default_target: float | None  # None: the program sets none; a station may
    target_max: float  # the largest target a station may set (the least is 0)
    definition: str
    formula: str
    source: str
    zone: str  # what the same figure is for one zone


RESPONSE_P1 = "response_p1"
INCIDENTS = "incidents"
PATROL_COMPLIANCE = "patrol_compliance"
PATROL_PRESENCE = "patrol_presence"
CAMERA_UPTIME = "camera_uptime"
REPORT_RESOLUTION = "report_resolution"
HOMEWATCH_COVERAGE = "homewatch_coverage"
FEAR_OF_CRIME = "fear_of_crime"
WORRY_BURGLARY = "worry_burglary"
CONFIDENCE_POLICE = "confidence_police"

CATALOG: tuple[KpiSpec, ...] = (
    KpiSpec(
        RESPONSE_P1, "เวลาตอบสนองเหตุเร่งด่วน (P1) ค่ามัธยฐาน", "P1 median response time",
        Unit.MINUTES, Direction.LOWER, 10.0, 1440.0,
        "Minutes from the moment the command center received a priority-1 incident to the "
        "first unit on scene, the median over the P1 incidents opened in the period that a "
        "unit reached. Broken down by priority and by the Bangkok hour the incident opened "
        "(median and 90th percentile, all priorities).",
        "nearest-rank median of (arrived_at - opened_at) / 60 over P1 incidents with "
        "arrived_at",
        "ops incidents (incident.opened_at, incident.arrived_at), as ops.stats measures them",
        "incidents whose position lies inside the zone's boundary"),
    KpiSpec(
        INCIDENTS, "จำนวนเหตุที่ศูนย์ฯ รับ", "Incidents handled",
        Unit.INCIDENTS, Direction.LOWER, None, 1_000_000.0,
        "Incidents the command center opened in the period (devices, citizens, calls logged "
        "by hand, the system's own alerts), by type, by Bangkok hour of day and by weekday.",
        "count of incidents with opened_at in [since, until)",
        "ops incidents (incident.kind, incident.opened_at); covert plate hits only for their "
        "owner, as everywhere",
        "incidents whose position lies inside the zone's boundary"),
    KpiSpec(
        PATROL_COMPLIANCE, "การตรวจตามแผนสายตรวจ", "Patrol plan compliance",
        Unit.PERCENT, Direction.HIGHER, 80.0, 100.0,
        "Share of the targets of the patrol plans that ended in the period (risk spots, red "
        "boxes, home-watch houses, points) that got the visits and minutes their plan asked. "
        "Cancelled plans are left out.",
        "100 x targets visited / targets, over plans with ends_at in [since, min(until, now))",
        "patrol plans (patrol_plan_target, patrol_plan_visit from GPS, accepted red-box "
        "check-ins), by the rule of patrol.compliance",
        "targets whose position lies inside the zone's boundary"),
    KpiSpec(
        PATROL_PRESENCE, "การปรากฏตัวของสายตรวจ", "Visible patrol presence",
        Unit.UNIT_HOURS_PER_DAY, Direction.HIGHER, 24.0, 10_000.0,
        "Unit-hours of patrol seen in the area per day: the time between a unit's trusted GPS "
        "fixes (at most two minutes apart), summed over units and divided by the days of the "
        "period. Two cars for an hour are two unit-hours.",
        "sum(patrol_presence.seconds) / 3600 / days from since to min(until, now), over "
        "the Bangkok days the period touches",
        "patrol presence (patrol_presence: seconds per station, Bangkok day and H3 cell)",
        "H3 cells whose centre lies inside the zone's boundary"),
    KpiSpec(
        CAMERA_UPTIME, "กล้องวงจรปิดใช้งานได้", "Camera uptime",
        Unit.PERCENT, Direction.HIGHER, 95.0, 100.0,
        "Share of the observed camera time in the period that cameras were online, by owner "
        "class, counted from the history of states the camera prober writes on every change "
        "(docs/measure/kpis.md).",
        "100 x online camera-seconds / observed camera-seconds, each stretch of a camera in "
        "one state cut to [since, min(until, now))",
        "camera health history (camera_health_change: state, since, until) and the camera "
        "registry (owner class); retired cameras left out",
        "cameras whose position lies inside the zone's boundary"),
    KpiSpec(
        REPORT_RESOLUTION, "เวลาปิดเรื่องแจ้งจากประชาชน ค่ามัธยฐาน",
        "Citizen report resolution time (median)",
        Unit.HOURS, Direction.LOWER, 72.0, 8760.0,
        "Hours from a citizen's report (web app, LINE, Open311, a volunteer post) to its "
        "closing, the median over the reports submitted in the period and closed since; the "
        "reports still open are counted beside it. Reports joined into another are left out.",
        "nearest-rank median of (closed_at - created_at) / 3600 over closed reports with "
        "created_at in [since, until)",
        "citizen items of kind report (citizen_item.created_at, closed_at, category)",
        "reports placed in the zone when they came in (citizen_item.zone_id)"),
    KpiSpec(
        HOMEWATCH_COVERAGE, "การเยี่ยมบ้านฝากดูแล", "Home-watch coverage",
        Unit.PERCENT, Direction.HIGHER, 90.0, 100.0,
        "Share of the days a house was in the station's care (approved, its owner away) on "
        "which an officer logged at least one visit, Bangkok days.",
        "100 x house-days with a visit / house-days watched in [since, min(until, now))",
        "home watch (homewatch_request: approval, time away, closing; homewatch_visit.at)",
        "houses placed in the zone when requested (homewatch_request.zone_id)"),
    KpiSpec(
        FEAR_OF_CRIME, "ความหวาดกลัวภัยอาชญากรรม", "Fear of crime",
        Unit.PERCENT, Direction.LOWER, round(FEAR_TARGET * 100, 6), 100.0,
        "Share of People Poll respondents who feel fairly or very unsafe walking alone in "
        "their area after dark (item safe_dark, answers 1-2), with its 95 % Wilson interval; "
        "the latest wave of each zone that was answering during the period.",
        "100 x answers 1-2 / answers to safe_dark, pooled over each zone's latest wave "
        "overlapping [since, until)",
        "People Poll responses (poll.results.likert)",
        "the zone's own latest wave"),
    KpiSpec(
        WORRY_BURGLARY, "ความกังวลเรื่องลักทรัพย์ในบ้าน", "Worry about burglary",
        Unit.PERCENT, Direction.LOWER, None, 100.0,
        "Share of People Poll respondents very or extremely worried that their home will be "
        "broken into (item worry_burglary, answers 4-5), with its 95 % Wilson interval.",
        "100 x answers 4-5 / answers to worry_burglary, pooled as for fear of crime",
        "People Poll responses (poll.results.likert)",
        "the zone's own latest wave"),
    KpiSpec(
        CONFIDENCE_POLICE, "ความเชื่อมั่นต่อตำรวจ", "Confidence in police",
        Unit.PERCENT, Direction.HIGHER, 60.0, 100.0,
        "Share of People Poll respondents with a lot of or complete confidence in the police "
        "in their area (item confidence_police, answers 4-5), with its 95 % Wilson interval.",
        "100 x answers 4-5 / answers to confidence_police, pooled as for fear of crime",
        "People Poll responses (poll.results.likert)",
        "the zone's own latest wave"),
)
BY_KEY: dict[str, KpiSpec] = {spec.key: spec for spec in CATALOG}
