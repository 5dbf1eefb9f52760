"""Dates as Thai readers read them: Buddhist Era, Thai month, Bangkok time."""

from __future__ import annotations

from datetime import UTC, datetime

from safetyzone.core.thai import be_year, format_thai_datetime


def test_buddhist_era_and_bangkok_time() -> None:
    # 17:30 UTC on 31 Dec 2025 is already 1 Jan 2569 BE, 00:30, in Bangkok.
    instant = datetime(2025, 12, 31, 17, 30, tzinfo=UTC)
    assert format_thai_datetime(instant) == "1 ม.ค. 2569 00:30"
    assert format_thai_datetime(instant, with_time=False) == "1 ม.ค. 2569"
    assert be_year(instant) == 2569


def test_program_launch_date() -> None:
    # The program launched on 21 September 2021 (2564 BE).
    assert format_thai_datetime(datetime(2021, 9, 21, 3, 0, tzinfo=UTC)) == "21 ก.ย. 2564 10:00"


def test_a_month_heading_in_buddhist_era() -> None:
    from safetyzone.core.thai import thai_month_year

    assert thai_month_year(2026, 11) == "พฤศจิกายน 2569"
    assert thai_month_year(2027, 1) == "มกราคม 2570"
