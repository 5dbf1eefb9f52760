"""The KPIs of what people get and feel: citizen report resolution, home-watch coverage, and
fear of crime, worry and confidence from the People Poll. Grouped queries for any number of
stations; a zone narrows by where the item was placed (reports, houses) or by its own polls.
"""

from __future__ import annotations

import math
import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from statistics import NormalDist
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from safetyzone.citizen.models import CitizenItem
from safetyzone.citizen.taxonomy import ItemKind, ItemState
from safetyzone.measure.kpi_common import (
    Area,
    Ids,
    Result,
    Window,
    bangkok,
    cell,
    count_cell,
    share,
    spread,
    spread_cell,
)
from safetyzone.measure.kpi_schemas import Cell
from safetyzone.poll import items as bank
from safetyzone.poll import results
from safetyzone.poll.models import Poll, PollResponse, PollStatus
from safetyzone.poll.schemas import Interval
from safetyzone.services.homewatch_models import HomeWatchRequest, HomeWatchVisit, WatchState

POLL_ITEMS = ("safe_dark", "worry_burglary", "confidence_police")
ITEM_CHANGED = "item_changed_between_waves"


# --- citizen reports ---------------------------------------------------------------------


def reports_by_station(session: Session, *, station_ids: Sequence[uuid.UUID], window: Window,
                       area: Area | None) -> dict[uuid.UUID, Result]:
    """Median hours to close the reports submitted in the period, by category; open ones
    counted beside."""
    hours: dict[uuid.UUID, dict[str, list[float]]] = {s: defaultdict(list) for s in station_ids}
    still_open: dict[uuid.UUID, int] = dict.fromkeys(station_ids, 0)
    query = select(CitizenItem.station_id, CitizenItem.category, CitizenItem.created_at,
                   CitizenItem.closed_at, CitizenItem.state).where(
        CitizenItem.kind == ItemKind.REPORT, CitizenItem.station_id.in_(list(station_ids)),
        CitizenItem.state != ItemState.MERGED, CitizenItem.created_at >= window.since,
        CitizenItem.created_at < window.until)
    if area is not None:
        query = query.where(CitizenItem.zone_id == area.zone_id)
    for station_id, category, created_at, closed_at, state in session.execute(query):
        if state is ItemState.CLOSED and closed_at is not None:
            hours[station_id][category].append((closed_at - created_at).total_seconds() / 3600)
        else:
            still_open[station_id] += 1
    return {s: _resolution(hours[s], still_open[s]) for s in station_ids}


def _resolution(by_category: dict[str, list[float]], still_open: int) -> Result:
    closed = [h for values in by_category.values() for h in values]
    if not closed:
        return Result(value=None, n=0, breakdowns={"state": [
            count_cell("closed", 0), count_cell("open", still_open)]} if still_open else {})
    categories = []
    for key, values in sorted(by_category.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        categories.append(spread_cell(key, values))
    return Result(value=spread(closed)[0], n=len(closed), breakdowns={
        "category": categories,
        "state": [count_cell("closed", len(closed)), count_cell("open", still_open)]})


# --- home watch --------------------------------------------------------------------------


def _days(start: datetime, end: datetime) -> set[date]:
    """The Bangkok days that [start, end) touches."""
    first, last = bangkok(start).date(), bangkok(end - timedelta(microseconds=1)).date()
    return {first + timedelta(days=i) for i in range((last - first).days + 1)}


def homewatch_by_station(session: Session, *, station_ids: Sequence[uuid.UUID], window: Window,
                         area: Area | None) -> dict[uuid.UUID, Result]:
    """Share of watched house-days with a visit; the requests made in the period beside."""
    end = window.observed_until
    watched = (HomeWatchRequest.station_id.in_(list(station_ids)),
               HomeWatchRequest.decided_at.is_not(None),
               HomeWatchRequest.state.in_([WatchState.APPROVED, WatchState.CLOSED,
                                           WatchState.CANCELLED]),
               HomeWatchRequest.away_from < end, HomeWatchRequest.away_until > window.since,
               *(() if area is None else (HomeWatchRequest.zone_id == area.zone_id,)))
    visits: dict[uuid.UUID, set[date]] = defaultdict(set)
    for request_id, at in session.execute(select(HomeWatchVisit.request_id, HomeWatchVisit.at)
                                          .where(HomeWatchVisit.request_id.in_(
                                              select(HomeWatchRequest.id).where(*watched)),
                                              HomeWatchVisit.at >= window.since,
                                              HomeWatchVisit.at < end)):
        visits[request_id].add(bangkok(at).date())
    days: dict[uuid.UUID, int] = dict.fromkeys(station_ids, 0)
    visited: dict[uuid.UUID, int] = dict.fromkeys(station_ids, 0)
    houses: dict[uuid.UUID, int] = dict.fromkeys(station_ids, 0)
    for request_id, station_id, away_from, away_until, decided_at, closed_at in session.execute(
            select(HomeWatchRequest.id, HomeWatchRequest.station_id, HomeWatchRequest.away_from,
                   HomeWatchRequest.away_until, HomeWatchRequest.decided_at,
                   HomeWatchRequest.closed_at).where(*watched)):
        start = max(away_from, decided_at or away_from, window.since)  # decided: filtered
        stop = min(away_until, closed_at or away_until, end)
        if stop <= start:
            continue
        in_care = _days(start, stop)
        houses[station_id] += 1
        days[station_id] += len(in_care)
        visited[station_id] += len(in_care & visits[request_id])
    made: dict[uuid.UUID, list[Cell]] = defaultdict(list)
    requested = select(HomeWatchRequest.station_id, HomeWatchRequest.state, func.count()).where(
        HomeWatchRequest.station_id.in_(list(station_ids)),
        HomeWatchRequest.created_at >= window.since, HomeWatchRequest.created_at < window.until,
        *(() if area is None else (HomeWatchRequest.zone_id == area.zone_id,)))
    for station_id, state, count in session.execute(
            requested.group_by(HomeWatchRequest.station_id, HomeWatchRequest.state)):
        made[station_id].append(count_cell(state.value, int(count)))
    out = {}
    for s in station_ids:
        breakdowns = {"requested": sorted(made[s], key=lambda c: c.key)} if made[s] else {}
        if days[s]:
            breakdowns["houses"] = [count_cell("watched", houses[s])]
        out[s] = Result(value=share(visited[s], days[s]), n=days[s], breakdowns=breakdowns)
    return out


# --- the People Poll ---------------------------------------------------------------------


def _latest_waves(polls: list[Poll]) -> list[Poll]:
    """Each zone's latest wave (the same people are not counted twice over two waves)."""
    latest: dict[uuid.UUID, Poll] = {}
    for poll in polls:
        if poll.zone_id not in latest or poll.wave > latest[poll.zone_id].wave:
            latest[poll.zone_id] = poll
    return sorted(latest.values(), key=lambda p: (p.opens_at, p.code))


def _item(poll: Poll, key: str) -> bank.Item | None:
    found = next((i for i in poll.items if i.get("key") == key), None)
    return bank.from_json(found) if found is not None else None


def polls_by_station(session: Session, *, station_ids: Sequence[uuid.UUID], window: Window,
                     area: Area | None) -> dict[uuid.UUID, dict[str, Result]]:
    """Each poll KPI's share (percent) with its Wilson interval and warnings, pooled over
    each zone's latest wave that was answering in the period; each wave's own beside."""
    query = select(Poll).where(Poll.station_id.in_(list(station_ids)),
                               Poll.status != PollStatus.DRAFT, Poll.opens_at < window.until,
                               Poll.closes_at > window.since)
    if area is not None:
        query = query.where(Poll.zone_id == area.zone_id)
    by_station: dict[uuid.UUID, list[Poll]] = defaultdict(list)
    for poll in session.scalars(query):
        by_station[poll.station_id].append(poll)
    chosen = {s: _latest_waves(p) for s, p in by_station.items()}
    answers: dict[uuid.UUID, list[dict[str, Any]]] = defaultdict(list)
    ids = [p.id for waves in chosen.values() for p in waves]
    if ids:
        polls = Ids(ids)
        for poll_id, row in session.execute(select(Ids.text(PollResponse.poll_id),
                                                   PollResponse.answers)
                                            .where(PollResponse.poll_id.in_(ids))):
            answers[polls[poll_id]].append(row)
    return {s: {key: _poll_share(chosen.get(s, []), answers, key) for key in POLL_ITEMS}
            for s in station_ids}


def _tally(item: bank.Item, rows: list[dict[str, Any]]) -> tuple[int, int]:
    """(answers counted, answers) to a Likert item, as ``poll.results.likert`` counts them."""
    values = [v for r in rows if isinstance(v := r.get(item.key), int)]
    return sum(1 for v in values if v in item.share_values), len(values)


def wilson(k: int, n: int) -> Interval | None:
    """The 95 % Wilson score interval of k in n by its closed form (Wilson 1927): the figure
    ``poll.results.wilson`` takes from scipy (a test holds them equal), without the binomial
    test scipy runs first, which was most of an HQ scorecard's time."""
    if n == 0:
        return None
    z = NormalDist().inv_cdf(0.5 + results.CONFIDENCE / 2)
    p, z2 = k / n, z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return Interval(low=max(0.0, centre - half), high=min(1.0, centre + half))


def _poll_share(waves: list[Poll], answers: dict[uuid.UUID, list[dict[str, Any]]], key: str
                ) -> Result:
    asked = [(p, item) for p in waves if (item := _item(p, key)) is not None
             and item.kind == bank.LIKERT]
    if not asked:
        return Result(value=None, n=0)
    reference = asked[-1][1]  # the latest wave's words
    same = [(p, i) for p, i in asked if i.share_values == reference.share_values]
    tallies = [(p, *_tally(i, answers[p.id])) for p, i in same]
    k, n = sum(t[1] for t in tallies), sum(t[2] for t in tallies)
    ci = wilson(k, n)
    warnings = results.flags(n, ci) + ([ITEM_CHANGED] if len(same) < len(asked) else [])
    return Result(
        value=share(k, n), n=n, warnings=warnings,
        ci=None if ci is None else Interval(low=round(100 * ci.low, 2),
                                            high=round(100 * ci.high, 2)),
        breakdowns={"wave": [cell(p.code, wave_n, share(wave_k, wave_n))
                             for p, wave_k, wave_n in tallies]})
