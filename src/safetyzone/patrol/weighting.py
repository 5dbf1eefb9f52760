"""How much patrol an automatic plan asks at each place, and Bangkok hours arithmetic.

The formula is meant to be read and argued with by a station commander, so it is small:

    L        = the plan's length in hours
    overlap  = the share of the plan's time that falls in the place's high-risk hours
               (Bangkok time), 0..1; 0 for a place without high-risk hours
    weight   = risk_score + overlap                                   (0..2)
    target_visits  = max(1, round(L / 4 * weight))
    target_minutes = target_visits * round(5 + 10 * overlap)          (risk spots)
    target_minutes = 0                                                (red boxes)

So at weight 1 (a spot of risk 1 outside its risky hours, or of risk 0.5 with half the plan
in them) a unit passes every 4 hours; a spot of risk 0.8 whose risky hours 20-02 cover 6 of
an 18:00-02:00 plan's 8 hours (overlap 0.75, weight 1.55) gets round(2 * 1.55) = 3 visits of
round(5 + 7.5) = 13 minutes each, 39 minutes in all. A red box counts as risk
``RED_BOX_RISK`` unless its asset record says otherwise (attribute ``risk_score``), has no
risky hours, and asks no minutes: the officer's check-in at the box is the proof of the visit.
Rounding is half up (2.5 -> 3), not Python's half-to-even.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from safetyzone.core.clock import BANGKOK

HOURS_PER_VISIT = 4.0  # at weight 1, one visit per this many hours of plan
BASE_MINUTES = 5  # minutes asked per visit outside the high-risk hours
RISKY_MINUTES = 10  # extra minutes per visit when the whole plan is in them
RED_BOX_RISK = 0.5


@dataclass(frozen=True)
class Ask:
    """What a plan asks at one place."""

    target_visits: int
    target_minutes: int
    overlap: float


def half_up(value: float) -> int:
    return math.floor(value + 0.5)


def bangkok_hour(at: datetime) -> int:
    return at.astimezone(BANGKOK).hour


def overlap_share(starts_at: datetime, ends_at: datetime, hours: Iterable[int]) -> float:
    """The share of [starts_at, ends_at) that falls in the given Bangkok hours.

    Bangkok keeps UTC+7 all year (no daylight saving), so its hours start on UTC hours and
    the plan is cut at each hour boundary.
    """
    wanted = set(hours)
    total = (ends_at - starts_at).total_seconds()
    if total <= 0 or not wanted:
        return 0.0
    inside = 0.0
    at = starts_at
    while at < ends_at:
        boundary = at.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
        step_end = min(boundary, ends_at)
        if bangkok_hour(at) in wanted:
            inside += (step_end - at).total_seconds()
        at = step_end
    return inside / total


def ask_for_spot(*, starts_at: datetime, ends_at: datetime, risk_score: float,
                 high_risk_hours: Iterable[int]) -> Ask:
    """Visits and minutes for a risk spot (see the module docstring)."""
    hours = (ends_at - starts_at).total_seconds() / 3600
    overlap = overlap_share(starts_at, ends_at, high_risk_hours)
    weight = max(0.0, min(1.0, risk_score)) + overlap
    visits = max(1, half_up(hours / HOURS_PER_VISIT * weight))
    return Ask(visits, visits * half_up(BASE_MINUTES + RISKY_MINUTES * overlap), overlap)


def ask_for_red_box(*, starts_at: datetime, ends_at: datetime,
                    risk_score: float | None = None) -> Ask:
    """Visits for a red box: check-ins, no minutes (see the module docstring)."""
    hours = (ends_at - starts_at).total_seconds() / 3600
    risk = RED_BOX_RISK if risk_score is None else max(0.0, min(1.0, risk_score))
    return Ask(max(1, half_up(hours / HOURS_PER_VISIT * risk)), 0, 0.0)


def risky_stretch_start(now: datetime, hours: Iterable[int]) -> datetime | None:
    """When the run of high-risk hours that ``now`` is in began (None: not in one).

    For hours 20-02 at 23:10 Bangkok this is 20:00 the same evening; at 01:30 it is 20:00
    the evening before.
    """
    wanted = set(hours)
    if bangkok_hour(now) not in wanted:
        return None
    start = now.replace(minute=0, second=0, microsecond=0)
    for _ in range(23):
        before = start - timedelta(hours=1)
        if bangkok_hour(before) not in wanted:
            break
        start = before
    return start
