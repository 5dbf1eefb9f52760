"""The People Poll's figures: per item n, mean and the share the program reports, each with
its 95 % interval, the needs ranked, and a wave before the zone's launch against one after.

The intervals come from ``scipy.stats``: Wilson score intervals for shares
(``binomtest(...).proportion_ci(method="wilson")``), Student t for means. A difference of
two shares uses Newcombe's hybrid score interval (his method 10, 1998), which is built from
the two Wilson intervals. A figure is flagged when fewer than ``MIN_N`` people answered or
when its interval is wider than ±``MAX_HALF_WIDTH``: the console shows it, greyed, with why.
"""

from __future__ import annotations

import math
from datetime import datetime, time
from statistics import fmean, stdev

from scipy import stats
from sqlalchemy import select
from sqlalchemy.orm import Session

from safetyzone.core.clock import BANGKOK, as_utc
from safetyzone.poll import items as bank
from safetyzone.poll.models import Poll, PollResponse, PollStatus
from safetyzone.poll.schemas import (
    BeforeAfter,
    Change,
    Interval,
    LikertResult,
    NeedResult,
    PollRead,
    PollResults,
)

CONFIDENCE = 0.95
MIN_N = 30
MAX_HALF_WIDTH = 0.10
SMALL = "small_sample"
WIDE = "wide_interval"
NO_BASELINE = "no_wave_before_launch"
NO_LAUNCH = "no_launch_date"


def wilson(k: int, n: int) -> Interval | None:
    """The 95 % Wilson score interval of k in n (scipy), or None with nobody answering."""
    if n == 0:
        return None
    ci = stats.binomtest(k, n).proportion_ci(confidence_level=CONFIDENCE, method="wilson")
    return Interval(low=float(ci.low), high=float(ci.high))


def mean_interval(values: list[int]) -> Interval | None:
    """The 95 % Student t interval of the mean (scipy); a single answer has none."""
    if len(values) < 2:
        return None
    mean, sd = fmean(values), stdev(values)
    if sd == 0:
        return Interval(low=mean, high=mean)
    low, high = stats.t.interval(CONFIDENCE, len(values) - 1, loc=mean,
                                 scale=sd / math.sqrt(len(values)))
    return Interval(low=float(low), high=float(high))


def newcombe(k1: int, n1: int, k2: int, n2: int) -> Interval | None:
    """The 95 % interval of p2 - p1 (after minus before) by Newcombe's hybrid score method."""
    a, b = wilson(k1, n1), wilson(k2, n2)
    if a is None or b is None:
        return None
    p1, p2 = k1 / n1, k2 / n2
    d = p2 - p1
    return Interval(low=d - math.sqrt((p2 - b.low) ** 2 + (a.high - p1) ** 2),
                    high=d + math.sqrt((b.high - p2) ** 2 + (p1 - a.low) ** 2))


def flags(n: int, ci: Interval | None) -> list[str]:
    out = []
    if n < MIN_N:
        out.append(SMALL)
    if ci is not None and (ci.high - ci.low) / 2 > MAX_HALF_WIDTH:
        out.append(WIDE)
    return out


def _answers(session: Session, poll: Poll) -> list[dict[str, object]]:
    return list(session.scalars(select(PollResponse.answers)
                                .where(PollResponse.poll_id == poll.id)))


def likert(item: bank.Item, rows: list[dict[str, object]]) -> LikertResult:
    values = [v for r in rows if isinstance(v := r.get(item.key), int)]
    n = len(values)
    k = sum(1 for v in values if v in item.share_values)
    share_ci = wilson(k, n)
    return LikertResult(
        key=item.key, th=item.th, en=item.en, indicator_th=item.indicator_th,
        indicator_en=item.indicator_en, n=n, mean=fmean(values) if values else None,
        mean_ci=mean_interval(values), share=k / n if n else None, share_ci=share_ci,
        counts=[values.count(v) for v in range(1, 6)], warnings=flags(n, share_ci))


def needs(item: bank.Item, rows: list[dict[str, object]]) -> tuple[int, list[NeedResult]]:
    chosen = [v for r in rows if isinstance(v := r.get(item.key), list)]
    n = len(chosen)
    out = []
    for key, th, en in item.options:
        k = sum(1 for c in chosen if key in c)
        out.append(NeedResult(key=key, th=th, en=en, count=k, share=k / n if n else None,
                              share_ci=wilson(k, n)))
    out.sort(key=lambda x: -x.count)  # stable: the bank's order breaks ties
    return n, out


def poll_results(session: Session, poll: Poll, read: PollRead) -> PollResults:
    rows = _answers(session, poll)
    found = [bank.from_json(i) for i in poll.items]
    scales = [likert(i, rows) for i in found if i.kind == bank.LIKERT]
    need_item = next((i for i in found if i.kind == bank.MULTI), None)
    needs_n, ranked = needs(need_item, rows) if need_item else (0, [])
    fear = next((s.share for s in scales if s.key == "safe_dark"), None)
    warnings = sorted({w for s in scales for w in s.warnings})
    return PollResults(poll=read, responses=len(rows), min_n=MIN_N,
                       max_half_width=MAX_HALF_WIDTH, fear_of_crime=fear,
                       fear_target=bank.FEAR_TARGET, likert=scales, needs=ranked,
                       needs_n=needs_n, warnings=warnings)


def launch_start(poll: Poll) -> datetime | None:
    """The zone's launch as an instant (midnight, Bangkok), or None when not set."""
    if poll.zone_launch_on is None:
        return None
    return datetime.combine(poll.zone_launch_on, time(0), tzinfo=BANGKOK)


def baseline_and_follow_up(session: Session, poll: Poll) -> tuple[Poll | None, Poll | None]:
    """This wave and the zone's other side of the launch: the latest wave that closed
    before it, and (for a wave before the launch) the latest that opened after it."""
    launch = launch_start(poll)
    if launch is None:
        return None, None
    others = list(session.scalars(select(Poll).where(
        Poll.zone_id == poll.zone_id, Poll.status != PollStatus.DRAFT)
        .order_by(Poll.wave.desc())))
    before = [p for p in others if as_utc(p.closes_at) <= launch]
    after = [p for p in others if as_utc(p.opens_at) >= launch]
    if poll in after:
        return (before[0] if before else None), poll
    if poll in before:
        return poll, (after[0] if after else None)
    return None, None


def compare(session: Session, before: Poll | None, after: Poll | None
            ) -> list[Change]:
    """Each Likert item's reported share before and after, with the difference's interval."""
    if before is None or after is None:
        return []
    rows_b, rows_a = _answers(session, before), _answers(session, after)
    keys_after = {i["key"] for i in after.items}
    out = []
    for raw in before.items:
        item = bank.from_json(raw)
        if item.kind != bank.LIKERT or item.key not in keys_after:
            continue
        b, a = likert(item, rows_b), likert(item, rows_a)
        kb = sum(b.counts[v - 1] for v in item.share_values)
        ka = sum(a.counts[v - 1] for v in item.share_values)
        ci = newcombe(kb, b.n, ka, a.n)
        diff = a.share - b.share if a.share is not None and b.share is not None else None
        out.append(Change(key=item.key, th=item.indicator_th or item.th,
                          en=item.indicator_en or item.en, before=b.share, after=a.share,
                          difference=diff, difference_ci=ci, n_before=b.n, n_after=a.n,
                          warnings=sorted(set(b.warnings) | set(a.warnings))))
    return out


def before_after(session: Session, poll: Poll, zone_code: str, before_read: PollRead | None,
                 after_read: PollRead | None, before: Poll | None, after: Poll | None
                 ) -> BeforeAfter:
    changes = compare(session, before, after)
    warnings = sorted({w for c in changes for w in c.warnings})
    if poll.zone_launch_on is None:
        warnings.append(NO_LAUNCH)
    elif before is None:
        warnings.append(NO_BASELINE)
    return BeforeAfter(zone_code=zone_code, zone_launch_on=poll.zone_launch_on,
                       before=before_read, after=after_read, changes=changes,
                       warnings=warnings)


def csv_rows(result: PollResults) -> list[list[object]]:
    """The figures as rows for a spreadsheet (one per Likert item and per need)."""
    p = result.poll
    head: list[object] = [p.station_code, p.zone_code, p.wave, p.wave_name]
    rows: list[list[object]] = [["station", "zone", "wave", "wave_name", "item", "indicator",
                                 "n", "mean", "mean_low", "mean_high", "share", "share_low",
                                 "share_high", "warnings"]]
    for s in result.likert:
        rows.append([*head, s.key, s.indicator_en, s.n, _r(s.mean),
                     _r(s.mean_ci.low if s.mean_ci else None),
                     _r(s.mean_ci.high if s.mean_ci else None), _r(s.share),
                     _r(s.share_ci.low if s.share_ci else None),
                     _r(s.share_ci.high if s.share_ci else None), ";".join(s.warnings)])
    for need in result.needs:
        rows.append([*head, f"needs:{need.key}", need.en, result.needs_n, None, None, None,
                     _r(need.share), _r(need.share_ci.low if need.share_ci else None),
                     _r(need.share_ci.high if need.share_ci else None),
                     ";".join(flags(result.needs_n, need.share_ci))])
    return rows


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
