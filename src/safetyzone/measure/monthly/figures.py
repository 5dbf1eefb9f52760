"""A station's month in figures: the one stream of records (``records.unified_records``:
CCOC incidents and imported 191 calls and crime cases) counted by crime group, by hour,
weekday and day, against the month before and the same month a year before.

Times are Bangkok's. A covert hotlist hit is left out: a printed report is shared beyond
the officer who owns it. Rates per 1,000 people go through ``facts.per_1000_people``: an
unknown population gives an unknown rate, never a guess.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select

from safetyzone.core.clock import BANGKOK, as_utc
from safetyzone.measure import facts, records
from safetyzone.measure.monthly.parts import Report
from safetyzone.measure.monthly.period import Month
from safetyzone.measure.records import UnifiedRecord
from safetyzone.measure.schemas import Figure, Rate, StationFacts
from safetyzone.ops import covert
from safetyzone.ops.calltypes import GROUP_NAMES, CrimeGroup
from safetyzone.ops.models import Incident

ORIGINS = ("ccoc", "191", "case")


def month_records(report: Report, month: Month) -> list[UnifiedRecord]:
    """The station's records of ``month``, covert hotlist hits left out (memoised)."""
    def load() -> list[UnifiedRecord]:
        subject, session = report.subject, report.session
        since, until = month.start, month.end
        hidden = {str(i) for i in session.scalars(select(Incident.id).where(
            Incident.station_id == subject.unit_id, Incident.opened_at >= since,
            Incident.opened_at < until, covert.is_covert_sql()))}
        return [r for r in records.unified_records(session, scope=subject.scope,
                                                   station_code=subject.code, since=since,
                                                   until=until)
                if not (r.origin == "ccoc" and r.ref in hidden)]
    return report.memo(f"records:{month.key}", load)


def station_facts(report: Report) -> StationFacts:
    return report.memo("facts", lambda: facts.station_facts(
        report.session, scope=report.subject.scope, station_code=report.subject.code))


@dataclass(frozen=True)
class GroupCount:
    group: CrimeGroup | None  # None: the total line
    by_origin: dict[str, int]
    total: int
    previous: int
    year_before: int
    rate: Rate

    def name(self, lang: str) -> str:
        if self.group is None:
            return "Total" if lang == "en" else "รวม"
        th, en = GROUP_NAMES[self.group]
        return en[:1].upper() + en[1:] if lang == "en" else th


def change(now: int, before: int) -> tuple[int, float | None]:
    """The difference and its percentage of ``before`` (None when before is zero)."""
    return now - before, (100.0 * (now - before) / before) if before else None


def by_group(current: Sequence[UnifiedRecord], previous: Sequence[UnifiedRecord],
             year_before: Sequence[UnifiedRecord], population: Figure) -> list[GroupCount]:
    """One line per crime group that has a record in any of the three months (in the
    taxonomy's order), then the total."""
    now = Counter((r.group, r.origin) for r in current)
    last = Counter(r.group for r in previous)
    ago = Counter(r.group for r in year_before)
    out = []
    for group in CrimeGroup:
        origins = {o: now[(group, o)] for o in ORIGINS}
        total = sum(origins.values())
        if total or last[group] or ago[group]:
            out.append(GroupCount(group, origins, total, last[group], ago[group],
                                  facts.per_1000_people(total, population)))
    origins = {o: sum(1 for r in current if r.origin == o) for o in ORIGINS}
    out.append(GroupCount(None, origins, len(current), len(previous), len(year_before),
                          facts.per_1000_people(len(current), population)))
    return out


def _local(record: UnifiedRecord) -> tuple[int, int, int]:
    at = as_utc(record.at).astimezone(BANGKOK)
    return at.hour, at.weekday(), at.day


def by_hour(current: Sequence[UnifiedRecord]) -> list[int]:
    counts = Counter(_local(r)[0] for r in current)
    return [counts[h] for h in range(24)]


def by_weekday(current: Sequence[UnifiedRecord]) -> list[int]:
    """Monday first, as ISO weeks run."""
    counts = Counter(_local(r)[1] for r in current)
    return [counts[d] for d in range(7)]


def by_day(current: Sequence[UnifiedRecord], month: Month) -> list[int]:
    counts = Counter(_local(r)[2] for r in current)
    return [counts[d] for d in range(1, month.days + 1)]
