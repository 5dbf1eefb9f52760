"""What a monthly report is made of: its subject (a station, a region, the country), the
context every section reads, and what each section gives back (``Part``: the figures its
template block draws, and the same figures as CSV rows).

A section is a plain function ``(Report) -> Part | None`` (None: nothing to show, e.g. no
People Poll yet). The report is the list of them (``sections.STATION`` and
``sections.AREA``): a new section (station KPIs, the WISPI scorecard) is one function, one
template ``templates/monthly/<key>.html`` and one line in a list.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, TypeVar

from sqlalchemy.orm import Session

from safetyzone.core.clock import Clock
from safetyzone.core.security import Scope
from safetyzone.measure.monthly.period import Month
from safetyzone.org.models import UnitKind

Lang = Literal["th", "en"]
T = TypeVar("T")


@dataclass(frozen=True)
class Label:
    th: str
    en: str

    def pick(self, lang: Lang) -> str:
        return self.en if lang == "en" else self.th


@dataclass(frozen=True)
class Row:
    """One figure as a CSV line: which section, which item, what is measured, its value,
    and, for a rate, the status of its denominator (exact, approximate, unknown)."""

    section: str
    item: str
    label_th: str
    label_en: str
    measure: str
    value: object
    status: str = ""


@dataclass
class Part:
    key: str  # the section's name; its template is monthly/<key>.html
    title: Label
    data: dict[str, Any]
    rows: list[Row] = field(default_factory=list)

    def row(self, item: str, label: Label, measure: str, value: object,
            status: str = "") -> None:
        self.rows.append(Row(self.key, item, label.th, label.en, measure, value, status))


@dataclass(frozen=True)
class Subject:
    """Whom the report is about: one station, a region's stations or the country's."""

    unit_id: uuid.UUID | None  # None for a country without a national unit in the tree
    code: str
    kind: UnitKind
    name_th: str
    name_en: str
    station_ids: frozenset[uuid.UUID]
    scope: Scope  # the caller's scope narrowed to the subject's stations

    def name(self, lang: Lang) -> str:
        return self.name_en if lang == "en" and self.name_en else self.name_th


@dataclass
class Report:
    """The context every section reads; ``memo`` shares a figure between sections."""

    session: Session
    clock: Clock
    subject: Subject
    month: Month
    lang: Lang
    now: datetime
    fonts_dir: Path
    draw: bool = True  # False for a CSV: its figures without the charts' drawing
    _memo: dict[str, Any] = field(default_factory=dict)

    @property
    def partial(self) -> bool:
        """The month has not ended yet: its figures are as far as it has gone."""
        return self.now < self.month.end

    def t(self, th: str, en: str) -> str:
        return en if self.lang == "en" else th

    def memo(self, key: str, compute: Callable[[], T]) -> T:
        if key not in self._memo:
            self._memo[key] = compute()
        value: T = self._memo[key]
        return value


Section = Callable[[Report], "Part | None"]
