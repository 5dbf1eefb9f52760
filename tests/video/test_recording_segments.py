"""Reading what ffmpeg's segment muxer wrote: names, list lines (whole ones only, the newest
held back until its file is surely closed), garbage, and the first segment's clamp."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from safetyzone.video.recording import segments
from safetyzone.video.recording.recorder import folder_name


def test_names_carry_their_offset_and_anything_else_is_no_segment() -> None:
    assert segments.parse_name("20261201T170450+0000.mp4") == datetime(
        2026, 12, 1, 17, 4, 50, tzinfo=UTC)
    assert segments.parse_name("20261202T000450+0700.mp4") == datetime(
        2026, 12, 1, 17, 4, 50, tzinfo=UTC)
    for name in ("20261301T170450+0000.mp4", "x.mp4", "20261201T170450+0000.mp4.tmp",
                 "../20261201T170450+0000.mp4", "20261201T170450.mp4", ""):
        assert segments.parse_name(name) is None, name


def test_the_list_gives_whole_lines_and_holds_the_newest_back(tmp_path: Path) -> None:
    listing = tmp_path / ".list-1.csv"
    reader = segments.ListReader(listing)
    assert reader.read() == []  # no list yet
    listing.write_text("20261201T170450+0000.mp4,0.000000,1.000000\n"
                       "20261201T170451+0000.mp4,1.000000,2.0")  # the second is half written
    assert reader.read() == [] and reader.holding
    with listing.open("a") as handle:
        handle.write("00000\n garbage line\n,,\n20261201T170452+0000.mp4,2.0,x\n"
                     "20261201T170452+0000.mp4,2.000000,3.500000\n")
    first, second = reader.read()
    assert first.first and first.path == tmp_path / "20261201T170450+0000.mp4"
    assert not second.first and second.ends_at - second.starts_at == timedelta(seconds=1)
    assert reader.holding  # the newest: its file may not be flushed yet
    (last,) = reader.read(final=True)
    assert last.ends_at - last.starts_at == timedelta(seconds=1.5)
    assert reader.read(final=True) == [] and not reader.holding


def test_a_runs_first_segment_ends_at_the_next_clock_boundary() -> None:
    start = datetime(2026, 12, 1, 17, 4, 51, tzinfo=UTC)
    long = segments.Closed(Path("a.mp4"), start, start + timedelta(seconds=2.9), first=True)
    assert segments.first_clamped(long, 1).ends_at == start + timedelta(seconds=1)
    assert segments.first_clamped(long, 10).ends_at == start + timedelta(seconds=2.9)
    short = segments.Closed(Path("a.mp4"), start, start + timedelta(seconds=0.4), first=True)
    assert segments.first_clamped(short, 1).ends_at == short.ends_at


def test_folder_names_come_from_codes_and_never_climb() -> None:
    fallback = uuid.UUID(int=7)
    assert folder_name("PCR-KBL-CITY-P052-C1", fallback) == "PCR-KBL-CITY-P052-C1"
    assert folder_name("../..", fallback) == fallback.hex
    assert folder_name("กล้อง 1/2", fallback) == "1_2"  # Thai letters drop out
    assert "/" not in folder_name("a/b\\c", fallback)
