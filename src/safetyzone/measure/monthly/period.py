"""The report's month: a calendar month in Bangkok time, its bounds in UTC, its neighbours
for comparison, and its title (``พฤศจิกายน 2569`` in Thai, ``November 2026`` in English)."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time

from safetyzone.core.clock import BANGKOK, as_utc
from safetyzone.core.errors import InvalidInput, Problem
from safetyzone.core.thai import thai_month_year

MONTH_PATTERN = r"^\d{4}-\d{2}$"
# The program began in September 2021; a year before it is the earliest baseline asked for.
EARLIEST = (2020, 1)


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    @classmethod
    def of(cls, at: datetime) -> Month:
        """The month an instant falls in, in Bangkok."""
        local = as_utc(at).astimezone(BANGKOK)
        return cls(local.year, local.month)

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def start(self) -> datetime:
        """Midnight of the 1st in Bangkok, as an aware datetime."""
        return datetime.combine(date(self.year, self.month, 1), time(0), tzinfo=BANGKOK)

    @property
    def end(self) -> datetime:
        """The start of the next month: the bound is exclusive."""
        return self.next().start

    @property
    def days(self) -> int:
        return calendar.monthrange(self.year, self.month)[1]

    def next(self) -> Month:
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    def previous(self) -> Month:
        return Month(self.year - (self.month == 1), (self.month - 2) % 12 + 1)

    def year_before(self) -> Month:
        return Month(self.year - 1, self.month)

    def title(self, lang: str) -> str:
        """``พฤศจิกายน 2569`` (Buddhist Era) or ``November 2026``."""
        if lang == "en":
            return f"{calendar.month_name[self.month]} {self.year}"
        return thai_month_year(self.year, self.month)


def parse(text: str, *, now: datetime, field: str = "month") -> Month:
    """``YYYY-MM``, from January 2020 up to the current month in Bangkok (which is shown as
    far as it has gone); anything else is refused with the range in words."""
    if not re.match(MONTH_PATTERN, text):
        raise InvalidInput("a month is written YYYY-MM, e.g. 2026-11",
                           [Problem("expected YYYY-MM", field)])
    year, month = int(text[:4]), int(text[5:])
    if not 1 <= month <= 12:
        raise InvalidInput(f"'{text}' is not a month of the calendar",
                           [Problem("the month is 01 to 12", field)])
    found, current = Month(year, month), Month.of(now)
    if found > current:
        raise InvalidInput(f"{found.key} has not begun yet",
                           [Problem(f"at most {current.key}, the current month", field)])
    if (year, month) < EARLIEST:
        first = Month(*EARLIEST)
        raise InvalidInput(f"reports start at {first.key}",
                           [Problem(f"from {first.key} on", field)])
    return found
