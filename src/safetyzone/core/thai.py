"""Thai date display: Buddhist Era years, Thai month names, Bangkok time."""

from __future__ import annotations

from datetime import datetime

from safetyzone.core.clock import BANGKOK, as_utc

BE_OFFSET = 543
THAI_MONTHS_ABBR = (
    "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
    "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
)
THAI_MONTHS = (
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
    "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
)


def format_thai_datetime(value: datetime, *, with_time: bool = True) -> str:
    """Format as Thai readers expect, e.g. ``25 พ.ย. 2569 18:47``."""
    local = as_utc(value).astimezone(BANGKOK)
    text = f"{local.day} {THAI_MONTHS_ABBR[local.month - 1]} {local.year + BE_OFFSET}"
    return f"{text} {local:%H:%M}" if with_time else text


def be_year(value: datetime) -> int:
    """The Buddhist Era year of an instant in Bangkok."""
    return as_utc(value).astimezone(BANGKOK).year + BE_OFFSET


def thai_month_year(year: int, month: int) -> str:
    """A calendar month as a Thai heading writes it: ``พฤศจิกายน 2569`` (Buddhist Era)."""
    return f"{THAI_MONTHS[month - 1]} {year + BE_OFFSET}"
