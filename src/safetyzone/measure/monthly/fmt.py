"""Numbers, changes, rates and dates as the printed report writes them, Thai or English."""

from __future__ import annotations

from datetime import date, datetime, time

from safetyzone.core.clock import BANGKOK
from safetyzone.core.thai import format_thai_datetime
from safetyzone.measure.models import FactStatus
from safetyzone.measure.monthly.parts import Lang
from safetyzone.measure.schemas import Rate

DASH = "–"


def number(value: float | int | None, digits: int = 0) -> str:
    if value is None:
        return DASH
    return f"{value:,.{digits}f}"


def signed(value: int) -> str:
    return f"+{value:,}" if value > 0 else (f"−{-value:,}" if value < 0 else "0")


def percent(value: float | None, digits: int = 0) -> str:
    """A change in percent, signed; a dash where the base was zero."""
    if value is None:
        return DASH
    sign = "+" if value > 0 else ("−" if value < 0 else "")
    return f"{sign}{abs(value):,.{digits}f} %"


def share(value: float | None) -> str:
    return DASH if value is None else f"{100 * value:.0f} %"


def rate(value: Rate, lang: Lang, digits: int = 2) -> str:
    """``0.42``, ``≈ 0.42`` over an approximate denominator, words when it is unknown."""
    if value.value is None or value.status is FactStatus.UNKNOWN:
        return "unknown" if lang == "en" else "ไม่ทราบ"
    about = "≈ " if value.status is FactStatus.APPROXIMATE else ""
    return f"{about}{value.value:,.{digits}f}"


def day(value: date | None, lang: Lang) -> str:
    """``21 ก.ย. 2564`` (B.E.) or ``21 Sep 2021``."""
    if value is None:
        return DASH
    if lang == "en":
        return f"{value.day} {value:%b %Y}"
    return format_thai_datetime(datetime.combine(value, time(12), tzinfo=BANGKOK),
                                with_time=False)
