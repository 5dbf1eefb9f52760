"""Device input that was answered but not (fully) used: counted, and noted on the device.

A field device that gets no answer, or an error, retries: a SIA panel fails over and its
alarms never arrive, Traccar Client resends its oldest fix every 30 s forever and nothing
newer gets through. So a gateway answers every input it could parse from a known device,
and what it could not use is made visible instead of refused:

* ``ssz_device_problems_total{protocol, reason}`` on ``/metrics``;
* a maintenance note on the device's health page (``FrameLog.problems``).

Reasons (stable slugs, for alert rules):

================  ==============================================================
reason            meaning
================  ==============================================================
no_fix            position 0,0: the tracker had no fix
clock_wrong       device time before 2000, more than a day ahead, or (SIA) outside
                  the DC-09 window: the device clock is wrong
too_old           fix older than the intake window (7 days)
ahead_of_server   fix more than 5 minutes ahead of the server clock
outside_thailand  position outside Thailand (or latitude and longitude swapped)
refused           any other check of the intake
================  ==============================================================
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from prometheus_client import Counter

from safetyzone.core.errors import Problem
from safetyzone.core.events import EventIn
from safetyzone.intake.frames import FrameLog
from safetyzone.intake.models import Protocol
from safetyzone.intake.service import check_events

PROBLEMS = Counter("ssz_device_problems_total",
                   "Device input answered but not (fully) used, by protocol and reason",
                   ["protocol", "reason"])
TOO_OLD, AHEAD, OUTSIDE, REFUSED = "too_old", "ahead_of_server", "outside_thailand", "refused"


def report(frames: FrameLog | None, protocol: Protocol, external_id: str, reason: str,
           detail: str, at: datetime) -> None:
    """Count one problem and note it on the device (a registered one: callers check)."""
    PROBLEMS.labels(protocol=protocol.value, reason=reason).inc()
    if frames is not None:
        frames.problems.record(protocol, external_id, reason, detail, at)


def unusable(event: EventIn, *, now: datetime) -> tuple[str, str] | None:
    """Why the intake would refuse this one event, as (reason, detail); None if it would not.

    The rules are the intake's own (``check_events``), so gateway and intake cannot disagree.
    """
    problems = check_events([event], now=now)
    return classify(problems, event, now=now) if problems else None


def classify(problems: Sequence[Problem], event: EventIn, *, now: datetime
             ) -> tuple[str, str]:
    """Name the first problem of one event with a reason slug."""
    first = problems[0] if problems else Problem("refused by the intake")
    field = first.field or ""
    if field.endswith("event_time"):
        return (TOO_OLD if event.event_time < now else AHEAD), first.reason
    if field.endswith("location"):
        return OUTSIDE, first.reason
    return REFUSED, first.reason
